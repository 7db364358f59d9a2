"""Partnership labels (both sides' willingness) and the portfolio matrix (attractiveness vs our strength).

Partnership is mutual: the customer's willingness to partner, to be
transparent and its growth potential are set against ours on the same three
attributes (our willingness to invest in the partnership, our transparency
towards them, our readiness to grow with them; a workbook that records only
``our_willingness`` keeps working with that alone). Each side is the mean of
its 1-5 judgements; a side is *willing* from ``partnership.willing_at`` (3.5 by
default).

The portfolio matrix places each account by how attractive it is to us
(potential, growth, strategic fit, margin) and by how strong our position with
it already is (buy-sell position, share of wallet, transparency towards us).

Example:
    >>> import numpy as np
    >>> labels = partnership_codes(np.array([4.5, 4.5, 2.0, 2.0]), np.array([4.0, 2.0, 5.0, 1.0]), 3.5)
    >>> [PARTNERSHIP_KEYS[c] for c in labels]
    ['mutual', 'we_hold_back', 'one_sided', 'transactional']
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamnb.common.ranking import judgement, percentile, weighted_mean

PARTNERSHIP_KEYS = ("mutual", "we_hold_back", "one_sided", "transactional", "unknown")
QUADRANT_KEYS = ("high_high", "high_low", "low_high", "low_low", "unknown")
THEIR_SIDE = ("partner_willingness", "transparency", "growth_potential")
OUR_SIDE = ("our_willingness", "our_transparency", "our_growth_commitment")
"""Our side of the same three attributes; a workbook without the last two has our willingness alone."""
ATTRIBUTES = ("willing to partner", "transparent", "growth")
"""The three attributes, in the order of :data:`THEIR_SIDE` and :data:`OUR_SIDE`."""
ATTRACTIVENESS_PARTS = {
    "revenue_potential": ("revenue_potential_3y", "percentile"),
    "growth_potential": ("growth_potential", "judgement"),
    "strategic_fit": ("strategic_fit", "judgement"),
    "gross_margin": ("gross_margin_pct", "percentile"),
}
STRENGTH_PARTS = {
    "buy_sell_position": ("buy_sell_position", "judgement"),
    "share_of_wallet": ("share_of_wallet_pct", "percent"),
    "transparency": ("transparency", "judgement"),
}
HISTORY_COLUMNS = ("growth_potential", "strategic_fit", "partner_willingness", "transparency", "our_willingness", "buy_sell_position")


def column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column as float64, all NaN when the frame lacks it.

    Example:
        >>> column(pd.DataFrame({"a": [1, 2]}), "b")
        array([nan, nan])
    """
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype="float64", na_value=np.nan)


