"""Vectorised building blocks for portfolio scores: percentile ranks, 1-5 scales, weighted means.

Every function takes and returns NumPy arrays (or pandas objects) for a whole
portfolio at once; none loops over accounts in Python. They are shared by the
classification, the Pareto split and the portfolio matrix.

Example:
    >>> import numpy as np
    >>> percentile(np.array([10.0, 30.0, 20.0, 0.0])).tolist()
    [50.0, 100.0, 75.0, 0.0]
    >>> judgement(np.array([1.0, 3.0, 5.0, np.nan])).tolist()
    [0.0, 50.0, 100.0, nan]
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def fill_nan(values: np.ndarray, value: float = 0.0) -> np.ndarray:
    """``values`` as float64 with NaN replaced by ``value`` (infinities kept; faster than ``np.nan_to_num``).

    Example:
        >>> fill_nan(np.array([1.0, np.nan])).tolist()
        [1.0, 0.0]
    """
    values = np.asarray(values, dtype="float64")
    return np.where(np.isnan(values), value, values)


def ascending_order(values: np.ndarray) -> np.ndarray:
    """Positions that sort ``values`` from small to large, NaN last.

    Example:
        >>> ascending_order(np.array([3.0, np.nan, 1.0])).tolist()
        [2, 0, 1]
    """
    return np.argsort(values, kind="quicksort")


def rank_max(values: np.ndarray, order: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """For each value, how many values are less than or equal to it; and how many values there are.

    NaN gets NaN and is not counted. Ties share the highest rank of their
    group, so two equal accounts always get the same percentile.

    >>> rank_max(np.array([5.0, 1.0, 5.0, np.nan]))[0].tolist()
    [3.0, 1.0, 3.0, nan]
    """
    values = np.asarray(values, dtype="float64")
    n_all = len(values)
    out = np.full(n_all, np.nan)
    if order is None:
        order = ascending_order(values)
    n = int(n_all - np.isnan(values).sum())
    if n == 0:
        return out, 0
    order = order[:n]  # NaN sort last
    sorted_values = values[order]
    last_of_group = np.empty(n, dtype=bool)
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=last_of_group[:-1])
    last_of_group[-1] = True
    ends = np.flatnonzero(last_of_group)
    group = np.cumsum(last_of_group) - last_of_group  # group number of each sorted position
    out[order] = ends[group] + 1.0
    return out, n


def percentile(values: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Share of accounts (0-100) with a value at or below this one; 0 for zero or negative values.

    A single account is at 100; NaN stays NaN.

    >>> percentile(np.array([7.0])).tolist()
    [100.0]
    """
    values = np.asarray(values, dtype="float64")
    ranks, n = rank_max(values, order)
    if n == 0:
        return ranks
    pct = ranks * (100.0 / n)
    pct[values <= 0] = 0.0
    return pct


def judgement(scores: np.ndarray, low: float = 1.0, high: float = 5.0) -> np.ndarray:
    """A team judgement on a ``low``..``high`` scale mapped to 0-100 (1 is 0, 3 is 50, 5 is 100).

    Example:
        >>> judgement(np.array([1.0, 3.0, 5.0, np.nan]))
        array([  0.,  50., 100.,  nan])
    """
    scores = np.asarray(scores, dtype="float64")
    return (scores - low) * (100.0 / (high - low))


def weighted_mean(parts: Sequence[np.ndarray], weights: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of score arrays, skipping NaN per account; also the weight that was used.

    Returns ``(mean, used_weight)``; the mean is NaN where no part had a value.

    >>> m, w = weighted_mean([np.array([100.0, np.nan]), np.array([0.0, 40.0])], [3, 1])
    >>> m.tolist(), w.tolist()
    ([75.0, 40.0], [4.0, 1.0])
    """
    if not parts:
        raise ValueError("weighted_mean needs at least one part")
    live = [(p, float(w)) for p, w in zip(parts, weights, strict=False) if w != 0]
    n = len(parts[0])
    if len(live) == 1:  # one part: its own values, no arithmetic
        part, weight = live[0]
        has = ~np.isnan(part)
        return part.astype("float64", copy=True), np.where(has, weight, 0.0)
    total = np.zeros(n)
    used = np.zeros(n)
    for part, weight in live:
        has = ~np.isnan(part)
        np.add(total, part * weight, out=total, where=has)
        np.add(used, weight, out=used, where=has)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / used
    return mean, used
