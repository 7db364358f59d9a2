"""Red flags: each built-in rule on a workbook made to trip it, the registry, and the sample's stories."""
from __future__ import annotations

import pytest

from kamnb.relationships import redflags
from kamnb.relationships.redflags import RedFlagError, red_flag, red_flags, remove_red_flag
from kamnb.workbook import load_workbook
from tests.relationships.test_relationships import SAMPLE, bow_tie, build, diamond, person

FRESH = [("A1", "prompt_payment", 4, "", "2026-10-01")]


def flags_of(wb, account_id="A1"):
    f = red_flags(wb, account_id)
    return dict(zip(f["flag"], f["detail"], strict=False))


def test_a_healthy_account_has_no_flags(tmp_path):
    people = diamond(4)
    people[0].update(decision_role="economic_buyer", last_contact="2026-10-15")
    wb = build(tmp_path / "b", people, FRESH)
    assert red_flags(wb).empty
    assert list(red_flags(wb).columns) == ["account_id", "flag", "severity", "detail"]


def test_economic_buyer_never_spoken_to(tmp_path):
    wb = build(tmp_path / "b", [person("S1", 5, 4, "Ann", decision_role="economic_buyer", last_contact=""), person("S2", 3, 4, "Ann; Bo")], FRESH)
    f = red_flags(wb, "A1")
    row = f[f["flag"] == "no_economic_buyer_contact"].iloc[0]
    assert row["severity"] == "high" and row["detail"] == "no recorded conversation with Person S1 (economic buyer)"


def test_economic_buyer_not_spoken_to_recently_or_not_named(tmp_path):
    wb = build(tmp_path / "b", [person("S1", 5, 4, "Ann; Bo", decision_role="economic_buyer", last_contact="2026-06-01"),
                                person("T1", 5, 4, "Ann; Bo", account="A2")], FRESH, accounts=("A1", "A2"))
    f = red_flags(wb, flags=["no_economic_buyer_contact"]).set_index("account_id")
    assert f.loc["A1", "severity"] == "medium" and "153 days ago" in f.loc["A1", "detail"]
    assert f.loc["A2", "detail"].startswith("no economic buyer named")


def test_single_threaded_account(tmp_path):
    wb = build(tmp_path / "b", bow_tie(4), FRESH)
    assert flags_of(wb)["single_threaded"] == "every contact runs through Ann Our; coverage would fall from 33 to 0 if they left"


def test_decision_makers_hanging_on_one_person(tmp_path):
    people = [person("S1", 5, 4, "Ann"), person("S2", 5, 4, "Ann"), person("S3", 4, 4, "Bo; Ann"), person("S4", 2, 4, "Bo")]
    wb = build(tmp_path / "b", people, FRESH)
    assert "2 of 3 decision-makers (71% of their influence) hang on Ann alone" in flags_of(wb)["single_threaded"]


def test_threat_without_plan(tmp_path):
    wb = build(tmp_path / "b", [person("S1", 5, 1, "Ann; Bo"), person("S2", 5, 2, "Ann; Bo", plan="Invite to the plant visit")], FRESH)
    f = red_flags(wb, "A1")
    assert list(f.loc[f["flag"] == "threat_without_plan", "detail"]) == ["Person S1 (influence 5, support 1) has no plan"]


def test_stale_and_missing_evidence(tmp_path):
    wb = build(tmp_path / "b", diamond(3) + [person("T1", 3, 3, "Bo", account="A2")], [("A1", "prompt_payment", 4, "", "2025-01-01")],
               accounts=("A1", "A2"))
    f = red_flags(wb, flags=["stale_evidence"]).set_index("account_id")["detail"]
    assert f["A1"] == "1 of 1 scored indicators last assessed more than 365 days ago (oldest 2025-01-01)"
    assert f["A2"] == "no relationship indicator scored yet"


def test_score_falling_two_reviews_in_a_row(tmp_path):
    ev = [("A1", "prompt_payment", s, "", d) for s, d in ((5, "2025-05-01"), (4, "2025-11-01"), (3, "2026-09-01"))]
    wb = build(tmp_path / "b", diamond(3), ev)
    assert flags_of(wb)["score_falling"].startswith("score fell from")
    rising = [("A1", "prompt_payment", s, "", d) for s, d in ((5, "2025-05-01"), (3, "2025-11-01"), (4, "2026-09-01"))]
    assert "score_falling" not in flags_of(build(tmp_path / "c", diamond(3), rising))


def test_an_analyst_adds_a_rule_with_one_function(tmp_path):
    wb = build(tmp_path / "b", diamond(3) + [person("T1", 3, 3, "Bo", account="A2")], FRESH, accounts=("A1", "A2"))

    @red_flag("few_stakeholders", severity="low")
    def few(book):
        """Fewer than three stakeholders recorded."""
        counts = book.stakeholders.groupby("account_id").size()
        return [{"account_id": a, "detail": f"only {n} stakeholder(s)"} for a, n in counts.items() if n < 3]

    try:
        assert redflags.registered().loc["few_stakeholders", "title"] == "Fewer than three stakeholders recorded."
        f = red_flags(wb)
        assert f[f["flag"] == "few_stakeholders"][["account_id", "severity", "detail"]].values.tolist() == [["A2", "low", "only 1 stakeholder(s)"]]
        assert f["severity"].tolist() == sorted(f["severity"], key=["high", "medium", "low"].index)
        assert "few_stakeholders" not in set(red_flags(wb, "A1")["flag"])    # the rule sees only A1's rows
    finally:
        remove_red_flag("few_stakeholders")
    assert "few_stakeholders" not in redflags.RED_FLAGS


def test_a_badly_written_rule_says_what_is_wrong(tmp_path):
    wb = build(tmp_path / "b", diamond(3), FRESH)
    with pytest.raises(RedFlagError, match="severity 'urgent'"):
        red_flag("x", severity="urgent")

    @red_flag("no_detail")
    def no_detail(book):
        return [{"account_id": "A1"}]

    try:
        with pytest.raises(RedFlagError, match="'no_detail' returned rows without detail"):
            red_flags(wb)
    finally:
        remove_red_flag("no_detail")


def test_the_sample_tells_its_stories():
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("the sample workbook is missing")
    f = red_flags(load_workbook(SAMPLE))
    found = set(zip(f["account_id"], f["flag"], strict=False))
    assert ("ACC-007", "single_threaded") in found
    assert ("ACC-011", "score_falling") in found
    assert ("ACC-012", "threat_without_plan") in found
    assert ("ACC-012", "no_economic_buyer_contact") in found
    assert ("ACC-008", "single_threaded") not in found
