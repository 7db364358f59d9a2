"""The rows of the workshop journal as values: :class:`Change`, the text a value is kept as, and which changes are in force.

Nothing here touches the database (see :mod:`kamnb.workbook.journal`) or the
sheets (see :mod:`kamnb.workbook.replay`): an undo cancels the change it
names, an undo of an undo is a redo, and :func:`effective` keeps what is left.

Example:
    >>> a = Change(1, "2026-11-01T10:00", "ana", "accounts", {"account_id": "A1"}, "tier", "a", "b", "set")
    >>> [c.seq for c in effective([a])], to_text(4.0)
    ([1], '4')
"""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

JOURNAL_FILE = "journal.sqlite"
OPS = ("set", "add", "remove", "undo")
HISTORY_SHEETS = {
    # sheet: the columns that name the item being assessed
    "qualification": ("opportunity_id", "question_id"),
    "relationship": ("account_id", "indicator_id"),
}
"""Sheets where a workshop answer adds a dated, signed row instead of overwriting one."""


@dataclass(frozen=True)
class Change:
    """One row of the journal.

    Example:
        >>> c = journal.set("relationship", {"account_id": "ACC-001", "indicator_id": "R01"}, "score", 2, 4, who="facilitator")  # doctest: +SKIP
        >>> c.sheet, c.new, c.seq  # doctest: +SKIP
        ('relationship', 4, 1)
    """

    seq: int
    at: str
    who: str
    sheet: str
    key: dict[str, str]
    column: str
    old: str | None
    new: str | None
    op: str
    undoes: int | None = None
    base: int | None = None
    op_id: str | None = None
    """The id the screen gave the operation (the same id sent again writes nothing new)."""

    @property
    def day(self) -> dt.date:
        """The calendar day of the change (used as ``assessed_on`` for history sheets)."""
        return dt.datetime.fromisoformat(self.at).date()

    @property
    def item(self) -> tuple[str, str, str]:
        """What was changed: sheet, key JSON, column; the same item for every rater."""
        return (self.sheet, json.dumps(self.key, sort_keys=True), self.column)



def to_text(value: Any) -> str:
    """The text the journal stores for a typed value (the form a person would type in a sheet).

    >>> to_text(4.0), to_text(4.5), to_text(float("nan")), to_text(dt.date(2026, 12, 1))
    ('4', '4.5', '', '2026-12-01')
    """
    if value is None or (not isinstance(value, str) and value != value):  # NaN and NaT are not equal to themselves
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "strftime"):  # pandas Timestamp / NaT
        try:
            return value.strftime("%Y-%m-%d")
        except ValueError:
            return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "" if text in ("NaT", "nan") else text



def refusal(c: Change, label: str | None = None, *, undo: bool = False) -> str:
    """Why a change was refused, naming who got there first and when; ``label`` names the row (default: its key).

    >>> refusal(Change(7, "2026-12-01T10:42:10.000+01:00", "Anna", "stakeholders", {"stakeholder_id": "ST-1"}, "", "{}", None, "remove"), "Jonas Maier")
    'Jonas Maier was removed by Anna at 10:42; your change was not saved'
    """
    label = label or " / ".join(str(v) for v in c.key.values())
    when = c.at[11:16] if len(c.at) >= 16 else c.at
    if c.op == "remove":
        what = "was removed"
    elif c.op == "undo":
        what = "was changed back (an undo)"
    elif c.op == "add":
        what = "was added again"
    else:
        what = f"{c.column.replace('_', ' ')} was changed to “{c.new}”"
    tail = "; the undo was not made" if undo else "; your change was not saved"
    return f"{label} {what} by {c.who} at {when}{tail}"


def _cancelled(rows: Iterable[Change]) -> set[int]:
    """The ``seq`` of every change cancelled by an undo still in force (an undo of an undo is a redo)."""
    cancelled: set[int] = set()
    for c in sorted(rows, key=lambda r: r.seq, reverse=True):
        if c.seq in cancelled:
            continue
        if c.op == "undo" and c.undoes is not None:
            cancelled.add(int(c.undoes))
    return cancelled


def _target(rows: list[Change], who: str | None, redo: bool) -> Change | None:
    """For undo: the latest change in force (by ``who``); for redo: ``who``'s latest undo in force since their last own change."""
    cancelled = _cancelled(rows)
    by_seq = {c.seq: c for c in rows}
    mine = [c for c in rows if who is None or c.who == who]
    if not redo:
        live = [c for c in mine if c.op != "undo" and c.seq not in cancelled]
        return live[-1] if live else None
    last_own = max((c.seq for c in mine if c.op != "undo"), default=0)
    undos = [c for c in mine if c.op == "undo" and c.seq > last_own and c.seq not in cancelled
             and c.undoes in by_seq and by_seq[int(c.undoes)].op != "undo"]
    return undos[-1] if undos else None


def _change(row: tuple[Any, ...]) -> Change:
    """A :class:`Change` from a database row (the key JSON read back; a damaged key kept as text); ``op_id`` is optional."""
    seq, at, who, sheet, key, column, old, new, op, undoes, base, *rest = row
    op_id = rest[0] if rest else None
    try:
        key_dict = json.loads(key)
        if not isinstance(key_dict, dict):
            raise ValueError
    except (TypeError, ValueError):
        key_dict = {"?": str(key)}
    return Change(int(seq), str(at), str(who), str(sheet), key_dict, str(column or ""), old, new, str(op), undoes, base, None if op_id is None else str(op_id))


def effective(changes: Iterable[Change]) -> list[Change]:
    """Drop undo rows and the changes they cancel; keep the rest in ``seq`` order.

    Example:
        >>> a = Change(1, "2026-11-01T10:00", "ana", "accounts", {"account_id": "ACC-001"}, "tier", "a", "b", "set")
        >>> b = Change(2, "2026-11-01T10:05", "ana", "accounts", {"account_id": "ACC-001"}, "tier", "b", "a", "undo", 1)
        >>> effective([a, b])
        []
    """
    changes = list(changes)
    cancelled = _cancelled(changes)
    return sorted((c for c in changes if c.op != "undo" and c.seq not in cancelled), key=lambda c: c.seq)
