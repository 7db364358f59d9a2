"""The red-flag registry: :func:`red_flag` registers a rule, :data:`RED_FLAGS` holds them in order, :func:`scoped` cuts a workbook to one account.

The rules' thresholds (``red_flags:`` in ``settings.yaml``) are read with
:func:`flag_settings`.

Example:
    >>> registered().loc["single_threaded", "severity"]
    'high'
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import pandas as pd

from kamnb.errors import KamnbError
from kamnb.workbook import Workbook, banks

SEVERITIES = ("high", "medium", "low")
COLUMNS = ["account_id", "flag", "severity", "detail"]


@dataclasses.dataclass(frozen=True)
class RedFlag:
    """One registered rule: its name (the ``flag`` column), default severity, a title and the function.

    Example:
        >>> RED_FLAGS["score_falling"].severity
        'high'
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
        >>> scoped(wb, "ACC-003").accounts.index.tolist()
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


@lru_cache(maxsize=1)
def _default_flag_settings() -> dict[str, Any]:
    """The shipped ``red_flags:`` settings, read once."""
    return dict(banks.load_settings().get("red_flags") or {})


def flag_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The ``red_flags:`` settings in force (the rules' thresholds), defaults filled in for anything a workbook left out.

    >>> flag_settings({})["score_floor"]
    50
    """
    out = dict(_default_flag_settings())
    own = (settings or {}).get("red_flags")
    out.update(own if isinstance(own, dict) else {})
    return out
