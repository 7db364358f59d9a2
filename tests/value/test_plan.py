"""Account goal rules and the action plan: what a reviewer sees for known inputs."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import write_mini

from kamnb.value import plan
from kamnb.workbook import load_workbook

ACTIONS = (
    "action_id,account_id,category,action,owner,due,status\n"
    "AC1,A1,care_cultivate,Quarterly review with the COO,Jana Weber,2026-12-15,open\n"
    "AC2,A1,sell_service,Send the renewal scope,Jana Weber,2026-10-01,open\n"
    "AC3,A1,sell_service,Fix the invoice dispute,,2026-09-01,in_progress\n"
    "AC4,A1,consult_advise,Benchmark their cross-dock costs,Tom Berg,2026-08-01,done\n"
    "AC5,A1,consult_advise,Share the automation study,Tom Berg,,open\n"
    "AC6,A2,care_cultivate,Call the CFO without selling,Tom Berg,2026-10-31,open\n"
    "AC7,A2,care_cultivate,Old idea,Tom Berg,2026-01-01,dropped\n"
)


def book(tmp_path: Path, goals: dict[str, str] | None = None) -> Path:
    folder = write_mini(tmp_path / "book")
    (folder / "actions.csv").write_text(ACTIONS, encoding="utf-8")
    if goals:
        acc = pd.read_csv(folder / "accounts.csv", dtype=str)
        acc["account_goal"] = acc["account_id"].map(goals).fillna("")
        acc.to_csv(folder / "accounts.csv", index=False)
    return folder


GOOD = [
    "Be seen by Alpha's operations board as the partner that gave them faster answers and better results",
    "Cut Alpha Freight's cross-dock time by 20 % by 2028",
    "Bring their claim settlement time from 21 to 12 days by the end of 2027",
]
POOR = [
    ("Sell the new online platform to Alpha and renew our contract", {"result_named", "not_our_sale"}),
    ("Grow our revenue with Alpha Freight to 2M by 2028", {"not_our_sale"}),
    ("Replace the paper and disc system with our new online system", {"customer_named", "result_named"}),
]


@pytest.mark.parametrize("goal", GOOD)
def test_goals_from_the_customers_side_pass(goal):
    check = plan.check_goal(goal, "Alpha Freight")
    assert check.ok, repr(check)
    assert check.issues == ""


@pytest.mark.parametrize("goal, failed", POOR)
def test_goals_about_our_sale_or_without_a_customer_result_fail(goal, failed):
    check = plan.check_goal(goal, "Alpha Freight")
    assert not check.ok
    assert {r.rule for r in check.rules if r.required and not r.passed} == failed


def test_sale_words_are_quoted_back_to_the_writer():
    check = plan.check_goal("Win the renewal and upsell analytics to Alpha", "Alpha Freight")
    hint = next(r.hint for r in check.rules if r.rule == "not_our_sale")
    assert "'renewal'" in hint and "'upsell'" in hint and "'win the'" in hint


def test_missing_goal_and_custom_word_lists(tmp_path):
    wb = load_workbook(book(tmp_path, {"A1": "Cut Alpha's dwell time by 2027"}))
    assert plan.goal_check(wb, "A1").ok
    empty = plan.goal_check(wb, "A2")
    assert not empty.ok and empty.issues == "no goal written"
    assert "No account goal written yet" in empty._repr_html_()
    strict = plan.check_goal("Cut Alpha's dwell time by 2027", "Alpha Freight", {"plan": {"goal_words": {"sale": ["dwell"]}}})
    assert not strict.ok


def test_goal_display_puts_the_goal_and_verdict_first(tmp_path):
    wb = load_workbook(book(tmp_path, {"A1": "Sell 3 more modules to Alpha in 2027"}))
    html = plan.goal_check(wb, "A1")._repr_html_()
    assert "Needs rework" in html
    assert html.index("Sell 3 more modules") < html.index("Speaks of their result")


def test_action_plan_groups_and_marks_overdue(tmp_path):
    ap = plan.action_plan(load_workbook(book(tmp_path)), "A1")
    t = ap.table[ap.table["source"] == "workbook"]
    assert ap.as_of == pd.Timestamp("2026-11-01")
    # grouped consult & advise, care & cultivate, sell & service; open before closed, then by due date
    assert t["action_id"].tolist() == ["AC5", "AC4", "AC1", "AC3", "AC2"]
    assert t.loc[t["overdue"], "action_id"].tolist() == ["AC3", "AC2"]
    assert t.set_index("action_id").loc[["AC3", "AC2"], "days_overdue"].tolist() == [61, 31]
    html = ap._repr_html_()
    assert html.count('<tr class="overdue"') == 2
    assert "in progress – 61 days overdue" in html
    assert html.index("Consult &amp; advise") < html.index("Care &amp; cultivate") < html.index("Sell &amp; service")
    assert "1 open action(s) have no owner" in " ".join(ap.notes)


def test_action_plan_takes_red_flags_and_qualification_gaps(tmp_path):
    from kamnb.qualification.gaps import weakest_questions
    from kamnb.relationships.redflags import RED_FLAGS, red_flags

    wb = load_workbook(book(tmp_path))
    flags = red_flags(wb, "A1")
    gaps = weakest_questions(wb, "A1")
    ap = plan.action_plan(wb, "A1")
    derived = ap.table[ap.table["source"] != "workbook"].set_index("action_id")
    from_flags = derived[derived.index.str.startswith("RF-")]
    from_gaps = derived[derived.index.str.startswith("QG-")]
    assert len(from_flags) == len(flags) > 0
    assert set(from_flags["action"]) == {f"Act on red flag '{RED_FLAGS[f.flag].title}': {f.detail}" for f in flags.itertuples()}
    assert len(from_gaps) == min(len(gaps), int(wb.settings["plan"]["max_gap_actions"])) > 0
    assert from_gaps["action"].str.startswith("Close the qualification gap: ").all()
    assert (from_gaps["category"] == "sell_service").all()
    assert set(derived["owner"]) == {"Jana Weber"}  # the account manager
    due_after = {"high": 14, "medium": 30, "low": 60}
    for _, f in flags.iterrows():
        row = from_flags[from_flags["action"].str.startswith(f"Act on red flag '{RED_FLAGS[f['flag']].title}': {f['detail']}")].iloc[0]
        assert (row["due"] - pd.Timestamp("2026-11-01")).days == due_after[f["severity"]]


def test_portfolio_columns_count_overdue_per_account(tmp_path):
    wb = load_workbook(book(tmp_path, {"A1": "Cut Alpha's dwell time by 10 % by 2027", "A2": "Sell more to Beta"}))
    cols = plan.portfolio_columns(wb)
    assert cols["overdue_actions"].to_dict() == {"A1": 2, "A2": 1}
    assert cols["open_actions"].to_dict() == {"A1": 4, "A2": 1}
    assert cols["goal_ok"].to_dict() == {"A1": True, "A2": False}
    assert "not our sale" in cols.loc["A2", "goal_issues"]


def test_sample_moment_of_truth_account(sample_copy):
    """The sample's time-and-material account: 40 people asked for a 10 % cut."""
    from kamnb.value import pressure

    wb = load_workbook(sample_copy)
    tm = wb.value[(wb.value["pricing_model"] == "time_material") & (wb.value["team_size"] == 40)]
    assert len(tm) == 1
    account = tm["account_id"].iloc[0]
    pp = pressure.price_pressure(wb, account)
    assert pp.table.loc["productivity", "people"] == 38.0
    t = pp.table
    assert pp.cheapest_for_customer == [t["customer_cost"].drop("today").idxmin()]
    assert pp.best_for_margin == [t["our_margin"].drop("today").idxmax()]
    poor = [a for a in wb.accounts.index if wb.accounts.loc[a, "account_goal"] and not plan.goal_check(wb, a).ok]
    assert len(poor) >= 2
    assert plan.portfolio_columns(wb)["overdue_actions"].sum() > 0
