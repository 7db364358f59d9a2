"""portfolio.csv and portfolio.xlsx as an Excel user opens them: read back with openpyxl and csv."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook as open_xlsx

from kamnb.batch.portfolio import key_figures
from kamnb.batch.portfolio_files import column_spec, number_formats, write_portfolio_files
from kamnb.workbook import load_workbook

WORKBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "workbook"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    out = tmp_path_factory.mktemp("portfolio")
    figures, _ = key_figures(load_workbook(WORKBOOK))
    figures.loc["ACC-002", "name"] = "=HYPERLINK(\"http://x\",\"click\")"  # text that looks like a formula
    status = {a: "ok" for a in figures.index} | {"ACC-003": "failed"}
    write_portfolio_files(out, figures, status, "EUR")
    sheet = open_xlsx(out / "portfolio.xlsx").active
    headers = [c.value for c in sheet[1]]
    with (out / "portfolio.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {"out": out, "sheet": sheet, "headers": headers, "csv": {r["account_id"]: r for r in rows}, "figures": figures}


def _cell(files, account: str, header: str):
    sheet, headers = files["sheet"], files["headers"]
    col = headers.index(header) + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value == account:
            return sheet.cell(row, col)
    raise AssertionError(f"{account} not in the sheet")


def test_header_is_human_bold_frozen_and_filtered(files) -> None:
    sheet, headers = files["sheet"], files["headers"]
    assert headers[:4] == ["Account id", "Account", "Review", "Industry"]
    assert "Revenue, 12 months (EUR)" in headers and "Growth" in headers and "Key account" in headers
    assert not [h for h in headers if "_" in h]  # no field names
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "C2"  # header row, id and name stay in view
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(headers)).column_letter}{sheet.max_row}"
    assert sheet.max_row == len(files["figures"]) + 1


def test_widths_fit_the_content(files) -> None:
    sheet, headers = files["sheet"], files["headers"]
    name_col = sheet.cell(1, headers.index("Account") + 1).column_letter
    longest = max(len(str(n)) for n in files["figures"]["name"])
    assert longest <= sheet.column_dimensions[name_col].width <= longest + 4
    status_col = sheet.cell(1, headers.index("Review") + 1).column_letter
    assert sheet.column_dimensions[status_col].width < 12  # short content, narrow column
    widths = {sheet.column_dimensions[sheet.cell(1, c).column_letter].width for c in range(1, len(headers) + 1)}
    assert len(widths) > 3  # fitted, not one default


def test_money_percent_and_scores_have_number_formats(files) -> None:
    revenue = _cell(files, "ACC-001", "Revenue, 12 months (EUR)")
    assert revenue.value == 1_250_000 and revenue.number_format == number_formats("EUR")["money"] == '"€"#,##0;-"€"#,##0'
    growth = _cell(files, "ACC-001", "Growth")
    assert growth.value == pytest.approx(0.1364, abs=1e-4) and growth.number_format == "0.0%"
    margin = _cell(files, "ACC-001", "Gross margin")
    assert margin.value == pytest.approx(0.32) and margin.number_format == "0.0%"
    likelihood = _cell(files, "ACC-001", "Weighted likelihood")
    assert likelihood.value is None or 0 <= likelihood.value <= 1
    assert likelihood.number_format == "0.0%"  # the same unit as every percentage
    score = _cell(files, "ACC-001", "Key score (0–100)")
    assert score.number_format == "0" and score.value == round(score.value, 1)
    assert _cell(files, "ACC-001", "Key account").value in ("yes", "no")
    assert _cell(files, "ACC-001", "Open opportunities").value == 2


def test_missing_figure_is_an_empty_cell(files) -> None:
    assert _cell(files, "../../etc/passwd", "Growth").value is None  # no previous revenue: no growth figure
    assert files["csv"]["../../etc/passwd"]["growth"] == ""


def test_text_is_never_a_formula(files) -> None:
    cell = _cell(files, "ACC-002", "Account")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert not [c for row in files["sheet"].iter_rows() for c in row if c.data_type == "f"]


def test_csv_has_the_same_values_under_machine_names(files) -> None:
    row = files["csv"]["ACC-001"]
    assert list(row)[:3] == ["account_id", "name", "review_status"]
    assert "growth_pct" not in row and float(row["growth"]) == pytest.approx(0.1364, abs=1e-4)
    assert float(row["revenue_12m"]) == 1_250_000 and row["is_key"] in ("yes", "no")
    assert files["csv"]["ACC-003"]["review_status"] == "failed"
    for header, name in (("Growth", "growth"), ("Contact coverage", "contact_coverage"), ("Open pipeline (EUR)", "open_pipeline_value")):
        assert float(row[name]) == _cell(files, "ACC-001", header).value


def test_unknown_columns_get_a_header_and_a_kind() -> None:
    assert column_spec("win_rate_pct", float) == column_spec("win_rate_pct", "float64")
    assert column_spec("win_rate_pct", float).kind == "points"
    assert column_spec("calls_key", bool).kind == "yesno"
    assert column_spec("contribution_after_cost", float).header == "Contribution after cost"
    assert number_formats("CHF")["money"].startswith('"CHF')
