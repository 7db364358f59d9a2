"""The goal check tells a sales goal from a customer-side result, on a table of goals written in many ways."""
from __future__ import annotations

import pytest

from kamnb.value.plan import check_goal

# goal, customer, written from the customer's side?, a piece of the reason shown when it is not
GOALS = [
    ("Nordlicht buys the control tower from us by Q2 2027", "Nordlicht Logistics", False, "'Nordlicht buys': the customer buying from us"),
    ("Grow our revenue with Arvena to EUR 1.5M by 2028", "Arvena Pharma", False, "'our revenue'"),
    ("Grow revenue with Arvena to EUR 1.5M by 2028", "Arvena Pharma", False, "'Grow revenue with': our growth at the customer"),
    ("Increase Arvena's spend with us by 20 % in 2027", "Arvena Pharma", False, "'with us': we are the one who gains"),
    ("Arvena signs the three-year renewal by March 2027", "Arvena Pharma", False, "'Arvena signs'"),
    ("Get Luxora to renew the portal contract for 5 years", "Luxora Private Bank", False, "'Luxora to renew'"),
    ("Double our share of wallet at Kestrel by 2028", "Kestrel Precision Parts", False, "'our share'"),
    ("Kestrel orders 3 more modules in 2027", "Kestrel Precision Parts", False, "'Kestrel orders'"),
    ("They place a purchase order for the analytics suite by June", "Kestrel Precision Parts", False, "'They place'"),
    ("Become Castellan's preferred supplier by 2027", "Castellan Assurance", False, "'preferred supplier'"),
    ("Win the Sunvale fleet monitoring deal", "Sunvale Hydrogen", False, "'deal'"),
    ("Sell 3 more modules of our ticketing suite to Valmont in 2027", "Valmont Regional Transport Authority", False, "'sell'"),
    ("Expand our footprint in Østerby to the grid division", "Østerby Utilities", False, "'our footprint'"),
    ("grow SALES at tessaro by 10 % next year", "Tessaro Foods", False, "our growth at the customer"),
    ("Cut Nordlicht's cross-dock time by 20 % by 2028, without adding warehouse staff", "Nordlicht Logistics", True, ""),
    ("Bring Castellan's average claim settlement time from 21 to 12 days by the end of 2027", "Castellan Assurance", True, ""),
    ("Help Sunvale run its electrolyser fleet at 95 % availability as it scales to 1 GW by 2029", "Sunvale Hydrogen", True, ""),
    ("Let Luxora open a new client account in one day instead of ten by 2027", "Luxora Private Bank", True, ""),
    ("Arvena gets new drugs to market six months sooner by 2028", "Arvena Pharma", True, ""),
    ("Their plants ship 98 % of orders on time by 2027", "Helvion Rail Components", True, ""),
    ("Grow Kestrel's export revenue by 15 % with fewer scrapped parts", "Kestrel Precision Parts", True, ""),
    ("Help Valmont's riders buy tickets in under 30 seconds by 2027", "Valmont Regional Transport Authority", True, ""),
    ("reduce tessaro's recall costs by half by 2028", "Tessaro Foods", True, ""),
]


@pytest.mark.parametrize(("goal", "customer", "customer_side", "reason"), GOALS, ids=[g[0][:40] for g in GOALS])
def test_goal_phrasings(goal, customer, customer_side, reason):
    check = check_goal(goal, customer)
    rule = next(r for r in check.rules if r.rule == "not_our_sale")
    if customer_side:
        assert check.ok, check
        assert rule.passed
    else:
        assert not check.ok
        assert not rule.passed and reason in rule.hint, rule.hint
        assert "Speaks of their result, not our sale" in check.issues
        html = check._repr_html_()
        assert "Needs rework" in html and "turn it round to what the customer gains" in html


def test_a_team_adds_its_own_buying_verbs():
    settings = {"plan": {"goal_words": {"buying": ["onboards"]}}}
    assert check_goal("Nordlicht onboards the control tower by 2027", "Nordlicht Logistics").ok
    assert not check_goal("Nordlicht onboards the control tower by 2027", "Nordlicht Logistics", settings).ok
