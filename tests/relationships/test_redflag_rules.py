"""The red-flag rules a director looks for, each on a hand-built workbook that trips it and one that does not."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINI, SAMPLE

from kamnb.relationships import redflags
from kamnb.relationships.redflags import flag_table, red_flags
from kamnb.workbook import load_workbook

ACCOUNTS = "account_id,name,revenue_12m,revenue_prev_12m,gross_margin_pct,cost_to_serve,growth_potential,strategic_fit\n"


def book(folder: Path, settings: str = "", **sheets: str):
    """The mini workbook with some sheets replaced (full CSV text, header included)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**MINI, **sheets}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    (folder / "settings.yaml").write_text("as_of: 2026-11-01\n" + settings, encoding="utf-8")
    return load_workbook(folder)


def found(wb, rule: str) -> dict[str, tuple[str, str]]:
    f = red_flags(wb, flags=[rule])
    return {r["account_id"]: (r["severity"], r["detail"]) for _, r in f.iterrows()}


def test_the_economic_buyer_against_us_is_high_another_decision_maker_medium(tmp_path):
    st = ("stakeholder_id,account_id,name,title,influence,support,decision_role,last_contact\n"
          "S1,A1,Ann Lee,CFO,4,1,economic_buyer,2026-10-01\nS2,A1,Bo Chen,CPO,4,2,decision_maker,2026-10-01\n"
          "S3,A2,Cy Dorn,COO,5,2,decision_maker,2026-10-01\nS4,A2,Di Ek,CFO,4,3,economic_buyer,2026-10-01\n")
    f = found(book(tmp_path / "b", stakeholders=st), "decision_maker_against")
    assert f["A1"] == ("high", "against us: Ann Lee (CFO, economic buyer, support 1 of 5); Bo Chen (CPO, decision maker, support 2 of 5)")
    assert f["A2"] == ("medium", "against us: Cy Dorn (COO, decision maker, support 2 of 5)")
    neutral = st.replace(",4,1,economic", ",4,3,economic").replace(",4,2,decision", ",4,3,decision").replace(",5,2,decision", ",5,4,decision")
    assert found(book(tmp_path / "c", stakeholders=neutral), "decision_maker_against") == {}


def test_a_large_renewal_at_low_likelihood(tmp_path):
    opps = ("opportunity_id,account_id,name,kind,value,stage,expected_close,owner\n"
            "O1,A1,Renew support,retain,900000,negotiation,2027-03-31,Jana Weber\n"
            "O2,A2,Renew grid work,retain,100000,negotiation,2027-03-31,Tom Berg\n")
    qual = "opportunity_id,question_id,answer,evidence,assessed_on,assessed_by\nO1,budget,partly,Under review,2026-09-15,Jana Weber\nO2,budget,partly,x,2026-09-15,Tom Berg\n"
    f = found(book(tmp_path / "b", opportunities=opps, qualification=qual), "large_renewal_at_risk")
    # O1: 75 % of A1's EUR 1.2M at 2.7 %; O2 is 25 % of A2's revenue, not large
    assert f == {"A1": ("high", "O1 Renew support: €900k (75 % of the account's revenue), closing 2027-03-31, likelihood 3 % (at risk below 20 %)")}
    safe = found(book(tmp_path / "c", "red_flags: {renewal_low_likelihood: 0.02}\n", opportunities=opps, qualification=qual), "large_renewal_at_risk")
    assert safe == {}


def test_relationship_score_below_the_floor(tmp_path):
    rel = ("account_id,indicator_id,score,evidence,assessed_on,assessed_by\n"
           + "".join(f"A1,{i},1,x,2026-10-01,Jana Weber\n" for i in ("prompt_payment", "trusted_advisor", "shared_plans"))
           + "".join(f"A2,{i},5,x,2026-10-01,Tom Berg\n" for i in ("prompt_payment", "trusted_advisor", "shared_plans")))
    st = MINI["stakeholders"].replace("S2,A1,Bo Chen,Head of IT,3,2", "S2,A1,Bo Chen,Head of IT,3,4")
    wb = book(tmp_path / "b", relationship=rel, stakeholders=st)
    f = found(wb, "score_below_floor")
    assert list(f) == ["A1"] and f["A1"][1].startswith("relationship score ") and f["A1"][1].endswith(" is below the floor of 50")
    assert found(book(tmp_path / "c", "red_flags: {score_floor: 5}\n", relationship=rel, stakeholders=st), "score_below_floor") == {}


