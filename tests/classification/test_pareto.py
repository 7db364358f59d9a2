"""The Pareto split: who is in the 80 % core, ties, zeros, the curve."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamnb.classification.pareto import curve, pareto, pareto_summary


def test_core_is_the_fewest_accounts_reaching_the_share():
    revenue = pd.Series([100.0, 500.0, 60.0, 300.0, 40.0], index=list("ABCDE"))
    split = pareto(revenue)
    assert split.index[split["in_core"]].tolist() == ["B", "D"]
    assert split["rank"].tolist() == [3, 1, 4, 2, 5]
    assert split.loc["B", "share_pct"] == 50.0 and split.loc["D", "cum_share_pct"] == 80.0
    s = pareto_summary(revenue)
    assert (s.core_count, s.carried_pct, s.total) == (2, 80.0, 1000.0)
    assert s.sentence() == "2 of 5 accounts (40%) carry 80% of revenue (target share 80%)."


def test_ties_at_the_boundary_are_all_in_the_core():
    revenue = pd.Series([400.0, 300.0, 100.0, 100.0, 100.0], index=list("ABCDE"))
    assert pareto(revenue)["in_core"].all()
    assert pareto(revenue)["rank"].tolist() == [1, 2, 3, 3, 3]


def test_zero_negative_and_missing_values_are_never_core():
    profit = pd.Series([500.0, -200.0, 0.0, np.nan, 100.0], index=list("ABCDE"))
    split = pareto(profit)
    assert split.index[split["in_core"]].tolist() == ["A"]  # 500 of the positive 600 = 83 %
    assert pareto_summary(pd.Series([0.0, 0.0])).core_count == 0
    assert "no account has positive" in pareto_summary(pd.Series([0.0])).sentence().lower()


def test_other_share():
    revenue = pd.Series([50.0, 30.0, 20.0])
    assert pareto(revenue, share=50)["in_core"].tolist() == [True, False, False]


def test_curve_is_thinned_for_large_portfolios():
    c = curve(np.arange(1, 100_001, dtype=float), max_points=1000)
    assert len(c) <= 1001 and c["cumulative_pct"].iloc[-1] == 100.0 and c["accounts_pct"].is_monotonic_increasing
