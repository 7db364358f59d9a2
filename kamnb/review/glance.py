"""The account at a glance: the first screen of every review.

:func:`account_glance` gathers, for one account, what its director reads
before anything else: the tier and its one-line reason, the key score and
the definitions that call the account key, revenue, growth, margin and
contribution with the change since the last assessment, the factored
forecast split into retention and growth, the relationship score with its
trend and the contact-map coverage, the buy-sell position, the top red flags
and the next three actions. Every number comes from the step modules
(classification, forecast, relationship score, contact map, red flags, action
plan); nothing is computed twice. Each item links to the review's section
that explains it (the ids :func:`kamnb.batch.report.anchor` gives the headings).

The result renders as compact HTML cards that fit one 1280×800 screen
(:meth:`AccountGlance._repr_html_`) and as plain text.

Example:
    >>> from kamnb.workbook import load_workbook
    >>> g = account_glance(load_workbook("data/sample"), "ACC-001")
    >>> g.tier, g.items["forecast"].value
    ('Retain / defend', '€3.25M')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamnb.classification import hierarchy
from kamnb.common.formatting import date, money, number, percent
from kamnb.common.tables import escape

SECTIONS = {
    "tier": "Tier and resource recommendation",
    "key_score": "Why this account is classified as it is",
    "money": "Its place in the portfolio",
    "forecast": "Forecast: factored value",
    "relationship": "Relationship score",
    "position": "Portfolio matrix",
    "flags": "Red flags",
    "actions": "Action plan",
}
"""The heading of the section each first-screen item links to (the review gives each heading an id from its text)."""


TOC_MARKER = "<!--kamnb:toc-->"
"""Where the review puts its table of contents: right after the first screen."""
NEXT_ACTIONS = 3
TOP_FLAGS = 3


@dataclass
class Item:
    """One card of the first screen: a title, the headline value, lines under it, the section it links to."""

    title: str
    value: str
    lines: list[str] = field(default_factory=list)
    section: str = ""
    tone: str = ""


@dataclass
class AccountGlance:
    """The first screen of one account's review (see :func:`account_glance`)."""

    account_id: str
    name: str
    tier: str
    tier_reason: str
    items: dict[str, Item]
    flags: list[dict[str, str]]
    actions: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.name} ({self.account_id})", f"Tier: {self.tier} - {self.tier_reason}"]
        for item in self.items.values():
            lines.append(f"{item.title}: {item.value}" + "".join(f"; {x}" for x in item.lines))
        lines.append("Red flags: " + ("; ".join(f"{f['severity']}: {f['title']}" for f in self.flags) or "none"))
        for a in self.actions:
            lines.append(f"Next: {a['action']} ({a['owner']}, due {a['due']}{', OVERDUE' if a['overdue'] else ''})")
        return "\n".join(lines + [f"Note: {n}" for n in self.notes])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return render(self)


def _link(section: str) -> str:
    from kamnb.batch.report import anchor

    return "#" + anchor(SECTIONS[section])


def _change(now: float, before: float, currency: str) -> str:
    if pd.isna(now) or pd.isna(before) or not before:
        return ""
    delta = now - before
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f"{sign}{money(abs(delta), currency, short=True)} ({sign}{abs(delta) / abs(before) * 100:.0f}%)"


def _signed(value: float, unit: str = "") -> str:
    if pd.isna(value):
        return "–"
    rounded = round(float(value))
    return ("+" if rounded > 0 else ("−" if rounded < 0 else "±")) + f"{abs(rounded)}{unit}"


def _tier_name(settings: dict[str, Any], tier: str) -> str:
    names = ((settings.get("classification") or {}).get("tiers") or {}).get("names") or {}
    return str(names.get(tier, tier.capitalize() if tier else "not classified"))


