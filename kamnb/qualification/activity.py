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
* activity in a quarter turns into wins ``sales_cycle_quarters`` later;
* whole numbers that add up: wins are rounded up, each step back through the
  funnel is rounded up, and each total is spread over the quarters with the
  rounding carried (:func:`spread`);
* proposal -> win from our own won/lost history (:func:`conversion_rates`);
  the typical win leaves out lost and qualified-out deals;
* every open renewal gets retention activities (:func:`retention_activities`).

Example:
    >>> funnel(6, {"contact_to_meeting": 0.5, "meeting_to_proposal": 0.5, "proposal_to_win": 0.5})
    {'wins': 6.0, 'proposals': 12.0, 'meetings': 24.0, 'contacts': 48.0}
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kamnb import settings as kamnb_settings
from kamnb.common.formatting import money, number, percent
from kamnb.common.rows import rows_of
from kamnb.common.tables import Notes
from kamnb.errors import KamnbError
from kamnb.qualification.forecast import GROWTH_KINDS
from kamnb.qualification.score import score_opportunities
from kamnb.workbook import banks

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
    by_account = sec.get("conversion_by_account") or {}
    if not isinstance(by_account, dict):
        raise ActivitySettingsError(f"settings.yaml, qualification.activity.conversion_by_account: found {by_account!r}, expected account_id: rates")
    for acc, rates in by_account.items():
        for rate, value in (rates or {}).items() if isinstance(rates, dict) else [("", rates)]:
            if rate not in RATES or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ActivitySettingsError(
                    f"settings.yaml, qualification.activity.conversion_by_account.{acc}{'.' + rate if rate else ''}: found {value!r}, "
                    f"expected one of {', '.join(RATES)} with a rate above 0 and at most 1")
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
        >>> growth_target(wb, "ACC-001")
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


def spread(total: int, n: int) -> list[int]:
    """Split a whole number over ``n`` quarters, carrying the rounding so the parts add up (earlier quarters first).

    >>> spread(9, 4), spread(1, 4), spread(0, 3)
    ([3, 2, 2, 2], [1, 0, 0, 0], [0, 0, 0])
    """
    n = int(n)
    return [math.ceil(total * (i + 1) / n - 1e-9) - math.ceil(total * i / n - 1e-9) for i in range(n)]


def win_history(wb, account_id: str | None = None) -> dict[str, int]:
    """Won and lost grow/new opportunities of one account (or of the whole portfolio when ``account_id`` is None).

    Example:
        >>> win_history(wb, "ACC-009")
        {'won': 2, 'lost': 1}
    """
    o = wb.opportunities if account_id is None else rows_of(wb.opportunities, account_id)
    o = o[o["kind"].isin(GROWTH_KINDS)]
    return {"won": int((o["stage"] == "won").sum()), "lost": int((o["stage"] == "lost").sum())}


def conversion_rates(wb, account_id: str) -> dict[str, Any]:
    """The conversion rates the plan uses and where each comes from.

    A rate set for the account in ``conversion_by_account`` (a CRM import
    writes its won and lost deals there) comes first. Otherwise proposal -> win
    comes from our own won/lost grow/new deals: the account's when it has at
    least ``own_history_min`` closed, else the portfolio's when it has
    ``portfolio_history_min``, else the settings. The two earlier steps
    come from the settings (the workbook does not record meetings).
    Returns ``{"rates": {...}, "sources": {...}}``.

    Example:
        >>> conversion_rates(wb, "ACC-009")["sources"]["proposal_to_win"]
        "the account's own history: 2 won of 3 closed grow/new deals"
    """
    sec = activity_settings(wb.settings)
    rates = dict(sec["conversion"])
    sources = {r: "settings.yaml (qualification.activity.conversion)" for r in RATES}
    given = (sec.get("conversion_by_account") or {}).get(account_id) or {}
    for rate, value in given.items():
        rates[rate] = float(value)
        sources[rate] = "from this account's own won and lost deals, set in settings.yaml (qualification.activity.conversion_by_account, as a CRM import writes it)"
    if "proposal_to_win" in given:
        return {"rates": rates, "sources": sources}
    for scope, need, words in ((account_id, sec["own_history_min"], "the account's own history"),
                               (None, sec["portfolio_history_min"], "the portfolio's history")):
        h = win_history(wb, scope)
        closed = h["won"] + h["lost"]
        if closed >= int(need) and h["won"] > 0:
            rates["proposal_to_win"] = h["won"] / closed
            sources["proposal_to_win"] = f"{words}: {h['won']} won of {closed} closed grow/new deals"
            break
    return {"rates": rates, "sources": sources}


