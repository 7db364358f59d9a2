"""Value ratio and price-pressure simulator: numbers from known inputs, worked by hand."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import write_mini

from kamnb import value as value_step
from kamnb.plots.value import price_pressure_chart
from kamnb.value import pressure
from kamnb.value import ratio as value
from kamnb.workbook import load_workbook

# The moment-of-truth case: a time-and-material team of 40 asked for 10 % lower rates.
VALUE_CSV = (
    "account_id,pricing_model,annual_fees,value_low,value_expected,value_high,contract_years,"
    "team_size,daily_rate,days_per_year,daily_cost,requested_rate_cut_pct\n"
    "A1,time_material,7040000,14080000,21120000,28160000,3,40,800,220,600,10\n"
)


def book(tmp_path: Path, value_csv: str = VALUE_CSV, settings: str = "as_of: 2026-11-01\n") -> Path:
    folder = write_mini(tmp_path / "book")
    (folder / "value.csv").write_text(value_csv, encoding="utf-8")
    (folder / "settings.yaml").write_text(settings, encoding="utf-8")
    return folder


def money_of(text: str) -> int:
    """Read back a displayed amount: '-€1,234' -> -1234."""
    digits = re.sub(r"[^\d-]", "", text)
    return int(digits) if digits not in ("", "-") else 0


def test_value_ratio_shows_the_range_per_year_and_over_the_contract(tmp_path):
    vr = value.value_ratio(load_workbook(book(tmp_path)), "A1")
    assert vr.message is None
    t = vr.table
    assert list(t.index) == ["cautious", "expected", "optimistic"]
    assert t["ratio"].tolist() == [2.0, 3.0, 4.0]
    assert t.loc["expected", "value_contract"] == 63_360_000
    assert t.loc["expected", "fees_contract"] == 21_120_000
    assert t.loc["expected", "net_gain_contract"] == 42_240_000
    frame = vr.display_frame()
    assert frame["Value ratio"].tolist() == ["2.0 : 1", "3.0 : 1", "4.0 : 1"]
    assert frame.loc[1, "Net gain over 3 years"] == "€42,240,000"
    assert "gains 3.0 for every 1 it pays us" in vr._repr_html_()


def test_value_ratio_falls_back_to_revenue_and_says_so(tmp_path):
    csv = "account_id,value_expected\nA1,3600000\n"
    vr = value.value_ratio(load_workbook(book(tmp_path, csv)), "A1")
    assert list(vr.table.index) == ["expected"]
    assert vr.expected == pytest.approx(3.0)  # revenue_12m of Alpha Freight is 1,200,000
    text = " ".join(vr.notes)
    assert "revenue_12m" in text and "value_low, value_high" in text and "contract_years" in text


def test_value_ratio_without_a_value_row_names_the_missing_columns(tmp_path):
    vr = value.value_ratio(load_workbook(book(tmp_path)), "A2")
    assert vr.message.startswith("The value ratio needs a row for A2 on the value sheet")
    assert "value_low, value_expected, value_high" in vr.message
    assert repr(vr) == vr.message


def test_simulator_seed_case_by_hand(tmp_path):
    pp = pressure.price_pressure(load_workbook(book(tmp_path)), "A1")
    assert pp.message is None
    t = pp.table
    # today: 40 x 800 x 220 = 7,040,000; our cost 40 x 600 x 220 = 5,280,000
    assert (t.loc["today", "customer_cost"], t.loc["today", "our_cost"], t.loc["today", "our_margin"]) == (7_040_000, 5_280_000, 1_760_000)
    # straight cut: 40 x 720 x 220
    assert t.loc["rate_cut", "customer_cost"] == 6_336_000 and t.loc["rate_cut", "our_margin"] == 1_056_000
    # refusal: the customer pays the same; we expect 75 % of today's revenue and cost
    assert t.loc["refusal", "customer_cost"] == 7_040_000
    assert (t.loc["refusal", "our_revenue"], t.loc["refusal", "our_cost"], t.loc["refusal", "our_margin"]) == (5_280_000, 3_960_000, 1_320_000)
    # productivity: 38 people instead of 40
    assert t.loc["productivity", "people"] == 38.0
    assert t.loc["productivity", "customer_cost"] == 6_688_000 and t.loc["productivity", "our_cost"] == 5_016_000
    assert t.loc["productivity", "our_margin"] == 1_672_000
    # fixed price 7 % below today's bill; 38 people plus a 5 % overrun
    assert t.loc["fixed_price", "customer_cost"] == 6_547_200 and t.loc["fixed_price", "our_cost"] == 5_266_800
    # reusable modules: 80 % as days, 20 % at 60 % of the day price; upkeep 10 % of the replaced days' cost
    assert t.loc["reuse", "customer_cost"] == 5_632_000 + 844_800
    assert t.loc["reuse", "our_cost"] == 4_224_000 + 105_600
    assert t.loc["reuse", "our_margin"] == 2_147_200
    assert pp.cheapest_for_customer == ["rate_cut"]
    assert pp.best_for_margin == ["reuse"]
    assert pp.both_gain == ["reuse"]
    assert t.loc["productivity", "margin_change"] == -88_000
    assert t.loc["rate_cut", "customer_saving"] == 704_000
    verdict = " ".join(pp.verdict_lines())
    assert "Cheapest for the customer: Straight rate cut (€6,336,000 a year" in verdict
    assert "Best for our margin: Reusable modules (€2,147,200 a year, +€387,200 against today)" in verdict


def test_simulator_shows_its_assumptions_and_settings_change_them(tmp_path):
    settings = "as_of: 2026-11-01\nvalue:\n  refusal_churn_pct: 50\n  productivity_saving_pct: 10\n"
    pp = pressure.price_pressure(load_workbook(book(tmp_path, settings=settings)), "A1")
    assert pp.table.loc["refusal", "our_margin"] == 880_000
    assert pp.table.loc["productivity", "people"] == 36.0
    html = pp._repr_html_()
    assert "50% chance the customer moves the work elsewhere" in html
    assert "36 instead of 40" in html
    assert "Team today: 40 people × €800 a day × 220 billable days" in html


def test_displayed_money_adds_up_with_awkward_numbers(tmp_path):
    csv = (
        "account_id,pricing_model,value_expected,contract_years,team_size,daily_rate,days_per_year,daily_cost,requested_rate_cut_pct\n"
        "A1,time_material,5000000.55,2.5,37,612.35,211,455.55,7.5\n"
    )
    pp = pressure.price_pressure(load_workbook(book(tmp_path, csv)), "A1")
    shown = pp.display_frame()
    for _, row in shown.iterrows():
        revenue, cost, margin = (money_of(row[c]) for c in ("Our revenue", "Our cost", "Our margin"))
        assert revenue - cost == margin
        assert money_of(row["Margin vs today"]) == margin - money_of(shown.loc[0, "Our margin"])
        assert money_of(row["Customer saves"]) == money_of(shown.loc[0, "Customer pays per year"]) - money_of(row["Customer pays per year"])
    t = pp.table
    for key in t.index:
        assert t.loc[key, "our_margin"] == t.loc[key, "our_revenue"] - t.loc[key, "our_cost"]
        assert isinstance(t.loc[key, "customer_cost"], (int,)) or float(t.loc[key, "customer_cost"]).is_integer()
    # 37 x 612.35 x 211 = 4,780,616.45 -> rounded once, half up
    assert t.loc["today", "customer_cost"] == 4_780_616
    # the cut rate keeps its cents in the description rather than being rounded away
    assert "× €566.42 ×" in t.loc["rate_cut", "how_priced"]
    # over 2.5 years: displayed yearly amount x 2.5, rounded once
    assert t.loc["today", "customer_cost_contract"] == 11_951_540


@pytest.mark.parametrize(
    "csv, expected",
    [
        ("account_id,team_size,daily_rate,days_per_year,requested_rate_cut_pct\nA1,40,800,220,10\n",
         "missing daily_cost (the value sheet has no such column)"),
        ("account_id,team_size,daily_rate,days_per_year,daily_cost,requested_rate_cut_pct\nA1,40,800,,600,\n",
         "missing days_per_year (empty on value sheet row 2); requested_rate_cut_pct (empty on value sheet row 2)"),
    ],
)
def test_simulator_names_exactly_what_is_missing(tmp_path, csv, expected):
    pp = pressure.price_pressure(load_workbook(book(tmp_path, csv)), "A1")
    assert expected in pp.message
    assert pp.message in pp._repr_html_()
    assert price_pressure_chart(pp) is None


def test_simulator_without_a_value_row(tmp_path):
    pp = pressure.price_pressure(load_workbook(book(tmp_path)), "A2")
    assert "needs a row for A2 on the value sheet" in pp.message
    assert "team_size, daily_rate, days_per_year, daily_cost, requested_rate_cut_pct" in pp.message


def test_chart_is_titled_and_renders(tmp_path):
    pp = pressure.price_pressure(load_workbook(book(tmp_path)), "A1")
    fig = price_pressure_chart(pp)
    assert fig._suptitle.get_text() == "Alpha Freight: answers to a 10 % rate-cut request"
    left, right = fig.axes[:2]
    assert [t.get_text() for t in left.get_yticklabels()][0] == "Straight rate cut"
    assert left.get_xlabel() == "EUR per year"
    out = tmp_path / "chart.png"
    fig.savefig(out)
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_portfolio_columns(tmp_path):
    wb = load_workbook(book(tmp_path))
    cols = value_step.portfolio_columns(wb)
    assert list(cols.index) == ["A1", "A2"]
    assert cols.loc["A1", "value_ratio"] == pytest.approx(3.0)
    assert cols["value_ratio"].isna().tolist() == [False, True]
    assert {"value_ratio_low", "value_ratio_high", "annual_fees", "goal_ok", "overdue_actions"} <= set(cols.columns)
    assert cols.loc["A2", "annual_fees"] == 400_000
