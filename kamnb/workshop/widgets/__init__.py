"""The workshop screen: pick an account, work through the tabs, watch the summary move.

Usable in JupyterLab and, with no code visible, through ``kamnb workshop``
(Voila). Every entry is saved to the workbook's journal the moment it is made.

Example:
    >>> app = workshop_app("data/sample")      # doctest: +SKIP
    >>> app                                     # doctest: +SKIP
"""
from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import ipywidgets as w

from kamnb.common.formatting import number
from kamnb.common.tables import escape
from kamnb.workshop.widgets import tabs
from kamnb.workshop.widgets.fields import error_html
from kamnb.workshop.widgets.style import CSS
from kamnb.workshop.widgets.summary import render

__all__ = ["WorkshopApp", "find_widget", "workshop_app"]


class WorkshopApp:
    """The whole screen for one :class:`~kamnb.workshop.session.WorkshopSession`.

    Example:
        >>> app = WorkshopApp(WorkshopSession("data/sample"), "ACC-001")  # doctest: +SKIP
        >>> app  # the whole screen in Jupyter or Voila  # doctest: +SKIP
    """

    def __init__(self, session: Any, account_id: str | None = None):
        self.session = session
        wb = session.wb
        self.last_update_ms = float("nan")
        self.last_quick_ms = float("nan")
        self._generation = 0
        ids = list(wb.accounts.index)
        account_id = account_id if account_id in ids else (ids[0] if ids else None)
        self.account = w.Dropdown(
            options=[(f"{name}  ({aid})", aid) for aid, name in zip(wb.accounts.index, wb.accounts["name"], strict=False)],
            value=account_id,
            description="Account",
            layout=w.Layout(width="560px"),
        )
        self.account.style.description_width = "90px"
        self.account.add_class("kamnb-account")
        names = sorted({*wb.accounts["account_manager"], *wb.opportunities["owner"], *wb.actions["owner"], session.who} - {""})
        self.who = w.Combobox(value=session.who, options=names, description="Speaking", placeholder="Who is speaking?", ensure_option=False, layout=w.Layout(width="380px"))
        self.who.style.description_width = "100px"
        self.who.add_class("kamnb-who")
        self.undo = w.Button(description="Undo last change", icon="undo", layout=w.Layout(width="200px"))
        self.undo.add_class("kamnb-undo")
        self.refresh = w.Button(description="Show others' changes", icon="refresh", layout=w.Layout(width="250px"))
        self.review = w.Button(description="Write this account's review", button_style="success", icon="file", layout=w.Layout(width="300px"))
        self.review.add_class("kamnb-review")
        self.status = w.HTML("All changes are saved as you make them.")
        self.status.add_class("kamnb-status")
        self.tabs = w.Tab(layout=w.Layout(width="62%"))
        self.summary = w.HTML(layout=w.Layout(width="38%", margin="0 0 0 12px"))
        self.summary.add_class("kamnb-summary")
        self.redo = w.Button(description="Redo", icon="repeat", layout=w.Layout(width="200px"))
        self.redo.add_class("kamnb-redo")
        where = w.HTML(f"<div class='kamnb-muted'>Workbook {escape(session.path.name)} · every change saved to {escape(str(session.journal.path))}</div>")
        bar1 = w.HBox([self.account, self.who])
        bar2 = w.HBox([self.undo, self.redo, self.refresh, self.review])
        bar2.add_class("kamnb-bar")
        self.root = w.VBox([w.HTML(CSS), where, bar1, bar2, self.status, w.HBox([self.tabs, self.summary])])
        self.root.add_class("kamnb-app")

        self.account.observe(lambda ch: self.show(), names="value")
        self.tabs.observe(lambda ch: self._build(ch["new"]), names="selected_index")
        self.who.observe(self._who_changed, names="value")
        self.undo.on_click(self._undo)
        self.redo.on_click(lambda b: self._undo(b, redo=True))
        self.refresh.on_click(self._refresh)
        self.review.on_click(self._review)
        session.listeners.append(self._on_change)
        self.show()

    # -- display
    def _ipython_display_(self) -> None:  # pragma: no cover - Jupyter only
        from IPython.display import display

        display(self.root)

    def show(self) -> None:
        """Build the tabs for the current account and redraw the summary."""
        aid = self.account.value
        if aid is None:
            self.tabs.children = [w.HTML("<p>The workbook has no accounts.</p>")]
            return
        selected = self.tabs.selected_index or 0
        self._built: set[int] = set()
        self.tabs.children = [w.VBox() for _ in tabs.TAB_TITLES]
        self.tabs.titles = list(tabs.TAB_TITLES)
        self.tabs.selected_index = selected
        self._build(selected)
        self.update_summary()
        self._name_steps()

    def _name_steps(self) -> None:
        """Undo and Redo say what they would act on (the speaker's own changes only)."""
        for button, redo, word in ((self.undo, False, "Undo"), (self.redo, True, "Redo")):
            step = self.session.next_step(redo=redo)
            button.description = f"{word} {step}"[:60] if step else f"{word}: nothing"
            button.tooltip = f"{word} {step}" if step else f"Nothing of {self.session.who or 'yours'} to {word.lower()}"
            button.disabled = step is None

    def _build(self, index: int | None) -> None:
        """Fill a tab the first time it is shown for this account (keeps switching accounts quick)."""
        if index is None or index in self._built:
            return
        self._built.add(index)
        s, aid = self.session, self.account.value
        builders = [
            lambda: tabs.classification_tab(s, aid),
            lambda: tabs.qualification_tab(s, aid),
            lambda: tabs.stakeholders_tab(s, aid, self._rebuild),
            lambda: tabs.relationship_tab(s, aid),
            lambda: tabs.actions_tab(s, aid, self._rebuild),
        ]
        self.tabs.children[index].children = [builders[index]()]

    def _rebuild(self) -> None:
        self.show()

    def update_summary(self, *, fresh_scores: bool = True) -> float:
        """Recompute and redraw the summary; return the time it took in milliseconds.

        ``fresh_scores=False`` redraws at once with everything kamnb counts itself
        and the last scoring figures; the app then schedules a full update right
        after, so the room sees its change immediately and the scores follow.
        """
        from kamnb.workshop.summary import summary

        start = time.perf_counter()
        data = summary(self.session, self.account.value, fresh_scores=fresh_scores)
        self.summary.value = render(data, self.session.wb.settings.get("currency", "EUR"))
        elapsed = (time.perf_counter() - start) * 1000
        if fresh_scores:
            self.last_update_ms = elapsed
        else:
            self.last_quick_ms = elapsed
        return elapsed

    def _full_update_later(self) -> None:
        """Run the full summary after the current event has been answered (coalescing bursts of changes)."""
        self._generation += 1
        generation = self._generation

        def run() -> None:
            if generation == self._generation:
                self.update_summary()

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (plain Python, tests): do it now
            run()
            return
        loop.call_later(0.02, run)

    # -- events
    def _on_change(self, change: Any) -> None:
        if change is not None:
            what = change.column or change.op
            where = " / ".join(str(v) for v in change.key.values())
            verb = {"set": f"set {what} to “{change.new}”", "add": "added a row", "remove": "removed a row", "undo": f"undid change #{change.undoes}"}[change.op]
            self.status.value = escape(f"✔ Saved change #{change.seq}: {change.who} {verb} ({where}).")
        self.update_summary(fresh_scores=False)
        self._name_steps()
        self._full_update_later()

    def _who_changed(self, change: dict[str, Any]) -> None:
        self.session.who = (change["new"] or "").strip()
        if not self.session.who:
            self.status.value = error_html("Type who is speaking: every entry is signed with a name.")
        else:
            self.status.value = escape(f"Entries are now signed by {self.session.who}.")
        self._name_steps()

    def _undo(self, _: Any, *, redo: bool = False) -> None:
        try:
            ch = self.session.undo(redo=redo)
        except Exception as err:  # shown to the room rather than lost in a log
            self.status.value = error_html(str(err))
            return
        if ch is None:
            self.status.value = "Nothing to redo." if redo else "Nothing to undo."
        self.show()

    def _refresh(self, _: Any) -> None:
        before = self.session.seen
        self.session.sync()
        self.show()
        self.status.value = f"Up to date: {number(self.session.seen - before)} new change(s) from others."

    def _review(self, _: Any) -> None:
        """Run the batch for this account in the background; the room can keep working meanwhile."""
        import subprocess
        import tempfile

        from kamnb.workshop.review import review_command, review_result

        aid = self.account.value
        cmd, out = review_command(self.session, aid)
        err = tempfile.TemporaryFile(mode="w+")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, text=True)
        self.review.disabled = True
        self.status.value = f"Writing the review of {escape(aid)} (the batch runs its notebooks; this takes a little while)…"

        def finish() -> None:
            self.review.disabled = False
            err.seek(0)
            try:
                path = review_result(out, aid, proc.returncode, err.read())
            except Exception as error:
                self.status.value = error_html(f"The review could not be written: {error}")
            else:
                self.status.value = f"✔ Review of {escape(aid)} written: <code>{escape(str(path))}</code>"
            finally:
                err.close()

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # plain Python: wait for it
            proc.wait()
            finish()
            return

        def poll() -> None:
            if proc.poll() is None:
                loop.call_later(0.5, poll)
            else:
                finish()

        loop.call_later(0.5, poll)


