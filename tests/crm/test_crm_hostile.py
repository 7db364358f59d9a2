"""A hostile CRM export through the real ``kamnb import-crm``: no output holds a live formula or live markup.

The export is built by :func:`hostile.write_hostile_crm`: every free text the
mapping reads (names, sectors, countries, products, people, titles) is an
attack, one deal's stage word is one, the mapping's name is one and the export
folder is named like the hostile workbook's. Both shipped layouts are tried.
"""
from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
import yaml
from hostile import formula_leaks, leaks, markdown_leaks, write_hostile_crm, xlsx_formula_cells

from kamnb.cli import main

# A text cell a spreadsheet would evaluate if it were not neutralised: what the attacks start with.
FORMULA_START = re.compile(r"^[=+\-@]")


def outside_code_spans(markdown: str) -> str:
    """The Markdown with its code spans left out (a code span shows its text as it is, markup included)."""
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)


@pytest.fixture(scope="module", params=["maven", "salesforce"])
def imported(request, tmp_path_factory) -> tuple[Path, str]:
    """The workbook ``kamnb import-crm`` wrote from a hostile export of one layout, and what the command printed."""
    parent = tmp_path_factory.mktemp(f"hostile-crm-{request.param}")
    export, mapping = write_hostile_crm(parent, request.param)
    out = parent / "wb"
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        code = main(["import-crm", str(export), "--out", str(out), "--mapping", str(mapping)])
    assert code == 0, said.getvalue()
    return out, said.getvalue()


def test_the_export_is_attacked_in_every_text_it_is_read_for(imported):
    out, said = imported
    accounts = list(csv.DictReader((out / "accounts.csv").open(encoding="utf-8")))
    for column in ("name", "industry", "country", "account_manager"):
        assert accounts and all("<" in r[column] for r in accounts), column
    assert "Traceback" not in said


def test_no_csv_cell_is_a_live_formula(imported):
    out, _ = imported
    csvs = sorted(out.glob("*.csv"))
    assert len(csvs) >= 8
    neutralised = 0
    for path in csvs:
        assert formula_leaks(path) == [], path.name
        with path.open(encoding="utf-8", newline="") as f:
            neutralised += sum(cell.startswith(("'=", "'+", "'-", "'@")) for row in csv.reader(f) for cell in row)
    assert neutralised >= 20  # the attacks are there, each behind the apostrophe


def test_no_xlsx_cell_is_a_formula_and_the_attacks_stay_text(imported, tmp_path, capsys):
    out, _ = imported
    exported = tmp_path / "workbook.xlsx"
    assert main(["export", str(out), "--xlsx", "--out", str(exported)]) == 0
    capsys.readouterr()
    for path in (out / "to_judge.xlsx", exported):
        assert xlsx_formula_cells(path) == [], path.name
        book = openpyxl.load_workbook(path)
        texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert any(FORMULA_START.match(t) and "<" in t for t in texts), path.name  # kept as the text it was


def test_the_import_report_holds_no_live_markdown_or_html(imported):
    out, _ = imported
    report = (out / "import_report.md").read_text(encoding="utf-8")
    assert markdown_leaks(report) == []
    assert leaks(outside_code_spans(report)) == []
    assert "&lt;img src=x onerror=alert(1)" in report and "\\[click\\](https\\://attacker.invalid/" in report  # shown, as text


def test_the_imported_workbook_validates_and_its_settings_hold_only_kamnb_keys(imported, capsys):
    out, _ = imported
    assert main(["validate", str(out), "--quiet"]) == 0
    assert "Traceback" not in capsys.readouterr().out
    settings = yaml.safe_load((out / "settings.yaml").read_text(encoding="utf-8"))
    assert set(settings) <= {"as_of", "currency", "qualification"}
    for page in out.rglob("*.html"):  # the import writes no page today; any it writes must be inert
        assert leaks(page.read_text(encoding="utf-8")) == [], page.name
