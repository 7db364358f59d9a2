"""The whitespace map: derived from hand-built opportunities, or read from the whitespace sheet."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import WHITESPACE_OPPS as OPPS
from helpers import write_mini

from kamnb.whitespace import account_map, account_whitespace, biggest_gaps, whitespace_map
from kamnb.workbook import check_workbook, load_workbook


@pytest.fixture
def book(tmp_path: Path) -> Path:
    folder = write_mini(tmp_path / "ws")
    (folder / "opportunities.csv").write_text(OPPS, encoding="utf-8")
    return folder


def cell(m: pd.DataFrame, account: str, offering: str, unit: str) -> pd.Series:
    row = m[(m["account_id"] == account) & (m["offering_id"] == offering) & (m["business_unit"] == unit)]
    assert len(row) == 1, row
    return row.iloc[0]


def test_derived_from_opportunities(book: Path) -> None:
    wb = load_workbook(book)
    m = whitespace_map(wb)
    # A1 has two units from its deals; every known offering (SUP, ANA, YARD) gets a cell in each.
    a1 = m[m["account_id"] == "A1"]
    assert sorted(set(a1["business_unit"])) == ["Bremen", "Hamburg"]
    assert len(a1) == 6
    sup = cell(m, "A1", "SUP", "Hamburg")
    assert (sup["status"], sup["current"], sup["room"]) == ("bought", 400000.0, 0.0)
    ana = cell(m, "A1", "ANA", "Hamburg")
    assert (ana["status"], ana["potential"], ana["room"]) == ("open", 150000.0, 150000.0)
    yard = cell(m, "A1", "YARD", "Bremen")
    assert (yard["status"], yard["room"]) == ("lost", 90000.0)
    # Never offered: estimated at the offering's median won deal elsewhere (YARD won once, 60,000 at A2).
    never = cell(m, "A1", "YARD", "Hamburg")
    assert (never["status"], never["potential"], bool(never["estimated"])) == ("not_offered", 60000.0, True)
    assert cell(m, "A1", "SUP", "Bremen")["status"] == "bought"
    # A2: two SUP wins sum into one bought cell; ANA never offered, no win anywhere: potential unknown.
    sup2 = cell(m, "A2", "SUP", "")
    assert (sup2["status"], sup2["current"]) == ("bought", 400000.0)
    ana2 = cell(m, "A2", "ANA", "")
    assert ana2["status"] == "not_offered" and pd.isna(ana2["potential"])
    # The opportunity without an offering adds nothing.
    assert len(m[m["account_id"] == "A2"]) == 3


def test_value_and_biggest_gaps(book: Path) -> None:
    wb = load_workbook(book)
    ws = account_whitespace(wb, "A1")
    assert ws.value["open"] == 150000.0
    assert ws.value["lost"] == 90000.0
    # Never offered: ANA at Bremen (no win anywhere: unknown) and YARD at Hamburg (60,000 estimated).
    assert ws.value["not_offered"] == 60000.0
    assert ws.value["total"] == 300000.0
    assert ws.value["unknown"] == 1
    gaps = biggest_gaps(wb, "A1")
    # The open cell is the pipeline's business, not a gap.
    assert gaps["next_step"].tolist() == ["Win back YARD at Bremen: lost", "Offer YARD at Hamburg: never offered"]
    assert "whitespace €300,000" in ws.summary()
    assert "Win back YARD at Bremen" in ws._repr_html_()


def test_sheet_wins_over_opportunities(book: Path) -> None:
    (book / "offerings.csv").write_text(
        "offering_id,name,family,list_price\nSUP,Warehouse support,Support,200000\nANA,Analytics,Data,80000\nYARD,Yard system,Software,\n",
        encoding="utf-8")
    (book / "whitespace.csv").write_text(
        "account_id,offering_id,business_unit,status,competitor,current,potential,note\n"
        "A1,SUP,Hamburg,bought,,400000,500000,\n"
        "A1,ANA,Hamburg,competitor,DataCo,,,contract ends 2027\n", encoding="utf-8")
    wb = load_workbook(book)
    a1 = account_map(wb, "A1")
    assert a1["offering"].tolist() == ["Analytics", "Warehouse support"]
    comp = a1.iloc[0]
    # No potential written: the list price of the offerings sheet stands in, marked as estimated.
    assert (comp["status"], comp["competitor"], comp["potential"], bool(comp["estimated"])) == ("competitor", "DataCo", 80000.0, True)
    assert a1.iloc[1]["room"] == 100000.0
    # A2 has no rows on the sheet: its map still comes from its deals.
    assert set(account_map(wb, "A2")["source"]) == {"opportunities"}
    assert biggest_gaps(wb, "A1", 1)["next_step"].tolist() == ["Grow Warehouse support at Hamburg: buys €400,000 of €500,000"]


def test_unknown_offering_and_status_are_errors(book: Path) -> None:
    (book / "offerings.csv").write_text("offering_id,name\nSUP,Warehouse support\n", encoding="utf-8")
    (book / "whitespace.csv").write_text(
        "account_id,offering_id,status\nA1,SUP,maybe\nA1,NOPE,bought\n", encoding="utf-8")
    _, problems = check_workbook(book)
    text = [str(p) for p in problems if p.level == "error"]
    assert any("whitespace.csv, row 2, column status: found 'maybe', expected one of: bought, open, lost, not_offered, competitor" in t for t in text), text
    assert "whitespace.csv, row 3, column offering_id: found 'NOPE', expected an id from the offerings sheet" in text
    # Opportunities name offerings YARD and ANA that the offerings sheet lacks.
    assert any(t.startswith("opportunities.csv, row 3, column offering_id: found 'ANA'") for t in text), text


def test_no_offerings_no_map(mini_book: Path) -> None:
    wb = load_workbook(mini_book)
    assert whitespace_map(wb).empty
    assert "No whitespace map" in account_whitespace(wb, "A1").summary()
