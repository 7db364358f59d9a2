"""Key figures for the portfolio index: numbers from known inputs, order, charts, missing modules."""
from __future__ import annotations

import base64
import math
import shutil
from pathlib import Path

import pytest

from kamnb.batch import portfolio
from kamnb.batch.portfolio import charts, key_figures, sort_accounts
from kamnb.workbook import load_workbook

WORKBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "workbook"


@pytest.fixture(scope="module")
def wb():
    return load_workbook(WORKBOOK)


@pytest.fixture(scope="module")
def figures(wb):
    return key_figures(wb)[0]


def test_own_key_figures_from_known_inputs(figures) -> None:
    acc = figures.loc["ACC-001"]
    assert acc["name"] == "Nordlicht Logistics"
    assert acc["revenue_12m"] == 1_250_000
    assert acc["growth_pct"] == pytest.approx((1_250_000 - 1_100_000) / 1_100_000 * 100)
    assert acc["gross_profit"] == pytest.approx(400_000)
    assert acc["revenue_share_pct"] == pytest.approx(1_250_000 / 2_785_000 * 100)
    # OP-001 (proposal) and OP-002 (qualifying) are open; won/lost ones are not
    assert acc["open_opportunities"] == 2
    assert acc["open_pipeline_value"] == 650_000
    won_only = figures.loc["../../etc/passwd"]
    assert won_only["open_opportunities"] == 0 and won_only["open_pipeline_value"] == 0
    assert math.isnan(won_only["growth_pct"])  # no previous revenue: no growth figure rather than infinity


def test_method_columns_are_joined(figures) -> None:
    for column in ("tier", "key_score", "factored_value", "relationship_score", "value_ratio"):
        assert column in figures.columns
    assert figures["tier"].ne("").all()


def test_sorted_by_tier_then_revenue(figures) -> None:
    order = portfolio.tier_order()
    ranks = [order.index(t) for t in figures["tier"]]
    assert ranks == sorted(ranks)
    for tier in set(figures["tier"]):
        revenue = figures.loc[figures["tier"] == tier, "revenue_12m"].tolist()
        assert revenue == sorted(revenue, reverse=True)


def test_sort_is_stable_and_puts_unknown_tiers_last(figures) -> None:
    frame = figures.copy()
    frame["tier"] = ["invest", "", "zeta", "invest", "", "develop"]
    out = sort_accounts(frame)
    assert list(out["tier"]) == ["invest", "invest", "develop", "zeta", "", ""]
    assert list(sort_accounts(out).index) == list(out.index)


def test_only_the_accounts_asked_for(wb) -> None:
    figs, _ = key_figures(wb, ["ACC-002", "ACC-001"])
    assert sorted(figs.index) == ["ACC-001", "ACC-002"]


def test_a_failing_method_costs_a_note_not_the_index(wb, monkeypatch) -> None:
    from kamnb import classification

    def broken(_wb):
        raise ValueError("weights do not add up")

    monkeypatch.setattr(classification, "portfolio_columns", broken)
    figs, notes = key_figures(wb)
    assert "classification figures could not be computed: ValueError: weights do not add up" in notes
    assert "tier" in figs.columns and (figs["tier"] == "").all()
    assert figs.loc["ACC-001", "revenue_12m"] == 1_250_000


def test_flags_are_shown_by_their_titles(figures) -> None:
    from kamnb.relationships.redflags import RED_FLAGS

    titles = {f.title for f in RED_FLAGS.values()}
    shown = {t for cell in figures["flags"] if cell for t in cell.split("; ")}
    assert shown and shown <= titles


def test_charts_are_embedded_svg_pictures(figures, tmp_path: Path) -> None:
    pictures = charts(figures)
    assert [t for t, _ in pictures] == ["Revenue concentration", "Growth and margin"]
    for _, uri in pictures:
        assert uri.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")
        assert svg.count("<svg") == 1 and svg.rstrip().endswith("</svg>")
        assert "<script" not in svg and "href=\"http" not in svg
    assert "Revenue concentration (Pareto)" in base64.b64decode(pictures[0][1].split(",", 1)[1]).decode("utf-8")
    assert charts(figures) == pictures  # same input, same bytes


def test_workbook_without_previous_revenue_or_opportunities(tmp_path: Path) -> None:
    book = tmp_path / "wb"
    shutil.copytree(WORKBOOK, book)
    (book / "opportunities.csv").write_text("opportunity_id,account_id,name,kind,value\n")
    figs, _ = key_figures(load_workbook(book))
    assert (figs["open_pipeline_value"] == 0).all()
