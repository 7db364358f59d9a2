"""Turn a CRM export into a kamnb workbook: ``kamnb import-crm EXPORT_DIR --out WORKBOOK``.

An account team starts from what its CRM knows. The import reads the export's
accounts, opportunities, products and team files (the layout comes from a
mapping, see :mod:`kamnb.crm.mapping`), cleans what a person would clean, and
derives the figures the workbook needs from the deal history:

- revenue over the last 12 months and the 12 before, from won deals, counted
  back from the newest close date of a won or lost deal (``as_of``);
- the open pipeline as the workbook's opportunities;
- won and lost counts, win rate, breadth of the range bought, open pipeline
  value and group roll-ups in ``crm_figures.csv`` (the loader does not read it);
- the account manager: the person with the most deals on the account, ties
  going to the larger won value, then to the name in alphabetical order.

The judgements a CRM cannot know (willingness to partner, strategic fit, ...)
are left empty for the workshop. Every fix and every row set aside is listed in
``import_report.md``; ``set_aside.csv`` names each set-aside row. The export
folder is only read; each output file is written atomically.

Example:
    >>> from kamnb.crm.build import slug
    >>> slug("Gekko & Co")
    'gekko-co'
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from kamnb.crm.clean import clean_accounts, clean_products, clean_teams, parent_tree
from kamnb.crm.deals import place, read_deals, set_aside, time_window
from kamnb.crm.figures import (
    account_managers,
    account_totals,
    accounts_table,
    deals_table,
    figures_table,
    manager_teams,
    opportunities_table,
    range_bought,
    reconcile,
    roll_up_groups,
    window_coverage,
    won_dates,
)
from kamnb.crm.mapping import Mapping, load_mapping
from kamnb.crm.read import _Log, name_key, read_file, slug
from kamnb.crm.report import write
from kamnb.crm.result import WRITTEN, ImportResult
from kamnb.errors import CrmImportError
from kamnb.workbook.schema import SHEETS

__all__ = ["build", "import_crm", "slug"]


def build(frames: dict[str, pd.DataFrame | None], mapping: Mapping, labels: dict[str, str] | None = None) -> ImportResult:
    """Build the workbook tables from export files already read (see :func:`read_file`).

    Example:
        >>> from kamnb.crm.read import _Log
        >>> mapping = load_mapping()
        >>> files = ("accounts", "opportunities", "products", "teams", "line_items", "contacts")
        >>> frames = {k: read_file(Path("data/crm-example"), k, mapping, _Log())[0] for k in files}
        >>> len(build(frames, mapping).accounts)
        12
    """
    from kamnb.crm.ids import resolve, stakeholders

    labels = {k: (labels or {}).get(k) or (mapping.files.get(k) or k) for k in ("accounts", "opportunities", "products", "teams", "line_items",
                                                                             "contacts")}
    log = _Log()
    log.notes.extend(resolve(frames))
    raw_acc, pipe = frames["accounts"], frames["opportunities"]
    assert raw_acc is not None and pipe is not None
    input_rows = {labels[k]: len(f) for k, f in frames.items() if f is not None}
    acc = clean_accounts(raw_acc, labels["accounts"], mapping, log)
    parent = parent_tree(acc, labels["accounts"], mapping, log)
    products = clean_products(frames.get("products"), labels["products"], mapping, log)
    teams = clean_teams(frames.get("teams"), labels["teams"], mapping, log)
    result = _pipeline(pipe, acc, parent, products, teams, mapping, labels, log)
    result.input_rows = input_rows
    from kamnb.crm.feed import feed

    deals = result.deals if result.deals is not None else pd.DataFrame({"account_id": [], "product": [], "owner": []})
    boss = dict(zip(teams["key"], teams["manager"], strict=True)) if len(teams) else {}
    managers = {str(o): boss.get(name_key(str(o)), "") for o in set(deals["owner"])}
    result.products = products
    result.feed = feed(result.accounts, deals, products, result.figures, managers, result.as_of)
    teams_of = result.feed["teams"]
    result.accounts["account_team"] = [teams_of.get(a, "") for a in result.accounts["account_id"]]
    ids = {name_key(str(n)): a for n, a in zip(result.accounts["name"], result.accounts["account_id"], strict=True)}
    result.stakeholders, notes = stakeholders(frames.get("contacts"), frames, ids, name_key, SHEETS["stakeholders"].column_names)
    result.notes.extend(notes)
    return result

def _pipeline(pipe: pd.DataFrame, acc: pd.DataFrame, parent: np.ndarray, products: pd.DataFrame, teams: pd.DataFrame,
              mapping: Mapping, labels: dict[str, str], log: _Log) -> ImportResult:
    """The pipeline file's stages, in order: read the deals, place them in time, set rows aside, sort the rest into
    outcomes, derive each account's figures, and lay out the tables the workbook and the report get."""
    label = labels["opportunities"]
    deals = read_deals(pipe, acc, products, mapping, label, log)
    window = time_window(deals, mapping.column("opportunities", "close_date") or "close_date")
    aside = set_aside(deals, pipe, log)
    at = place(deals, aside, window)

    na = len(acc)
    totals = account_totals(deals, at, na)
    bought, in_range, kind = range_bought(deals, at, products, na)
    managers = account_managers(deals, at, na)
    won = won_dates(deals, at, na)
    prev_known = window_coverage(window, log)
    groups = roll_up_groups(totals, parent)
    team = manager_teams(managers, teams, labels["teams"], log)

    accounts = accounts_table(acc, parent, totals, managers, prev_known)
    opportunities = opportunities_table(deals, at, acc, kind)
    figures = figures_table(acc, totals, bought, in_range, won, managers, team, groups, prev_known)
    aside_frame = (pd.concat(log.aside, ignore_index=True) if log.aside
                   else pd.DataFrame({"file": pd.Series(dtype=object), "row": pd.Series(dtype="int64"), "id": pd.Series(dtype=object), "reason": pd.Series(dtype=object)}))
    fixes = pd.DataFrame(log.fixes, columns=["file", "column", "before", "after", "rows", "fix"])
    recon = reconcile(at.where, aside_frame, labels, acc, products, teams)
    return ImportResult(accounts=accounts, opportunities=opportunities, figures=figures, fixes=fixes, set_aside=aside_frame,
                        reconciliation=recon, input_rows={}, as_of=window.as_of, windows=window.windows, mapping=mapping, labels=labels,
                        stage_words=deals.stage_words, notes=log.notes, deals=deals_table(deals, at, acc))


