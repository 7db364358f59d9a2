"""Tiers on hand-built workbooks: each of the five tiers, and each sign of risk that puts an account in retain / defend."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import SAMPLE

from kamnb import classification as classification_step
from kamnb.classification import hierarchy, tables
from kamnb.classification import score as cls
from kamnb.workbook import load_workbook

# I1 invest, M1 maintain (key, in the revenue core, little ahead), D1 develop, S1/S2 streamline
ACCOUNTS = pd.DataFrame({
    "account_id": ["I1", "M1", "D1", "S1", "S2"],
    "name": ["Invest Co", "Maintain Co", "Develop Co", "Streamline Co", "Small Co"],
    "revenue_12m": [1000e3, 2000e3, 100e3, 60e3, 40e3],
    "revenue_prev_12m": [900e3, 1500e3, 100e3, 60e3, 40e3],
    "gross_margin_pct": [30, 25, 30, 10, 10],
    "cost_to_serve": [50e3, 50e3, 5e3, 5e3, 5e3],
    "revenue_potential_3y": [5000e3, 2000e3, 3000e3, 60e3, 40e3],
    "growth_potential": [5, 2, 5, 1, 1], "strategic_fit": [5, 3, 4, 1, 1],
    "partner_willingness": [5, 4, 4, 2, 2], "transparency": [5, 4, 4, 2, 2], "our_willingness": [5, 4, 4, 2, 2],
    "buy_sell_position": [4, 3, 2, 1, 1], "responsiveness": [5, 5, 1, 1, 1],
})
EMPTY = {
    "stakeholders": "stakeholder_id,account_id,name,title,influence,support,decision_role,contact_owner,last_contact\n",
    "opportunities": "opportunity_id,account_id,name,kind,value,stage,expected_close,owner\n",
    "relationship": "account_id,indicator_id,score,evidence,assessed_on,assessed_by\n",
    "history": "account_id,assessed_on,partner_willingness,transparency,buy_sell_position\n",
}


def book(folder: Path, accounts: pd.DataFrame = ACCOUNTS, settings: str = "", **sheets: str):
    folder.mkdir(parents=True, exist_ok=True)
    accounts.to_csv(folder / "accounts.csv", index=False)
    for name, text in {**EMPTY, **sheets}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    (folder / "settings.yaml").write_text("as_of: 2026-11-01\n" + settings, encoding="utf-8")
    return load_workbook(folder)


def tiers(wb) -> dict[str, str]:
    return cls.classify(wb)["tier"].astype(str).to_dict()


def test_every_tier_without_signs_of_risk(tmp_path):
    wb = book(tmp_path / "b")
    assert tiers(wb) == {"I1": "invest", "M1": "maintain", "D1": "develop", "S1": "streamline", "S2": "streamline"}
    assert set(cls.classify(wb)["risk"].astype(str)) == {""}


def test_develop_when_key_and_attractive_but_they_do_not_want_to_partner(tmp_path):
    acc = ACCOUNTS.assign(partner_willingness=[2, 4, 4, 2, 2], transparency=[2, 4, 4, 2, 2])
    res = cls.classify(book(tmp_path / "b", acc))
    assert res.loc["I1", "tier"] == "develop" and "not yet willing partners" in res.loc["I1", "tier_reason"]


SIGNS = {
    "revenue_falling": ({"accounts": ACCOUNTS.assign(revenue_prev_12m=[900e3, 2500e3, 100e3, 90e3, 40e3])}, "revenue falling"),
    "partner_down": ({"history": "account_id,assessed_on,partner_willingness\nM1,2025-11-01,5\nS1,2025-11-01,4\n"}, "their willingness to partner fell"),
    "transparency_down": ({"history": "account_id,assessed_on,transparency\nM1,2025-11-01,5\nS1,2025-11-01,4\n"}, "their transparency fell"),
    "buy_sell_down": ({"history": "account_id,assessed_on,buy_sell_position\nM1,2025-11-01,4\nS1,2025-11-01,3\n"}, "pushed down the buy-sell hierarchy"),
    "score_low": ({"relationship": EMPTY["relationship"] + "M1,prompt_payment,1,x,2026-10-01,Ann\nM1,trusted_advisor,1,x,2026-10-01,Ann\n"
                                                       "S1,prompt_payment,1,x,2026-10-01,Ann\nS1,trusted_advisor,1,x,2026-10-01,Ann\n"},
                  "relationship score below the floor"),
    "score_falling": ({"relationship": EMPTY["relationship"] + "M1,prompt_payment,5,x,2025-11-01,Ann\nM1,prompt_payment,3,x,2026-10-01,Ann\n"
                                                           "S1,prompt_payment,5,x,2025-11-01,Ann\nS1,prompt_payment,3,x,2026-10-01,Ann\n"},
                      "relationship score falling"),
    "renewal_at_risk": ({"opportunities": EMPTY["opportunities"] + "O1,M1,Renew the contract,retain,1500000,negotiation,2027-03-31,Ann\n"
                                                                 "O2,S1,Renew the contract,retain,50000,negotiation,2027-03-31,Ann\n"},
                        "a large renewal at low likelihood"),
    "economic_buyer_against": ({"stakeholders": EMPTY["stakeholders"] + "P1,M1,Eva Berg,CFO,5,1,economic_buyer,Ann,2026-10-01\n"
                                                                      "P2,S1,Olaf Berg,CFO,5,1,economic_buyer,Ann,2026-10-01\n"},
                               "the economic buyer is against us"),
}


@pytest.mark.parametrize("sign", sorted(SIGNS))
def test_a_key_or_core_account_at_risk_is_retained_and_defended(tmp_path, sign):
    sheets, words = SIGNS[sign]
    wb = book(tmp_path / "b", **sheets)
    res = cls.classify(wb)
    assert res.loc["M1", "tier"] == "retain"
    assert words in res.loc["M1", "risk"].split("; ")
    assert res.loc["M1", "tier_reason"] == "key or in the Pareto core, and at risk: defend the business before chasing new deals"
    assert res.loc["M1", "resource_change"] != "less effort"
    # the same sign on an account that is neither key nor in a Pareto core changes nothing
    assert res.loc["S1", "tier"] == "streamline"
    ex = cls.explain(wb, "M1", result=res)
    assert any(line.startswith("Tier: Retain / defend") and words in line for line in ex.reasons)
    assert tables.tier_table(wb, res).index[0] == "M1"   # retain / defend first


def test_retain_thresholds_come_from_settings(tmp_path):
    sheets, _ = SIGNS["revenue_falling"]
    wb = book(tmp_path / "b", settings="classification: {tiers: {retain: {revenue_fall_pct: 30}}}\n", **sheets)
    assert tiers(wb)["M1"] != "retain"    # a 20 % fall is below the 30 % set here


def test_contribution_is_the_third_pareto_measure_and_must_not_lose_uses_it(tmp_path):
    # M1 has the largest gross profit but a cost to serve that eats all of it
    acc = ACCOUNTS.assign(cost_to_serve=[50e3, 600e3, 5e3, 5e3, 5e3])
    wb = book(tmp_path / "b", acc)
    res = cls.classify(wb)
    assert res.loc["M1", "gross_profit"] == 500e3 and res.loc["M1", "contribution"] == -100e3
    assert bool(res.loc["M1", "profit_core"]) and not bool(res.loc["M1", "contribution_core"])
    assert res.loc["M1", "must_not_lose"] == 0
    table = tables.pareto_table(wb, res)
    assert list(table.index) == ["revenue", "gross profit", "contribution after cost to serve"]
    assert "M1" not in table.loc["contribution after cost to serve", "core"]
    reasons = cls.explain(wb, "M1", result=res).reasons
    assert ("Kept at a loss: gross profit €500k does not cover the cost to serve of €600k; every year the account costs us €100k."
            in reasons)
    assert classification_step.portfolio_columns(wb).loc["M1", "contribution"] == -100e3


def test_the_buy_sell_hierarchy_is_named_with_its_move_and_next_step(tmp_path):
    wb = book(tmp_path / "b", history="account_id,assessed_on,buy_sell_position\nD1,2025-11-01,3\nI1,2025-11-01,3\n")
    res = cls.classify(wb)
    assert res.loc["D1", "buy_sell_level"] == "approved supplier" and res.loc["D1", "buy_sell_change"] == -1
    assert res.loc["I1", "buy_sell_change"] == 1
    pos = hierarchy.position(wb, "D1")["figure"].tolist()
    assert pos[0] == "2 of 5, approved supplier"
    assert pos[1] == "down 1 level (was 3, solution provider)"
    assert pos[2].startswith("To reach 3, solution provider: ")
    line = next(r for r in cls.explain(wb, "D1", result=res).reasons if r.startswith("Buy-sell hierarchy"))
    assert line.startswith("Buy-sell hierarchy: 2 of 5, approved supplier; down 1 level (was 3, solution provider) since 2025-11-01. To reach 3")
    cols = classification_step.portfolio_columns(wb)
    assert cols.loc["D1", "buy_sell_level"] == "approved supplier" and cols.loc["D1", "buy_sell_change"] == -1
    assert hierarchy.next_step(5).startswith("At the top: ")


def test_a_team_renames_the_levels_in_settings(tmp_path):
    levels = "".join(f"      - {{name: level {c}, move_up: do {c}}}\n" for c in "ABCDE")
    wb = book(tmp_path / "b", settings="classification:\n  buy_sell:\n    levels:\n" + levels)
    assert hierarchy.position(wb, "D1")["figure"].tolist()[::2] == ["2 of 5, level B", "To reach 3, level C: do B"]


def test_the_sample_reaches_every_tier():
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("the sample workbook is missing")
    res = cls.classify(load_workbook(SAMPLE))
    assert set(res["tier"].astype(str)) == {"retain", "invest", "develop", "maintain", "streamline"}
    assert res.loc["ACC-011", "tier"] == "retain" and "revenue falling" in res.loc["ACC-011", "risk"]
    assert res.loc["ACC-001", "tier"] == "retain" and res.loc["ACC-001", "contribution"] < 0
    assert res.loc["ACC-014", "tier"] == "maintain"
    assert res.loc["ACC-002", "buy_sell_change"] == -1
