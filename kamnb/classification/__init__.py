"""Which accounts are key: seven definitions, a key score, Pareto, partnership, matrix, tiers and groups.

Modules: ``definitions`` (the seven definitions), ``score`` (classify and explain),
``rules`` (traps, tiers, resource changes), ``retention`` (signs for the retain tier),
``hierarchy`` (the buy-sell hierarchy), ``tables`` (tables for the review), ``pareto``,
``partnership``, ``groups``. This face composes the step's columns of the portfolio index.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from kamnb.classification.score import classify


def portfolio_columns(source: Any, settings: dict[str, Any] | None = None) -> pd.DataFrame:
    """Raw classification columns for the portfolio index, indexed by account id, snake_case.

    Columns: tier, is_key, key_score, key_rank, revenue_rank, revenue_core,
    profit_core, contribution (gross profit minus cost to serve),
    contribution_core, partnership, quadrant, attractiveness, strength, traps,
    risk (signs behind the retain / defend tier), buy_sell_level (the level's
    name), buy_sell_change (levels moved since the last assessment),
    resource_change. Text columns are plain strings.

    Example:
        >>> portfolio_columns(wb).loc["ACC-001", "tier"]
        'retain'
    """
    res = classify(source, settings)
    cols = ["tier", "is_key", "key_score", "key_rank", "revenue_rank", "revenue_core", "profit_core", "contribution", "contribution_core",
            "partnership", "quadrant", "attractiveness", "strength", "traps", "risk", "buy_sell_level", "buy_sell_change", "resource_change"]
    out = res[cols].copy()
    for c in ("tier", "partnership", "quadrant", "traps", "risk", "buy_sell_level", "resource_change"):
        out[c] = out[c].astype(object).astype(str)
    return out
