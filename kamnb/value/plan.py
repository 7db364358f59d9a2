"""The account goal and the action plan.

The goal is written from the customer's side and from the end result
backwards: what the customer will have achieved, and how they will see us
then, not what we want to sell. :func:`goal_check` applies a few plain rules
to the ``account_goal`` field of the accounts sheet.

The plan groups the after-sale work in three headings: consult & advise, care
& cultivate, sell & service. :func:`action_plan` takes the actions sheet and
adds actions derived from the account's red flags and qualification gaps when
those steps are available. An action is *overdue* when it is due before the
review's as-of date and is neither done nor dropped.

Example:
    >>> check = check_goal("Grow our revenue with Alpha by selling them the analytics module", "Alpha Freight")
    >>> check.ok, [r.rule for r in check.rules if not r.passed]
    (False, ['result_named', 'not_our_sale', 'measurable'])
    >>> check_goal("Be seen by Alpha's COO as the partner who cut their cross-dock time by 20 % by 2028", "Alpha Freight").ok
    True
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamnb import settings as kamnb_settings
from kamnb.common.formatting import date
from kamnb.common.tables import escape, html_notes, html_table
from kamnb.value.actions import CLOSED, overdue_mask
from kamnb.workbook import Workbook, banks

CATEGORIES = {"consult_advise": "Consult & advise", "care_cultivate": "Care & cultivate", "sell_service": "Sell & service"}
OVERDUE = "overdue"
CLOSED_ROW = "closed"

# Built-in word lists of the goal check; a list under `plan: goal_words:` in settings.yaml replaces
# the one of the same name. Every other plan setting and its default is in kamnb/defaults/settings.yaml.
GOAL_WORDS: dict[str, list[str]] = {
    "customer": ["customer", "client", "their", "them", "they", "users", "decision-makers", "management", "board"],
    "result": [
        "reduce", "reduced", "reducing", "cut", "cuts", "lower", "faster", "quicker", "speedier", "shorter", "improve",
        "improved", "improving", "better", "save", "saves", "saving", "savings", "increase", "grow", "growth", "fewer",
        "less", "results", "efficiency", "productivity", "profit", "profitability", "cost", "costs", "quality", "uptime",
        "availability", "reliable", "reliability", "compliance", "compliant", "safer", "risk", "satisfaction", "on time",
        "time to market", "errors", "delays", "downtime", "achieve", "reach", "halve", "double", "raise", "lift", "shorten",
        "speed up", "accuracy", "waiting time", "lead time", "on schedule", "in real time",
    ],
    "sale": [
        "sell", "sells", "selling", "sold", "upsell", "up-sell", "cross-sell", "our revenue", "our sales", "our share",
        "share of wallet", "our margin", "win the", "win a", "close the deal", "sign the", "renewal", "renew our",
        "extend our", "our contract", "quota", "purchase order", "more business", "our products", "our product",
        "licences", "licenses", "deal", "preferred supplier", "preferred vendor", "supplier of choice", "sole supplier",
        "our footprint", "our presence", "spend with",
    ],
    # The customer doing the buying: the customer's name (or they / the customer) followed by one of these.
    "buying": ["buy", "buys", "order", "orders", "purchase", "purchases", "sign", "signs", "renew", "renews", "extend", "extends",
               "award", "awards", "choose", "chooses", "select", "selects", "license", "licenses", "adopt", "adopts", "commit", "commits",
               "place", "places", "spend", "spends"],
    # We are the one who gains: these words right after a verb or noun of the goal.
    "us": ["from us", "with us", "to us", "for us", "through us"],
    # Growing our business at the customer: one of these verbs, then one of these nouns, then with / at / in / from.
    "grow_verbs": ["grow", "increase", "double", "triple", "expand", "raise", "lift", "boost"],
    "grow_nouns": ["revenue", "sales", "business", "turnover", "spend", "wallet", "footprint", "presence", "volume", "orders", "account"],
}


def plan_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The ``plan:`` settings over the built-in defaults (word lists replace the defaults whole).

    >>> plan_settings({"plan": {"gap_due_days": 10}})["gap_due_days"]
    10
    """
    own = settings.get("plan") if isinstance(settings, dict) else None
    own = {k: v for k, v in own.items() if v is not None} if isinstance(own, dict) else {}
    out = kamnb_settings.section({"plan": own}, "plan")
    words = {k: list(v) for k, v in GOAL_WORDS.items()}
    words.update({k: v for k, v in (out.get("goal_words") or {}).items() if v is not None})
    out["goal_words"] = words
    return out


