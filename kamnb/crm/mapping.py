"""The mapping that tells the CRM import where things are in an export.

The built-in mapping (``kamnb/defaults/crm_maven.yaml``) describes the Maven
CRM layout and documents every key. A mapping file given with ``--mapping`` is
laid over it: what the file sets replaces the default, what it leaves out
stays, except ``stages``, which a file replaces whole.

Example:
    >>> m = load_mapping()
    >>> m.column("opportunities", "stage")
    'deal_stage'
    >>> m.stage_of("  won ")
    ('won', 'won')
    >>> m.stage_of("Engaging")
    ('open', 'qualifying')
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kamnb.common.characters import text_problems
from kamnb.errors import KamnbError
from kamnb.workbook.schema import STAGES

DEFAULT_MAPPING = "crm_maven.yaml"

FIELDS: dict[str, tuple[str, ...]] = {
    "accounts": ("id", "name", "sector", "country", "parent", "year_established", "company_revenue", "employees"),
    "opportunities": ("id", "account", "stage", "owner", "product", "engage_date", "close_date", "close_value"),
    "products": ("id", "name", "series", "price"),
    "teams": ("id", "owner", "manager", "region"),
    "line_items": ("opportunity", "product", "amount"),
    "contacts": ("id", "account", "name", "first_name", "last_name", "title", "function", "reports_to", "owner"),
}
"""What kamnb can use from each export file; the mapping names the export's column for each."""

NEEDED: dict[str, tuple[str, ...]] = {
    "accounts": ("name",),
    "opportunities": ("account", "stage", "close_date", "close_value"),
    "products": ("name",),
    "teams": ("owner",),
    "line_items": ("opportunity", "product"),
    "contacts": ("account",),
}
"""Columns without which a file cannot be used."""

OPEN_STAGES = tuple(s for s in STAGES if s not in ("won", "lost"))
_TOP = ("name", "separator", "encoding", "date_format", "decimal", "currency", "files", "columns", "stages", "spelling")


class MappingError(KamnbError):
    """A mapping file is malformed: names the file, the key and what was expected.

    Example:
        >>> issubclass(MappingError, KamnbError)
        True
    """


@dataclass(frozen=True)
class Mapping:
    """A checked mapping: file names, column names, stage words, formats, spelling fixes.

    Example:
        >>> load_mapping().currency
        'USD'
    """

    name: str
    source: str
    separator: str
    encoding: str
    date_format: str | None
    decimal: str
    currency: str
    files: dict[str, str | None]
    columns: dict[str, dict[str, str | None]]
    stages: dict[str, tuple[str, str]]
    spelling: dict[str, dict[str, str]]

    def column(self, file: str, field: str) -> str | None:
        """The export's column name for a kamnb field, or ``None`` when the export has none."""
        return self.columns.get(file, {}).get(field)

    def stage_of(self, word: str) -> tuple[str, str] | None:
        """``(outcome, kamnb stage)`` for a stage word: outcome is won, lost or open; ``None`` if unknown."""
        return self.stages.get(stage_key(word))


def stage_key(word: str) -> str:
    """How stage words are compared: case and spaces forgiven.

    >>> stage_key("  Closed   Won ")
    'closed won'
    """
    return " ".join(str(word).split()).casefold()


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key == "stages" or not isinstance(value, dict) or not isinstance(out.get(key), dict):
            out[key] = value
        else:
            out[key] = _merge(out[key], value)
    return out


def _read(text: str, label: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise MappingError(f"{label}{where}: expected valid YAML ({getattr(err, 'problem', err)})") from None
    if not isinstance(doc, dict):
        raise MappingError(f"{label}: expected a YAML mapping of keys such as files:, columns:, stages:")
    return doc


def _stages(doc: Any, label: str) -> dict[str, tuple[str, str]]:
    if not isinstance(doc, dict):
        raise MappingError(f"{label}, key stages: expected won:, lost: and open: sections")
    out: dict[str, tuple[str, str]] = {}

    def add(word: Any, outcome: str, stage: str) -> None:
        key = stage_key(word)
        if key in out and out[key] != (outcome, stage):
            raise MappingError(f"{label}, key stages: the word {word!r} is given two meanings")
        out[key] = (outcome, stage)

    for outcome in ("won", "lost"):
        words = doc.get(outcome) or []
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list):
            raise MappingError(f"{label}, key stages.{outcome}: expected a list of stage words, found {words!r}")
        for w in words:
            add(w, outcome, outcome)
    open_ = doc.get("open") or {}
    if isinstance(open_, list):  # a plain list: every word is an early ("identified") stage
        open_ = {w: "identified" for w in open_}
    if not isinstance(open_, dict):
        raise MappingError(f"{label}, key stages.open: expected stage word: kamnb stage pairs")
    for word, stage in open_.items():
        if stage not in OPEN_STAGES:
            raise MappingError(f"{label}, key stages.open.{word}: found {stage!r}, expected one of: {', '.join(OPEN_STAGES)}")
        add(word, "open", stage)
    unknown = set(doc) - {"won", "lost", "open"}
    if unknown:
        raise MappingError(f"{label}, key stages: found {', '.join(sorted(map(str, unknown)))}, expected only won, lost and open")
    if not any(v[0] == "won" for v in out.values()):
        raise MappingError(f"{label}, key stages.won: expected at least one word meaning a won deal")
    return out


