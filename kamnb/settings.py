"""The settings in force for a workbook: defaults, the workbook's own file, and every value checked.

Defaults come only from ``kamnb/defaults/settings.yaml``. A workbook may hold
a ``settings.yaml`` of its own; what it sets replaces the defaults key by key.
Every setting has a type and a range (:data:`RULES`); :func:`check_settings`
reports each value that breaks them with its key path
(``settings.yaml, key classification.key_at: found 'high', expected a number
from 0 to 100``), so ``kamnb validate`` finds it before any review is written.

YAML is read safely: no Python objects, dates stay text until checked here
(``as_of: 2026-02-30`` is reported, not a crash), and a document whose aliases
would expand beyond :data:`MAX_YAML_VALUES` values (an "alias bomb") is
refused at load.

Example:
    >>> load_settings()["classification"]["key_at"]
    65
    >>> problems = check_settings({"as_of": "20261101"}, "settings.yaml")
    >>> print(problems[0])
    settings.yaml, key as_of: found '20261101', expected a date such as 2026-11-01, or empty for today
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kamnb.errors import Problem

DEFAULTS_NAME = "settings.yaml"
DEFAULTS_LABEL = "kamnb/defaults/settings.yaml"
MAX_YAML_VALUES = 100_000
"""More values than this once aliases are expanded and a YAML file is refused (the sample's banks hold ~600)."""

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster


class _Loader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """Safe YAML without implicit dates: ``2026-02-30`` stays text and is checked with its key path."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()
}


def _expanded_size(root: yaml.Node) -> int:
    """How many values a node graph holds once every alias is expanded (counted without expanding)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done or not children:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def read_yaml(text: str, label: str, problems: list[Problem]) -> Any:
    """Parse one YAML document safely; a problem (file, line) and ``{}`` when it cannot be used.

    Example:
        >>> read_yaml("a: [1, 2]", "x.yaml", [])
        {'a': [1, 2]}
        >>> bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\\n' + ''.join(
        ...     f'{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\\n' for p, n in zip('abcde', 'bcdef'))
        >>> problems = []
        >>> read_yaml(bomb, "settings.yaml", problems), problems[0].expected[:60]
        ({}, 'YAML whose aliases (*name) repeat at most 100,000 values; th')
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        size = _expanded_size(node)
        if size > MAX_YAML_VALUES:
            problems.append(
                Problem(label, None, None, None, f"YAML whose aliases (*name) repeat at most {MAX_YAML_VALUES:,} values; this file expands to {size:,}")
            )
            return {}
        return _named_keys(loader.construct_document(node))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problems.append(Problem(label, row, None, None, f"valid YAML ({getattr(err, 'problem', None) or err})"))
        return {}
    except (ValueError, TypeError, RecursionError) as err:  # a value the safe constructor cannot build
        problems.append(Problem(label, None, None, None, f"valid YAML ({type(err).__name__}: {err})"))
        return {}
    finally:
        loader.dispose()


def _named_keys(doc: Any) -> Any:
    """YAML 1.1 reads the key ``yes:`` as ``True``; kamnb's keys are names, so give them back."""
    if isinstance(doc, dict):
        return {("yes" if k else "no") if isinstance(k, bool) else k: _named_keys(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_named_keys(v) for v in doc]
    return doc


@functools.lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    text = (resources.files("kamnb") / "defaults" / DEFAULTS_NAME).read_text(encoding="utf-8")
    problems: list[Problem] = []
    doc = read_yaml(text, DEFAULTS_LABEL, problems)
    if problems or not isinstance(doc, dict):  # a broken installation, not a user's mistake
        raise RuntimeError(f"{DEFAULTS_LABEL} cannot be read: {problems}")
    return doc


def defaults(*path: str) -> Any:
    """A fresh copy of the default settings, or of one section of them.

    Example:
        >>> defaults("qualification", "activity", "horizon_years")
        3
    """
    node: Any = _defaults()
    for key in path:
        node = node[key]
    return copy.deepcopy(node)


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` laid on ``base`` key by key, mappings merged all the way down (both left unchanged).

    Example:
        >>> merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}})
        {'a': {'b': 1, 'c': 3}}
    """
    out = copy.deepcopy(base)
    for key, value in over.items():
        if value is None and isinstance(out.get(key), dict):  # a section with every line commented out
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def section(settings: dict[str, Any] | None, *path: str) -> dict[str, Any]:
    """One section of ``settings`` laid over the same section of the defaults.

    Example:
        >>> section({"value": {"refusal_churn_pct": 40}}, "value")["reuse_share_pct"]
        20
    """
    own: Any = settings or {}
    for key in path:
        own = own.get(key) if isinstance(own, dict) else None
    base = defaults(*path)
    return merge(base, own) if isinstance(own, dict) else base


# --------------------------------------------------------------------------- rules

Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Rule:
    """What one setting may hold: a check returning ``None`` when fine, and the words for what is expected."""

    expected: str
    ok: Callable[[Any], bool]
    optional: bool = False


def _is_number(value: Any) -> bool:
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
        if not _is_number(value) or (whole and not float(value).is_integer()):
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


def _as_date(value: Any) -> bool:
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
    return isinstance(value, list) and all(_is_number(b) and 0 < b < 1 for b in value) and sorted(value) == value


def _retention(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, dict) and isinstance(v.get("activity"), str) and v["activity"].strip()
        and isinstance(v.get("quarters_before"), int) and not isinstance(v.get("quarters_before"), bool) and v["quarters_before"] >= 0
        for v in value)


def _mapping_of(rule: Rule) -> Rule:
    return Rule(f"a mapping of names to {rule.expected.removeprefix('a ')}s", lambda v: isinstance(v, dict) and all(rule.ok(x) for x in v.values()))


def _rules() -> dict[str, Rule]:
    from kamnb.workbook.schema import ACTION_CATEGORIES, DECISION_ROLES

    pct = number(0, 100)
    share = number(0, 1)
    days = number(0, whole=True)
    weight = number(0)
    score = number(1, 5)
    rules: dict[str, Rule] = {
        "currency": text(),
        "as_of": Rule("a date such as 2026-11-01, or empty for today", _as_date, optional=True),
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
        "whitespace.agenda_gaps": days,
        "whitespace.max_gap_actions": days,
        "whitespace.gap_due_days": days,
        "whitespace.under_penetrated_pct": pct,
        "report.paper": Rule("A4 or letter", lambda v: isinstance(v, str) and v.strip().lower() in ("a4", "letter")),
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
        "value.*": pct,
        "plan.red_flag_category": choice(*ACTION_CATEGORIES),
        "plan.red_flag_due_days.*": days,
        "plan.gap_category": choice(*ACTION_CATEGORIES),
        "plan.gap_due_days": days,
        "plan.max_gap_actions": days,
        "plan.goal_words": _mapping_of(text_list()),
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
        "batch.notebooks": text_list(non_empty=True),
        "batch.notebook_dir": text(),
        "batch.timeout": number(0, above=True),
        "batch.retries": days,
        "batch.isolation": choice("warm", "fresh"),
        "batch.kernel": text(),
        "batch.preload": text_list(),
        "batch.portfolio_notebook": text(optional=True),
    }
    return rules


RULES: dict[str, Rule] = {}
"""Every setting's rule by key path; ``section.*`` covers each key of a section (filled on first use)."""

_FIXED_KEYS = ("relationships.measured_weights", "classification.weights", "classification.matrix.attractiveness", "classification.matrix.strength")
"""Sections whose keys are fixed by the method: an unknown key there is an error, not a warning."""


def _rule_for(path: str) -> Rule | None:
    if not RULES:
        RULES.update(_rules())
    if path in RULES:
        return RULES[path]
    parent = path.rsplit(".", 1)[0] if "." in path else ""
    return RULES.get(f"{parent}.*") if parent else None


_TYPE_WORDS = {str: "some text", int: "a number", float: "a number", bool: "true or false", list: "a list"}


def _default_at(path: str) -> Any:
    node: Any = _defaults()
    for key in path.split(".") if path else []:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _known_paths(prefix: str) -> list[str]:
    base: Any = _defaults()
    for key in prefix.split(".") if prefix else []:
        base = base.get(key) if isinstance(base, dict) else None
    return list(base) if isinstance(base, dict) else []


def _walk(value: Any, path: str, label: str, problems: list[Problem]) -> None:
    rule = _rule_for(path) if path else None
    if rule is not None:
        if value is None and rule.optional:
            return
        if not rule.ok(value):
            shown = value.isoformat() if isinstance(value, dt.date) else value
            problems.append(Problem(label, None, path, shown if isinstance(shown, str) else repr(shown), rule.expected))
        return
    if value is None and path:  # a section with every line commented out
        return
    default = _default_at(path)
    if not isinstance(value, dict) and not isinstance(default, dict) and default is not None:
        # A shipped setting without a rule of its own: it must have the default's type.
        ok = isinstance(value, type(default)) or (_is_number(value) and _is_number(default) and not isinstance(default, bool))
        if not ok:
            problems.append(Problem(label, None, path, repr(value), f"{_TYPE_WORDS.get(type(default), 'a value')} like the default ({default!r})"))
        return
    if not isinstance(value, dict):
        problems.append(Problem(label, None, path or None, repr(value), "a mapping of setting names to values"))
        return
    known = _known_paths(path)
    for key, sub in value.items():
        key = str(key)
        child = f"{path}.{key}" if path else key
        if key not in known and child not in RULES:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            level = "error" if path in _FIXED_KEYS else "warning"
            where = f" under {path}" if path else ""
            problems.append(Problem(label, None, child, None, f"a known setting{where}; this one is not used by kamnb{hint}", level))
            continue
        _walk(sub, child, label, problems)


def check_settings(settings: dict[str, Any], label: str = "settings.yaml") -> list[Problem]:
    """Every setting that breaks its rule, as problems naming the key path.

    Relations between settings are checked too (``opposed`` below
    ``supportive``, at least one classification weight above 0, the points
    of an unknown answer at most those of a partly).

    Example:
        >>> [str(p) for p in check_settings({"classification": {"key_at": "high"}})]
        ["settings.yaml, key classification.key_at: found 'high', expected a number from 0 to 100"]
        >>> check_settings(defaults())
        []
    """
    from kamnb.common.characters import text_problems

    problems: list[Problem] = []
    _walk(settings, "", label, problems)
    problems.extend(text_problems(settings, label))  # control characters, direction overrides
    if any(p.level == "error" for p in problems):
        return problems
    merged = merge(_defaults(), settings)
    rel, cls, qual = merged["relationships"], merged["classification"], merged["qualification"]
    if rel["opposed"] >= rel["supportive"]:
        problems.append(Problem(label, None, "relationships.opposed", repr(rel["opposed"]), f"a support score below relationships.supportive ({rel['supportive']!r})"))
    if rel["bow_tie_below"] > rel["diamond_from"]:
        problems.append(Problem(label, None, "relationships.bow_tie_below", repr(rel["bow_tie_below"]), "at most relationships.diamond_from"))
    if not any(w > 0 for w in cls["weights"].values()):
        problems.append(Problem(label, None, "classification.weights", None, "at least one definition with a weight above 0"))
    if cls["traps"]["low"] > cls["traps"]["high"]:
        problems.append(Problem(label, None, "classification.traps.low", repr(cls["traps"]["low"]), "at most classification.traps.high"))
    pts = qual["answer_points"]
    if pts.get("yes") != 1:
        problems.append(Problem(label, None, "qualification.answer_points.yes", repr(pts.get("yes")), "1 (a yes is full marks)"))
    elif not pts["no"] <= pts["partly"] <= pts["yes"]:
        problems.append(Problem(label, None, "qualification.answer_points.partly", repr(pts["partly"]), "points between those of no and yes"))
    elif pts["unknown"] > pts["partly"]:
        problems.append(Problem(label, None, "qualification.answer_points.unknown", repr(pts["unknown"]), "no more points than partly (unknown is a risk, not neutral)"))
    return problems


# --------------------------------------------------------------------------- loading


MAX_YAML_BYTES = 10_000_000
"""A settings or bank file larger than this (10 MB) is refused unread."""


def read_text_file(path: Path, problems: list[Problem]) -> str | None:
    """The UTF-8 text of a settings or bank file, or ``None`` and a problem (a pipe, a device, too large, not UTF-8).

    Example:
        >>> problems = []
        >>> read_text_file(Path("/dev/zero"), problems), problems[0].expected
        (None, 'a regular file; this is a device')
    """
    import stat

    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            kind = "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file"
            problems.append(Problem(path.name, None, None, None, f"a regular file; this is {kind}"))
            return None
        if st.st_size > MAX_YAML_BYTES:
            problems.append(Problem(path.name, None, None, None, f"a file of at most {MAX_YAML_BYTES // 1_000_000} MB; this one has {st.st_size / 1e6:,.0f} MB"))
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(path.name, None, None, None, f"a readable UTF-8 text file ({err})"))
        return None


def _override_dir(workbook: Path) -> Path:
    return workbook.parent if workbook.is_file() else workbook


def load_settings(workbook: Path | None = None, problems: list[Problem] | None = None) -> dict[str, Any]:
    """The settings in force: the defaults with the workbook's own settings.yaml merged over them.

    Every problem of the workbook's file (YAML, type, range, unknown key) is
    appended to ``problems``; a value that breaks its rule is replaced by its
    default so that what is returned can always be used. ``as_of`` is a
    :class:`datetime.date` or ``None``.

    Example:
        >>> load_settings()["currency"]
        'EUR'
    """
    problems = problems if problems is not None else []
    merged = defaults()
    if workbook is not None and (_override_dir(workbook) / DEFAULTS_NAME).exists():
        own = _override_dir(workbook) / DEFAULTS_NAME
        found: list[Problem] = []
        text_ = read_text_file(own, found) or ""
        over = read_yaml(text_, own.name, found) if not found else {}
        if over is None:
            over = {}
        if not isinstance(over, dict):
            found.append(Problem(own.name, None, None, None, "a mapping of setting names to values"))
        else:
            checked = check_settings(over, own.name)
            found.extend(checked)
            bad = {p.column for p in checked if p.level == "error" and p.column}
            merged = merge(merged, _without(over, bad))
        problems.extend(found)
    as_of = merged.get("as_of")
    merged["as_of"] = dt.date.fromisoformat(as_of.strip()) if isinstance(as_of, str) and _as_date(as_of) else (as_of or None)
    return merged


def _without(over: dict[str, Any], paths: set[str], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in over.items():
        path = f"{prefix}{key}"
        if path in paths:
            continue
        out[key] = _without(value, paths, path + ".") if isinstance(value, dict) else value
    return out
