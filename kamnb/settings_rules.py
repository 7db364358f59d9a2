"""What each setting may hold: a :class:`Rule` per key path, built from a few kinds (number, text, choice, flag, list).

:func:`all_rules` is the table :mod:`kamnb.settings` checks every settings file against.

Example:
    >>> all_rules()["classification.key_at"].expected
    'a number from 0 to 100'
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Rule:
    """What one setting may hold: a check returning ``None`` when fine, and the words for what is expected."""

    expected: str
    ok: Callable[[Any], bool]
    optional: bool = False


def is_number(value: Any) -> bool:
    """A finite int or float, not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number(lo: float | None = None, hi: float | None = None, *, above: bool = False, whole: bool = False, optional: bool = False) -> Rule:
    """A finite number (``whole``: an integer) from ``lo`` to ``hi`` (``above``: strictly above ``lo``).

    Example:
        >>> number(0, 100).ok(50), number(0, 100).ok("high"), number(0, above=True).ok(0)
        (True, False, False)
    """
    word = "a whole number" if whole else "a number"
    if lo is not None and hi is not None:
        words = f"{word} {'above' if above else 'from'} {lo:g} {'and at most' if above else 'to'} {hi:g}"
    elif lo is not None:
        words = f"{word} above {lo:g}" if above else f"{word} of {lo:g} or more"
    else:
        words = word
    if optional:
        words += ", or empty"

    def ok(value: Any) -> bool:
        if not is_number(value) or (whole and not float(value).is_integer()):
            return False
        if lo is not None and (value <= lo if above else value < lo):
            return False
        return hi is None or value <= hi

    return Rule(words, ok, optional)


def text(*, optional: bool = False) -> Rule:
    """Words (a non-empty string)."""
    return Rule("some text", lambda v: isinstance(v, str) and bool(v.strip()), optional)


def choice(*words: str) -> Rule:
    """One of ``words``."""
    return Rule("one of " + ", ".join(words), lambda v: v in words)


def flag() -> Rule:
    """true or false."""
    return Rule("true or false", lambda v: isinstance(v, bool))


def text_list(allowed: tuple[str, ...] = (), *, non_empty: bool = False) -> Rule:
    """A list of words (each one of ``allowed`` when given)."""
    words = "a list of " + ("words out of " + ", ".join(allowed) if allowed else "names")
    if non_empty:
        words = "a non-empty " + words[2:]

    def ok(value: Any) -> bool:
        if not isinstance(value, list) or (non_empty and not value):
            return False
        return all(isinstance(v, str) and (not allowed or v in allowed) for v in value)

    return Rule(words, ok)


def is_date(value: Any) -> bool:
    """A date, or text of one in ISO form (2026-11-01)."""
    if isinstance(value, dt.date):
        return True
    if not isinstance(value, str) or len(value.strip()) != 10:
        return False
    try:
        dt.date.fromisoformat(value.strip())
    except ValueError:
        return False
    return True


def _likelihood_curve(value: Any) -> bool:
    """[score, likelihood] pairs: scores rising from 0 to 100, likelihoods from 0 to 1 that never fall."""
    try:
        pairs = [(float(x), float(y)) for x, y in value]
    except (TypeError, ValueError):
        return False
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    return (
        len(pairs) >= 2
        and all(map(math.isfinite, xs + ys))
        and xs[0] == 0
        and xs[-1] == 100
        and all(b > a for a, b in zip(xs, xs[1:], strict=False))
        and all(b >= a for a, b in zip(ys, ys[1:], strict=False))
        and 0 <= min(ys)
        and max(ys) <= 1
    )


def _bands(value: Any) -> bool:
    """A rising list of band limits between 0 and 1."""
    return isinstance(value, list) and all(is_number(b) and 0 < b < 1 for b in value) and sorted(value) == value


def _retention(value: Any) -> bool:
    """Retention activities: each a mapping with an activity text and whole quarters_before of 0 or more."""
    return isinstance(value, list) and all(
        isinstance(v, dict) and isinstance(v.get("activity"), str) and v["activity"].strip()
        and isinstance(v.get("quarters_before"), int) and not isinstance(v.get("quarters_before"), bool) and v["quarters_before"] >= 0
        for v in value)


