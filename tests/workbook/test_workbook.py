"""Validation of a workbook: every bad-input case is reported by file, row, column and expectation."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from kamnb.errors import AccountNotFound, WorkbookError
from kamnb.workbook import check_workbook, load_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"

ACCOUNTS = (
    "account_id,name,industry,parent_id,revenue_12m,gross_margin_pct,growth_potential,customer_since\n"
    "A1,Alpha,retail,,1000,30,4,2015-01-01\n"
    "A2,Beta,energy,A1,500,20,3,2018-06-30\n"
)
STAKEHOLDERS = "stakeholder_id,account_id,name,influence,support,decision_role\nS1,A1,Ann,5,4,economic_buyer\n"
OPPORTUNITIES = "opportunity_id,account_id,name,kind,value\nO1,A1,Renewal,retain,100\n"
QUALIFICATION = "opportunity_id,question_id,answer,evidence\nO1,budget,yes,Seen the budget\n"


def write_book(folder: Path, **sheets: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    base = {"accounts": ACCOUNTS, "stakeholders": STAKEHOLDERS, "opportunities": OPPORTUNITIES, "qualification": QUALIFICATION}
    base.update(sheets)
    for name, text in base.items():
        if text is None:
            continue
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def errors(path: Path) -> list[str]:
    _, problems = check_workbook(path)
    return [str(p) for p in problems if p.level == "error"]


def warnings(path: Path) -> list[str]:
    _, problems = check_workbook(path)
    return [str(p) for p in problems if p.level == "warning"]


def test_good_workbook_loads_typed(tmp_path):
    wb = load_workbook(write_book(tmp_path / "wb"))
    assert list(wb.accounts.index) == ["A1", "A2"]
    assert wb.accounts.loc["A1", "revenue_12m"] == 1000.0
    assert wb.accounts.loc["A2", "parent_id"] == "A1"
    assert wb.accounts.loc["A2", "customer_since"] == pd.Timestamp("2018-06-30")
    assert wb.qualification.iloc[0]["answer"] == "yes"
    assert not wb.has_column("accounts", "cost_to_serve")
    assert wb.has_column("accounts", "gross_margin_pct")
    assert pd.isna(wb.accounts.loc["A1", "cost_to_serve"])
    assert wb.relationship.empty and "indicator_id" in wb.relationship.columns


def test_missing_sheet(tmp_path):
    book = write_book(tmp_path / "wb", stakeholders=None)
    assert any(e.startswith("stakeholders.csv: a sheet named stakeholders") and "missing from" in e for e in errors(book))


def test_missing_required_column(tmp_path):
    book = write_book(tmp_path / "wb", opportunities="opportunity_id,account_id,name,value\nO1,A1,Renewal,100\n")
    assert "opportunities.csv, row 1, column kind: a column named kind" in "\n".join(errors(book))


def test_empty_sheet(tmp_path):
    book = write_book(tmp_path / "wb", accounts="")
    assert any(e.startswith("accounts.csv: a header row") and "empty" in e for e in errors(book))
    book2 = write_book(tmp_path / "wb2", accounts="account_id,name,revenue_12m\n")
    assert "accounts.csv: at least one account; the sheet has only its header" in errors(book2)


def test_header_only_stakeholders_is_a_warning(tmp_path):
    book = write_book(tmp_path / "wb", stakeholders="stakeholder_id,account_id,name,influence,support\n")
    assert not errors(book)
    assert any("stakeholders.csv" in w and "only its header" in w for w in warnings(book))


def test_duplicate_ids(tmp_path):
    book = write_book(tmp_path / "wb", accounts=ACCOUNTS + "A1,Alpha again,retail,,10,5,2,2020-01-01\n")
    assert "accounts.csv, row 4, column account_id: found 'A1', expected a unique id (already used on row 2)" in errors(book)


def test_unknown_references(tmp_path):
    book = write_book(
        tmp_path / "wb",
        stakeholders=STAKEHOLDERS + "S2,A9,Bob,3,3,user\n",
        opportunities=OPPORTUNITIES + "O2,A7,Upsell,grow,50\n",
        qualification=QUALIFICATION + "O9,budget,no,\nO1,colour,yes,\n",
    )
    errs = errors(book)
    assert "stakeholders.csv, row 3, column account_id: found 'A9', expected an id from the accounts sheet" in errs
    assert "opportunities.csv, row 3, column account_id: found 'A7', expected an id from the accounts sheet" in errs
    assert "qualification.csv, row 3, column opportunity_id: found 'O9', expected an id from the opportunities sheet" in errs
    assert "qualification.csv, row 4, column question_id: found 'colour', expected an id from the questions sheet" in errs


def test_parent_cycle(tmp_path):
    accounts = "account_id,name,parent_id,revenue_12m\nA1,Alpha,A3,1\nA2,Beta,A1,1\nA3,Gamma,A2,1\nA4,Delta,,1\n"
    book = write_book(tmp_path / "wb", accounts=accounts)
    cyc = [e for e in errors(book) if "cycle" in e]
    assert len(cyc) == 1
    assert cyc[0].startswith("accounts.csv, row 2, column parent_id: found 'A3'")
    assert "A1 -> A3 -> A2 -> A1" in cyc[0]


def test_self_parent_is_a_cycle(tmp_path):
    book = write_book(tmp_path / "wb", accounts="account_id,name,parent_id,revenue_12m\nA1,Alpha,A1,1\n")
    assert any("cycle A1 -> A1" in e for e in errors(book))


def test_numbers_non_numeric_negative_and_impossible(tmp_path):
    accounts = (
        "account_id,name,revenue_12m,gross_margin_pct,share_of_wallet_pct,growth_potential\n"
        "A1,Alpha,lots,30,10,4\n"
        "A2,Beta,-5,30,10,4\n"
        "A3,Gamma,100,30,140,4\n"
        "A4,Delta,100,30,10,7\n"
        "A5,Eps,=SUM(B2:B4),30,10,4\n"
    )
    book = write_book(tmp_path / "wb", accounts=accounts, stakeholders="stakeholder_id,account_id,name,influence,support\nS1,A1,Ann,0,3\n")
    errs = errors(book)
    assert "accounts.csv, row 2, column revenue_12m: found 'lots', expected a number of at least 0 (not a number)" in errs
    assert "accounts.csv, row 3, column revenue_12m: found '-5', expected a number of at least 0 (out of range)" in errs
    assert "accounts.csv, row 4, column share_of_wallet_pct: found '140', expected a percentage from 0 to 100 (out of range)" in errs
    assert "accounts.csv, row 5, column growth_potential: found '7', expected a score from 1 to 5 (out of range)" in errs
    assert "accounts.csv, row 6, column revenue_12m: found '=SUM(B2:B4)', expected a number of at least 0 (a formula (formulas are not evaluated))" in errs
    assert "stakeholders.csv, row 2, column influence: found '0', expected a score from 1 to 5 (out of range)" in errs


def test_required_value_empty(tmp_path):
    book = write_book(tmp_path / "wb", accounts="account_id,name,revenue_12m\nA1,,100\n")
    assert "accounts.csv, row 2, column name: found '', expected text (this column must be filled)" in errors(book)


def test_unparseable_dates(tmp_path):
    accounts = "account_id,name,revenue_12m,customer_since\nA1,Alpha,1,2026-02-30\nA2,Beta,1,soon\n"
    errs = errors(write_book(tmp_path / "wb", accounts=accounts))
    assert "accounts.csv, row 2, column customer_since: found '2026-02-30', expected a date such as 2026-03-31 (not a date)" in errs
    assert "accounts.csv, row 3, column customer_since: found 'soon', expected a date such as 2026-03-31 (not a date)" in errs


def test_answer_words_variants_and_unknown(tmp_path):
    qual = "opportunity_id,question_id,answer\nO1,budget, Yes \nO1,preference,PARTLY\nO1,uniques,dunno\n"
    book = write_book(tmp_path / "wb", qualification=qual)
    errs = errors(book)
    assert errs == ["qualification.csv, row 4, column answer: found 'dunno', expected one of: yes, partly, no, unknown (not one of the allowed words)"]


def test_all_problems_in_one_pass(tmp_path):
    accounts = "account_id,name,revenue_12m,customer_since\nA1,Alpha,x,never\nA1,Beta,-1,2020-01-01\n"
    book = write_book(tmp_path / "wb", accounts=accounts)
    assert len(errors(book)) >= 4


def test_utf8_bom_is_read(tmp_path):
    book = write_book(tmp_path / "wb", accounts=("\ufeff" + ACCOUNTS.replace("Alpha", "Ærø Fødevarer")).encode("utf-8"))
    wb = load_workbook(book)
    assert wb.accounts.loc["A1", "name"] == "Ærø Fødevarer"
    assert "account_id" in wb.accounts.columns


def test_cp1252_is_read_with_a_warning(tmp_path):
    book = write_book(tmp_path / "wb", accounts=ACCOUNTS.replace("Alpha", "Müller & Söhne – Café").encode("cp1252"))
    wb = load_workbook(book)
    assert wb.accounts.loc["A1", "name"] == "Müller & Söhne – Café"
    assert any("accounts.csv" in w and "Windows-1252" in w for w in warnings(book))


def test_undecodable_file_says_what_is_wrong(tmp_path):
    book = write_book(tmp_path / "wb", accounts=b"account_id,name,revenue_12m\nA1,\x81\x8d\x8f\x90\x9d,1\n")
    assert any(e.startswith("accounts.csv: a UTF-8 or Windows-1252 text file") for e in errors(book))


def test_thousands_separators_as_excel_writes_them(tmp_path):
    accounts = 'account_id,name,revenue_12m,cost_to_serve\nA1,Alpha,"1,250,000","12,500.50"\n'
    wb = load_workbook(write_book(tmp_path / "wb", accounts=accounts))
    assert wb.accounts.loc["A1", "revenue_12m"] == 1250000.0
    assert wb.accounts.loc["A1", "cost_to_serve"] == 12500.5


def test_semicolon_csv_from_european_excel(tmp_path):
    accounts = "account_id;name;revenue_12m;gross_margin_pct\nA1;Alpha;1.250.000;32,5\n"
    wb = load_workbook(write_book(tmp_path / "wb", accounts=accounts))
    assert wb.accounts.loc["A1", "revenue_12m"] == 1250000.0
    assert wb.accounts.loc["A1", "gross_margin_pct"] == 32.5


def test_formula_looking_text_kept_as_text(tmp_path):
    accounts = 'account_id,name,revenue_12m,account_goal\nA1,"=HYPERLINK(""http://evil"",""x"")",1,"=1+1"\n'
    wb = load_workbook(write_book(tmp_path / "wb", accounts=accounts))
    assert wb.accounts.loc["A1", "name"] == '=HYPERLINK("http://evil","x")'
    assert wb.accounts.loc["A1", "account_goal"] == "=1+1"


def test_unknown_extra_column_is_a_warning(tmp_path):
    book = write_book(tmp_path / "wb", accounts=ACCOUNTS.replace("customer_since\n", "customer_since,notes\n", 1)
                      .replace("2015-01-01\n", "2015-01-01,call back\n"))
    assert not errors(book)
    assert "accounts.csv, row 1, column notes: a known column; this one is kept but not used by kamnb" in warnings(book)
    assert load_workbook(book).accounts.loc["A1", "notes"] == "call back"


def test_value_range_order(tmp_path):
    value = "account_id,value_low,value_expected,value_high\nA1,100,50,200\n"
    book = write_book(tmp_path / "wb", value=value)
    assert "value.csv, row 2, column value_expected: value_low <= value_expected <= value_high" in errors(book)


def test_load_raises_with_every_error(tmp_path):
    book = write_book(tmp_path / "wb", accounts="account_id,name,revenue_12m\nA1,Alpha,x\nA2,Beta,y\n")
    with pytest.raises(WorkbookError) as info:
        load_workbook(book)
    assert "2 error(s)" in str(info.value)
    assert "row 2" in str(info.value) and "row 3" in str(info.value)


def test_loader_never_changes_files(tmp_path):
    book = write_book(tmp_path / "wb", accounts="account_id,name,revenue_12m\nA1,Alpha,x\n")
    before = {p.name: p.read_bytes() for p in book.iterdir()}
    check_workbook(book)
    assert {p.name: p.read_bytes() for p in book.iterdir()} == before


def test_xlsx_workbook_with_percent_and_formula(tmp_path):
    from openpyxl import Workbook as XL

    xl = XL()
    ws = xl.active
    ws.title = "accounts"
    ws.append(["account_id", "name", "revenue_12m", "gross_margin_pct", "customer_since"])
    ws.append(["A1", '=HYPERLINK("http://x","Alpha")', 1250000, 0.32, pd.Timestamp("2015-01-01").to_pydatetime()])
    ws["D2"].number_format = "0%"
    for name, header, row in [
        ("stakeholders", ["stakeholder_id", "account_id", "name", "influence", "support"], ["S1", "A1", "Ann", 5, 4]),
        ("opportunities", ["opportunity_id", "account_id", "name", "kind", "value"], ["O1", "A1", "Renewal", "Retain", 100]),
    ]:
        sh = xl.create_sheet(name)
        sh.append(header)
        sh.append(row)
    path = tmp_path / "book.xlsx"
    xl.save(path)
    wb = load_workbook(path)
    assert wb.accounts.loc["A1", "name"] == '=HYPERLINK("http://x","Alpha")'
    assert wb.accounts.loc["A1", "gross_margin_pct"] == pytest.approx(32.0)
    assert wb.accounts.loc["A1", "customer_since"] == pd.Timestamp("2015-01-01")
    assert wb.opportunities.loc["O1", "kind"] == "retain"


def test_xlsx_errors_name_the_tab(tmp_path):
    from openpyxl import Workbook as XL

    xl = XL()
    ws = xl.active
    ws.title = "accounts"
    ws.append(["account_id", "name", "revenue_12m"])
    ws.append(["A1", "Alpha", "lots"])
    path = tmp_path / "book.xlsx"
    xl.save(path)
    errs = errors(path)
    assert "book.xlsx [accounts], row 2, column revenue_12m: found 'lots', expected a number of at least 0 (not a number)" in errs
    assert any(e.startswith("book.xlsx [stakeholders]: a sheet named stakeholders") for e in errs)


def test_workbook_override_banks(tmp_path):
    book = write_book(tmp_path / "wb", qualification="opportunity_id,question_id,answer\nO1,references,yes\n")
    (book / "questions.yaml").write_text("questions:\n  - id: references\n    text: Do they have references?\n    weight: 2\n")
    wb = load_workbook(book)
    assert list(wb.questions.index) == ["references"]
    assert wb.questions.loc["references", "weight"] == 2.0


def test_account_lookup_names_known_ids(tmp_path):
    wb = load_workbook(write_book(tmp_path / "wb"))
    with pytest.raises(AccountNotFound, match="no account 'ZZ'.*A1, A2"):
        wb.account("ZZ")
    assert len(wb.for_account("qualification", "A1")) == 1


def test_sample_workbook_is_clean(tmp_path):
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE, copy)
    wb, problems = check_workbook(copy)
    assert [str(p) for p in problems] == []
    assert wb is not None and len(wb.accounts) >= 25


def test_reloading_an_unchanged_workbook_gives_an_independent_copy(tmp_path):
    book = write_book(tmp_path / "wb")
    first = load_workbook(book)
    first.accounts.loc["A1", "revenue_12m"] = 0.0
    second = load_workbook(book)
    assert second.accounts.loc["A1", "revenue_12m"] == 1000.0


def test_a_changed_file_is_read_again(tmp_path):
    import os

    book = write_book(tmp_path / "wb")
    assert load_workbook(book).accounts.loc["A1", "revenue_12m"] == 1000.0
    (book / "accounts.csv").write_text(ACCOUNTS.replace("A1,Alpha,retail,,1000", "A1,Alpha,retail,,2000"))
    st = (book / "accounts.csv").stat()
    os.utime(book / "accounts.csv", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert load_workbook(book).accounts.loc["A1", "revenue_12m"] == 2000.0
