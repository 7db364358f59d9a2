"""Exact money: amounts as Decimal, rounded once to whole currency units.

Example:
    >>> whole(2.5), whole(1234.49), whole(float("nan"))
    (3, 1234, None)
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def dec(value: Any) -> Decimal | None:
    """A number as an exact :class:`~decimal.Decimal` (``None`` when empty).

    >>> dec(0.1) + dec(0.2) == dec(0.3)
    True
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Decimal(str(value))


def whole(value: Any) -> int | None:
    """Round an amount once, half away from zero, to whole currency units (``None`` when empty).

    Example:
        >>> whole(2.5), whole(None)
        (3, None)
    """
    d = value if isinstance(value, Decimal) else dec(value)
    if d is None:
        return None
    return int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def exact(value: Any) -> Decimal:
    """Like :func:`dec` for a value known to be filled in; an empty one is a programming error.

    Example:
        >>> exact("12.5")
        Decimal('12.5')
    """
    d = value if isinstance(value, Decimal) else dec(value)
    if d is None:
        raise ValueError("an amount was expected, found an empty cell")
    return d


def rounded(value: Any) -> int:
    """Like :func:`whole` for a value known to be filled in.

    Example:
        >>> rounded(2.5), rounded("1234.49")
        (3, 1234)
    """
    return int(exact(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))

