"""Writing CSV and xlsx cells so that no spreadsheet evaluates a workbook's text.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) is a formula to Excel, LibreOffice and Google Sheets:
``=HYPERLINK("https://…")`` typed as a stakeholder's title would become a live
link, ``=WEBSERVICE(…)`` a request. Every CSV and xlsx file kamnb writes
(portfolio, export, CRM import) goes through this module:

* **xlsx**: a text is stored as a text cell (type ``s``), never as a formula;
  numbers and dates stay numbers and dates; characters an xlsx file cannot
  hold (control characters) are left out.
* **CSV**: a text that would be read as a formula gets a leading apostrophe,
  ``'=1+1``, the rule spreadsheets themselves use to mark typed text; a
  number, including a negative one (``-5``, ``-1.5e3``), is written as it is.
  kamnb's loader drops that apostrophe again (:func:`unquote`), so a CSV
  written by kamnb reads back exactly.

Example:
    >>> csv_value("=1+1"), csv_value("-12.5"), csv_value(-3), csv_value("Ann")
    ("'=1+1", '-12.5', -3, 'Ann')
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a cell that a spreadsheet would evaluate begins with."""

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_formula(text: str) -> bool:
    """True when a spreadsheet would evaluate this text (a plain number is not counted).

    Example:
        >>> is_formula("@SUM(A1)"), is_formula("-2 days"), is_formula("-2"), is_formula("Ann")
        (True, True, False, False)
    """
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)


def csv_value(value: Any) -> Any:
    """One value as a CSV cell: a formula-looking text gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


def unquote(text: str) -> str:
    """A cell text as read back: the apostrophe :func:`csv_value` put before a formula-looking text is dropped.

    Example:
        >>> unquote("'=1+1"), unquote("'tis"), unquote("=1+1")
        ('=1+1', "'tis", '=1+1')
    """
    if text.startswith("'") and is_formula(text[1:]):
        return text[1:]
    return text


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, lineterminator: str = "\n") -> str:
    """A whole CSV file (no BOM) with every cell through :func:`csv_value`; ``None`` is an empty cell.

    Example:
        >>> print(csv_text(["name", "value"], [["=2+5", 5], ["-2", None]]), end="")
        name,value
        '=2+5,5
        -2,
    """
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=lineterminator)
    writer.writerow([csv_value(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else csv_value(v) for v in row])
    return buf.getvalue()


def csv_frame(frame: Any) -> Any:
    """A copy of a DataFrame whose text cells went through :func:`csv_value` (for ``DataFrame.to_csv``).

    Example:
        >>> import pandas as pd
        >>> csv_frame(pd.DataFrame({"a": ["=1", "x"], "n": [-1, 2]}))["a"].tolist()
        ["'=1", 'x']
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind not in "biufcmM":  # object and string columns
            out[col] = out[col].map(csv_value)
    out.columns = [csv_value(c) for c in out.columns]
    return out


def xlsx_text(text: str) -> str:
    """A text as an xlsx file can hold it: control characters other than tab and line break left out."""
    return _CONTROL.sub("", text)


def put_cell(sheet: Any, row: int, col: int, value: Any, number_format: str = "General") -> Any:
    """Write one xlsx cell: text always as text (never a formula), numbers and dates as they are.

    Example:
        >>> from openpyxl import Workbook
        >>> ws = Workbook().active
        >>> put_cell(ws, 1, 1, "=1+1").data_type, put_cell(ws, 1, 2, 0.25, "0%").number_format
        ('s', '0%')
        >>> put_cell(ws, 1, 3, dt.date(2026, 3, 31)).is_date
        True
    """
    cell = sheet.cell(row=row, column=col)
    if value is None:
        cell.number_format = number_format  # a figure typed in later looks like its neighbours
        return cell
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"  # openpyxl would make text that begins with "=" a formula
    else:
        cell.value = value
        if number_format == "General" and isinstance(value, (dt.date, dt.datetime)):
            number_format = "yyyy-mm-dd"  # a date shows and reads back as a date
        cell.number_format = number_format
    return cell


def put_row(sheet: Any, row: int, values: Sequence[Any]) -> None:
    """Write one row of an xlsx sheet (``row`` counts from 1), every cell through :func:`put_cell`."""
    for col, value in enumerate(values, start=1):
        put_cell(sheet, row, col, value)
