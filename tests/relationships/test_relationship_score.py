"""The 0-100 relationship score: mapping, decay, gaps, measured items, history, on known inputs."""
from __future__ import annotations

import pandas as pd
import pytest

from kamnb.plots import relationships as charts
from kamnb.relationships import score as rs
from tests.relationships.test_relationships import bow_tie, build, diamond, person, random_book, with_change

NO_MEASURED = "relationships:\n  measured_weights: {support: 0, contact_map: 0}\n"


def test_worked_example_of_the_docs(tmp_path):
    evidence = [("A1", "prompt_payment", 5, "paid in 10 days", "2026-11-01"), ("A1", "shared_plans", 3, "saw the 2027 plan", "2026-05-05")]
    judged_only = build(tmp_path / "a", [person("S1", 4, 4, "Ann")], evidence, settings=NO_MEASURED)
    # prompt_payment: 100 points, weight 1, fresh; shared_plans: 50 points, weight 1.5, 180 days old -> 0.75
    assert rs.relationship_scores(judged_only).loc["A1", "score"] == pytest.approx((100 + 0.75 * 50) / 1.75)
    wb = build(tmp_path / "b", [person("S1", 4, 4, "Ann")], evidence)
    s = rs.relationship_scores(wb).loc["A1"]
    # support 4/5 -> 75 points; one contact, one thread: coverage (100 + 0 + 0) / 3; both weigh 1.5
    assert s["support_points"] == 75 and s["contact_map_points"] == pytest.approx(100 / 3)
    assert s["score"] == pytest.approx((100 + 37.5 + 1.5 * 75 + 1.5 * 100 / 3) / 4.75)
    assert round(s["score"]) == 63
    assert (s["indicators_scored"], s["indicators_total"]) == (2, 12)


def test_missing_indicators_are_gaps_not_zeros(tmp_path):
    one = build(tmp_path / "a", [], [("A1", "prompt_payment", 4, "", "2026-10-01")], settings=NO_MEASURED)
    assert rs.relationship_scores(one).loc["A1", "score"] == 75
    b = rs.score_breakdown(one, "A1")
    assert b.loc["trusted_advisor", "status"] == "gap"
    assert pd.isna(b.loc["trusted_advisor", "points"]) and b.loc["trusted_advisor", "share_pct"] == 0
    assert b.loc["prompt_payment", "share_pct"] == 100


def test_no_evidence_no_score(tmp_path):
    wb = build(tmp_path / "a", [person("S1", 4, 4, "Ann")], accounts=("A1",))
    s = rs.relationship_scores(wb).loc["A1"]
    assert pd.isna(s["score"]) and s["support_points"] == 75
    fig = charts.score_bars(wb, "A1")
    assert "no score" in fig._suptitle.get_text()


def test_older_evidence_counts_less(tmp_path):
    fresh_high = build(tmp_path / "a", [], [("A1", "prompt_payment", 5, "", "2026-10-31"), ("A1", "trusted_advisor", 1, "", "2025-11-01")])
    old_high = build(tmp_path / "b", [], [("A1", "prompt_payment", 5, "", "2025-11-01"), ("A1", "trusted_advisor", 1, "", "2026-10-31")])
    assert rs.relationship_scores(fresh_high).loc["A1", "score"] > 50 > rs.relationship_scores(old_high).loc["A1", "score"]
    b = rs.score_breakdown(old_high, "A1")
    assert b.loc["prompt_payment", "decay"] == pytest.approx(0.5 ** (365 / 180))
    assert b.loc["prompt_payment", "status"] == "scored"


def test_half_life_is_a_setting(tmp_path):
    ev = [("A1", "prompt_payment", 5, "", "2026-05-05")]
    short = build(tmp_path / "a", [], ev, settings="relationships:\n  half_life_days: 90\n")
    assert rs.score_breakdown(short, "A1").loc["prompt_payment", "decay"] == pytest.approx(0.25)
    assert rs.scored_with(short, half_life_days=180).loc["A1", "fresh_evidence_pct"] == pytest.approx(0.5 * 100 / 14)


def test_stale_evidence_is_marked(tmp_path):
    wb = build(tmp_path / "a", [], [("A1", "prompt_payment", 4, "", "2025-06-01"), ("A1", "trusted_advisor", 4, "", "2026-10-01")])
    assert rs.score_breakdown(wb, "A1").loc["prompt_payment", "status"] == "stale"
    assert rs.relationship_scores(wb).loc["A1", "stale_indicators"] == 1


def test_latest_evidence_per_indicator_wins(tmp_path):
    wb = build(tmp_path / "a", [], [("A1", "prompt_payment", 1, "late", "2026-01-01"), ("A1", "prompt_payment", 5, "on time", "2026-10-01")],
               settings=NO_MEASURED)
    b = rs.score_breakdown(wb, "A1")
    assert b.loc["prompt_payment", "score"] == 5 and b.loc["prompt_payment", "evidence"] == "on time"


