"""The served workshop screen as HTML: one section per tab, every input naming the cell it saves.

The server renders these strings from a :class:`~kamnb.workshop.session.WorkshopSession`;
the page's script sends a change when an input changes and swaps in fresh
HTML when anyone's change arrives. Every text from the workbook, the banks,
the settings or a file name goes through :func:`kamnb.common.tables.escape`; nothing here is
built from workbook text any other way.

Each input carries ``data-cell``: the JSON of ``{"sheet", "key", "column"}``,
so one small script handles every field.

Example:
    >>> cell("accounts", {"account_id": "A1"}, "growth_potential")
    'data-cell="{&quot;column&quot;: &quot;growth_potential&quot;, &quot;key&quot;: {&quot;account_id&quot;: &quot;A1&quot;}, &quot;sheet&quot;: &quot;accounts&quot;}"'
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from kamnb.common.tables import escape
from kamnb.value.plan import CATEGORIES
from kamnb.workbook.journal import to_text
from kamnb.workbook.reporting_lines import influence_ids
from kamnb.workbook.schema import ACTION_CATEGORIES, ACTION_STATUSES, ANSWERS, DECISION_ROLES, SHEETS

if TYPE_CHECKING:  # pragma: no cover
    from kamnb.workshop.session import WorkshopSession

TABS = ("Classification", "Qualification", "Stakeholders", "Relationship", "Actions")
_e = escape
_BLOCKS: dict[tuple[Any, ...], str] = {}
"""One opportunity's questions as HTML, by what they show (only the opportunity a change touched is drawn again)."""


def cell(sheet: str, key: dict[str, Any], column: str) -> str:
    """The ``data-cell`` attribute naming one cell (escaped for an attribute)."""
    data = {"sheet": sheet, "key": {k: to_text(v) for k, v in key.items()}, "column": column}
    return f'data-cell="{_e(json.dumps(data, sort_keys=True))}"'


def _slug(text: Any) -> str:
    return "".join(ch if (ch.isalnum() or ch in "_-") else "-" for ch in str(text)).strip("-")


def _scale(sheet: str, key: dict[str, Any], column: str, value: Any, css: str) -> str:
    """1 to 5 as five large buttons; the one in force is marked."""
    current = to_text(value)
    buttons = "".join(
        f'<button type="button" data-value="{v}" class="{"on" if current == str(v) else ""}" aria-pressed="{"true" if current == str(v) else "false"}">{v}</button>'
        for v in range(1, 6)
    )
    return f'<div class="choices scale {css}" {cell(sheet, key, column)}>{buttons}</div>'


def _choices(sheet: str, key: dict[str, Any], column: str, value: Any, options: tuple[str, ...], css: str) -> str:
    current = to_text(value)
    buttons = "".join(
        f'<button type="button" data-value="{_e(o)}" class="{"on" if current == o else ""}" aria-pressed="{"true" if current == o else "false"}">{_e(o)}</button>'
        for o in options
    )
    return f'<div class="choices {css}" {cell(sheet, key, column)}>{buttons}</div>'


def _text(sheet: str, key: dict[str, Any], column: str, value: Any, *, placeholder: str = "", css: str = "", area: bool = False, label: str = "") -> str:
    text = _e(to_text(value))
    lab = f'<span class="label">{_e(label)}</span>' if label else ""
    if area:
        return f'<label class="field {css}">{lab}<textarea class="cell" rows="2" placeholder="{_e(placeholder)}" {cell(sheet, key, column)}>{text}</textarea></label>'
    return f'<label class="field {css}">{lab}<input class="cell" type="text" value="{text}" placeholder="{_e(placeholder)}" {cell(sheet, key, column)}></label>'


def _select(sheet: str, key: dict[str, Any], column: str, value: Any, options: list[tuple[str, str]], *, css: str = "", label: str = "") -> str:
    current = to_text(value)
    opts = "".join(f'<option value="{_e(v)}"{" selected" if v == current else ""}>{_e(t)}</option>' for v, t in options)
    lab = f'<span class="label">{_e(label)}</span>' if label else ""
    return f'<label class="field {css}">{lab}<select class="cell" {cell(sheet, key, column)}>{opts}</select></label>'