def side_means(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Their side (mean of partner willingness, transparency, growth potential) and ours (the same three of our own), on 1-5.

    Example:
        >>> theirs, ours = side_means(load_workbook("data/sample").accounts)
        >>> theirs[:3]
        array([2.        , 3.        , 3.66666667])
    """
    theirs, _ = weighted_mean([column(frame, c) for c in THEIR_SIDE], [1.0] * len(THEIR_SIDE))
    ours, _ = weighted_mean([column(frame, c) for c in OUR_SIDE], [1.0] * len(OUR_SIDE))
    return theirs, ours


def attribute_text(row: pd.Series) -> str:
    """Both sides of the three attributes for one account: 'willing to partner 2 / 3, transparent 2 / –, growth 2 / –' (theirs / ours).

    >>> attribute_text(pd.Series({"partner_willingness": 4, "transparency": 3, "growth_potential": 5, "our_willingness": 4}))
    'willing to partner 4 / 4, transparent 3 / –, growth 5 / –'
    """
    def one(v: Any) -> str:
        return "–" if v is None or pd.isna(v) else f"{float(v):g}"

    return ", ".join(f"{name} {one(row.get(t))} / {one(row.get(o))}" for name, t, o in zip(ATTRIBUTES, THEIR_SIDE, OUR_SIDE, strict=True))


def partnership_codes(theirs: np.ndarray, ours: np.ndarray, willing_at: float) -> np.ndarray:
    """Index into :data:`PARTNERSHIP_KEYS` per account (unknown when either side is not assessed).

    Example:
        >>> codes = partnership_codes(np.array([4.0, 4.0, np.nan]), np.array([4.0, 2.0, 4.0]), 3.5)
        >>> [PARTNERSHIP_KEYS[c] for c in codes]
        ['mutual', 'we_hold_back', 'unknown']
    """
    they = theirs >= willing_at
    we = ours >= willing_at
    codes = np.where(they & we, 0, np.where(they, 1, np.where(we, 2, 3)))
    return np.where(np.isnan(theirs) | np.isnan(ours), 4, codes).astype("int8")


def _part(frame: pd.DataFrame, col: str, kind: str, cache: dict[str, np.ndarray]) -> np.ndarray:
    if kind == "percentile":
        if col not in cache:
            cache[col] = percentile(column(frame, col))
        return cache[col]
    if kind == "judgement":
        return judgement(column(frame, col))
    return np.clip(column(frame, col), 0, 100)


def matrix_axes(frame: pd.DataFrame, settings: dict[str, Any], cache: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Attractiveness and strength (0-100, NaN when none of their parts has data).

    ``cache`` holds percentiles already computed for the same portfolio, so the
    previous position (judgements from the history sheet) reuses them.

    Example:
        >>> wb = load_workbook("data/sample")
        >>> [a[:3].round(1) for a in matrix_axes(wb.accounts, wb.settings["classification"])]
        [array([44.6, 67.9, 70.8]), array([32.5, 47.5, 52.5])]
    """
    cache = {} if cache is None else cache
    m = settings["matrix"]
    a_parts = [_part(frame, col, kind, cache) for col, kind in ATTRACTIVENESS_PARTS.values()]
    s_parts = [_part(frame, col, kind, cache) for col, kind in STRENGTH_PARTS.values()]
    attract, _ = weighted_mean(a_parts, [float(m["attractiveness"].get(k, 0) or 0) for k in ATTRACTIVENESS_PARTS])
    strength, _ = weighted_mean(s_parts, [float(m["strength"].get(k, 0) or 0) for k in STRENGTH_PARTS])
    return attract, strength


def quadrant_codes(attract: np.ndarray, strength: np.ndarray, split: float) -> np.ndarray:
    """Index into :data:`QUADRANT_KEYS`: attractive first, then strong.

    >>> quadrant_codes(np.array([80.0, 80.0, 20.0, 20.0]), np.array([60.0, 10.0, 90.0, 5.0]), 50).tolist()
    [0, 1, 2, 3]
    """
    hi_a = attract >= split
    hi_s = strength >= split
    codes = np.where(hi_a, np.where(hi_s, 0, 1), np.where(hi_s, 2, 3))
    return np.where(np.isnan(attract) | np.isnan(strength), 4, codes).astype("int8")


def previous_judgements(accounts: pd.DataFrame, history: pd.DataFrame | None, as_of: pd.Timestamp | None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The accounts frame with judgements as at the latest earlier assessment.

    Returns ``(frame, has_previous, assessed_on)``. Only the judgement columns
    the history sheet holds are replaced; where the history row leaves one
    empty, today's value stays. ``assessed_on`` is NaT where there is none.

    Example:
        >>> from kamnb.workbook.banks import as_of
        >>> frame, has_previous, assessed_on = previous_judgements(wb.accounts, wb.history, as_of(wb.settings))
        >>> has_previous[:3]
        array([ True,  True,  True])
    """
    n = len(accounts)
    none = np.zeros(n, dtype=bool), np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if history is None or history.empty or "account_id" not in history.columns:
        return accounts, *none
    h = history[history["account_id"].isin(accounts.index)]
    if as_of is not None:
        h = h[h["assessed_on"] < as_of]
    if h.empty:
        return accounts, *none
    latest = h.sort_values(["account_id", "assessed_on"]).drop_duplicates("account_id", keep="last").set_index("account_id")
    prev = accounts.copy()
    rows = prev.index.get_indexer(latest.index)
    for col in HISTORY_COLUMNS:
        if col in latest.columns and col in prev.columns:
            old = latest[col].to_numpy(dtype="float64", na_value=np.nan)
            current = prev[col].to_numpy(dtype="float64", na_value=np.nan).copy()
            current[rows] = np.where(np.isnan(old), current[rows], old)
            prev[col] = current
    has = np.zeros(n, dtype=bool)
    has[rows] = True
    when = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    when[rows] = latest["assessed_on"].to_numpy(dtype="datetime64[ns]")
    return prev, has, when
