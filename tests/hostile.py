"""A hostile workbook, generated from the schema: markup and formulas in every text a workbook holds.

Every ``text`` column of every sheet in :data:`kamnb.workbook.schema.SHEETS` (so a new
column is covered without touching this file), every label of the settings,
every text of the question and indicator banks, one account id and the
workbook's folder name carry an attack: a tag that would run or restyle the
page, quotes that would close an attribute, and a spreadsheet formula prefix.
Each payload names where it was put (``sheet.column``), so a leak says which
text escaped the escaping.

:func:`write_hostile_crm` writes a CRM export of the same kind for ``kamnb
import-crm``: every free text the mapping reads carries an attack.

:func:`leaks` finds live markup in an HTML page or a notebook's outputs;
:func:`markdown_leaks` what a Markdown text does once rendered;
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


# --------------------------------------------------------------------------- a hostile CRM export

# What a Markdown text would do if it arrived live: a link, an image, a table cell of its own, a heading, emphasis.
MARKDOWN = (
    "[click](https://attacker.invalid/{at})",
    "![x](https://attacker.invalid/{at}.png)",
    "a | b | c {at}",
    "\n# Owned {at}\n",
    "*bold* _it_ ~~gone~~ `code` {at}",
    "<https://attacker.invalid/{at}> www.attacker.invalid",
)
# kamnb fields of a CRM mapping that hold no free text: ids, references, numbers, dates and stage words.
CRM_NOT_TEXT = {"id", "account", "stage", "engage_date", "close_date", "close_value", "price", "year_established",
                "company_revenue", "employees", "opportunity", "amount", "reports_to"}
CRM_LAYOUTS = {"maven": ROOT / "data" / "crm-example", "salesforce": None}


def crm_payload(at: str, n: int) -> str:
    """The n-th attack for a CRM export: a formula prefix, markup and a Markdown construct, marked with where it was put."""
    return payload(at, n) + " " + MARKDOWN[n % len(MARKDOWN)].format(at=at)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_hostile_crm(parent: Path, layout: str) -> tuple[Path, Path]:
    """A CRM export of ``layout`` (maven, salesforce) whose every free text is an attack, and a mapping naming it.

    Which columns hold free text comes from the mapping (:data:`kamnb.crm.mapping.FIELDS`
    less :data:`CRM_NOT_TEXT`), so a field added there is attacked too. Each
    distinct text becomes one attack everywhere it occurs (a name that links
    two files still links them); ids, numbers and dates stay as they are.
    One more deal carries an attack as its stage word, the mapping's name is an
    attack and the export folder is named :data:`FOLDER`. Returns the export
    folder and the mapping file.
    """
    from kamnb.crm.mapping import FIELDS, load_mapping

    export = parent / FOLDER
    if CRM_LAYOUTS[layout] is None:
        from salesforce_export import write_salesforce_export

        write_salesforce_export(export)
    else:
        import shutil

        shutil.copytree(CRM_LAYOUTS[layout], export)
    mapping = load_mapping(None if layout == "maven" else layout)
    files = {k: export / v for k, v in mapping.files.items() if v}
    tables = {k: _read_csv(p) for k, p in files.items()}
    ids = {cell for k, (head, rows) in tables.items() if mapping.column(k, "id") in head for cell in (r[head.index(str(mapping.column(k, "id")))] for r in rows)}
    attacks: dict[str, str] = {}
    for key, (head, rows) in tables.items():
        for field in FIELDS[key]:
            column = mapping.column(key, field)
            if field in CRM_NOT_TEXT or column not in head:
                continue
            for row in rows:
                value = row[head.index(column)]
                if value.strip() and value not in ids and value not in attacks:
                    attacks[value] = crm_payload(f"crm.{key}.{field}.{len(attacks)}", len(attacks))
    for key, (head, rows) in tables.items():
        rows = [[attacks.get(cell, cell) for cell in row] for row in rows]
        if key == "opportunities":
            extra = list(rows[0])
            extra[head.index(str(mapping.column(key, "stage")))] = crm_payload("crm.opportunities.stage", 0)
            if mapping.column(key, "id") in head:
                extra[head.index(str(mapping.column(key, "id")))] = "hostile-deal-1"
            rows.append(extra)
        with files[key].open("w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([head, *rows])
    source = DEFAULTS / ("crm_maven.yaml" if layout == "maven" else "crm_salesforce.yaml")
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    doc["name"] = crm_payload("crm.mapping.name", 1)
    mapping_file = parent / "mapping.yaml"
    mapping_file.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return export, mapping_file


# The report's own headings and bold texts: anything else rendered as a heading or bold came from the export.
REPORT_HEADINGS = {"CRM import report", "Input", "Reconciliation", "Stage words", "Fixes", "Rows set aside", "Groups",
                   "Left for the team", "What the method gets from the deal history", "Notes"}
_TAGS = re.compile(r"<(a|img|em|del|h[1-6]|strong|script|style|meta|base|svg|iframe)\b[^>]*>(.*?)</\1>|<(img|meta|base|svg)\b[^>]*>", re.I | re.S)


def markdown_leaks(markdown: str) -> list[str]:
    """What a Markdown text does beyond kamnb's own layout once rendered (GFM-like: tables, bare links, strikethrough).

    Raw HTML is passed through, as many Markdown viewers do. A leak is live
    attack markup, a link or an image, a heading or bold text kamnb did not
    write, emphasis or strikethrough, or a table row with more or fewer cells
    than its header.
    """
    import mistune

    html = mistune.create_markdown(escape=False, plugins=["table", "url", "strikethrough"])(markdown)
    found = leaks(html)
    for m in _TAGS.finditer(html):
        tag, inner = (m.group(1) or m.group(3)).lower(), m.group(2) or ""
        if tag.startswith("h") and len(tag) == 2 and inner in REPORT_HEADINGS:
            continue
        if tag == "strong" and re.fullmatch(r"total|[\d,.-]+", inner):
            continue
        found.append(f"<{tag}>: {m.group(0)[:120]}")
    for table in re.findall(r"<table>.*?</table>", html, re.S):
        widths = [len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", table, re.S)]
        if len(set(widths)) > 1:
            found.append(f"a table row of {max(widths)} cells under a header of {widths[0]}: {table[:200]}")
    return found
