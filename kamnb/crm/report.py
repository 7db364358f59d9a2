"""Writing an imported workbook and its import report.
"""
from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kamnb.common.files import publish_folder
from kamnb.common.formatting import money, percent
from kamnb.common.tables import escape
from kamnb.crm.result import FIGURES_NAME, JUDGEMENTS, REPORT_NAME, SET_ASIDE_NAME, ImportResult
from kamnb.workbook.schema import SHEETS


def _csv(frame: pd.DataFrame) -> str:
    """CSV text; whole-number float columns are written without '.0' (``1054``, not ``1054.0``); formula-looking texts neutralised."""
    frame = frame.copy()
    for c in frame.columns:
        v = frame[c]
        if v.dtype.kind == "f":
            finite = v[np.isfinite(v)]
            if (finite == np.round(finite)).all() and (finite.abs() < 2**53).all():
                frame[c] = v.astype("Int64")
    from kamnb.common.spreadsheet import csv_frame

    buf = io.StringIO()
    csv_frame(frame).to_csv(buf, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return buf.getvalue()


class Md(str):
    """Markdown kamnb wrote itself (bold totals, code spans): put into the report as it is."""


_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
# Markdown punctuation that could start emphasis, code, a link or image, a table cell, strikethrough, math or a mention.
_PUNCTUATION = re.compile(r"[\\`*\[\]|~$@]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|(?<=[A-Za-z]):(?=//)|(?<=\bwww)\.", re.I)


def md_text(value: object) -> str:
    """Any text as Markdown that shows it and does nothing else: no link, image, HTML, heading, emphasis or table cell.

    Line breaks become spaces (no text can start a heading or a list of its
    own), ``&``, ``<`` and ``>`` become entities (no raw HTML, no autolink) and
    every other character with a meaning is backslash-escaped; ordinary words,
    file names such as ``sales_pipeline.csv`` and sentences read as before.

    Example:
        >>> md_text("![x](https://evil.example/a.png) <img src=x> | *b*")
        '!\\\\[x\\\\](https\\\\://evil.example/a.png) &lt;img src=x&gt; \\\\| \\\\*b\\\\*'
        >>> md_text("set aside: no account (kept out of account figures)")
        'set aside: no account (kept out of account figures)'
    """
    text = escape(_BREAKS.sub(" ", str(value)), quote=False)
    return _PUNCTUATION.sub(lambda m: "\\" + m.group(), text)


def md_code(value: object, *, cell: bool = True) -> Md:
    """A text as a Markdown code span: shown as it is, whatever backticks or markup it holds.

    The fence is one backtick longer than the longest run inside; in a table
    cell (``cell=True``) a pipe is escaped so that the table keeps its cells.

    Example:
        >>> md_code("a`b"), md_code("x|y")
        ('``a`b``', '`x\\\\|y`')
    """
    text = _BREAKS.sub(" ", str(value))
    text = text.replace("|", "\\|") if cell else text
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return Md(f"{fence}{pad}{text}{pad}{fence}")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A Markdown table: kamnb's own headers, every cell escaped with :func:`md_text` unless it is :class:`Md`."""
    def cell(v: object) -> str:
        return v if isinstance(v, Md) else md_text(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return lines


def _summary(res: ImportResult) -> list[str]:
    """The report's title and what was imported: export, layout, workbook, as-of date, currency, result."""
    (a12, b12), (ap, bp) = res.windows["last_12m"], res.windows["prev_12m"]
    return [
        "# CRM import report",
        "",
        f"- Export: {md_code(res.export, cell=False)}" if res.export else "- Export: (in memory)",
        f"- Layout: {md_text(res.mapping.name)} (mapping {md_code(res.mapping.source, cell=False)})",
        f"- Workbook: {md_code(res.out, cell=False)}" if res.out else "- Workbook: (not written)",
        f"- As of **{res.as_of.date()}**: the newest close date of a won or lost deal in the export. "
        f"Last 12 months: {a12.date()} to {b12.date()}; the 12 months before: {ap.date()} to {bp.date()}.",
        f"- Currency: {md_text(res.mapping.currency)}",
        f"- Result: {len(res.accounts)} accounts, {len(res.opportunities)} open opportunities, "
        f"{res.set_aside.shape[0]} row(s) set aside, {int(res.fixes['rows'].sum()) if len(res.fixes) else 0} cell(s) fixed.",
    ]


def _input_and_reconciliation(res: ImportResult) -> list[str]:
    """The rows read per file, and where every one of them went."""
    lines = ["## Input", ""]
    lines += _table(["file", "rows read"], [(f, f"{n:,}") for f, n in res.input_rows.items()])
    lines += ["", "## Reconciliation", "", "Every row read ends up in exactly one line; each file's lines add up to its rows read.", ""]
    recon_rows: list[tuple[object, ...]] = []
    for file, part in res.reconciliation.groupby("file", sort=False):
        for _, r in part.iterrows():
            recon_rows.append((file, r["went_to"], f"{r['rows']:,}"))
        total = int(part["rows"].sum())
        read = res.input_rows.get(str(file), total)
        recon_rows.append((file, Md("**total**" + ("" if total == read else f" (rows read: {read:,})")), Md(f"**{total:,}**")))
    return lines + _table(["file", "where the rows went", "rows"], recon_rows)


def _stage_words(res: ImportResult) -> list[str]:
    """What each stage word of the export was read as."""
    column = res.mapping.column("opportunities", "stage")
    lines = ["## Stage words", "", f"What each word in column {md_code(column, cell=False)} was read as.", ""]
    return lines + _table(["stage word", "read as", "kamnb stage", "rows"],
                          [(md_code(r.word), r.outcome, r.stage, f"{r.rows:,}") for r in res.stage_words.sort_values("rows", ascending=False).itertuples()])


def _fixes(res: ImportResult) -> list[str]:
    """Each value fixed on the way in: as found, as written, why."""
    lines = ["## Fixes", ""]
    if not len(res.fixes):
        return lines + ["None needed."]
    lines += ["Each line is one value as found in the export and what the workbook holds instead.", ""]
    return lines + _table(["file", "column", "before", "after", "rows", "why"],
                          [(f["file"], f["column"], md_code(f["before"]), md_code(f["after"]) if f["after"] else Md("(empty)"), f"{f['rows']:,}", f["fix"])
                           for f in res.fixes.to_dict("records")])


def _set_aside(res: ImportResult) -> list[str]:
    """The rows set aside, counted by file and reason, with their first row numbers."""
    lines = ["## Rows set aside", ""]
    if not len(res.set_aside):
        return lines + ["None."]
    lines += [f"Every row set aside is listed with its row number and reason in {md_code(SET_ASIDE_NAME, cell=False)}.", ""]
    rows = []
    for key, g in res.set_aside.groupby(["file", "reason"], sort=False):
        source, reason = tuple(key)  # type: ignore[arg-type]
        first = ", ".join(str(r) for r in g["row"].head(5)) + (", ..." if len(g) > 5 else "")
        rows.append((source, reason, f"{len(g):,}", first))
    return lines + _table(["file", "reason", "rows", "row numbers"], rows)


def _groups(res: ImportResult) -> list[str]:
    """The accounts with subsidiaries, and their group revenue."""
    cur = res.mapping.currency
    groups = res.figures[res.figures["subsidiaries"] > 0].sort_values("group_revenue_12m", ascending=False)
    lines = ["## Groups", ""]
    if not len(groups):
        return lines + ["The export names no parent accounts."]
    lines += ["Revenue of an account plus every account below it (from the parent column).", ""]
    return lines + _table(["account", "subsidiaries", "own revenue 12m", "group revenue 12m"],
                          [(r.name, r.subsidiaries, money(r.revenue_12m, cur), money(r.group_revenue_12m, cur)) for r in groups.itertuples()])


def _left_for_the_team(res: ImportResult) -> list[str]:
    """What a CRM cannot know and the team fills in, and where the other figures went."""
    return [
        "## Left for the team",
        "",
        "A CRM does not know these account columns; they are empty in accounts.csv and are filled in the workshop: "
        + ", ".join(JUDGEMENTS) + ".",
        "",
        (f"stakeholders.csv holds {len(res.stakeholders)} contact(s) from the export, with their reporting lines; "
         "influence and support are left for the team to judge. "
         if res.stakeholders is not None and len(res.stakeholders) else
         "stakeholders.csv has its header only: the export names no people at the customers. ")
        + "Open opportunities are marked `grow` when the account has won that product before, `new` otherwise; "
        "an open deal without an amount is valued at the product's list price.",
        f"Figures the workbook has no column for (won and lost counts, win rate, range bought, open pipeline, groups) are in `{FIGURES_NAME}`.",
    ]


def _method_feed(res: ImportResult) -> list[str]:
    """What the deal history gives the method: whitespace, activity plan, account team, what to judge next."""
    if not res.feed:
        return []
    ws = res.feed["whitespace"]
    counts = ws["status"].value_counts()
    lines = [
        "## What the method gets from the deal history",
        "",
        f"- Whitespace: `offerings.csv` ({len(res.feed['offerings'])} products) and `whitespace.csv` ({len(ws):,} cells: "
        + ", ".join(f"{int(counts.get(k, 0)):,} {k.replace('_', ' ')}" for k in ("bought", "open", "lost", "not_offered"))
        + "); a potential nobody knows is the product's median won deal in the export.",
        f"- Activity plan: each account's rate from proposal to win, from its own won and lost deals, in settings.yaml "
        f"(`qualification.activity.conversion_by_account`, {len(res.feed['conversion'])} accounts; the export's own rate is "
        f"{res.feed['export_rate']}).",
        "- Account team: the people with deals on each account, most deals first, and their sales manager, in `account_team`.",
    ]
    if res.to_judge is not None:
        lines.append(
            f"- To judge next: `to_judge.csv` and `to_judge.xlsx` list the {len(res.to_judge)} key account(s); each is key on computed "
            "figures alone until the team fills in the judgement columns. Fill either file in the workshop; `kamnb validate` "
            "checks it and the reviews use it (the newer of the two files is read).")
    return lines


def _totals_and_notes(res: ImportResult) -> list[str]:
    """Revenue and win rate over the whole export, then the notes of the import (each escaped)."""
    cur = res.mapping.currency
    revenue = res.figures["revenue_12m"].sum()
    won = res.figures["won_deals"].sum()
    lost = res.figures["lost_deals"].sum()
    lines = [f"Revenue over the last 12 months, all accounts: {md_text(money(revenue, cur))}; win rate over the export "
             f"{percent(won / (won + lost) * 100 if won + lost else float('nan'), 1)} ({won:,} won, {lost:,} lost)."]
    if res.notes:
        lines += ["", "## Notes", ""] + [f"- {md_text(n)}" for n in res.notes]
    return lines


def render_report(res: ImportResult) -> str:
    """The import report as Markdown: inputs, as-of date, reconciliation, fixes, rows set aside, what is left to the team.

    Every text that comes from the export, the mapping or a path is escaped
    (:func:`md_text`, :func:`md_code`): it shows as text and never becomes a
    link, an image, HTML, a heading or a table cell of its own.

    Example:
        >>> render_report(res).splitlines()[0]  # doctest: +SKIP
        '# CRM import report'
    """
    parts = [_summary(res), _input_and_reconciliation(res), _stage_words(res), _fixes(res), _set_aside(res), _groups(res),
             _left_for_the_team(res), _method_feed(res), _totals_and_notes(res)]
    lines: list[str] = []
    for part in parts:
        if part:
            lines += ([""] if lines else []) + part
    return "\n".join(lines) + "\n"


def _settings(res: ImportResult) -> str:
    """The imported workbook's settings.yaml, written by a YAML dumper (no text of the export can add a key)."""
    import yaml

    doc: dict[str, Any] = {"as_of": res.as_of.date(), "currency": str(res.mapping.currency)}
    text = (
        "# Written by kamnb import-crm. The review is written as of the newest close date in the export,\n"
        "# so every figure counted from 'today' is counted from there.\n"
    )
    rates = res.feed.get("conversion") or {}
    if rates:
        doc["qualification"] = {"activity": {"conversion_by_account": {str(a): {"proposal_to_win": float(r)} for a, r in sorted(rates.items())}}}
        text += (
            "# qualification.activity.conversion_by_account: each account's rate from proposal to win, from its won and\n"
            f"# lost deals in the export (pulled towards the export's own rate, {float(res.feed['export_rate'])}, when it has few deals).\n"
        )
    return text + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _to_judge(res: ImportResult, rows: Any) -> pd.DataFrame:
    """The key accounts of the imported workbook (classified with the default settings) and what to judge in each."""
    from kamnb.classification.basis import definition_basis
    from kamnb.classification.score import classify

    acc = res.accounts.set_index("account_id", drop=False)
    frame = acc.replace("", np.nan).infer_objects()
    frame = frame.assign(name=acc["name"])
    result = classify(frame)
    key = [a for a in result.index if bool(result.at[a, "is_key"])]
    return rows(acc, key, definition_basis(frame))


def write(res: ImportResult, out: Path) -> None:
    """Write the workbook folder whole or not at all (:func:`kamnb.common.files.publish_folder`).

    Every file is complete on disk beside ``out`` before any of them takes
    its place: a full disk leaves the folder as it was, never half imported.

    Example:
        >>> write(res, Path("data/maven"))  # doctest: +SKIP
        >>> (Path("data/maven") / "accounts.csv").exists()  # doctest: +SKIP
        True
    """
    res.out = out
    from kamnb.crm.feed import to_judge_rows, xlsx_bytes

    stake = res.stakeholders if res.stakeholders is not None else pd.DataFrame(columns=SHEETS["stakeholders"].column_names)
    res.to_judge = _to_judge(res, to_judge_rows)
    files: dict[str, str | bytes] = {
        "accounts.csv": _csv(res.accounts),
        "stakeholders.csv": _csv(stake),
        "opportunities.csv": _csv(res.opportunities),
        "offerings.csv": _csv(res.feed["offerings"]) if res.feed else "offering_id,name\n",
        "whitespace.csv": _csv(res.feed["whitespace"]) if res.feed else "account_id,offering_id,status\n",
        "to_judge.xlsx": xlsx_bytes(res.to_judge),
        "to_judge.csv": _csv(res.to_judge),  # written after the .xlsx: the loader reads the newer of the two
        FIGURES_NAME: _csv(res.figures),
        SET_ASIDE_NAME: _csv(res.set_aside),
        "settings.yaml": _settings(res),
        REPORT_NAME: render_report(res),
    }
    publish_folder(files, out)

