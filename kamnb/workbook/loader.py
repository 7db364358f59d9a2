"""Load a workbook, check every cell against the contract, and hand out typed tables.

The loader reads a folder of CSV files (one per sheet) or one ``.xlsx`` file
(one tab per sheet). It never writes to the user's files. All problems are
collected in one pass; :func:`load_workbook` raises :class:`WorkbookError`
listing them all, :func:`check_workbook` returns them.

Example:
    >>> wb = load_workbook("data/sample")
    >>> wb.accounts.loc["ACC-001", "name"]
    'Nordlicht Logistics'
"""
from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

from kamnb.common.memo import copy_table
from kamnb.errors import Problem, WorkbookError
from kamnb.workbook import banks
from kamnb.workbook.book import JOURNAL_NAME, RawSheet, Workbook, journal_path_for
from kamnb.workbook.checks import check_ids, check_parent_cycles, check_refs, check_value_ranges, lay_judgements
from kamnb.workbook.frames import MAX_PROBLEMS_PER_COLUMN, CappedProblems, to_frame
from kamnb.workbook.reading import read_raw
from kamnb.workbook.schema import SHEETS

__all__ = ["JOURNAL_NAME", "MAX_PROBLEMS_PER_COLUMN", "RawSheet", "Workbook", "check_workbook", "journal_path_for", "load_workbook"]


def _sheet_frames(path: Path, raw: dict[str, RawSheet], problems: list[Problem]) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, list[str]], set[str]]:
    """Every sheet of the contract as a typed frame, with its label, its missing columns and whether it was read.

    A missing, empty or header-only sheet is reported here; its frame is empty.
    """
    where = path.name if path.is_file() else str(path)
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
        frames[name] = to_frame(sheet, r, problems, missing)
        check_ids(sheet, frames[name], label, problems)
    return frames, labels, missing, read


def _known_ids(frames: dict[str, pd.DataFrame], questions: pd.DataFrame, indicators: pd.DataFrame, broken_banks: set[str],
               missing: dict[str, list[str]], read: set[str]) -> dict[str, set[str]]:
    """The ids references may point to, per sheet or bank; a sheet or bank that could not be read is left out.

    A bank or sheet that could not be read (missing, empty, without its id
    column) is reported once; references to it are not checked, or every row
    that uses it would be reported again.
    """
    known = {
        "accounts": set(frames["accounts"]["account_id"]),
        "opportunities": set(frames["opportunities"]["opportunity_id"]),
        "stakeholders": set(frames["stakeholders"]["stakeholder_id"]),
        "questions": set(questions["question_id"]),
        "indicators": set(indicators["indicator_id"]),
    }
    for bank in broken_banks & {"questions", "indicators"}:
        known.pop(bank)
    for name in ("accounts", "opportunities", "stakeholders"):
        if name not in read or SHEETS[name].columns[0].name in missing.get(name, []):
            known.pop(name)
    if "offerings" in read:  # without an offerings sheet, any offering id is accepted
        known["offerings"] = set(frames["offerings"]["offering_id"])
    return known


def _indexed_by_id(frames: dict[str, pd.DataFrame]) -> None:
    """Index each sheet with an id column by it, dropping rows without an id and later duplicates."""
    for name, sheet in SHEETS.items():
        id_col = next((c.name for c in sheet.columns if c.kind == "id"), None)
        frame = frames[name]
        if id_col:
            frame = frame[frame[id_col] != ""].drop_duplicates(id_col).set_index(id_col, drop=False)
            frame.index.name = None
        frames[name] = frame


def check_workbook(path: Path | str, *, journal: bool = True) -> tuple[Workbook | None, list[Problem]]:
    """Read and check a workbook; return it (``None`` when unreadable) and every problem found.

    The stages: read the sheets as text, load the banks and settings, type each
    sheet, check references and ranges, lay the room's judgements over the
    accounts, index by id, and lay the workshop journal over the whole.

    Example:
        >>> wb, problems = check_workbook("data/sample")
        >>> [p for p in problems if p.level == "error"]
        []
    """
    path = Path(path)
    problems: list[Problem] = CappedProblems()
    raw = read_raw(path, problems)
    if not path.exists():
        return None, list(problems)
    before = len(problems)
    questions, indicators, settings = banks.load_banks(path, problems)
    broken_banks = {p.file.rsplit("/", 1)[-1].removesuffix(".yaml") for p in problems[before:] if p.level == "error"}
    frames, labels, missing, read = _sheet_frames(path, raw, problems)
    check_refs(frames, labels, _known_ids(frames, questions, indicators, broken_banks, missing, read), problems)
    from kamnb.workbook.reporting_lines import check_reporting_lines

    check_reporting_lines(frames["stakeholders"], labels["stakeholders"], problems)
    check_parent_cycles(frames["accounts"], labels["accounts"], problems)
    check_value_ranges(frames["value"], labels["value"], problems)
    lay_judgements(frames)
    if "to_judge" in raw and "accounts" in missing:
        missing["accounts"] = [c for c in missing["accounts"] if not frames["accounts"][c].notna().any() or c not in SHEETS["to_judge"].column_names
                               or (frames["accounts"][c].astype(str) == "").all()]
    _indexed_by_id(frames)
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
    """A copy of a loaded workbook its user may change freely (tables share their values until changed: :func:`~kamnb.common.memo.copy_table`)."""
    return Workbook(
        wb.path,
        {name: copy_table(frame) for name, frame in wb.sheets.items()},
        copy_table(wb.questions),
        copy_table(wb.indicators),
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
        >>> wb = load_workbook("data/sample")
        >>> wb.account("ACC-001")["name"]
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
