"""Which account each workshop change touches, so that only that account's figures are computed again.

A change to one account's rows (an answer, a score, a person, an action)
leaves every other account's rows as they were. :class:`AccountVersions`
counts changes per sheet and account; a change whose account cannot be told
(a sheet of the whole portfolio, a row moved to another account) counts for
every account. :func:`account_stamp` is what one account's figures depend on:
when it is unchanged, so are they. :func:`one_account_view` is the account's
rows as a small workbook carrying a digest of each sheet, made once per
change, so scoring it never hashes the sheets again.

Example:
    >>> v = AccountVersions()
    >>> v.bump("qualification", "ACC-001")
    >>> v.get("qualification", "ACC-001"), v.get("qualification", "ACC-002")
    ((0, 1), (0, 0))
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from kamnb.workbook import Workbook
from kamnb.workbook.changes import Change
from kamnb.workbook.schema import SHEETS

if TYPE_CHECKING:  # pragma: no cover
    from kamnb.workshop.session import WorkshopSession

OWNERS = {"qualification": ("opportunity_id", "opportunities"), "stakeholder_history": ("stakeholder_id", "stakeholders")}
"""Sheets whose rows belong to an account through another sheet: the key column and the sheet it names."""


class AccountVersions:
    """Changes counted per sheet: for the whole sheet (account unknown) and per (sheet, account)."""

    def __init__(self) -> None:
        self.wide: dict[str, int] = {}
        self.per: dict[tuple[str, str], int] = {}

    def bump(self, sheet: str, account: str | None) -> None:
        """Count one change to ``sheet`` for ``account`` (None: for every account)."""
        if account is None:
            self.wide[sheet] = self.wide.get(sheet, 0) + 1
        else:
            self.per[(sheet, account)] = self.per.get((sheet, account), 0) + 1

    def get(self, sheet: str, account: str) -> tuple[int, int]:
        """The changes that can have touched ``account``'s rows of ``sheet``."""
        return self.wide.get(sheet, 0), self.per.get((sheet, account), 0)


def _row(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def account_of(wb: Workbook, change: Change) -> str | None:
    """The account whose rows ``change`` touches (looked up before it is applied), or None when it may touch any.

    Example:
        >>> c = Change(1, "2026-12-01T10:00", "Ann", "accounts", {"account_id": "ACC-001"}, "growth_potential", "3", "4", "set")
        >>> account_of(load_workbook("data/sample"), c)  # doctest: +SKIP
        'ACC-001'
    """
    if change.column in ("account_id", *(k for k, _ in OWNERS.values())) or change.sheet not in SHEETS:
        return None  # a row moved to another account (or to another opportunity or person)
    if "account_id" in change.key:
        return str(change.key["account_id"])
    values = {**_row(change.old if change.op == "remove" else change.new if change.op == "add" else None), **change.key}
    if change.sheet in OWNERS:
        column, owner = OWNERS[change.sheet]
        ident = values.get(column)
        frame = wb.sheets.get(owner)
        if ident is None or frame is None or ident not in frame.index:
            return None
        return str(frame.loc[ident, "account_id"])
    if values.get("account_id"):
        return str(values["account_id"])
    id_col = next((c.name for c in SHEETS[change.sheet].columns if c.kind == "id"), None)
    frame = wb.sheets.get(change.sheet)
    if id_col is None or frame is None or "account_id" not in frame.columns or values.get(id_col) not in frame.index:
        return None
    return str(frame.loc[values[id_col], "account_id"])


def account_stamp(session: WorkshopSession, account_id: str) -> tuple[Any, ...]:
    """Everything one account's figures depend on, as a token: the same token, the same figures.

    The workbook as read (``loads``), every change that can have touched the
    account's rows, and the review date (``as_of`` moves with the workshop's
    newest entry and counts for every account).
    """
    versions = session.by_account
    return (session.token, session.loads, account_id, str(session.wb.settings.get("as_of")), tuple(versions.get(s, account_id) for s in SHEETS))


def one_account_view(session: WorkshopSession, account_id: str) -> Workbook:
    """One account's rows of every sheet as a workbook, each sheet filtered again only when the account's rows changed.

    The view carries a content stamp: a digest of each of its sheets, made once
    when the account's rows of that sheet changed. Memoised scoring functions
    key on the digests of the sheets they read instead of hashing them on
    every call: an answer leaves the relationship score's key as it was, and
    an answer changed back finds the figures already computed.
    """
    from kamnb.common.memo import frame_digest

    wb = session.wb
    parts: dict[str, pd.DataFrame] = {}
    digests: dict[str, str] = {}
    for name in SHEETS:
        deps = (name, "opportunities") if name == "qualification" else (name, "stakeholders") if name == "stakeholder_history" else (name,)

        def pick(n: str = name) -> tuple[pd.DataFrame, str]:
            frame = wb.accounts.loc[[account_id]] if n == "accounts" else wb.for_account(n, account_id)
            return frame, frame_digest(frame)  # hashed once, when the account's rows changed

        parts[name], digests[name] = session.cached_for(account_id, f"one:{account_id}:{name}", deps, pick)
    view = Workbook(wb.path, parts, wb.questions, wb.indicators, wb.settings, [], wb.missing_columns)
    view.content_stamp = ((session.token, session.loads), digests)
    return view
