"""How numbers, money and dates look in every table and chart a person reads.

One place, so that a review never shows ``1250000.0000001`` in one table and
``€1.25M`` in the next. Money is rounded to whole units for display; totals
shown next to parts are computed from the unrounded values and rounded once.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF ", "JPY": "¥"}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def money(value: Any, currency: str = "EUR", *, short: bool = False) -> str:
    """Format an amount of money: ``€1,250,000`` or, with ``short``, ``€1.25M``.

    >>> money(1250000.4)
    '€1,250,000'
    >>> money(1250000, short=True)
    '€1.25M'
    >>> money(-3200.6, "USD")
    '-$3,201'
    >>> money(float("nan"))
    '–'
    """
    if _missing(value):
        return "–"
    symbol = SYMBOLS.get(currency, currency + " ")
    sign = "-" if value < 0 else ""
    amount = abs(float(value))
    if short:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if amount >= limit:
                return f"{sign}{symbol}{amount / limit:.3g}{suffix}"
        return f"{sign}{symbol}{amount:.0f}"
    return f"{sign}{symbol}{round(amount):,.0f}"


def percent(value: Any, digits: int = 0) -> str:
    """Format a percentage given in points: ``percent(32.4)`` is ``'32%'``.

    >>> percent(32.44, 1)
    '32.4%'
    """
    if _missing(value):
        return "–"
    return f"{float(value):.{digits}f}%"


def date(value: Any) -> str:
    """Format a date as ``2026-11-01`` (ISO, unambiguous in every country).

    >>> date(pd.Timestamp("2026-11-01"))
    '2026-11-01'
    """
    if _missing(value):
        return "–"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def number(value: Any, digits: int = 0) -> str:
    """Format a plain number with thousands separators.

    >>> number(12345.678, 1)
    '12,345.7'
    """
    if _missing(value):
        return "–"
    return f"{float(value):,.{digits}f}"