def test_relationship_score_falling_once_by_enough_points(tmp_path):
    rel = ("account_id,indicator_id,score,evidence,assessed_on,assessed_by\n"
           "A1,prompt_payment,5,x,2025-11-01,Jana Weber\nA1,prompt_payment,2,x,2026-10-01,Jana Weber\n"
           "A2,prompt_payment,4,x,2025-11-01,Tom Berg\nA2,prompt_payment,4,x,2026-10-01,Tom Berg\n")
    f = found(book(tmp_path / "b", relationship=rel), "score_falling")
    assert list(f) == ["A1"] and f["A1"][0] == "medium" and "since the review of 2025-11-01" in f["A1"][1]


def test_contribution_after_cost_to_serve_negative(tmp_path):
    acc = ACCOUNTS + "A1,Alpha,1000000,900000,10,150000,3,3\nA2,Beta,1000000,900000,30,150000,3,3\n"
    f = found(book(tmp_path / "b", accounts=acc), "loss_after_cost_to_serve")
    assert f == {"A1": ("high", "gross profit €100k minus cost to serve €150k leaves a contribution of -€50k: the account is kept at a loss")}


def test_revenue_falling_in_a_pareto_core_account(tmp_path):
    acc = ACCOUNTS + "A1,Alpha,900000,1000000,30,0,3,3\nA2,Beta,50000,100000,30,0,3,3\nA3,Gamma,600000,590000,30,0,3,3\n"
    f = found(book(tmp_path / "b", accounts=acc), "core_revenue_falling")
    # A2 halved but is not in the core (A1 and A3 carry 80 %)
    assert f == {"A1": ("high", "revenue fell 10 % (€1M to €900k) in an account of the Pareto core (a fall of 5 % or more counts)")}
    assert found(book(tmp_path / "c", "red_flags: {revenue_fall_pct: 15}\n", accounts=acc), "core_revenue_falling") == {}


def test_overdue_actions_on_a_key_account_only(tmp_path):
    acc = ACCOUNTS + "A1,Alpha,5000000,4000000,30,0,5,5\nA2,Beta,10000,10000,5,0,1,1\n"
    actions = ("action_id,account_id,category,action,owner,due,status\n"
               "AC1,A1,care_cultivate,Review,Jana Weber,2026-10-15,open\nAC2,A1,sell_service,Offer,Jana Weber,2026-09-01,in_progress\n"
               "AC3,A1,sell_service,Done one,Jana Weber,2026-09-01,done\nAC4,A2,sell_service,Late too,Tom Berg,2026-09-01,open\n")
    f = found(book(tmp_path / "b", accounts=acc, actions=actions), "overdue_actions")
    assert f == {"A1": ("medium", "2 action(s) overdue on a key account: AC2 (due 2026-09-01), AC1 (due 2026-10-15)")}
    assert found(book(tmp_path / "c", "red_flags: {overdue_actions_at: 3}\n", accounts=acc, actions=actions), "overdue_actions") == {}


def test_value_ratio_below_the_threshold(tmp_path):
    value = ("account_id,pricing_model,annual_fees,value_low,value_expected,value_high\n"
             "A1,fixed_price,1000000,800000,1200000,1500000\nA2,fixed_price,400000,500000,560000,800000\n")
    f = found(book(tmp_path / "b", value=value), "value_ratio_low")
    assert f["A1"] == ("high", "value ratio 1.2 (expected estimate) is below 1.5; the cautious estimate (0.8) does not even cover the fees")
    assert f["A2"] == ("medium", "value ratio 1.4 (expected estimate) is below 1.5")
    assert found(book(tmp_path / "c", "red_flags: {value_ratio_below: 1.1}\n", value=value), "value_ratio_low") == {}


