"""The workshop journal: every change made in a workshop, kept the moment it is made.

The journal is a SQLite database beside the workbook (``FOLDER/journal.sqlite``
or ``BOOK.journal.sqlite``) with one table::

    changes(seq, at, who, sheet, key, column, old, new, op, undoes, base)

One row per change: who made it, when, which cell (``sheet`` + ``key``, the
JSON of the row key, + ``column``), the old and the new value as text, and the
kind of change (``op``): ``set`` a cell, ``add`` a row, ``remove`` a row, or
``undo`` an earlier change (``undoes`` names its ``seq``; undoing an undo is a
redo). Nothing is ever deleted: an undo is itself a change.

Every change carries ``base``, the journal version (the last ``seq``) the
screen showed when the change was made. A change whose row was removed, or
whose cell another person changed, after ``base`` is refused with
:class:`~kamnb.errors.ChangeRefused` (naming who and when) and never written:
the check and the write are one transaction. ``base`` is empty for changes that
cannot conflict (a rater's own answer).

The database runs in WAL mode with a busy timeout, and each change is its own
short ``BEGIN IMMEDIATE`` transaction, so two facilitators in two processes on
the same workbook never lose a write, and killing a kernel loses nothing that
was already shown as saved.

:func:`apply_journal` lays the journal over a loaded workbook's sheets (the
loader calls it), re-checking every value against the workbook contract, so a
bad journal row becomes a :class:`~kamnb.errors.Problem` instead of a crash.

Qualification answers and relationship scores are histories: a workshop answer
does not overwrite the sheet's row but adds a new one dated the day of the
change and signed by the participant (later changes by the same person on the
same day update that row).

Example:
    >>> import tempfile, pathlib
    >>> j = Journal(pathlib.Path(tempfile.mkdtemp()) / "journal.sqlite")
    >>> c = j.set("accounts", {"account_id": "A1"}, "growth_potential", "3", "4", who="Ann")
    >>> (c.seq, c.old, c.new, c.who)
    (1, '3', '4', 'Ann')
    >>> j.undo("Ann").undoes
    1
    >>> [ch.seq for ch in j.effective()]
    []
"""
from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamnb.errors import ChangeRefused, JournalError, Problem
from kamnb.workbook.parsing import parse_cell
from kamnb.workbook.schema import SHEETS, Column

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from kamnb.workbook.loader import Workbook

JOURNAL_FILE = "journal.sqlite"
OPS = ("set", "add", "remove", "undo")
HISTORY_SHEETS = {
    # sheet: the columns that name the item being assessed
    "qualification": ("opportunity_id", "question_id"),
    "relationship": ("account_id", "indicator_id"),
}
"""Sheets where a workshop answer adds a dated, signed row instead of overwriting one."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    who     TEXT NOT NULL,
    sheet   TEXT NOT NULL,
    key     TEXT NOT NULL,
    "column" TEXT NOT NULL DEFAULT '',
    old     TEXT,
    new     TEXT,
    op      TEXT NOT NULL CHECK (op IN ('set', 'add', 'remove', 'undo')),
    undoes  INTEGER NULL REFERENCES changes(seq),
    base    INTEGER NULL
);
CREATE INDEX IF NOT EXISTS changes_item ON changes(sheet, key, "column");
"""

_VOTES = """
CREATE TABLE IF NOT EXISTS votes (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    who     TEXT NOT NULL,
    poll    TEXT NOT NULL,
    sheet   TEXT NOT NULL,
    key     TEXT NOT NULL,
    "column" TEXT NOT NULL,
    value   TEXT NOT NULL
)
"""
"""Raters' votes from their own devices: every vote kept; each rater's latest one per poll counts.

A vote never changes the workbook; the facilitator records the room's
consensus as an ordinary change."""




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

    @property
    def day(self) -> dt.date:
        """The calendar day of the change (used as ``assessed_on`` for history sheets)."""
        return dt.datetime.fromisoformat(self.at).date()

    @property
    def item(self) -> tuple[str, str, str]:
        """What was changed: sheet, key JSON, column; the same item for every rater."""
        return (self.sheet, json.dumps(self.key, sort_keys=True), self.column)


# --------------------------------------------------------------------------- values


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


# --------------------------------------------------------------------------- the store


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="milliseconds")


