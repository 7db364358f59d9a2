"""Settings: every value checked with its key path, defaults only from the shipped file, YAML read safely."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import write_mini

from kamnb import settings
from kamnb.cli import main
from kamnb.errors import Problem


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, byte for byte: inputs must come out unchanged."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def validate(book: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(book), "--quiet"])
    return code, capsys.readouterr().out


BAD_SETTINGS = [
    ("as_of: 2026-02-30\n", "settings.yaml, key as_of: found '2026-02-30', expected a date such as 2026-11-01, or empty for today"),
    ("as_of: 20261101\n", "settings.yaml, key as_of: found '20261101', expected a date such as 2026-11-01, or empty for today"),
    ("classification:\n  key_at: high\n", "settings.yaml, key classification.key_at: found 'high', expected a number from 0 to 100"),
    ("classification:\n  weights: {big: 0, must_not_lose: -2}\n", "key classification.weights.must_not_lose: found '-2', expected a number of 0 or more"),
    ("classification:\n  weights: {big: .inf}\n", "key classification.weights.big: found 'inf', expected a number of 0 or more"),
    ("classification:\n  weights: {big: .nan}\n", "key classification.weights.big: found 'nan', expected a number of 0 or more"),
    (
        "classification:\n  weights: {big: 0, must_not_lose: 0, future_profit: 0, extra_return: 0, strategic: 0}\n",
        "key classification.weights: at least one definition with a weight above 0",
    ),
    ("classification:\n  weights: {bigg: 1}\n", "key classification.weights.bigg: a known setting under classification.weights; this one is not used by kamnb (did you mean big?)"),
    ("relationships:\n  supportive: 9\n", "key relationships.supportive: found '9', expected a number from 1 to 5"),
    ("relationships:\n  opposed: 4\n", "key relationships.opposed: found '4', expected a support score below relationships.supportive (4)"),
    ("qualification:\n  likelihood_curve: [[0, 0.5], [100, 0.2]]\n", "key qualification.likelihood_curve: found '[[0, 0.5], [100, 0.2]]'"),
    ("qualification:\n  activity:\n    plan_quarters: 2.5\n", "key qualification.activity.plan_quarters: found '2.5', expected a whole number of 1 or more"),
    ("batch:\n  isolation: cold\n", "key batch.isolation: found 'cold', expected one of warm, fresh"),
    ("plan:\n  gap_category: selling\n", "key plan.gap_category: found 'selling', expected one of consult_advise, care_cultivate, sell_service"),
    ("value: 5\n", "key value: found '5', expected a mapping of setting names to values"),
    ("- just\n- a list\n", "settings.yaml: a mapping of setting names to values"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SETTINGS, ids=[t.split(":")[0].strip("- ") + str(i) for i, (t, _) in enumerate(BAD_SETTINGS)])
def test_validate_names_the_key_path_of_a_bad_setting(tmp_path, capsys, text, message):
    book = write_mini(tmp_path / "wb")
    (book / "settings.yaml").write_text(text, encoding="utf-8")
    before = snapshot(book)
    code, out = validate(book, capsys)
    assert code == 1
    assert message in out
    assert "Traceback" not in out
    assert snapshot(book) == before


def test_unknown_setting_is_a_warning_with_the_closest_name(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "settings.yaml").write_text("as_of: 2026-11-01\ncurrancy: USD\n", encoding="utf-8")
    code, out = validate(book, capsys)
    assert code == 0
    assert "warning: settings.yaml, key currancy: a known setting; this one is not used by kamnb (did you mean currency?)" in out


def test_bad_setting_is_refused_by_export_batch_and_workshop_with_the_same_message(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "settings.yaml").write_text("classification:\n  key_at: high\n", encoding="utf-8")
    before = snapshot(book)
    message = "settings.yaml, key classification.key_at: found 'high', expected a number from 0 to 100"
    assert main(["export", str(book), "--out", str(tmp_path / "out")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert main(["batch", str(book), "--out", str(tmp_path / "reports")]) == 1
    captured = capsys.readouterr()
    assert message in captured.out + captured.err
    assert main(["workshop", str(book), "--no-browser"]) == 1  # refused before any server starts
    assert message in capsys.readouterr().err
    assert snapshot(book) == before


def test_settings_values_and_defaults_come_from_the_shipped_file():
    shipped = (Path(settings.__file__).parent / "defaults" / "settings.yaml").read_text(encoding="utf-8")
    assert "key_at: 65" in shipped
    assert settings.load_settings()["classification"]["key_at"] == 65
    assert settings.defaults("qualification", "answer_points") == {"yes": 1.0, "partly": 0.5, "no": 0.0, "unknown": 0.0}
    assert settings.check_settings(settings.defaults()) == []


def test_a_workbook_setting_replaces_its_default_key_by_key(tmp_path):
    book = write_mini(tmp_path / "wb")
    (book / "settings.yaml").write_text("as_of: 2026-11-01\nrelationships:\n  half_life_days: 90\n  # all else commented out\nvalue:\n", encoding="utf-8")
    problems: list[Problem] = []
    got = settings.load_settings(book, problems)
    assert problems == []
    assert got["as_of"] == dt.date(2026, 11, 1)
    assert got["relationships"]["half_life_days"] == 90
    assert got["relationships"]["high_influence"] == 4
    assert got["value"]["refusal_churn_pct"] == 25


def test_a_bad_value_is_reported_and_its_default_used(tmp_path):
    book = write_mini(tmp_path / "wb")
    (book / "settings.yaml").write_text("classification:\n  key_at: high\n  pareto_share: 70\n", encoding="utf-8")
    problems: list[Problem] = []
    got = settings.load_settings(book, problems)
    assert [p.column for p in problems] == ["classification.key_at"]
    assert got["classification"]["key_at"] == 65 and got["classification"]["pareto_share"] == 70


def alias_bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels):
        refs = ", ".join([f"*a{n - 1}"] * 10)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", ["settings.yaml", "questions.yaml", "indicators.yaml"])
def test_a_yaml_alias_bomb_is_refused_at_load(tmp_path, capsys, name):
    book = write_mini(tmp_path / "wb")
    (book / name).write_text(alias_bomb(), encoding="utf-8")  # a billion values once expanded
    before = snapshot(book)
    code, out = validate(book, capsys)
    assert code == 1
    assert f"error: {name}: YAML whose aliases (*name) repeat at most 100,000 values; this file expands to 1,234,567,909" in out
    assert snapshot(book) == before


def test_a_few_aliases_are_fine():
    problems: list[Problem] = []
    doc = settings.read_yaml("base: &b {key_at: 60}\nclassification: *b\n", "settings.yaml", problems)
    assert problems == [] and doc["classification"] == {"key_at": 60}


def test_yaml_never_builds_python_objects():
    problems: list[Problem] = []
    assert settings.read_yaml("x: !!python/object/apply:os.system [echo hi]\n", "settings.yaml", problems) == {}
    assert problems and "valid YAML" in problems[0].expected


def _leaves(doc: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in doc.items():
        path = f"{prefix}{key}"
        out += _leaves(value, path + ".") if isinstance(value, dict) and value else [path]
    return out


def test_every_shipped_setting_has_a_rule():
    missing = [path for path in _leaves(settings.defaults()) if settings._rule_for(path) is None]
    assert missing == [], f"settings without a type and range in kamnb/settings.py: {missing}"


def test_a_setting_without_a_rule_must_have_its_defaults_type(monkeypatch):
    settings._rule_for("currency")  # fills RULES
    monkeypatch.delitem(settings.RULES, "batch.kernel")
    assert settings.check_settings({"batch": {"kernel": "python3"}}) == []
    assert [str(p) for p in settings.check_settings({"batch": {"kernel": 3}})] == [
        "settings.yaml, key batch.kernel: found '3', expected some text like the default ('python3')"
    ]
