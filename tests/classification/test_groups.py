"""Parent/subsidiary roll-up."""
from __future__ import annotations

import pandas as pd
import pytest

from kamnb.classification.groups import GroupCycleError, group_ids, roll_up


def accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Holding", "Sub", "Sub-sub", "Alone"],
            "parent_id": ["", "H", "S", ""],
            "revenue_12m": [100.0, 300.0, 0.0, 50.0],
            "gross_margin_pct": [10.0, 30.0, None, 20.0],
            "strategic_fit": [5.0, 1.0, 3.0, 2.0],
            "team_effort_days": [10.0, None, 5.0, 1.0],
        },
        index=["H", "S", "SS", "A"],
    )


def test_group_of_top_most_parent():
    assert group_ids(accounts()).tolist() == ["H", "H", "H", "A"]


def test_roll_up_adds_money_and_weights_judgements_by_revenue():
    g = roll_up(accounts())
    assert g.index.tolist() == ["H", "A"]
    h = g.loc["H"]
    assert h["members"] == 3 and h["member_ids"] == "H, S, SS" and h["name"] == "Holding"
    assert h["revenue_12m"] == 400.0 and h["team_effort_days"] == 15.0
    assert h["gross_margin_pct"] == pytest.approx((10 + 90) / 400 * 100)
    assert h["strategic_fit"] == pytest.approx((5 * 100 + 1 * 300) / 400)
    assert g.loc["A", "member_ids"] == ""


def test_cycle_in_a_bare_frame_is_reported():
    acc = pd.DataFrame({"name": ["x", "y"], "parent_id": ["Y", "X"], "revenue_12m": [1.0, 2.0]}, index=["X", "Y"])
    with pytest.raises(GroupCycleError, match="cycle"):
        group_ids(acc)
