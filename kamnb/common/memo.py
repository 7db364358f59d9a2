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
import ctypes
import functools
import hashlib
import os
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

T = TypeVar("T")

MAX_ENTRIES = 96
"""How many results are kept (least recently used dropped first): a few per function for one workbook."""

# Mutated in place only: the warm batch kernel checks that module globals keep their identity.
_STORE: OrderedDict[Hashable, Any] = OrderedDict()


def frame_digest(frame: pd.DataFrame | pd.Series) -> str:
    """A digest of a table's content: columns, dtypes, index and every value (cheap: no per-row Python).

    A table seen before is recognised without reading its text again (see
    :func:`_digest_by_identity`), and the very same table, or a shallow copy
    sharing its columns, asked about again by comparing its columns in place
    with copies kept from then (:func:`unchanged`): asking for the digest of
    an unchanged sheet costs one pass over its bytes, no copy, however many
    text cells it has.

    >>> a = pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})
    >>> frame_digest(a) == frame_digest(a.copy()), frame_digest(a) == frame_digest(a.assign(y=["a", "c"]))
    (True, False)
    >>> b = a.copy()
    >>> b.loc[1, "y"] = "c"                                # edited in place: a new digest
    >>> frame_digest(b) == frame_digest(a.assign(y=["a", "c"]))
    True
    """
    series = isinstance(frame, pd.Series)
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    arrays = _column_and_index(frame)
    meta = repr((frame.shape, [str(c) for c in frame.columns], [str(d) for d in frame.dtypes])).encode()
    seen = _SEEN.get(id(frame))
    if seen is not None and seen[0]() is frame and seen[1] == meta and unchanged(arrays, seen[2]):
        return seen[3]  # the very table asked about before, its bytes and text objects unchanged
    shared = _SHARED.get(_sharing_key(meta, arrays))
    if shared is not None and unchanged(arrays, shared[0]):
        return shared[1]  # a copy sharing its columns with a table asked about before (pandas copies on write)
    parts = _parts(arrays)
    if parts is None:
        return _content_digest(meta, arrays)
    digest = _digest_by_identity(meta, arrays, parts)
    if digest is not None:
        kept = [np.array(a, copy=True, order="C") for a in arrays]  # text columns: their objects kept alive
        _SHARED[_sharing_key(meta, arrays)] = (kept, digest)
        while len(_SHARED) > MAX_SHARED:
            _SHARED.popitem(last=False)
        if not series:  # a series was made a new frame just now: nothing to remember it by
            _remember_frame(frame, meta, kept, digest)
    return digest if digest is not None else _content_digest(meta, arrays)


MAX_DIGESTS = 256
"""How many table digests are remembered by identity (least recently used dropped first)."""

# identity of a table -> (its content digest, the text arrays whose objects that identity points at)
_DIGESTS: OrderedDict[bytes, tuple[str, list[np.ndarray]]] = OrderedDict()
# where a table's columns are stored -> (copies of its index and columns as they were, its digest); bounded
MAX_SHARED = 64
"""How many tables are remembered by where their columns are stored (copies of them are kept: a few per sheet)."""
_SHARED: OrderedDict[tuple, tuple[list[np.ndarray], str]] = OrderedDict()
# id of a table -> (a weak reference to it, its meta, copies of its columns as they were, its digest)
_SEEN: dict[int, tuple[Any, bytes, list[np.ndarray], str]] = {}
_IMMUTABLE = frozenset({str, float, int, bool, type(None), pd.Timestamp, type(pd.NaT), type(pd.NA)})


def _column_arrays(frame: pd.DataFrame) -> list[np.ndarray]:
    arrays = getattr(frame._mgr, "column_arrays", None)
    if arrays is None:
        return [frame.iloc[:, i].to_numpy() for i in range(frame.shape[1])]
    return [np.asarray(a) for a in arrays]


def _parts(arrays: list[np.ndarray]) -> list[bytes] | None:
    """What identifies a table's content: numbers as their bytes, text cells as the addresses of their objects.

    Two tables with the same parts hold the same numbers and the very same text
    objects. None when a column is of a kind this does not know (the content is
    then hashed every time).
    """
    parts = []
    for values in arrays:
        if values.dtype.kind in "biufcmM":
            parts.append(np.ascontiguousarray(values).tobytes())
        elif values.dtype.kind == "O" and values.ndim == 1:
            values = np.ascontiguousarray(values)  # a copy, when one is made, points at the same objects
            parts.append(ctypes.string_at(values.ctypes.data, values.nbytes))
        else:
            return None
    return parts


def _text_arrays(arrays: list[np.ndarray]) -> list[np.ndarray]:
    """The text columns (and index), kept with a digest: while kept, their objects stay alive and keep their addresses."""
    return [np.array(a, copy=True) for a in arrays if a.dtype.kind == "O"]


def _digest_by_identity(meta: bytes, arrays: list[np.ndarray], parts: list[bytes]) -> str | None:
    """The content digest of a table with these parts: remembered by identity, computed the first time.

    Text objects (``str``) cannot change, and the ones an identity points at
    are kept alive with its digest, so no other object can take their
    addresses: the same identity means the same content. None when a text
    cell holds an object that can change in place (it is hashed every time).
    """
    h = hashlib.blake2b(meta, digest_size=16)
    for part in parts:
        h.update(part)
        h.update(b"\x1e")
    key = h.digest()
    if key in _DIGESTS:
        _DIGESTS.move_to_end(key)
        return _DIGESTS[key][0]
    pinned = _text_arrays(arrays)
    if not all(_immutable(a) for a in pinned):
        return None
    digest = _content_digest(meta, arrays)
    _DIGESTS[key] = (digest, pinned)
    while len(_DIGESTS) > MAX_DIGESTS:
        _DIGESTS.popitem(last=False)
    return digest