def _classification(wb: Any, account_id: str, currency: str) -> tuple[dict[str, Item], str, str]:
    from kamnb.classification import score as cls

    result = cls.classify(wb)
    row = result.loc[account_id]
    account = wb.account(account_id)
    key_at = float(cls.classification_settings(wb.settings).get("key_at", 65))
    calls = [d.title for d in cls.DEFINITIONS if bool(row.get(f"key_by_{d.id}", False))]
    key_score = row["key_score"]
    items: dict[str, Item] = {}
    items["key_score"] = Item(
        "Key score",
        f"{number(key_score)} / 100",
        [
            ("a key account" if bool(row["is_key"]) else "not a key account") + f" (key from {number(key_at)}), rank {int(row['key_rank'])} of {len(result)}",
            (f"Called key by {len(calls)} of {int(row['definitions_computed'])} definitions: " + ", ".join(calls)) if calls else "No definition calls it key on its own",
        ]
        + ([f"Trap: {row['traps']}"] if isinstance(row.get("traps"), str) and row["traps"] else []),
        "key_score",
    )
    rev, prev = float(account.get("revenue_12m", float("nan"))), float(account.get("revenue_prev_12m", float("nan")))
    margin = float(account.get("gross_margin_pct", float("nan")))
    gross = float(row["gross_profit"])
    cost = float(account.get("cost_to_serve", float("nan")))
    contribution = float(row["contribution"]) if "contribution" in row.index else (gross - cost if pd.notna(cost) else float("nan"))
    growth = (rev / prev - 1) * 100 if pd.notna(prev) and prev else float("nan")
    before = _last_assessment(wb, account_id)
    change = _change(rev, float(before.get("revenue_12m", float("nan"))), currency) if before is not None else ""
    since = f" since {date(before['assessed_on'])}" if before is not None else ""
    items["money"] = Item(
        "Revenue, last 12 months",
        money(rev, currency, short=True),
        [
            (f"{change}{since}" if change else "no earlier assessment to compare with"),
            f"Growth {_signed(growth, '%')} on the previous 12 months",
            f"Gross margin {percent(margin)}",
            ("!" if pd.notna(contribution) and contribution < 0 else "") + f"Contribution after cost to serve {money(contribution, currency, short=True)}",
            f"Revenue rank {int(row['revenue_rank'])} of {len(result)}, {percent(row['revenue_share_pct'])} of the portfolio",
        ],
        "money",
    )
    pos = account.get("buy_sell_position")
    prev_pos = before.get("buy_sell_position") if before is not None else None
    pos_lines = [f"Portfolio matrix: {row['quadrant']} (attractiveness {number(row['attractiveness'])}, strength {number(row['strength'])})"]
    if prev_pos is not None and pd.notna(prev_pos) and pd.notna(pos) and int(prev_pos) != int(pos):
        pos_lines.append(f"Was {int(prev_pos)} {hierarchy.level_name(prev_pos, wb.settings)}{since}")
    pos_lines.append(f"Partnership: {row['partnership']}")
    items["position"] = Item(
        "Buy-sell position",
        f"{int(pos)} of 5, {hierarchy.level_name(pos, wb.settings)}" if pd.notna(pos) else "not assessed",
        pos_lines,
        "position",
    )
    tier = _tier_name(wb.settings, str(row["tier"]) if pd.notna(row["tier"]) else "")
    reason = str(row["tier_reason"]) if pd.notna(row["tier_reason"]) else ""
    reason = reason[:1].upper() + reason[1:]
    items["tier"] = Item("Tier", tier, [reason, f"Recommendation: {row['resources']}"] if pd.notna(row.get("resources")) else [reason], "tier")
    return items, tier, reason


def _last_assessment(wb: Any, account_id: str) -> pd.Series | None:
    history = wb.sheets.get("history") if hasattr(wb, "sheets") else None
    if history is None or history.empty:
        return None
    rows = history[history["account_id"] == account_id]
    if rows.empty:
        return None
    return rows.sort_values("assessed_on").iloc[-1]


def _forecast(wb: Any, account_id: str, currency: str) -> Item:
    from kamnb.qualification import forecast

    table = forecast.account_forecast(wb)
    if account_id not in table.index or not table.loc[account_id, "opportunities"]:
        return Item("Factored forecast", "no opportunities", ["The opportunities sheet has none for this account."], "forecast")
    f = table.loc[account_id]
    lines = [
        f"Retention {money(f['factored_retention'], currency, short=True)}, growth {money(f['factored_growth'], currency, short=True)}",
        f"of {money(f['pipeline_value'], currency, short=True)} open; weighted likelihood {percent(f['weighted_likelihood'] * 100)}",
    ]
    pipe = forecast.pipeline(wb, account_id)
    largest = forecast.largest_open(wb, account_id)
    if largest is not None and largest in pipe.index:
        big = pipe.loc[largest]
        chance = percent(big["likelihood"] * 100) if pd.notna(big["likelihood"]) else "not qualified"
        lines.append(f"Largest open: {big['name']}, {money(big['value'], currency, short=True)} at {chance}")
    if f.get("qualified_out_count"):
        lines.append(f"{int(f['qualified_out_count'])} qualified out ({money(f['qualified_out_value'], currency, short=True)})")
    return Item("Factored forecast", money(f["factored_value"], currency, short=True), lines, "forecast")


