"""Load a workbook, check every cell against the contract, and hand out typed tables.

The loader reads a folder of CSV files (one per sheet) or one ``.xlsx`` file
(one tab per sheet). It never writes to the user's files. All problems are
collected in one pass; :func:`load_workbook` raises :class:`WorkbookError`
listing them all, :func:`check_workbook` returns them.

Example:
    >>> wb = load_workbook("data/sample")          # doctest: +SKIP
    >>> wb.accounts.loc["ACC-001", "name"]          # doctest: +SKIP
    'Nordlicht Logistics'
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import difflib
import io
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kamnb.errors import AccountNotFound, Problem, WorkbookError
from kamnb.workbook import banks
from kamnb.workbook.parsing import parse_cell
from kamnb.workbook.schema import SHEETS, Column, Sheet

JOURNAL_NAME = "journal.sqlite"
csv.field_size_limit(1 << 30)  # cells are measured against MAX_CELL_CHARS after reading, with their row and column


@dataclass
class RawSheet:
    """A sheet as read from disk: every cell as text, plus where it came from.

    Example:
        >>> read_raw(Path("data/sample"), [])["accounts"].label  # doctest: +SKIP
        'accounts.csv'
    """

    label: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Workbook:
    """Typed tables of one workbook plus the banks and settings in force for it.

    Each sheet is a :class:`pandas.DataFrame` with every column of the contract
    (optional columns missing from the file are present and empty; see
    :attr:`missing_columns`). Sheets with an id column are indexed by it.

    Example:
        >>> wb = load_workbook("data/sample")  # doctest: +SKIP
        >>> len(wb.accounts), wb.account("ACC-001")["name"]  # doctest: +SKIP
        (30, 'Nordlicht Logistics')
    """

    path: Path
    sheets: dict[str, pd.DataFrame]
    questions: pd.DataFrame
    indicators: pd.DataFrame
    settings: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    missing_columns: dict[str, list[str]] = field(default_factory=dict)
    content_stamp: tuple[Any, dict[str, Any]] | None = field(default=None, init=False, compare=False, repr=False)
    """Tokens naming the content exactly, set by whoever tracks every change to it (the workshop, for one
    account's view): one for the banks and the workbook as read, one per sheet. Memo keys use them instead
    of hashing the sheets. Never copied by :func:`dataclasses.replace`, so a workbook made from this one is
    hashed again."""

    @property
    def accounts(self) -> pd.DataFrame:
        return self.sheets["accounts"]

    @property
    def stakeholders(self) -> pd.DataFrame:
        return self.sheets["stakeholders"]

    @property
    def opportunities(self) -> pd.DataFrame:
        return self.sheets["opportunities"]

    @property
    def qualification(self) -> pd.DataFrame:
        return self.sheets["qualification"]

    @property
    def relationship(self) -> pd.DataFrame:
        return self.sheets["relationship"]

    @property
    def actions(self) -> pd.DataFrame:
        return self.sheets["actions"]

    @property
    def value(self) -> pd.DataFrame:
        return self.sheets["value"]

    @property
    def history(self) -> pd.DataFrame:
        return self.sheets["history"]

    @property
    def stakeholder_history(self) -> pd.DataFrame:
        return self.sheets["stakeholder_history"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def journal_path(self) -> Path:
        """Where the workshop journal of this workbook lives (it may not exist yet)."""
        return journal_path_for(self.path)

    def has_column(self, sheet: str, column: str) -> bool:
        """True when the user's file had ``column`` (not merely filled in as empty)."""
        return column not in self.missing_columns.get(sheet, [])

    def account(self, account_id: str) -> pd.Series:
        """One account's row, or :class:`AccountNotFound` naming the ids that exist."""
        if account_id not in self.accounts.index:
            known = ", ".join(list(self.accounts.index[:10]))
            raise AccountNotFound(f"no account {account_id!r} in {self.path}; known ids include {known}")
        return self.accounts.loc[account_id]

    def for_account(self, sheet: str, account_id: str) -> pd.DataFrame:
        """Rows of ``sheet`` belonging to one account (qualification goes through its opportunities)."""
        df = self.sheets[sheet]
        if "account_id" not in df.columns and sheet not in ("qualification", "stakeholder_history"):
            return df  # a sheet of the whole portfolio (offerings)
        if sheet == "qualification":
            opps = self.opportunities.index[self.opportunities["account_id"] == account_id]
            return df[df["opportunity_id"].isin(opps)]
        if sheet == "stakeholder_history":
            people = self.stakeholders.index[self.stakeholders["account_id"] == account_id]
            return df[df["stakeholder_id"].isin(people)]
        return df[df["account_id"] == account_id]


def journal_path_for(path: Path | str) -> Path:
    """The journal beside a workbook: ``FOLDER/journal.sqlite`` or ``BOOK.journal.sqlite``.

    Example:
        >>> journal_path_for("data/sample").as_posix(), journal_path_for("book.xlsx").as_posix()
        ('data/sample/journal.sqlite', 'book.journal.sqlite')
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return path.with_suffix(".journal.sqlite")
    return path / JOURNAL_NAME


# --------------------------------------------------------------------------- reading


MAX_SHEET_BYTES = 100_000_000
"""A sheet file larger than this (100 MB) is refused before it is read: no real workbook needs it."""
MAX_ROWS = 1_048_575
"""The most data rows a sheet may hold: Excel's limit (1,048,576 rows with the header)."""
MAX_CELL_CHARS = 32_767
"""The most characters a cell may hold: Excel's own limit, so every workbook kamnb writes opens in Excel."""
KNOWN_EXTRA_CSV = ("crm_figures.csv", "set_aside.csv")
"""CSV files ``kamnb import-crm`` writes beside the sheets: not sheets, never warned about."""


def _decode(path: Path, data: bytes, problems: list[Problem]) -> str | None:
    """Text of a sheet: UTF-8 (with or without BOM); a line that is not UTF-8 is read as Windows-1252.

    A file saved wholly in Windows-1252 gets one warning; a file that mixes the
    two (rows pasted from different tools) is decoded line by line, so every
    name comes out right, and the warning names the rows read as Windows-1252.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    out: list[str] = []
    legacy: list[int] = []
    utf8_non_ascii = False
    for n, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8-sig" if n == 1 else "utf-8")
            utf8_non_ascii = utf8_non_ascii or not line.isascii()
        except UnicodeDecodeError as err:
            try:
                text = line.decode("cp1252")
            except UnicodeDecodeError:
                problems.append(
                    Problem(path.name, None, None, None, f"a UTF-8 or Windows-1252 text file; line {n}, byte {err.start} cannot be read in either")
                )
                return None
            legacy.append(n)
        out.append(text)
    if utf8_non_ascii:
        shown = ", ".join(str(n) for n in legacy[:10]) + (f" and {len(legacy) - 10:,} more" if len(legacy) > 10 else "")
        problems.append(
            Problem(path.name, None, None, None, f"one encoding; UTF-8 mixed with Windows-1252 on line(s) {shown}, each line read in its own encoding (save as 'CSV UTF-8' to silence this)", "warning")
        )
    else:
        problems.append(
            Problem(path.name, None, None, None, "UTF-8 text; read as Windows-1252 instead (save as 'CSV UTF-8' to silence this)", "warning")
        )
    return "\n".join(out)


def _read_bytes(path: Path, label: str, problems: list[Problem]) -> bytes | None:
    """The bytes of a sheet file, or a problem when it is not a regular file or is too large to be a sheet."""
    try:
        st = path.stat()
    except OSError as err:
        problems.append(Problem(label, None, None, None, f"a readable file ({err.strerror or err})"))
        return None
    if not stat.S_ISREG(st.st_mode):
        kind = "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file"
        problems.append(Problem(label, None, None, None, f"a regular file; this is {kind}{' (a link to ' + str(path.resolve()) + ')' if path.is_symlink() else ''}"))
        return None
    if st.st_size > MAX_SHEET_BYTES:
        problems.append(Problem(label, None, None, None, f"a sheet of at most {MAX_SHEET_BYTES // 1_000_000} MB; this file has {st.st_size / 1e6:,.0f} MB"))
        return None
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_SHEET_BYTES + 1)
    except OSError as err:
        problems.append(Problem(label, None, None, None, f"a readable file ({err.strerror or err})"))
        return None


def _looks_like_row(line: str, delimiter: str, columns: int) -> bool:
    """A line inside a quoted cell that reads like a row of its own: an id-like first field and many delimiters.

    A note over several lines ("Call Ann, then Bob") starts with words and is
    not mistaken for one; ``AC2,A1,care_cultivate,Call`` is.
    """
    first = line.split(delimiter, 1)[0].strip()
    return bool(first) and len(first) <= 40 and not any(c.isspace() for c in first) and line.count(delimiter) >= max(2, (columns - 1) // 2)


def _read_csv(path: Path, problems: list[Problem]) -> RawSheet | None:
    data = _read_bytes(path, path.name, problems)
    if data is None:
        return None
    text = _decode(path, data, problems)
    if text is None:
        return None
    sample = text[:4096]
    delimiter = ","
    if sample.count(";") > sample.count(",") and "\n" in sample:
        first = sample.splitlines()[0]
        if first.count(";") > first.count(","):
            delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []  # the line each row starts on
    start = 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS + 1:
                problems.append(Problem(path.name, None, None, None, f"a sheet of at most {MAX_ROWS:,} rows below its header (Excel's limit); this one has more"))
                return None
    except csv.Error as err:
        problems.append(
            Problem(path.name, len(rows) + 1, None, None, f"well-formed CSV; the row starting on line {start} cannot be read ({err}: a quote (\") opened and never closed?)")
        )
        return None
    keep = [i for i, r in enumerate(rows) if any(cell.strip() for cell in r)]
    rows = [rows[i] for i in keep]
    lines = [lines[i] for i in keep]
    if not rows:
        return RawSheet(path.name, [], [])
    header = [h.strip() for h in rows[0]]
    bad = False
    for n, row in enumerate(rows[1:], start=2):
        for i, cell in enumerate(row):
            column = header[i] if i < len(header) and header[i] else f"{i + 1}"
            if len(cell) > MAX_CELL_CHARS:
                problems.append(Problem(path.name, n, column, cell[:40] + "...", f"a cell of at most {MAX_CELL_CHARS:,} characters (Excel's limit); this one has {len(cell):,}"))
                bad = True
            elif "\n" in cell and len(header) > 2 and any(_looks_like_row(part, delimiter, len(header)) for part in cell.split("\n")[1:]):
                problems.append(
                    Problem(
                        path.name,
                        n,
                        column,
                        cell[:40] + "...",
                        f"a closing quote; the quote opened on line {lines[n - 1]} runs over {cell.count(chr(10))} line(s) that look like rows of their own",
                    )
                )
                bad = True
    if bad:
        return None
    return RawSheet(path.name, header, rows[1:])


def _cell_text(cell: Any, number_format: str) -> str:
    if cell is None:
        return ""
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.strftime("%Y-%m-%d")
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, (int, float)):
        if "%" in (number_format or ""):
            cell = cell * 100
        return repr(float(cell)) if isinstance(cell, float) and not float(cell).is_integer() else str(int(cell))
    return str(cell)


def _read_xlsx(path: Path, problems: list[Problem]) -> dict[str, RawSheet]:
    from openpyxl import load_workbook as open_xlsx

    if path.stat().st_size > MAX_SHEET_BYTES:
        problems.append(Problem(path.name, None, None, None, f"an .xlsx workbook of at most {MAX_SHEET_BYTES // 1_000_000} MB; this file has {path.stat().st_size / 1e6:,.0f} MB"))
        return {}
    try:
        book = open_xlsx(path, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        problems.append(Problem(path.name, None, None, None, f"an .xlsx workbook Excel can open ({err})"))
        return {}
    sheets: dict[str, RawSheet] = {}
    for ws in book.worksheets:
        label = f"{path.name} [{ws.title}]"
        key = ws.title.strip().lower()
        if key not in SHEETS:
            _unknown(label, ws.title, "tab", problems)
            continue
        if key in sheets:
            problems.append(Problem(label, None, None, None, f"one tab for the {key} sheet; found {sheets[key].label} too"))
            continue
        rows = []
        for row in ws.iter_rows():
            rows.append([_cell_text(c.value, getattr(c, "number_format", "")) for c in row])
        rows = [r for r in rows if any(v.strip() for v in r)]
        if not rows:
            sheets[key] = RawSheet(label, [], [])
            continue
        header = [h.strip() for h in rows[0]]
        while header and not header[-1]:
            header.pop()
        sheets[key] = RawSheet(label, header, [r[: len(header)] + [""] * (len(header) - len(r)) for r in rows[1:]])
    book.close()
    return sheets


def closest_sheet(name: str) -> str | None:
    """The sheet a near-miss file or tab name most likely meant, if any.

    Example:
        >>> closest_sheet("relationships"), closest_sheet("stakehodlers"), closest_sheet("notes")
        ('relationship', 'stakeholders', None)
    """
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    close = difflib.get_close_matches(key, list(SHEETS), n=1, cutoff=0.7)
    return close[0] if close else None


def _unknown(label: str, name: str, what: str, problems: list[Problem]) -> None:
    guess = closest_sheet(name)
    hint = f"did you mean {guess}? " if guess else ""
    problems.append(Problem(label, None, None, None, f"a sheet kamnb knows ({hint}this {what} is not read)", "warning"))


def read_raw(path: Path, problems: list[Problem]) -> dict[str, RawSheet]:
    """Read every sheet of a workbook as text, without interpreting any cell.

    File and tab names match their sheet whatever their case (``Accounts.CSV``,
    a tab ``Stakeholders``); a name kamnb does not know is a warning naming the
    closest sheet; two files for one sheet are an error.

    Example:
        >>> sorted(read_raw(Path("data/sample"), []))[:3]  # doctest: +SKIP
        ['accounts', 'actions', 'history']
    """
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, problems)
    if not path.is_dir():
        problems.append(Problem(str(path), None, None, None, "a workbook folder of CSV files or an .xlsx file"))
        return {}
    found: dict[str, list[Path]] = {}
    for file in sorted(path.iterdir()):
        if file.suffix.lower() != ".csv" or file.name.lower() in KNOWN_EXTRA_CSV:
            continue
        name = file.stem.strip().lower()
        if name in SHEETS:
            found.setdefault(name, []).append(file)
        else:
            _unknown(file.name, file.stem, "file", problems)
    raw: dict[str, RawSheet] = {}
    for name in SHEETS:
        files = found.get(name, [])
        if len(files) > 1:
            names = " and ".join(f.name for f in files)
            problems.append(Problem(files[0].name, None, None, None, f"one file for the {name} sheet; found {names}"))
            continue
        if files:
            sheet = _read_csv(files[0], problems)
            if sheet is not None:
                raw[name] = sheet
    _read_to_judge_xlsx(path, raw, problems)
    return raw


def _read_to_judge_xlsx(path: Path, raw: dict[str, RawSheet], problems: list[Problem]) -> None:
    """``to_judge.xlsx`` beside the CSV files (filled in a workshop) is read when it is newer than ``to_judge.csv``."""
    book, csv_file = path / "to_judge.xlsx", path / "to_judge.csv"
    if not book.exists() or (csv_file.exists() and csv_file.stat().st_mtime_ns >= book.stat().st_mtime_ns):
        return
    tabs = _read_xlsx(book, problems)
    sheet = tabs.get("to_judge") or next(iter(tabs.values()), None)
    if sheet is not None:
        raw["to_judge"] = sheet
        if csv_file.exists():
            problems.append(Problem(csv_file.name, None, None, None, f"the newer {book.name} is read instead of this file", "warning"))


# --------------------------------------------------------------------------- checking

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


def _to_frame(sheet: Sheet, raw: RawSheet | None, problems: list[Problem], missing: dict[str, list[str]]) -> pd.DataFrame:
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


def _check_ids(sheet: Sheet, frame: pd.DataFrame, label: str, problems: list[Problem]) -> None:
    id_cols = [c for c in sheet.columns if c.kind == "id"]
    for col in id_cols:
        filled = frame[frame[col.name] != ""]
        dup = filled[filled.duplicated(col.name, keep="first")]
        for _, row in dup.iterrows():
            first = filled.loc[filled[col.name] == row[col.name], "_row"].iloc[0]
            problems.append(Problem(label, int(row["_row"]), col.name, row[col.name], f"a unique id (already used on row {first})"))


def _check_refs(frames: dict[str, pd.DataFrame], labels: dict[str, str], known: dict[str, set[str]], problems: list[Problem]) -> None:
    for name, frame in frames.items():
        for col in SHEETS[name].columns:
            if col.kind != "ref" or col.ref_sheet is None or col.name not in frame:
                continue
            if col.ref_sheet not in known:
                continue
            ids = known[col.ref_sheet]
            bad = frame[(frame[col.name] != "") & ~frame[col.name].isin(ids)]
            shown = bad.head(MAX_PROBLEMS_PER_COLUMN + 1)
            for _, row in shown.iterrows():
                problems.append(Problem(labels[name], int(row["_row"]), col.name, row[col.name], col.expected))
            if len(bad) > len(shown) and isinstance(problems, CappedProblems):
                problems.count_more(labels[name], col.name, len(bad) - len(shown))


def _check_parent_cycles(accounts: pd.DataFrame, label: str, problems: list[Problem]) -> None:
    parent = {a: p for a, p in zip(accounts["account_id"], accounts["parent_id"], strict=True) if p}
    rows = dict(zip(accounts["account_id"], accounts["_row"], strict=True))
    reported: set[str] = set()
    for start in parent:
        seen = [start]
        node = parent.get(start)
        while node and node not in seen:
            seen.append(node)
            node = parent.get(node)
        if node and node == start and start not in reported:
            reported.update(seen)
            chain = " -> ".join(seen + [start])
            problems.append(Problem(label, int(rows[start]), "parent_id", parent[start], f"a parent that does not lead back to the account itself (cycle {chain})"))


def _lay_judgements(frames: dict[str, pd.DataFrame]) -> None:
    """Lay every filled cell of the to_judge sheet over the accounts sheet (what the room decided wins)."""
    judge = frames.get("to_judge")
    if judge is None or judge.empty:
        return
    acc = frames["accounts"]
    pos = {a: i for i, a in enumerate(acc["account_id"])}
    for col in (c for c in SHEETS["to_judge"].column_names if c in acc.columns and c not in ("account_id", "name")):
        for a, v in zip(judge["account_id"], judge[col], strict=True):
            if a in pos and not (v is None or v == "" or (isinstance(v, float) and v != v)):
                acc.iat[pos[a], acc.columns.get_loc(col)] = v


def _check_value_ranges(value: pd.DataFrame, label: str, problems: list[Problem]) -> None:
    low, mid, high = value["value_low"], value["value_expected"], value["value_high"]
    bad = (low > mid) | (mid > high) | (low > high)
    for _, row in value[bad.fillna(False)].iterrows():
        problems.append(Problem(label, int(row["_row"]), "value_expected", None, "value_low <= value_expected <= value_high"))


def check_workbook(path: Path | str, *, journal: bool = True) -> tuple[Workbook | None, list[Problem]]:
    """Read and check a workbook; return it (``None`` when unreadable) and every problem found.

    Example:
        >>> wb, problems = check_workbook("data/sample")   # doctest: +SKIP
        >>> [p for p in problems if p.level == "error"]     # doctest: +SKIP
        []
    """
    path = Path(path)
    problems: list[Problem] = CappedProblems()
    raw = read_raw(path, problems)
    if not path.exists():
        return None, list(problems)
    where = path.name if path.is_file() else str(path)
    before = len(problems)
    questions, indicators, settings = banks.load_banks(path, problems)
    broken_banks = {p.file.rsplit("/", 1)[-1].removesuffix(".yaml") for p in problems[before:] if p.level == "error"}
    frames: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    missing: dict[str, list[str]] = {}
    read: set[str] = set()
    for name, sheet in SHEETS.items():
        r = raw.get(name)
        label = r.label if r else (f"{name}.csv" if path.is_dir() else f"{where} [{name}]")
        labels[name] = label
        unreadable = any(p.level == "error" and p.file.lower() == f"{name}.csv" for p in problems)
        if r is None:
            if sheet.required and not unreadable:
                problems.append(Problem(label, None, None, None, f"a sheet named {name} ({sheet.description.rstrip('.').lower()}); it is missing from {where}, so references to it are not checked"))
        elif not r.header:
            problems.append(Problem(label, None, None, None, f"a header row naming the columns of {name}; the sheet is empty"))
            r = None
        elif not r.rows and name == "accounts":
            problems.append(Problem(label, None, None, None, "at least one account; the sheet has only its header"))
        elif not r.rows and sheet.required:
            problems.append(Problem(label, None, None, None, f"rows of {name}; the sheet has only its header, so that part of the review stays empty", "warning"))
        if r is not None:
            read.add(name)
        frames[name] = _to_frame(sheet, r, problems, missing)
        _check_ids(sheet, frames[name], label, problems)
    known = {
        "accounts": set(frames["accounts"]["account_id"]),
        "opportunities": set(frames["opportunities"]["opportunity_id"]),
        "stakeholders": set(frames["stakeholders"]["stakeholder_id"]),
        "questions": set(questions["question_id"]),
        "indicators": set(indicators["indicator_id"]),
    }
    # A bank or sheet that could not be read (missing, empty, without its id
    # column) is reported once; references to it are not checked, or every row
    # that uses it would be reported again.
    for bank in broken_banks & {"questions", "indicators"}:
        known.pop(bank)
    for name in ("accounts", "opportunities", "stakeholders"):
        if name not in read or SHEETS[name].columns[0].name in missing.get(name, []):
            known.pop(name)
    if "offerings" in read:  # without an offerings sheet, any offering id is accepted
        known["offerings"] = set(frames["offerings"]["offering_id"])
    _check_refs(frames, labels, known, problems)
    from kamnb.workbook.reporting_lines import check_reporting_lines

    check_reporting_lines(frames["stakeholders"], labels["stakeholders"], problems)
    _check_parent_cycles(frames["accounts"], labels["accounts"], problems)
    _check_value_ranges(frames["value"], labels["value"], problems)
    _lay_judgements(frames)
    if "to_judge" in raw and "accounts" in missing:
        missing["accounts"] = [c for c in missing["accounts"] if not frames["accounts"][c].notna().any() or c not in SHEETS["to_judge"].column_names
                               or (frames["accounts"][c].astype(str) == "").all()]
    for name, sheet in SHEETS.items():
        id_col = next((c.name for c in sheet.columns if c.kind == "id"), None)
        frame = frames[name]
        if id_col:
            frame = frame[frame[id_col] != ""].drop_duplicates(id_col).set_index(id_col, drop=False)
            frame.index.name = None
        frames[name] = frame
    wb = Workbook(path, frames, questions, indicators, settings, problems, missing)
    if journal and journal_path_for(path).exists():
        from kamnb.workbook import journal as journal_module

        journal_module.apply_journal(wb)
    assert isinstance(problems, CappedProblems)
    problems.close()
    return wb, problems


def _signature(path: Path) -> tuple:
    """What the loaded workbook depends on: every input file's name, size and modification time."""
    files: list[Path] = []
    if path.is_file():
        files.append(path)
        folder = path.parent
    else:
        folder = path
        files.extend(path / f"{name}.csv" for name in SHEETS)
    files.extend(folder / name for name in ("questions.yaml", "indicators.yaml", "settings.yaml", "to_judge.xlsx"))
    journal = journal_path_for(path)
    files.extend([journal, journal.with_name(journal.name + "-wal")])
    sig = []
    for f in files:
        try:
            st = f.stat()
        except FileNotFoundError:
            continue
        sig.append((f.name, st.st_size, st.st_mtime_ns))
    return (str(path.resolve()), tuple(sig))


_LOADED: dict[tuple, Workbook] = {}


def _copy(wb: Workbook) -> Workbook:
    return Workbook(
        wb.path,
        {name: frame.copy() for name, frame in wb.sheets.items()},
        wb.questions.copy(),
        wb.indicators.copy(),
        copy.deepcopy(wb.settings),
        list(wb.problems),
        {k: list(v) for k, v in wb.missing_columns.items()},
    )


def load_workbook(path: Path | str, *, journal: bool = True) -> Workbook:
    """Load a workbook for use; raise :class:`WorkbookError` listing every error.

    The workshop journal beside the workbook, when there is one, is laid over
    the sheets so that answers given in a workshop are seen at once. Pass
    ``journal=False`` to see the sheets alone.

    A process that loads the same unchanged workbook again (the batch, which
    runs several notebooks per account in one warm worker) gets a fresh copy of
    the tables it parsed before: any change to a sheet, a bank, the settings or
    the journal (size or modification time) makes it read the files again.

    Example:
        >>> wb = load_workbook("data/sample")  # doctest: +SKIP
        >>> wb.account("ACC-001")["name"]  # doctest: +SKIP
        'Nordlicht Logistics'
    """
    path = Path(path)
    key = (_signature(path), journal)
    cached = _LOADED.get(key)
    if cached is not None:
        return _copy(cached)
    wb, problems = check_workbook(path, journal=journal)
    errors = [p for p in problems if p.level == "error"]
    if wb is None or errors:
        raise WorkbookError(problems)
    _LOADED.clear()  # keep one workbook: memory stays flat however many are loaded in turn
    _LOADED[key] = wb
    return _copy(wb)