def _mapping_of(rule: Rule) -> Rule:
    """A mapping of names to values that each keep ``rule``."""
    return Rule(f"a mapping of names to {rule.expected.removeprefix('a ')}s", lambda v: isinstance(v, dict) and all(rule.ok(x) for x in v.values()))


def _general_rules() -> dict[str, Rule]:
    """The settings of the whole workbook: its currency and the day it is reviewed as of."""
    return {
        "currency": text(),
        "as_of": Rule("a date such as 2026-11-01, or empty for today", is_date, optional=True),
    }


def _relationship_rules() -> dict[str, Rule]:
    """The relationships step and its red flags."""
    from kamnb.workbook.schema import DECISION_ROLES

    pct = number(0, 100)
    share = number(0, 1)
    days = number(0, whole=True)
    weight = number(0)
    score = number(1, 5)
    return {
        "relationships.high_influence": score,
        "relationships.supportive": score,
        "relationships.opposed": score,
        "relationships.decision_roles": text_list(DECISION_ROLES),
        "relationships.recent_contact_days": days,
        "relationships.bow_tie_below": pct,
        "relationships.diamond_from": pct,
        "relationships.half_life_days": number(0, above=True),
        "relationships.measured_weights.*": weight,
        "relationships.stale_evidence_days": days,
        "relationships.consensus_days": days,
        "relationships.single_thread_share": pct,
        "red_flags.renewal_share_pct": number(0),
        "red_flags.renewal_low_likelihood": share,
        "red_flags.score_floor": pct,
        "red_flags.score_drop": number(0, above=True),
        "red_flags.revenue_fall_pct": number(0, 100, above=True),
        "red_flags.overdue_actions_at": number(1, whole=True),
        "red_flags.value_ratio_below": number(0),
        "red_flags.concentration_share_pct": number(0, 100, above=True),
        "red_flags.closing_days": days,
        "red_flags.decision_questions": text_list(),
        "red_flags.renewal_no_is_good": text_list(),
    }


def _whitespace_and_report_rules() -> dict[str, Rule]:
    """The whitespace map and the printed report."""
    pct = number(0, 100)
    days = number(0, whole=True)
    return {
        "whitespace.agenda_gaps": days,
        "whitespace.max_gap_actions": days,
        "whitespace.gap_due_days": days,
        "whitespace.under_penetrated_pct": pct,
        "report.paper": Rule("A4 or letter", lambda v: isinstance(v, str) and v.strip().lower() in ("a4", "letter")),
    }


def _classification_rules() -> dict[str, Rule]:
    """The classification step: definitions, matrix, tiers, partnership."""
    pct = number(0, 100)
    share = number(0, 1)
    days = number(0, whole=True)
    weight = number(0)
    score = number(1, 5)
    return {
        "classification.weights.*": weight,
        "classification.key_at": pct,
        "classification.max_key_accounts": number(1, whole=True, optional=True),
        "classification.definition_key_at": pct,
        "classification.pareto_share": number(0, 100, above=True),
        "classification.rank_gap": days,
        "classification.traps.high": pct,
        "classification.traps.low": pct,
        "classification.traps.cost_to_serve_share": number(0),
        "classification.partnership.willing_at": score,
        "classification.partnership.labels.*": text(),
        "classification.matrix.attractiveness.*": weight,
        "classification.matrix.strength.*": weight,
        "classification.matrix.split": pct,
        "classification.matrix.quadrants.*": text(),
        "classification.buy_sell.levels": Rule(
            "five levels, lowest first, each with a name and a move_up text", lambda v: isinstance(v, list) and len(v) == 5 and all(
                isinstance(x, dict) and all(isinstance(x.get(k), str) and x[k].strip() for k in ("name", "move_up")) for x in v)
        ),
        "classification.tiers.retain.revenue_fall_pct": number(0, 100, above=True),
        "classification.tiers.retain.judgement_drop": number(0, 4, above=True),
        "classification.tiers.retain.score_floor": pct,
        "classification.tiers.retain.score_drop": number(0, above=True),
        "classification.tiers.retain.renewal_share_pct": number(0),
        "classification.tiers.retain.renewal_low_likelihood": share,
        "classification.tiers.invest_needs_partner": flag(),
        "classification.tiers.names.*": text(),
        "classification.tiers.resources.*": text(),
        "classification.tiers.more_below": pct,
        "classification.tiers.less_from": pct,
        "classification.tiers.maintain_less_from": pct,
    }


