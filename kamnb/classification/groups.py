"""Parent/subsidiary roll-up: a group's accounts classified as one.

Each account belongs to the group of its top-most parent (``parent_id``
followed up until an account without a parent). A stand-alone account is a
group of one. The roll-up adds money and effort, takes the gross margin from
the summed gross profit, and averages share of wallet and the 1-5 judgements
weighted by revenue (a plain mean where the group has no revenue).

Example:
    >>> import pandas as pd
    >>> acc = pd.DataFrame({"name": ["Group", "Sub", "Solo"], "parent_id": ["", "G", ""],
    ...                     "revenue_12m": [300.0, 100.0, 50.0]}, index=["G", "S", "X"])
    >>> group_ids(acc).tolist()
    ['G', 'G', 'X']
    >>> roll_up(acc)[["name", "members", "revenue_12m"]].values.tolist()
    [['Group', 2, 400.0], ['Solo', 1, 50.0]]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamnb.common.ranking import fill_nan
from kamnb.errors import KamnbError

SUMMED = ("revenue_12m", "revenue_prev_12m", "cost_to_serve", "revenue_potential_3y", "team_effort_days")
REVENUE_WEIGHTED = (
    "share_of_wallet_pct",
    "growth_potential",
    "strategic_fit",
    "partner_willingness",
    "transparency",
    "our_willingness",
    "buy_sell_position",
    "service_demand",
    "responsiveness",
)
FROM_TOP = ("name", "industry", "country", "account_manager", "account_goal")


class GroupCycleError(KamnbError):
    """Parent links go round in a circle, so a group has no top account.

    Example:
        >>> issubclass(GroupCycleError, KamnbError)
        True
    """


def _root_positions(accounts: pd.DataFrame) -> np.ndarray:
    n = len(accounts)
    own = np.arange(n)
    if "parent_id" not in accounts.columns:
        return own
    parents = accounts["parent_id"].fillna("").astype(str).to_numpy()
    linked = np.flatnonzero(parents != "")
    root = own.copy()
    if len(linked):
        found = accounts.index.get_indexer(parents[linked])
        root[linked] = np.where(found < 0, linked, found)
    parent = root.copy()
    for _ in range(64):  # pointer doubling: depth 2**64 is more than any group has
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    bad = parent[root] != root  # a top account must have no parent of its own
    if bad.any():
        stuck = accounts.index[bad][:5]
        raise GroupCycleError(f"accounts: parent_id links form a cycle around {', '.join(map(str, stuck))}; expected each chain to end at an account without a parent")
    return root


def group_ids(accounts: pd.DataFrame) -> pd.Series:
    """The id of each account's top-most parent (its own id when it has none).

    Example:
        >>> group_ids(wb.accounts)["ACC-004"]
        'ACC-003'
    """
    root = _root_positions(accounts)
    return pd.Series(accounts.index.to_numpy()[root], index=accounts.index, name="group_id")


def _sum(codes: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    has = ~np.isnan(values)
    total = np.bincount(codes, weights=np.where(has, values, 0.0), minlength=k)
    count = np.bincount(codes, weights=has.astype(float), minlength=k)
    return np.where(count > 0, total, np.nan)


def roll_up(accounts: pd.DataFrame) -> pd.DataFrame:
    """One row per group, indexed by the top account's id, shaped like the accounts sheet.

    Extra columns: ``members`` (number of accounts) and ``member_ids`` (ids
    joined by ", ", only for groups of more than one).

    Example:
        >>> roll_up(wb.accounts).columns.tolist()[:3]
        ['name', 'industry', 'country']
    """
    root = _root_positions(accounts)
    tops, codes = np.unique(root, return_inverse=True)
    k = len(tops)
    out = pd.DataFrame(index=accounts.index[tops])
    for col in FROM_TOP:
        if col in accounts.columns:
            out[col] = accounts[col].to_numpy()[tops]
    out["parent_id"] = ""
    num = {c: accounts[c].to_numpy(dtype="float64", na_value=np.nan) for c in (*SUMMED, *REVENUE_WEIGHTED, "gross_margin_pct") if c in accounts.columns}
    for col in SUMMED:
        if col in num:
            out[col] = _sum(codes, num[col], k)
    revenue = fill_nan(num.get("revenue_12m", np.zeros(len(accounts))), 0.0)
    if "gross_margin_pct" in num:
        has = ~np.isnan(num["gross_margin_pct"])
        profit = _sum(codes, np.where(has, revenue * num["gross_margin_pct"] / 100.0, np.nan), k)
        base = _sum(codes, np.where(has, revenue, np.nan), k)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["gross_margin_pct"] = np.where(base > 0, profit / base * 100.0, np.nan)
    for col in REVENUE_WEIGHTED:
        if col not in num:
            continue
        v = num[col]
        weighted = _sum(codes, np.where(np.isnan(v), np.nan, v * revenue), k)
        weight = _sum(codes, np.where(np.isnan(v), np.nan, revenue), k)
        plain = _sum(codes, v, k) / np.maximum(np.bincount(codes, weights=(~np.isnan(v)).astype(float), minlength=k), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[col] = np.where(weight > 0, weighted / np.where(weight > 0, weight, 1.0), plain)
    out["members"] = np.bincount(codes, minlength=k).astype("int64")
    ids = pd.Series(accounts.index.to_numpy(), index=accounts.index)
    multi = out.index[out["members"].to_numpy() > 1]
    out["member_ids"] = ""
    if len(multi):
        gid = pd.Series(accounts.index.to_numpy()[root], index=accounts.index)
        joined = ids[gid.isin(multi)].groupby(gid[gid.isin(multi)]).agg(lambda s: ", ".join(sorted(s)))
        out.loc[joined.index, "member_ids"] = joined.to_numpy()
    out.index.name = None
    out["account_id"] = out.index
    return out
