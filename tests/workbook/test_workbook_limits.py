"""Bad input a user or an attacker may hand the loader: a clear message with file, row and column, never a crash,
a hang or a silent misread, and the input files never changed. Every fixture is generated here."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, write_mini

from kamnb.cli import main
from kamnb.workbook import MAX_PROBLEMS_PER_COLUMN, check_workbook, load_workbook
from kamnb.workbook.journal import Journal


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file of a folder, byte for byte."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink()}


def validate(book: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(book), "--quiet"])
    out = capsys.readouterr().out
    assert "Traceback" not in out
    return code, out


def lines(out: str, level: str = "error") -> list[str]:
    return [line for line in out.splitlines() if line.startswith(f"{level}: ")]


# --------------------------------------------------------------------------- sheet names


def test_near_miss_file_name_is_a_warning_naming_the_sheet(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "relationship.csv").rename(book / "relationships.csv")
    before = snapshot(book)
    code, out = validate(book, capsys)
    assert code == 0
    assert "warning: relationships.csv: a sheet kamnb knows (did you mean relationship? this file is not read)" in out
    assert snapshot(book) == before


def test_file_names_match_whatever_their_case(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "actions.csv").rename(book / "Actions.CSV")
    code, out = validate(book, capsys)
    assert code == 0 and not lines(out, "warning")
    assert list(load_workbook(book).actions.index) == ["AC1"]


def test_two_files_for_one_sheet_are_an_error(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "Actions.csv").write_bytes((book / "actions.csv").read_bytes())
    if len(list(book.glob("*ctions.csv"))) < 2:
        pytest.skip("this file system does not tell Actions.csv from actions.csv")
    code, out = validate(book, capsys)
    assert code == 1
    assert "error: Actions.csv: one file for the actions sheet; found Actions.csv and actions.csv" in out


def test_missing_sheet_is_one_line_not_one_per_reference(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    rows = "".join(f"S2,2025-{m:02d}-01,3,3\n" for m in range(1, 13)) * 10
    (book / "stakeholder_history.csv").write_text("stakeholder_id,assessed_on,influence,support\n" + rows)
    (book / "stakeholders.csv").rename(book / "stakehodlers.csv")
    code, out = validate(book, capsys)
    assert code == 1
    assert len(lines(out)) == 1, out
    assert "stakeholders.csv: a sheet named stakeholders" in lines(out)[0] and "references to it are not checked" in lines(out)[0]
    assert "warning: stakehodlers.csv: a sheet kamnb knows (did you mean stakeholders? this file is not read)" in out


def test_xlsx_tabs_match_case_insensitively_and_near_misses_are_named(tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    mini = write_mini(tmp_path / "csv")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, title in [("accounts", "Accounts"), ("stakeholders", "stakehodlers"), ("opportunities", "OPPORTUNITIES")]:
        ws = book.create_sheet(title)
        for line in (mini / f"{name}.csv").read_text().splitlines():
            ws.append(line.split(","))
    path = tmp_path / "book.xlsx"
    book.save(path)
    before = path.read_bytes()
    code, out = validate(path, capsys)
    assert code == 1
    assert "warning: book.xlsx [stakehodlers]: a sheet kamnb knows (did you mean stakeholders? this tab is not read)" in out
    assert lines(out) == ["error: book.xlsx [stakeholders]: a sheet named stakeholders (people at the customer who take part in decisions, "
                          "and who of ours owns the contact); it is missing from book.xlsx, so references to it are not checked"]
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- dates


def test_an_open_end_date_reads_as_no_date(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "actions.csv").write_text("action_id,account_id,category,action,owner,due,status\nAC1,A1,care_cultivate,Review,Jana,9999-12-31,open\n")
    (book / "opportunities.csv").write_text((book / "opportunities.csv").read_text().replace("2027-03-31", "9999-12-31"))
    code, _ = validate(book, capsys)
    assert code == 0
    wb = load_workbook(book)
    assert wb.actions["due"].isna().all() and wb.opportunities["expected_close"].isna().sum() == 1


@pytest.mark.parametrize(
    ("sheet", "column", "value"),
    [("accounts", "customer_since", "0001-01-01"), ("stakeholders", "last_contact", "9999-12-31"), ("qualification", "assessed_on", "1677-01-01"), ("actions", "due", "0001-01-01")],
)
def test_a_date_pandas_cannot_hold_is_an_error_with_its_cell(tmp_path, capsys, sheet, column, value):
    book = write_mini(tmp_path / "wb")
    text = (book / f"{sheet}.csv").read_text().splitlines()
    header = text[0].split(",")
    if column not in header:
        header.append(column)
        text = [",".join(header)] + [row + "," for row in text[1:]]
    cells = text[1].split(",")
    cells[header.index(column)] = value
    text[1] = ",".join(cells)
    (book / f"{sheet}.csv").write_text("\n".join(text) + "\n")
    before = snapshot(book)
    code, out = validate(book, capsys)
    assert code == 1
    assert f"error: {sheet}.csv, row 2, column {column}: found '{value}', expected a date such as 2026-03-31" in out
    assert "(out of range: from 1900-01-01 to 2199-12-31)" in out
    assert main(["export", str(book), "--out", str(tmp_path / "out")]) == 1
    assert f"{sheet}.csv, row 2, column {column}: found '{value}'" in capsys.readouterr().err
    assert snapshot(book) == before


# --------------------------------------------------------------------------- cells, quotes, encodings, sizes


def test_a_huge_cell_is_an_error_naming_row_and_column(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "actions.csv").write_text(f"action_id,account_id,category,action\nAC1,A1,care_cultivate,{'x' * 200_000}\n")
    code, out = validate(book, capsys)
    assert code == 1
    assert "error: actions.csv, row 2, column action: found 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...', " \
           "expected a cell of at most 32,767 characters (Excel's limit); this one has 200,000" in out


def test_an_unterminated_quote_at_the_end_is_an_error(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "actions.csv").write_text('action_id,account_id,category,action\nAC1,A1,care_cultivate,"Review\nAC2,A1,care_cultivate,Call\n')
    code, out = validate(book, capsys)
    assert code == 1
    assert "error: actions.csv, row 2: well-formed CSV; the row starting on line 2 cannot be read (unexpected end of data" in out


def test_a_stray_quote_that_swallows_rows_is_an_error(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    rows = ['AC1,A1,care_cultivate,"Review', "AC2,A1,care_cultivate,Call", "AC3,A1,care_cultivate,Visit", 'AC4,A1,care_cultivate,Plan",x']
    (book / "actions.csv").write_text("action_id,account_id,category,action,owner\n" + "\n".join(rows) + "\n")
    code, out = validate(book, capsys)
    assert code == 1
    assert "error: actions.csv, row 2, column action: found" in out
    assert "expected a closing quote; the quote opened on line 2 runs over 3 line(s) that look like rows of their own" in out


def test_a_quoted_cell_over_several_lines_is_fine(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "actions.csv").write_text('action_id,account_id,category,action\nAC1,A1,care_cultivate,"Review\nwith the COO"\n')
    code, _ = validate(book, capsys)
    assert code == 0
    assert load_workbook(book).actions.loc["AC1", "action"] == "Review\nwith the COO"


def test_mixed_utf8_and_cp1252_each_line_read_in_its_own_encoding(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    head = "stakeholder_id,account_id,name,title,influence,support\n"
    data = head.encode() + "S1,A1,Jürgen Öztürk,COO,5,4\n".encode() + "S2,A1,René Müller,CIO,3,2\n".encode("cp1252") + b"S3,A2,Cy Dorn,CFO,4,3\n"
    (book / "stakeholders.csv").write_bytes(data)
    code, out = validate(book, capsys)
    assert code == 0
    assert "warning: stakeholders.csv: one encoding; UTF-8 mixed with Windows-1252 on line(s) 3, each line read in its own encoding" in out
    assert list(load_workbook(book).stakeholders["name"]) == ["Jürgen Öztürk", "René Müller", "Cy Dorn"]
    assert (book / "stakeholders.csv").read_bytes() == data


def test_amounts_too_large_to_add_up_are_errors(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "accounts.csv").write_text((book / "accounts.csv").read_text().replace(",1200000,", ",1e308,").replace(",400000,", ",1e308,"))
    code, out = validate(book, capsys)
    assert code == 1
    assert "error: accounts.csv, row 2, column revenue_12m: found '1e308', expected a number of at least 0 (too large: at most 15 digits before the decimal point)" in out
    assert "row 3, column revenue_12m" in out


def test_a_named_pipe_or_a_link_to_a_device_is_refused_unread(tmp_path):
    book = write_mini(tmp_path / "wb")
    (book / "actions.csv").unlink()
    os.mkfifo(book / "actions.csv")  # nothing ever writes to it: reading would hang
    (book / "value.csv").symlink_to("/dev/zero")  # reading would never end
    (book / "settings.yaml").unlink()
    os.mkfifo(book / "settings.yaml")
    (book / "questions.yaml").symlink_to("/dev/zero")
    run = subprocess.run(
        [sys.executable, "-m", "kamnb", "validate", str(book), "--quiet"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 1
    assert "error: actions.csv: a regular file; this is a named pipe" in run.stdout
    assert "error: value.csv: a regular file; this is a device (a link to /dev/zero)" in run.stdout
    assert "error: settings.yaml: a regular file; this is a named pipe" in run.stdout
    assert "error: questions.yaml: a regular file; this is a device" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


# --------------------------------------------------------------------------- caps


def test_a_column_of_bad_values_gives_a_short_report(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    rows = "".join(f"X{n},2025-10-01,3,3\n" for n in range(200_000))
    (book / "stakeholder_history.csv").write_text("stakeholder_id,assessed_on,influence,support\n" + rows)
    code, out = validate(book, capsys)
    assert code == 1
    errors = lines(out)
    assert len(errors) == MAX_PROBLEMS_PER_COLUMN + 1
    assert errors[0] == "error: stakeholder_history.csv, row 2, column stakeholder_id: found 'X0', expected an id from the stakeholders sheet"
    assert errors[-1] == "error: stakeholder_history.csv, column stakeholder_id: … and 199,990 more problems in this column"
    assert out.splitlines()[-1].endswith(": 11 error(s), 0 warning(s)")


# --------------------------------------------------------------------------- journal


def test_reading_never_writes_into_an_empty_journal(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "journal.sqlite").write_bytes(b"")
    code, _ = validate(book, capsys)
    assert code == 0
    assert (book / "journal.sqlite").read_bytes() == b""


def test_bad_journal_rows_are_reported_and_skipped_and_the_workbook_opens(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    with Journal(book / "journal.sqlite") as j:
        j.set("accounts", {"account_id": "A1"}, "strategic_fit", 4, 5, who="Ann")
        j.set("relationship", {"account_id": "A1", "indicator_id": "prompt_payment"}, "score", 4, 5, who="Ann")
        j.set("accounts", {"account_id": "A2"}, "growth_potential", 2, 3, who="Ann")
    with sqlite3.connect(book / "journal.sqlite") as conn:
        conn.execute("UPDATE changes SET at = 'yesterday' WHERE seq = 2")
        conn.execute("UPDATE changes SET new = x'ff00' WHERE seq = 3")
    before = snapshot(book)
    code, out = validate(book, capsys)
    assert code == 0
    warnings = lines(out, "warning")
    assert any(w.startswith("warning: journal.sqlite, row 2, column score: a change kamnb can apply (ValueError: Invalid isoformat string: 'yesterday')") for w in warnings)
    assert any(w.startswith("warning: journal.sqlite, row 3, column growth_potential: found") and "skipped, the workbook opens without it)" in w for w in warnings)
    wb = load_workbook(book)
    assert wb.accounts.loc["A1", "strategic_fit"] == 5.0 and wb.accounts.loc["A2", "growth_potential"] == 2.0
    assert snapshot(book)["journal.sqlite"] == before["journal.sqlite"]


# --------------------------------------------------------------------------- bank weights


@pytest.mark.parametrize("weight", [".inf", ".nan", "-1", "high", "true"])
def test_a_question_weight_must_be_a_finite_number_of_0_or_more(tmp_path, capsys, weight):
    book = write_mini(tmp_path / "wb")
    bank = (ROOT / "kamnb" / "defaults" / "questions.yaml").read_text().replace("weight: 1.5", f"weight: {weight}", 1)
    (book / "questions.yaml").write_text(bank)
    code, out = validate(book, capsys)
    assert code == 1
    assert "(budget).weight: found" in out and "expected a weight: a number of 0 or more (0 = shown but not counted)" in out


def test_every_weight_zero_is_an_error(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (book / "indicators.yaml").write_text("indicators:\n  - {id: prompt_payment, name: P, text: t, side: customer, weight: 0}\n")
    code, out = validate(book, capsys)
    assert code == 1
    assert "error: indicators.yaml, key indicators.weight: at least one of the indicators with a weight above 0 (every weight is 0)" in out


def test_check_workbook_returns_a_plain_problem_list(tmp_path):
    _, problems = check_workbook(write_mini(tmp_path / "wb"))
    assert problems == []


def test_a_sheet_longer_than_excel_allows_is_refused(tmp_path, capsys, monkeypatch):
    from kamnb.workbook import reading as workbook

    monkeypatch.setattr(workbook, "MAX_ROWS", 5)  # the real limit is Excel's 1,048,575 rows
    book = write_mini(tmp_path / "wb")
    (book / "stakeholder_history.csv").write_text("stakeholder_id,assessed_on,influence,support\n" + "S2,2025-10-01,3,3\n" * 6)
    code, out = validate(book, capsys)
    assert code == 1
    assert lines(out) == ["error: stakeholder_history.csv: a sheet of at most 5 rows below its header (Excel's limit); this one has more"]