def _relationship(wb: Any, account_id: str) -> Item:
    from kamnb.relationships import grid as rel
    from kamnb.relationships import score as rsc

    scores = rsc.relationship_scores(wb)
    score = scores.loc[account_id, "score"] if account_id in scores.index else float("nan")
    history = rsc.score_history(wb, account_id)
    lines = []
    if len(history) >= 2:
        prev = history.iloc[-2]
        lines.append(f"{_signed(score - prev['score'])} since {date(prev['assessed_on'])} (was {number(prev['score'])})")
    else:
        lines.append("no earlier assessment to compare with")
    cmap = rel.contact_map(wb)
    if account_id in cmap.index:
        c = cmap.loc[account_id]
        lines.append(f"Contact-map coverage {number(c['coverage'])} / 100: {c['shape']}")
    return Item("Relationship score", f"{number(score)} / 100" if pd.notna(score) else "not scored", lines, "relationship")


def _flags(wb: Any, account_id: str) -> list[dict[str, str]]:
    from kamnb.relationships import redflags

    found = redflags.red_flags(wb, account_id)
    titles = {name: flag.title for name, flag in redflags.RED_FLAGS.items()}
    return [
        {"severity": str(r["severity"]), "title": titles.get(str(r["flag"]), str(r["flag"])), "detail": str(r["detail"])}
        for _, r in found.head(TOP_FLAGS).iterrows()
    ] + ([{"severity": "", "title": f"and {len(found) - TOP_FLAGS} more", "detail": ""}] if len(found) > TOP_FLAGS else [])


def _actions(wb: Any, account_id: str) -> list[dict[str, Any]]:
    from kamnb.value import plan

    table = plan.action_plan(wb, account_id).table
    active = table[~table["status"].isin(plan.CLOSED)].copy()
    active["_late"] = ~active["overdue"]
    active = active.sort_values(["_late", "due"], kind="stable", na_position="last").head(NEXT_ACTIONS)
    return [
        {"action": str(r["action"]), "owner": str(r["owner"] or "no owner"), "due": date(r["due"]), "overdue": bool(r["overdue"]),
         "days_overdue": int(r["days_overdue"])}
        for _, r in active.iterrows()
    ]


def attempt_step(notes: list[str], what: str, fn: Any) -> Any:
    """``fn()``, or None with one sentence in ``notes`` when it fails: one failing step must not hide the others.

    >>> notes = []
    >>> attempt_step(notes, "the forecast", lambda: 1 / 0), notes
    (None, ['the forecast could not be computed: ZeroDivisionError: division by zero'])
    """
    try:
        return fn()
    except Exception as err:  # noqa: BLE001 - one failing step must not hide the others
        notes.append(f"{what} could not be computed: {type(err).__name__}: {err}")
        return None


def account_glance(wb: Any, account_id: str) -> AccountGlance:
    """Everything the first screen of ``account_id``'s review shows.

    A part whose step cannot be computed (a settings error, a missing sheet)
    shows "could not be computed" with the reason, and the rest still shows.

    Example:
        >>> from kamnb.workbook import load_workbook
        >>> g = account_glance(load_workbook("data/sample"), "ACC-001")
        >>> [a["owner"] for a in g.actions]
        ['Marc Dubois', 'Ingrid Solberg', 'Jana Weber']
    """
    account = wb.account(account_id)
    currency = wb.settings.get("currency", "EUR")
    notes: list[str] = []
    items: dict[str, Item] = {}
    tier, reason = "not classified", ""

    def attempt(what: str, fn: Any) -> Any:
        return attempt_step(notes, what, fn)

    got = attempt("the classification", lambda: _classification(wb, account_id, currency))
    if got:
        items_c, tier, reason = got
        items.update(items_c)
    forecast_item = attempt("the forecast", lambda: _forecast(wb, account_id, currency))
    relationship_item = attempt("the relationship score", lambda: _relationship(wb, account_id))
    order = ["tier", "key_score", "money", "forecast", "relationship", "position"]
    if forecast_item:
        items["forecast"] = forecast_item
    if relationship_item:
        items["relationship"] = relationship_item
    items = {k: items[k] for k in order if k in items}
    flags = attempt("the red flags", lambda: _flags(wb, account_id)) or []
    actions = attempt("the action plan", lambda: _actions(wb, account_id)) or []
    return AccountGlance(str(account_id), str(account.get("name", account_id)), tier, reason, items, flags, actions, notes)


