"""The portfolio at a glance: the first screen of the portfolio review.

:func:`portfolio_glance` sums up the whole portfolio the way a sales director
reads it before the quarterly review: what the portfolio earns (revenue,
gross profit, contribution after cost to serve, and how few accounts carry
most of it), how many accounts are key and how much of the business they
hold, the tiers with their revenue, the accounts to defend first, the
factored forecast split into retention and growth, the relationships below
the floor, the red flags that fire most often and the overdue actions. Every
figure comes from the step modules; each card links to the section of the
portfolio review that explains it. Accounts are named at most three to a
card, largest first, so the screen reads the same for 30 or 3,000 accounts.

Example:
    >>> from kamnb.workbook import load_workbook
    >>> g = portfolio_glance(load_workbook("data/sample"))
    >>> g.cards["portfolio"].value, g.cards["key"].value
    ('€41.2M', '10 of 30')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamnb.common.formatting import money, number, percent
from kamnb.common.tables import escape
from kamnb.review.glance import TOC_MARKER, Item, attempt_step, card_html, css, short

SECTIONS = {
    "portfolio": "Pareto split",
    "key": "The key-account list",
    "tiers": "Tiers and resource recommendations",
    "defend": "Tiers and resource recommendations",
    "forecast": "Accounts",
    "relationships": "Red flags across accounts",
    "flags": "Red flags across accounts",
    "actions": "Red flags across accounts",
}
"""The heading of the portfolio review's section each card links to."""

NAMED = 3
"""Accounts a card names at most (largest by revenue first)."""


@dataclass
class PortfolioGlance:
    """The first screen of the portfolio review (see :func:`portfolio_glance`)."""

    accounts: int
    cards: dict[str, Item]
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.accounts:,} accounts"]
        lines += [f"{c.title}: {c.value}" + "".join(f"; {x.lstrip('!')}" for x in c.lines) for c in self.cards.values()]
        return "\n".join(lines + [f"Note: {n}" for n in self.notes])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return render(self)


def _names(wb: Any, ids: Any, revenue: pd.Series) -> str:
    """Up to :data:`NAMED` account names, largest revenue first, with "and N more"."""
    ids = list(dict.fromkeys(ids))
    ranked = sorted(ids, key=lambda a: -float(revenue.get(a, 0) or 0))
    names = [str(wb.accounts["name"].get(a, a)) for a in ranked[:NAMED]]
    more = len(ids) - len(names)
    return ", ".join(names) + (f" and {more:,} more" if more > 0 else "")


def _count(n: int, what: str = "account") -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _money_cards(wb: Any, result: pd.DataFrame, currency: str) -> dict[str, Item]:
    from kamnb.classification.basis import computed_only

    n = len(result)
    revenue = float(result["revenue_12m"].sum())
    gross = float(result["gross_profit"].sum())
    contribution = float(result["contribution"].sum())
    losing = result[result["contribution"] < 0]
    cards = {
        "portfolio": Item(
            "Revenue, last 12 months",
            money(revenue, currency, short=True),
            [
                f"Gross profit {money(gross, currency, short=True)} ({percent(gross / revenue * 100 if revenue else float('nan'))} margin)",
                f"Contribution after cost to serve {money(contribution, currency, short=True)}",
                f"{int(result['revenue_core'].sum())} of {n:,} accounts carry 80 % of revenue; "
                f"{int(result['profit_core'].sum())} carry 80 % of gross profit",
                (f"!{len(losing)} lose money after cost to serve ({money(float(losing['contribution'].sum()), currency, short=True)}): "
                 f"{_names(wb, losing.index, result['revenue_12m'])}") if len(losing) else "No account loses money after cost to serve",
            ],
            "portfolio",
        )
    }
    key = result[result["is_key"].astype(bool)]
    only = computed_only(wb)
    cards["key"] = Item(
        "Key accounts",
        f"{len(key):,} of {n:,}",
        [
            f"{percent(float(key['revenue_12m'].sum()) / revenue * 100 if revenue else float('nan'))} of revenue, "
            f"{percent(float(key['gross_profit'].sum()) / gross * 100 if gross else float('nan'))} of gross profit",
            f"{int(result['disputed'].astype(bool).sum()):,} accounts where the seven definitions disagree",
            (f"!{len(only)} key on computed figures alone: judge them next" if only else "Every key account has the team's judgement behind it"),
        ],
        "key",
    )
    return cards


