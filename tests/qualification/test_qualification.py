"""Qualification scores and likelihoods: known inputs, properties over many answer sets, explanations, qualify-out."""
from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pytest

from kamnb import qualification
from kamnb.qualification import gaps
from kamnb.qualification import score as q
from kamnb.workbook import check_workbook, load_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
DEFAULT_IDS = ["process_fit", "buying_process", "budget", "needs_and_wants", "resources", "uniques",
               "preference", "all_influencers", "decision_awareness", "decision_how_when", "would_we_win"]


def book(folder: Path, opps: list[tuple], answers: list[tuple], *, questions: str | None = None, settings: str = "",
         accounts: str | None = None, actions: str | None = None) -> Path:
    """Write a small workbook. opps: (id, account, kind, value, stage, close); answers: (opp, question, answer, evidence, date)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text(accounts or (
        "account_id,name,revenue_12m,revenue_potential_3y\nA1,Alpha,1000000,1600000\nA2,Beta,500000,500000\n"))
    (folder / "stakeholders.csv").write_text("stakeholder_id,account_id,name,influence,support\nS1,A1,Ann,4,4\n")
    lines = ["opportunity_id,account_id,name,kind,value,stage,expected_close"]
    lines += [",".join(str(x) for x in (o[0], o[1], f"Deal {o[0]}", o[2], o[3], o[4], o[5])) for o in opps]
    (folder / "opportunities.csv").write_text("\n".join(lines) + "\n")
    lines = ["opportunity_id,question_id,answer,evidence,assessed_on"]
    lines += [",".join(str(x) for x in a) for a in answers]
    (folder / "qualification.csv").write_text("\n".join(lines) + "\n")
    if questions is not None:
        (folder / "questions.yaml").write_text(questions)
    (folder / "settings.yaml").write_text("as_of: 2026-11-01\n" + settings)
    if actions is not None:
        (folder / "actions.csv").write_text(actions)
    return folder


def all_answers(opp: str, answer: str, evidence: str = "seen", date: str = "2026-09-01") -> list[tuple]:
    return [(opp, qid, answer, evidence if answer != "unknown" else "", date) for qid in DEFAULT_IDS]


SMALL_BANK = """questions:
  - {id: q1, text: "First?", help: h, weight: 1.0, probes: budget}
  - {id: q2, text: "Second?", help: h, weight: 2.0, probes: people}
  - {id: q3, text: "Third?", help: h, weight: 0.5, probes: decision, litmus: true}
