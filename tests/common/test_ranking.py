"""Percentiles with ties, judgement scales and weighted means that skip missing parts."""
from __future__ import annotations

import numpy as np

from kamnb.common.ranking import judgement, percentile, rank_max, weighted_mean


def test_percentile_ties_share_the_highest_rank():
    assert percentile(np.array([10.0, 10.0, 5.0, 20.0])).tolist() == [75.0, 75.0, 25.0, 100.0]


def test_percentile_nan_is_not_counted():
    out = percentile(np.array([1.0, np.nan, 3.0]))
    assert out[0] == 50.0 and np.isnan(out[1]) and out[2] == 100.0
    assert np.isnan(percentile(np.array([np.nan, np.nan]))).all()


def test_rank_max_matches_pandas():
    x = np.random.default_rng(1).integers(0, 50, 2000).astype(float)
    import pandas as pd

    assert np.array_equal(rank_max(x)[0], pd.Series(x).rank(method="max").to_numpy())


def test_judgement_scale():
    assert judgement(np.array([1.0, 2.0, 5.0])).tolist() == [0.0, 25.0, 100.0]


def test_weighted_mean_skips_missing_and_zero_weights():
    m, used = weighted_mean([np.array([100.0, np.nan, np.nan]), np.array([50.0, 50.0, np.nan]), np.array([0.0, 0.0, 0.0])], [1, 1, 0])
    assert m[:2].tolist() == [75.0, 50.0] and np.isnan(m[2]) and used.tolist() == [2.0, 1.0, 0.0]
