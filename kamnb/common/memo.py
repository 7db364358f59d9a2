"""Remember portfolio-wide results while the workbook's content stays the same.

A review runs several notebooks for every account in one process, and many
steps need a result computed over the whole portfolio (the classification,
the contact map, the relationship scores, the red flags). :func:`portfolio`
wraps such a function of the workbook so that it is computed once per
*content*: the key is a digest of the sheets the function reads, the banks,
the settings and the missing optional columns. Any change, also an edit made
in memory (the live workshop changes a value and recomputes), gives a new
key, so a stale result is never returned. Every call returns a copy, so a
caller that edits what it got cannot change what the next caller sees.

Example:
    >>> import pandas as pd
    >>> calls = []
    >>> @portfolio("accounts")
    ... def total(wb):
    ...     calls.append(1)
    ...     return wb.accounts[["revenue"]].sum()
    >>> class Wb:
    ...     sheets = {"accounts": pd.DataFrame({"revenue": [1.0, 2.0]})}
    ...     accounts = sheets["accounts"]
    ...     questions = indicators = pd.DataFrame()
    ...     settings, missing_columns = {}, {}
    >>> wb = Wb()
    >>> float(total(wb)["revenue"]), float(total(wb)["revenue"]), len(calls)
    (3.0, 3.0, 1)
    >>> wb.accounts.loc[0, "revenue"] = 5.0          # edited in place: computed again
    >>> float(total(wb)["revenue"]), len(calls)
    (7.0, 2)
"""
from __future__ import annotations

import copy
import functools
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

MAX_ENTRIES = 96
"""How many results are kept (least recently used dropped first): a few per function for one workbook."""

# Mutated in place only: the warm batch kernel checks that module globals keep their identity.
_STORE: OrderedDict[Hashable, Any] = OrderedDict()


def frame_digest(frame: pd.DataFrame | pd.Series) -> str:
    """A digest of a table's content: columns, dtypes, index and every value (cheap: no per-row Python).

    >>> a = pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})
    >>> frame_digest(a) == frame_digest(a.copy()), frame_digest(a) == frame_digest(a.assign(y=["a", "c"]))
    (True, False)
    """
    h = hashlib.blake2b(digest_size=16)
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    h.update(repr((frame.shape, [str(c) for c in frame.columns], [str(d) for d in frame.dtypes])).encode())
    _update(h, frame.index.to_numpy())
    arrays = getattr(frame._mgr, "column_arrays", None)
    for values in arrays if arrays is not None else (frame.iloc[:, i].to_numpy() for i in range(frame.shape[1])):
        _update(h, np.asarray(values))
    return h.hexdigest()


def _update(h: Any, values: np.ndarray) -> None:
    if values.dtype.kind in "biufcmM":
        h.update(np.ascontiguousarray(values).view(np.uint8).tobytes())
    else:
        try:
            text = "\x1f".join(values)  # text columns: all str by the workbook contract
        except TypeError:
            text = "\x1f".join(map(repr, values))
        h.update(text.encode("utf-8", "surrogatepass"))
    h.update(b"\x1e")


def workbook_key(wb: Any, sheets: tuple[str, ...] | None = None) -> tuple:
    """What a portfolio result depends on: the named sheets (all when None), banks, settings, missing columns.

    A workbook with a ``content_stamp`` (see :class:`~kamnb.workbook.loader.Workbook`) is keyed by
    that stamp instead of a digest of its sheets and banks.

    Example:
        >>> len(workbook_key(load_workbook("data/sample"), ("accounts",)))  # doctest: +SKIP
        5
    """
    names = tuple(wb.sheets) if sheets is None else sheets
    stamp = getattr(wb, "content_stamp", None)
    if stamp is not None:  # the owner of the workbook names its content, sheet by sheet; no need to hash it
        whole, per_sheet = stamp
        named = tuple((name, per_sheet[name]) for name in names if name in wb.sheets)
        return (("stamp", whole, named), repr(wb.settings), repr(sorted((k, tuple(v)) for k, v in (wb.missing_columns or {}).items())))
    parts = [(name, frame_digest(wb.sheets[name])) for name in names if name in wb.sheets]
    return (
        tuple(parts),
        frame_digest(wb.questions),
        frame_digest(wb.indicators),
        repr(wb.settings),
        repr(sorted((k, tuple(v)) for k, v in (wb.missing_columns or {}).items())),
    )


def fresh(value: T) -> T:
    """A copy the caller may change freely (DataFrames and Series copied, anything else deep-copied).

    Example:
        >>> a = [1, [2]]
        >>> b = fresh(a)
        >>> b == a, b[1] is a[1]
        (True, False)
    """
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy()
    if value is None or isinstance(value, (str, int, float, bool, tuple, frozenset)):
        return value
    return copy.deepcopy(value)


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """The result stored under ``key``, computing and storing it first when missing; always a copy.

    Example:
        >>> remember(("doc-example", 1), lambda: 42)
        42
    """
    if key in _STORE:
        _STORE.move_to_end(key)
    else:
        _STORE[key] = compute()
        while len(_STORE) > MAX_ENTRIES:
            _STORE.popitem(last=False)
    return fresh(_STORE[key])


def portfolio(*sheets: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorate ``f(wb, *args)`` computed over the whole portfolio; it depends on ``sheets`` (all when none named).

    Extra arguments become part of the key when they are hashable; otherwise the call is not remembered.

    Example:
        >>> @portfolio("accounts")
        ... def account_count(wb):
        ...     return len(wb.accounts)
        >>> account_count(load_workbook("data/sample"))  # doctest: +SKIP
        30
    """
    only = tuple(sheets) or None

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(wb: Any, *args: Any, **kwargs: Any) -> T:
            extra = (args, tuple(sorted(kwargs.items())))
            try:
                hash(extra)
            except TypeError:
                return fn(wb, *args, **kwargs)
            key = (fn.__module__, fn.__qualname__, extra, workbook_key(wb, only))
            return remember(key, lambda: fn(wb, *args, **kwargs))

        wrapper.uncached = fn  # type: ignore[attr-defined]
        return wrapper

    return decorate


def clear() -> None:
    """Forget every stored result (tests; memory).

    Example:
        >>> clear()
    """
    _STORE.clear()
