"""The workshop journal: every change made in a workshop, kept the moment it is made.

The journal is a SQLite database beside the workbook (``FOLDER/journal.sqlite``
or ``BOOK.journal.sqlite``) with one table::

    changes(seq, at, who, sheet, key, column, old, new, op, undoes, base, op_id)

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

Every change a screen sends carries ``op_id``, an id the screen gives the
operation once, kept with a uniqueness constraint. A screen that sends the
same operation again (its reply was lost, or the server restarted before
answering) gets the change already written back, and nothing is written
twice: adding a person twice by resending makes one person.

The database runs in WAL mode with a busy timeout, and each change is its own
short ``BEGIN IMMEDIATE`` transaction, so two facilitators in two processes on
the same workbook never lose a write, and killing a kernel loses nothing that
was already shown as saved.

:func:`~kamnb.workbook.replay.apply_journal` lays the journal over a loaded
workbook's sheets (the loader calls it), re-checking every value against the
workbook contract, so a bad journal row becomes a :class:`~kamnb.errors.Problem`
instead of a crash. The rows as values (:class:`Change`, which changes are in
force) are in :mod:`kamnb.workbook.changes`; this module keeps the database.

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
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kamnb.errors import ChangeRefused, JournalError
from kamnb.workbook.changes import HISTORY_SHEETS, JOURNAL_FILE, OPS, Change, _cancelled, _change, _target, effective, refusal, to_text
from kamnb.workbook.parsing import parse_cell
from kamnb.workbook.replay import advance_as_of, apply_change, apply_journal, read_changes

__all__ = [
    "HISTORY_SHEETS", "JOURNAL_FILE", "OPS", "Change", "Journal", "advance_as_of", "apply_change", "apply_journal",
    "effective", "parse_cell", "read_changes", "refusal", "to_text",
]

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
    base    INTEGER NULL,
    op_id   TEXT NULL
);
CREATE INDEX IF NOT EXISTS changes_item ON changes(sheet, key, "column");
CREATE UNIQUE INDEX IF NOT EXISTS changes_op_id ON changes(op_id);
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
            _upgrade(conn)
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

    def _write(self, who: str, sheet: str, key: dict[str, Any], column: str, old: str | None, new: str | None, op: str, undoes: int | None = None,
               base: int | None = None, op_id: str | None = None) -> Change:
        """Write one change in its own transaction: the op_id looked up, the clash checked, the row inserted."""
        if op not in OPS:
            raise ValueError(f"op must be one of {OPS}, not {op!r}")
        conn = self.connect()
        at = _now()
        key_json = json.dumps({k: to_text(v) for k, v in key.items()}, sort_keys=True)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                done = _done(conn, op_id)
                if done is not None:  # the same operation sent again: what it wrote the first time
                    conn.execute("COMMIT")
                    return done
                if base is not None:
                    clash = _clash(conn, sheet, key_json, column, base, who)
                    if clash is not None:
                        raise ChangeRefused(refusal(clash), clash)
                cur = conn.execute(
                    'INSERT INTO changes (at, who, sheet, key, "column", old, new, op, undoes, base, op_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                    (at, who, sheet, key_json, column, old, new, op, undoes, base, op_id),
                )
                seq = int(cur.lastrowid or 0)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as err:
            raise JournalError(f"{self.path}: the change could not be saved ({err})") from err
        return Change(seq, at, who, sheet, json.loads(key_json), column, old, new, op, undoes, base, op_id)

    # -- writing
    def set(self, sheet: str, key: dict[str, Any], column: str, old: Any, new: Any, *, who: str, base: int | None = None, op_id: str | None = None) -> Change:
        """Record that ``column`` of the row ``key`` of ``sheet`` went from ``old`` to ``new``.

        With ``base`` (the journal version the screen showed), the change is
        refused with :class:`~kamnb.errors.ChangeRefused` when the row was
        removed or the cell changed by someone else after that version. With
        ``op_id``, a second call with the same id writes nothing and returns
        the change the first one wrote.
        """
        return self._write(who, sheet, key, column, to_text(old), to_text(new), "set", base=base, op_id=op_id)

    def add(self, sheet: str, key: dict[str, Any], row: dict[str, Any], *, who: str, op_id: str | None = None) -> Change:
        """Record a new row (``row`` maps column names to values); with ``op_id``, at most once."""
        body = json.dumps({k: to_text(v) for k, v in row.items()}, sort_keys=True)
        return self._write(who, sheet, key, "", None, body, "add", op_id=op_id)

    def remove(self, sheet: str, key: dict[str, Any], row: dict[str, Any] | None = None, *, who: str, base: int | None = None, op_id: str | None = None) -> Change:
        """Record that a row was removed (``row``, its values, is kept as the old value).

        With ``base``, refused when anyone else changed or removed the row after that version.
        """
        body = json.dumps({k: to_text(v) for k, v in (row or {}).items()}, sort_keys=True)
        return self._write(who, sheet, key, "", body, None, "remove", base=base, op_id=op_id)

    def undo(self, who: str, *, by: str | None = None, op_id: str | None = None) -> Change | None:
        """Undo the last change still in force (the last one ``by`` that person, when given).

        Returns the undo row, or ``None`` when there is nothing left to undo.
        The check and the write happen in one transaction, so two people
        pressing undo at once undo two different changes. An undo is refused
        (:class:`~kamnb.errors.ChangeRefused`) when someone else changed the
        same cell or row after the change being undone. With ``op_id``, an
        undo sent again returns the undo already made instead of a second one.
        """
        return self._step(who, by, redo=False, op_id=op_id)

    def redo(self, who: str, *, op_id: str | None = None) -> Change | None:
        """Redo the last change ``who`` undid (their undos since their last own change, latest first).

        A redo is an undo of an undo; ``None`` when there is nothing to redo.
        """
        return self._step(who, who, redo=True, op_id=op_id)

    def done(self, op_id: str | None) -> Change | None:
        """The change already written for the operation ``op_id``, or None (also without an id).

        >>> import tempfile, pathlib
        >>> j = Journal(pathlib.Path(tempfile.mkdtemp()) / "journal.sqlite")
        >>> first = j.add("stakeholders", {"stakeholder_id": "S1"}, {"name": "Ann"}, who="Bo", op_id="screen-1")
        >>> j.add("stakeholders", {"stakeholder_id": "S2"}, {"name": "Ann"}, who="Bo", op_id="screen-1") == first, j.last_seq()
        (True, 1)
        """
        if op_id is None or (self._conn is None and not self.path.exists()):
            return None
        return _done(self.connect(), op_id)

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

    def _step(self, who: str, by: str | None, *, redo: bool, op_id: str | None = None) -> Change | None:
        """Undo or redo in one transaction: find the target, refuse when someone else changed it since, write the undo row."""
        if self._conn is None and not self.path.exists():
            return None
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                done = _done(conn, op_id)
                if done is not None:
                    conn.execute("COMMIT")
                    return done
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
                    'INSERT INTO changes (at, who, sheet, key, "column", old, new, op, undoes, op_id) VALUES (?, ?, ?, ?, ?, ?, ?, \'undo\', ?, ?)',
                    (at, who, target.sheet, key, target.column, target.new, target.old, target.seq, op_id),
                )
                new_seq = int(cur.lastrowid or 0)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as err:
            raise JournalError(f"{self.path}: the undo could not be saved ({err})") from err
        return Change(new_seq, at, who, target.sheet, dict(target.key), target.column, target.new, target.old, "undo", target.seq, op_id=op_id)

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


_SELECT = 'SELECT seq, at, who, sheet, key, "column", old, new, op, undoes, base, op_id FROM changes'


def _upgrade(conn: sqlite3.Connection) -> None:
    """Bring a journal written by an earlier kamnb up to date: the ``base`` and ``op_id`` columns, the op_id uniqueness."""
    def missing() -> set[str]:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(changes)")}
        index = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'changes_op_id'").fetchone()
        return ({"base", "op_id"} - columns) | (set() if index else {"index"})

    if not missing():
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        todo = missing()  # again, under the write lock: another process may have done it meanwhile
        if "base" in todo:  # a journal from before versioned changes
            conn.execute("ALTER TABLE changes ADD COLUMN base INTEGER NULL")
        if "op_id" in todo:  # a journal from before operation ids
            conn.execute("ALTER TABLE changes ADD COLUMN op_id TEXT NULL")
        conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS changes_op_id ON changes(op_id)")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _done(conn: sqlite3.Connection, op_id: str | None) -> Change | None:
    """The change written for ``op_id``, when there is one."""
    if op_id is None:
        return None
    row = conn.execute(_SELECT + " WHERE op_id = ?", (op_id,)).fetchone()
    return _change(row) if row is not None else None


def _clash(conn: sqlite3.Connection, sheet: str, key_json: str, column: str, base: int, who: str) -> Change | None:
    """The latest change by someone else to the same cell (or to the whole row) after version ``base``."""
    sql = _SELECT + ' WHERE sheet = ? AND key = ? AND seq > ? AND who != ?'
    args: tuple[Any, ...] = (sheet, key_json, base, who)
    if column:  # a cell: changes to that cell, and the row's removal or its undo
        sql += ' AND ("column" = ? OR "column" = \'\')'
        args += (column,)
    row = conn.execute(sql + " ORDER BY seq DESC LIMIT 1", args).fetchone()
    return _change(row) if row is not None else None

