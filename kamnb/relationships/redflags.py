"""Red flags: small rules that each look at the workbook and name what is wrong, account by account.

A rule is one function registered with :func:`red_flag`. It receives a
:class:`~kamnb.workbook.Workbook` and returns rows: a DataFrame or a list of
dicts with ``account_id`` and ``detail`` (and ``severity`` when one row is
worse than the rule's default). :func:`red_flags` runs every rule and returns
one table. To add a rule, write one function anywhere that is imported before
the review runs (a notebook cell, a module of your own)::

    from kamnb.relationships.redflags import red_flag

    @red_flag("no_testimonial", severity="low", title="No top-level testimonial")
    def no_testimonial(wb):
        scored = set(wb.relationship.loc[wb.relationship["indicator_id"] == "top_testimonial", "account_id"])
        return [{"account_id": a, "detail": "top-level testimonial never scored"}
                for a in wb.accounts.index if a not in scored]

When ``account_id`` is given, every rule sees a workbook cut down to that one
account, so rules never need to filter themselves.

Example:
    >>> list(RED_FLAGS)[:3]
    ['no_economic_buyer_contact', 'single_threaded', 'threat_without_plan']
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from kamnb.common import memo
from kamnb.common.rows import rows_of
from kamnb.relationships import flag_rules
from kamnb.relationships.flag_registry import (
    COLUMNS,
    RED_FLAGS,
    SEVERITIES,
    RedFlag,
    RedFlagError,
    flag_settings,
    red_flag,
    registered,
    remove_red_flag,
    scoped,
)
from kamnb.workbook import Workbook

__all__ = [
    "COLUMNS", "RED_FLAGS", "SEVERITIES", "RedFlag", "RedFlagError", "flag_settings", "flag_table", "red_flag", "red_flags",
    "registered", "remove_red_flag", "scoped",
]


def _rows(flag: RedFlag, found: Any) -> pd.DataFrame:
    """A rule's findings as rows of the red-flag table, or an error naming what the rule returned wrongly."""
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
    """Every finding of ``rules`` over ``wb``, in the rules' order."""
    parts = [p for p in (_rows(f, f.check(wb)) for f in rules) if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def red_flags(wb: Workbook, account_id: str | None = None, flags: list[str] | None = None) -> pd.DataFrame:
    """Run every registered rule (or those named in ``flags``); one row per finding.

    Columns: account_id, flag, severity ("high" / "medium" / "low"), detail. Sorted by severity, account,
    the rule's registration order, detail.

    Example:
        >>> red_flags(wb, "ACC-003")[["flag", "severity"]].values.tolist()
        [['single_threaded', 'high'], ['no_economic_buyer_contact', 'medium'], ['decision_maker_against', 'medium']]
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
            every = rows_of(every, str(account_id))
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


def flag_table(wb: Workbook, account_id: str | None = None) -> pd.DataFrame:
    """:func:`red_flags` as a person reads it: the rule's title, severity and detail (never the rule's code name).

    Example:
        >>> flag_table(wb, "ACC-001").columns.tolist()
        ['red flag', 'severity', 'detail']
    """
    f = red_flags(wb, account_id)
    titles = f["flag"].map(lambda n: RED_FLAGS[n].title if n in RED_FLAGS else n)
    out = pd.DataFrame({"red flag": titles, "severity": f["severity"], "detail": f["detail"]})
    if account_id is None:
        out.insert(0, "account", f["account_id"])
    return out




_BUILTIN: dict[str, Callable[[Workbook], Any]] = {name: flag.check for name, flag in RED_FLAGS.items() if flag.check.__module__ == flag_rules.__name__}
"""The rules :mod:`kamnb.relationships.flag_rules` registers (a rule registered again under the same name is the user's own)."""
