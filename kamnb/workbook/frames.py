"""Type a raw sheet's cells into a DataFrame with the contract's columns, collecting at most a few problems per column."""
from __future__ import annotations

from typing import Any

import pandas as pd

from kamnb.errors import Problem
from kamnb.workbook.book import RawSheet
from kamnb.workbook.parsing import parse_cell
from kamnb.workbook.schema import Column, Sheet

MAX_PROBLEMS_PER_COLUMN = 10
"""Problems listed per file, column and level; the rest are counted on one line."""


class CappedProblems(list):
    """A list of problems that keeps at most :data:`MAX_PROBLEMS_PER_COLUMN` per file and column.

    A column of a million bad cells costs ten problems and a counter, not a
    million lines; :meth:`close` adds one line per column saying how many more
    there were.

    Example:
        >>> log = CappedProblems()
        >>> for n in range(25):
        ...     log.append(Problem("a.csv", n + 2, "x", "?", "a number"))
        >>> log.close()
        >>> len(log), str(log[-1])
        (11, 'a.csv, column x: … and 15 more problems in this column')
    """

    def __init__(self) -> None:
        super().__init__()
        self._counts: dict[tuple[str, str | None, str], int] = {}

    def append(self, problem: Problem) -> None:
        if problem.row is None or problem.column is None:
            super().append(problem)
            return
        key = (problem.file, problem.column, problem.level)
        n = self._counts.get(key, 0) + 1
        self._counts[key] = n
        if n <= MAX_PROBLEMS_PER_COLUMN:
            super().append(problem)

    def extend(self, problems) -> None:  # type: ignore[override]
        for problem in problems:
            self.append(problem)

    def over_cap(self, file: str, column: str, level: str = "error") -> bool:
        """True when further problems of this file and column would only be counted."""
        return self._counts.get((file, column, level), 0) >= MAX_PROBLEMS_PER_COLUMN

    def count_more(self, file: str, column: str, n: int, level: str = "error") -> None:
        """Count ``n`` more problems of a column without building them."""
        key = (file, column, level)
        self._counts[key] = self._counts.get(key, 0) + n

    def close(self) -> None:
        """Add the "... and N more" line of every column that went over the cap."""
        for (file, column, level), n in self._counts.items():
            if n > MAX_PROBLEMS_PER_COLUMN:
                more = n - MAX_PROBLEMS_PER_COLUMN
                super().append(Problem(file, None, column, None, f"… and {more:,} more problem{'s' if more > 1 else ''} in this column", level))
        self._counts.clear()



def _typed_column(raw: RawSheet, col: Column, idx: int | None, problems: list[Problem]) -> list[Any]:
    out: list[Any] = []
    capped = isinstance(problems, CappedProblems)

    def report(problem_row: int, found: str, expected: str) -> None:
        if capped and problems.over_cap(raw.label, col.name):  # type: ignore[attr-defined]
            problems.count_more(raw.label, col.name, 1)  # type: ignore[attr-defined]
        else:
            problems.append(Problem(raw.label, problem_row, col.name, found, expected))

    for n, row in enumerate(raw.rows):
        excel_row = n + 2
        text = row[idx].strip() if idx is not None and idx < len(row) else ""
        if not text:
            if col.required:
                report(excel_row, "", f"{col.expected} (this column must be filled)")
            out.append(None)
            continue
        value, reason = parse_cell(col, text)
        if reason is not None:
            report(excel_row, text, reason)
        out.append(value)
    return out


def to_frame(sheet: Sheet, raw: RawSheet | None, problems: list[Problem], missing: dict[str, list[str]]) -> pd.DataFrame:
    """One sheet as a DataFrame with every column of the contract typed, plus ``_row`` (its row in the file).

    Columns the file lacks are noted in ``missing``; columns the contract does not know are kept as text, with a warning.
    """
    header = raw.header if raw else []
    data: dict[str, Any] = {}
    for col in sheet.columns:
        idx = header.index(col.name) if col.name in header else None
        if raw is not None and idx is None:
            if col.required:
                problems.append(Problem(raw.label, 1, col.name, None, f"a column named {col.name} ({col.description.lower()})"))
            missing.setdefault(sheet.name, []).append(col.name)
        if raw is None:
            missing.setdefault(sheet.name, []).append(col.name)
        values = _typed_column(raw, col, idx, problems) if raw is not None else []
        data[col.name] = _series(col, values)
    if raw is not None:
        known = set(sheet.column_names)
        for i, name in enumerate(header):
            if name and name not in known:
                problems.append(Problem(raw.label, 1, name, None, "a known column; this one is kept but not used by kamnb", "warning"))
                data[name] = pd.Series([r[i] if i < len(r) else "" for r in raw.rows], dtype=object)
    frame = pd.DataFrame(data)
    if raw is not None:
        frame["_row"] = range(2, len(raw.rows) + 2)
    else:
        frame["_row"] = pd.Series(dtype="int64")
    return frame


def _series(col: Column, values: list[Any]) -> pd.Series:
    if col.kind in ("number", "integer", "score", "percent"):
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    if col.kind == "date":
        return pd.to_datetime(pd.Series([v for v in values], dtype=object), errors="coerce").astype("datetime64[ns]")
    return pd.Series(["" if v is None else v for v in values], dtype=object)
