"""Human column headers and tables a person reads: one labels map for every review table.

:data:`LABELS` turns a field name (``weight_share_pct``, ``calls_key``) into
the header a director reads ("Share of the weight (%)", "Calls it key"); the
unit goes in the header, so cells hold plain numbers. :func:`people_table`
renders a frame by the house rules: no index column unless it means
something, human headers, text left and numbers right, yes/no instead of
True/False, no "-0", "–" for an empty cell, an optional highlighted row (the
account under review), at most ``limit`` rows with the total stated, and one
sentence instead of an empty table.

Example:
    >>> import pandas as pd
    >>> from kamnb.common.people import people_table
    >>> t = people_table(pd.DataFrame({"name": ["Nordlicht"], "calls_key": [True], "growth_pct": [-0.2]}))
    >>> t.headers, t.rows
    (['Name', 'Calls it key', 'Growth (%)'], [['Nordlicht', 'yes', '0']])
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kamnb.common.formatting import date, money

LABELS: dict[str, str] = {
    "account_id": "Id",
    "name": "Name",
    "account": "Account",
    "industry": "Industry",
    "country": "Country",
    "account_manager": "Account manager",
    "revenue_12m": "Revenue, 12 months",
    "revenue_prev_12m": "Revenue, previous 12 months",
    "revenue_share_pct": "Share of revenue (%)",
    "cumulative_share_pct": "Cumulative share (%)",
    "revenue_rank": "Revenue rank",
    "revenue_core": "In the revenue core",
    "gross_profit": "Gross profit",
    "gross_margin_pct": "Gross margin (%)",
    "profit_share_pct": "Share of gross profit (%)",
    "profit_rank": "Profit rank",
    "profit_core": "In the profit core",
    "cost_to_serve": "Cost to serve",
    "contribution": "Contribution after cost to serve",
    "revenue_potential_3y": "Revenue potential, 3 years",
    "growth_pct": "Growth (%)",
    "key_score": "Key score (0-100)",
    "key_rank": "Key rank",
    "is_key": "Key account",
    "key_by_count": "Definitions calling it key",
    "definition": "Definition",
    "score": "Score",
    "rank": "Rank",
    "percentile": "Percentile",
    "weight": "Weight",
    "weight_share_pct": "Share of the weight (%)",
    "contribution_points": "Points added",
    "calls_key": "Calls it key",
    "trap": "Trap",
    "note": "Note",
    "tier": "Tier",
    "tier_reason": "Why this tier",
    "resources": "Recommendation",
    "resource_change": "Effort",
    "partnership": "Partnership",
    "their_willingness": "Their side (1-5)",
    "our_willingness": "Our side (1-5)",
    "attractiveness": "Attractiveness (0-100)",
    "strength": "Our strength (0-100)",
    "quadrant": "Matrix quadrant",
    "buy_sell_position": "Buy-sell position (1-5)",
    "group_id": "Group",
    "members": "Members",
    "flag": "Red flag",
    "severity": "Severity",
    "detail": "Detail",
    "traps": "Traps",
    "disputed": "Definitions disagree",
    "relationship_score": "Relationship score (0-100)",
    "factored_value": "Factored value",
    "red_flags": "Red flags",
    "title": "Title",
    "decision_role": "Decision role",
    "influence": "Influence (1-5)",
    "support": "Support (1-5)",
    "zone": "Zone",
    "zone_label": "Zone",
    "contact_owner": "Contact owner",
    "last_contact": "Last contact",
    "days_since_contact": "Days since contact",
    "contact_days_12m": "Contact days, 12 months",
    "plan": "Plan",
    "points": "Points (0-100)",
    "assessed_on": "Assessed on",
    "decay": "Weight of the evidence (%)",
    "share_pct": "Share of the score (%)",
    "status": "Status",
    "evidence": "Evidence",
    "measure": "Measure",
    "value": "Value",
    "function": "Function",
    "seniority": "Seniority",
    "indicator": "Indicator",
    "previous": "Previous",
    "change": "Change",
}
"""Field name -> header a person reads. The one place for human headers; extend it rather than renaming columns in a table."""

MONEY = {"revenue_12m", "revenue_prev_12m", "gross_profit", "cost_to_serve", "contribution", "revenue_potential_3y", "factored_value",
         "value", "pipeline_value", "qualified_value"}
"""Fields shown as money in the workbook's currency."""

def label(field_name: Any) -> str:
    """The header for a field: from :data:`LABELS`, else the name in words (``_pct`` becomes "(%)").

    >>> label("weight_share_pct"), label("days_since_contact")
    ('Share of the weight (%)', 'Days since contact')
    """
    key = str(field_name)
    if key in LABELS:
        return LABELS[key]
    unit = ""
    if key.endswith("_pct"):
        key, unit = key[:-4], " (%)"
    words = key.replace("_", " ").strip()
    return (words[:1].upper() + words[1:] + unit) if words else key


def cell(value: Any, field_name: str = "", currency: str = "EUR", digits: int = 0) -> str:
    """One value as a person reads it: yes/no, ISO dates, money, rounded numbers without "-0", "–" when empty.

    >>> cell(True), cell(-0.3), cell(1250000.0, "revenue_12m"), cell(float("nan")), cell(pd.Timestamp("2026-11-01"))
    ('yes', '0', '€1,250,000', '–', '2026-11-01')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp):
        return date(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = float(value)
        if math.isnan(v):
            return "–"
        if field_name in MONEY:
            return money(v, currency)
        text = f"{v:,.{digits}f}"
        if text.lstrip("-").strip("0.,") == "":
            text = text.lstrip("-")
        return text
    text = str(value)
    return text if text.strip() else "–"