def plan_basis(wb, account_id: str) -> dict[str, Any]:
    """The arithmetic behind the plan: target, pipeline already counted, gap, typical win, wins needed.

    ``wins_exact`` is gap / typical win; ``wins`` is that rounded up to whole
    wins (a plan cannot win part of a deal).

    Example:
        >>> round(plan_basis(wb, "ACC-001")["target"])
        216667
    """
    sec = activity_settings(wb.settings)
    tgt = growth_target(wb, account_id)
    as_of = banks.as_of(wb.settings)
    quarters = _quarters(as_of, sec["plan_quarters"])
    end = quarters[-1].end_time
    s = score_opportunities(wb)
    mine = rows_of(s, account_id)
    growth = mine[mine["kind"].isin(GROWTH_KINDS)]
    counted = growth[(~growth["closed"]) & (growth["status"] == "qualified") & (growth["expected_close"].isna() | (growth["expected_close"] <= end))]
    in_pipeline = float(counted["factored_value"].sum())
    yearly = tgt["target"] * sec["plan_quarters"] / 4 if not np.isnan(tgt["target"]) else np.nan
    gap = max(0.0, yearly - in_pipeline) if not np.isnan(yearly) else np.nan

    def typical(frame: pd.DataFrame) -> pd.Series:
        keep = (frame["stage"] == "won") | (~frame["closed"] & (frame["status"] != "qualify out"))
        return frame.loc[keep, "value"].dropna()

    out_count = int(((growth["status"] == "qualify out") & ~growth["closed"]).sum())
    lost_count = int((growth["stage"] == "lost").sum())
    if sec["average_win"]:
        avg, avg_source = float(sec["average_win"]), "set in settings.yaml"
    elif len(typical(growth)):
        own = typical(growth)
        avg, avg_source = float(own.mean()), f"mean of the account's {len(own)} open or won grow/new opportunities"
    else:
        every = typical(s[s["kind"].isin(GROWTH_KINDS)])
        if len(every):
            avg, avg_source = float(every.mean()), f"mean of {len(every)} open or won grow/new opportunities across all accounts"
        else:
            avg, avg_source = (gap if gap and gap > 0 else np.nan), "no grow/new opportunity anywhere: the whole gap as one win"
    if (out_count or lost_count) and not sec["average_win"]:
        avg_source += f" ({out_count} qualified out and {lost_count} lost left out)"
    exact = gap / avg if avg and not np.isnan(avg) and not np.isnan(gap) else (0.0 if gap == 0 else np.nan)
    conv = conversion_rates(wb, account_id)
    return {
        "target": tgt["target"], "target_source": tgt["source"], "period_target": yearly, "in_pipeline": in_pipeline,
        "gap": gap, "average_win": avg, "average_win_source": avg_source, "wins_exact": exact,
        "wins": int(math.ceil(exact - 1e-9)) if exact == exact else 0,
        "quarters": quarters, "conversion": conv["rates"], "conversion_sources": conv["sources"], "cycle": sec["sales_cycle_quarters"],
    }


def retention_activities(wb, account_id: str) -> pd.DataFrame:
    """The retention work for each open renewal: one row per activity, with the quarter it falls in.

    Every open retain opportunity gets the activities of ``qualification.activity.retention``, each placed
    ``quarters_before`` the quarter the renewal closes (in the first plan
    quarter when that is already past; left out when it falls after the plan).
    Columns: opportunity_id, name, closes, activity, quarter (a Period).

    Example:
        >>> retention_activities(wb, "ACC-001")["activity"].tolist()
        ['service review with the customer', 'executive sponsor meeting', 'renewal proposal']
    """
    sec = activity_settings(wb.settings)
    quarters = _quarters(banks.as_of(wb.settings), sec["plan_quarters"])
    s = score_opportunities(wb)
    mine = rows_of(s, account_id)
    renewals = mine[(mine["kind"] == "retain") & ~mine["closed"]]
    rows = []
    for oid, o in renewals.iterrows():
        close_q = o["expected_close"].to_period("Q") if pd.notna(o["expected_close"]) else quarters[-1]
        for item in sec["retention"] or []:
            q = max(close_q - int(item["quarters_before"]), quarters[0])
            if q <= quarters[-1]:
                rows.append({"opportunity_id": oid, "name": o["name"], "closes": o["expected_close"], "activity": str(item["activity"]), "quarter": q})
    return pd.DataFrame(rows, columns=["opportunity_id", "name", "closes", "activity", "quarter"])


