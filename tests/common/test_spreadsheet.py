"""Formula-safe spreadsheets: no text of a workbook or a CRM export becomes a live formula in any CSV or xlsx kamnb writes."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from hostile import FORMULA, formula_leaks, xlsx_formula_cells

from kamnb.cli import main
from kamnb.common.spreadsheet import csv_text, csv_value, is_formula, put_cell, unquote
from kamnb.workbook import check_workbook, load_workbook

ROOT = Path(__file__).resolve().parents[2]
CRM_EXAMPLE = ROOT / "data" / "crm-example"


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("https://attacker.invalid","x")', "-2 days"])
def test_formula_looking_texts_get_an_apostrophe_and_read_back_unchanged(text):
    assert is_formula(text)
    assert csv_value(text) == "'" + text
    assert unquote(csv_value(text)) == text


@pytest.mark.parametrize("value", ["-5", "-1.5e3", "+3", "12", -5, 2.5, "Ann", "'tis", "a=b", ""])
def test_numbers_and_plain_texts_stay_as_they_are(value):
    assert csv_value(value) == value


def test_csv_text_neutralises_every_cell_including_the_header():
    rows = list(csv.reader(io.StringIO(csv_text(["=h", "n"], [["@x", -4], [None, "-4"]]))))
    assert rows == [["'=h", "n"], ["'@x", "-4"], ["", "-4"]]


def test_xlsx_text_is_a_text_cell_numbers_stay_numbers():
    ws = openpyxl.Workbook().active
    assert put_cell(ws, 1, 1, "=WEBSERVICE(\"https://attacker.invalid\")").data_type == "s"
    assert put_cell(ws, 1, 2, -3.5).data_type == "n"
    assert put_cell(ws, 1, 3, "Head\x0bof IT").value == "Headof IT"


def test_export_of_the_hostile_workbook_has_no_live_formula(hostile_book, tmp_path):
    assert main(["export", str(hostile_book), "--out", str(tmp_path / "csv")]) == 0
    for path in sorted((tmp_path / "csv").glob("*.csv")):
        assert formula_leaks(path) == [], path.name
    text = (tmp_path / "csv" / "stakeholders.csv").read_text(encoding="utf-8-sig")
    assert "'=" in text and "'+" in text and "'@" in text and "'-" in text
    assert main(["export", str(hostile_book), "--out", str(tmp_path / "book.xlsx"), "--xlsx"]) == 0
    assert xlsx_formula_cells(tmp_path / "book.xlsx") == []
    ws = openpyxl.load_workbook(tmp_path / "book.xlsx")["stakeholders"]
    titles = [c.value for c in ws["D"][1:]]
    assert any(str(t).startswith(("=", "+", "-", "@")) for t in titles)  # the text itself, as typed, in a text cell


def test_an_exported_csv_workbook_reads_back_exactly(hostile_book, tmp_path):
    assert main(["export", str(hostile_book), "--out", str(tmp_path / "again")]) == 0
    before, after = load_workbook(hostile_book), load_workbook(tmp_path / "again")
    for name in ("accounts", "stakeholders", "actions"):
        a = before.sheets[name].drop(columns="_row", errors="ignore")
        b = after.sheets[name].drop(columns="_row", errors="ignore")
        assert a.astype(str).equals(b.astype(str)), name


@pytest.mark.slow
def test_portfolio_files_of_the_hostile_run_have_no_live_formula(hostile_run):
    assert formula_leaks(hostile_run / "portfolio.csv") == []
    assert xlsx_formula_cells(hostile_run / "portfolio.xlsx") == []
    cells = [c.value for row in openpyxl.load_workbook(hostile_run / "portfolio.xlsx").active.iter_rows() for c in row]
    assert any(isinstance(v, str) and FORMULA.match(v) for v in cells)  # still there, as text
    assert any(isinstance(v, (int, float)) for v in cells)  # numbers stay numbers


def test_crm_import_outputs_have_no_live_formula(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(CRM_EXAMPLE, export)
    for name, cols in (("accounts.csv", ("account", "sector", "office_location")), ("sales_teams.csv", ("sales_agent", "manager", "regional_office")),
                       ("sales_pipeline.csv", ("account", "sales_agent"))):
        path = export / name
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        for r in rows:
            for c in cols:
                if r[c]:
                    r[c] = "=HYPERLINK(\"https://attacker.invalid\",\"" + r[c] + "\")" if c != "manager" else "@" + r[c]
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    assert main(["import-crm", str(export), "--out", str(tmp_path / "wb")]) == 0
    written = sorted((tmp_path / "wb").glob("*.csv"))
    assert len(written) >= 4
    for path in written:
        assert formula_leaks(path) == [], path.name
    for path in (tmp_path / "wb").glob("*.xlsx"):
        assert xlsx_formula_cells(path) == [], path.name
    names = load_workbook(tmp_path / "wb").accounts["name"]
    assert all(n.startswith("=HYPERLINK(") for n in names)  # read back as the CRM had it


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1b", "\x7f"])
def test_control_characters_are_a_validation_error_naming_file_row_and_column(tmp_path, char):
    folder = tmp_path / "wb"
    shutil.copytree(ROOT / "data" / "sample", folder)
    path = folder / "stakeholders.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    title = rows[0].index("title")
    rows[3][title] = f"Head{char}of IT"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    _, problems = check_workbook(folder)
    errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
    assert len(errors) == 1
    message = str(errors[0])
    assert "stakeholders.csv" in message and "row 4" in message and "title" in message
    assert f"U+{ord(char):04X}" in message