def _vote(sheet: str, key: dict[str, Any], column: str, scale: str, label: str) -> str:
    data = _e(json.dumps({"sheet": sheet, "key": {k: to_text(v) for k, v in key.items()}, "column": column, "scale": scale, "label": label}, sort_keys=True))
    return f'<button type="button" class="vote" data-poll="{data}" title="Raters vote on this from their own devices">Put to the vote</button>'


def _latest(frame: pd.DataFrame, keys: tuple[str, str], columns: tuple[str, ...]) -> dict[tuple[str, str], dict[str, Any]]:
    """The row in force per item of a history sheet (latest ``assessed_on``, later rows winning ties), as plain dicts.

    The same rule as :meth:`~kamnb.workshop.session.WorkshopSession.current`, in one pass over the account's rows.
    """
    rows = frame.sort_values("assessed_on", kind="stable", na_position="first")
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for values in zip(rows[keys[0]], rows[keys[1]], *(rows[c] for c in columns), strict=True):
        out[(str(values[0]), str(values[1]))] = dict(zip(columns, values[2:], strict=True))
    return out


def _item(body: str, css: str = "") -> str:
    return f'<div class="item {css}">{body}<div class="msg" role="status"></div></div>'


def classification(s: WorkshopSession, account_id: str) -> str:
    """The account's judgements, each 1 to 5 with what the scale means."""
    from kamnb.workshop.session import JUDGEMENTS

    acc = s.wb.accounts.loc[account_id]
    out = []
    for col in JUDGEMENTS:
        spec = SHEETS["accounts"].column(col)
        words = col.replace("_", " ").capitalize()
        key = {"account_id": account_id}
        out.append(_item(
            f'<div class="q"><b>{_e(words)}</b><div class="help">{_e(spec.description)}</div></div>'
            f'<div class="row">{_scale("accounts", key, col, acc[col], f"kamnb-judgement-{col}")}{_vote("accounts", key, col, "score", words)}</div>'
        ))
    goal = _text("accounts", {"account_id": account_id}, "account_goal", acc.get("account_goal", ""), placeholder="The account's goal, from the customer's side", area=True, label="Account goal")
    out.append(_item(goal))
    return "".join(out)


def qualification(s: WorkshopSession, account_id: str) -> str:
    """Per opportunity: every question with its answer buttons, help text and evidence box.

    Every opportunity is in the page; the page shows the one picked (and keeps it picked).
    """
    opps = s.wb.opportunities[s.wb.opportunities["account_id"] == account_id]
    if opps.empty:
        return '<p class="muted">No opportunities for this account yet.</p>'
    picker = "".join(f'<option value="{_e(str(oid))}">{_e(str(r["name"]))} ({_e(str(oid))})</option>' for oid, r in opps.iterrows())
    out = [f'<label class="field wide">Opportunity <select class="opportunity-picker kamnb-opportunity">{picker}</select></label>']
    latest = _latest(s.wb.for_account("qualification", account_id), ("opportunity_id", "question_id"), ("answer", "evidence"))
    questions = list(s.wb.questions.iterrows())
    bank = tuple((str(qid), str(q["text"]), str(q["help"]), bool(q.get("litmus"))) for qid, q in questions)
    for oid in opps.index:
        state = (bank, str(oid), tuple((str(qid), to_text(latest.get((str(oid), str(qid)), {}).get("answer")),
                                                      to_text(latest.get((str(oid), str(qid)), {}).get("evidence"))) for qid, _ in questions))
        block = _BLOCKS.get(state)
        if block is not None:  # this opportunity's answers did not change: its block is the same
            out.append(block)
            continue
        rows = []
        for qid, q in questions:
            key = {"opportunity_id": oid, "question_id": qid}
            now = latest.get((str(oid), str(qid)), {})
            answer, evidence = now.get("answer"), now.get("evidence")
            litmus = ' <span class="muted">(litmus test)</span>' if q.get("litmus") else ""
            text = str(q["text"])
            rows.append(_item(
                f'<div class="q"><b>{_e(text)}</b>{litmus}<div class="help">{_e(str(q["help"]))}</div></div>'
                f'<div class="row">{_choices("qualification", key, "answer", answer, ANSWERS, f"kamnb-answer-{_slug(qid)}")}{_vote("qualification", key, "answer", "answer", text)}</div>'
                + _text("qualification", key, "evidence", evidence, placeholder="Evidence: what do we know that supports the answer?", css=f"kamnb-evidence-{_slug(qid)}", area=True)
            ))
        block = f'<div class="opportunity" data-opportunity="{_e(str(oid))}">{"".join(rows)}</div>'
        if len(_BLOCKS) > 512:
            _BLOCKS.clear()
        _BLOCKS[state] = block
        out.append(block)
    return "".join(out)


