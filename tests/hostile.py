"""A hostile workbook, generated from the schema: markup and formulas in every text a workbook holds.

Every ``text`` column of every sheet in :data:`kamnb.workbook.schema.SHEETS` (so a new
column is covered without touching this file), every label of the settings,
every text of the question and indicator banks, one account id and the
workbook's folder name carry an attack: a tag that would run or restyle the
page, quotes that would close an attribute, and a spreadsheet formula prefix.
Each payload names where it was put (``sheet.column``), so a leak says which
text escaped the escaping.

:func:`leaks` finds live markup in an HTML page or a notebook's outputs;
:func:`formula_leaks` finds CSV cells a spreadsheet would evaluate.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import yaml

from kamnb.workbook.schema import SHEETS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
DEFAULTS = ROOT / "kamnb" / "defaults"

# What each attack would do if it arrived as markup.
MARKUP = (
    "<img src=x onerror=alert(1) data-at={at}>",
    "<style>*{{display:none}}</style>no red flags {at}",
    '<meta http-equiv="refresh" content="0;url=https://attacker.invalid/{at}">',
    '<base href="https://attacker.invalid/{at}/">',
    '"><svg onload=alert(2) data-at={at}>',
    "'><script>alert(3)</script>{at}",
)
# Formula prefixes a spreadsheet would evaluate.
PREFIXES = ("=", "+", "-", "@")
# The account whose id is replaced, and its new id (no slash: it names files).
HOSTILE_ID = "<img src=x onerror=alert(4)>"
# The workbook folder's name (no slash either).
FOLDER = "wb <img src=x onerror=alert(5)> =1+1"

# Live markup: a tag opener of one of the attacks, not turned into &lt;.
LIVE = re.compile(r"<(img src=x|style>\*|meta http-equiv=\"refresh\"|base href=\"https://attacker|svg onload|script>alert)", re.I)


def payload(at: str, n: int) -> str:
    """The n-th attack, marked with where it was put: a formula prefix, then markup."""
    return PREFIXES[n % len(PREFIXES)] + MARKUP[n % len(MARKUP)].format(at=at)


def text_columns() -> dict[str, list[str]]:
    """Every free-text column of every sheet, as the schema says."""
    return {name: [c.name for c in sheet.columns if c.kind == "text"] for name, sheet in SHEETS.items()}


LABEL_KEYS = ("labels", "quadrants", "names", "resources")


def _labels(node: Any, path: tuple[str, ...], counter: Any) -> Any:
    """Only the label texts of a settings tree, each replaced by an attack (None when there are none)."""
    if isinstance(node, dict):
        out = {k: _labels(v, path + (str(k),), counter) for k, v in node.items()}
        out = {k: v for k, v in out.items() if v is not None}
        return out or None
    if isinstance(node, str) and any(p in LABEL_KEYS for p in path):
        return payload("settings." + ".".join(path), next(counter))
    return None


def _merge(into: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v
    return into


def _hostile_settings() -> dict[str, Any]:
    doc = yaml.safe_load((SAMPLE / "settings.yaml").read_text(encoding="utf-8")) or {}
    defaults = yaml.safe_load((DEFAULTS / "settings.yaml").read_text(encoding="utf-8"))
    _merge(doc, _labels(defaults, (), iter(range(10_000))) or {})
    doc["currency"] = "EUR<img src=x onerror=alert(6) data-at=settings.currency>"
    return doc


def _hostile_bank(name: str, key: str, fields: tuple[str, ...]) -> dict[str, Any]:
    doc = yaml.safe_load((DEFAULTS / name).read_text(encoding="utf-8"))
    for n, entry in enumerate(doc[key]):
        for f in fields:
            if isinstance(entry.get(f), str):
                entry[f] = payload(f"{name}.{entry['id']}.{f}", n)
    return doc


def write_hostile(parent: Path) -> Path:
    """Write the hostile workbook under ``parent`` (a folder named :data:`FOLDER`) and return it.

    Built from the sample workbook: every text cell of every text column
    (empty ones too) is replaced by an attack, the first account's id becomes
    :data:`HOSTILE_ID` everywhere it is referred to, the settings labels and the
    bank texts carry attacks, numbers and choices stay valid.
    """
    folder = parent / FOLDER
    folder.mkdir(parents=True)
    columns = text_columns()
    accounts = list(csv.DictReader(io.StringIO((SAMPLE / "accounts.csv").read_text(encoding="utf-8"))))
    old_id = accounts[0]["account_id"]
    for sheet in SHEETS.values():
        src = SAMPLE / f"{sheet.name}.csv"
        if not src.exists():
            continue
        rows = list(csv.DictReader(io.StringIO(src.read_text(encoding="utf-8"))))
        head = list(rows[0].keys()) if rows else [c.name for c in sheet.columns]
        for col in columns[sheet.name]:
            if col not in head:
                head.append(col)
        refs = [c.name for c in sheet.columns if c.name == "account_id" or (c.kind == "ref" and c.ref_sheet == "accounts")]
        for i, row in enumerate(rows):
            for col in columns[sheet.name]:
                row[col] = payload(f"{sheet.name}.{col}", i + len(col))
            for col in refs:
                if row.get(col) == old_id:
                    row[col] = HOSTILE_ID
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=head, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        (folder / src.name).write_text(out.getvalue(), encoding="utf-8")
    (folder / "settings.yaml").write_text(yaml.safe_dump(_hostile_settings(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    (folder / "questions.yaml").write_text(yaml.safe_dump(_hostile_bank("questions.yaml", "questions", ("text", "help", "probes")), sort_keys=False), encoding="utf-8")
    (folder / "indicators.yaml").write_text(yaml.safe_dump(_hostile_bank("indicators.yaml", "indicators", ("name", "text")), sort_keys=False), encoding="utf-8")
    return folder


def leaks(html: str) -> list[str]:
    """Live attack markup found in an HTML text, with a little context each."""
    return [html[max(0, m.start() - 60) : m.end() + 60] for m in LIVE.finditer(html)]


def notebook_leaks(path: Path) -> list[str]:
    """Live attack markup in a notebook's HTML and Markdown outputs and its Markdown cells."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    found: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found += leaks(cell.source)
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for mime in ("text/html", "text/markdown", "image/svg+xml"):
                if mime in data:
                    text = data[mime] if isinstance(data[mime], str) else "".join(data[mime])
                    found += [f"{mime}: {x}" for x in leaks(text)]
    return found


FORMULA = re.compile(r"^[=+\-@\t\r]")


def formula_leaks(path: Path) -> list[str]:
    """CSV text cells a spreadsheet would evaluate (a formula prefix not neutralised)."""
    found = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for r, row in enumerate(csv.reader(f), start=1):
            for c, cell in enumerate(row, start=1):
                if FORMULA.match(cell) and not _is_number(cell):
                    found.append(f"{path.name} row {r} column {c}: {cell[:50]!r}")
    return found


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def xlsx_formula_cells(path: Path) -> list[str]:
    """Cells of an xlsx file stored as formulas (openpyxl reads them back as type 'f')."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    return [f"{path.name} {ws.title}!{cell.coordinate}: {str(cell.value)[:50]!r}" for ws in book.worksheets for row in ws.iter_rows() for cell in row if cell.data_type == "f"]
