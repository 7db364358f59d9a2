"""The room's consensus: each rater's latest entry counts, the last click does not win, evidence stays with its answer."""
from __future__ import annotations

import pytest

from kamnb import qualification
from kamnb import relationships as relationships_step
from kamnb.qualification import score as q
from kamnb.relationships import score as rs
from kamnb.workbook import load_workbook
from tests.qualification.test_qualification import book

OPP = [("O1", "A1", "grow", 100000, "proposal", "2027-03-01")]


def qbook(tmp_path, rows: list[tuple]):
    """rows: (question, answer, evidence, date, rater)."""
    folder = book(tmp_path / "b", OPP, [])
    lines = ["opportunity_id,question_id,answer,evidence,assessed_on,assessed_by"]
    lines += [",".join(("O1", *r)) for r in rows]
    (folder / "qualification.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_workbook(folder)


def answer(wb, question="budget"):
    cur = q.current_answers(wb).set_index("question_id")
    return cur.loc[question]


def test_a_majority_holds_against_the_last_click(tmp_path):
    wb = qbook(tmp_path, [("budget", "yes", "Budget line seen", "2026-09-01", "Ann"),
                          ("budget", "yes", "CFO confirmed", "2026-09-02", "Bo"),
                          ("budget", "no", "", "2026-09-03", "Cy")])          # answered last, alone
    row = answer(wb)
    assert row["answer"] == "yes" and row["raters"] == 3 and row["given"] == "2 yes, 1 no"
    assert row["evidence"] == "CFO confirmed"                                # the latest evidence given with a yes
    assert row["spread"] == 1.0


def test_without_a_majority_the_most_cautious_answer_counts(tmp_path):
    wb = qbook(tmp_path, [("budget", "yes", "Budget line seen", "2026-09-01", "Ann"),
                          ("budget", "partly", "Half approved", "2026-09-02", "Bo"),
                          ("budget", "unknown", "", "2026-09-03", "Cy")])
    row = answer(wb)
    assert row["answer"] == "unknown" and row["evidence"] == "" and row["given"] == "1 yes, 1 partly, 1 unknown"
    two = qbook(tmp_path / "two", [("budget", "yes", "Seen", "2026-09-01", "Ann"), ("budget", "no", "Cut", "2026-09-02", "Bo")])
    assert answer(two)["answer"] == "no" and answer(two)["evidence"] == "Cut"   # one each: no strict majority


def test_only_each_raters_latest_entry_counts_and_evidence_belongs_to_its_answer(tmp_path):
    wb = qbook(tmp_path, [("would_we_win", "yes", "Team vote 5 of 5 yes", "2026-08-01", "Ann"),
                          ("would_we_win", "no", "", "2026-09-20", "Ann")])      # Ann changed her mind
    row = answer(wb, "would_we_win")
    assert row["answer"] == "no" and row["evidence"] == "" and row["raters"] == 1
    assert not row["has_evidence"]       # "Team vote 5 of 5 yes" does not stand beside a "no"


def test_the_likelihood_rests_on_the_room_not_on_who_answered_last(tmp_path):
    votes = [("budget", "yes", "Seen", "2026-09-01", "Ann"), ("budget", "yes", "Seen", "2026-09-01", "Bo")]
    before = q.score_opportunities(qbook(tmp_path / "a", votes)).loc["O1", "likelihood"]
    after = q.score_opportunities(qbook(tmp_path / "b", [*votes, ("budget", "no", "", "2026-09-05", "Cy")])).loc["O1", "likelihood"]
    assert after == pytest.approx(before)


def test_the_spread_shows_in_the_review_and_the_portfolio(tmp_path):
    wb = qbook(tmp_path, [("budget", "yes", "Seen", "2026-09-01", "Ann"), ("budget", "no", "Cut", "2026-09-02", "Bo"),
                          ("preference", "yes", "Said so", "2026-09-01", "Ann"), ("preference", "yes", "Said so", "2026-09-02", "Bo")])
    table = q.opportunity_table(wb, "A1")
    assert table.loc[0, "raters split on"] == "budget (1 yes, 1 no)"
    explained = q.explanation_table(wb, "O1").set_index("step")
    assert explained.loc["Is there a realistic budget?", "room"] == "1 yes, 1 no"
    cols = qualification.portfolio_columns(wb)
    assert cols.loc["A1", "answers_split"] == 1 and cols.loc["A1", "answer_spread_max"] == 1.0
    assert cols.loc["A2", "answers_split"] == 0


def test_one_rater_per_answer_keeps_the_tables_as_they_were(tmp_path):
    wb = qbook(tmp_path, [("budget", "yes", "Seen", "2026-09-01", "Ann")])
    assert "raters split on" not in q.opportunity_table(wb, "A1").columns
    assert "room" not in q.explanation_table(wb, "O1").columns


def test_relationship_indicators_take_the_median_of_each_raters_latest_score(tmp_path):
    from tests.relationships.test_relationships import build, diamond

    ev = [("A1", "trusted_advisor", 5, "Asked us first", "2026-09-01"), ("A1", "trusted_advisor", 2, "Went to a rival", "2026-09-02"),
          ("A1", "trusted_advisor", 4, "Called us in", "2026-09-03")]
    wb = build(tmp_path / "r", diamond(3), ev)
    rel = wb.relationship.copy()
    rel["assessed_by"] = ["Ann", "Bo", "Cy"]
    wb.sheets["relationship"] = rel
    row = rs.score_breakdown(wb, "A1").loc["trusted_advisor"]
    assert row["score"] == 4 and row["evidence"] == "Called us in" and row["raters"] == 3
    assert row["spread"] == 3 and row["given"] == "scores 2, 4, 5"
    cols = relationships_step.portfolio_columns(wb)
    assert cols.loc["A1", "indicators_split"] == 1 and cols.loc["A1", "score_spread_max"] == 3


def test_the_workshop_rule_is_the_methods_rule():
    # the workshop shows consensus live with the same function the scores use
    assert q.consensus(["yes", "yes", "no"], "answer")[0] == "yes"
    assert q.consensus(["yes", "partly", "unknown"], "answer")[0] == "unknown"
    assert q.consensus([2, 4, 5])[0] == 4.0 and q.consensus([2, 3, 4, 5])[0] == 3.0


def test_an_old_assessment_by_someone_else_does_not_outvote_the_latest_room(tmp_path):
    wb = qbook(tmp_path, [("budget", "no", "Budget frozen", "2026-03-01", "Ann"),        # last spring's review
                          ("budget", "yes", "Budget line approved", "2026-10-01", "Bo"),
                          ("budget", "yes", "CFO confirmed", "2026-10-02", "Cy")])
    row = answer(wb)
    assert row["answer"] == "yes" and row["raters"] == 2 and row["given"] == "2 yes"
    wider = qbook(tmp_path / "w", [("budget", "no", "Budget frozen", "2026-03-01", "Ann"), ("budget", "yes", "Approved", "2026-10-01", "Bo")])
    wider.settings["qualification"]["consensus_days"] = 365
    assert answer(wider)["answer"] == "no"      # within the window the two disagree: the more cautious answer
