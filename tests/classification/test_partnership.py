"""Partnership labels, matrix axes and quadrants, previous position from history."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamnb.classification.partnership import matrix_axes, partnership_codes, previous_judgements, quadrant_codes, side_means
from kamnb.workbook import banks


def test_side_means_and_labels():
    acc = pd.DataFrame({"partner_willingness": [5.0, 1.0, np.nan], "transparency": [4.0, 1.0, np.nan],
                        "growth_potential": [3.0, 4.0, np.nan], "our_willingness": [2.0, 5.0, 3.0]})
    theirs, ours = side_means(acc)
    assert theirs[:2].tolist() == [4.0, 2.0] and np.isnan(theirs[2])
    assert partnership_codes(theirs, ours, 3.5).tolist() == [1, 2, 4]


def test_matrix_axes_and_quadrants():
    cfg = banks.load_settings()["classification"]
    acc = pd.DataFrame({"buy_sell_position": [5.0, 1.0], "share_of_wallet_pct": [80.0, 0.0], "transparency": [5.0, 1.0],
                        "growth_potential": [5.0, 1.0], "strategic_fit": [5.0, 1.0]})
    attract, strength = matrix_axes(acc, cfg)
    assert attract.tolist() == [100.0, 0.0]  # potential and margin empty: judgements only
    assert strength[0] == (100 * 2 + 80 + 100) / 4 and strength[1] == 0.0
    assert quadrant_codes(attract, strength, 50).tolist() == [0, 3]
    assert quadrant_codes(np.array([np.nan]), np.array([1.0]), 50).tolist() == [4]


def test_previous_judgements_take_the_latest_earlier_row():
    acc = pd.DataFrame({"strategic_fit": [5.0, 4.0], "growth_potential": [5.0, 4.0]}, index=["A", "B"])
    hist = pd.DataFrame({"account_id": ["A", "A", "A"], "assessed_on": pd.to_datetime(["2024-01-01", "2025-01-01", "2027-01-01"]),
                         "strategic_fit": [1.0, 2.0, 3.0], "growth_potential": [np.nan, np.nan, 1.0]})
    prev, has, when = previous_judgements(acc, hist, pd.Timestamp("2026-11-01"))
    assert prev.loc["A", "strategic_fit"] == 2.0 and prev.loc["A", "growth_potential"] == 5.0  # empty keeps today's
    assert has.tolist() == [True, False] and pd.Timestamp(when[0]) == pd.Timestamp("2025-01-01")
    assert acc.loc["A", "strategic_fit"] == 5.0  # input untouched


def test_partnership_scored_on_both_sides_of_all_three_attributes():
    import pandas as pd

    from kamnb.classification.partnership import attribute_text, side_means
    from kamnb.classification.score import classify

    acc = pd.DataFrame({
        "name": ["Both", "Ours only willing", "Old workbook"],
        "revenue_12m": [100.0, 100.0, 100.0],
        "partner_willingness": [4.0, 4.0, 4.0], "transparency": [4.0, 4.0, 4.0], "growth_potential": [4.0, 4.0, 4.0],
        "our_willingness": [5.0, 5.0, 5.0], "our_transparency": [2.0, None, None], "our_growth_commitment": [2.0, None, None],
    }, index=["A", "B", "C"])
    theirs, ours = side_means(acc)
    assert theirs.tolist() == [4.0, 4.0, 4.0]
    assert ours.tolist() == [3.0, 5.0, 5.0]           # we say we are willing, but keep our plans closed and hold back growth
    res = classify(acc)
    assert res.loc["A", "partnership"] == "they are ready, we hold back"
    assert res.loc["B", "partnership"] == "mutual partnership"
    assert attribute_text(acc.loc["A"]) == "willing to partner 4 / 5, transparent 4 / 2, growth 4 / 2"
    old = acc.drop(columns=["our_transparency", "our_growth_commitment"])
    assert side_means(old)[1].tolist() == [5.0, 5.0, 5.0]   # a workbook without our side keeps working
