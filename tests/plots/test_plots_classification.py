"""Charts render to PNG with titles and labelled axes, on small and on large portfolios."""
from __future__ import annotations

from kamnb.classification.score import classify, explain
from kamnb.plots import classification as charts
from tests.classification.test_classification import portfolio


def test_every_chart_renders(tmp_path):
    res = classify(portfolio())
    figs = [charts.pareto_chart(res), charts.definitions_chart(res, highlight="A1"), charts.partnership_chart(res, highlight="A2"),
            charts.matrix_chart(res, highlight="A3"), charts.contributions_chart(explain(portfolio(), "A1", result=res))]
    for n, fig in enumerate(figs):
        ax = fig.axes[0]
        assert ax.get_title(loc="left") and ax.get_xlabel()
        fig.savefig(tmp_path / f"{n}.png")
        assert (tmp_path / f"{n}.png").stat().st_size > 5000
    assert charts.contributions_chart(None) is None


def test_pareto_chart_on_a_large_portfolio(tmp_path):
    from benchmarks.bench_classification import synthetic_accounts

    res = classify(synthetic_accounts(20_000))
    fig = charts.pareto_chart(res)
    assert len(fig.axes[0].lines[0].get_xdata()) <= 2001
    charts.matrix_chart(res).savefig(tmp_path / "m.png")


def test_matrix_chart_without_positions_says_so_without_a_warning():
    import warnings

    res = classify(portfolio())
    res["attractiveness"] = float("nan")  # e.g. a fresh CRM import: nothing assessed yet
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "no artists with labels" would fail here
        fig = charts.matrix_chart(res, highlight="A1")
    ax = fig.axes[0]
    assert ax.get_legend() is None
    assert "No account has both an attractiveness and a strength yet" in [t.get_text() for t in ax.texts]
