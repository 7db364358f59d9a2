"""The CRM import report: every text from the export, the mapping or a path shows as text, never as live Markdown or HTML."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hostile import markdown_leaks

from kamnb.cli import main
from kamnb.crm.report import md_code, md_text

ROOT = Path(__file__).resolve().parents[2]
CRM_EXAMPLE = ROOT / "data" / "crm-example"

ATTACKS = {
    "link": "[click me](https://attacker.invalid/)",
    "image": "![logo](https://attacker.invalid/x.png)",
    "html": "<img src=x onerror=alert(1)>",
    "pipes": "left | right | more",
    "heading": "Acme\n# You have been owned",
    "emphasis": "*loud* __louder__ ~~gone~~",
    "autolink": "<https://attacker.invalid/> https://attacker.invalid/ www.attacker.invalid x@attacker.invalid",
    "entity": "&lt;img src=x onerror=alert(2)&gt;",
    "backticks": "`` ` code `` ``",
}


@pytest.mark.parametrize("kind", ATTACKS)
def test_an_attack_renders_as_its_own_text(kind):
    text = ATTACKS[kind]
    for rendered in (f"- Account: {md_text(text)}", f"| a | b |\n|---|---|\n| {md_text(text)} | {md_code(text)} |"):
        assert markdown_leaks(rendered) == [], rendered


def test_ordinary_texts_read_as_before():
    for text in ("sales_pipeline.csv", "set aside: no account (kept out of account figures)", "Example CRM (German export)", "GTX Pro", "1,425"):
        assert md_text(text) == text
    assert md_code("technolgy") == "`technolgy`"


def test_a_code_span_holds_any_backticks_and_keeps_its_table_cell():
    assert md_code("a``b") == "```a``b```"
    assert md_code("`x") == "`` `x ``"
    assert md_code("x|y") == "`x\\|y`" and md_code("x|y", cell=False) == "`x|y`"


def test_the_import_report_shows_hostile_account_names_as_text(tmp_path, capsys):
    export = tmp_path / "export"
    shutil.copytree(CRM_EXAMPLE, export)
    names = {"Glenhaven Bank": ATTACKS["link"] + " " + ATTACKS["pipes"], "Calder Freight": ATTACKS["html"] + " " + ATTACKS["heading"]}
    for name in ("accounts.csv", "sales_pipeline.csv"):
        path = export / name
        text = path.read_text(encoding="utf-8")
        for old, new in names.items():
            text = text.replace(old, '"' + new.replace('"', '""') + '"')
        path.write_text(text, encoding="utf-8")
    assert main(["import-crm", str(export), "--out", str(tmp_path / "wb")]) == 0
    capsys.readouterr()
    report = (tmp_path / "wb" / "import_report.md").read_text(encoding="utf-8")
    assert markdown_leaks(report) == []
    assert "| \\[click me\\](https\\://attacker.invalid/) left \\| right \\| more | 1 |" in report  # the group's name, as text
    assert "| `<img src=x onerror=alert(1)> Acme # You have been owned` |" in report  # a fixed value, in a code span: shown as typed