# --------------------------------------------------------------------------- account goal


@dataclass(frozen=True)
class GoalRule:
    """One rule applied to the goal: whether it passed and what to do if not.

    Example:
        >>> GoalRule("written", "A goal is written", True, "").required
        True
    """

    rule: str
    label: str
    passed: bool
    hint: str
    required: bool = True


@dataclass
class GoalCheck:
    """The account goal and the verdict of each rule. ``ok`` when every required rule passes.

    Example:
        >>> check_goal("Grow Acme revenue by 10% by 2027", "Acme").rules[0].label
        'A goal is written'
    """

    account_id: str
    name: str
    goal: str
    rules: list[GoalRule]

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.rules if r.required)

    @property
    def issues(self) -> str:
        """The labels of the failed required rules, ``; ``-separated (empty when ok)."""
        if not self.goal:
            return "no goal written"
        return "; ".join(r.label for r in self.rules if r.required and not r.passed)

    def _repr_html_(self) -> str:
        colour = "#2e8b57" if self.ok else "#c23b3b"
        state = "ok" if self.ok else "bad"
        verdict = "Written from the customer's side" if self.ok else "Needs rework"
        body = escape(self.goal) if self.goal else "<em>No account goal written yet.</em>"
        items = []
        for r in self.rules:
            mark = "✓" if r.passed else ("✗" if r.required else "–")
            tail = "" if r.passed else f" — {escape(r.hint)}"
            items.append(f"<li>{mark} {escape(r.label)}{tail}</li>")
        return (
            f'<div class="kamnb-goal {state}" style="border-left:4px solid {colour};padding:4px 12px;margin:4px 0">'
            f'<div class="kamnb-goal-head" style="font-size:0.85em;color:#7b8794">Account goal of {escape(self.name)} ({escape(self.account_id)})'
            f' · <strong class="kamnb-verdict" style="color:{colour}">{verdict}</strong></div>'
            f'<div class="kamnb-goal-text" style="font-size:1.15em;margin:4px 0">{body}</div>'
            f'<ul class="kamnb-goal-rules" style="font-size:0.85em;margin:2px 0;list-style:none;padding-left:0">{"".join(items)}</ul></div>'
        )

    def __repr__(self) -> str:
        lines = [f"Account goal ({self.account_id}): {self.goal or '(none written)'}", f"Verdict: {'ok' if self.ok else 'needs rework'}"]
        for r in self.rules:
            mark = "ok  " if r.passed else ("FAIL" if r.required else "tip ")
            lines.append(f"  {mark} {r.label}" + ("" if r.passed else f": {r.hint}"))
        return "\n".join(lines)


def _phrase_pattern(words: list[str], *, not_ours: bool = False) -> re.Pattern[str] | None:
    """Whole words or phrases, any case; with ``not_ours``, not followed by 'our' ('grow our revenue' is no customer result)."""
    words = [str(w).strip() for w in words if str(w).strip()]
    if not words:
        return None
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    tail = r"(?!\s+(?:our|us)\b)" if not_ours else ""
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-]){tail}", re.IGNORECASE)


def _name_words(name: str) -> list[str]:
    """Distinctive words of a customer name: 'Nordlicht Logistics GmbH' -> ['Nordlicht Logistics GmbH', 'Nordlicht']."""
    first = re.split(r"[\s,]+", name.strip())[0] if name.strip() else ""
    return [w for w in {name.strip(), first} if len(w) >= 3]


def _alternatives(words: Any) -> str:
    items = [str(w).strip() for w in (words or []) if str(w).strip()]
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(items, key=len, reverse=True)) or "(?!)"