def _grid(s: WorkshopSession, people: pd.DataFrame) -> str:
    from kamnb.workshop.panel import grid_svg

    cfg = {**{"high_influence": 4, "supportive": 4, "opposed": 2}, **(s.wb.settings.get("relationships") or {})}
    columns = ["name", "influence", "support"] + (["influences"] if "influences" in people.columns else [])
    records = [{"id": str(sid), **{str(k): v for k, v in rec.items()}} for sid, rec in zip(people.index, people[columns].to_dict("records"), strict=True)]
    return grid_svg(records, width=760, height=430, high=int(cfg["high_influence"]), supportive=int(cfg["supportive"]), opposed=int(cfg["opposed"]))


def stakeholders(s: WorkshopSession, account_id: str) -> str:
    """The decision-making grid and one card per person: name, title, role, influence, support, plan, contact owner."""
    people = s.wb.stakeholders[s.wb.stakeholders["account_id"] == account_id]
    out = [f'<div class="kamnb-grid-box">{_grid(s, people)}</div>']
    roles = [("", "role…")] + [(r, r.replace("_", " ")) for r in DECISION_ROLES]
    has_reports = "reports_to" in SHEETS["stakeholders"].column_names
    names = {str(o): str(n) for o, n in zip(people.index, people["name"], strict=True)}
    if has_reports:
        listing = "".join(f'<option value="{_e(o)}">{_e(n)}</option>' for o, n in names.items())
        out.append(f'<select class="people-master" hidden aria-hidden="true"><option value="">nobody</option>{listing}</select>')
    for sid, p in people.iterrows():
        key = {"stakeholder_id": sid}
        name = str(p["name"])
        line1 = (
            _text("stakeholders", key, "name", p["name"], css="kamnb-person-name", label="Name")
            + _text("stakeholders", key, "title", p["title"], placeholder="title", label="Title")
            + _select("stakeholders", key, "decision_role", p["decision_role"], roles, label="Role")
        )
        line2 = (
            f'<div class="field"><span class="label">Influence</span>{_scale("stakeholders", key, "influence", p["influence"], f"kamnb-influence-{_slug(sid)}")}</div>'
            f'<div class="field"><span class="label">Support</span>{_scale("stakeholders", key, "support", p["support"], f"kamnb-support-{_slug(sid)}")}</div>'
        )
        line3 = _text("stakeholders", key, "contact_owner", p.get("contact_owner", ""), placeholder="who on our side owns the contact", label="Contact owner")
        if has_reports:  # the full list of people is filled in when the box is opened (one list per tab, not one per person)
            boss = to_text(p.get("reports_to", ""))
            shown = [("", "nobody")] + ([(boss, names.get(boss, boss))] if boss else [])
            line3 += _select("stakeholders", key, "reports_to", boss, shown, label="Reports to").replace("<select ", f'<select data-lazy="people" data-self="{_e(str(sid))}" ', 1)
        line4 = _influences(key, str(sid), p.get("influences", ""), names)
        plan = _text("stakeholders", key, "plan", p.get("plan", ""), placeholder="Our plan for this person", area=True, label="Plan", css="kamnb-plan")
        remove = (
            f'<button type="button" class="danger remove kamnb-remove-{_slug(sid)}" data-remove="{_e(json.dumps({"sheet": "stakeholders", "key": {"stakeholder_id": str(sid)}}))}"'
            f' data-name="{_e(name)}">Remove</button>'
        )
        out.append(_item(f'<div class="row wrap">{line1}{remove}</div><div class="row wrap">{line2}</div><div class="row wrap">{line3}</div>{line4}{plan}', "person"))
    role_opts = "".join(f'<option value="{_e(v)}">{_e(t)}</option>' for v, t in roles)
    out.append(_item(
        '<div class="row wrap add" data-add="stakeholders">'
        '<label class="field"><span class="label">New person</span><input type="text" name="name" class="kamnb-new-person" placeholder="Name of a new person"></label>'
        f'<label class="field"><span class="label">Role</span><select name="decision_role">{role_opts}</select></label>'
        '<button type="button" class="primary kamnb-add-person">Add person</button></div>'
    ))
    return "".join(out)