# --------------------------------------------------------------------------- HTML



def css() -> str:
    """The first screen's style sheet (``templates/review/glance.css``; the review page carries it too)."""
    from kamnb.batch.report import TEMPLATES

    return (TEMPLATES / "review" / "glance.css").read_text(encoding="utf-8")


def short(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with "…" when cut.

    >>> short("every contact runs through Lukas Brandt", 20)
    'every contact runs…'
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return cut + "…"


FLAG_DETAIL = 80
ACTION_TEXT = 120


def _e(text: Any) -> str:
    return escape(text)


def _card(item: Item, extra: str = "") -> str:
    return card_html(item, _link(item.section), extra)


def card_html(item: Item, href: str, extra: str = "") -> str:
    """One first-screen card: its title linking to ``href``, the value, its lines (a leading "!" marks a bad one); escaped.

    >>> card_html(Item("Tier", "<b>", ["!late"], "tier"), "#tier")
    '<div class="card " data-item="tier"><div class="label"><a href="#tier">Tier</a></div><div class="value">&lt;b&gt;</div><p class="bad">late</p></div>'
    """
    lines = "".join(f'<p class="bad">{_e(x[1:])}</p>' if x.startswith("!") else f"<p>{_e(x)}</p>" for x in item.lines if x)
    tone = f" {item.tone}" if item.tone else ""
    return (f'<div class="card {extra}{tone}" data-item="{_e(item.section)}"><div class="label"><a href="{_e(href)}">{_e(item.title)}</a></div>'
            f'<div class="value">{_e(item.value)}</div>{lines}</div>')


def render(glance: AccountGlance) -> str:
    """The first screen as HTML cards (escaped; links to the sections).

    Example:
        >>> from kamnb.workbook import load_workbook
        >>> page = render(account_glance(load_workbook("data/sample"), "ACC-007"))
        >>> page.count('class="card') >= 8 and "<script" not in page
        True
    """
    out = [f"<style>{css()}</style>", '<section class="kamnb-glance" aria-label="the account at a glance">']
    for key, item in glance.items.items():
        out.append(_card(item, "tier" if key == "tier" else ""))
    flags = glance.flags
    out.append(f'<div class="card" data-item="flags"><div class="label"><a href="{_link("flags")}">Top red flags</a></div>')
    if flags:
        out.append('<ul class="flags">')
        for f in flags:
            sev = f'<span class="sev {_e(f["severity"])}">{_e(f["severity"])}</span>' if f["severity"] else ""
            detail = f' <span class="muted">{_e(short(f["detail"], FLAG_DETAIL))}</span>' if f["detail"] else ""
            out.append(f'<li title="{_e(f["detail"])}">{sev}{_e(f["title"])}{detail}</li>')
        out.append("</ul>")
    else:
        out.append('<div class="value">none</div><p class="muted">No red-flag rule fires for this account.</p>')
    out.append("</div>")
    out.append(f'<div class="card span2" data-item="actions"><div class="label"><a href="{_link("actions")}">Next three actions</a></div>')
    if glance.actions:
        out.append("<table><tbody>")
        for a in glance.actions:
            late = f' <span class="overdue">{a["days_overdue"]} days overdue</span>' if a["overdue"] else ""
            out.append(f'<tr><td title="{_e(a["action"])}">{_e(short(a["action"], ACTION_TEXT))}</td><td class="owner">{_e(a["owner"])}</td><td class="due">{_e(a["due"])}{late}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append('<p class="muted">No open action: the actions sheet has none for this account and no red flag or qualification gap calls for one.</p>')
    out.append("</div>")
    for n in glance.notes:
        out.append(f'<div class="card wide muted">{_e(n)}</div>')
    out.append("</section>")
    out.append(TOC_MARKER)
    return "".join(out)
