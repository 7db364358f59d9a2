"""The whitespace across the portfolio: which offerings the key accounts do not buy yet.

:func:`penetration` counts, per offering, how many of the key accounts whose
whitespace map holds it buy it, have it in the pipeline, lost it, see a competitor
hold it or were never offered it, and sums the room. An offering bought by
fewer than ``whitespace.under_penetrated_pct`` percent of those accounts is
*under-penetrated*. :func:`portfolio_columns` gives the per-account figures
for the portfolio index.

Example:
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"account_id": ["A", "B", "A"], "offering_id": ["X", "X", "Y"], "offering": ["X", "X", "Y"],
    ...                       "status": ["bought", "lost", "bought"], "room": [0.0, 5.0, 0.0]})
    >>> penetration_table(cells, ["A", "B"], 50)[["offering_id", "bought", "bought_pct", "under_penetrated"]].values.tolist()
    [['X', 1, 50.0, False], ['Y', 1, 100.0, False]]
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from kamnb.whitespace.gaps import GAP_STATUSES, whitespace_settings
from kamnb.whitespace.map import STATUSES, whitespace_map


def penetration_table(cells: pd.DataFrame, accounts: list[str], under_pct: float) -> pd.DataFrame:
    """Per offering over ``accounts``: accounts per status (an account counts once, at its best status), bought_pct, room.

    Only accounts whose map has the offering count for it (a bank's map need
    not list a warehouse service); ``accounts`` says how many that is.
    """
    cols = ["offering_id", "offering", "accounts", *STATUSES, "bought_pct", "room", "under_penetrated"]
    cells = cells[cells["account_id"].isin(accounts)]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    order = {s: i for i, s in enumerate(STATUSES)}
    best = cells.assign(_s=cells["status"].map(order)).groupby(["offering_id", "account_id"])["_s"].min()
    names = cells.drop_duplicates("offering_id").set_index("offering_id")["offering"]
    rows = []
    for off in sorted(cells["offering_id"].unique()):
        per = best.loc[off]
        counts = {s: int((per == i).sum()) for s, i in order.items()}
        room = float(cells.loc[(cells["offering_id"] == off) & cells["status"].isin(GAP_STATUSES), "room"].sum())
        pct = 100.0 * counts["bought"] / len(per)
        rows.append({"offering_id": off, "offering": names[off], "accounts": len(per), **counts, "bought_pct": pct,
                     "room": room, "under_penetrated": pct < under_pct})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["bought_pct", "room", "offering_id"], ascending=[True, False, True], kind="mergesort").reset_index(drop=True)


def penetration(wb: Any, accounts: list[str] | None = None) -> pd.DataFrame:
    """:func:`penetration_table` over the key accounts (or ``accounts`` when given).

    Example:
        >>> penetration(wb)[["offering", "bought_pct"]].head(1).values.tolist()
        [['Claims platform support', 0.0]]
    """
    if accounts is None:
        from kamnb.classification.score import classify

        res = classify(wb)
        accounts = list(res.index[res["is_key"].astype(bool)])
    cfg = whitespace_settings(wb.settings)
    return penetration_table(whitespace_map(wb), list(accounts), float(cfg["under_penetrated_pct"]))


def under_penetrated(wb: Any, accounts: list[str] | None = None) -> pd.DataFrame:
    """:func:`penetration` for people: one row per offering, least bought first, figures as text.

    Example:
        >>> under_penetrated(wb).columns.tolist()[:3]
        ['offering', 'bought by', 'in the pipeline']
    """
    from kamnb.common.formatting import money

    table = penetration(wb, accounts)
    cur = wb.settings.get("currency", "EUR")
    return pd.DataFrame({
        "offering": table["offering"],
        "bought by": [f"{b} of {n} key accounts" for b, n in zip(table["bought"], table["accounts"], strict=True)],
        "in the pipeline": table["open"], "lost": table["lost"], "competitor": table["competitor"], "never offered": table["not_offered"],
        "room": [money(r, cur) for r in table["room"]],
        "under-penetrated": ["yes" if u else "" for u in table["under_penetrated"]],
    })


def portfolio_columns(wb: Any) -> pd.DataFrame:
    """Whitespace figures per account for the portfolio index: whitespace_value, offerings_bought, top_gap.

    Example:
        >>> portfolio_columns(wb).columns.tolist()
        ['whitespace_value', 'offerings_bought', 'top_gap']
    """
    from kamnb.whitespace.gaps import top_gaps

    cells = whitespace_map(wb)
    idx = wb.accounts.index
    out = pd.DataFrame(index=idx.copy())
    out["whitespace_value"] = cells.groupby("account_id")["room"].sum().reindex(idx).astype(float)
    bought = cells[cells["status"] == "bought"].groupby("account_id")["offering_id"].nunique()
    out["offerings_bought"] = bought.reindex(idx).fillna(0).astype(int)
    out["top_gap"] = top_gaps(wb).reindex(idx).fillna("").tolist()
    out.index.name = "account_id"
    return out
