"""The question bank, indicator bank and settings: defaults, overrides and clear errors."""
from kamnb.errors import Problem
from kamnb.workbook import banks


def test_default_question_bank_has_ten_questions_and_the_litmus():
    q = banks.load_questions()
    assert len(q) == 11
    assert q["litmus"].sum() == 1
    assert q.loc[q["litmus"], "question_id"].item() == "would_we_win"
    assert (q["weight"] > 0).all() and (q["help"] != "").all() and (q["probes"] != "").all()


def test_default_indicator_bank_covers_both_sides():
    ind = banks.load_indicators()
    assert {"prompt_payment", "executives_at_events", "shared_plans", "top_testimonial", "peer_contact",
            "trusted_advisor", "mutual_success", "commitments_kept", "joint_ideas", "measurable_value",
            "their_responsiveness", "our_responsiveness"} <= set(ind.index)
    assert set(ind["side"]) == {"customer", "us", "both"}


def test_settings_override_merges_key_by_key(tmp_path):
    (tmp_path / "settings.yaml").write_text("currency: USD\nas_of: 2026-11-01\n")
    s = banks.load_settings(tmp_path)
    assert s["currency"] == "USD"
    assert str(banks.as_of(s).date()) == "2026-11-01"


def test_bad_yaml_is_reported_with_its_line(tmp_path):
    (tmp_path / "questions.yaml").write_text("questions:\n  - id: a\n    text: [unclosed\n")
    problems: list[Problem] = []
    banks.load_questions(tmp_path, problems)
    assert problems and problems[0].file == "questions.yaml" and "valid YAML" in problems[0].expected


def test_bad_weight_and_duplicate_id(tmp_path):
    (tmp_path / "indicators.yaml").write_text(
        "indicators:\n  - id: a\n    weight: heavy\n  - id: a\n  - id: b\n    weight: -1\n"
    )
    problems: list[Problem] = []
    ind = banks.load_indicators(tmp_path, problems)
    text = [str(p) for p in problems]
    weight = "expected a weight: a number of 0 or more (0 = shown but not counted)"
    assert f"indicators.yaml, key indicators entry 1 (a).weight: found 'heavy', {weight}" in text
    assert "indicators.yaml, key indicators entry 2: found 'a', expected a unique id" in text
    assert f"indicators.yaml, key indicators entry 3 (b).weight: found '-1', {weight}" in text
    assert list(ind.index) == ["a", "b"]


def test_broken_bank_is_reported_once_not_per_row(tmp_path):
    import shutil
    from pathlib import Path

    from kamnb.workbook import check_workbook

    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    book = tmp_path / "wb"
    shutil.copytree(sample, book)
    (book / "indicators.yaml").write_text("indicators:\n  - id: a\n   name: broken indent\n")
    _, problems = check_workbook(book, journal=False)
    errors = [str(p) for p in problems if p.level == "error"]
    assert len(errors) == 1, errors  # the YAML error alone, no follow-on "a list under indicators:"
    assert errors[0].startswith("indicators.yaml, line 3: valid YAML")
