"""One account's place in the portfolio: its ranks, its nearest neighbours, its group.

An account's review shows the account, not the portfolio: each table here
has the account's row highlighted among at most :data:`NEIGHBOURS` accounts
on either side, so a review names a handful of other accounts however large
the portfolio (the portfolio review, ``notebooks/portfolio.ipynb``, lists
them all). Every number comes from :func:`kamnb.classification.score.classify`.

Example:
    >>> from kamnb.workbook import load_workbook
    >>> wb = load_workbook("data/sample")
    >>> t = revenue_neighbours(wb, "ACC-007")
    >>> sum(t.highlight), len(t.rows) <= 2 * NEIGHBOURS + 1
    (1, True)
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamnb.classification.definitions import BY_ID, DEFINITION_IDS
from kamnb.classification.score import _inputs, classification_settings, classify
from kamnb.common.people import PeopleTable, people_table

NEIGHBOURS = 2
"""Accounts shown on either side of the account under review in each neighbours table."""

GROUP_OTHERS = 2
"""Other members of the account's group shown by name (the parent first); the rest are counted."""


def _result(source: Any, result: pd.DataFrame | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    _, settings, _ = _inputs(source, None)
    return (classify(source) if result is None else result), settings


def nearest(order: pd.Index, account_id: str, n: int = NEIGHBOURS) -> pd.Index:
    """The ``2n + 1`` ids around ``account_id`` in ``order`` (fewer only when the portfolio is smaller).

    >>> list(nearest(pd.Index(list("abcdefg")), "a", 2)), list(nearest(pd.Index(list("abcdefg")), "e", 1))
    (['a', 'b', 'c', 'd', 'e'], ['d', 'e', 'f'])
    """
    pos = order.get_loc(account_id)
    width = 2 * n + 1
    start = max(0, min(int(pos) - n, len(order) - width))
    return order[start:start + width]


def _tier_names(settings: dict[str, Any], tiers: pd.Series) -> list[str]:
    names = classification_settings(settings)["tiers"]["names"]
    return [names.get(str(t), str(t)) if pd.notna(t) else "–" for t in tiers]


def revenue_neighbours(source: Any, account_id: str, result: pd.DataFrame | None = None) -> PeopleTable:
    """The account among its nearest neighbours by revenue: rank, share, cumulative share (Pareto), profit rank, core, tier.

    Example:
        >>> revenue_neighbours(wb, "ACC-001").headers[:3]
        ['Revenue rank', 'Account', 'Revenue, 12 months']
    """
    res, settings = _result(source, result)
    order = res.sort_values(["revenue_rank"], kind="stable")
    share = order["revenue_12m"].fillna(0)
    total = float(share.sum())
    cumulative = share.cumsum() / total * 100 if total else share * 0
    ids = nearest(order.index, account_id)
    rows = order.loc[ids]
    frame = pd.DataFrame(
        {
            "revenue_rank": rows["revenue_rank"].astype(int),
            "account": rows["name"].astype(str),
            "revenue_12m": rows["revenue_12m"],
            "revenue_share_pct": rows["revenue_share_pct"],
            "cumulative_share_pct": cumulative.loc[ids],
            "gross_profit": rows["gross_profit"],
            "profit_rank": rows["profit_rank"],
            "revenue_core": rows["revenue_core"].astype(bool),
            "tier": _tier_names(settings, rows["tier"]),
        },
        index=ids,
    )
    return people_table(frame, highlight=account_id, currency=settings.get("currency", "EUR"), digits={"revenue_share_pct": 1, "cumulative_share_pct": 0})


def definition_ranks(source: Any, account_id: str, result: pd.DataFrame | None = None) -> PeopleTable:
    """The account on each of the seven definitions: its score, its rank in the portfolio, whether it alone calls it key.

    Example:
        >>> definition_ranks(wb, "ACC-001").rows[0][:3]
        ['The big ones', '100', '1 of 30']
    """
    res, settings = _result(source, result)
    weights = classification_settings(settings)["weights"]
    rows = []
    for d in DEFINITION_IDS:
        scores = res[d].to_numpy(dtype="float64", na_value=np.nan)
        mine = float(res.at[account_id, d])
        scored = int(np.isfinite(scores).sum())
        rank = f"{int((scores > mine).sum()) + 1} of {scored}" if np.isfinite(mine) else "not computed"
        rows.append({"definition": BY_ID[d].title, "score": mine, "rank": rank, "calls_key": bool(res.at[account_id, f"key_by_{d}"]),
                     "weight": float(weights.get(d, 0) or 0), "question": BY_ID[d].question})
    return people_table(pd.DataFrame(rows), labels={"question": "What it asks", "score": "Score (0-100)"})


def key_neighbours(source: Any, account_id: str, result: pd.DataFrame | None = None) -> PeopleTable:
    """The account among its nearest neighbours by key score, with the definitions that call each key and the tier.

    Example:
        >>> key_neighbours(wb, "ACC-001").headers[:3]
        ['Key rank', 'Account', 'Key score (0-100)']
    """
    res, settings = _result(source, result)
    order = res.sort_values(["key_rank"], kind="stable")
    ids = nearest(order.index, account_id)
    rows = order.loc[ids]
    frame = pd.DataFrame(
        {
            "key_rank": rows["key_rank"].astype(int),
            "account": rows["name"].astype(str),
            "key_score": rows["key_score"],
            "is_key": rows["is_key"].astype(bool),
            "key_by_count": rows["key_by_count"].astype(int),
            "traps": rows["traps"].astype(str).replace({"": "–", "nan": "–"}),
            "tier": _tier_names(settings, rows["tier"]),
        },
        index=ids,
    )
    return people_table(frame, highlight=account_id)


def account_group(source: Any, account_id: str) -> PeopleTable:
    """The account's group (parent and subsidiaries classified as one) and how each member is classified alone.

    Example:
        >>> account_group(wb, "ACC-004").rows[0][:2]
        ['Helvion Rail Components', '€2,350,000']
    """
    frame, settings, _ = _inputs(source, None)
    alone = classify(source)
    group = str(alone.at[account_id, "group_id"]) if "group_id" in alone else str(account_id)
    members = alone.index[alone["group_id"].astype(str) == group] if "group_id" in alone else pd.Index([account_id])
    if len(members) < 2:
        return people_table(pd.DataFrame(), empty="Not part of a group: the accounts sheet gives this account no parent (parent_id) and no subsidiaries.")
    grouped = classify(source, by_group=True)
    others = [m for m in members if m != account_id]
    others = sorted(others, key=lambda m: (m != group, -float(alone.at[m, "revenue_12m"] or 0)))
    shown = pd.Index([account_id] + others[:GROUP_OTHERS])
    rows = alone.loc[shown]
    table = pd.DataFrame(
        {
            "account": rows["name"].astype(str) + np.where(rows.index == group, " (parent)", ""),
            "revenue_12m": rows["revenue_12m"],
            "key_score": rows["key_score"],
            "is_key": rows["is_key"].astype(bool),
            "tier": _tier_names(settings, rows["tier"]),
        },
        index=shown,
    )
    g = grouped.loc[group]
    hidden = len(others) - GROUP_OTHERS
    total = pd.DataFrame({"account": [f"The group as one ({len(members)} accounts)"], "revenue_12m": [g["revenue_12m"]], "key_score": [g["key_score"]],
                          "is_key": [bool(g["is_key"])], "tier": _tier_names(settings, pd.Series([g["tier"]]))}, index=["(group)"])
    out = people_table(pd.concat([table, total]), highlight=account_id, currency=settings.get("currency", "EUR"))
    if hidden > 0:
        out.note = f"and {hidden} more member{'s' if hidden > 1 else ''}: every group with all its members is in the portfolio review."
    return out


def tier_card(source: Any, account_id: str, result: pd.DataFrame | None = None) -> PeopleTable:
    """The account's tier, the rule that produced it, the matrix quadrant, partnership and the recommendation for the team.

    Example:
        >>> tier_card(wb, "ACC-001").rows[0]
        ['Tier', 'Retain / defend']
    """
    res, settings = _result(source, result)
    row = res.loc[account_id]
    names = classification_settings(settings)["tiers"]["names"]
    reason = str(row["tier_reason"]) if pd.notna(row["tier_reason"]) else "–"
    items = [
        ("Tier", names.get(str(row["tier"]), str(row["tier"]))),
        ("Why", reason[:1].upper() + reason[1:]),
        ("Matrix quadrant", str(row["quadrant"])),
        ("Partnership", str(row["partnership"])),
        ("Recommendation for the team", str(row["resources"])),
        ("Effort against the tier", str(row["resource_change"])),
    ]
    return people_table(pd.DataFrame(items, columns=["item", "value"]), labels={"item": "", "value": ""})
