"""Shared chart machinery: text sizes remembered between charts change nothing a reader sees."""
from __future__ import annotations

import pytest
from helpers import SAMPLE
from matplotlib import rc_context
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from kamnb.plots import figure_svg, text_sizes


@pytest.fixture
def fresh_sizes():
    """Start with no remembered sizes and leave the process as kamnb.plots sets it up."""
    text_sizes.forget_text_sizes()
    text_sizes.remember_text_sizes()
    yield
    text_sizes.remember_text_sizes()


def _review_charts(account_id: str) -> list[str]:
    from kamnb.classification import score as classification
    from kamnb.plots import classification as cc
    from kamnb.plots import qualification as qc
    from kamnb.plots import relationships as rc
    from kamnb.plots import value as vc
    from kamnb.qualification import forecast
    from kamnb.value import pressure
    from kamnb.workbook import load_workbook

    wb = load_workbook(SAMPLE)
    result = classification.classify(wb)
    figures = [
        cc.pareto_chart(result, wb.settings),
        cc.definitions_chart(result, wb.settings, account_id),
        cc.matrix_chart(result, wb.settings, account_id, "EUR"),
        cc.contributions_chart(classification.explain(wb, account_id, result=result)),
        qc.likelihood_waterfall(wb, forecast.largest_open(wb, account_id)),
        qc.pipeline_by_band(wb, account_id),
        rc.decision_grid(wb, account_id),
        rc.score_bars(wb, account_id),
        vc.price_pressure_chart(pressure.price_pressure(wb, account_id)),
    ]
    return [figure_svg(f) for f in figures if f is not None]


def test_remembered_sizes_draw_the_same_charts_byte_for_byte(fresh_sizes):
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("the sample workbook is missing")
    remembered = _review_charts("ACC-002") + _review_charts("ACC-005")  # the second account reuses sizes of the first
    assert text_sizes.measured() > 100
    text_sizes.forget_text_sizes()
    measured_each_time = _review_charts("ACC-002") + _review_charts("ACC-005")
    assert text_sizes.measured() == 0
    assert len(remembered) == len(measured_each_time) >= 17
    assert remembered == measured_each_time


def test_a_different_font_is_measured_again(fresh_sizes):
    measure = TextToPath().get_text_width_height_descent
    prop = FontProperties(family="sans-serif", size=9)
    plain = measure("Relationship score 72", prop, False)
    with rc_context({"font.sans-serif": ["DejaVu Sans Mono"]}):  # same properties, another font behind them
        mono = measure("Relationship score 72", prop, False)
    bold = measure("Relationship score 72", FontProperties(family="sans-serif", size=9, weight="bold"), False)
    larger = measure("Relationship score 72", FontProperties(family="sans-serif", size=18), False)
    assert mono[0] > plain[0] and bold[0] > plain[0]
    assert larger[0] == pytest.approx(2 * plain[0])
    assert measure("Relationship score 72", prop, False) == plain


def test_mathtext_is_measured_every_time_and_the_store_stays_bounded(fresh_sizes, monkeypatch):
    measure = TextToPath().get_text_width_height_descent
    prop = FontProperties(size=9)
    before = text_sizes.measured()
    width, _, _ = measure(r"$\sqrt{x^2}$", prop, True)
    assert width > 0 and text_sizes.measured() == before
    monkeypatch.setattr(text_sizes, "MAX_SIZES", 3)
    for n in range(10):
        measure(f"label {n}", prop, False)
    assert 1 <= text_sizes.measured() <= 3
