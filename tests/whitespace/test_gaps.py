"""Whitespace gaps in the agenda, the action plan and the portfolio view; the grid chart."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import WHITESPACE_OPPS as OPPS
from helpers import write_mini

from kamnb.plots.whitespace import whitespace_grid
from kamnb.qualification.gaps import agenda_table
from kamnb.value.plan import action_plan
from kamnb.whitespace import penetration, penetration_table, portfolio_columns, whitespace_map
from kamnb.workbook import load_workbook


@pytest.fixture
def book(tmp_path: Path) -> Path:
    folder = write_mini(tmp_path / "ws")
    (folder / "opportunities.csv").write_text(OPPS, encoding="utf-8")
    return folder


def test_gaps_join_the_agenda_and_the_plan(book: Path) -> None:
    wb = load_workbook(book)
    agenda = agenda_table(wb, "A1")
    ws_rows = agenda[agenda["weak answers"].str.startswith("whitespace")]
    assert ws_rows["ask about"].tolist() == ["Would Bremen use YARD from us?", "Would Hamburg use YARD from us?"]
    assert ws_rows["worth (factored)"].tolist() == ["€90,000 potential", "€60,000 potential, estimated"]
    assert agenda["#"].tolist() == list(range(1, len(agenda) + 1))
    plan = action_plan(wb, "A1")
    mine = plan.table[plan.table["source"] == "whitespace"]
    assert mine["action_id"].tolist() == ["WS-1", "WS-2"]
    assert set(mine["category"]) == {"sell_service"}
    assert mine["action"].iloc[0] == "Win back YARD at Bremen: lost (€90,000 potential)"
    assert str(mine["due"].iloc[0].date()) == "2026-12-16"  # as_of 2026-11-01 + 45 days
    assert "Whitespace: 2 action(s) added from the biggest gaps." in plan.notes


def test_no_map_no_whitespace_actions(mini_book: Path) -> None:
    plan = action_plan(load_workbook(mini_book), "A1")
    assert "whitespace" not in set(plan.table["source"])
    assert not any(n.startswith("Whitespace") for n in plan.notes)


def test_under_penetrated_offerings(book: Path) -> None:
    wb = load_workbook(book)
    table = penetration(wb, ["A1", "A2"])
    by = table.set_index("offering_id")
    assert by.loc["SUP", "bought"] == 2 and by.loc["SUP", "bought_pct"] == 100.0
    assert by.loc["ANA", "open"] == 1 and by.loc["ANA", "not_offered"] == 1 and by.loc["ANA", "bought"] == 0
    assert bool(by.loc["ANA", "under_penetrated"]) and not bool(by.loc["YARD", "under_penetrated"])
    assert table["offering_id"].tolist()[0] == "ANA"  # least bought first
    cols = portfolio_columns(wb)
    assert cols.loc["A1", "offerings_bought"] == 1 and cols.loc["A1", "whitespace_value"] == 300000.0
    assert cols.loc["A1", "top_gap"] == "Win back YARD at Bremen: lost"
    # An account outside the list does not count; an empty list gives an empty table.
    assert penetration_table(whitespace_map(wb), [], 50).empty


def test_grid_chart(book: Path, tmp_path: Path) -> None:
    wb = load_workbook(book)
    fig = whitespace_grid(wb, "A1")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Whitespace: Alpha Freight"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Bremen", "Hamburg"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ANA", "SUP", "YARD"]
    texts = [t.get_text() for t in ax.texts]
    assert "€90k" in texts and "€150k" in texts
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["bought", "in the pipeline", "lost", "never offered", "potential estimated"]
    fig.savefig(tmp_path / "grid.png")
    empty = whitespace_grid(load_workbook(write_mini(tmp_path / "plain")), "A1")
    assert "No whitespace map for this account" in [t.get_text() for t in empty.axes[0].texts]
