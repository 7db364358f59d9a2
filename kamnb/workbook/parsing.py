"""Turn the text a person typed into a cell into typed values, or say why not.

Each parser takes the raw cell text and returns ``(value, None)`` or
``(None, reason)``. Empty cells are handled by the caller.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from kamnb.common.characters import hidden_character
from kamnb.common.spreadsheet import unquote

if TYPE_CHECKING:
    from kamnb.workbook.schema import Column

MAX_MAGNITUDE = 1e15
"""Numbers must stay below this in size: any real amount does, and sums of them stay exact and finite."""

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"^[€$£¥]|[€$£¥]$|^(EUR|USD|GBP|CHF)\s*|\s*(EUR|USD|GBP|CHF)$", re.I)
_US_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_EU_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")



def looks_like_formula(text: str) -> bool:
    """True for a cell such as ``=HYPERLINK(...)``: kept as text, never evaluated.

    >>> looks_like_formula("=HYPERLINK(\\"x\\")")
    True
    """
    return text.startswith(("=", "+=", "@"))


def parse_number(text: str) -> tuple[float | None, str | None]:
    """Parse a number as Excel or a person writes it.

    Thousands separators (``1,250,000``, ``1.250.000``, ``1 250 000``), a decimal
    comma (``12,5``), a currency sign and a trailing ``%`` are understood.

    >>> parse_number("1,250,000.50")
    (1250000.5, None)
    >>> parse_number("1.250.000")
    (1250000.0, None)
    >>> parse_number("12,5")
    (12.5, None)
    >>> parse_number("lots")[1]
    'not a number'
    """
    if looks_like_formula(text):
        return None, "a formula (formulas are not evaluated)"
    s = _CURRENCY.sub("", text.strip())
    s = _SPACES.sub("", s).rstrip("%")
    if not s:
        return None, "not a number"
    if _US_THOUSANDS.match(s):
        s = s.replace(",", "")
    elif _EU_THOUSANDS.match(s):
        s = s.replace(".", "").replace(",", ".")
    elif "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return None, "not a number"
    if value != value or value in (float("inf"), float("-inf")):
        return None, "not a number"
    return value, None


FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
"""Dates a workbook may hold; a column with ``open_end`` reads a later date as "no date"."""

_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d")


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    """Parse a date: ISO ``2026-03-31`` or day-first ``31/03/2026`` / ``31.03.2026``.

    >>> parse_date("31.03.2026")
    (datetime.date(2026, 3, 31), None)
    >>> parse_date("2026-02-30")[1]
    'not a date'
    """
    s = text.strip()
    if len(s) == 10 and s[4] == s[7] == "-" and s[:4].isdigit():  # ISO, the common case: ten times faster than strptime
        try:
            return dt.date.fromisoformat(s), None
        except ValueError:
            return None, "not a date"
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date(), None
        except ValueError:
            continue
    return None, "not a date"


_ALIASES = {
    "y": "yes",
    "ja": "yes",
    "true": "yes",
    "n": "no",
    "nein": "no",
    "false": "no",
    "partial": "partly",
    "partially": "partly",
    "part": "partly",
    "somewhat": "partly",
    "?": "unknown",
    "dont_know": "unknown",
    "don't_know": "unknown",
    "do_not_know": "unknown",
    "not_known": "unknown",
    "t&m": "time_material",
    "time_and_material": "time_material",
    "time_&_material": "time_material",
    "in_progress": "in_progress",
    "in progress": "in_progress",
    "consult_&_advise": "consult_advise",
    "care_&_cultivate": "care_cultivate",
    "sell_&_service": "sell_service",
}


def normalise_choice(text: str, choices: tuple[str, ...]) -> tuple[str | None, str | None]:
    """Match a typed word to one of ``choices``, forgiving case, spaces and common variants.

    >>> normalise_choice("  Yes ", ("yes", "no"))
    ('yes', None)
    >>> normalise_choice("Economic Buyer", ("economic_buyer",))
    ('economic_buyer', None)
    >>> normalise_choice("maybe", ("yes", "no"))[1]
    'not one of the allowed words'
    """
    key = re.sub(r"[\s\-]+", "_", text.strip().lower())
    key = _ALIASES.get(key, key)
    if key in choices:
        return key, None
    return None, "not one of the allowed words"


def parse_cell(col: Column, text: str | None) -> tuple[Any, str | None]:
    """Check one typed value against its column, as the workbook loader does.

    Returns ``(value, None)`` (``None`` for an empty optional cell) or
    ``(None, message)`` where the message says what was expected.

    >>> from kamnb.workbook.schema import SHEETS
    >>> parse_cell(SHEETS["relationship"].column("score"), "4")
    (4.0, None)
    >>> parse_cell(SHEETS["relationship"].column("score"), "7")[1]
    'a score from 1 to 5 (out of range)'
    >>> parse_cell(SHEETS["stakeholders"].column("title"), "'=HYPERLINK(1)")
    ('=HYPERLINK(1)', None)
    >>> parse_cell(SHEETS["stakeholders"].column("title"), "Head\x0bof IT")[1]
    'text without control characters or direction overrides (found U+000B LINE TABULATION at character 5)'
    >>> parse_cell(SHEETS["actions"].column("due"), "31.02.2026")[1]
    'a date such as 2026-03-31 (9999-12-31 for none) (not a date)'
    """
    text = (text or "").strip()
    if not text:
        if col.required:
            return None, f"{col.expected} (this must be filled)"
        return None, None
    hidden = hidden_character(text)
    if hidden is not None:
        return None, f"{col.expected} without control characters or direction overrides (found {hidden})"
    if col.kind in ("text", "id", "ref"):
        text = unquote(text)  # the apostrophe kamnb (or a spreadsheet) puts before a formula-looking text
    value: Any = text
    reason = None
    if col.kind in ("number", "integer", "score", "percent"):
        value, reason = parse_number(text)
        if reason is None and col.kind == "integer" and not float(value).is_integer():
            reason = "not a whole number"
        if reason is None and ((col.min is not None and value < col.min) or (col.max is not None and value > col.max)):
            reason = "out of range"
        if reason is None and abs(value) >= MAX_MAGNITUDE:
            reason = "too large: at most 15 digits before the decimal point"
    elif col.kind == "date":
        value, reason = parse_date(text)
        if value is not None and value > LAST_DATE and col.open_end:
            return None, None  # "no end": 9999-12-31 and the like
        if value is not None and not FIRST_DATE <= value <= LAST_DATE:
            value, reason = None, f"out of range: from {FIRST_DATE} to {LAST_DATE}"
    elif col.kind == "choice":
        value, reason = normalise_choice(text, col.choices)
    elif col.kind in ("id", "ref") and looks_like_formula(text):
        reason = "a formula (formulas are not evaluated)"
    if reason is not None:
        return None, f"{col.expected} ({reason})"
    return value, None
