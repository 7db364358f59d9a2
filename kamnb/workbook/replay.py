"""Laying the workshop journal over a loaded workbook's sheets, change by change.

:func:`apply_journal` reads the journal (without writing a byte) and applies
the changes in force in ``seq`` order, re-checking every value against the
workbook contract: a row that no longer applies becomes a
:class:`~kamnb.errors.Problem` (a warning) and is skipped, so the workbook
always opens. Qualification answers and relationship scores are histories: a
workshop answer adds a row dated the day of the change and signed by the
participant (later changes by the same person on the same day update it).

Example:
    >>> from kamnb.workbook.loader import load_workbook  # doctest: +SKIP
    >>> apply_journal(load_workbook("data/sample"), [])  # doctest: +SKIP
    []
"""
from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamnb.errors import Problem
from kamnb.workbook.changes import HISTORY_SHEETS, JOURNAL_FILE, Change, _change, effective, to_text
from kamnb.workbook.parsing import parse_cell
from kamnb.workbook.schema import SHEETS, Column

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from kamnb.workbook.loader import Workbook


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
        op_id = "op_id" if "op_id" in columns else "NULL"  # ... or from before operation ids
        rows = conn.execute(f'SELECT seq, at, who, sheet, key, "column", old, new, op, undoes, {base}, {op_id} FROM changes ORDER BY seq').fetchall()
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

