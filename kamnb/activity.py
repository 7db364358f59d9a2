"""The sales activity plan: how many contacts of which kind it takes to reach the growth target.

Account growth is sold like new business: a target outcome, a time scale and
conversion rates from first contact to meeting to proposal to win. Working
backwards from the yearly growth target (less the growth already factored into
the pipeline) gives the wins, proposals, meetings and first contacts needed
per quarter; they are set against the contacts the team has actually planned.

Choices, documented in ``docs/qualification.md``:

* growth target per year: ``qualification.activity.growth_targets`` in
  settings when it names the account, else (revenue_potential_3y - revenue_12m)
  / horizon_years from the accounts sheet (0 when potential is not above today);
* the pipeline already counts: factored value of open, qualified grow/new
  opportunities expected to close within the plan's quarters (or undated);
* contacts actually planned: the account's sell_service and care_cultivate
  actions that are not done or dropped, by the quarter they are due;
* activity in a quarter turns into wins ``sales_cycle_quarters`` later.

Example:
    >>> funnel(6, {"contact_to_meeting": 0.5, "meeting_to_proposal": 0.5, "proposal_to_win": 0.5})
    {'wins': 6.0, 'proposals': 12.0, 'meetings': 24.0, 'contacts': 48.0}
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamnb import banks
from kamnb import settings as kamnb_settings
from kamnb.errors import KamnbError
from kamnb.forecast import GROWTH_KINDS
from kamnb.formatting import Notes, money, number, percent
from kamnb.qualification import score_opportunities

PLANNED_CATEGORIES = ("sell_service", "care_cultivate")
PLANNED_STATUSES = ("open", "in_progress")
RATES = ("contact_to_meeting", "meeting_to_proposal", "proposal_to_win")


class ActivitySettingsError(KamnbError):
    """The ``qualification.activity`` settings cannot be used.

    Example:
        >>> issubclass(ActivitySettingsError, KamnbError)
        True
    """


def activity_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The ``qualification.activity`` section with defaults filled in, checked.

    >>> activity_settings({})["conversion"]["proposal_to_win"]
    0.35
    """
    own = (settings.get("qualification") or {}).get("activity") or {}
    sec = kamnb_settings.section({"qualification": {"activity": own}}, "qualification", "activity") if isinstance(own, dict) else kamnb_settings.defaults("qualification", "activity")
    conv = sec["conversion"] or {}
    for rate in RATES:
        value = conv.get(rate)
        if not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise ActivitySettingsError(f"settings.yaml, qualification.activity.conversion.{rate}: found {value!r}, expected a rate above 0 and at most 1")
    for key in ("horizon_years", "plan_quarters"):
        if not isinstance(sec[key], (int, float)) or sec[key] < 1:
            raise ActivitySettingsError(f"settings.yaml, qualification.activity.{key}: found {sec[key]!r}, expected a number of at least 1")
    if not isinstance(sec["sales_cycle_quarters"], int) or sec["sales_cycle_quarters"] < 0:
        raise ActivitySettingsError(
            f"settings.yaml, qualification.activity.sales_cycle_quarters: found {sec['sales_cycle_quarters']!r}, expected a whole number of 0 or more"
        )
    if not isinstance(sec["growth_targets"] or {}, dict):
        raise ActivitySettingsError(f"settings.yaml, qualification.activity.growth_targets: found {sec['growth_targets']!r}, expected account_id: amount")
    return sec


def funnel(wins: float, conversion: dict[str, float]) -> dict[str, float]:
    """Work backwards from wins through the conversion rates to proposals, meetings and first contacts.

    Example:
        >>> funnel(2, {"proposal_to_win": 0.5, "meeting_to_proposal": 0.5, "contact_to_meeting": 0.25})
        {'wins': 2.0, 'proposals': 4.0, 'meetings': 8.0, 'contacts': 32.0}
    """
    proposals = wins / conversion["proposal_to_win"]
    meetings = proposals / conversion["meeting_to_proposal"]
    contacts = meetings / conversion["contact_to_meeting"]
    return {"wins": float(wins), "proposals": float(proposals), "meetings": float(meetings), "contacts": float(contacts)}


def growth_target(wb, account_id: str) -> dict[str, Any]:
    """The account's yearly growth target and where it comes from.

    Returns ``{"target": amount or NaN, "source": text}``.

    Example:
        >>> growth_target(wb, "ACC-001")  # doctest: +SKIP
        {'target': 216666.66666666666, 'source': '(revenue_potential_3y - revenue_12m) / 3 years, from the accounts sheet'}
    """
    sec = activity_settings(wb.settings)
    given = (sec["growth_targets"] or {}).get(account_id)
    if given is not None:
        return {"target": float(given), "source": "set in settings.yaml (qualification.activity.growth_targets)"}
    acc = wb.account(account_id)
    potential, now = acc["revenue_potential_3y"], acc["revenue_12m"]
    years = sec["horizon_years"]
    if pd.isna(potential):
        return {"target": np.nan, "source": "no revenue_potential_3y on the accounts sheet and none in settings"}
    target = max(0.0, (float(potential) - float(now)) / years)
    return {"target": target, "source": f"(revenue_potential_3y - revenue_12m) / {years:g} years, from the accounts sheet"}