class Journal:
    """The journal of one workbook, opened for reading and writing.

    Each write is one short transaction; readers never block writers (WAL).
    A ``Journal`` may be used from several threads of one process.

    Example:
        >>> j = Journal(journal_path_for(Path("data/sample")))  # doctest: +SKIP
        >>> len(j.changes())  # doctest: +SKIP
        0
    """

    def __init__(self, path: Path | str, *, timeout: float = 30.0):
        self.path = Path(path)
        self.timeout = timeout
        self._conn: sqlite3.Connection | None = None

    # -- connection
    def connect(self) -> sqlite3.Connection:
        """Open the database (creating it and its table when new)."""
        if self._conn is not None:
            return self._conn
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = FULL")
            exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'changes'").fetchone()
            if not exists:  # a new journal: create the table once, under the write lock
                conn.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("COMMIT")
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'votes'").fetchone():
                conn.execute(_VOTES)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(changes)")}
            if "base" not in columns:  # a journal from before versioned changes
                conn.execute("BEGIN IMMEDIATE")
                if "base" not in {row[1] for row in conn.execute("PRAGMA table_info(changes)")}:
                    conn.execute("ALTER TABLE changes ADD COLUMN base INTEGER NULL")
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as err:
            raise JournalError(f"{self.path}: cannot open the workshop journal ({err})") from err
        if str(mode).lower() != "wal":  # e.g. a file system without shared memory
            conn.close()
            raise JournalError(f"{self.path}: the journal needs SQLite WAL mode, got {mode!r}")
        self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Journal:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, who: str, sheet: str, key: dict[str, Any], column: str, old: str | None, new: str | None, op: str, undoes: int | None = None, base: int | None = None) -> Change:
        if op not in OPS:
            raise ValueError(f"op must be one of {OPS}, not {op!r}")
        conn = self.connect()
        at = _now()
        key_json = json.dumps({k: to_text(v) for k, v in key.items()}, sort_keys=True)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if base is not None:
                    clash = _clash(conn, sheet, key_json, column, base, who)
                    if clash is not None:
                        raise ChangeRefused(refusal(clash), clash)
                cur = conn.execute(
                    'INSERT INTO changes (at, who, sheet, key, "column", old, new, op, undoes, base) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                    (at, who, sheet, key_json, column, old, new, op, undoes, base),
                )
                seq = int(cur.lastrowid or 0)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as err:
            raise JournalError(f"{self.path}: the change could not be saved ({err})") from err
        return Change(seq, at, who, sheet, json.loads(key_json), column, old, new, op, undoes, base)

    # -- writing
    def set(self, sheet: str, key: dict[str, Any], column: str, old: Any, new: Any, *, who: str, base: int | None = None) -> Change:
        """Record that ``column`` of the row ``key`` of ``sheet`` went from ``old`` to ``new``.

        With ``base`` (the journal version the screen showed), the change is
        refused with :class:`~kamnb.errors.ChangeRefused` when the row was
        removed or the cell changed by someone else after that version.
        """
        return self._write(who, sheet, key, column, to_text(old), to_text(new), "set", base=base)

    def add(self, sheet: str, key: dict[str, Any], row: dict[str, Any], *, who: str) -> Change:
        """Record a new row (``row`` maps column names to values)."""
        body = json.dumps({k: to_text(v) for k, v in row.items()}, sort_keys=True)
        return self._write(who, sheet, key, "", None, body, "add")

    def remove(self, sheet: str, key: dict[str, Any], row: dict[str, Any] | None = None, *, who: str, base: int | None = None) -> Change:
        """Record that a row was removed (``row``, its values, is kept as the old value).

        With ``base``, refused when anyone else changed or removed the row after that version.
        """
        body = json.dumps({k: to_text(v) for k, v in (row or {}).items()}, sort_keys=True)
        return self._write(who, sheet, key, "", body, None, "remove", base=base)

    def undo(self, who: str, *, by: str | None = None) -> Change | None:
        """Undo the last change still in force (the last one ``by`` that person, when given).

        Returns the undo row, or ``None`` when there is nothing left to undo.
        The check and the write happen in one transaction, so two people
        pressing undo at once undo two different changes. An undo is refused
        (:class:`~kamnb.errors.ChangeRefused`) when someone else changed the
        same cell or row after the change being undone.
        """
        return self._step(who, by, redo=False)

    def redo(self, who: str) -> Change | None:
        """Redo the last change ``who`` undid (their undos since their last own change, latest first).

        A redo is an undo of an undo; ``None`` when there is nothing to redo.
        """
        return self._step(who, who, redo=True)

    def next_step(self, who: str, *, redo: bool = False) -> Change | None:
        """The change :meth:`undo` (or :meth:`redo`) by ``who`` would act on next, without acting.

        For a redo, the change returned is the one that would be back in force.
        """
        if self._conn is None and not self.path.exists():
            return None
        rows = [_change(r) for r in self.connect().execute(_SELECT + " ORDER BY seq").fetchall()]
        target = _target(rows, who, redo)
        if target is None:
            return None
        if redo:
            return next((c for c in rows if c.seq == target.undoes), None)
        return target

    def _step(self, who: str, by: str | None, *, redo: bool) -> Change | None:
        if self._conn is None and not self.path.exists():
            return None
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = [_change(r) for r in conn.execute(_SELECT + " ORDER BY seq").fetchall()]
                target = _target(rows, by, redo)
                if target is None:
                    conn.execute("COMMIT")
                    return None
                if not redo and target.sheet not in HISTORY_SHEETS:  # in a history each person's answer is their own row
                    cancelled = _cancelled(rows)
                    later = [c for c in rows if c.seq > target.seq and c.op != "undo" and c.seq not in cancelled and c.who != target.who and c.sheet == target.sheet
                             and c.key == target.key and (not target.column or not c.column or c.column == target.column)]
                    if later:
                        raise ChangeRefused(refusal(later[-1], undo=True), later[-1])
                key = json.dumps(target.key, sort_keys=True)
                at = _now()
                cur = conn.execute(
                    'INSERT INTO changes (at, who, sheet, key, "column", old, new, op, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, \'undo\', ?)',
                    (at, who, target.sheet, key, target.column, target.new, target.old, target.seq),
                )
                new_seq = int(cur.lastrowid or 0)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as err:
            raise JournalError(f"{self.path}: the undo could not be saved ({err})") from err
        return Change(new_seq, at, who, target.sheet, dict(target.key), target.column, target.new, target.old, "undo", target.seq)

    # -- votes
    def vote(self, poll: str, sheet: str, key: dict[str, Any], column: str, value: str, *, who: str) -> int:
        """Keep one rater's vote in ``poll`` on one cell; returns its number."""
        conn = self.connect()
        key_json = json.dumps({k: to_text(v) for k, v in key.items()}, sort_keys=True)
        try:
            cur = conn.execute(
                'INSERT INTO votes (at, who, poll, sheet, key, "column", value) VALUES (?, ?, ?, ?, ?, ?, ?)',
                (_now(), who, poll, sheet, key_json, column, value),
            )
        except sqlite3.DatabaseError as err:
            raise JournalError(f"{self.path}: the vote could not be saved ({err})") from err
        return int(cur.lastrowid or 0)

    def votes(self, poll: str) -> dict[str, str]:
        """Each rater's latest vote in ``poll``: name → value, in the order they first voted."""
        if self._conn is None and not self.path.exists():
            return {}
        rows = self.connect().execute("SELECT who, value FROM votes WHERE poll = ? ORDER BY seq", (poll,)).fetchall()
        out: dict[str, str] = {}
        for who, value in rows:
            out[str(who)] = str(value)
        return out

    # -- reading
    def changes(self, since: int = 0) -> list[Change]:
        """Every change with ``seq > since``, oldest first (undo rows included)."""
        if self._conn is None and not self.path.exists():  # reading never creates the file
            return []
        rows = self.connect().execute(_SELECT + " WHERE seq > ? ORDER BY seq", (since,)).fetchall()
        return [_change(r) for r in rows]

    def effective(self, changes: Iterable[Change] | None = None) -> list[Change]:
        """The changes still in force: undo rows and the changes they undo left out."""
        return effective(self.changes() if changes is None else changes)

    def last_seq(self) -> int:
        if self._conn is None and not self.path.exists():
            return 0
        row = self.connect().execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()
        return int(row[0])