def _our_gain(goal: str, customer_name: str, words: dict[str, Any]) -> list[str]:
    """Phrases that make a goal our sale, each with why: we gain, the customer buys, we grow at the customer."""
    found: list[str] = []
    names = _alternatives([*_name_words(customer_name), "they", "the customer", "the client"])
    buying = re.compile(rf"(?<![\w-])(?:{names})(?:'s?)?(?:\s+to)?\s+(?:{_alternatives(words.get('buying'))})(?![\w-])", re.IGNORECASE)
    us = re.compile(rf"(?<![\w-])(?:{_alternatives(words.get('us'))})(?![\w-])", re.IGNORECASE)
    grow = re.compile(rf"(?<![\w-])(?:{_alternatives(words.get('grow_verbs'))})\s+(?:the\s+|our\s+)?(?:{_alternatives(words.get('grow_nouns'))})"
                      rf"\s+(?:with|at|in|from)(?![\w-])", re.IGNORECASE)
    for m in buying.finditer(goal):
        found.append(f"'{m.group(0)}': the customer buying from us is our result, not theirs")
    for m in us.finditer(goal):
        found.append(f"'{m.group(0)}': we are the one who gains")
    for m in grow.finditer(goal):
        found.append(f"'{m.group(0)}': our growth at the customer")
    return found


def check_goal(goal: str, customer_name: str, settings: dict[str, Any] | None = None, account_id: str = "") -> GoalCheck:
    """Apply the goal rules to one goal text (see the module docstring for an example).

    Required rules: the goal is written; it names the customer or its people;
    it names a result for the customer; it does not read as our sale. Advice:
    it holds a number or date, so both sides can tell when it is reached.

    Example:
        >>> check_goal("Grow Acme revenue by 10% by 2027", "Acme").ok
        True
    """
    words = plan_settings(settings or {})["goal_words"]
    goal = (goal or "").strip()
    customer = _phrase_pattern(list(words.get("customer", [])) + _name_words(customer_name))
    result = _phrase_pattern(list(words.get("result", [])), not_ours=True)
    sale = _phrase_pattern(list(words.get("sale", [])))
    sale_hits = sorted({f"'{m.group(0).lower()}'" for m in sale.finditer(goal)}) if sale else []
    sale_hits += _our_gain(goal, customer_name, words)
    written = bool(goal)
    measurable = bool(re.search(r"\d", goal))
    rules = [
        GoalRule("written", "A goal is written", written,
                 "write it in the accounts sheet, column account_goal: the customer's end result, and how they will see us then"),
        GoalRule("customer_named", "Names the customer or its people", written and bool(customer and customer.search(goal)),
                 f"say whose result it is ({customer_name.split()[0] if customer_name.strip() else 'the customer'}, their COO, their users)"),
        GoalRule("result_named", "Names a result the customer gets (a change or a target)",
                 written and (bool(result and result.search(goal)) or measurable),
                 "say what the customer gets, with a target: lower cost, faster response, fewer errors, better results"),
        GoalRule("not_our_sale", "Speaks of their result, not our sale", written and not sale_hits,
                 "reads as our sale (" + "; ".join(sale_hits) + "); turn it round to what the customer gains"
                 if sale_hits else "write a goal first"),
        GoalRule("measurable", "Holds a number or date", measurable,
                 "add a number or date so both sides can tell when it is reached", required=False),
    ]
    return GoalCheck(account_id, customer_name, goal, rules)


def goal_check(wb: Workbook, account_id: str) -> GoalCheck:
    """Check one account's goal (accounts sheet, column ``account_goal``).

    Example:
        >>> goal_check(wb, "ACC-001").ok
        True
    """
    acc = wb.account(account_id)
    return check_goal(str(acc.get("account_goal", "")), str(acc.get("name", account_id)), wb.settings, account_id)


# --------------------------------------------------------------------------- action plan

PLAN_COLUMNS = ["action_id", "category", "action", "owner", "due", "status", "source", "overdue", "days_overdue"]