"""


# --------------------------------------------------------------------------- known inputs


def test_score_and_likelihood_from_known_answers(tmp_path):
    # weights: 1,1,1.5,1,1,1.5,1.5,1,1,1,2 = 13.5; budget yes (1.5) + uniques partly with evidence (0.75)
    # + preference yes without evidence (1.5 x 0.5) = 3.0 points -> 22.2; the rest not asked counts as unknown (0)
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 100000, "proposal", "2027-02-01")], [
        ("O1", "budget", "yes", "Budget line seen", "2026-09-01"),
        ("O1", "uniques", "partly", "COO said so", "2026-09-01"),
        ("O1", "preference", "yes", "", "2026-09-01"),
    ]))
    t = q.score_opportunities(wb)
    assert t.loc["O1", "score"] == pytest.approx(300 / 13.5)
    # curve 20 -> 5 %, 40 -> 15 %: 22.22 -> 5 % + 2.22/20 x 10 %
    assert t.loc["O1", "likelihood"] == pytest.approx(0.05 + (300 / 13.5 - 20) / 20 * 0.10)
    assert t.loc["O1", "factored_value"] == pytest.approx(100000 * t.loc["O1", "likelihood"])
    assert t.loc["O1", "answered"] == 3 and t.loc["O1", "unknown"] == 8 and t.loc["O1", "unevidenced"] == 1
    assert t.loc["O1", "status"] == "qualified"


def test_latest_answer_counts_and_history_shows_the_move(tmp_path):
    answers = all_answers("O1", "partly", date="2026-04-15") + all_answers("O1", "yes", date="2026-09-01")
    answers.append(("O1", "budget", "no", "old note", "2026-01-01"))  # older than both: ignored
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "retain", 1000, "proposal", "2027-01-15")], answers))
    t = q.score_opportunities(wb)
    assert t.loc["O1", "score"] == pytest.approx(100.0)
    assert t.loc["O1", "previous_likelihood"] == pytest.approx(float(q.likelihood_from_score(50.0, q.qualification_settings(wb.settings))))
    assert t.loc["O1", "likelihood_change"] == pytest.approx(0.90 - 0.275)
    h = q.likelihood_history(wb, "A1")
    assert list(h["assessed_on"].dt.strftime("%Y-%m-%d")) == ["2026-01-01", "2026-04-15", "2026-09-01"]
    assert h["likelihood"].iloc[-1] == pytest.approx(0.90)
    assert "+62 pts (from 28%)" in q.opportunity_table(wb, "A1").loc[0, "moved"]


def test_no_answers_is_not_qualified_never_zero_or_hundred(tmp_path):
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 5000, "identified", ""), ("O2", "A1", "grow", 7000, "proposal", "")],
                            all_answers("O2", "yes")))
    t = q.score_opportunities(wb)
    assert t.loc["O1", "status"] == "not qualified"
    assert np.isnan(t.loc["O1", "likelihood"]) and np.isnan(t.loc["O1", "factored_value"]) and np.isnan(t.loc["O1", "score"])
    row = q.opportunity_table(wb, "A1").set_index("id").loc["O1"]
    assert row["likelihood"] == "not qualified" and row["factored value"] == "–"
    assert "not qualified" in q.explanation_table(wb, "O1").iloc[0, 0]


def test_won_and_lost_count_as_certain(tmp_path):
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "retain", 100, "won", ""), ("O2", "A1", "grow", 50, "lost", "")], []))
    t = q.score_opportunities(wb)
    assert t.loc["O1", "likelihood"] == 1.0 and t.loc["O1", "status"] == "qualified" and t.loc["O1", "factored_value"] == 100
    assert t.loc["O2", "likelihood"] == 0.0 and t.loc["O2", "status"] == "qualify out"
    assert gaps.qualified_out(wb, "A1").empty  # lost is history, not freed capacity


# --------------------------------------------------------------------------- properties


def _exhaustive_book(tmp_path: Path) -> tuple:
    """Every (answer, evidence) combination over a 3-question bank: 8^3 = 512 opportunities in one workbook."""
    states = [(a, e) for a in ("yes", "partly", "no", "unknown") for e in (True, False)]
    opps, answers, combo = [], [], {}
    for n, states3 in enumerate(itertools.product(states, repeat=3)):
        oid = f"O{n:03d}"
        opps.append((oid, "A1", "grow", 1000, "proposal", "2027-03-01"))
        for qid, (a, e) in zip(("q1", "q2", "q3"), states3, strict=False):
            answers.append((oid, qid, a, "ev" if e else "", "2026-09-01"))
        combo[states3] = oid
    wb = load_workbook(book(tmp_path / "x", opps, answers, questions=SMALL_BANK,
                            settings="qualification:\n  qualify_out: {knockout_questions: [], max_no_share: 0, min_likelihood: 0}\n"))
    return wb, combo, states


def test_properties_exhaustively_over_a_small_bank(tmp_path):
    wb, combo, states = _exhaustive_book(tmp_path)
    t = q.score_opportunities(wb)
    best = combo[(("yes", True),) * 3]
    others = t.drop(index=best)
    # all-yes with evidence scores higher than any other mix, and is the most likely
    assert t.loc[best, "score"] == pytest.approx(100.0)
    assert (others["score"] < t.loc[best, "score"]).all()
    assert (others["likelihood"] < t.loc[best, "likelihood"]).all()
    checked = 0
    for states3, oid in combo.items():
        for i, (a, e) in enumerate(states3):
            for worse, better in (("no", "yes"), ("unknown", "yes"), ("no", "partly"), ("partly", "yes")):
                if a != worse:
                    continue
                for e2 in (True, False):
                    up = combo[states3[:i] + ((better, e2),) + states3[i + 1:]]
                    same_evidence = e2 == e
                    if same_evidence or better == "yes" and worse in ("no", "unknown"):
                        # a better answer never lowers the likelihood (same evidence, or no/unknown -> any yes)
                        assert t.loc[up, "likelihood"] >= t.loc[oid, "likelihood"] - 1e-12, (states3, i, better, e2)
                        assert t.loc[up, "score"] >= t.loc[oid, "score"] - 1e-9
                        checked += 1
            if a == "unknown":
                for e2 in (True, False):
                    yes = combo[states3[:i] + (("yes", e2),) + states3[i + 1:]]
                    assert t.loc[oid, "score"] <= t.loc[yes, "score"]  # unknown never above yes
            if a in ("yes", "partly") and e:
                # the same answer without evidence counts less
                weaker = combo[states3[:i] + ((a, False),) + states3[i + 1:]]
                assert t.loc[weaker, "score"] < t.loc[oid, "score"]
    assert checked > 1000


def test_properties_randomised_over_the_default_bank(tmp_path):
    rng = random.Random(7)
    opps, answers, pairs = [], [], []
    for n in range(150):
        base = {qid: (rng.choice(["yes", "partly", "no", "unknown"]), rng.random() < 0.7) for qid in DEFAULT_IDS}
        flip = rng.choice(DEFAULT_IDS)
        base[flip] = (rng.choice(["no", "unknown"]), base[flip][1])
        up = dict(base)
        up[flip] = ("yes", base[flip][1])
        for suffix, ans in (("a", base), ("b", up)):
            oid = f"R{n:03d}{suffix}"
            opps.append((oid, rng.choice(["A1", "A2"]), rng.choice(["retain", "grow", "new"]), rng.randrange(1, 100) * 1000, "proposal", "2027-05-01"))
            answers += [(oid, qid, a, "ev" if e and a != "unknown" else "", "2026-09-01") for qid, (a, e) in ans.items()]
        pairs.append((f"R{n:03d}a", f"R{n:03d}b"))
    opps.append(("YES", "A1", "grow", 1000, "proposal", "2027-05-01"))
    answers += all_answers("YES", "yes")
    wb = load_workbook(book(tmp_path / "r", opps, answers))
    t = q.score_opportunities(wb)
    for a, b in pairs:
        assert t.loc[b, "score"] > t.loc[a, "score"]
        assert t.loc[b, "likelihood"] >= t.loc[a, "likelihood"]
    assert (t.drop(index="YES")["score"] < t.loc["YES", "score"]).all()
    # every likelihood is explainable: start + effects == likelihood, for every opportunity
    for oid in list(t.index[:40]) + ["YES"]:
        ex = q.explain_likelihood(wb, oid)
        assert ex.attrs["start_likelihood"] + ex["likelihood_effect"].sum() == pytest.approx(ex.attrs["likelihood"])
        assert ex.attrs["start_score"] + ex["score_effect"].sum() == pytest.approx(t.loc[oid, "score"])
        if t.loc[oid, "status"] != "qualify out":
            assert ex.attrs["likelihood"] == pytest.approx(t.loc[oid, "likelihood"])


# --------------------------------------------------------------------------- explanation, qualify out, agenda


def test_explanation_names_what_raised_and_lowered(tmp_path):
    answers = [("O1", "budget", "yes", "Budget approved", "2026-09-01"), ("O1", "preference", "no", "Incumbent favoured", "2026-09-01"),
               ("O1", "uniques", "yes", "", "2026-09-01")]
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 1000, "proposal", "")], answers))
    ex = q.explain_likelihood(wb, "O1").set_index("question_id")
    assert ex.loc["budget", "likelihood_effect"] > 0 and ex.loc["preference", "likelihood_effect"] < 0
    assert ex.loc["uniques", "score_effect"] == pytest.approx(0.0)  # a yes without evidence is worth a neutral partly
    assert ex.loc["decision_awareness", "answer"] == "not asked" and ex.loc["decision_awareness", "score_effect"] < 0
    table = q.explanation_table(wb, "O1")
    assert table.iloc[0]["step"].startswith("Start") and table.iloc[-1]["step"].startswith("Result")
    line = q.explain_account(wb, "A1").iloc[0]
    assert "budget +" in line["raised by"] and "preference -" in line["lowered by"]


def test_qualify_out_rules_give_reasons(tmp_path):
    no_budget = all_answers("O1", "yes")
    no_budget[2] = ("O1", "budget", "no", "CFO: no budget in 2027", "2026-09-01")
    no_budget_unproven = [("O2", qid, a, ev, d) for (_, qid, a, ev, d) in no_budget]
    no_budget_unproven[2] = ("O2", "budget", "no", "", "2026-09-01")
    mostly_no = all_answers("O3", "no")
    litmus_no = all_answers("O4", "partly")[:-1] + [("O4", "would_we_win", "no", "Team vote 0 of 5", "2026-09-01")]
    litmus_no = [(o, qid, "no" if qid in ("process_fit", "uniques") else a, ev, d) for (o, qid, a, ev, d) in litmus_no]
    wb = load_workbook(book(tmp_path / "b", [(f"O{i}", "A1", "grow", 1000 * i, "proposal", "") for i in range(1, 5)],
                            no_budget + no_budget_unproven + mostly_no + litmus_no))
    t = q.score_opportunities(wb)
    assert t.loc["O1", "status"] == "qualify out" and "CFO: no budget in 2027" in t.loc["O1", "reasons"]
    assert t.loc["O2", "status"] == "qualified"  # a knockout no without evidence is an opinion, not a reason
    assert t.loc["O3", "status"] == "qualify out" and "weighted questions" in t.loc["O3", "reasons"]
    assert t.loc["O4", "status"] == "qualify out" and "would not win today" in t.loc["O4", "reasons"]
    out = gaps.qualified_out_table(wb, "A1")
    assert out.iloc[-1]["value no longer chased"] == "€8,000"  # O1 + O3 + O4 = 1000 + 3000 + 4000, shown as a result
    # with the rules switched off nothing is qualified out
    wb.settings["qualification"] = {"qualify_out": {"knockout_questions": [], "max_no_share": 0, "min_likelihood": 0, "litmus_no_below": 0}}
    assert (q.score_opportunities(wb)["status"] == "qualified").all()


def test_weakest_questions_rank_by_what_fixing_is_worth(tmp_path):
    big = all_answers("O1", "yes")
    big[5] = ("O1", "uniques", "unknown", "", "2026-09-01")
    small = all_answers("O2", "yes")
    small[0] = ("O2", "process_fit", "no", "ran ahead", "2026-09-01")
    small[1] = ("O2", "buying_process", "partly", "", "2026-09-01")
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 900000, "proposal", ""), ("O2", "A1", "grow", 10000, "proposal", "")],
                            big + small))
    w = gaps.weakest_questions(wb, "A1")
    assert list(w["question_id"]) == ["uniques", "process_fit", "buying_process"]
    assert w.loc[2, "weak_answers"] == "1 partly without evidence"
    assert w["upside"].iloc[0] > w["upside"].iloc[1] > 0
    assert gaps.agenda_table(wb, "A1")["ask about"].iloc[0] == wb.questions.loc["uniques", "text"]
    pc = qualification.portfolio_columns(wb)
    assert pc.loc["A1", "weakest_question"] == "uniques" and pc.loc["A2", "weakest_question"] == ""


def test_team_can_reweight_and_remove_questions_without_code(tmp_path):
    bank = "questions:\n  - {id: budget, text: 'Money?', help: h, weight: 3, probes: budget}\n  - {id: preference, text: 'Us?', help: h, weight: 1, probes: decision}\n"
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 1000, "proposal", "")],
                            [("O1", "budget", "yes", "seen", "2026-09-01"), ("O1", "preference", "no", "told", "2026-09-01")], questions=bank))
    assert q.score_opportunities(wb).loc["O1", "score"] == pytest.approx(75.0)
    assert list(gaps.question_bank(wb)["weight"]) == ["3 (75%)", "1 (25%)"]


@pytest.mark.parametrize("section, message", [
    ("qualification: {evidence_discount: 1.5}", "settings.yaml, key qualification.evidence_discount: found '1.5', expected a number from 0 to 1"),
    ("qualification: {answer_points: {unknown: 0.8}}", "key qualification.answer_points.unknown: found '0.8', expected no more points than partly"),
    ("qualification: {likelihood_curve: [[0, 0.5], [100, 0.2]]}", "likelihoods from 0 to 1 that never fall"),
    ("qualification: {likelihood_curve: [[10, 0.1], [100, 0.9]]}", "scores rising from 0 to 100"),
])
def test_bad_settings_are_reported_by_key(tmp_path, section, message):
    _, problems = check_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 1000, "proposal", "")], [], settings=section + "\n"))
    assert any(message in str(p) and p.level == "error" for p in problems), [str(p) for p in problems]


def test_bad_settings_passed_in_python_are_still_refused():
    with pytest.raises(q.QualificationSettingsError, match="qualification.evidence_discount: found 1.5, expected a number from 0 to 1"):
        q.qualification_settings({"qualification": {"evidence_discount": 1.5}})


def test_missing_evidence_column_is_said_out_loud(tmp_path):
    folder = book(tmp_path / "b", [("O1", "A1", "grow", 1000, "proposal", "")], [])
    (folder / "qualification.csv").write_text("opportunity_id,question_id,answer\nO1,budget,yes\n")
    wb = load_workbook(folder)
    assert q.score_opportunities(wb).loc["O1", "unevidenced"] == 1
    assert any("no evidence column" in n for n in q.notes(wb, "A1"))


def test_sample_workbook_scores_every_opportunity():
    wb = load_workbook(SAMPLE)
    t = q.score_opportunities(wb)
    assert set(t["status"]) <= set(q.STATUSES)
    assert t.loc[t["status"] == "not qualified", "likelihood"].isna().all()
    assert t.loc[t["status"] != "not qualified", "likelihood"].between(0, 1).all()
    out = gaps.qualified_out(wb)
    assert (out["reasons"] != "").all()
