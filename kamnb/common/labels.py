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
    >>> t = people_table(pd.DataFrame({"name": ["Nordlicht"], "calls_key": [True], "growth_pct": [-0.2]}))
    >>> t.headers, t.rows
    (['Name', 'Calls it key', 'Growth (%)'], [['Nordlicht', 'yes', '0']])
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kamnb.formatting import date, money

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


@dataclass
class PeopleTable:
    """A table ready for people (see :func:`people_table`); renders as HTML and as text."""

    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    highlight: list[bool] = field(default_factory=list)
    empty: str = ""
    note: str = ""

    def _repr_html_(self) -> str:
        return render_html(self)

    def __repr__(self) -> str:
        if not self.rows:
            return self.empty
        frame = pd.DataFrame(self.rows, columns=self.headers)
        text = frame.to_string(index=False)
        return text + (f"\n{self.note}" if self.note else "")


def render_html(table: PeopleTable) -> str:
    """The HTML of a :class:`PeopleTable`, through the project's one HTML-table helper (every text escaped).

    >>> render_html(PeopleTable([], [], [], empty="No group: this account is classified on its own."))
    '<p class="kamnb-empty">No group: this account is classified on its own.</p>'
    """
    from kamnb.common.tables import escape, html_table

    if not table.rows:
        return f'<p class="kamnb-empty">{escape(table.empty)}</p>'
    frame = pd.DataFrame(table.rows, columns=pd.Index(_unique(table.headers)))
    right = [h for h, n in zip(frame.columns, table.numeric, strict=True) if n]
    classes = ["current" if h else "" for h in table.highlight] if any(table.highlight) else None
    out = html_table(frame, right=right, row_classes=classes, bold_first=False)
    if table.note:
        out += f'<p class="kamnb-table-note" style="font-size:0.85em;color:#616e7c;margin:2px 0 10px">{escape(table.note)}</p>'
    return out


def _unique(headers: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def people_table(
    frame: pd.DataFrame,
    *,
    empty: str = "Nothing to show.",
    index: bool = False,
    highlight: Any = None,
    limit: int | None = None,
    what: str = "rows",
    rest: str = "",
    currency: str = "EUR",
    digits: dict[str, int] | None = None,
    labels: dict[str, str] | None = None,
) -> PeopleTable:
    """``frame`` as a table for people.

    ``index``: show the index as the first column (only when it means
    something, e.g. the account id). ``highlight``: the index label of the row
    to highlight (the account under review). ``limit``: at most this many rows,
    with a note "Showing 30 of 3,000 <what>" and ``rest`` (where the others
    are). ``empty``: the one sentence shown instead of an empty table; say
    which data would fill it. ``digits``: decimals per field (default 0).
    ``labels``: headers for this table only, over :data:`LABELS`.

    Example:
        >>> f = pd.DataFrame({"revenue_12m": [5.0, 3.0, 1.0]}, index=pd.Index(["A", "B", "C"], name="account_id"))
        >>> t = people_table(f, index=True, highlight="B", limit=2, what="accounts", rest="all are in portfolio.csv")
        >>> t.rows, t.highlight, t.note
        ([['A', '€5'], ['B', '€3']], [False, True], 'Showing 2 of 3 accounts; all are in portfolio.csv.')
    """
    digits = digits or {}
    names = dict(LABELS, **(labels or {}))
    data = frame.reset_index() if index else frame
    total = len(data)
    shown = data.iloc[:limit] if limit is not None else data
    idx = list(frame.index[: len(shown)])
    cols = list(shown.columns)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c]) for c in cols]
    rows = [[cell(v, str(c), currency, digits.get(str(c), 0)) for c, v in zip(cols, row, strict=True)] for row in shown.itertuples(index=False, name=None)]
    marks = [highlight is not None and i == highlight for i in idx]
    note = ""
    if limit is not None and total > limit:
        note = f"Showing {limit:,} of {total:,} {what}" + (f"; {rest}" if rest else "") + "."
    headers = [names.get(str(c), label(c)) for c in cols]
    return PeopleTable(headers, rows, numeric, marks, empty, note)