def _influences(key: dict[str, Any], sid: str, value: Any, names: dict[str, str]) -> str:
    """Who this person sways beyond the reporting line (the ``influences`` cell): one chip per person, and a box to add one.

    A click on a chip takes that person off; choosing someone in the box adds
    them; either saves the whole list at once. The box is filled with the
    account's people when it is opened (one list per tab, as for "reports to").

    >>> "Bea ×" in _influences({"stakeholder_id": "A"}, "A", "B", {"A": "Al", "B": "Bea", "C": "Cy"})
    True
    """
    chosen = influence_ids(value)
    chips = "".join(
        f'<button type="button" data-value="{_e(o)}" class="on" aria-pressed="true" title="{_e(names.get(o, o))}: click to take off">{_e(names.get(o, o))} ×</button>'
        for o in chosen
    )
    add = (f'<select class="sway-add" data-lazy="people" data-self="{_e(sid)}" data-none="add someone…" aria-label="add someone this person sways">'
           '<option value="">add someone…</option></select>')
    return (f'<div class="field wide"><span class="label">Sways (beyond the reporting line)</span>'
            f'<div class="choices multi kamnb-influences-{_slug(sid)}" {cell("stakeholders", key, "influences")}>{chips}{add}</div></div>')


def relationship(s: WorkshopSession, account_id: str) -> str:
    """Each relationship indicator: a 1-5 score and the evidence behind it."""
    out = []
    latest = _latest(s.wb.for_account("relationship", account_id), ("account_id", "indicator_id"), ("score", "evidence"))
    for iid, ind in s.wb.indicators.iterrows():
        key = {"account_id": account_id, "indicator_id": iid}
        now = latest.get((str(account_id), str(iid)), {})
        side = {"customer": "their side", "us": "our side", "both": "both sides"}.get(str(ind["side"]), str(ind["side"]))
        name = str(ind["name"])
        out.append(_item(
            f'<div class="q"><b>{_e(name)}</b> <span class="muted">({_e(side)})</span><div class="help">{_e(str(ind["text"]))}</div></div>'
            f'<div class="row">{_scale("relationship", key, "score", now.get("score"), f"kamnb-indicator-{_slug(iid)}")}{_vote("relationship", key, "score", "score", name)}</div>'
            + _text("relationship", key, "evidence", now.get("evidence"), placeholder="Evidence: what shows it?", css=f"kamnb-indicator-evidence-{_slug(iid)}", area=True)
        ))
    return "".join(out)


