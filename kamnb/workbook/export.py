"""Write a workbook's current state (sheets + workshop journal) back out as sheets.

For people who live in Excel: ``kamnb export WORKBOOK`` writes the sheets with
every workshop answer laid over them, as CSV files (or one ``.xlsx`` with
``--xlsx``), into a new folder. The originals are never touched unless
``--in-place`` is given; then they are first copied to a dated backup folder,
and the journal moves into that backup too (its changes now live in the
sheets, so replaying it again would apply them twice).

Example:
    $ kamnb export data/sample --out /tmp/sample-now --xlsx
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pandas as pd

from kamnb.common import spreadsheet
from kamnb.common.files import publish_file, publish_folder
from kamnb.errors import KamnbError
from kamnb.workbook.book import Workbook, journal_path_for
from kamnb.workbook.journal import to_text
from kamnb.workbook.loader import load_workbook
from kamnb.workbook.schema import SHEETS

BANK_FILES = ("settings.yaml", "questions.yaml", "indicators.yaml")


class ExportError(KamnbError):
    """The export cannot be written where it was asked to go.

    Example:
        >>> issubclass(ExportError, KamnbError)
        True
    """


def sheet_rows(wb: Workbook, name: str) -> tuple[list[str], list[list[str]]] | None:
    """Header and text rows of one sheet as a person would type them; None when there is nothing to write.

    Columns the user's file had come first in contract order, then any extra
    columns it carried; a contract column the file lacked is added only when the
    workshop filled it in.

    Example:
        >>> header, rows = sheet_rows(wb, "accounts")
        >>> header[:3]
        ['account_id', 'name', 'industry']
    """
    frame = wb.sheets[name]
    spec = SHEETS[name]
    missing = set(wb.missing_columns.get(name, []))
    if len(missing) == len(spec.columns) and frame.empty:
        return None
    header = []
    for col in spec.columns:
        if col.name not in missing or (col.name in frame and frame[col.name].map(to_text).ne("").any()):
            header.append(col.name)
    header += [c for c in frame.columns if c not in spec.column_names and c != "_row"]
    ordered = frame.sort_values("_row", kind="stable") if "_row" in frame.columns else frame
    rows = [[to_text(v) for v in rec] for rec in ordered[header].itertuples(index=False, name=None)]
    return header, rows


def csv_texts(wb: Workbook) -> dict[str, str]:
    """Each sheet as CSV text (UTF-8 with a BOM when written, so Excel opens it right), by file name.

    Example:
        >>> list(csv_texts(load_workbook("data/sample")))[:3]
        ['accounts.csv', 'stakeholders.csv', 'opportunities.csv']
    """
    out: dict[str, str] = {}
    for name in SHEETS:
        table = sheet_rows(wb, name)
        if table is None:
            continue
        header, rows = table
        out[f"{name}.csv"] = "\ufeff" + spreadsheet.csv_text(header, rows, lineterminator="\r\n")
    return out


def write_csv_folder(wb: Workbook, folder: Path, extra: dict[str, Path] | None = None) -> list[Path]:
    """Write one CSV per sheet (and ``extra`` files copied as they are) into ``folder``, whole or not at all.

    Everything is written beside ``folder`` first and renamed into place when
    complete (:func:`kamnb.common.files.publish_folder`): a full disk leaves
    no truncated sheet that would pass for a complete workbook.

    Example:
        >>> [p.name for p in write_csv_folder(wb, tmp / "out")][:3]
        ['accounts.csv', 'stakeholders.csv', 'opportunities.csv']
    """
    texts = csv_texts(wb)
    files: dict[str, str | bytes | Path] = {**texts, **(extra or {})}
    publish_folder(files, folder)
    return [folder / name for name in texts]


def write_xlsx(wb: Workbook, path: Path) -> Path:
    """Write every sheet as a tab of one .xlsx file (whole or not at all); numbers and dates as Excel numbers and dates.

    Example:
        >>> write_xlsx(wb, tmp / "sample.xlsx").name
        'sample.xlsx'
    """
    from openpyxl import Workbook as XlBook

    book = XlBook()
    book.remove(book.active)
    for name in SHEETS:
        table = sheet_rows(wb, name)
        if table is None:
            continue
        header, _ = table
        ws = book.create_sheet(name)
        spreadsheet.put_row(ws, 1, header)
        frame = wb.sheets[name]
        frame = frame.sort_values("_row", kind="stable") if "_row" in frame.columns else frame
        kinds = {c.name: c.kind for c in SHEETS[name].columns}
        for n, rec in enumerate(frame[header].itertuples(index=False, name=None), start=2):
            out: list[Any] = []
            for col, value in zip(header, rec, strict=True):
                kind = kinds.get(col, "text")
                if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
                    out.append(None)
                elif kind == "date":
                    out.append(pd.Timestamp(value).date())
                elif kind in ("number", "integer", "score", "percent"):
                    out.append(float(value))
                else:
                    out.append(str(value) if value != "" else None)
            spreadsheet.put_row(ws, n, out)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return publish_file(buf.getvalue(), path)


def default_out(workbook: Path, xlsx: bool) -> Path:
    """Beside the workbook, named after it and the time: never the original.

    Example:
        >>> default_out(Path("data/sample"), xlsx=False).name.startswith("sample-export-")
        True
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = workbook.with_suffix("") if workbook.is_file() else workbook
    out = base.parent / f"{base.name}-export-{stamp}"
    return out.with_suffix(".xlsx") if xlsx else out


