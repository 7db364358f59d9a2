"""The live scores computed incrementally (only the account a change touched) equal a full recomputation."""
from __future__ import annotations

import pandas as pd
import pytest

from kamnb.classification.retention import workbook_signs
from kamnb.classification.score import classify
from kamnb.common import memo
from kamnb.qualification.score import score_opportunities
from kamnb.relationships.redflags import red_flags
from kamnb.relationships.score import relationship_scores
from kamnb.workbook import load_workbook
from kamnb.workshop.session import WorkshopSession
from kamnb.workshop.summary import classification, one_account, risk_signs, scores

COLUMNS = ["tier", "key_score", "is_key", "key_rank", "risk", "tier_reason", "resources"]


def _same_as_a_full_run(s: WorkshopSession, book, accounts: list[str]) -> None:
    memo.clear()  # nothing remembered from the incremental run
    full = load_workbook(book)  # the sheets and the whole journal from disk
    want = classify(full)
    got = classification(s)
    pd.testing.assert_frame_equal(got[COLUMNS], want[COLUMNS], check_names=False)  # the index name is not a score
    for name, values in workbook_signs(full).items():
        assert risk_signs(s)[name].tolist() == values.tolist(), name
    for aid in accounts:
        live = scores(s, aid)
        view = one_account(full, aid)
        assert live["tier"] == want.loc[aid, "tier"] and live["key_score"] == pytest.approx(want.loc[aid, "key_score"])
        pd.testing.assert_series_equal(live["likelihood"], score_opportunities(view)["likelihood"])
        a, b = live["relationship_score"], relationship_scores(view)["score"].get(aid)
        assert (a == pytest.approx(b)) or (pd.isna(a) and pd.isna(b)), aid
        flags = red_flags(view, aid)
        assert live["red_flags"]["flag"].tolist() == flags["flag"].tolist(), aid


def test_incremental_scores_equal_a_full_recomputation_on_the_sample(sample_copy):
    s = WorkshopSession(sample_copy, who="Ann")
    wb = s.wb
    accounts = list(wb.accounts.index[:6])
    _same_as_a_full_run(s, sample_copy, accounts)
    renewal = wb.opportunities.index[(wb.opportunities["account_id"] == "ACC-001") & (wb.opportunities["kind"] == "retain")][0]
    steps = []
    for qid in list(wb.questions.index)[:6]:  # the renewal's answers all turn to yes: its likelihood, the retain sign
        steps.append(("qualification", {"opportunity_id": renewal, "question_id": qid}, "answer", "yes"))
    for iid in list(wb.indicators.index)[:4]:  # another account's relationship scores drop
        steps.append(("relationship", {"account_id": "ACC-002", "indicator_id": iid}, "score", "1"))
    buyer = wb.stakeholders.index[(wb.stakeholders["account_id"] == "ACC-003")][0]
    steps.append(("stakeholders", {"stakeholder_id": buyer}, "decision_role", "economic_buyer"))
    steps.append(("stakeholders", {"stakeholder_id": buyer}, "support", "1"))
    steps.append(("accounts", {"account_id": "ACC-004"}, "growth_potential", "1"))  # a judgement: the ranking of every account
    steps.append(("accounts", {"account_id": "ACC-005"}, "strategic_fit", "5"))
    for sheet, key, column, value in steps:
        ch, error = s.change(sheet, key, column, value)
        assert error is None, error
        classification(s), [scores(s, a) for a in accounts]  # the live path, step by step
    _same_as_a_full_run(s, sample_copy, accounts)
    ch, error = s.add_row("stakeholders", {"account_id": "ACC-006", "name": "Eve Buyer", "decision_role": "economic_buyer", "influence": "5", "support": "1"})
    assert error is None
    action = wb.actions.index[wb.actions["account_id"] == "ACC-001"][0]
    assert s.remove_row("actions", {"action_id": action})[1] is None
    _same_as_a_full_run(s, sample_copy, accounts + ["ACC-006"])
    s.undo()  # an undo reads the workbook again
    _same_as_a_full_run(s, sample_copy, accounts + ["ACC-006"])


def test_a_change_reads_again_only_the_account_it_touched(sample_copy, monkeypatch):
    import kamnb.classification.retention as retention

    s = WorkshopSession(sample_copy, who="Ann")
    s.change("accounts", {"account_id": "ACC-009"}, "account_goal", "Grow")  # the first change of the day moves the review date: every account
    classification(s)
    seen: list[list[str]] = []
    real = retention.workbook_signs
    monkeypatch.setattr(retention, "workbook_signs", lambda wb: seen.append(list(wb.accounts.index)) or real(wb))
    opp = s.wb.opportunities.index[s.wb.opportunities["account_id"] == "ACC-002"][0]
    s.change("qualification", {"opportunity_id": opp, "question_id": s.wb.questions.index[0]}, "answer", "no")
    classification(s)
    assert seen == [["ACC-002"]]
    classification(s)
    assert seen == [["ACC-002"]]  # nothing changed since: nothing read