_SELECT = 'SELECT seq, at, who, sheet, key, "column", old, new, op, undoes, base FROM changes'


def _clash(conn: sqlite3.Connection, sheet: str, key_json: str, column: str, base: int, who: str) -> Change | None:
    """The latest change by someone else to the same cell (or to the whole row) after version ``base``."""
    sql = _SELECT + ' WHERE sheet = ? AND key = ? AND seq > ? AND who != ?'
    args: tuple[Any, ...] = (sheet, key_json, base, who)
    if column:  # a cell: changes to that cell, and the row's removal or its undo
        sql += ' AND ("column" = ? OR "column" = \'\')'
        args += (column,)
    row = conn.execute(sql + " ORDER BY seq DESC LIMIT 1", args).fetchone()
    return _change(row) if row is not None else None


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
    seq, at, who, sheet, key, column, old, new, op, undoes, base = row
    try:
        key_dict = json.loads(key)
        if not isinstance(key_dict, dict):
            raise ValueError
    except (TypeError, ValueError):
        key_dict = {"?": str(key)}
    return Change(int(seq), str(at), str(who), str(sheet), key_dict, str(column or ""), old, new, str(op), undoes, base)


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


# --------------------------------------------------------------------------- replay


def _problem(change: Change, found: str | None, expected: str, column: str | None = None) -> Problem:
    """A journal row that cannot be applied: a warning, the row skipped, the workbook still opens."""
    where = f"(change by {change.who} at {change.at[:16]}; skipped, the workbook opens without it)"
    return Problem(JOURNAL_FILE, change.seq, column if column is not None else (change.column or None), found, f"{expected} {where}", "warning")


