"""Tables for people: human headers from the labels map, yes/no, text left and numbers right, one sentence when empty.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamnb.common.labels import LABELS, cell, label


@dataclass
class PeopleTable:
    """A table ready for people (see :func:`people_table`); renders as HTML and as text."""

    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    highlight: list[bool] = field(default_factory=list)
    empty: str = ""
    note: str = ""

    def _repr_html_(self) -> str:
        return render_html(self)

    def __repr__(self) -> str:
        if not self.rows:
            return self.empty
        frame = pd.DataFrame(self.rows, columns=self.headers)
        text = frame.to_string(index=False)
        return text + (f"\n{self.note}" if self.note else "")


def render_html(table: PeopleTable) -> str:
    """The HTML of a :class:`PeopleTable`, through the project's one HTML-table helper (every text escaped).

    >>> render_html(PeopleTable([], [], [], empty="No group: this account is classified on its own."))
    '<p class="kamnb-empty">No group: this account is classified on its own.</p>'
    """
    from kamnb.common.tables import escape, html_table

    if not table.rows:
        return f'<p class="kamnb-empty">{escape(table.empty)}</p>'
    frame = pd.DataFrame(table.rows, columns=pd.Index(_unique(table.headers)))
    right = [h for h, n in zip(frame.columns, table.numeric, strict=True) if n]
    classes = ["current" if h else "" for h in table.highlight] if any(table.highlight) else None
    out = html_table(frame, right=right, row_classes=classes, bold_first=False)
    if table.note:
        out += f'<p class="kamnb-table-note" style="font-size:0.85em;color:#616e7c;margin:2px 0 10px">{escape(table.note)}</p>'
    return out


def _unique(headers: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def people_table(
    frame: pd.DataFrame,
    *,
    empty: str = "Nothing to show.",
    index: bool = False,
    highlight: Any = None,
    limit: int | None = None,
    what: str = "rows",
    rest: str = "",
    currency: str = "EUR",
    digits: dict[str, int] | None = None,
    labels: dict[str, str] | None = None,
) -> PeopleTable:
    """``frame`` as a table for people.

    ``index``: show the index as the first column (only when it means
    something, e.g. the account id). ``highlight``: the index label of the row
    to highlight (the account under review). ``limit``: at most this many rows,
    with a note "Showing 30 of 3,000 <what>" and ``rest`` (where the others
    are). ``empty``: the one sentence shown instead of an empty table; say
    which data would fill it. ``digits``: decimals per field (default 0).
    ``labels``: headers for this table only, over :data:`LABELS`.

    Example:
        >>> f = pd.DataFrame({"revenue_12m": [5.0, 3.0, 1.0]}, index=pd.Index(["A", "B", "C"], name="account_id"))
        >>> t = people_table(f, index=True, highlight="B", limit=2, what="accounts", rest="all are in portfolio.csv")
        >>> t.rows, t.highlight, t.note
        ([['A', '€5'], ['B', '€3']], [False, True], 'Showing 2 of 3 accounts; all are in portfolio.csv.')
    """
    digits = digits or {}
    names = dict(LABELS, **(labels or {}))
    data = frame.reset_index() if index else frame
    total = len(data)
    shown = data.iloc[:limit] if limit is not None else data
    idx = list(frame.index[: len(shown)])
    cols = list(shown.columns)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c]) for c in cols]
    rows = [[cell(v, str(c), currency, digits.get(str(c), 0)) for c, v in zip(cols, row, strict=True)] for row in shown.itertuples(index=False, name=None)]
    marks = [highlight is not None and i == highlight for i in idx]
    note = ""
    if limit is not None and total > limit:
        note = f"Showing {limit:,} of {total:,} {what}" + (f"; {rest}" if rest else "") + "."
    headers = [names.get(str(c), label(c)) for c in cols]
    return PeopleTable(headers, rows, numeric, marks, empty, note)

