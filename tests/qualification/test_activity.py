"""The sales activity plan: from the growth target back to contacts per quarter, against the contacts planned."""
from __future__ import annotations

import pytest

from kamnb.errors import WorkbookError
from kamnb.qualification import activity as a
from kamnb.workbook import load_workbook
from tests.qualification.test_qualification import all_answers, book

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
    assert b["gap"] == pytest.approx(110000) and b["wins"] == 1 and b["wins_exact"] == pytest.approx(1.0)
    p = a.activity_plan(wb, "A1")
    assert list(p["quarter"]) == ["2026 Q4", "2027 Q1", "2027 Q2", "2027 Q3"]
    assert list(p["wins_land_in"]) == ["2027 Q2", "2027 Q3", "2027 Q4", "2028 Q1"]
    # whole numbers worked back: 1 win / 0.35 -> 3 proposals / 0.5 -> 6 meetings / 0.4 -> 15 first contacts
    assert p["wins"].sum() == 1 and p["proposals"].sum() == 3 and p["meetings"].sum() == 6 and p["contacts"].sum() == 15
    assert list(p["contacts"]) == [4, 4, 4, 3]      # the rounding carried: the quarters add up to the total
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


def test_whole_numbers_add_up_and_no_minus_zero(tmp_path):
    assert a.spread(9, 4) == [3, 2, 2, 2] and sum(a.spread(11, 4)) == 11 and a.spread(0, 4) == [0, 0, 0, 0]
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 30000, "proposal", "2027-03-01")], [],
                            actions=ACTIONS))
    table = a.plan_table(wb, "A1")
    body, total = table.iloc[:-1], table.iloc[-1]
    for col in ("wins", "proposals", "meetings", "first contacts", "retention", "contacts needed", "contacts planned"):
        assert all(str(v).isdigit() for v in table[col]), col          # whole numbers, never "-0" or "0.4"
        assert sum(int(v) for v in body[col]) == int(total[col]), col
    short = [0 if v == "covered" else int(v) for v in table["short by"]]
    assert sum(short[:-1]) == short[-1]


def test_planned_contacts_beyond_a_quarter_carry_into_the_next(tmp_path):
    actions = "action_id,account_id,category,action,due,status\n" + "".join(
        f"C{i},A1,sell_service,Call,2026-11-{10 + i},open\n" for i in range(8))
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 100000, "proposal", "2027-03-01")], [], actions=actions))
    p = a.activity_plan(wb, "A1")
    assert list(p["planned"]) == [8, 0, 0, 0]
    assert p["shortfall"].sum() == max(0, p["needed"].sum() - 8)
    assert p["shortfall"].iloc[0] == max(0, p["needed"].iloc[0] - 8)


def test_conversion_from_the_account_then_the_portfolio_then_the_settings(tmp_path):
    closed = [("W1", "A1", "grow", 50000, "won", "2026-03-01"), ("W2", "A1", "new", 50000, "won", "2026-05-01"),
              ("L1", "A1", "grow", 50000, "lost", "2026-06-01")]
    wb = load_workbook(book(tmp_path / "b", closed + [("O1", "A1", "grow", 100000, "proposal", "2027-03-01")], []))
    c = a.conversion_rates(wb, "A1")
    assert c["rates"]["proposal_to_win"] == pytest.approx(2 / 3)
    assert c["sources"]["proposal_to_win"] == "the account's own history: 2 won of 3 closed grow/new deals"
    assert c["sources"]["contact_to_meeting"].startswith("settings.yaml")
    # A2 has no history of its own; the portfolio's three closed deals are below portfolio_history_min (5): settings
    assert a.conversion_rates(wb, "A2")["rates"]["proposal_to_win"] == 0.35
    lower = load_workbook(book(tmp_path / "c", closed, [], settings="qualification:\n  activity:\n    portfolio_history_min: 3\n"))
    assert a.conversion_rates(lower, "A2")["sources"]["proposal_to_win"] == "the portfolio's history: 2 won of 3 closed grow/new deals"
    rows = a.basis_table(wb, "A1").set_index("step")
    assert rows.loc["Proposal -> win", "figure"] == "67%" and "own history" in rows.loc["Proposal -> win", "how"]


def test_qualified_out_and_lost_deals_are_not_a_typical_win(tmp_path):
    out = [("O9", "budget", "no", "Budget cut for 2027", "2026-09-01")]
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 100000, "proposal", "2027-03-01"),
                                               ("O9", "A1", "new", 900000, "proposal", "2027-03-01"),
                                               ("L1", "A1", "grow", 500000, "lost", "2026-03-01")], out))
    b = a.plan_basis(wb, "A1")
    assert b["average_win"] == 100000
    assert b["average_win_source"] == "mean of the account's 1 open or won grow/new opportunities (1 qualified out and 1 lost left out)"


def test_a_renewal_gets_retention_activities_before_it_closes(tmp_path):
    wb = load_workbook(book(tmp_path / "b", [("R1", "A1", "retain", 800000, "negotiation", "2027-06-30"),
                                               ("R2", "A1", "retain", 100000, "negotiation", "2026-12-15"),
                                               ("R3", "A1", "retain", 100000, "won", "2026-12-15")], []))
    r = a.retention_activities(wb, "A1")
    got = {(o, act, f"{q.year} Q{q.quarter}") for o, act, q in zip(r["opportunity_id"], r["activity"], r["quarter"], strict=True)}
    assert got == {("R1", "service review with the customer", "2026 Q4"), ("R1", "executive sponsor meeting", "2027 Q1"),
                   ("R1", "renewal proposal", "2027 Q1"),
                   # R2 closes this quarter: its activities cannot be earlier than the plan's first quarter
                   ("R2", "service review with the customer", "2026 Q4"), ("R2", "executive sponsor meeting", "2026 Q4"),
                   ("R2", "renewal proposal", "2026 Q4")}
    p = a.activity_plan(wb, "A1")
    assert list(p["retention"]) == [4, 2, 0, 0] and (p["needed"] >= p["retention"]).all()
    assert any(n.startswith("Retention for renewal R1 Deal R1 (closes 2027-06-30): service review with the customer in 2026 Q4")
               for n in a.plan_notes(wb, "A1"))
