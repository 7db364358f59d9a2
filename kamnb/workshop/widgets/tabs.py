"""One builder per workshop tab. Each returns a widget for one account of a :class:`WorkshopSession`.

Example:
    >>> from kamnb.workshop.widgets.tabs import TAB_TITLES
    >>> TAB_TITLES[0]
    'Classification'
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from kamnb.common.tables import escape
from kamnb.value.plan import CATEGORIES
from kamnb.workbook.schema import ACTION_CATEGORIES, ACTION_STATUSES, ANSWERS, DECISION_ROLES, SHEETS
from kamnb.workshop.widgets.fields import SavingField, error_html, score_field, text_field
from kamnb.workshop.widgets.summary import grid_svg

if TYPE_CHECKING:  # pragma: no cover
    from kamnb.workshop.session import WorkshopSession

TAB_TITLES = ("Classification", "Qualification", "Stakeholders", "Relationship", "Actions")
_e = escape


def _item(*children: w.Widget) -> w.VBox:
    box = w.VBox(list(children))
    box.add_class("kamnb-item")
    return box


def _saver(s: WorkshopSession, sheet: str, key: dict[str, Any], column: str, *, skip_empty: bool = False) -> Callable[[Any], tuple[Any, str | None]]:
    """The save function of one field: journal the value for this cell (an empty choice is not an answer)."""

    base = s.seen  # the version this screen shows: a change to a row changed by others since is refused

    def save(value: Any) -> tuple[Any, str | None]:
        if skip_empty and not value:
            return None, None
        return s.change(sheet, key, column, value, base=base)

    return save


def _slug(text: Any) -> str:
    return "".join(ch if (ch.isalnum() or ch in "_-") else "-" for ch in str(text)).strip("-")


def classification_tab(s: WorkshopSession, account_id: str) -> w.Widget:
    """The account's judgements: growth potential, strategic fit, willingness on both sides, buy-sell position.

    Example:
        >>> classification_tab(session, "ACC-001")  # doctest: +SKIP
        VBox(children=(...))
    """
    from kamnb.workshop.session import JUDGEMENTS

    acc = s.wb.accounts.loc[account_id]
    rows = []
    for col in JUDGEMENTS:
        spec = SHEETS["accounts"].column(col)
        field = score_field(
            acc[col],
            _saver(s, "accounts", {"account_id": account_id}, col),
            css=f"kamnb-judgement-{col}",
        )
        title = w.HTML(f"<b>{_e(col.replace('_', ' ').capitalize())}</b><div class='kamnb-help'>{_e(spec.description)}</div>", layout=w.Layout(width="70%"))
        title.add_class("kamnb-q")
        rows.append(_item(w.HBox([title, field.widget, field.message])))
    return w.VBox(rows)


def qualification_tab(s: WorkshopSession, account_id: str) -> w.Widget:
    """Per opportunity: every question with answer buttons, its help text and an evidence box.

    Example:
        >>> qualification_tab(session, "ACC-001")  # doctest: +SKIP
        VBox(children=(...))
    """
    opps = s.wb.opportunities[s.wb.opportunities["account_id"] == account_id]
    if opps.empty:
        return w.HTML("<p>No opportunities for this account yet.</p>")
    picker = w.Dropdown(options=[(f"{r['name']} ({oid})", oid) for oid, r in opps.iterrows()], description="Opportunity", layout=w.Layout(width="90%"))
    picker.add_class("kamnb-opportunity")
    body = w.VBox()
    base = s.seen

    def show(opportunity_id: str) -> None:
        rows = []
        for qid, q in s.wb.questions.iterrows():
            key = {"opportunity_id": opportunity_id, "question_id": qid}
            answer = s.current("qualification", key, "answer")
            evidence = s.current("qualification", key, "evidence")
            buttons = w.ToggleButtons(options=list(ANSWERS), value=answer if answer in ANSWERS else None)
            buttons.add_class(f"kamnb-answer-{_slug(qid)}")
            answers = SavingField(buttons, _saver(s, "qualification", key, "answer", skip_empty=True))

            def save_evidence(v: Any, key: dict[str, Any] = key) -> tuple[Any, str | None]:
                if not s.current("qualification", key, "answer"):
                    return None, "answer the question first, then give the evidence"
                return s.change("qualification", key, "evidence", v, base=base)

            ev = text_field(evidence, save_evidence, placeholder="Evidence: what do we know that supports the answer?", css=f"kamnb-evidence-{_slug(qid)}")
            litmus = " <span class='kamnb-muted'>(litmus test)</span>" if q.get("litmus") else ""
            text = w.HTML(f"<b>{_e(str(q['text']))}</b>{litmus}<div class='kamnb-help'>{_e(str(q['help']))}</div>")
            text.add_class("kamnb-q")
            rows.append(_item(text, w.HBox([buttons, answers.message]), w.HBox([ev.widget, ev.message])))
        body.children = rows

    picker.observe(lambda ch: show(ch["new"]), names="value")
    show(picker.value)
    return w.VBox([picker, body])


def stakeholders_tab(s: WorkshopSession, account_id: str, rebuild: Callable[[], None]) -> w.Widget:
    """People on the decision-making grid: add, edit, remove; move them and the grid redraws.

    Example:
        >>> stakeholders_tab(session, "ACC-001", rebuild=lambda: None)  # doctest: +SKIP
        VBox(children=(...))
    """
    grid = w.HTML()
    grid.add_class("kamnb-grid-box")

    def people() -> pd.DataFrame:
        return s.wb.stakeholders[s.wb.stakeholders["account_id"] == account_id]

    def redraw(_: Any = None) -> None:
        cfg = {**{"high_influence": 4, "supportive": 4, "opposed": 2}, **(s.wb.settings.get("relationships") or {})}
        grid.value = grid_svg(
            [{str(k): v for k, v in rec.items()} for rec in people()[["name", "influence", "support"]].to_dict("records")],
            high=int(cfg["high_influence"]), supportive=int(cfg["supportive"]), opposed=int(cfg["opposed"]),
        )

    rows = []
    base = s.seen
    for sid, p in people().iterrows():
        key = {"stakeholder_id": sid}

        def saver(col: str, key: dict[str, Any] = key) -> Callable[[Any], tuple[Any, str | None]]:
            def save(v: Any) -> tuple[Any, str | None]:
                result = s.change("stakeholders", key, col, v, base=base)
                redraw()
                return result

            return save

        name = text_field(p["name"], saver("name"), width="240px", css="kamnb-person-name")
        title = text_field(p["title"], saver("title"), placeholder="title", width="300px")
        sliders = []
        for col in ("influence", "support"):
            val = p[col]
            slider = w.IntSlider(value=int(val) if pd.notna(val) else 3, min=1, max=5, description=col.capitalize(), continuous_update=False, layout=w.Layout(width="420px"))
            slider.style.description_width = "90px"
            sliders.append(SavingField(slider, saver(col), css=f"kamnb-{col}-{_slug(sid)}"))
        role = w.Dropdown(options=[("role…", "")] + [(r.replace("_", " "), r) for r in DECISION_ROLES], value=p["decision_role"] or "", layout=w.Layout(width="210px"))
        role_field = SavingField(role, saver("decision_role"))
        remove = w.Button(description="Remove", button_style="danger", layout=w.Layout(width="100px"))
        remove.add_class(f"kamnb-remove-{_slug(sid)}")

        def do_remove(_: Any, key: dict[str, Any] = key, msg: w.HTML = name.message) -> None:
            _, error = s.remove_row("stakeholders", key, base=base)
            if error:
                msg.value = error_html(error)
            else:
                rebuild()

        remove.on_click(do_remove)
        line1 = w.HBox([name.widget, title.widget, role, remove])
        line2 = w.HBox([sliders[0].widget, sliders[1].widget])
        rows.append(_item(line1, line2, w.HBox([name.message, title.message, role_field.message, sliders[0].message, sliders[1].message])))

    new_name = w.Text(placeholder="Name of a new person", layout=w.Layout(width="260px"))
    new_name.add_class("kamnb-new-person")
    new_role = w.Dropdown(options=[("role…", "")] + [(r.replace("_", " "), r) for r in DECISION_ROLES], layout=w.Layout(width="190px"))
    add = w.Button(description="Add person", button_style="primary", layout=w.Layout(width="140px"))
    add.add_class("kamnb-add-person")
    add_msg = w.HTML()

    def do_add(_: Any) -> None:
        if not new_name.value.strip():
            add_msg.value = error_html("type the person's name first")
            return
        _, error = s.add_row("stakeholders", {"account_id": account_id, "name": new_name.value.strip(), "influence": 3, "support": 3, "decision_role": new_role.value})
        if error:
            add_msg.value = error_html(error)
        else:
            rebuild()

    add.on_click(do_add)
    redraw()
    listing = w.VBox([*rows, _item(w.HBox([new_name, new_role, add]), add_msg)])
    return w.VBox([grid, listing])


def relationship_tab(s: WorkshopSession, account_id: str) -> w.Widget:
    """Each relationship indicator: a 1-5 score and the evidence behind it.

    Example:
        >>> relationship_tab(session, "ACC-001")  # doctest: +SKIP
        VBox(children=(...))
    """
    rows = []
    base = s.seen
    for iid, ind in s.wb.indicators.iterrows():
        key = {"account_id": account_id, "indicator_id": iid}
        score = score_field(s.current("relationship", key, "score"), _saver(s, "relationship", key, "score"), css=f"kamnb-indicator-{_slug(iid)}")

        def save_evidence(v: Any, key: dict[str, Any] = key) -> tuple[Any, str | None]:
            current = s.current("relationship", key, "score")
            if current is None or pd.isna(current):
                return None, "give a score first, then the evidence"
            return s.change("relationship", key, "evidence", v, base=base)

        ev = text_field(s.current("relationship", key, "evidence"), save_evidence, placeholder="Evidence: what shows it?", css=f"kamnb-indicator-evidence-{_slug(iid)}")
        side = {"customer": "their side", "us": "our side", "both": "both sides"}.get(str(ind["side"]), str(ind["side"]))
        text = w.HTML(f"<b>{_e(str(ind['name']))}</b> <span class='kamnb-muted'>({_e(side)})</span><div class='kamnb-help'>{_e(str(ind['text']))}</div>", layout=w.Layout(width="55%"))
        text.add_class("kamnb-q")
        rows.append(_item(w.HBox([text, score.widget, ev.widget]), w.HBox([score.message, ev.message])))
    return w.VBox(rows)


def actions_tab(s: WorkshopSession, account_id: str, rebuild: Callable[[], None]) -> w.Widget:
    """The action plan: owner, due date and status per action; new actions can be added.

    Example:
        >>> actions_tab(session, "ACC-001", rebuild=lambda: None)  # doctest: +SKIP
        VBox(children=(...))
    """
    acts = s.wb.actions[s.wb.actions["account_id"] == account_id]
    rows = []
    base = s.seen
    for aid, a in acts.iterrows():
        key = {"action_id": aid}

        def saver(col: str, key: dict[str, Any] = key) -> Callable[[Any], tuple[Any, str | None]]:
            return lambda v: s.change("actions", key, col, v, base=base)

        owner = text_field(a["owner"], saver("owner"), placeholder="owner", width="200px")
        due = text_field(a["due"], saver("due"), placeholder="due, e.g. 2026-12-15", width="190px", css=f"kamnb-due-{_slug(aid)}")
        status = SavingField(w.Dropdown(options=[(st.replace("_", " "), st) for st in ACTION_STATUSES], value=a["status"] or "open", layout=w.Layout(width="160px")), saver("status"))
        what = w.HTML(f"<b>{_e(str(a['action']))}</b><div class='kamnb-help'>{_e(CATEGORIES.get(str(a['category']), str(a['category'])))}</div>", layout=w.Layout(width="45%"))
        rows.append(_item(w.HBox([what, owner.widget, due.widget, status.widget]), w.HBox([owner.message, due.message, status.message])))
    new_what = w.Text(placeholder="A new action", layout=w.Layout(width="40%"))
    new_cat = w.Dropdown(options=[(CATEGORIES.get(c, c), c) for c in ACTION_CATEGORIES], layout=w.Layout(width="190px"))
    new_owner = w.Text(placeholder="owner", layout=w.Layout(width="170px"))
    new_due = w.Text(placeholder="due, e.g. 2026-12-15", layout=w.Layout(width="190px"))
    add = w.Button(description="Add action", button_style="primary")
    msg = w.HTML()

    def do_add(_: Any) -> None:
        if not new_what.value.strip():
            msg.value = error_html("describe the action first")
            return
        _, error = s.add_row(
            "actions",
            {"account_id": account_id, "category": new_cat.value, "action": new_what.value.strip(), "owner": new_owner.value, "due": new_due.value, "status": "open"},
        )
        if error:
            msg.value = error_html(error)
        else:
            rebuild()

    add.on_click(do_add)
    if not rows:
        rows.append(w.HTML("<p class='kamnb-muted'>No actions yet.</p>"))
    return w.VBox([*rows, _item(w.HBox([new_what, new_cat, new_owner, new_due, add]), msg)])