def test_concentration_of_portfolio_revenue(tmp_path):
    acc = ACCOUNTS + "".join(f"A{i},Acc {i},{r},{r},30,0,3,3\n" for i, r in enumerate((500, 200, 150, 150), start=1))
    f = found(book(tmp_path / "b", accounts=acc), "concentration")
    # A2 holds exactly 20 %: not above the limit
    assert f == {"A1": ("medium", "50 % of the portfolio's revenue sits in this one account (limit 20 %)")}
    assert found(book(tmp_path / "c", "red_flags: {concentration_share_pct: 60}\n", accounts=acc), "concentration") == {}


def test_an_opportunity_closing_soon_with_decision_questions_open(tmp_path):
    opps = ("opportunity_id,account_id,name,kind,value,stage,expected_close,owner\n"
            "O1,A1,Control tower,new,100000,proposal,2027-01-15,Jana Weber\n"
            "O2,A1,Later deal,new,100000,proposal,2027-09-15,Jana Weber\n"
            "O3,A2,Clear deal,grow,100000,proposal,2026-12-15,Tom Berg\n"
            "O4,A2,Renewal nobody questions,retain,50000,proposal,2026-12-15,Tom Berg\n")
    qual = ("opportunity_id,question_id,answer,evidence,assessed_on,assessed_by\n"
            "O1,decision_awareness,yes,Board named it,2026-10-01,Jana Weber\nO1,decision_how_when,unknown,,2026-10-01,Jana Weber\n"
            "O1,would_we_win,no,,2026-10-01,Jana Weber\n"
            "O2,budget,yes,Approved,2026-10-01,Jana Weber\n"
            + "".join(f"O3,{q},yes,x,2026-10-01,Tom Berg\n" for q in ("decision_awareness", "decision_how_when", "would_we_win"))
            + "O4,decision_awareness,no,They see no reason to change,2026-10-01,Tom Berg\n"
            + "".join(f"O4,{q},yes,x,2026-10-01,Tom Berg\n" for q in ("decision_how_when", "would_we_win")))
    f = found(book(tmp_path / "b", opportunities=opps, qualification=qual), "closing_undecided")
    assert f == {"A1": ("high", "O1 Control tower closes 2027-01-15 (75 days): 'Do we know how and when the decision will be made?' unknown; "
                                "'If they decided today, would we win?' no")}
    assert found(book(tmp_path / "c", "red_flags: {closing_days: 30}\n", opportunities=opps, qualification=qual), "closing_undecided") == {}


def test_flags_are_shown_by_title_never_by_code_name(tmp_path):
    acc = ACCOUNTS + "A1,Alpha,1000000,900000,10,150000,3,3\nA2,Beta,1000000,900000,30,150000,3,3\n"
    t = flag_table(book(tmp_path / "b", accounts=acc), "A1")
    assert list(t.columns) == ["red flag", "severity", "detail"]
    assert "Loss after cost to serve" in set(t["red flag"])
    assert not set(t["red flag"]) & set(redflags.RED_FLAGS)


def test_every_threshold_has_a_default_in_settings():
    cfg = redflags.flag_settings({})
    assert set(cfg) == {"renewal_share_pct", "renewal_low_likelihood", "score_floor", "score_drop", "revenue_fall_pct", "overdue_actions_at",
                        "value_ratio_below", "concentration_share_pct", "closing_days", "decision_questions", "renewal_no_is_good"}


def test_the_sample_largest_account_shows_what_a_director_sees():
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("the sample workbook is missing")
    wb = load_workbook(SAMPLE)
    acc1 = set(red_flags(wb, "ACC-001")["flag"])
    assert {"decision_maker_against", "large_renewal_at_risk", "score_below_floor", "loss_after_cost_to_serve", "overdue_actions",
            "value_ratio_low", "concentration", "closing_undecided"} <= acc1
    assert {"core_revenue_falling", "score_falling"} <= set(red_flags(wb, "ACC-011")["flag"])
