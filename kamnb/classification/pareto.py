"""The Pareto split: which few accounts carry most of the revenue (or of the gross profit).

The *core* is the smallest set of the largest accounts whose values add up to
at least the chosen share (80 % by default) of the total. Accounts tied with
the smallest core account are in the core too, so equal accounts are never
split. Accounts with zero or negative values are never in the core; the total
is the sum of the positive values (loss-making accounts do not shrink it).

Example:
    >>> import pandas as pd
    >>> revenue = pd.Series([500.0, 300.0, 100.0, 60.0, 40.0], index=list("ABCDE"))
    >>> split = pareto(revenue)
    >>> split["in_core"].tolist()
    [True, True, False, False, False]
    >>> summary = pareto_summary(revenue)
    >>> summary.core_count, summary.carried_pct
    (2, 80.0)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamnb.common.ranking import ascending_order, fill_nan, rank_max


@dataclass(frozen=True)
class ParetoSummary:
    """The headline of a Pareto split, in numbers a person reads.

    Example:
        >>> s = pareto_summary(load_workbook("data/sample").accounts["revenue_12m"])
        >>> s.core_count
        10
    """

    accounts: int
    core_count: int
    core_pct_of_accounts: float
    carried_pct: float
    total: float
    share: float

    def sentence(self, measure: str = "revenue") -> str:
        """One line such as '6 of 30 accounts (20%) carry 81% of revenue.'"""
        if self.core_count == 0:
            return f"No account has positive {measure}; there is no Pareto split."
        return (
            f"{self.core_count} of {self.accounts} accounts ({self.core_pct_of_accounts:.0f}%) "
            f"carry {self.carried_pct:.0f}% of {measure} (target share {self.share:g}%)."
        )


def split_arrays(values: np.ndarray, share: float, order: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The split as arrays (value, rank, share_pct, cum_share_pct, in_core); ``order`` reuses an ascending sort.

    Example:
        >>> split_arrays(np.array([20.0, 50.0, 30.0]), 80.0)["rank"].tolist()
        [3.0, 1.0, 2.0]
    """
    v = fill_nan(np.asarray(values, dtype="float64"), 0.0)
    n = len(v)
    if order is None:
        order = ascending_order(v)
    desc = order[::-1]
    d = v[desc]
    positive = np.where(d > 0, d, 0.0)
    total = float(positive.sum())
    cum = np.cumsum(positive)
    cum_pct = np.empty(n)
    in_core = np.zeros(n, dtype=bool)
    if total > 0:
        cum_pct[desc] = cum * (100.0 / total)
        k = int(np.searchsorted(cum, total * share / 100.0 * (1 - 1e-12), side="left"))
        threshold = d[min(k, n - 1)]
        in_core = (v >= threshold) & (v > 0)
    else:
        cum_pct[:] = 0.0
    # competition rank, largest first: 1 + number of accounts with a strictly larger value
    rank = n - rank_max(v, order)[0] + 1 if n else np.zeros(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_pct = np.where(total > 0, np.where(v > 0, v, 0.0) * (100.0 / (total or 1.0)), 0.0)
    return {"value": v, "rank": rank, "share_pct": share_pct, "cum_share_pct": cum_pct, "in_core": in_core}


def pareto(values: pd.Series, share: float = 80.0) -> pd.DataFrame:
    """Per account: value, rank (1 = largest, ties share a rank), share and cumulative share in %, in_core.

    The frame keeps the order and index of ``values``.

    Example:
        >>> p = pareto(pd.Series([50.0, 30.0, 20.0], index=["A", "B", "C"]))
        >>> p["in_core"].tolist()
        [True, True, False]
    """
    a = split_arrays(values.to_numpy(dtype="float64", na_value=np.nan), share)
    out = pd.DataFrame(a, index=values.index)
    out["rank"] = out["rank"].astype("int64")
    return out


def pareto_summary(values: pd.Series, share: float = 80.0) -> ParetoSummary:
    """How many accounts form the core and what share of the total they carry.

    Example:
        >>> s = pareto_summary(pd.Series([50.0, 30.0, 20.0]))
        >>> s.core_count, s.carried_pct
        (2, 80.0)
    """
    a = split_arrays(values.to_numpy(dtype="float64", na_value=np.nan), share)
    return summarise(a["value"], a["in_core"], share)


def summarise(values: np.ndarray, in_core: np.ndarray, share: float) -> ParetoSummary:
    """A :class:`ParetoSummary` from values and core flags computed elsewhere.

    Example:
        >>> summarise(np.array([50.0, 30.0, 20.0]), np.array([True, True, False]), 80.0).carried_pct
        80.0
    """
    positive = np.where(values > 0, values, 0.0)
    total = float(positive.sum())
    core = int(in_core.sum())
    n = len(values)
    carried = float(positive[in_core].sum()) * 100.0 / total if total > 0 else 0.0
    return ParetoSummary(n, core, core * 100.0 / n if n else 0.0, round(carried, 6), total, share)


def curve(values: pd.Series | np.ndarray, max_points: int = 2000) -> pd.DataFrame:
    """The cumulative curve for a chart: % of accounts (largest first) against % of the total.

    Long portfolios are thinned to about ``max_points`` points (the first
    points are kept, where the curve bends most). Starts at (0, 0).

    >>> curve(pd.Series([3.0, 1.0])).round(1).values.tolist()
    [[0.0, 0.0], [50.0, 75.0], [100.0, 100.0]]
    """
    v = fill_nan(np.asarray(values, dtype="float64"), 0.0)
    v = np.where(v > 0, v, 0.0)
    n = len(v)
    d = np.sort(v)[::-1]
    total = d.sum()
    cum = np.cumsum(d) * (100.0 / total) if total > 0 else np.zeros(n)
    x = np.arange(1, n + 1) * (100.0 / n) if n else np.zeros(0)
    if n > max_points:
        head = np.arange(min(n, max_points // 2))
        tail = np.unique(np.linspace(max_points // 2, n - 1, max_points // 2).astype(int))
        keep = np.concatenate([head, tail])
        x, cum = x[keep], cum[keep]
    return pd.DataFrame({"accounts_pct": np.r_[0.0, x], "cumulative_pct": np.r_[0.0, cum]})
