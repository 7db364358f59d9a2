"""Read a workbook's sheets from disk as text: CSV files (any case, UTF-8 or Windows-1252) or one ``.xlsx``.

Nothing here interprets a cell; every file that cannot be read is a problem
naming the file, and the limits (file size, rows, cell length) are Excel's own.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import stat
from pathlib import Path
from typing import Any

from kamnb.errors import Problem
from kamnb.workbook.book import RawSheet
from kamnb.workbook.schema import SHEETS

csv.field_size_limit(1 << 30)  # cells are measured against MAX_CELL_CHARS after reading, with their row and column


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
        >>> sorted(read_raw(Path("data/sample"), []))[:3]
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