def import_crm(export: Path | str, out: Path | str, mapping: Path | str | Mapping | None = None, *, force: bool = False) -> ImportResult:
    """Import a CRM export folder into a new workbook folder; return what was done.

    The export is only read. ``out`` must be empty or hold an earlier import
    (``force`` replaces other files' neighbours too).

    Example:
        >>> res = import_crm("data/crm-example", tmp / "imported")
        >>> len(res.accounts), len(res.opportunities)
        (12, 39)
    """
    started = time.perf_counter()
    export, out = Path(export), Path(out)
    if not export.is_dir():
        raise CrmImportError(f"{export}: no export folder there")
    if out.resolve() == export.resolve() or export.resolve() in out.resolve().parents:
        raise CrmImportError(f"{out}: the workbook must be written outside the export folder {export}")
    if out.exists() and not out.is_dir():
        raise CrmImportError(f"{out}: expected a folder for the workbook, found a file")
    if out.is_dir() and not force:
        others = sorted(p.name for p in out.iterdir() if p.name not in WRITTEN and not p.name.startswith("."))
        if others or (out / "journal.sqlite").exists():
            raise CrmImportError(f"{out}: the folder already holds {', '.join(others[:5])}; choose an empty folder or pass --force")
    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    log = _Log()
    frames: dict[str, pd.DataFrame | None] = {}
    labels: dict[str, str] = {}
    for key in ("accounts", "opportunities", "products", "teams", "line_items", "contacts"):
        frames[key], labels[key] = read_file(export, key, m, log)
    res = build(frames, m, labels)
    res.notes = log.notes + res.notes
    res.export = export
    write(res, out)
    res.seconds = time.perf_counter() - started
    return res