def planned_contacts(wb, account_id: str) -> pd.DataFrame:
    """The account's planned contacts: sell_service and care_cultivate actions not done or dropped, with their quarter.

    Example:
        >>> planned_contacts(wb, "ACC-001").columns.tolist()[:3]
        ['action_id', 'account_id', 'category']
    """
    a = rows_of(wb.actions, account_id)
    a = a[a["category"].isin(PLANNED_CATEGORIES) & a["status"].replace("", "open").isin(PLANNED_STATUSES)]
    q = a["due"].dt.to_period("Q")
    return a.assign(quarter=q)


def activity_plan(wb, account_id: str) -> pd.DataFrame:
    """Contacts needed per quarter, by kind, against the contacts planned, all in whole numbers that add up.

    One row per quarter of the plan (starting with the quarter of ``as_of``):
    quarter, wins_land_in, wins, proposals, meetings, contacts (first
    contacts), retention (activities for open renewals), needed (all of them
    together), planned, shortfall. The totals are whole numbers worked back
    from the whole wins needed (proposals = wins / proposal-to-win rounded up,
    and so on) and spread over the quarters with the rounding carried (see
    :func:`spread`), so every column adds up to its total. Contacts planned
    beyond a quarter's need carry into the next quarter, so the shortfalls add
    up too.

    Example:
        >>> activity_plan(wb, "ACC-001").columns.tolist()[:3]
        ['quarter', 'wins_land_in', 'wins']
    """
    b = plan_basis(wb, account_id)
    n = len(b["quarters"])
    c = b["conversion"]
    wins = int(b["wins"])
    totals = {"wins": wins}
    totals["proposals"] = math.ceil(wins / c["proposal_to_win"] - 1e-9)
    totals["meetings"] = math.ceil(totals["proposals"] / c["meeting_to_proposal"] - 1e-9)
    totals["contacts"] = math.ceil(totals["meetings"] / c["contact_to_meeting"] - 1e-9)
    parts = {k: spread(v, n) for k, v in totals.items()}
    ret = retention_activities(wb, account_id)
    ret_counts = ret["quarter"].value_counts() if len(ret) else pd.Series(dtype=int)
    pc = planned_contacts(wb, account_id)
    counts = pc["quarter"].dropna().value_counts()
    rows = []
    carry = 0
    for i, q in enumerate(b["quarters"]):
        land = q + b["cycle"]
        retention = int(ret_counts.get(q, 0))
        needed = parts["contacts"][i] + parts["meetings"][i] + parts["proposals"][i] + retention
        planned = int(counts.get(q, 0))
        available = planned + carry
        short = max(0, needed - available)
        carry = max(0, available - needed)
        rows.append({
            "quarter": f"{q.year} Q{q.quarter}", "wins_land_in": f"{land.year} Q{land.quarter}", "wins": parts["wins"][i],
            "proposals": parts["proposals"][i], "meetings": parts["meetings"][i], "contacts": parts["contacts"][i],
            "retention": retention, "needed": needed, "planned": planned, "shortfall": short,
        })
    out = pd.DataFrame(rows)
    first = b["quarters"][0]
    out.attrs["overdue_planned"] = int((pc["quarter"] < first).fillna(False).sum())
    out.attrs["undated_planned"] = int(pc["quarter"].isna().sum())
    out.attrs["later_planned"] = int((pc["quarter"] > b["quarters"][-1]).fillna(False).sum())
    return out


