"""The whitespace map: our offerings x the customer's business units, and what each cell holds.

A cell is one (account, offering, business unit). Its status says where we
stand: ``bought`` (they buy it from us), ``open`` (in the pipeline), ``lost``
(we offered and lost), ``competitor`` (a competitor holds it) or
``not_offered`` (never offered). ``current`` is what they buy of it from us
per year, ``potential`` what they could buy; the cell's *room* is
``potential - current`` (never below 0).

Where the map comes from, per account:

- the ``whitespace`` sheet, when it has rows for the account (the team's own map);
- otherwise the account's opportunities that name an ``offering_id``: won
  makes the cell bought (current = the won value), open makes it open (room =
  the open value), lost makes it lost (room = the lost value); a cell with
  several deals takes the best status in that order. Every other known
  offering (the offerings sheet and every offering sold anywhere in the
  portfolio) becomes a ``not_offered`` cell of each of the account's units.

A potential nobody wrote down is *estimated* (``estimated`` is True): the
median won value of that offering across the portfolio, else its list price
from the offerings sheet; without either it stays unknown. An account whose
opportunities name no offering has no map.

Example:
    >>> import pandas as pd
    >>> opps = pd.DataFrame({"account_id": ["A", "A", "B"], "offering_id": ["X", "Y", "X"],
    ...                      "business_unit": ["", "", ""], "stage": ["won", "lost", "won"],
    ...                      "value": [100.0, 40.0, 80.0], "expected_close": pd.NaT})
    >>> m = derive_map(opps)
    >>> m[["account_id", "offering_id", "status", "current", "potential", "room"]].values.tolist()
    [['A', 'X', 'bought', 100.0, 100.0, 0.0], ['A', 'Y', 'lost', 0.0, 40.0, 40.0], ['B', 'X', 'bought', 80.0, 80.0, 0.0], ['B', 'Y', 'not_offered', 0.0, nan, nan]]
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamnb.common import memo
from kamnb.common.rows import rows_of

STATUSES = ("bought", "open", "lost", "competitor", "not_offered")
"""Cell statuses, from where we stand best to where we have done nothing yet."""

STATUS_LABELS = {
    "bought": "bought",
    "open": "in the pipeline",
    "lost": "lost",
    "competitor": "held by a competitor",
    "not_offered": "never offered",
}
WHOLE_ACCOUNT = "whole account"
"""How an empty business unit is shown."""

COLUMNS = ["account_id", "offering_id", "offering", "business_unit", "status", "competitor", "current", "potential",
           "room", "estimated", "source", "note"]


def _unit(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip()


def derive_map(opportunities: pd.DataFrame, offerings: pd.DataFrame | None = None) -> pd.DataFrame:
    """The whitespace map of every account from its opportunities (see the module docstring).

    ``opportunities`` needs account_id, offering_id, stage and value;
    business_unit is used when present. Returns the :data:`COLUMNS`, one row
    per cell, sorted by account, offering and unit; ``source`` is
    ``opportunities``.

    Example:
        >>> derive_map(pd.DataFrame(columns=["account_id", "offering_id", "stage", "value"])).empty
        True
    """
    opps = opportunities[opportunities["offering_id"].fillna("").astype(str).str.strip() != ""].copy()
    if opps.empty:
        return pd.DataFrame(columns=COLUMNS)
    opps["offering_id"] = opps["offering_id"].astype(str).str.strip()
    opps["business_unit"] = _unit(opps["business_unit"]) if "business_unit" in opps else ""
    opps["value"] = pd.to_numeric(opps["value"], errors="coerce").fillna(0.0)
    stage = opps["stage"].fillna("").astype(str)
    opps["_won"] = np.where(stage == "won", opps["value"], 0.0)
    opps["_lost"] = np.where(stage == "lost", opps["value"], 0.0)
    opps["_open"] = np.where(~stage.isin(["won", "lost"]), opps["value"], 0.0)
    opps["_n_won"] = (stage == "won").astype(int)
    opps["_n_open"] = (~stage.isin(["won", "lost"])).astype(int)
    keys = ["account_id", "offering_id", "business_unit"]
    cells = opps.groupby(keys, sort=True).agg(
        won=("_won", "sum"), lost=("_lost", "sum"), open=("_open", "sum"), n_won=("_n_won", "sum"), n_open=("_n_open", "sum")
    ).reset_index()
    cells["status"] = np.select([cells["n_won"] > 0, cells["n_open"] > 0], ["bought", "open"], "lost")
    cells["current"] = cells["won"]
    cells["potential"] = np.select(
        [cells["status"] == "bought", cells["status"] == "open"],
        [cells["won"] + cells["open"], cells["open"]],
        cells["lost"],
    )
    known = list(dict.fromkeys(list(offerings.index if offerings is not None else []) + sorted(cells["offering_id"].unique())))
    estimate = estimates(opps, offerings)
    units = cells.groupby("account_id")["business_unit"].unique()
    have = set(zip(cells["account_id"], cells["offering_id"], cells["business_unit"], strict=True))
    blanks = [
        {"account_id": a, "offering_id": o, "business_unit": u, "status": "not_offered", "current": 0.0,
         "potential": estimate.get(o, np.nan), "estimated": True}
        for a, us in units.items() for u in sorted(us) for o in known if (a, o, u) not in have
    ]
    cells["estimated"] = False
    out = pd.concat([cells, pd.DataFrame(blanks)], ignore_index=True) if blanks else cells
    out["competitor"] = ""
    out["note"] = ""
    out["source"] = "opportunities"
    return finish(out, offerings)


def estimates(opportunities: pd.DataFrame, offerings: pd.DataFrame | None) -> dict[str, float]:
    """The estimated potential of each offering: its median won value in the portfolio, else its list price.

    >>> estimates(pd.DataFrame({"offering_id": ["X", "X", "X"], "stage": ["won", "won", "lost"],
    ...                         "value": [10.0, 30.0, 99.0]}), None)
    {'X': 20.0}
    """
    out: dict[str, float] = {}
    if offerings is not None and "list_price" in offerings:
        out.update({str(k): float(v) for k, v in offerings["list_price"].dropna().items()})
    won = opportunities[opportunities["stage"] == "won"]
    if not won.empty:
        med = pd.to_numeric(won["value"], errors="coerce").groupby(won["offering_id"]).median().dropna()
        out.update({str(k): float(v) for k, v in med.items()})
    return out


def finish(cells: pd.DataFrame, offerings: pd.DataFrame | None) -> pd.DataFrame:
    """Name each offering, compute the room, order the columns and the rows.

    >>> finish(pd.DataFrame({"account_id": ["A"], "offering_id": ["X"], "business_unit": [""], "status": ["lost"],
    ...                      "current": [np.nan], "potential": [5.0]}), None)["room"].tolist()
    [5.0]
    """
    cells = cells.copy()
    names = offerings["name"] if offerings is not None and "name" in offerings else pd.Series(dtype=object)
    cells["offering"] = [str(names.get(o, "") or o) for o in cells["offering_id"]]
    for col, default in (("competitor", ""), ("note", ""), ("source", "whitespace sheet"), ("estimated", False)):
        if col not in cells:
            cells[col] = default
    cells["current"] = pd.to_numeric(cells["current"], errors="coerce").fillna(0.0)
    cells["potential"] = pd.to_numeric(cells["potential"], errors="coerce").astype(float)
    cells["room"] = (cells["potential"] - cells["current"]).clip(lower=0.0)
    cells["estimated"] = cells["estimated"].fillna(False).astype(bool)
    order = {s: i for i, s in enumerate(STATUSES)}
    cells = cells.assign(_s=cells["status"].map(order)).sort_values(["account_id", "offering_id", "business_unit", "_s"], kind="stable")
    return cells.drop(columns="_s")[COLUMNS].reset_index(drop=True)


def sheet_map(whitespace: pd.DataFrame, offerings: pd.DataFrame | None, estimate: dict[str, float]) -> pd.DataFrame:
    """The map as the team wrote it on the whitespace sheet; missing potentials estimated.

    >>> ws = pd.DataFrame({"account_id": ["A"], "offering_id": ["X"], "business_unit": [" HQ "], "status": ["competitor"],
    ...                    "competitor": ["Rival"], "current": [np.nan], "potential": [np.nan], "note": [""]})
    >>> sheet_map(ws, None, {"X": 50.0})[["business_unit", "potential", "estimated", "room"]].values.tolist()
    [['HQ', 50.0, True, 50.0]]
    """
    cells = whitespace[["account_id", "offering_id", "business_unit", "status", "competitor", "current", "potential", "note"]].copy()
    cells["business_unit"] = _unit(cells["business_unit"])
    missing = cells["potential"].isna() & (cells["status"] != "bought")
    guess = cells["offering_id"].map(estimate)
    cells["estimated"] = missing & guess.notna()
    cells["potential"] = cells["potential"].where(~missing, guess)
    bought_blank = cells["potential"].isna() & (cells["status"] == "bought")
    cells["potential"] = cells["potential"].where(~bought_blank, cells["current"])
    cells["source"] = "whitespace sheet"
    return finish(cells, offerings)


@memo.portfolio("whitespace", "offerings", "opportunities", "accounts")
def whitespace_map(wb: Any) -> pd.DataFrame:
    """Every account's whitespace map: from the whitespace sheet where it has rows, else from the opportunities.

    Computed once per workbook content. Columns: :data:`COLUMNS`.

    Example:
        >>> whitespace_map(load_workbook("data/sample")).columns.tolist()[:4]
        ['account_id', 'offering_id', 'offering', 'business_unit']
    """
    offerings = wb.sheets.get("offerings")
    offerings = offerings if offerings is not None and len(offerings) else None
    sheet = wb.sheets.get("whitespace")
    opps = wb.opportunities
    parts = []
    mapped: set[str] = set()
    if sheet is not None and len(sheet):
        parts.append(sheet_map(sheet, offerings, estimates(opps, offerings)))
        mapped = set(sheet["account_id"])
    derived = derive_map(opps[~opps["account_id"].isin(mapped)], offerings)
    if not derived.empty:
        parts.append(derived)
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out[out["account_id"].isin(wb.accounts.index)].reset_index(drop=True)


def account_map(wb: Any, account_id: str) -> pd.DataFrame:
    """One account's cells of :func:`whitespace_map`.

    Example:
        >>> account_map(wb, "ACC-001")["status"].unique().tolist()
        ['competitor', 'bought', 'not_offered', 'lost']
    """
    return rows_of(whitespace_map(wb), account_id).reset_index(drop=True)