def read_changes(path: Path) -> list[Change]:
    """Every change of the journal at ``path``, read without writing a byte (SQLite read-only mode).

    A file without the changes table (a 0-byte file, say) holds no changes.
    A row whose fields are not text is kept with the bad field shown as text,
    so that :func:`apply_journal` reports it and skips it.
    """
    # No -wal file: no connection is open and every change is in the main file,
    # which a writer only touches again at a checkpoint; read it as immutable,
    # so that not even SQLite's side files appear. Otherwise a workshop is
    # writing: read through its WAL with the usual locks, still read-only.
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, timeout=30.0)
    try:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'changes'").fetchone()
        if not exists:
            return []
        columns = {row[1] for row in conn.execute("PRAGMA table_info(changes)")}
        base = "base" if "base" in columns else "NULL"  # a journal from before versioned changes
        rows = conn.execute(f'SELECT seq, at, who, sheet, key, "column", old, new, op, undoes, {base} FROM changes ORDER BY seq').fetchall()
    finally:
        conn.close()
    return [_change(tuple(_as_text(v) if i in (1, 2, 3, 5, 6, 7, 8) else v for i, v in enumerate(r))) for r in rows]


def _as_text(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if value is None or isinstance(value, str) else str(value)


def _mask(frame: pd.DataFrame, key: dict[str, str]) -> pd.Series:
    import pandas as pd

    mask = pd.Series(True, index=frame.index)
    for k, v in key.items():
        if k not in frame.columns:
            return pd.Series(False, index=frame.index)
        col = frame[k]
        mask &= (col == v) if col.dtype == object else (col.map(to_text) == v)
    return mask


def _typed_row(sheet: str, values: dict[str, str], change: Change) -> tuple[dict[str, Any], list[Problem]]:
    spec = SHEETS[sheet]
    row: dict[str, Any] = {}
    problems = []
    for col in spec.columns:
        value, reason = parse_cell(col, values.get(col.name, ""))
        if reason is not None:
            problems.append(_problem(change, values.get(col.name, ""), reason, col.name))
        row[col.name] = value
    return row, problems


def _empty(col: Column) -> Any:
    if col.kind in ("number", "integer", "score", "percent"):
        return float("nan")
    if col.kind == "date":
        import pandas as pd

        return pd.NaT
    return ""


def _store(col: Column, value: Any) -> Any:
    if value is None:
        return _empty(col)
    if col.kind == "date":
        import pandas as pd

        return pd.Timestamp(value)
    return value


def _append(wb: Workbook, sheet: str, row: dict[str, Any]) -> None:
    import pandas as pd

    spec = SHEETS[sheet]
    frame = wb.sheets[sheet]
    record = {c.name: _store(c, row.get(c.name)) for c in spec.columns}
    for extra in frame.columns:
        if extra not in record:
            record[extra] = "" if extra != "_row" else None
    rows = frame["_row"] if "_row" in frame.columns and len(frame) else None
    record["_row"] = int(rows.max()) + 1 if rows is not None else 2
    new = pd.DataFrame([record])
    id_col = next((c.name for c in spec.columns if c.kind == "id"), None)
    if id_col:
        new = new.set_index(pd.Index([record[id_col]]))
    for name in frame.columns:
        if name in new.columns and len(frame):
            try:
                new[name] = new[name].astype(frame[name].dtype)
            except (TypeError, ValueError):
                pass
    parts = [frame, new[frame.columns]] if len(frame) else [new[[c for c in frame.columns if c in new.columns]]]
    combined = pd.concat(parts) if id_col else pd.concat(parts, ignore_index=True)
    if not len(frame):
        for name in frame.columns:
            if name in combined.columns:
                try:
                    combined[name] = combined[name].astype(frame[name].dtype)
                except (TypeError, ValueError):
                    pass
    wb.sheets[sheet] = combined


def _check_refs(wb: Workbook, sheet: str, values: dict[str, Any], change: Change) -> list[Problem]:
    problems = []
    for col in SHEETS[sheet].columns:
        if col.kind != "ref" or not values.get(col.name):
            continue
        if col.ref_sheet in ("questions", "indicators"):
            bank = wb.questions if col.ref_sheet == "questions" else wb.indicators
            known = set(bank.index)
        else:
            ref = str(col.ref_sheet)
            id_col = next(c.name for c in SHEETS[ref].columns if c.kind == "id")
            known = set(wb.sheets[ref][id_col])
        if values[col.name] not in known:
            problems.append(_problem(change, str(values[col.name]), col.expected, col.name))
    return problems


def apply_change(wb: Workbook, change: Change) -> list[Problem]:
    """Lay one change over ``wb.sheets`` in place; return the problems it has (then it is skipped).

    Undo rows are not applied here; use :func:`effective` first.

    Example:
        >>> goal = Change(1, "2026-11-01T10:00", "ana", "accounts", {"account_id": "ACC-001"}, "account_goal", "", "Halve picking errors", "set")  # doctest: +SKIP
        >>> apply_change(wb, goal)  # doctest: +SKIP
        []
    """
    sheet = change.sheet
    if sheet not in SHEETS or sheet not in wb.sheets:
        return [_problem(change, sheet, "a sheet of the workbook", "sheet")]
    spec = SHEETS[sheet]
    frame = wb.sheets[sheet]
    if change.op == "add":
        try:
            values = json.loads(change.new or "{}")
            if not isinstance(values, dict):
                raise ValueError
        except ValueError:
            return [_problem(change, change.new, "a row written as JSON", "new")]
        row, problems = _typed_row(sheet, {**change.key, **values}, change)
        problems += _check_refs(wb, sheet, row, change)
        id_col = next((c.name for c in spec.columns if c.kind == "id"), None)
        if id_col and row.get(id_col) in set(frame[id_col]):
            problems.append(_problem(change, row[id_col], "a new, unused id", id_col))
        if problems:
            return problems
        _append(wb, sheet, row)
        return []
    if change.op == "remove":
        mask = _mask(frame, change.key)
        if not mask.any():
            return [_problem(change, json.dumps(change.key), "a row that exists (it was already removed)", "key")]
        wb.sheets[sheet] = frame[~mask.to_numpy()]
        return []
    if change.op != "set":
        return [_problem(change, change.op, "one of set, add, remove, undo", "op")]
    if change.column not in spec.column_names:
        return [_problem(change, change.column, f"a column of the {sheet} sheet")]
    col = spec.column(change.column)
    value, reason = parse_cell(col, change.new)
    if reason is not None:
        return [_problem(change, change.new, reason)]
    if col.kind == "ref":
        problems = _check_refs(wb, sheet, {col.name: value}, change)
        if problems:
            return problems
    missing = [k for k in change.key if k not in spec.column_names]
    if missing:
        return [_problem(change, json.dumps(change.key), f"a key made of columns of the {sheet} sheet", "key")]
    if sheet in HISTORY_SHEETS:
        return _set_history(wb, change, col, value)
    mask = _mask(frame, change.key)
    if not mask.any():
        return [_problem(change, json.dumps(change.key), f"a row of the {sheet} sheet that exists", "key")]
    frame.loc[mask.to_numpy(), col.name] = _store(col, value)
    return []


def _set_history(wb: Workbook, change: Change, col: Column, value: Any) -> list[Problem]:
    """A history answer: update today's row by the same person, or add one copied from the latest."""
    import pandas as pd

    sheet = change.sheet
    frame = wb.sheets[sheet]
    item = {k: change.key[k] for k in HISTORY_SHEETS[sheet] if k in change.key}
    if len(item) != len(HISTORY_SHEETS[sheet]):
        return [_problem(change, json.dumps(change.key), "a key naming " + " and ".join(HISTORY_SHEETS[sheet]), "key")]
    problems = _check_refs(wb, sheet, item, change)
    if problems:
        return problems
    day = pd.Timestamp(change.day)
    mask = _mask(frame, item).to_numpy()
    same = mask & (frame["assessed_on"] == day).to_numpy() & (frame["assessed_by"] == change.who).to_numpy()
    if same.any():
        pos = int(same.nonzero()[0][-1])
        row = frame.iloc[pos].to_dict()
        keep = [True] * len(frame)
        keep[pos] = False
        frame = frame[keep]
    else:
        earlier = frame[mask]
        if len(earlier):
            latest = earlier.sort_values("assessed_on", kind="stable", na_position="first").iloc[-1]
            row = latest.to_dict()
        else:
            row = {c.name: _empty(c) for c in SHEETS[sheet].columns}
            row.update(item)
        row["assessed_on"] = day
        row["assessed_by"] = change.who
    if col.name in ("answer", "score") and to_text(row.get(col.name)) != to_text(value):
        row["evidence"] = ""  # evidence belongs to the answer it was given with, not to the new one
    row[col.name] = _store(col, value)
    wb.sheets[sheet] = frame
    typed = {c.name: (None if (c.name not in row or _is_empty(row[c.name])) else row[c.name]) for c in SHEETS[sheet].columns}
    extras = {str(k): v for k, v in row.items() if k not in typed and k != "_row"}
    _append(wb, sheet, {**extras, **typed})
    return []


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return to_text(value) == ""


def apply_journal(wb: Workbook, changes: Iterable[Change] | None = None) -> list[Problem]:
    """Lay the journal beside ``wb`` over its sheets, in ``seq`` order, respecting undo.

    Bad rows are skipped and reported in ``wb.problems`` (file ``journal.sqlite``,
    row = the change's ``seq``). Returns the new problems.

    Example:
        >>> from kamnb.workbook.loader import load_workbook  # doctest: +SKIP
        >>> wb = load_workbook("data/sample")  # doctest: +SKIP
        >>> apply_journal(wb, [])  # doctest: +SKIP
        []
    """
    problems: list[Problem] = []
    if changes is None:
        path = wb.journal_path
        if not path.exists():
            return []
        try:
            changes = read_changes(path)
        except sqlite3.Error as err:
            problems.append(Problem(JOURNAL_FILE, None, None, None, f"a workshop journal kamnb can read ({err}); the sheets are used without it", "warning"))
            wb.problems.extend(problems)
            return problems
    applied: list[Change] = []
    for change in effective(changes):
        try:
            found = apply_change(wb, change)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as err:  # a row damaged outside kamnb: a bad date, a bad seq
            found = [_problem(change, None, f"a change kamnb can apply ({type(err).__name__}: {err})")]
        problems.extend(found)
        if not found:
            applied.append(change)
    advance_as_of(wb.settings, applied)
    wb.problems.extend(problems)
    return problems


def advance_as_of(settings: dict[str, Any], applied: Iterable[Change]) -> None:
    """The workshop's date counts: ``as_of`` becomes the later of the settings' date and the newest applied change's day.

    Evidence and answers given in a workshop are dated the day they were
    given; a review "as of" an earlier date would ignore them. The rule
    depends only on the journal, so the same journal gives the same review.
    Without an ``as_of`` in the settings the review is as of today anyway.

    >>> s = {"as_of": dt.date(2026, 11, 1)}
    >>> advance_as_of(s, [Change(1, "2026-12-01T10:42:00+01:00", "Ann", "accounts", {}, "tier", "", "A", "set")])
    >>> s["as_of"]
    datetime.date(2026, 12, 1)
    """
    base = settings.get("as_of")
    if not base:
        return
    days = [c.day for c in applied]
    if not days:
        return
    base_day = base if isinstance(base, dt.date) and not isinstance(base, dt.datetime) else dt.date.fromisoformat(str(base)[:10])
    newest = max(days)
    if newest > base_day:
        settings["as_of"] = newest
