"""The one way kamnb turns a table into HTML: every text escaped, styles by class.

Every text a workbook, a bank, the settings or a file name holds may contain
``<``, ``>``, ``&`` or quotes; shown raw it would become markup (a ``<style>``
that hides the page, a ``<meta>`` that sends the reader elsewhere, a script in
JupyterLab). So every HTML table and note list kamnb shows is built here, and
every cell, header and index value goes through :func:`escape`. Nothing else in
kamnb builds HTML from workbook text.

Each element carries a class (``kamnb-table``, ``num``, ``kamnb-first``,
``kamnb-nowrap``, row classes such as ``overdue``) and an inline style with the
same look. In a notebook the inline style applies; in a review or index page
the Content-Security-Policy admits only kamnb's own style sheet, which styles
the same classes, so the page looks the same without any inline style.

Example:
    >>> import pandas as pd
    >>> "&lt;b&gt;" in html_table(pd.DataFrame({"name": ["<b>x</b>"]}))
    True
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

PAD = "padding:2px 8px"
# Row classes a table may give a row, and the look each has in a notebook.
ROW_STYLES = {
    "overdue": "background:#fde2e1",
    "closed": "color:#7b8794",
    "muted": "color:#7b8794;font-style:italic",
    "current": "background:#fff4d6;font-weight:700",
}


def escape(value: Any, *, quote: bool = True) -> str:
    """Any value as text safe inside an HTML element or a quoted attribute.

    This is kamnb's one HTML-escaping rule; no other module calls
    :func:`html.escape`. ``quote=False`` leaves quotes as they are, for text
    that only ever sits between tags (a Markdown line, a contents entry);
    ``<``, ``>`` and ``&`` are escaped either way.

    Example:
        >>> escape('"><img src=x>')
        '&quot;&gt;&lt;img src=x&gt;'
        >>> escape('"<b>"', quote=False)
        '"&lt;b&gt;"'
    """
    return html.escape(str(value), quote=quote)


def html_table(
    frame: pd.DataFrame,
    *,
    right: Sequence[Any] = (),
    row_classes: Sequence[str] | None = None,
    bold_first: bool = True,
    nowrap: Sequence[Any] = (),
    index: bool = False,
) -> str:
    """A plain, deterministic HTML table from a frame of display values, every text escaped.

    ``right`` names the columns aligned right (numbers); ``row_classes`` gives a
    class per row (``""`` for none; one of :data:`ROW_STYLES` to highlight it);
    ``nowrap`` names columns kept on one line (dates, ids); ``index`` shows the
    frame's index as the first column, headed by its name.

    >>> print(html_table(pd.DataFrame({"a": ["x"]})))
    <table class="kamnb-table" style="border-collapse:collapse;font-size:0.9em"><thead><tr><th style="text-align:left;padding:2px 8px;border-bottom:1px solid #7b8794">a</th></tr></thead><tbody><tr><td class="kamnb-first" style="text-align:left;padding:2px 8px;font-weight:600">x</td></tr></tbody></table>
    """
    columns = list(frame.columns)
    head_cells = []
    if index:
        head_cells.append(f'<th style="text-align:left;{PAD};border-bottom:1px solid #7b8794">{escape(_index_name(frame))}</th>')
    for c in columns:
        num = c in right
        cls = ' class="num"' if num else ""
        head_cells.append(f'<th{cls} style="text-align:{"right" if num else "left"};{PAD};border-bottom:1px solid #7b8794">{escape(c)}</th>')
    rows = []
    for i, (key, row) in enumerate(zip(frame.index, frame.itertuples(index=False, name=None), strict=True)):
        row_class = row_classes[i] if row_classes is not None and row_classes[i] else ""
        cells = []
        if index:
            cells.append(f'<th class="kamnb-first" style="text-align:left;{PAD};font-weight:600">{escape(key)}</th>')
        for j, (c, value) in enumerate(zip(columns, row, strict=True)):
            num = c in right
            classes = [name for name, on in (("num", num), ("kamnb-first", bold_first and j == 0 and not index), ("kamnb-nowrap", c in nowrap or num)) if on]
            extra = (";font-weight:600" if "kamnb-first" in classes else "") + (";white-space:nowrap" if "kamnb-nowrap" in classes else "")
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f'<td{cls} style="text-align:{"right" if num else "left"};{PAD}{extra}">{escape(value)}</td>')
        attr = f' class="{escape(row_class)}" style="{ROW_STYLES[row_class]}"' if row_class in ROW_STYLES else ""
        rows.append(f"<tr{attr}>{''.join(cells)}</tr>")
    return (
        '<table class="kamnb-table" style="border-collapse:collapse;font-size:0.9em">'
        f"<thead><tr>{''.join(head_cells)}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _index_name(frame: pd.DataFrame) -> str:
    names = [n for n in frame.index.names if n is not None]
    return " / ".join(map(str, names))


def html_notes(notes: Sequence[str], *, title: str | None = None) -> str:
    """Notes as a short HTML list, every note escaped (empty string when there are none).

    Example:
        >>> html_notes([])
        ''
        >>> "<li>no fees &lt;yet&gt;</li>" in html_notes(["no fees <yet>"])
        True
    """
    if not notes:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    head = f"<strong>{escape(title)}</strong>" if title else ""
    return f'<div class="kamnb-notes" style="font-size:0.9em;color:#1f2933">{head}<ul style="margin:2px 0 6px 0">{items}</ul></div>'


class Notes(list):
    """Sentences about what could not be computed: a bulleted list in a notebook, nothing when empty.

    >>> Notes(["The sheet has no evidence column."])._repr_markdown_()
    '- The sheet has no evidence column.'
    >>> Notes()._repr_markdown_() == ""
    True
    """

    def _repr_markdown_(self) -> str:
        return "\n".join(f"- {escape(line, quote=False)}" for line in self)

    def _ipython_display_(self) -> None:
        if self:
            from IPython.display import Markdown, display

            display(Markdown(self._repr_markdown_()))


class Table:
    """A frame shown to people: HTML through :func:`html_table` in a notebook and a review, text otherwise.

    Example:
        >>> t = Table(pd.DataFrame({"a": ["<x>"]}))
        >>> "&lt;x&gt;" in t._repr_html_(), "<x>" in repr(t)
        (True, True)
    """

    def __init__(self, frame: pd.DataFrame, display: pd.DataFrame | None = None, **options: Any):
        self.data = frame
        self.display = frame if display is None else display
        self.options = options

    def _repr_html_(self) -> str:
        return html_table(self.display, **self.options)

    def to_html(self) -> str:
        """The table as HTML (what a notebook shows)."""
        return self._repr_html_()

    def __repr__(self) -> str:
        return self.display.to_string()


def readable(frame: pd.DataFrame, digits: int = 0) -> Table:
    """A table for people: human headers (:data:`kamnb.common.labels.LABELS`), numbers rounded, dates as 2026-11-01, True/False as yes/no, empty cells as '–'.

    A named index, or one that is not just the row numbers, is shown as the
    first column (it is the row's name: an account, a stakeholder, a measure).
    Every text is escaped when shown.

    >>> readable(pd.DataFrame({"x": [1.26, float("nan")]})).to_html().count("–")
    1
    """
    from kamnb.common.formatting import date, number

    shown = pd.DataFrame(index=frame.index)
    right = []
    for col in frame.columns:
        values = frame[col]
        kind = values.dtype.kind
        if kind == "M":
            fmt: Any = date
        elif kind == "f":
            fmt = lambda v, d=digits: number(v, d)  # noqa: E731
            right.append(col)
        elif kind in "iu":
            fmt = str
            right.append(col)
        elif kind == "b":
            fmt = lambda v: "yes" if v else "no"  # noqa: E731
        else:
            fmt = str
        shown[col] = ["–" if _missing(v) else fmt(v) for v in values]
    from kamnb.common.labels import label

    shown.columns = pd.Index([label(c) for c in frame.columns])
    shown.index = shown.index.set_names([label(n) if n is not None else None for n in shown.index.names])
    right = [label(c) for c in right]
    named = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    return Table(frame, shown, right=right, index=not named, bold_first=False)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