def find_widget(root: Any, css_class: str) -> Any:
    """The first widget under ``root`` (depth first) carrying the CSS class ``css_class``, or None.

    Every control of the screen carries a class naming what it is for
    (``kamnb-answer-<question>``, ``kamnb-summary``), so a script or a test can
    reach it without knowing the layout.

    >>> box = w.VBox([w.HBox([w.Button(description="yes").add_class("kamnb-answer-budget")])])
    >>> find_widget(box, "kamnb-answer-budget").description, find_widget(box, "kamnb-nothing")
    ('yes', None)
    """
    if css_class in getattr(root, "_dom_classes", ()):
        return root
    for child in getattr(root, "children", ()):
        hit = find_widget(child, css_class)
        if hit is not None:
            return hit
    return None


def _from_query(name: str) -> str | None:
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


def workshop_app(workbook: str | Path, account_id: str | None = None, who: str | None = None) -> WorkshopApp:
    """Open the workshop on ``workbook``; ``kamnb workshop`` overrides it via ``KAMNB_WORKBOOK``.

    The account to open first comes from ``account_id``, the ``?account=`` query
    parameter (Voila) or ``KAMNB_ACCOUNT``; the participant from ``who``,
    ``?who=`` or ``KAMNB_PARTICIPANT``.

    Example:
        >>> app = workshop_app("data/sample", "ACC-001")  # doctest: +SKIP
        >>> app  # displays the workshop in Jupyter or Voila  # doctest: +SKIP
    """
    from kamnb.workshop.session import ENV_ACCOUNT, ENV_WORKBOOK, WorkshopSession

    path = os.environ.get(ENV_WORKBOOK) or str(workbook)
    account_id = _from_query("account") or os.environ.get(ENV_ACCOUNT) or account_id
    who = who or _from_query("who") or os.environ.get("KAMNB_PARTICIPANT") or "facilitator"
    return WorkshopApp(WorkshopSession(path, who=who), account_id)
