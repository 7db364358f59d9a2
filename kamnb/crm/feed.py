"""What a CRM import hands to the method beyond accounts and open deals.

From the deal history the import already reads, this module makes:

- the ``offerings`` sheet (the products file: name, series, list price) and the
  ``whitespace`` sheet: every account x every product, bought (a won deal;
  current = won value over the last 12 months), open (an open deal; potential =
  its value), lost (only lost deals) or never offered; a potential nobody
  knows is the product's median won deal in the export (the note says so);
- each account's conversion rate from proposal to win, from its won and lost
  deals, pulled towards the export's own rate when the account has few deals
  (``(won + k x rate) / (won + lost + k)`` with ``k`` = :data:`PRIOR_DEALS`);
  written to settings.yaml for the activity plan;
- the account team (the people with deals on the account, most deals first,
  and their sales manager) for the accounts sheet;
- the ``to_judge`` worksheet: for each key account (key on computed figures
  alone, as every imported account is) the judgement columns to fill in,
  empty, as CSV and as .xlsx; the loader reads the filled-in sheet back.

Example:
    >>> import pandas as pd
    >>> deals = pd.DataFrame({"account_id": ["a", "a", "b"], "product": ["X", "Y", "X"], "outcome": ["won", "lost", "won"],
    ...                       "value": [100.0, 0.0, 300.0], "close": pd.to_datetime(["2024-05-01", "2024-06-01", "2024-01-01"]),
    ...                       "owner": ["Ann", "Ann", "Bob"]})
    >>> ws = whitespace_rows(deals, ["a", "b"], ["X", "Y"], pd.Timestamp("2024-12-31"))
    >>> ws[["account_id", "offering_id", "status", "current", "potential"]].values.tolist()[:2]
    [['a', 'x', 'bought', 100.0, 100.0], ['a', 'y', 'lost', nan, nan]]
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from kamnb.common import spreadsheet
from kamnb.workbook.schema import (
    TO_JUDGE_COLUMNS as JUDGE_COLUMNS,  # the account columns the worksheet asks for, in the order a room fills them
)

PRIOR_DEALS = 4
"""How many deals' worth of the export's own win rate is mixed into each account's rate."""


TO_JUDGE = "to_judge"