def _value_and_plan_rules() -> dict[str, Rule]:
    """The value step and the account plan."""
    from kamnb.workbook.schema import ACTION_CATEGORIES

    pct = number(0, 100)
    days = number(0, whole=True)
    return {
        "value.*": pct,
        "plan.red_flag_category": choice(*ACTION_CATEGORIES),
        "plan.red_flag_due_days.*": days,
        "plan.gap_category": choice(*ACTION_CATEGORIES),
        "plan.gap_due_days": days,
        "plan.max_gap_actions": days,
        "plan.goal_words": _mapping_of(text_list()),
    }


def _qualification_rules() -> dict[str, Rule]:
    """The qualification step: answer points, the likelihood curve, qualifying out, the activity plan."""
    share = number(0, 1)
    days = number(0, whole=True)
    return {
        "qualification.answer_points.*": share,
        "qualification.evidence_discount": share,
        "qualification.likelihood_curve": Rule(
            "at least two [score, likelihood] pairs, scores rising from 0 to 100, likelihoods from 0 to 1 that never fall", _likelihood_curve
        ),
        "qualification.min_answers": number(1, whole=True),
        "qualification.consensus_days": days,
        "qualification.qualify_out.knockout_questions": text_list(),
        "qualification.qualify_out.knockout_needs_evidence": flag(),
        "qualification.qualify_out.litmus_no_below": share,
        "qualification.qualify_out.max_no_share": share,
        "qualification.qualify_out.min_likelihood": share,
        "qualification.qualify_out.min_firm_share": share,
        "qualification.likelihood_bands": Rule("a rising list of band limits between 0 and 1, such as [0.25, 0.5, 0.75]", _bands),
        "qualification.activity.conversion.*": number(0, 1, above=True),
        "qualification.activity.horizon_years": number(1),
        "qualification.activity.plan_quarters": number(1, whole=True),
        "qualification.activity.sales_cycle_quarters": days,
        "qualification.activity.growth_targets": _mapping_of(number()),
        "qualification.activity.average_win": number(0, above=True, optional=True),
        "qualification.activity.own_history_min": number(1, whole=True),
        "qualification.activity.portfolio_history_min": number(1, whole=True),
        "qualification.activity.retention": Rule(
            "a list of activities, each a mapping with an activity text and quarters_before (a whole number of 0 or more)", _retention),
        "qualification.activity.conversion_by_account": Rule(
            "a mapping of account ids to rates such as {proposal_to_win: 0.6} (above 0, at most 1)",
            lambda v: isinstance(v, dict) and all(
                isinstance(r, dict) and all(k in ("contact_to_meeting", "meeting_to_proposal", "proposal_to_win") and number(0, 1, above=True).ok(x)
                                            for k, x in r.items()) for r in v.values())),
    }


def _batch_rules() -> dict[str, Rule]:
    """The batch: which notebooks run, how, and with what kernel."""
    days = number(0, whole=True)
    return {
        "batch.notebooks": text_list(non_empty=True),
        "batch.notebook_dir": text(),
        "batch.timeout": number(0, above=True),
        "batch.retries": days,
        "batch.isolation": choice("warm", "fresh"),
        "batch.kernel": text(),
        "batch.preload": text_list(),
        "batch.portfolio_notebook": text(optional=True),
    }


def all_rules() -> dict[str, Rule]:
    """Every setting's rule by key path, step by step; ``section.*`` covers each key of a section."""
    rules: dict[str, Rule] = {}
    for stage in (_general_rules, _relationship_rules, _whitespace_and_report_rules, _classification_rules, _value_and_plan_rules,
                  _qualification_rules, _batch_rules):
        rules.update(stage())
    return rules
