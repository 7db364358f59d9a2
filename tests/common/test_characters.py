"""Control characters and direction overrides: one rule for sheet cells, settings, banks and CRM mappings.

Each is refused with a message naming the file, the key or row, the character
found (code point and Unicode name) and what is expected; never a traceback.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from helpers import write_mini

from kamnb.cli import main
from kamnb.common.characters import character_name, hidden_character, text_problems

ROOT = Path(__file__).resolve().parents[2]
CRM_EXAMPLE = ROOT / "data" / "crm-example"
DEFAULTS = ROOT / "kamnb" / "defaults"
RLO = "\u202e"
EXPECTED = "expected text without control characters or direction overrides"


def validate(book: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(book), "--quiet"])
    said = capsys.readouterr()
    return code, said.out + said.err


@pytest.mark.parametrize(
    ("char", "name"),
    [("\x00", "U+0000 NULL"), ("\x0b", "U+000B LINE TABULATION"), ("\x1b", "U+001B ESCAPE"), ("\x7f", "U+007F DELETE"),
     ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"), ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"), ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
     ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE")],
)
def test_each_hidden_character_is_named(char, name):
    assert character_name(char) == name
    assert hidden_character(f"ab{char}c") == f"{name} at character 3"


@pytest.mark.parametrize("text", ["tab\tand\nline\r\nbreaks", "Zoë Ørsted – 北京", "שלום عربي", "left\u200emark"])
def test_ordinary_text_passes(text):
    assert hidden_character(text) is None
    assert text_problems({"a": [text, {"b": text}]}, "settings.yaml") == []


def test_a_hidden_character_in_a_key_is_shown_escaped():
    [problem] = text_problems({"labels": {f"x{RLO}y": "fine"}}, "settings.yaml")
    assert problem.column == "labels.x\\u202ey" and RLO not in str(problem)


@pytest.mark.parametrize(
    ("settings", "where", "found"),
    [
        ({"classification": {"tiers": {"names": {"invest": f"Invest {RLO}tseuqer"}}}}, "key classification.tiers.names.invest", "U+202E RIGHT-TO-LEFT OVERRIDE at character 8"),
        ({"classification": {"partnership": {"labels": {"mutual": "mutual\x0bpartnership"}}}}, "key classification.partnership.labels.mutual", "U+000B LINE TABULATION at character 7"),
        ({"currency": "EUR\x00"}, "key currency", "U+0000 NULL at character 4"),
        ({"relationships": {"decision_roles": ["economic_buyer", f"decision{RLO}maker"]}}, "key relationships.decision_roles", "U+202E RIGHT-TO-LEFT OVERRIDE at character 9 of item 2"),
    ],
    ids=["tier-name", "partnership-label", "currency", "list-item"],
)
def test_a_setting_text_with_a_hidden_character_fails_validation_naming_key_and_character(tmp_path, capsys, settings, where, found):
    book = write_mini(tmp_path / "wb")
    (book / "settings.yaml").write_text(yaml.safe_dump({"as_of": "2026-11-01", **settings}, allow_unicode=True), encoding="utf-8")
    code, said = validate(book, capsys)
    assert code == 1
    assert f"settings.yaml, {where}: found " in said and f"{EXPECTED} (found {found})" in said
    assert "Traceback" not in said and RLO not in said and "\x00" not in said


@pytest.mark.parametrize(("bank", "key", "field"), [("questions.yaml", "questions", "help"), ("indicators.yaml", "indicators", "name")])
def test_a_bank_text_with_a_hidden_character_fails_validation_naming_the_entry(tmp_path, capsys, bank, key, field):
    book = write_mini(tmp_path / "wb")
    doc = yaml.safe_load((DEFAULTS / bank).read_text(encoding="utf-8"))
    entry = doc[key][1]
    entry[field] = f"{RLO}{entry[field]}"
    (book / bank).write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, said = validate(book, capsys)
    assert code == 1
    assert f"{bank}, key {key} entry 2 ({entry['id']}).{field}: found " in said
    assert f"{EXPECTED} (found U+202E RIGHT-TO-LEFT OVERRIDE at character 1)" in said
    assert "Traceback" not in said and RLO not in said


def test_a_sheet_cell_with_a_direction_override_fails_validation_naming_row_and_column(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    stakeholders = book / "stakeholders.csv"
    lines = stakeholders.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    cells = lines[1].split(",")
    cells[head.index("title")] = f"CFO {RLO}evil"
    stakeholders.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    code, said = validate(book, capsys)
    assert code == 1
    assert "stakeholders.csv, row 2, column title: found 'CFO \\u202eevil'" in said
    assert "(found U+202E RIGHT-TO-LEFT OVERRIDE at character 5)" in said and "Traceback" not in said


@pytest.mark.parametrize(
    ("change", "key", "found"),
    [
        (lambda m: m.update(currency=f"US{RLO}D"), "currency", "U+202E RIGHT-TO-LEFT OVERRIDE at character 3"),
        (lambda m: m.setdefault("spelling", {}).update(sector={"retail": "Retail\x1b[2J"}), "spelling.sector.retail", "U+001B ESCAPE at character 7"),
        (lambda m: m["columns"]["accounts"].update(name=f"account{RLO}"), "columns.accounts.name", "U+202E RIGHT-TO-LEFT OVERRIDE at character 8"),
    ],
    ids=["currency", "spelling", "column"],
)
def test_a_crm_mapping_value_with_a_hidden_character_is_refused_by_import_crm(tmp_path, capsys, change, key, found):
    export = tmp_path / "export"
    shutil.copytree(CRM_EXAMPLE, export)
    mapping = yaml.safe_load((DEFAULTS / "crm_maven.yaml").read_text(encoding="utf-8"))
    change(mapping)
    path = tmp_path / "map.yaml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    assert main(["import-crm", str(export), "--out", str(tmp_path / "wb"), "--mapping", str(path)]) == 1
    said = capsys.readouterr()
    assert f"{path}, key {key}: found " in said.err and f"{EXPECTED} (found {found})" in said.err
    assert "Traceback" not in said.err + said.out and RLO not in said.err and "\x1b" not in said.err
    assert not (tmp_path / "wb").exists()