def _quarters(as_of: pd.Timestamp, n: int) -> list[pd.Period]:
    first = pd.Timestamp(as_of).to_period("Q")
    return [first + i for i in range(int(n))]


def plan_basis(wb, account_id: str) -> dict[str, Any]:
    """The arithmetic behind the plan: target, pipeline already counted, gap, typical win, wins needed.

    Example:
        >>> round(plan_basis(wb, "ACC-001")["target"])  # doctest: +SKIP
        216667
    """
    sec = activity_settings(wb.settings)
    tgt = growth_target(wb, account_id)
    as_of = banks.as_of(wb.settings)
    quarters = _quarters(as_of, sec["plan_quarters"])
    end = quarters[-1].end_time
    s = score_opportunities(wb)
    mine = s[s["account_id"] == account_id]
    growth = mine[mine["kind"].isin(GROWTH_KINDS)]
    counted = growth[(~growth["closed"]) & (growth["status"] == "qualified") & (growth["expected_close"].isna() | (growth["expected_close"] <= end))]
    in_pipeline = float(counted["factored_value"].sum())
    yearly = tgt["target"] * sec["plan_quarters"] / 4 if not np.isnan(tgt["target"]) else np.nan
    gap = max(0.0, yearly - in_pipeline) if not np.isnan(yearly) else np.nan
    if sec["average_win"]:
        avg, avg_source = float(sec["average_win"]), "set in settings.yaml"
    elif len(growth) and growth["value"].notna().any():
        avg, avg_source = float(growth["value"].mean()), f"mean of the account's {len(growth)} grow/new opportunities"
    else:
        all_growth = s[s["kind"].isin(GROWTH_KINDS)]["value"].dropna()
        if len(all_growth):
            avg, avg_source = float(all_growth.mean()), f"mean of {len(all_growth)} grow/new opportunities across all accounts"
        else:
            avg, avg_source = (gap if gap and gap > 0 else np.nan), "no grow/new opportunity anywhere: the whole gap as one win"
    wins = gap / avg if avg and not np.isnan(avg) and not np.isnan(gap) else (0.0 if gap == 0 else np.nan)
    return {
        "target": tgt["target"], "target_source": tgt["source"], "period_target": yearly, "in_pipeline": in_pipeline,
        "gap": gap, "average_win": avg, "average_win_source": avg_source, "wins": wins,
        "quarters": quarters, "conversion": dict(sec["conversion"]), "cycle": sec["sales_cycle_quarters"],
    }


def planned_contacts(wb, account_id: str) -> pd.DataFrame:
    """The account's planned contacts: sell_service and care_cultivate actions not done or dropped, with their quarter.

    Example:
        >>> planned_contacts(wb, "ACC-001").columns.tolist()[:3]  # doctest: +SKIP
        ['action_id', 'account_id', 'category']
    """
    a = wb.actions
    a = a[(a["account_id"] == account_id) & a["category"].isin(PLANNED_CATEGORIES) & a["status"].replace("", "open").isin(PLANNED_STATUSES)]
    q = a["due"].dt.to_period("Q")
    return a.assign(quarter=q)


def activity_plan(wb, account_id: str) -> pd.DataFrame:
    """Contacts needed per quarter, by kind, against the contacts planned.

    One row per quarter of the plan (starting with the quarter of ``as_of``),
    raw numbers: quarter, wins_land_in, wins, proposals, meetings, contacts
    (first contacts), needed (all three kinds of contact together), planned,
    shortfall (needed - planned, 0 when covered).

    Example:
        >>> activity_plan(wb, "ACC-001").columns.tolist()[:3]  # doctest: +SKIP
        ['quarter', 'wins_land_in', 'wins']
    """
    b = plan_basis(wb, account_id)
    n = len(b["quarters"])
    per_q = funnel((b["wins"] if not np.isnan(b["wins"]) else 0.0) / n, b["conversion"])
    pc = planned_contacts(wb, account_id)
    counts = pc["quarter"].dropna().value_counts()
    rows = []
    for q in b["quarters"]:
        land = q + b["cycle"]
        needed = per_q["contacts"] + per_q["meetings"] + per_q["proposals"]
        planned = int(counts.get(q, 0))
        rows.append({
            "quarter": f"{q.year} Q{q.quarter}", "wins_land_in": f"{land.year} Q{land.quarter}", "wins": per_q["wins"],
            "proposals": per_q["proposals"], "meetings": per_q["meetings"], "contacts": per_q["contacts"],
            "needed": needed, "planned": planned, "shortfall": max(0.0, needed - planned),
        })
    out = pd.DataFrame(rows)
    first = b["quarters"][0]
    out.attrs["overdue_planned"] = int((pc["quarter"] < first).fillna(False).sum())
    out.attrs["undated_planned"] = int(pc["quarter"].isna().sum())
    out.attrs["later_planned"] = int((pc["quarter"] > b["quarters"][-1]).fillna(False).sum())
    return out