@dataclass
class ActionPlan:
    """One account's actions, grouped by heading, with overdue ones marked.

    ``table`` columns: action_id, category, action, owner, due, status, source
    (``workbook``, ``red flag``, ``qualification`` or ``whitespace``), overdue (bool),
    days_overdue (0 when not overdue). ``notes`` say which sources were left out.

    Example:
        >>> plan = action_plan(load_workbook("data/sample"), "ACC-001")
        >>> plan.account_id
        'ACC-001'
    """

    account_id: str
    name: str
    as_of: pd.Timestamp
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> pd.DataFrame:
        return self.table[self.table["overdue"]]

    def summary(self) -> str:
        t = self.table
        active = int((~t["status"].isin(CLOSED)).sum())
        late = int(t["overdue"].sum())
        return (
            f"{len(t)} actions for {self.name} as of {date(self.as_of)}: {active} open or in progress, "
            + (f"{late} overdue (highlighted)." if late else "none overdue.")
        )

    def _frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        status = [
            f"{s.replace('_', ' ')} – {d} days overdue" if o else (s.replace("_", " ") or "–")
            for s, o, d in zip(rows["status"], rows["overdue"], rows["days_overdue"], strict=True)
        ]
        return pd.DataFrame(
            {
                "Action": list(rows["action"]),
                "Owner": [o or "(no owner)" for o in rows["owner"]],
                "Due": [date(d) for d in rows["due"]],
                "Status": status,
                "From": list(rows["source"]),
                "Id": list(rows["action_id"]),
            }
        )

    def _repr_html_(self) -> str:
        parts = [f"<p>{escape(self.summary())}</p>"]
        for key, label in CATEGORIES.items():
            rows = self.table[self.table["category"] == key]
            parts.append(f'<p class="kamnb-heading" style="margin:10px 0 2px 0"><strong>{escape(label)}</strong></p>')
            if rows.empty:
                parts.append("<p><em>No action under this heading yet.</em></p>")
                continue
            styles = [OVERDUE if o else (CLOSED_ROW if s in CLOSED else "") for o, s in zip(rows["overdue"], rows["status"], strict=True)]
            parts.append(html_table(self._frame(rows), row_classes=styles, bold_first=False, nowrap=("Owner", "Due", "From", "Id")))
        parts.append(html_notes(self.notes, title="Sources"))
        return "".join(parts)

    def __repr__(self) -> str:
        lines = [self.summary()]
        for key, label in CATEGORIES.items():
            rows = self.table[self.table["category"] == key]
            lines += ["", label + ":"]
            if rows.empty:
                lines.append("  (none)")
            else:
                frame = self._frame(rows)
                frame.insert(0, "!", ["OVERDUE" if o else "" for o in rows["overdue"]])
                lines.append(frame.to_string(index=False))
        return "\n".join(lines + [""] + [f"- {n}" for n in self.notes])


