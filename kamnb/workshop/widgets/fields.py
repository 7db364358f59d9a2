"""Input fields that save themselves: each change is checked, journaled, or refused with a red message.

Example:
    >>> from kamnb.workshop.widgets.fields import error_html
    >>> error_html("due: not a date")
    '<span class="kamnb-error">⚠ due: not a date</span>'
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from kamnb.common.tables import escape
from kamnb.workbook.journal import to_text

Saver = Callable[[Any], tuple[Any, str | None]]


def error_html(message: str) -> str:
    """A refusal message as a small HTML warning (empty string when there is none).

    Example:
        >>> error_html("too high")
        '<span class="kamnb-error">⚠ too high</span>'
        >>> error_html("")
        ''
    """
    return f'<span class="kamnb-error">⚠ {escape(message)}</span>' if message else ""


class SavingField:
    """Wrap a value widget: on every change call ``save(value)``; on refusal show why and put the old value back.

    Example:
        >>> field = SavingField(w.Text("Cut claims time"), lambda value: "")  # doctest: +SKIP
        >>> field.widget.value  # doctest: +SKIP
        'Cut claims time'
    """

    def __init__(self, widget: w.ValueWidget, save: Saver, *, css: str = ""):
        self.widget = widget
        self.save = save
        self.message = w.HTML("", layout=w.Layout(margin="0 0 0 8px"))
        self.message.add_class("kamnb-error")
        self._last = widget.value
        self._quiet = False
        if css:
            widget.add_class(css)
        widget.observe(self._changed, names="value")

    def _changed(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        new = change["new"]
        _, error = self.save(new)
        if error:
            self.message.value = error_html(error)
            self._quiet = True
            try:
                self.widget.value = self._last
            finally:
                self._quiet = False
            return
        self.message.value = ""
        self._last = new


def text_field(value: Any, save: Saver, *, placeholder: str = "", width: str = "100%", css: str = "", area: bool = False) -> SavingField:
    """A text box saved when the person presses Enter or leaves it.

    Example:
        >>> box = text_field("Cut claims handling time", lambda value: "")  # doctest: +SKIP
        >>> box.widget.value  # doctest: +SKIP
        'Cut claims handling time'
    """
    cls = w.Textarea if area else w.Text
    widget = cls(value=to_text(value), placeholder=placeholder, continuous_update=False, layout=w.Layout(width=width))
    return SavingField(widget, save, css=css)


def score_field(value: Any, save: Saver, *, css: str = "", low: int = 1, high: int = 5) -> SavingField:
    """A score typed as a number; anything outside low..high is refused with a message.

    Example:
        >>> box = score_field(3, lambda value: "")  # doctest: +SKIP
        >>> box.widget.value  # doctest: +SKIP
        '3'
    """
    return text_field(value, save, placeholder=f"{low}–{high}", width="90px", css=css)