def _sharing_key(meta: bytes, arrays: list[np.ndarray]) -> tuple:
    """Where a table's columns (not its index, often made anew) keep their values: shallow copies share it."""
    return (meta, tuple((a.ctypes.data, a.strides) for a in arrays[1:]))


def _remember_frame(frame: pd.DataFrame, meta: bytes, kept: list[np.ndarray], digest: str) -> None:
    """Keep copies of a table's columns and its digest by the table itself, so that asking again compares them in place.

    The copies keep the table's text objects alive (see :func:`_digest_by_identity`); the
    entry leaves when the table is freed.
    """
    key = id(frame)

    def forget(_: Any) -> None:
        _SEEN.pop(key, None)

    _SEEN[key] = (weakref.ref(frame, forget), meta, kept, digest)
    while len(_SEEN) > MAX_DIGESTS:
        try:
            _SEEN.pop(next(iter(_SEEN)), None)  # the oldest; a table freed meanwhile may have taken its entry away
        except (StopIteration, RuntimeError):
            break


def _find_memcmp() -> Any:
    """The C library's ``memcmp`` (compares two buffers without copying them), or None where it cannot be found."""
    try:
        lib = ctypes.CDLL(None) if os.name != "nt" else ctypes.cdll.msvcrt  # type: ignore[attr-defined]
        memcmp = lib.memcmp
    except (OSError, AttributeError):
        return None
    memcmp.restype = ctypes.c_int
    memcmp.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
    return memcmp


_MEMCMP = _find_memcmp()


def unchanged(arrays: list[np.ndarray], kept: list[np.ndarray]) -> bool:
    """Whether a table's columns hold exactly what ``kept`` (copies made earlier) holds: the same bytes, the same text objects.

    A copy of a text column keeps its objects alive, so equal addresses there mean the very same (immutable) texts.

    >>> a = np.array(["x", "y"], dtype=object)
    >>> kept = a.copy()
    >>> unchanged([a], [kept]), unchanged([np.array(["x", "z"], dtype=object)], [kept])
    (True, False)

    Compared in place, without copying the table (an unchanged 3,000-account sheet is asked
    about hundreds of times per review).
    """
    if len(arrays) != len(kept):
        return False
    for now, then in zip(arrays, kept, strict=True):
        if now.dtype != then.dtype or now.shape != then.shape:
            return False
        if now.dtype.kind not in "biufcmMO" or now.ndim != 1:
            return False
        now = np.ascontiguousarray(now)
        if _MEMCMP is not None:
            if now.nbytes and _MEMCMP(now.ctypes.data, then.ctypes.data, now.nbytes) != 0:
                return False
        elif ctypes.string_at(now.ctypes.data, now.nbytes) != ctypes.string_at(then.ctypes.data, then.nbytes):
            return False
    return True


def _column_and_index(frame: pd.DataFrame) -> list[np.ndarray]:
    return [np.asarray(frame.index.to_numpy()), *_column_arrays(frame)]


def _immutable(values: np.ndarray) -> bool:
    """Whether every object in a text array is of a kind that cannot change in place (str, numbers, missing)."""
    return set(map(type, values.tolist())) <= _IMMUTABLE


def _content_digest(meta: bytes, arrays: list[np.ndarray]) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(meta)
    for values in arrays:
        _update(h, values)
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
        >>> len(workbook_key(load_workbook("data/sample"), ("accounts",)))
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


def _copies_on_write() -> bool:
    """Whether pandas copies on write: always from pandas 3, by option before."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    try:
        return pd.get_option("mode.copy_on_write") is True
    except (KeyError, pd.errors.OptionError):
        return False


COPIES_ON_WRITE = _copies_on_write()


def copy_table(table: T) -> T:
    """A copy of a DataFrame or Series its user may change freely: shallow where pandas copies on write, else deep.

    >>> t = pd.DataFrame({"x": [1, 2]})
    >>> u = copy_table(t)
    >>> u.loc[0, "x"] = 9
    >>> int(t.loc[0, "x"])
    1
    """
    return table.copy(deep=not COPIES_ON_WRITE)  # type: ignore[attr-defined, no-any-return]


def fresh(value: T) -> T:
    """A copy the caller may change freely, without copying the data of a table.

    Where pandas copies on write (always from pandas 3), a shallow copy of a
    DataFrame or Series shares the stored values until either side changes
    them, and a change to the copy never reaches the original: a remembered
    3,000-row table then costs nothing to hand out, however often it is asked
    for (:func:`copy_table`; with an older pandas the copy is deep). Lists, tuples and dicts (of tables) get the same per item;
    anything else is deep-copied.

    Example:
        >>> a = [1, [2]]
        >>> b = fresh(a)
        >>> b == a, b[1] is a[1]
        (True, False)
        >>> t = pd.DataFrame({"x": [1, 2]})
        >>> u = fresh(t)
        >>> u.loc[0, "x"] = 9
        >>> int(t.loc[0, "x"]), int(u.loc[0, "x"])
        (1, 9)
    """
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return copy_table(value)
    if value is None or isinstance(value, (str, int, float, bool, frozenset)):
        return value
    if isinstance(value, (tuple, list)) and type(value) in (tuple, list):
        return cast(T, type(value)(fresh(v) for v in value))
    if isinstance(value, dict) and type(value) is dict:
        return cast(T, {k: fresh(v) for k, v in value.items()})
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
        >>> account_count(load_workbook("data/sample"))
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
    _DIGESTS.clear()
    _SEEN.clear()
    _SHARED.clear()
