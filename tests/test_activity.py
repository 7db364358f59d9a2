"""The sales activity plan: from the growth target back to contacts per quarter, against the contacts planned."""
from __future__ import annotations

import pytest
from test_qualification import all_answers, book

from kamnb import activity as a
from kamnb.errors import WorkbookError
from kamnb.workbook import load_workbook

ACTIONS = (
    "action_id,account_id,category,action,due,status\n"
    "C1,A1,sell_service,Call,2026-11-20,open\n"
    "C2,A1,care_cultivate,Lunch,2026-12-01,in_progress\n"
    "C3,A1,consult_advise,Workshop,2026-12-01,open\n"      # not a sales contact
    "C4,A1,sell_service,Pitch,2027-02-01,done\n"            # done: no longer planned
    "C5,A1,sell_service,Old call,2026-06-01,open\n"         # overdue
    "C6,A1,sell_service,Someday,,open\n"                    # no date
)


def test_plan_works_back_from_the_growth_target(tmp_path):
    # potential 1.6M vs 1.0M today over 3 years: 200k a year; pipeline: O1 grow 100k all yes (90 %) -> 90k; gap 110k
    # typical win = mean of grow/new values (100k and 120k) = 110k -> 1 win; 1 / 0.35 / 0.5 / 0.4 -> 14.29 contacts
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 100000, "proposal", "2027-03-01"),
                                               ("O2", "A1", "new", 120000, "identified", "2027-06-01")],
                            all_answers("O1", "yes"), actions=ACTIONS))
    b = a.plan_basis(wb, "A1")
    assert b["target"] == pytest.approx(200000) and b["in_pipeline"] == pytest.approx(90000)
    assert b["gap"] == pytest.approx(110000) and b["wins"] == pytest.approx(1.0)
    p = a.activity_plan(wb, "A1")
    assert list(p["quarter"]) == ["2026 Q4", "2027 Q1", "2027 Q2", "2027 Q3"]
    assert list(p["wins_land_in"]) == ["2027 Q2", "2027 Q3", "2027 Q4", "2028 Q1"]
    assert p["wins"].sum() == pytest.approx(1.0)
    assert p["contacts"].sum() == pytest.approx(1 / 0.35 / 0.5 / 0.4)
    assert list(p["planned"]) == [2, 0, 0, 0]
    assert p.attrs["overdue_planned"] == 1 and p.attrs["undated_planned"] == 1
    notes = a.plan_notes(wb, "A1")
    assert any("overdue" in n for n in notes) and any("no due date" in n for n in notes)
    table = a.plan_table(wb, "A1")
    assert table.iloc[-1]["quarter"] == "Total" and table.iloc[-1]["contacts planned"] == "2"


def test_settings_target_wins_over_the_derived_one(tmp_path):
    wb = load_workbook(book(tmp_path / "b", [("O1", "A2", "grow", 50000, "proposal", "")], [],
                            settings="qualification:\n  activity:\n    growth_targets: {A2: 100000}\n    average_win: 25000\n"))
    assert a.growth_target(wb, "A2")["source"].startswith("set in settings")
    assert a.plan_basis(wb, "A2")["wins"] == pytest.approx(4.0)
    wb.settings["qualification"]["activity"]["growth_targets"] = {}
    assert a.growth_target(wb, "A2")["target"] == 0.0  # potential equals today's revenue: no growth to plan for


def test_bad_conversion_rate_is_named(tmp_path):
    folder = book(tmp_path / "b", [("O1", "A1", "grow", 1, "proposal", "")], [],
                  settings="qualification:\n  activity:\n    conversion: {proposal_to_win: 0}\n")
    with pytest.raises(WorkbookError, match="key qualification.activity.conversion.proposal_to_win: found '0', expected a number above 0 and at most 1"):
        load_workbook(folder)
    with pytest.raises(a.ActivitySettingsError, match="conversion.proposal_to_win: found 0"):
        a.activity_settings({"qualification": {"activity": {"conversion": {"proposal_to_win": 0}}}})
