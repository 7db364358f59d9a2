"""The settings in force for a workbook: defaults, the workbook's own file, and every value checked.

Defaults come only from ``kamnb/defaults/settings.yaml``. A workbook may hold
a ``settings.yaml`` of its own; what it sets replaces the defaults key by key.
Every setting has a type and a range (:data:`RULES`, from :mod:`kamnb.settings_rules`); :func:`check_settings`
reports each value that breaks them with its key path
(``settings.yaml, key classification.key_at: found 'high', expected a number
from 0 to 100``), so ``kamnb validate`` finds it before any review is written.

YAML is read safely (:mod:`kamnb.common.yaml_files`): no Python objects, dates stay text until checked here
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
from importlib import resources
from pathlib import Path
from typing import Any

from kamnb.common.yaml_files import MAX_YAML_BYTES, MAX_YAML_VALUES, read_text_file, read_yaml
from kamnb.errors import Problem
from kamnb.settings_rules import Rule, all_rules, is_date, is_number

__all__ = [  # the YAML readers and the rules are named here too, where callers found them before
    "DEFAULTS_LABEL", "DEFAULTS_NAME", "MAX_YAML_BYTES", "MAX_YAML_VALUES", "RULES", "Rule", "check_settings", "defaults",
    "load_settings", "merge", "read_text_file", "read_yaml", "section",
]

DEFAULTS_NAME = "settings.yaml"
DEFAULTS_LABEL = "kamnb/defaults/settings.yaml"


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


RULES: dict[str, Rule] = {}
"""Every setting's rule by key path; ``section.*`` covers each key of a section (filled on first use)."""

_FIXED_KEYS = ("relationships.measured_weights", "classification.weights", "classification.matrix.attractiveness", "classification.matrix.strength")
"""Sections whose keys are fixed by the method: an unknown key there is an error, not a warning."""


def _rule_for(path: str) -> Rule | None:
    if not RULES:
        RULES.update(all_rules())
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
        ok = isinstance(value, type(default)) or (is_number(value) and is_number(default) and not isinstance(default, bool))
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
    merged["as_of"] = dt.date.fromisoformat(as_of.strip()) if isinstance(as_of, str) and is_date(as_of) else (as_of or None)
    return merged


def _without(over: dict[str, Any], paths: set[str], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in over.items():
        path = f"{prefix}{key}"
        if path in paths:
            continue
        out[key] = _without(value, paths, path + ".") if isinstance(value, dict) else value
    return out
