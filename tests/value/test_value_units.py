"""The price-pressure simulator for products sold by the unit (unit price x volume), worked by hand."""
from __future__ import annotations

from kamnb.plots.value import price_pressure_chart
from kamnb.value import pressure
from kamnb.workbook import load_workbook
from tests.value.test_value import book

# 1,000 units a year at EUR 200, our cost EUR 150 a unit; the customer asks for 10 % off
UNITS_CSV = (
    "account_id,pricing_model,annual_fees,value_low,value_expected,value_high,contract_years,requested_rate_cut_pct,"
    "units_per_year,unit_price,unit_cost\n"
    "A1,unit_price,200000,300000,400000,600000,2,10,1000,200,150\n"
)


def test_each_answer_to_a_unit_price_cut_from_known_inputs(tmp_path):
    pp = pressure.price_pressure(load_workbook(book(tmp_path, UNITS_CSV)), "A1")
    assert isinstance(pp, pressure.UnitPricePressure) and pp.message is None
    t = pp.table
    assert list(t.index) == ["today", "price_cut", "refusal", "volume", "variant", "multi_year"]
    # today: 1,000 x 200 = 200,000 paid; cost 150,000; margin 50,000
    assert t.loc["today", ["customer_cost", "our_cost", "our_margin"]].tolist() == [200000, 150000, 50000]
    # straight cut: 1,000 x 180 = 180,000; margin 30,000 (-20,000)
    assert t.loc["price_cut", ["customer_cost", "our_margin", "margin_change"]].tolist() == [180000, 30000, -20000]
    # refusal: 25 % churn risk: expected revenue 150,000, cost 112,500, margin 37,500
    assert t.loc["refusal", ["customer_cost", "our_revenue", "our_margin"]].tolist() == [200000, 150000, 37500]
    # volume: 15 % more units (1,150) at 4 % off (192): 220,800 paid, cost 172,500, margin 48,300
    assert t.loc["volume", ["people", "customer_cost", "our_cost", "our_margin"]].tolist() == [1150.0, 220800, 172500, 48300]
    # variant: 6 % off (188) at 12 % less cost (132): 188,000 paid, cost 132,000, margin 56,000 (+6,000)
    assert t.loc["variant", ["customer_cost", "our_cost", "our_margin", "margin_change"]].tolist() == [188000, 132000, 56000, 6000]
    # multi-year: 3 % off (194): 194,000 paid, margin 44,000
    assert t.loc["multi_year", ["customer_cost", "our_margin"]].tolist() == [194000, 44000]
    assert pp.both_gain == ["variant"]
    assert pp.notes[0].startswith("Commercial model: unit price x volume")
    assert t.loc["today", "customer_cost_contract"] == 400000
    assert any("1,000 units a year × €200 a unit" in line for line in pp.assumption_lines())
    html = pp._repr_html_()
    assert "Value-engineered variant" in html and "Volume commitment" in html
    assert price_pressure_chart(pp) is not None


def test_the_value_sheet_says_which_model_and_a_missing_unit_input_is_named(tmp_path):
    missing = UNITS_CSV.replace(",1000,200,150", ",1000,200,")
    pp = pressure.price_pressure(load_workbook(book(tmp_path, missing)), "A1")
    assert pp.message is not None and "unit_cost" in pp.message and "unit price x volume" in pp.message
    daily = pressure.price_pressure(load_workbook(book(tmp_path / "t")), "A1")
    assert not isinstance(daily, pressure.UnitPricePressure) and daily.notes[0].startswith("Commercial model: time and material")


def test_the_sample_has_an_account_for_each_model():
    from helpers import SAMPLE

    wb = load_workbook(SAMPLE)
    assert isinstance(pressure.price_pressure(wb, "ACC-007"), pressure.UnitPricePressure)
    assert pressure.price_pressure(wb, "ACC-007").message is None
    assert pressure.price_pressure(wb, "ACC-002").table.loc["productivity", "people"] == 38.0
