"""The question bank, the indicator bank and the settings: YAML data files.

Defaults ship inside ``kamnb/defaults/``. A workbook folder may hold a file of
the same name (``questions.yaml``, ``indicators.yaml``, ``settings.yaml``):
a questions or indicators file replaces the default bank whole; a settings file
is merged over the defaults key by key, so a team only writes what it changes.
For an ``.xlsx`` workbook the files are looked for in the folder beside it.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd

from kamnb import settings
from kamnb.common.characters import shown, text_problems
from kamnb.errors import Problem
from kamnb.paths import DEFAULTS


def _override_dir(workbook: Path) -> Path:
    return workbook.parent if workbook.is_file() else workbook


def _read_yaml(text: str, label: str, problems: list[Problem]) -> Any:
    return settings.read_yaml(text, label, problems) or {}


def _source(workbook: Path | None, name: str, problems: list[Problem]) -> tuple[str, str]:
    if workbook is not None:
        own = _override_dir(workbook) / name
        if own.exists():
            return settings.read_text_file(own, problems) or "", str(own.name)
    return (DEFAULTS / name).read_text(encoding="utf-8"), f"kamnb/defaults/{name}"


def _bank(workbook: Path | None, name: str, key: str, id_name: str, fields: dict[str, type], problems: list[Problem]) -> pd.DataFrame:
    before = len(problems)
    text, label = _source(workbook, name, problems)
    doc = _read_yaml(text, label, problems)
    entries = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        if len(problems) == before:  # not when the YAML itself was refused: one problem per file is enough
            problems.append(Problem(label, None, key, None, f"a list under '{key}:'"))
        entries = []
    rows = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        where = f"{key} entry {n}"
        if not isinstance(entry, dict) or not entry.get("id"):
            problems.append(Problem(label, None, where, None, "an entry with an id"))
            continue
        ident = str(entry["id"])
        if ident in seen:
            problems.append(Problem(label, None, where, ident, "a unique id"))
            continue
        seen.add(ident)
        problems.extend(text_problems(entry, label, f"{where} ({shown(ident)})"))  # control characters, direction overrides
        row: dict[str, Any] = {id_name: ident}
        for fname, ftype in fields.items():
            value = entry.get(fname)
            if ftype is float:
                value = 1.0 if value is None else value
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                    problems.append(Problem(label, None, f"{where} ({ident}).{fname}", str(value), "a weight: a number of 0 or more (0 = shown but not counted)"))
                    value = 0.0
                value = float(value)
            elif ftype is bool:
                value = bool(value)
            else:
                value = "" if value is None else str(value)
            row[fname] = value
        rows.append(row)
    if rows and "weight" in fields and not any(r["weight"] > 0 for r in rows):
        problems.append(Problem(label, None, f"{key}.weight", None, f"at least one of the {key} with a weight above 0 (every weight is 0)"))
    frame = pd.DataFrame(rows, columns=[id_name, *fields])
    frame.index = pd.Index(frame[id_name], name=None)
    return frame


def load_questions(workbook: Path | None = None, problems: list[Problem] | None = None) -> pd.DataFrame:
    """The question bank in force: one row per question, indexed by ``question_id``.

    >>> load_questions().loc["budget", "text"]
    'Is there a realistic budget?'
    """
    fields = {"text": str, "help": str, "weight": float, "probes": str, "litmus": bool}
    return _bank(workbook, "questions.yaml", "questions", "question_id", fields, problems if problems is not None else [])


def load_indicators(workbook: Path | None = None, problems: list[Problem] | None = None) -> pd.DataFrame:
    """The relationship indicator bank in force, indexed by ``indicator_id``.

    >>> load_indicators().loc["prompt_payment", "side"]
    'customer'
    """
    fields = {"name": str, "text": str, "side": str, "weight": float}
    return _bank(workbook, "indicators.yaml", "indicators", "indicator_id", fields, problems if problems is not None else [])


def load_settings(workbook: Path | None = None, problems: list[Problem] | None = None) -> dict[str, Any]:
    """The settings in force, checked key by key (see :func:`kamnb.settings.load_settings`).

    >>> load_settings()["currency"]
    'EUR'
    """
    return settings.load_settings(workbook, problems)


def as_of(settings: dict[str, Any]) -> pd.Timestamp:
    """The date a review is written as of: ``settings['as_of']`` or today.

    Example:
        >>> as_of({"as_of": "2026-11-01"})
        Timestamp('2026-11-01 00:00:00')
    """
    value = settings.get("as_of")
    return pd.Timestamp(value) if value else pd.Timestamp(dt.date.today())


def load_banks(workbook: Path, problems: list[Problem]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Questions, indicators and settings for ``workbook``, problems appended to ``problems``.

    Example:
        >>> problems = []
        >>> questions, indicators, settings = load_banks(Path("data/sample"), problems)
        >>> str(settings["as_of"]), problems
        ('2026-11-01', [])
    """
    return load_questions(workbook, problems), load_indicators(workbook, problems), load_settings(workbook, problems)