def test_raising_support_never_lowers_the_score(tmp_path):
    for seed in range(3):
        wb = random_book(tmp_path / f"r{seed}", seed)
        base = rs.relationship_scores(wb).loc["A1", "score"]
        for sid, row in wb.stakeholders.iterrows():
            for up in range(int(row["support"]) + 1, 6):
                assert rs.relationship_scores(with_change(wb, sid, "support", float(up))).loc["A1", "score"] >= base - 1e-9


def test_bow_tie_scores_below_diamond_of_the_same_size(tmp_path):
    ev = [("A1", "prompt_payment", 4, "", "2026-10-01"), ("A1", "peer_contact", 3, "", "2026-10-01")]
    for n in (3, 8):
        b = rs.relationship_scores(build(tmp_path / f"b{n}", bow_tie(n), ev)).loc["A1", "score"]
        d = rs.relationship_scores(build(tmp_path / f"d{n}", diamond(n), ev)).loc["A1", "score"]
        assert b < d


def test_history_uses_what_was_known_at_each_review(tmp_path):
    ev = [("A1", "prompt_payment", 5, "", "2025-06-01"), ("A1", "trusted_advisor", 5, "", "2025-06-01"),
          ("A1", "prompt_payment", 3, "", "2026-01-01"), ("A1", "trusted_advisor", 2, "", "2026-09-01")]
    wb = build(tmp_path / "a", [person("S1", 4, 4, "Ann")], ev, history=[("S1", "2025-05-01", 4, 5)], settings=NO_MEASURED)
    h = rs.score_history(wb, "A1")
    assert list(h["assessed_on"].dt.strftime("%Y-%m-%d")) == ["2025-06-01", "2026-01-01", "2026-09-01"]
    assert h["score"].iloc[0] == 100
    # 2026-01-01: prompt_payment 50 (fresh, weight 1) and trusted_advisor 100 (214 days old, weight 1.5)
    assert h["score"].iloc[1] == pytest.approx((50 + 1.5 * 0.5 ** (214 / 180) * 100) / (1 + 1.5 * 0.5 ** (214 / 180)))
    assert (h["change"].iloc[1:] < 0).all()


def test_history_takes_support_from_stakeholder_history(tmp_path):
    ev = [("A1", "prompt_payment", 4, "", d) for d in ("2025-01-01", "2025-06-01", "2026-06-01")]
    wb = build(tmp_path / "a", [person("S1", 4, 2, "Ann; Bob")], ev, history=[("S1", "2025-05-01", 4, 5), ("S1", "2026-03-01", 4, 3)],
               settings="relationships:\n  measured_weights: {support: 1, contact_map: 0}\n")
    h = rs.score_history(wb, "A1")
    assert h["score"].iloc[0] == pytest.approx((75 + 25) / 2)      # no placement yet: today's support 2
    assert h["score"].iloc[1] == pytest.approx((75 + 100) / 2)     # placed at support 5 on 2025-05-01
    assert h["score"].iloc[2] == pytest.approx((75 + 50) / 2)      # placed at support 3 on 2026-03-01


def test_indicator_changes_against_the_previous_score(tmp_path):
    wb = build(tmp_path / "a", [], [("A1", "prompt_payment", 4, "", "2025-11-01"), ("A1", "prompt_payment", 2, "", "2026-10-01"),
                                    ("A1", "trusted_advisor", 3, "", "2026-10-01")])
    c = rs.indicator_changes(wb, "A1")
    assert c.loc["prompt_payment", "change"] == -2
    assert pd.isna(c.loc["trusted_advisor", "previous_score"])
    assert pd.isna(c.loc["joint_ideas", "score"])


def test_an_indicator_bank_of_the_workbook_replaces_the_default(tmp_path):
    bank = ("indicators:\n  - {id: prompt_payment, name: Pays on time, text: x, side: customer, weight: 2}\n"
            "  - {id: site_visits, name: Site visits, text: y, side: both, weight: 1}\n")
    wb = build(tmp_path / "a", [], [("A1", "site_visits", 5, "", "2026-11-01")], settings=NO_MEASURED, indicators=bank)
    s = rs.relationship_scores(wb).loc["A1"]
    assert (s["score"], s["indicators_total"]) == (100, 2)
    assert list(rs.score_breakdown(wb, "A1").index) == ["prompt_payment", "site_visits", "support", "contact_map"]


def test_score_of_a_breakdown_equals_the_account_score(tmp_path):
    wb = random_book(tmp_path / "r", 3)
    assert rs.score_of(rs.score_breakdown(wb, "A1")) == pytest.approx(rs.relationship_scores(wb).loc["A1", "score"])


def test_a_workbook_without_relationship_rows_scores_as_gaps(tmp_path):
    """A fresh CRM import has no relationship sheet: every score is a gap, nothing divides by zero."""
    import shutil
    from pathlib import Path

    from kamnb.workbook import load_workbook

    book = tmp_path / "wb"
    shutil.copytree(Path(__file__).resolve().parents[2] / "data" / "sample", book)
    (book / "relationship.csv").unlink()
    wb = load_workbook(book)
    scores = rs.relationship_scores(wb)
    assert list(scores.index) == list(wb.accounts.index)
    assert scores["score"].isna().all()