def _tier_cards(wb: Any, result: pd.DataFrame, currency: str) -> dict[str, Item]:
    from kamnb.classification.score import classification_settings

    names = classification_settings(wb.settings)["tiers"]["names"]
    tiers = result.assign(tier=result["tier"].astype(str))
    by_tier = tiers.groupby("tier", sort=False).agg(accounts=("revenue_12m", "size"), revenue=("revenue_12m", "sum"))
    order = [t for t in names if t in by_tier.index] + [t for t in by_tier.index if t not in names]
    lines = [f"{names.get(t, t)}: {_count(int(by_tier.at[t, 'accounts']))}, {money(float(by_tier.at[t, 'revenue']), currency, short=True)}"
             for t in order]
    cards = {"tiers": Item("Tiers", _count(len(tiers)), lines, "tiers")}
    defend = tiers[tiers["tier"] == "retain"].sort_values("revenue_12m", ascending=False, kind="stable")
    if len(defend):
        top = defend.iloc[0]
        cards["defend"] = Item(
            "Accounts to defend first",
            money(float(defend["revenue_12m"].sum()), currency, short=True) + " at stake",
            [
                f"{_count(len(defend))} in {names.get('retain', 'retain')}: {_names(wb, defend.index, result['revenue_12m'])}",
                f"Largest: {top['name']}, {short(str(top['risk'] or top['tier_reason']), 90)}",
            ],
            "defend",
            "bad",
        )
    else:
        cards["defend"] = Item("Accounts to defend", "none", ["No key or core account shows a sign of risk."], "defend")
    return cards


def _forecast_card(wb: Any, currency: str) -> Item:
    from kamnb.qualification import forecast

    table = forecast.account_forecast(wb)
    value = float(table["factored_value"].sum())
    return Item(
        "Factored forecast",
        money(value, currency, short=True),
        [
            f"Retention {money(float(table['factored_retention'].sum()), currency, short=True)}, "
            f"growth {money(float(table['factored_growth'].sum()), currency, short=True)}",
            f"of {money(float(table['pipeline_value'].sum()), currency, short=True)} open in "
            f"{int(table['opportunities'].sum()):,} opportunities",
        ],
        "forecast",
    )


def _relationship_card(wb: Any, result: pd.DataFrame) -> Item:
    from kamnb.classification.retention import retain_settings
    from kamnb.relationships.score import relationship_scores

    scores = relationship_scores(wb)["score"].dropna()
    floor = float(retain_settings(wb.settings).get("score_floor", 50))
    low = scores[scores < floor]
    lines = [f"{len(scores):,} accounts scored; lowest {number(scores.min())}" if len(scores) else "No account has a relationship score yet"]
    if len(low):
        lines.append(f"!{len(low):,} below the floor of {number(floor)}: {_names(wb, low.index, result['revenue_12m'])}")
    return Item("Relationship score, median", f"{number(scores.median())} / 100" if len(scores) else "not scored", lines, "relationships")


