"""One account's rows of a portfolio-wide sheet, without comparing every row each time.

An account's review picks its rows out of sheets that hold the whole portfolio
(opportunities, stakeholders, qualification answers, relationship scores) again
and again. ``frame[frame["account_id"] == account_id]`` compares every row of
the sheet, so in a 3,000-account portfolio each pick costs a hundred times
what it costs in a 30-account one. :func:`rows_of` (one value) and
:func:`rows_in` (several) give the same rows, in the same order and as the
same kind of table, from an index of the column built once and kept while the
column is unchanged (checked in place, :func:`kamnb.common.memo.unchanged`): a
cell edited in memory makes the index be built again, so a stale one is never used.

Example:
    >>> t = pd.DataFrame({"account_id": ["A", "B", "A"] * 1000, "value": range(3000)})
    >>> rows_of(t, "A").equals(t[t["account_id"] == "A"]), rows_of(t, "C").empty
    (True, True)
    >>> rows_in(t, ["B", "C"]).equals(t[t["account_id"].isin(["B", "C"])])
    True
    >>> t.loc[1, "account_id"] = "A"                      # edited in place: found again
    >>> len(rows_of(t, "A"))
    2001
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from kamnb.common.memo import unchanged

MAX_INDEXES = 32
"""Column indexes kept (least recently used dropped first): a few sheets of one or two workbooks."""

SMALL = 2_000
"""Below this many rows comparing every row costs no more than the index: the sheet is filtered directly."""

# Mutated in place only: the warm batch kernel checks that module globals keep their identity.
_INDEXES: OrderedDict[tuple[int, int], tuple[np.ndarray, dict[Any, np.ndarray]]] = OrderedDict()


def rows_of(frame: pd.DataFrame, value: Any, column: str = "account_id") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` equals ``value``: what ``frame[frame[column] == value]`` gives.

    Same rows, order, index and dtypes; a small sheet, a column that is not text or a value that is not a
    text is filtered by that very expression.

    Example:
        >>> rows_of(pd.DataFrame({"account_id": ["A", "B"], "x": [1, 2]}), "B")["x"].tolist()
        [2]
    """
    index = _index_for(frame, column) if isinstance(value, str) else None
    if index is None:
        return frame[frame[column] == value]
    return _take(frame, index.get(value))


def rows_in(frame: pd.DataFrame, values: Iterable[Any], column: str = "account_id") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` is one of ``values``: what ``frame[frame[column].isin(values)]`` gives.

    Example:
        >>> rows_in(pd.DataFrame({"opportunity_id": ["O1", "O2", "O3"]}), ["O3", "O1"], "opportunity_id").index.tolist()
        [0, 2]
    """
    wanted = list(values)
    index = _index_for(frame, column) if all(isinstance(v, str) for v in wanted) else None
    if index is None:
        return frame[frame[column].isin(wanted)]
    parts = [index[v] for v in dict.fromkeys(wanted) if v in index]
    return _take(frame, np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0] if parts else None)


def _take(frame: pd.DataFrame, positions: np.ndarray | None) -> pd.DataFrame:
    """``frame`` at sorted row ``positions`` as a boolean pick makes it (a pick of every row is a shallow copy)."""
    if positions is None:
        return frame.take(np.empty(0, dtype=np.intp))
    if len(positions) == len(frame):
        return frame.copy(deep=False)
    return frame.take(positions)


def _index_for(frame: pd.DataFrame, column: str) -> dict[Any, np.ndarray] | None:
    """Where every distinct text of ``frame[column]`` sits (sorted row positions), or None when the sheet is filtered directly."""
    if len(frame) < SMALL or column not in frame.columns or frame[column].dtype != object:
        return None
    values = np.asarray(frame[column].to_numpy())
    key = (values.ctypes.data, len(values))
    found = _INDEXES.get(key)
    if found is not None and unchanged([values], [found[0]]):
        _INDEXES.move_to_end(key)
        return found[1]
    if not all(isinstance(v, str) or v is None or (isinstance(v, float) and v != v) for v in values.tolist()):
        return None  # only texts (and blanks) are grouped: other objects may compare equal in other ways
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    start = int((codes < 0).sum())  # blanks sort first and match no text
    index: dict[Any, np.ndarray] = {}
    for text, count in zip(uniques, counts, strict=True):
        positions = order[start:start + count]
        positions.flags.writeable = False
        index[text] = positions
        start += count
    _INDEXES[key] = (values.copy(), index)  # the copy keeps the texts alive: equal addresses later mean the same texts
    while len(_INDEXES) > MAX_INDEXES:
        _INDEXES.popitem(last=False)
    return index
