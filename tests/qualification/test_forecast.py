"""The account forecast: factored totals equal the sum of their parts; bands and quarters as a director reads them."""
from __future__ import annotations

import random

import pytest
from matplotlib.figure import Figure

from kamnb.plots import qualification as plots
from kamnb.qualification import forecast as f
from kamnb.qualification import score as q
from kamnb.workbook import load_workbook
from tests.qualification.test_qualification import DEFAULT_IDS, all_answers, book


def _random_book(tmp_path, n=60, seed=3):
    rng = random.Random(seed)
    opps, answers = [], []
    for i in range(n):
        oid = f"O{i:02d}"
        stage = rng.choice(["identified", "qualifying", "proposal", "negotiation", "won", "lost"])
        close = rng.choice(["", "2026-08-01", "2026-12-01", "2027-02-01", "2027-07-15"])
        opps.append((oid, rng.choice(["A1", "A2"]), rng.choice(["retain", "grow", "new"]), rng.randrange(1, 500) * 1000, stage, close))
        if rng.random() < 0.85:
            answers += [(oid, qid, rng.choice(["yes", "partly", "no", "unknown"]), rng.choice(["", "ev"]), "2026-09-01") for qid in DEFAULT_IDS]
    return load_workbook(book(tmp_path / "f", opps, answers))


def test_factored_totals_equal_the_sum_of_their_parts(tmp_path):
    for seed in range(3):
        wb = _random_book(tmp_path / str(seed), seed=seed)
        t = q.score_opportunities(wb)
        fc = f.account_forecast(wb)
        counted = t[t["status"] == "qualified"]
        for acc in ("A1", "A2"):
            mine = counted[counted["account_id"] == acc]
            assert fc.loc[acc, "factored_value"] == pytest.approx(mine["factored_value"].sum())
            assert fc.loc[acc, "factored_retention"] + fc.loc[acc, "factored_growth"] == pytest.approx(fc.loc[acc, "factored_value"])
            assert fc.loc[acc, "factored_retention"] == pytest.approx(mine.loc[mine["kind"] == "retain", "factored_value"].sum())
        assert fc["factored_value"].sum() == pytest.approx(counted["factored_value"].sum())
        # the open pipeline splits without loss into bands and into quarters
        by_band = f.pipeline_summary(wb, by="band")
        by_quarter = f.pipeline_summary(wb, by="quarter")
        open_value = t.loc[~t["closed"], "value"].sum()
        assert (by_band["retention"] + by_band["growth"]).sum() == pytest.approx(open_value)
        assert (by_quarter["retention"] + by_quarter["growth"]).sum() == pytest.approx(open_value)
        assert by_band["factored"].sum() == pytest.approx(by_quarter["factored"].sum())
        assert fc["pipeline_value"].sum() == pytest.approx(open_value)


def test_not_qualified_has_its_own_band_and_line(tmp_path):
    wb = load_workbook(book(tmp_path / "b", [("O1", "A1", "grow", 5000, "identified", "2027-01-10"), ("O2", "A1", "retain", 8000, "proposal", "")],
                            all_answers("O2", "yes")))
    p = f.pipeline(wb, "A1")
    assert p.loc["O1", "band"] == "not qualified" and p.loc["O2", "band"] == "75% and more"
    assert p.loc["O1", "quarter"] == "2027 Q1" and p.loc["O2", "quarter"] == "no date"
    table = f.forecast_table(wb, "A1").set_index("")
    assert table.loc["Growth", "not qualified yet"] == "€5,000"
    assert table.loc["Retention", "factored (incl. won)"] == "€7,200"  # 8000 x 90 %
    assert table.loc["Total", "average likelihood"] == "90%"


def test_charts_are_figures_with_titles_and_labels(tmp_path):
    wb = _random_book(tmp_path)
    for fig in (plots.pipeline_by_band(wb, "A1"), plots.pipeline_by_quarter(wb), plots.likelihood_waterfall(wb, "O00"),
                plots.likelihood_history_chart(wb, "A1"), plots.activity_chart(wb, "A1")):
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_title(loc="left") and ax.get_xlabel() and ax.get_ylabel()
    out = tmp_path / "band.png"
    plots.pipeline_by_band(wb, "A1").savefig(out)
    assert out.stat().st_size > 5000