def offering_key(name: str) -> str:
    """A stable offering id from a product name: ``GTX Plus Pro`` -> ``gtx-plus-pro``.

    >>> offering_key("MG Advanced"), offering_key("Überprüfung  & Co")
    ('mg-advanced', 'uberprufung-co')
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "offering"


def offerings_rows(products: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """The offerings sheet: the products file's rows, else every product named on a deal.

    >>> offerings_rows(pd.DataFrame({"name": ["X"], "series": ["S"], "price": [5.0]}), pd.DataFrame({"product": ["X", "Z"]})).values.tolist()
    [['x', 'X', 'S', 5.0], ['z', 'Z', '', nan]]
    """
    rows = [{"offering_id": offering_key(n), "name": n, "family": str(s or ""), "list_price": p}
            for n, s, p in zip(products.get("name", []), products.get("series", [""] * len(products)),
                               products.get("price", [np.nan] * len(products)), strict=True) if str(n).strip()]
    known = {r["offering_id"] for r in rows}
    for name in sorted({str(p) for p in deals["product"] if str(p).strip()}):
        if offering_key(name) not in known:
            known.add(offering_key(name))
            rows.append({"offering_id": offering_key(name), "name": name, "family": "", "list_price": np.nan})
    return pd.DataFrame(rows, columns=["offering_id", "name", "family", "list_price"])


def whitespace_rows(deals: pd.DataFrame, accounts: list[str], products: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """Every account x product as a whitespace cell (see the module docstring)."""
    cols = ["account_id", "offering_id", "business_unit", "status", "competitor", "current", "potential", "note"]
    d = deals[deals["product"].astype(str).str.strip() != ""].copy()
    d["key"] = d["product"].map(offering_key)
    start = as_of - pd.DateOffset(months=12)
    won = d[d["outcome"] == "won"]
    median = won.groupby("key")["value"].median()
    recent = won[(won["close"] > start) & (won["close"] <= as_of)].groupby(["account_id", "key"])["value"].sum()
    n_won = won.groupby(["account_id", "key"]).size()
    open_value = d[d["outcome"] == "open"].groupby(["account_id", "key"])["value"].sum()
    n_lost = d[d["outcome"] == "lost"].groupby(["account_id", "key"]).size()
    names = {offering_key(p): p for p in products}
    rows = []
    for acc in accounts:
        for key, name in names.items():
            typical = float(median.get(key, np.nan))
            hint = f"potential: the median won deal of {name} in the export" if typical == typical else ""
            if (acc, key) in n_won.index:
                current = float(recent.get((acc, key), 0.0))
                extra = float(open_value.get((acc, key), 0.0))
                potential = current if current > 0 else max(typical if typical == typical else 0.0, extra)
                note = f"won {int(n_won[(acc, key)])} deal(s)" + ("" if current > 0 else "; none in the last 12 months, " + (hint or "potential unknown"))
                rows.append([acc, key, "", "bought", "", current, potential, note])
            elif (acc, key) in open_value.index:
                rows.append([acc, key, "", "open", "", np.nan, float(open_value[(acc, key)]), "open deal(s) in the pipeline"])
            elif (acc, key) in n_lost.index:
                rows.append([acc, key, "", "lost", "", np.nan, typical, f"lost {int(n_lost[(acc, key)])} deal(s); " + (hint or "potential unknown")])
            else:
                rows.append([acc, key, "", "not_offered", "", np.nan, typical, hint])
    return pd.DataFrame(rows, columns=cols)


def conversion_rates(won: np.ndarray, lost: np.ndarray, ids: np.ndarray) -> tuple[dict[str, float], float]:
    """Each account's proposal-to-win rate from its won and lost deals, pulled towards the export's rate.

    Returns ({account_id: rate}, the export's rate). Accounts without a closed deal are left out.

    >>> conversion_rates(np.array([3, 9]), np.array([1, 1]), np.array(["a", "b"]))
    ({'a': 0.804, 'b': 0.888}, 0.857)
    """
    total_w, total_l = float(np.sum(won)), float(np.sum(lost))
    if total_w + total_l == 0:
        return {}, float("nan")
    base = total_w / (total_w + total_l)
    rates = {}
    for acc, w, lo in zip(ids, won, lost, strict=True):
        if w + lo > 0:
            rate = (float(w) + PRIOR_DEALS * base) / (float(w) + float(lo) + PRIOR_DEALS)
            rates[str(acc)] = round(min(max(rate, 0.01), 1.0), 3)
    return rates, round(base, 3)


def account_teams(deals: pd.DataFrame, managers: dict[str, str], first: dict[str, str] | None = None) -> dict[str, str]:
    """Per account: the people with deals on it (the account manager ``first``, then most deals first) and, last, their sales manager(s).

    >>> account_teams(pd.DataFrame({"account_id": ["a", "a", "a"], "owner": ["Bob", "Ann", "Ann"]}), {"Ann": "Cy"})
    {'a': 'Ann; Bob; Cy (sales manager)'}
    """
    out: dict[str, str] = {}
    first = first or {}
    d = deals[deals["owner"].astype(str).str.strip() != ""]
    for acc, g in d.groupby("account_id", sort=True):
        counts = g["owner"].value_counts()
        people = sorted(counts.index, key=lambda p: (p != first.get(str(acc)), -int(counts[p]), str(p)))
        bosses = list(dict.fromkeys(m for p in people if (m := managers.get(str(p), "")) and m not in people))
        out[str(acc)] = "; ".join([str(p) for p in people] + [f"{m} (sales manager)" for m in bosses])
    return out


def to_judge_rows(accounts: pd.DataFrame, key_ids: list[str], basis: pd.DataFrame) -> pd.DataFrame:
    """The to_judge worksheet: one row per key account, the judgement columns empty, why it is on the list.

    >>> to_judge_rows(pd.DataFrame({"name": ["A"]}, index=["a"]), ["a"], pd.DataFrame({"text": ["judged: none"]}, index=["a"])).columns.tolist()[:3]
    ['account_id', 'name', 'why']
    """
    rows = []
    for acc in key_ids:
        rows.append({"account_id": acc, "name": accounts.at[acc, "name"],
                     "why": f"key on computed figures alone ({basis.at[acc, 'text']})" if acc in basis.index else "key",
                     **{c: "" for c in JUDGE_COLUMNS}})
    return pd.DataFrame(rows, columns=["account_id", "name", "why", *JUDGE_COLUMNS])


def xlsx_bytes(frame: pd.DataFrame, sheet: str = TO_JUDGE) -> bytes:
    """The frame as one .xlsx tab, every cell written as a value (text never becomes a formula).

    >>> xlsx_bytes(pd.DataFrame({"a": ["=1+1"]}))[:2]
    b'PK'
    """
    import io

    from openpyxl import Workbook as XlBook

    book = XlBook()
    ws = book.active
    ws.title = sheet
    spreadsheet.put_row(ws, 1, list(frame.columns))
    for n, rec in enumerate(frame.itertuples(index=False, name=None), start=2):
        spreadsheet.put_row(ws, n, [None if (isinstance(v, float) and v != v) or v == "" else v for v in rec])
    ws.freeze_panes = "D2"
    for col, width in zip("ABC", (28, 28, 60), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def feed(accounts: pd.DataFrame, deals: pd.DataFrame, products: pd.DataFrame, figures: pd.DataFrame, managers: dict[str, str],
         as_of: pd.Timestamp) -> dict[str, Any]:
    """Everything above for one import: offerings, whitespace, conversion, export_rate, teams.

    Example:
        >>> from kamnb.crm.build import import_crm
        >>> res = import_crm("data/crm-example", tmp / "imported")
        >>> feed(res.accounts, res.deals, res.products, res.figures, {}, res.as_of)["export_rate"]
        0.721
    """
    offerings = offerings_rows(products, deals)
    ws = whitespace_rows(deals, list(accounts["account_id"]), list(offerings["name"]), as_of)
    rates, base = conversion_rates(figures["won_deals"].to_numpy(), figures["lost_deals"].to_numpy(), figures["account_id"].to_numpy())
    first = dict(zip(accounts["account_id"], accounts["account_manager"], strict=True))
    return {"offerings": offerings, "whitespace": ws, "conversion": rates, "export_rate": base, "teams": account_teams(deals, managers, first)}
