"""The classification tables a person reads: formatted money, fixed order, the right rows."""
from __future__ import annotations

from kamnb.classification import tables
from tests.classification.test_classification import portfolio


def test_pareto_table():
    t = tables.pareto_table(portfolio())
    assert t.loc["revenue", "core accounts"] == "2 of 5 (40%)"
    assert t.loc["revenue", "total"] == "€1.73k" and t.loc["revenue", "core"] == "A1, A2"


def test_key_and_disputed_tables():
    key = tables.key_accounts(portfolio())
    assert key.index.tolist() == sorted(key.index, key=lambda i: -float(key.loc[i, "key score"]))
    d = tables.disputed_accounts(portfolio())
    assert set(d["key under our weights"]) <= {"yes", "no"}
    assert "The big ones" in d.loc["A1", "called key by"]


def test_definitions_and_tier_tables():
    defs = tables.definitions_table(portfolio()[["name", "revenue_12m"]])
    assert defs.loc["strategic", "data"].startswith("not computed: no data in strategic_fit")
    tiers = tables.tier_table(portfolio())
    assert tiers["tier"].iloc[0] == "Invest" and list(tiers.columns)[:3] == ["account", "tier", "why"]


def test_group_table():
    acc = portfolio()
    acc.loc["A4", "parent_id"] = "A3"
    g = tables.group_table(acc)
    assert g["group"].tolist() == ["A3 Oak Tree"] and g["accounts"].tolist() == [2]
    assert "A4" in g["members alone"].iloc[0]