def basis_table(wb, account_id: str) -> pd.DataFrame:
    """:func:`plan_basis` as a person reads it: from the target back to the wins needed, and the rates used.

    Example:
        >>> basis_table(wb, "ACC-001").columns.tolist()[:3]
        ['step', 'figure', 'how']
    """
    cur = wb.settings.get("currency", "EUR")
    b = plan_basis(wb, account_id)
    c, src = b["conversion"], b["conversion_sources"]
    first, last = b["quarters"][0], b["quarters"][-1]
    exact = b["wins_exact"]
    rows = [
        ("Growth target per year", money(b["target"], cur), b["target_source"]),
        (f"Target for the plan ({first.year} Q{first.quarter} - {last.year} Q{last.quarter})", money(b["period_target"], cur), "yearly target x plan quarters / 4"),
        ("Already in the pipeline (factored)", money(b["in_pipeline"], cur), "open, qualified grow/new opportunities closing in the plan period"),
        ("Gap to win with new activity", money(b["gap"], cur), "target - pipeline, not below 0"),
        ("Typical win", money(b["average_win"], cur), b["average_win_source"]),
        ("Wins needed", number(b["wins"]),
         "no gap to close" if b["gap"] == 0 else (f"gap / typical win = {number(exact, 2)}, rounded up to whole wins" if exact == exact else "gap / typical win")),
        ("Contact -> meeting", percent(c["contact_to_meeting"] * 100), src["contact_to_meeting"]),
        ("Meeting -> proposal", percent(c["meeting_to_proposal"] * 100), src["meeting_to_proposal"]),
        ("Proposal -> win", percent(c["proposal_to_win"] * 100), src["proposal_to_win"]),
        ("Sales cycle", f"{b['cycle']} quarter(s)", "activity in a quarter turns into wins this much later"),
    ]
    return pd.DataFrame(rows, columns=["step", "figure", "how"])


def plan_table(wb, account_id: str) -> pd.DataFrame:
    """:func:`activity_plan` formatted, with a total row; every figure a whole number and every column adding up.

    Example:
        >>> plan_table(wb, "ACC-001").columns.tolist()[:3]
        ['quarter', 'wins land in', 'wins']
    """
    p = activity_plan(wb, account_id)
    cols = ["wins", "proposals", "meetings", "contacts", "retention", "needed", "planned", "shortfall"]
    tot = p[cols].sum()
    shown = pd.concat([p, pd.DataFrame([{"quarter": "Total", "wins_land_in": "", **tot.to_dict()}])], ignore_index=True)
    out = pd.DataFrame({
        "quarter": shown["quarter"], "wins land in": shown["wins_land_in"],
        "wins": [number(v) for v in shown["wins"]],
        "proposals": [number(v) for v in shown["proposals"]],
        "meetings": [number(v) for v in shown["meetings"]],
        "first contacts": [number(v) for v in shown["contacts"]],
        "retention": [number(v) for v in shown["retention"]],
        "contacts needed": [number(v) for v in shown["needed"]],
        "contacts planned": [number(v) for v in shown["planned"]],
        "short by": [number(v) if v > 0 else "covered" for v in shown["shortfall"]],
    })
    return out


def plan_notes(wb, account_id: str) -> Notes:
    """Sentences about planned contacts the plan could not place in a quarter, and the retention work for each renewal.

    Example:
        >>> plan_notes(wb, "ACC-001")[0]
        '1 planned contact(s) are overdue (due before the plan starts) and not counted.'
    """
    p = activity_plan(wb, account_id)
    out = []
    if p.attrs["overdue_planned"]:
        out.append(f"{p.attrs['overdue_planned']} planned contact(s) are overdue (due before the plan starts) and not counted.")
    if p.attrs["undated_planned"]:
        out.append(f"{p.attrs['undated_planned']} planned contact(s) have no due date and are not counted.")
    if p.attrs["later_planned"]:
        out.append(f"{p.attrs['later_planned']} planned contact(s) are due after the plan period.")
    ret = retention_activities(wb, account_id)
    for oid, acts in ret.groupby("opportunity_id", sort=True):
        first_row = acts.iloc[0]
        closes = f" (closes {first_row['closes']:%Y-%m-%d})" if pd.notna(first_row["closes"]) else ""
        listed = ", ".join(f"{r['activity']} in {r['quarter'].year} Q{r['quarter'].quarter}" for _, r in acts.iterrows())
        out.append(f"Retention for renewal {oid} {first_row['name']}{closes}: {listed}.")
    if not wb.has_column("accounts", "revenue_potential_3y") and account_id not in (activity_settings(wb.settings)["growth_targets"] or {}):
        out.append("The accounts sheet has no revenue_potential_3y column and settings give no growth target: no plan can be derived.")
    return Notes(out)
