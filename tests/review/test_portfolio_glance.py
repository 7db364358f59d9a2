"""The first screen of the portfolio review: the sums it shows for the sample, naming few accounts, escaped, and robust."""
from __future__ import annotations

import pytest
from helpers import SAMPLE

from kamnb.classification.score import classify
from kamnb.review import portfolio_glance as module
from kamnb.review.portfolio_glance import portfolio_glance, render
from kamnb.workbook import load_workbook


@pytest.fixture()
def wb():
    return load_workbook(SAMPLE)


def test_the_sample_portfolio_at_a_glance(wb) -> None:
    g = portfolio_glance(wb)
    result = classify(wb)
    money = g.cards["portfolio"]
    assert money.value == "€41.2M"  # the sum of revenue_12m over the 30 accounts
    assert f"{int(result['revenue_core'].sum())} of 30 accounts carry 80 % of revenue" in money.lines[2]
    assert money.lines[3].startswith("!2 lose money after cost to serve") and "Nordlicht Logistics" in money.lines[3]
    assert g.cards["key"].value == "10 of 30"
    tiers = g.cards["tiers"]
    assert tiers.value == "30 accounts"
    assert tiers.lines == ["Retain / defend: 6 accounts, €23.4M", "Invest: 4 accounts, €4.7M", "Develop: 9 accounts, €6.65M",
                           "Maintain: 1 account, €2.6M", "Streamline: 10 accounts, €3.91M"]  # labels, not codes; in the tier rules' order
    defend = g.cards["defend"]
    assert defend.value == "€23.4M at stake" and defend.lines[0].startswith("6 accounts in Retain / defend: Nordlicht Logistics, ")
    assert defend.lines[0].endswith("and 3 more")  # three named, the largest first
    assert g.cards["forecast"].lines[0] == "Retention €9.14M, growth €7.47M"
    assert g.cards["relationships"].value == "56 / 100"
    assert g.cards["actions"].value == "12"
    assert list(g.cards) == ["portfolio", "key", "defend", "tiers", "forecast", "relationships", "flags", "actions"]
    assert g.notes == []


def test_a_card_names_at_most_three_accounts(wb) -> None:
    names = set(wb.accounts["name"])
    for card in portfolio_glance(wb).cards.values():
        for line in card.lines:
            assert sum(1 for n in names if n in line) <= module.NAMED, line


def test_account_names_are_shown_as_text(wb) -> None:
    wb.accounts.loc["ACC-001", "name"] = '<img src=x onerror=alert(1)>'
    page = render(portfolio_glance(wb))
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_step_that_fails_costs_its_card_only(wb, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ValueError("the forecast settings are wrong")

    monkeypatch.setattr(module, "_forecast_card", broken)
    g = portfolio_glance(wb)
    assert "forecast" not in g.cards and "portfolio" in g.cards and "flags" in g.cards
    assert g.notes == ["the forecast could not be computed: ValueError: the forecast settings are wrong"]
    assert "the forecast could not be computed" in render(g)
