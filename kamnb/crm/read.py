"""Reading a CRM export: files found by the mapping, numbers, dates and labels cleaned, every change logged.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kamnb.crm.mapping import NEEDED, Mapping
from kamnb.errors import CrmImportError
from kamnb.workbook.parsing import parse_date, parse_number


def slug(name: str) -> str:
    """A stable id from an account name: lower case, letters and digits joined by '-'.

    Names with no Latin letters or digits get a short hash so the id stays stable.

    >>> slug("  Acme Corporation ")
    'acme-corporation'
    >>> slug("Ölwerke Süd GmbH")
    'olwerke-sud-gmbh'
    >>> slug("東京")
    'account-681ee3'
    """
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return s or "account-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]


def name_key(text: str) -> str:
    """How names are compared: case and spacing forgiven (``GTXPro`` matches ``GTX Pro``).

    >>> name_key(" GTX  pro") == name_key("GTXPro")
    True
    """
    return re.sub(r"\s+", "", text).casefold()


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _factor(series: pd.Series) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Codes, unique values and their row counts: clean the few uniques, not the many rows."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), sort=False)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return codes, [str(u) for u in uniques], counts


def _take(codes: np.ndarray, values: Sequence[object], dtype: Any = object) -> np.ndarray:
    arr = np.asarray(list(values) + [None if dtype is object else np.nan], dtype=dtype)
    return arr[np.where(codes >= 0, codes, len(values))]


def _parse_numbers(series: pd.Series, decimal: str) -> tuple[np.ndarray, list[str]]:
    """Floats (NaN when empty or unreadable) and the unreadable texts; parsed once per distinct value."""
    codes, uniques, _ = _factor(series)
    values, bad = [], []
    for u in uniques:
        s = u.strip()
        v: float | None = None
        if s:
            if decimal == ",":
                s2 = s.replace(" ", "").replace("\u00a0", "").replace(".", "").replace(",", ".")
                try:
                    v = float(s2)
                except ValueError:
                    v = None
            else:
                try:
                    v = float(s)
                except ValueError:
                    v = None
            if v is None or v != v:
                v, _reason = parse_number(s)
            if v is None:
                bad.append(u)
        values.append(np.nan if v is None else v)
    return _take(codes, values, float), bad


def _parse_dates(series: pd.Series, fmt: str | None) -> tuple[np.ndarray, list[str]]:
    """datetime64 values (NaT when empty or unreadable) and the unreadable texts, once per distinct value."""
    codes, uniques, _ = _factor(series)
    values, bad = [], []
    for u in uniques:
        s = u.strip()
        d: dt.date | None = None
        if s:
            if fmt:
                try:
                    d = dt.datetime.strptime(s, fmt).date()
                except ValueError:
                    d = None
            if d is None:
                d, _reason = parse_date(s)
            if d is None:
                bad.append(u)
        values.append(np.datetime64("NaT") if d is None else np.datetime64(d, "ns"))
    out = np.asarray(values + [np.datetime64("NaT")], dtype="datetime64[ns]")
    return out[np.where(codes >= 0, codes, len(values))], bad


class _Log:
    """Collects fixes and set-aside rows as they happen."""

    def __init__(self) -> None:
        self.fixes: list[dict[str, object]] = []
        self.aside: list[pd.DataFrame] = []
        self.notes: list[str] = []

    def fix(self, file: str, column: str, before: str, after: str, rows: int, what: str) -> None:
        self.fixes.append({"file": file, "column": column, "before": before, "after": after, "rows": int(rows), "fix": what})

    def set_aside(self, file: str, rows: pd.Series, ids: pd.Series, reasons: pd.Series) -> None:
        if len(rows):
            self.aside.append(pd.DataFrame({"file": file, "row": rows.to_numpy(), "id": ids.to_numpy(), "reason": reasons.to_numpy()}))


def _clean_labels(series: pd.Series, file: str, column: str, log: _Log, spelling: dict[str, str] | None = None,
                  canonical: dict[str, str] | None = None) -> pd.Series:
    """Tidy spaces, apply spelling fixes, unify case/spacing variants; log every change with its row count.

    ``canonical`` maps :func:`name_key` to the spelling that must win (a catalogue);
    otherwise the most frequent spelling of each variant group wins.
    """
    codes, uniques, counts = _factor(series)
    fixes = {name_key(k): v for k, v in (spelling or {}).items()}
    step: list[str] = []
    why: list[str] = []
    for u in uniques:
        t = _tidy(u)
        if name_key(t) in fixes and fixes[name_key(t)] != t:
            step.append(fixes[name_key(t)])
            why.append("spelling fix from the mapping")
        else:
            step.append(t)
            why.append("spaces tidied" if t != u else "")
    winner: dict[str, str] = dict(canonical or {})
    tally: dict[str, dict[str, int]] = {}
    for s, c in zip(step, counts, strict=True):
        if s:
            tally.setdefault(name_key(s), {}).setdefault(s, 0)
            tally[name_key(s)][s] += int(c)
    for key, spellings in tally.items():
        if key not in winner:
            winner[key] = sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    final = []
    for u, s, w, c in zip(uniques, step, why, counts, strict=True):
        f = winner.get(name_key(s), s) if s else s
        if f != s:
            w = "matched to the products file" if canonical and name_key(s) in canonical else "same word, other case or spacing"
        if f != u:
            log.fix(file, column, u, f, int(c), w)
        final.append(f)
    return pd.Series(_take(codes, final), index=series.index, dtype=object)


def _header(path: Path, mapping: Mapping) -> tuple[list[str], str]:
    for enc in ("utf-8-sig" if mapping.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else mapping.encoding, "cp1252"):
        try:
            with open(path, encoding=enc, newline="") as fh:
                first = fh.readline()
                fh.read(1 << 20)  # a wrong encoding usually shows within the first megabyte
            return [h.strip() for h in next(csv.reader([first], delimiter=mapping.separator), [])], enc
        except UnicodeDecodeError:
            continue
    raise CrmImportError(f"{path.name}: expected text in {mapping.encoding} or Windows-1252")


def read_file(export: Path, file: str, mapping: Mapping, log: _Log) -> tuple[pd.DataFrame | None, str]:
    """One export file as text columns named by kamnb's words, plus ``_row`` (the row a spreadsheet shows).

    Example:
        >>> from kamnb.crm.mapping import load_mapping
        >>> frame, note = read_file(Path("data/crm-example"), "accounts", load_mapping(), _Log())
        >>> "_row" in frame.columns
        True
    """
    name = mapping.files.get(file)
    if not name:
        return None, ""
    path = export / name
    if not path.resolve().is_relative_to(export.resolve()):
        raise CrmImportError(f"mapping key files.{file}: found {name!r}, expected the name of a file inside the export folder {export}")
    if not path.is_file():
        if file in ("accounts", "opportunities"):
            raise CrmImportError(f"{export}: no file {name} (mapping key files.{file}); the folder holds: "
                                 + ", ".join(sorted(p.name for p in export.iterdir())[:20]))
        log.notes.append(f"No {file} file {name} in the export: the figures that need it stay empty.")
        return None, name
    header, enc = _header(path, mapping)
    if enc == "cp1252" and not mapping.encoding.lower().startswith("cp"):
        log.notes.append(f"{name} is not UTF-8; it was read as Windows-1252.")
    present: dict[str, str] = {}
    for fld, col in mapping.columns.get(file, {}).items():
        if not col:
            continue
        if col in header:
            present[fld] = col
        elif fld in NEEDED[file]:
            hint = ""
            if len(header) == 1:
                other = next((c for c in (";", ",", "\t", "|") if c in header[0] and c != mapping.separator), None)
                hint = f" (the header holds {other!r}: set separator: {other!r} in the mapping)" if other else ""
            raise CrmImportError(f"{name}: no column {col!r} (mapping key columns.{file}.{fld}); the file's columns are: {', '.join(header)}{hint}")
        else:
            log.notes.append(f"{name} has no column {col!r} (mapping key columns.{file}.{fld}): that figure stays empty.")
    wanted = set(present.values())
    options: dict[str, Any] = {"sep": mapping.separator, "dtype": object, "keep_default_na": False, "na_filter": False,
               "usecols": lambda c: c.strip() in wanted, "skip_blank_lines": False, "engine": "c"}
    try:
        raw = pd.read_csv(path, encoding=enc, **options)
    except UnicodeDecodeError:
        log.notes.append(f"{name} is not UTF-8 throughout; it was read as Windows-1252.")
        raw = pd.read_csv(path, encoding="cp1252", **options)
    except pd.errors.ParserError as err:
        raise CrmImportError(f"{name}: expected a CSV file separated by {mapping.separator!r} ({err})") from None
    raw.columns = [c.strip() for c in raw.columns]
    frame = pd.DataFrame({fld: raw[col] for fld, col in present.items()}, index=raw.index)
    frame["_row"] = np.arange(2, len(raw) + 2)
    if len(frame.columns) > 1:
        empty = np.ones(len(frame), dtype=bool)
        for fld in present:
            empty &= (frame[fld].to_numpy(dtype=object) == "")
        frame = frame[~empty]
    return frame.reset_index(drop=True), name