def export(workbook: Path | str, out: Path | str | None = None, *, xlsx: bool = False, in_place: bool = False) -> tuple[Path, Path | None]:
    """Export ``workbook`` with its journal applied. Returns (where it was written, the backup or None).

    Example:
        >>> export("data/sample", tmp / "sample-export")[0].name
        'sample-export'
    """
    workbook = Path(workbook)
    wb = load_workbook(workbook)
    if in_place:
        return _in_place(wb, workbook)
    target = Path(out) if out is not None else default_out(workbook, xlsx)
    if target.resolve() == workbook.resolve() or (xlsx and target.suffix.lower() != ".xlsx" and (target / f"{workbook.stem}.xlsx").resolve() == workbook.resolve()):
        raise ExportError(f"{target} is the workbook itself; use --in-place to overwrite the originals (a backup is made first)")
    if xlsx:
        path = target if target.suffix.lower() == ".xlsx" else target / f"{workbook.stem if workbook.is_file() else workbook.name}.xlsx"
        write_xlsx(wb, path)
        return path, None
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file; choose a new or empty folder")
    if target.exists() and any(target.iterdir()):
        raise ExportError(f"{target} already holds files; choose a new or empty folder")
    source = workbook if workbook.is_dir() else workbook.parent
    banks = {name: source / name for name in BANK_FILES if (source / name).is_file()}
    write_csv_folder(wb, target, banks)
    return target, None


def _in_place(wb: Workbook, workbook: Path) -> tuple[Path, Path]:
    """Overwrite the originals: a complete backup first, then the new sheets, then the journal retired.

    Each stage is whole or not at all: the backup folder appears complete or
    not at all; the new sheets are all written beside the workbook before the
    first one replaces an original; the journal moves into the backup only
    once the sheets hold its changes. A failure at any stage leaves the
    originals and the journal as they were.
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    journal = journal_path_for(workbook)
    sides = [journal.with_name(journal.name + suffix) for suffix in ("", "-wal", "-shm")]
    sides = [side for side in sides if side.exists()]
    if workbook.is_dir():
        backup = workbook / f"backup-{stamp}"
        originals: dict[str, str | bytes | Path] = {f"{name}.csv": workbook / f"{name}.csv" for name in SHEETS if (workbook / f"{name}.csv").exists()}
        originals.update({side.name: side for side in sides})
        publish_folder(originals, backup)
        write_csv_folder(wb, workbook)
        for side in sides:
            side.unlink()
        return workbook, backup
    backup = workbook.with_name(f"{workbook.stem}.backup-{stamp}{workbook.suffix}")
    journal_backup = {side: backup.with_name(backup.stem + ".journal.sqlite" + side.name.removeprefix(journal.name)) for side in sides}
    publish_file(workbook.read_bytes(), backup)
    for side, copy in journal_backup.items():
        publish_file(side.read_bytes(), copy)
    write_xlsx(wb, workbook)
    for side in sides:
        side.unlink()
    return workbook, backup