def _check(doc: dict[str, Any], label: str) -> Mapping:
    hidden = text_problems(doc, label)  # control characters, direction overrides
    if hidden:
        raise MappingError("\n".join(f"{label}, key {p.column}: found {p.found!r}, expected {p.expected}" for p in hidden))
    unknown = set(doc) - set(_TOP)
    if unknown:
        raise MappingError(f"{label}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; expected keys: {', '.join(_TOP)}")
    files = doc.get("files") or {}
    columns = doc.get("columns") or {}
    for section, known in (("files", FIELDS), ("columns", FIELDS)):
        bad = set(doc.get(section) or {}) - set(known)
        if bad:
            raise MappingError(f"{label}, key {section}: found {', '.join(sorted(map(str, bad)))}, expected only {', '.join(FIELDS)}")
    for file, fields in FIELDS.items():
        cols = columns.get(file) or {}
        if not isinstance(cols, dict):
            raise MappingError(f"{label}, key columns.{file}: expected kamnb word: export column pairs")
        bad = set(cols) - set(fields)
        if bad:
            raise MappingError(f"{label}, key columns.{file}: found {', '.join(sorted(map(str, bad)))}, expected some of: {', '.join(fields)}")
    for file, name in files.items():
        if name and (Path(str(name)).is_absolute() or ".." in Path(str(name)).parts or "\\" in str(name)):
            raise MappingError(f"{label}, key files.{file}: found {str(name)!r}, expected the name of a file inside the export folder")
    for file in ("accounts", "opportunities"):
        if not files.get(file):
            raise MappingError(f"{label}, key files.{file}: expected the name of the {file} file in the export")
    sep = doc.get("separator") or ","
    sep = {"tab": "\t", "\\t": "\t"}.get(sep, sep)
    if len(sep) != 1:
        raise MappingError(f"{label}, key separator: found {sep!r}, expected one character such as ',' or ';'")
    decimal = str(doc.get("decimal") or ".")
    if decimal not in (".", ","):
        raise MappingError(f"{label}, key decimal: found {decimal!r}, expected '.' or ','")
    spelling = doc.get("spelling") or {}
    if not isinstance(spelling, dict) or not all(isinstance(v, dict) for v in spelling.values() if v is not None):
        raise MappingError(f"{label}, key spelling: expected sections such as sector: and country: of wrong: right pairs")
    return Mapping(
        name=str(doc.get("name") or label),
        source=label,
        separator=sep,
        encoding=str(doc.get("encoding") or "utf-8"),
        date_format=doc.get("date_format") or None,
        decimal=decimal,
        currency=str(doc.get("currency") or "EUR"),
        files={k: (str(v) if v else None) for k, v in files.items()},
        columns={f: {k: (str(v) if v is not None else None) for k, v in (columns.get(f) or {}).items()} for f in FIELDS},
        stages=_stages(doc.get("stages"), label),
        spelling={str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in spelling.items()},
    )


BUILTIN = {"maven": "crm_maven.yaml", "salesforce": "crm_salesforce.yaml"}
"""Mappings that ship with kamnb, by the name ``--mapping`` accepts instead of a file."""


def builtin_mapping(name: Path | str) -> Any:
    """The shipped mapping file for a built-in layout name (``maven``, ``salesforce``), or ``None``.

    >>> builtin_mapping("salesforce").name, builtin_mapping("my.yaml")
    ('crm_salesforce.yaml', None)
    """
    key = str(name).strip().lower()
    if key not in BUILTIN or Path(str(name)).is_file():
        return None
    return resources.files("kamnb") / "defaults" / BUILTIN[key]


def load_mapping(path: Path | str | None = None) -> Mapping:
    """The built-in Maven mapping, with the file at ``path`` laid over it when given.

    Example:
        >>> m = load_mapping()
        >>> m.name, m.files["opportunities"]
        ('Maven CRM sample', 'sales_pipeline.csv')
    """
    default_text = (resources.files("kamnb") / "defaults" / DEFAULT_MAPPING).read_text(encoding="utf-8")
    doc = _read(default_text, f"kamnb/defaults/{DEFAULT_MAPPING}")
    label = f"kamnb/defaults/{DEFAULT_MAPPING}"
    shipped = builtin_mapping(path) if path is not None else None
    if shipped is not None:
        label = f"kamnb/defaults/{shipped.name}"
        return _check(_merge(doc, _read(shipped.read_text(encoding="utf-8"), label)), label)
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise MappingError(f"{path}: no mapping file there")
        label = str(path)
        doc = _merge(doc, _read(path.read_text(encoding="utf-8-sig"), label))
    return _check(doc, label)