def _derived_red_flags(wb: Workbook, account_id: str, owner: str, today: pd.Timestamp, cfg: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    from kamnb.relationships.redflags import RED_FLAGS, red_flags

    flags = red_flags(wb, account_id)
    flags = flags[flags["account_id"] == account_id] if "account_id" in flags else flags
    rank = {"high": 0, "medium": 1, "low": 2}
    flags = flags.assign(_rank=flags["severity"].map(rank).fillna(3)).sort_values(["_rank", "flag"], kind="stable")
    days = cfg["red_flag_due_days"]
    rows = []
    for n, (_, f) in enumerate(flags.iterrows(), start=1):
        detail = str(f.get("detail", "") or "").strip()
        title = RED_FLAGS[f["flag"]].title if f["flag"] in RED_FLAGS else f["flag"]
        text = f"Act on red flag '{title}'" + (f": {detail}" if detail else "")
        rows.append({
            "action_id": f"RF-{n}", "category": cfg["red_flag_category"], "action": text, "owner": owner,
            "due": today + pd.Timedelta(days=int(days.get(str(f["severity"]), days.get("medium", 30)))),
            "status": "open", "source": f"red flag ({f['severity']})",
        })
    notes.append(f"Red flags: {len(rows)} action(s) added from the relationship step." if rows else "Red flags: none for this account.")
    return rows


def _derived_gaps(wb: Workbook, account_id: str, owner: str, today: pd.Timestamp, cfg: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    from kamnb.qualification.gaps import weakest_questions

    gaps = weakest_questions(wb, account_id).head(int(cfg["max_gap_actions"]))
    rows = []
    for n, (_, g) in enumerate(gaps.iterrows(), start=1):
        question = str(g.get("question", "") or g.get("question_id", "")).strip()
        weak = str(g.get("weak_answers", "") or "").strip()
        text = f"Close the qualification gap: {question}" + (f" (now: {weak})" if weak else "")
        rows.append({
            "action_id": f"QG-{n}", "category": cfg["gap_category"], "action": text, "owner": owner,
            "due": today + pd.Timedelta(days=int(cfg["gap_due_days"])), "status": "open", "source": "qualification gap",
        })
    notes.append(f"Qualification gaps: {len(rows)} action(s) added from the weakest questions." if rows else "Qualification gaps: none open for this account.")
    return rows


def _derived_whitespace(wb: Workbook, account_id: str, owner: str, today: pd.Timestamp, notes: list[str]) -> list[dict[str, Any]]:
    from kamnb.whitespace import account_map, plan_rows

    if account_map(wb, account_id).empty:
        return []
    rows = plan_rows(wb, account_id, owner, today)
    notes.append(f"Whitespace: {len(rows)} action(s) added from the biggest gaps." if rows else "Whitespace: no gap with room for this account.")
    return rows


def action_plan(wb: Workbook, account_id: str) -> ActionPlan:
    """One account's action plan: the actions sheet plus actions derived from red flags and qualification gaps.

    Example:
        >>> plan = action_plan(wb, "ACC-001")
        >>> plan.overdue["action_id"].tolist()
        ['AC-001', 'AC-003']
    """
    acc = wb.account(account_id)
    today = banks.as_of(wb.settings)
    cfg = plan_settings(wb.settings)
    owner = str(acc.get("account_manager", "") or "")
    notes: list[str] = []
    own = wb.for_account("actions", account_id)
    rows = [
        {"action_id": r["action_id"], "category": r["category"], "action": r["action"], "owner": r["owner"], "due": r["due"],
         "status": r["status"] or "open", "source": "workbook"}
        for _, r in own.iterrows()
    ]
    rows += _derived_red_flags(wb, account_id, owner, today, cfg, notes)
    rows += _derived_gaps(wb, account_id, owner, today, cfg, notes)
    rows += _derived_whitespace(wb, account_id, owner, today, notes)
    table = pd.DataFrame(rows, columns=PLAN_COLUMNS[:7])
    table["due"] = pd.to_datetime(table["due"]).astype("datetime64[ns]")
    table["overdue"] = overdue_mask(table, today).astype(bool)
    table["days_overdue"] = ((today - table["due"]).dt.days.where(table["overdue"], 0)).fillna(0).astype(int)
    order = {k: i for i, k in enumerate(CATEGORIES)}
    table = (
        table.assign(_cat=table["category"].map(order).fillna(len(order)), _closed=table["status"].isin(CLOSED))
        .sort_values(["_cat", "_closed", "due", "action_id"], na_position="last", kind="stable")
        .drop(columns=["_cat", "_closed"])
        .reset_index(drop=True)
    )
    unowned = int(((table["owner"] == "") & ~table["status"].isin(CLOSED)).sum())
    if unowned:
        notes.append(f"{unowned} open action(s) have no owner: give each one a name.")
    return ActionPlan(account_id, str(acc.get("name", account_id)), today, table, notes)


def portfolio_columns(wb: Workbook) -> pd.DataFrame:
    """Plan columns for every account (vectorised over the actions sheet), indexed by account_id.

    ``goal_ok`` (bool), ``goal_issues`` (text), ``open_actions`` and
    ``overdue_actions`` (actions sheet only; derived actions are never overdue).

    Example:
        >>> int(portfolio_columns(wb).loc["ACC-001", "open_actions"])
        4
    """
    acc = wb.accounts
    today = banks.as_of(wb.settings)
    checks = [check_goal(g, n, wb.settings, a) for a, g, n in zip(acc.index, acc["account_goal"], acc["name"], strict=True)]
    out = pd.DataFrame(
        {"goal_ok": [c.ok for c in checks], "goal_issues": [c.issues for c in checks]}, index=acc.index
    )
    actions = wb.actions
    active = ~actions["status"].isin(CLOSED)
    late = overdue_mask(actions, today)
    out["open_actions"] = active.groupby(actions["account_id"]).sum().reindex(acc.index, fill_value=0).astype(int)
    out["overdue_actions"] = late.groupby(actions["account_id"]).sum().reindex(acc.index, fill_value=0).astype(int)
    out.index.name = "account_id"
    return out