def _flag_card(wb: Any) -> Item:
    from kamnb.relationships.redflags import RED_FLAGS, red_flags

    found = red_flags(wb)
    if found.empty:
        return Item("Red flags", "none", ["No red-flag rule fires for any account."], "flags")
    order = {"high": 0, "medium": 1, "low": 2}
    rules = (found.groupby("flag", sort=False)
             .agg(severity=("severity", "first"), accounts=("account_id", "nunique"))
             .assign(_s=lambda f: f["severity"].map(order))
             .sort_values(["_s", "accounts"], ascending=[True, False], kind="stable"))
    lines = [f"{'!' if r.severity == 'high' else ''}{r.severity}: {RED_FLAGS[flag].title if flag in RED_FLAGS else flag}, "
             f"{int(r.accounts):,} accounts" for flag, r in rules.head(4).iterrows()]
    if len(rules) > 4:
        lines.append(f"and {len(rules) - 4} more rules")
    return Item("Red flags", f"{found['account_id'].nunique():,} accounts", lines, "flags")


def _action_card(wb: Any, result: pd.DataFrame) -> Item:
    from kamnb.value.actions import CLOSED, overdue_mask
    from kamnb.workbook import banks

    actions = wb.sheets.get("actions")
    if actions is None or actions.empty:
        return Item("Overdue actions", "none", ["The actions sheet is empty."], "actions")
    late = actions[overdue_mask(actions, banks.as_of(wb.settings))]
    open_ = int((~actions["status"].isin(CLOSED)).sum())
    lines = [f"of {open_:,} open actions"]
    if len(late):
        counts = late["account_id"].value_counts()
        lines.append(f"!In {len(counts):,} accounts: {_names(wb, counts.index, result['revenue_12m'])}")
    return Item("Overdue actions", f"{len(late):,}", lines, "actions", "bad" if len(late) else "")


def portfolio_glance(wb: Any) -> PortfolioGlance:
    """Everything the first screen of the portfolio review shows.

    A card whose step cannot be computed says so in one sentence and the others still show.

    Example:
        >>> from kamnb.workbook import load_workbook
        >>> g = portfolio_glance(load_workbook("data/sample"))
        >>> g.cards["defend"].value
        '€23.4M at stake'
    """
    from kamnb.classification.score import classify

    currency = wb.settings.get("currency", "EUR")
    notes: list[str] = []
    cards: dict[str, Item] = {}

    def attempt(what: str, fn: Any) -> Any:
        return attempt_step(notes, what, fn)

    result = attempt("the classification", lambda: classify(wb))
    if result is not None:
        cards.update(attempt("the money", lambda: _money_cards(wb, result, currency)) or {})
        cards.update(attempt("the tiers", lambda: _tier_cards(wb, result, currency)) or {})
    for name, what, fn in (
        ("forecast", "the forecast", lambda: _forecast_card(wb, currency)),
        ("relationships", "the relationship scores", lambda: _relationship_card(wb, result)),
        ("flags", "the red flags", lambda: _flag_card(wb)),
        ("actions", "the overdue actions", lambda: _action_card(wb, result)),
    ):
        if result is None and name in ("relationships", "actions"):
            continue
        card = attempt(what, fn)
        if card is not None:
            cards[name] = card
    order = ["portfolio", "key", "defend", "tiers", "forecast", "relationships", "flags", "actions"]
    return PortfolioGlance(len(wb.accounts), {k: cards[k] for k in order if k in cards}, notes)


def _link(section: str) -> str:
    from kamnb.batch.report import anchor

    return "#" + anchor(SECTIONS[section])


def _card(key: str, item: Item) -> str:
    return card_html(item, _link(item.section), "span2" if key == "tiers" else "")


def render(glance: PortfolioGlance) -> str:
    """The first screen as HTML cards (escaped; each links to its section), then the table of contents.

    Example:
        >>> from kamnb.workbook import load_workbook
        >>> page = render(portfolio_glance(load_workbook("data/sample")))
        >>> page.count('class="card') >= 8 and "<script" not in page
        True
    """
    out = [f"<style>{css()}</style>", '<section class="kamnb-glance" aria-label="the portfolio at a glance">']
    out += [_card(key, item) for key, item in glance.cards.items()]
    out += [f'<div class="card wide muted">{escape(n)}</div>' for n in glance.notes]
    out.append("</section>")
    out.append(TOC_MARKER)
    return "".join(out)