def basis_table(wb, account_id: str) -> pd.DataFrame:
    """:func:`plan_basis` as a person reads it: from the target back to the wins needed.

    Example:
        >>> basis_table(wb, "ACC-001").columns.tolist()[:3]  # doctest: +SKIP
        ['step', 'figure', 'how']
    """
    cur = wb.settings.get("currency", "EUR")
    b = plan_basis(wb, account_id)
    c = b["conversion"]
    first, last = b["quarters"][0], b["quarters"][-1]
    rows = [
        ("Growth target per year", money(b["target"], cur), b["target_source"]),
        (f"Target for the plan ({first.year} Q{first.quarter} - {last.year} Q{last.quarter})", money(b["period_target"], cur), "yearly target x plan quarters / 4"),
        ("Already in the pipeline (factored)", money(b["in_pipeline"], cur), "open, qualified grow/new opportunities closing in the plan period"),
        ("Gap to win with new activity", money(b["gap"], cur), "target - pipeline, not below 0"),
        ("Typical win", money(b["average_win"], cur), b["average_win_source"]),
        ("Wins needed", number(b["wins"], 1), "gap / typical win"),
        ("Conversion rates", f"{percent(c['contact_to_meeting'] * 100)} / {percent(c['meeting_to_proposal'] * 100)} / {percent(c['proposal_to_win'] * 100)}",
         "contact -> meeting / meeting -> proposal / proposal -> win"),
        ("Sales cycle", f"{b['cycle']} quarter(s)", "activity in a quarter turns into wins this much later"),
    ]
    return pd.DataFrame(rows, columns=["step", "figure", "how"])


def plan_table(wb, account_id: str) -> pd.DataFrame:
    """:func:`activity_plan` formatted, with a total row.

    Example:
        >>> plan_table(wb, "ACC-001").columns.tolist()[:3]  # doctest: +SKIP
        ['quarter', 'wins land in', 'wins']
    """
    p = activity_plan(wb, account_id)
    tot = p[["wins", "proposals", "meetings", "contacts", "needed", "planned", "shortfall"]].sum()
    shown = pd.concat([p, pd.DataFrame([{"quarter": "Total", "wins_land_in": "", **tot.to_dict()}])], ignore_index=True)
    out = pd.DataFrame({
        "quarter": shown["quarter"], "wins land in": shown["wins_land_in"],
        "wins": [number(v, 1) for v in shown["wins"]],
        "proposals": [number(v, 1) for v in shown["proposals"]],
        "meetings": [number(v, 1) for v in shown["meetings"]],
        "first contacts": [number(v, 1) for v in shown["contacts"]],
        "contacts needed": [number(np.ceil(v - 1e-9)) for v in shown["needed"]],
        "contacts planned": [number(v) for v in shown["planned"]],
        "short by": [number(np.ceil(v - 1e-9)) if v > 0 else "covered" for v in shown["shortfall"]],
    })
    return out


def plan_notes(wb, account_id: str) -> Notes:
    """Sentences about planned contacts the plan could not place in a quarter.

    Example:
        >>> plan_notes(wb, "ACC-001")  # doctest: +SKIP
        ['1 planned contact(s) are overdue (due before the plan starts) and not counted.']
    """
    p = activity_plan(wb, account_id)
    out = []
    if p.attrs["overdue_planned"]:
        out.append(f"{p.attrs['overdue_planned']} planned contact(s) are overdue (due before the plan starts) and not counted.")
    if p.attrs["undated_planned"]:
        out.append(f"{p.attrs['undated_planned']} planned contact(s) have no due date and are not counted.")
    if p.attrs["later_planned"]:
        out.append(f"{p.attrs['later_planned']} planned contact(s) are due after the plan period.")
    if not wb.has_column("accounts", "revenue_potential_3y") and account_id not in (activity_settings(wb.settings)["growth_targets"] or {}):
        out.append("The accounts sheet has no revenue_potential_3y column and settings give no growth target: no plan can be derived.")
    return Notes(out)