def actions(s: WorkshopSession, account_id: str) -> str:
    """The action plan: what, owner, due date and status; new actions can be added."""
    acts = s.wb.actions[s.wb.actions["account_id"] == account_id]
    statuses = [(st, st.replace("_", " ")) for st in ACTION_STATUSES]
    out = []
    for aid, a in acts.iterrows():
        key = {"action_id": aid}
        out.append(_item(
            f'<div class="help">{_e(CATEGORIES.get(str(a["category"]), str(a["category"]).replace("_", " & ")))}</div>'
            + _text("actions", key, "action", a["action"], area=True, css="kamnb-action-text")
            + '<div class="row wrap">'
            + _text("actions", key, "owner", a["owner"], placeholder="owner", label="Owner")
            + _text("actions", key, "due", a["due"], placeholder="e.g. 2026-12-15", label="Due", css=f"kamnb-due-{_slug(aid)}")
            + _select("actions", key, "status", a["status"] or "open", statuses, label="Status")
            + "</div>"
        ))
    if not out:
        out.append('<p class="muted">No actions yet.</p>')
    cats = "".join(f'<option value="{_e(c)}">{_e(CATEGORIES.get(c, c))}</option>' for c in ACTION_CATEGORIES)
    out.append(_item(
        '<div class="add" data-add="actions"><label class="field wide"><span class="label">New action</span>'
        '<textarea name="action" rows="2" class="kamnb-new-action" placeholder="A new action"></textarea></label><div class="row wrap">'
        f'<label class="field"><span class="label">Kind</span><select name="category">{cats}</select></label>'
        '<label class="field"><span class="label">Owner</span><input type="text" name="owner" placeholder="owner"></label>'
        '<label class="field"><span class="label">Due</span><input type="text" name="due" placeholder="e.g. 2026-12-15"></label>'
        '<button type="button" class="primary kamnb-add-action">Add action</button></div></div>'
    ))
    return "".join(out)


BUILDERS = {
    "Classification": (classification, ("accounts",)),
    "Qualification": (qualification, ("opportunities", "qualification")),
    "Stakeholders": (stakeholders, ("stakeholders",)),
    "Relationship": (relationship, ("relationship",)),
    "Actions": (actions, ("actions",)),
}
"""Each tab's builder and the sheets it shows (it is drawn again only when one of them changed)."""


def tabs(s: WorkshopSession, account_id: str) -> dict[str, str]:
    """Every tab's HTML for one account, by tab title."""
    return {title: build(s, account_id) for title, (build, _) in BUILDERS.items()}


def poll_panel(poll: dict[str, Any] | None, votes: dict[str, str], rate_url: str, qr_svg: str) -> str:
    """The facilitator's view of the vote in progress: who voted (hidden in blind mode), consensus and spread."""
    if not poll:
        return ""
    from kamnb.qualification.score import consensus

    label, scale = str(poll["label"]), str(poll["scale"])
    hidden = poll.get("blind") and not poll.get("revealed")
    out = [f'<div class="poll" data-poll-id="{_e(str(poll["id"]))}"><h2>Vote: {_e(label)}</h2>']
    out.append(f'<div class="poll-join"><div class="qr">{qr_svg}</div><div>Raters open <a class="rate-link" href="{_e(rate_url)}">{_e(rate_url)}</a></div></div>')
    if not votes:
        out.append('<div class="muted">No votes yet.</div>')
    elif hidden:
        out.append(f'<div class="votes-hidden"><b>{len(votes)}</b> vote(s) in, hidden until you reveal them: {_e(", ".join(votes))}</div>')
    else:
        rows = "".join(f'<tr><td>{_e(who)}</td><td class="num vote-value">{_e(v)}</td></tr>' for who, v in votes.items())
        value, spread = consensus(list(votes.values()), scale)
        shown = "–" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
        gap = "–" if pd.isna(spread) else (f"{spread:g}" if scale == "score" else f"{spread * 100:.0f}%")
        out.append(f'<table class="votes"><tr><th>Rater</th><th class="num">Vote</th></tr>{rows}</table>')
        out.append(f'<div class="consensus">Consensus <b class="kamnb-consensus">{_e(shown)}</b> · spread <b class="kamnb-spread-value">{_e(gap)}</b> · {len(votes)} rater(s)</div>')
    buttons = []
    if hidden:
        buttons.append('<button type="button" class="primary poll-reveal">Reveal votes</button>')
    elif votes:
        buttons.append('<button type="button" class="primary poll-record">Record the consensus</button>')
    buttons.append('<button type="button" class="poll-close">Close the vote</button>')
    out.append(f'<div class="row">{"".join(buttons)}</div></div>')
    return "".join(out)
