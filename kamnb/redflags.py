"""Red flags: small rules that each look at the workbook and name what is wrong, account by account.

A rule is one function registered with :func:`red_flag`. It receives a
:class:`~kamnb.workbook.Workbook` and returns rows: a DataFrame or a list of
dicts with ``account_id`` and ``detail`` (and ``severity`` when one row is
worse than the rule's default). :func:`red_flags` runs every rule and returns
one table. To add a rule, write one function anywhere that is imported before
the review runs (a notebook cell, a module of your own)::

    from kamnb.redflags import red_flag

    @red_flag("no_testimonial", severity="low", title="No top-level testimonial")
    def no_testimonial(wb):
        scored = set(wb.relationship.loc[wb.relationship["indicator_id"] == "top_testimonial", "account_id"])
        return [{"account_id": a, "detail": "top-level testimonial never scored"}
                for a in wb.accounts.index if a not in scored]

When ``account_id`` is given, every rule sees a workbook cut down to that one
account, so rules never need to filter themselves.

Example:
    >>> sorted(RED_FLAGS)[:3]
    ['no_economic_buyer_contact', 'score_falling', 'single_threaded']
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd

from kamnb import banks, memo
from kamnb.errors import KamnbError
from kamnb.relationships import _all_zones, config, contact_map
from kamnb.workbook import Workbook

SEVERITIES = ("high", "medium", "low")
COLUMNS = ["account_id", "flag", "severity", "detail"]


@dataclasses.dataclass(frozen=True)
class RedFlag:
    """One registered rule: its name (the ``flag`` column), default severity, a title and the function.

    Example:
        >>> sorted(RED_FLAGS)[:2]  # doctest: +SKIP
        ['no_economic_buyer_contact', 'score_falling']
    """

    name: str
    severity: str
    title: str
    check: Callable[[Workbook], Any]


RED_FLAGS: dict[str, RedFlag] = {}
"""Every registered rule by name, in the order they were registered."""


class RedFlagError(KamnbError):
    """A red-flag rule is declared or behaves wrongly (unknown severity, rows without account_id or detail).

    Example:
        >>> issubclass(RedFlagError, KamnbError)
        True
    """


def red_flag(name: str, severity: str = "medium", title: str = "") -> Callable[[Callable[[Workbook], Any]], Callable[[Workbook], Any]]:
    """Register the decorated function as the rule ``name``; registering a name again replaces the rule.

    Example:
        >>> @red_flag("no_accounts", "low", "The workbook holds no accounts")
        ... def no_accounts(wb):
        ...     return []
        >>> registered().loc["no_accounts", "severity"]
        'low'
        >>> remove_red_flag("no_accounts")
    """
    if severity not in SEVERITIES:
        raise RedFlagError(f"red flag {name!r}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")

    def register(fn: Callable[[Workbook], Any]) -> Callable[[Workbook], Any]:
        doc = (fn.__doc__ or "").strip().splitlines()
        RED_FLAGS[name] = RedFlag(name, severity, title or (doc[0] if doc else name), fn)
        return fn

    return register


def remove_red_flag(name: str) -> None:
    """Unregister a rule (no error if it is not registered).

    Example:
        >>> remove_red_flag("not_a_rule")        # no error
    """
    RED_FLAGS.pop(name, None)


def registered() -> pd.DataFrame:
    """The rules in force: flag, severity, title.

    Example:
        >>> registered().loc["single_threaded", "severity"]
        'high'
    """
    return pd.DataFrame([(f.name, f.severity, f.title) for f in RED_FLAGS.values()], columns=["flag", "severity", "title"]).set_index("flag")


def scoped(wb: Workbook, account_id: str) -> Workbook:
    """A copy of ``wb`` holding only one account's rows in every sheet.

    Example:
        >>> scoped(wb, "ACC-003").accounts.index.tolist()  # doctest: +SKIP
        ['ACC-003']
    """
    wb.account(account_id)
    sheets = {}
    for name in wb.sheets:
        if name == "accounts":
            sheets[name] = wb.accounts.loc[[account_id]]
        elif name in ("qualification", "stakeholder_history") or "account_id" in wb.sheets[name]:
            sheets[name] = wb.for_account(name, account_id)
        else:
            sheets[name] = wb.sheets[name]
    return dataclasses.replace(wb, sheets=sheets)


def _rows(flag: RedFlag, found: Any) -> pd.DataFrame:
    frame = found if isinstance(found, pd.DataFrame) else pd.DataFrame(list(found or []))
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    missing = {"account_id", "detail"} - set(frame.columns)
    if missing:
        raise RedFlagError(f"red flag {flag.name!r} returned rows without {', '.join(sorted(missing))}")
    frame = frame.reset_index(drop=True)
    sev = frame["severity"].fillna(flag.severity) if "severity" in frame else pd.Series(flag.severity, index=frame.index)
    bad = sorted(set(sev) - set(SEVERITIES))
    if bad:
        raise RedFlagError(f"red flag {flag.name!r} returned severity {bad[0]!r}; expected one of {', '.join(SEVERITIES)}")
    return pd.DataFrame({"account_id": frame["account_id"].astype(str), "flag": flag.name, "severity": sev, "detail": frame["detail"].astype(str)})


def _run(wb: Workbook, rules: list[RedFlag]) -> pd.DataFrame:
    parts = [p for p in (_rows(f, f.check(wb)) for f in rules) if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def red_flags(wb: Workbook, account_id: str | None = None, flags: list[str] | None = None) -> pd.DataFrame:
    """Run every registered rule (or those named in ``flags``); one row per finding.

    Columns: account_id, flag, severity ("high" / "medium" / "low"), detail. Sorted by severity, account,
    the rule's registration order, detail.

    Example:
        >>> from kamnb.workbook import load_workbook  # doctest: +SKIP
        >>> wb = load_workbook("data/sample")  # doctest: +SKIP
        >>> red_flags(wb, "ACC-003")[["flag", "severity"]].values.tolist()  # doctest: +SKIP
        [['single_threaded', 'high'], ['no_economic_buyer_contact', 'medium']]
    """
    if account_id is not None:
        wb.account(account_id)
    chosen = [RED_FLAGS[f] for f in flags] if flags is not None else list(RED_FLAGS.values())
    # The built-in rules look at each account on its own: run them once over the whole portfolio
    # (remembered while the workbook is unchanged) and keep the account's rows. Rules added by the
    # user see a workbook cut down to the account, as documented.
    builtin = tuple(f.name for f in chosen if f.check is _BUILTIN.get(f.name))
    parts = []
    if builtin:
        every = memo.remember(("redflags", builtin, memo.workbook_key(wb)), lambda: _run(wb, [RED_FLAGS[n] for n in builtin]))
        if account_id is not None:
            every = every[every["account_id"] == str(account_id)]
        parts.append(every)
    others = [f for f in chosen if f.name not in builtin]
    if others:
        parts.append(_run(scoped(wb, account_id) if account_id is not None else wb, others))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    order = {name: i for i, name in enumerate(RED_FLAGS)}
    out["_s"] = out["severity"].map(SEVERITIES.index)
    out["_f"] = out["flag"].map(order)
    out = out.sort_values(["_s", "account_id", "_f", "detail"], kind="stable").drop(columns=["_s", "_f"])
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- the built-in rules


@red_flag("no_economic_buyer_contact", "high", "No recent contact with the economic decision-maker")
def no_economic_buyer_contact(wb: Workbook) -> list[dict[str, Any]]:
    """No contact owner or no recorded conversation with the economic buyer (high); none named, or no conversation within the window (medium).

    Example:
        >>> no_economic_buyer_contact(scoped(wb, "ACC-003"))[0]["account_id"]  # doctest: +SKIP
        'ACC-003'
    """
    days = config(wb.settings)["recent_contact_days"]
    st = _all_zones(wb)
    eb = st[st["decision_role"] == "economic_buyer"]
    rows: list[dict[str, Any]] = []
    for aid in wb.accounts.index:
        people = eb[eb["account_id"] == aid]
        if people.empty:
            rows.append({"account_id": aid, "severity": "medium", "detail": "no economic buyer named on the stakeholders sheet"})
            continue
        for _, p in people.iterrows():
            if p["our_people"] == 0:
                rows.append({"account_id": aid, "detail": f"nobody of ours owns the contact with {p['name']} (economic buyer)"})
            elif p["days_since_contact"] != p["days_since_contact"]:
                rows.append({"account_id": aid, "detail": f"no recorded conversation with {p['name']} (economic buyer)"})
            elif p["days_since_contact"] > days:
                rows.append({"account_id": aid, "severity": "medium",
                             "detail": f"last conversation with {p['name']} (economic buyer) was {p['days_since_contact']:.0f} days ago (recent means {days} days)"})
    return rows


@red_flag("single_threaded", "high", "Single-threaded account")
def single_threaded(wb: Workbook) -> list[dict[str, Any]]:
    """All contact runs through one person of ours, or most decision-maker influence hangs on one person.

    Example:
        >>> single_threaded(scoped(wb, "ACC-003"))[0]["detail"][:22]  # doctest: +SKIP
        '2 of 3 decision-makers'
    """
    share = config(wb.settings)["single_thread_share"]
    rows = []
    for aid, m in contact_map(wb).iterrows():
        if m["their_people"] == 0:
            continue
        if m["our_people"] == 1:
            rows.append({"account_id": aid, "detail": f"every contact runs through {m['key_person']}; coverage would fall from {m['coverage']:.0f} to 0 if they left"})
        elif m["our_people"] == 0:
            rows.append({"account_id": aid, "detail": "nobody of ours is named as contact owner for any stakeholder"})
        elif m["dm_influence_on_key_person_pct"] >= share:
            rows.append({"account_id": aid, "detail": (
                f"{m['dm_on_key_person']} of {m['decision_makers']} decision-makers ({m['dm_influence_on_key_person_pct']:.0f}% of their influence) "
                f"hang on {m['key_person']} alone; coverage would fall from {m['coverage']:.0f} to {m['coverage_without_key_person']:.0f}")})
    return rows


@red_flag("threat_without_plan", "high", "Influential threat without a plan")
def threat_without_plan(wb: Workbook) -> pd.DataFrame:
    """A stakeholder in the threat zone (high influence, against us) with an empty plan.

    Example:
        >>> len(threat_without_plan(scoped(wb, "ACC-001")))  # doctest: +SKIP
        0
    """
    st = _all_zones(wb)
    sel = st[(st["zone"] == "threat") & (st["plan"].str.strip() == "")]
    detail = sel["name"] + " (influence " + sel["influence"].map("{:.0f}".format) + ", support " + sel["support"].map("{:.0f}".format) + ") has no plan"
    return pd.DataFrame({"account_id": sel["account_id"], "detail": detail})


@red_flag("stale_evidence", "medium", "Stale or missing relationship evidence")
def stale_evidence(wb: Workbook) -> list[dict[str, Any]]:
    """Scored indicators last assessed longer ago than ``stale_evidence_days``, or no indicator scored at all.

    Example:
        >>> stale_evidence(scoped(wb, "ACC-001"))  # doctest: +SKIP
        []
    """
    from kamnb.relationship_score import relationship_scores

    limit = config(wb.settings)["stale_evidence_days"]
    rows = []
    for aid, s in relationship_scores(wb).iterrows():
        if s["indicators_scored"] == 0:
            rows.append({"account_id": aid, "detail": "no relationship indicator scored yet"})
        elif s["stale_indicators"] > 0:
            oldest = s["oldest_evidence"].strftime("%Y-%m-%d")
            rows.append({"account_id": aid, "detail": f"{s['stale_indicators']} of {s['indicators_scored']} scored indicators last assessed more than {limit} days ago (oldest {oldest})"})
    return rows


@red_flag("score_falling", "high", "Relationship score falling two reviews in a row")
def score_falling(wb: Workbook) -> list[dict[str, Any]]:
    """The relationship score fell at each of the last two reviews (three reviews, each lower than the one before).

    Example:
        >>> score_falling(scoped(wb, "ACC-001"))  # doctest: +SKIP
        []
    """
    from kamnb.relationship_score import score_history

    hist = score_history(wb)
    rows = []
    for aid, h in hist.groupby("account_id", sort=True):
        last = h.dropna(subset=["score"]).tail(3)
        s = last["score"].round(1).tolist()
        if len(s) == 3 and s[0] > s[1] > s[2]:
            days = ", ".join(d.strftime("%Y-%m-%d") for d in last["assessed_on"])
            rows.append({"account_id": aid, "detail": f"score fell from {s[0]:.0f} to {s[1]:.0f} to {s[2]:.0f} (reviews {days})"})
    return rows


def as_of_note(wb: Workbook) -> str:
    """The sentence a report puts above the flags: the date they are computed as of.

    Example:
        >>> as_of_note(wb)  # doctest: +SKIP
        'Red flags as of 2026-11-01.'
    """
    return f"Red flags as of {banks.as_of(wb.settings):%Y-%m-%d}."


_BUILTIN: dict[str, Callable[[Workbook], Any]] = {name: flag.check for name, flag in RED_FLAGS.items()}
"""The rules this module registers (a rule registered again under the same name is the user's own)."""
