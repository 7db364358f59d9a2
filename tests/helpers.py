"""Workbooks for tests: a two-account mini workbook and the sample's location."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

MINI = {
    "accounts": (
        "account_id,name,industry,revenue_12m,revenue_prev_12m,gross_margin_pct,account_manager,"
        "growth_potential,strategic_fit,partner_willingness,transparency,our_willingness,buy_sell_position\n"
        "A1,Alpha Freight,logistics,1200000,1000000,30,Jana Weber,4,4,3,3,4,3\n"
        "A2,Beta Energy,energy,400000,450000,22,Tom Berg,2,3,2,2,3,2\n"
    ),
    "stakeholders": (
        "stakeholder_id,account_id,name,title,influence,support,decision_role,last_contact\n"
        "S1,A1,Ann Lee,COO,5,4,economic_buyer,2026-10-01\n"
        "S2,A1,Bo Chen,Head of IT,3,2,technical_buyer,2026-06-01\n"
        "S3,A2,Cy Dorn,CFO,4,3,economic_buyer,2026-09-01\n"
    ),
    "opportunities": (
        "opportunity_id,account_id,name,kind,value,stage,expected_close,owner\n"
        "O1,A1,Renew warehouse support,retain,400000,proposal,2027-03-31,Jana Weber\n"
        "O2,A1,Cross-dock analytics,grow,150000,qualifying,2027-06-30,Jana Weber\n"
        "O3,A2,Grid maintenance,retain,300000,negotiation,2027-01-31,Tom Berg\n"
    ),
    "qualification": (
        "opportunity_id,question_id,answer,evidence,assessed_on,assessed_by\n"
        "O1,budget,partly,Budget line under review,2026-09-15,Jana Weber\n"
        "O1,preference,yes,COO said so,2026-09-15,Jana Weber\n"
    ),
    "relationship": (
        "account_id,indicator_id,score,evidence,assessed_on,assessed_by\n"
        "A1,prompt_payment,4,Paid within 14 days,2026-09-15,Jana Weber\n"
    ),
    "actions": (
        "action_id,account_id,category,action,owner,due,status\n"
        "AC1,A1,care_cultivate,Quarterly review with the COO,Jana Weber,2026-12-15,open\n"
    ),
    "history": (
        "account_id,assessed_on,growth_potential,strategic_fit,partner_willingness,transparency,our_willingness,buy_sell_position\n"
        "A1,2025-10-01,3,4,3,2,4,2\n"
    ),
    "stakeholder_history": "stakeholder_id,assessed_on,influence,support\nS2,2025-10-01,3,3\n",
}


# Opportunities naming offerings and business units, for the whitespace map (replaces MINI's).
WHITESPACE_OPPS = (
    "opportunity_id,account_id,name,kind,value,stage,expected_close,owner,offering_id,business_unit\n"
    "O1,A1,Renew warehouse support,retain,400000,won,2026-03-31,Jana Weber,SUP,Hamburg\n"
    "O2,A1,Analytics pilot,grow,150000,qualifying,2027-06-30,Jana Weber,ANA,Hamburg\n"
    "O3,A1,Yard system,new,90000,lost,2026-05-01,Jana Weber,YARD,Bremen\n"
    "O4,A1,Support for Bremen,grow,120000,won,2026-02-01,Jana Weber,SUP,Bremen\n"
    "O5,A2,Grid support,retain,300000,won,2026-01-31,Tom Berg,SUP,\n"
    "O6,A2,Grid support extension,grow,100000,won,2026-06-30,Tom Berg,SUP,\n"
    "O7,A2,Yard pilot,new,60000,won,2026-07-01,Tom Berg,YARD,\n"
    "O8,A2,No product named,grow,10000,proposal,2027-01-31,Tom Berg,,\n"
)


def write_mini(folder: Path) -> Path:
    """A two-account workbook small enough to reason about by hand."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in MINI.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    (folder / "settings.yaml").write_text("as_of: 2026-11-01\n", encoding="utf-8")
    return folder
