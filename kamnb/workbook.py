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
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kamnb import banks
from kamnb.errors import AccountNotFound, Problem, WorkbookError
from kamnb.parsing import parse_cell
from kamnb.schema import SHEETS, Column, Sheet

JOURNAL_NAME = "journal.sqlite"


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


def _decode(path: Path, problems: list[Problem]) -> str | None:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            problems.append(
                Problem(path.name, None, None, None, f"a UTF-8 or Windows-1252 text file; byte {err.start} cannot be read in either")
            )
            return None
        problems.append(
            Problem(path.name, None, None, None, "UTF-8 text; read as Windows-1252 instead (save as 'CSV UTF-8' to silence this)", "warning")
        )
        return text


def _read_csv(path: Path, problems: list[Problem]) -> RawSheet | None:
    text = _decode(path, problems)
    if text is None:
        return None
    sample = text[:4096]
    delimiter = ","
    if sample.count(";") > sample.count(",") and "\n" in sample:
        first = sample.splitlines()[0]
        if first.count(";") > first.count(","):
            delimiter = ";"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    rows = [r for r in rows if any(cell.strip() for cell in r)] if rows else []
    if not rows:
        return RawSheet(path.name, [], [])
    header = [h.strip() for h in rows[0]]
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

    try:
        book = open_xlsx(path, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        problems.append(Problem(path.name, None, None, None, f"an .xlsx workbook Excel can open ({err})"))
        return {}
    sheets: dict[str, RawSheet] = {}
    for ws in book.worksheets:
        rows = []
        for row in ws.iter_rows():
            rows.append([_cell_text(c.value, getattr(c, "number_format", "")) for c in row])
        rows = [r for r in rows if any(v.strip() for v in r)]
        label = f"{path.name} [{ws.title}]"
        if not rows:
            sheets[ws.title.strip().lower()] = RawSheet(label, [], [])
            continue
        header = [h.strip() for h in rows[0]]
        while header and not header[-1]:
            header.pop()
        sheets[ws.title.strip().lower()] = RawSheet(label, header, [r[: len(header)] + [""] * (len(header) - len(r)) for r in rows[1:]])
    book.close()
    return sheets


def read_raw(path: Path, problems: list[Problem]) -> dict[str, RawSheet]:
    """Read every sheet of a workbook as text, without interpreting any cell.

    Example:
        >>> sorted(read_raw(Path("data/sample"), []))[:3]  # doctest: +SKIP
        ['accounts', 'actions', 'history']
    """
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, problems)
    if not path.is_dir():
        problems.append(Problem(str(path), None, None, None, "a workbook folder of CSV files or an .xlsx file"))
        return {}
    raw: dict[str, RawSheet] = {}
    for name in SHEETS:
        file = path / f"{name}.csv"
        if file.exists():
            sheet = _read_csv(file, problems)
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


def _typed_column(raw: RawSheet, col: Column, idx: int | None, problems: list[Problem]) -> list[Any]:
    out: list[Any] = []
    for n, row in enumerate(raw.rows):
        excel_row = n + 2
        text = row[idx].strip() if idx is not None and idx < len(row) else ""
        if not text:
            if col.required:
                problems.append(Problem(raw.label, excel_row, col.name, "", f"{col.expected} (this column must be filled)"))
            out.append(None)
            continue
        value, reason = parse_cell(col, text)
        if reason is not None:
            problems.append(Problem(raw.label, excel_row, col.name, text, reason))
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
            for _, row in bad.iterrows():
                problems.append(Problem(labels[name], int(row["_row"]), col.name, row[col.name], col.expected))


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
    problems: list[Problem] = []
    raw = read_raw(path, problems)
    if not path.exists():
        return None, problems
    where = path.name if path.is_file() else str(path)
    before = len(problems)
    questions, indicators, settings = banks.load_banks(path, problems)
    broken_banks = {p.file.rsplit("/", 1)[-1].removesuffix(".yaml") for p in problems[before:] if p.level == "error"}
    frames: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    missing: dict[str, list[str]] = {}
    for name, sheet in SHEETS.items():
        r = raw.get(name)
        label = r.label if r else (f"{name}.csv" if path.is_dir() else f"{where} [{name}]")
        labels[name] = label
        if r is None:
            if sheet.required:
                problems.append(Problem(label, None, None, None, f"a sheet named {name} ({sheet.description.rstrip('.').lower()}); it is missing from {where}"))
        elif not r.header:
            problems.append(Problem(label, None, None, None, f"a header row naming the columns of {name}; the sheet is empty"))
            r = None
        elif not r.rows and name == "accounts":
            problems.append(Problem(label, None, None, None, "at least one account; the sheet has only its header"))
        elif not r.rows and sheet.required:
            problems.append(Problem(label, None, None, None, f"rows of {name}; the sheet has only its header, so that part of the review stays empty", "warning"))
        frames[name] = _to_frame(sheet, r, problems, missing)
        _check_ids(sheet, frames[name], label, problems)
    known = {
        "accounts": set(frames["accounts"]["account_id"]),
        "opportunities": set(frames["opportunities"]["opportunity_id"]),
        "stakeholders": set(frames["stakeholders"]["stakeholder_id"]),
        "questions": set(questions["question_id"]),
        "indicators": set(indicators["indicator_id"]),
    }
    # A bank that could not be read is reported once; its references are not
    # checked, or every row that uses it would be reported again.
    for bank in broken_banks & {"questions", "indicators"}:
        known.pop(bank)
    if "offerings" in raw:  # without an offerings sheet, any offering id is accepted
        known["offerings"] = set(frames["offerings"]["offering_id"])
    _check_refs(frames, labels, known, problems)
    from kamnb.orgchart import check_reporting_lines

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
        from kamnb import journal as journal_module

        journal_module.apply_journal(wb)
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
