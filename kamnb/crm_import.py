"""Turn a CRM export into a kamnb workbook: ``kamnb import-crm EXPORT_DIR --out WORKBOOK``.

An account team starts from what its CRM knows. The import reads the export's
accounts, opportunities, products and team files (the layout comes from a
mapping, see :mod:`kamnb.crm_mapping`), cleans what a person would clean, and
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
    >>> from kamnb.crm_import import slug
    >>> slug("Gekko & Co")
    'gekko-co'
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kamnb.common.files import disk_message, publish_folder
from kamnb.crm_mapping import NEEDED, Mapping, load_mapping
from kamnb.errors import KamnbError
from kamnb.formatting import money, percent
from kamnb.parsing import parse_date, parse_number
from kamnb.schema import SHEETS

REPORT_NAME = "import_report.md"
FIGURES_NAME = "crm_figures.csv"
SET_ASIDE_NAME = "set_aside.csv"
WRITTEN = ("accounts.csv", "stakeholders.csv", "opportunities.csv", "settings.yaml", FIGURES_NAME, SET_ASIDE_NAME, REPORT_NAME,
           "offerings.csv", "whitespace.csv", "to_judge.csv", "to_judge.xlsx")
JUDGEMENTS = (
    "gross_margin_pct",
    "cost_to_serve",
    "revenue_potential_3y",
    "share_of_wallet_pct",
    "customer_since",
    "team_effort_days",
    "growth_potential",
    "strategic_fit",
    "partner_willingness",
    "transparency",
    "our_willingness",
    "buy_sell_position",
    "service_demand",
    "responsiveness",
    "account_goal",
)
"""Account columns a CRM export cannot fill; they stay empty for the team."""

# Where each pipeline row goes, in the order of the reconciliation table.
OUTCOMES = (
    ("won_12m", "won, closed in the last 12 months: revenue_12m"),
    ("won_prev", "won, closed in the 12 months before: revenue_prev_12m"),
    ("won_older", "won, closed earlier: counted as won, no revenue column"),
    ("lost", "lost: counted as lost"),
    ("open", "open: written to opportunities.csv"),
)


class CrmImportError(KamnbError):
    """The export cannot be imported: names the file, the column and what was expected.

    Example:
        >>> issubclass(CrmImportError, KamnbError)
        True
    """


@dataclass
class ImportResult:
    """Everything an import produced, before or after it is written to disk.

    Example:
        >>> res = import_crm("maven-crm", "data/maven")  # doctest: +SKIP
        >>> len(res.accounts), res.input_rows["sales_pipeline.csv"]  # doctest: +SKIP
        (85, 8800)
    """

    accounts: pd.DataFrame
    opportunities: pd.DataFrame
    figures: pd.DataFrame
    fixes: pd.DataFrame
    set_aside: pd.DataFrame
    reconciliation: pd.DataFrame
    input_rows: dict[str, int]
    as_of: pd.Timestamp
    windows: dict[str, tuple[pd.Timestamp, pd.Timestamp]]
    mapping: Mapping
    labels: dict[str, str]
    stage_words: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    export: Path | None = None
    out: Path | None = None
    seconds: float = 0.0
    deals: pd.DataFrame | None = None
    products: pd.DataFrame | None = None
    stakeholders: pd.DataFrame | None = None
    feed: dict[str, Any] = field(default_factory=dict)
    to_judge: pd.DataFrame | None = None


# --------------------------------------------------------------------------- small helpers


def slug(name: str) -> str:
    """A stable id from an account name: lower case, letters and digits joined by '-'.

    Names with no Latin letters or digits get a short hash so the id stays stable.

    >>> slug("  Acme Corporation ")
    'acme-corporation'
    >>> slug("Ölwerke Süd GmbH")
    'olwerke-sud-gmbh'
    >>> slug("東京")
    'account-681ee3'
    """
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return s or "account-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]


def name_key(text: str) -> str:
    """How names are compared: case and spacing forgiven (``GTXPro`` matches ``GTX Pro``).

    >>> name_key(" GTX  pro") == name_key("GTXPro")
    True
    """
    return re.sub(r"\s+", "", text).casefold()


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _factor(series: pd.Series) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Codes, unique values and their row counts: clean the few uniques, not the many rows."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), sort=False)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return codes, [str(u) for u in uniques], counts


def _take(codes: np.ndarray, values: Sequence[object], dtype: Any = object) -> np.ndarray:
    arr = np.asarray(list(values) + [None if dtype is object else np.nan], dtype=dtype)
    return arr[np.where(codes >= 0, codes, len(values))]


def _parse_numbers(series: pd.Series, decimal: str) -> tuple[np.ndarray, list[str]]:
    """Floats (NaN when empty or unreadable) and the unreadable texts; parsed once per distinct value."""
    codes, uniques, _ = _factor(series)
    values, bad = [], []
    for u in uniques:
        s = u.strip()
        v: float | None = None
        if s:
            if decimal == ",":
                s2 = s.replace(" ", "").replace("\u00a0", "").replace(".", "").replace(",", ".")
                try:
                    v = float(s2)
                except ValueError:
                    v = None
            else:
                try:
                    v = float(s)
                except ValueError:
                    v = None
            if v is None or v != v:
                v, _reason = parse_number(s)
            if v is None:
                bad.append(u)
        values.append(np.nan if v is None else v)
    return _take(codes, values, float), bad


def _parse_dates(series: pd.Series, fmt: str | None) -> tuple[np.ndarray, list[str]]:
    """datetime64 values (NaT when empty or unreadable) and the unreadable texts, once per distinct value."""
    codes, uniques, _ = _factor(series)
    values, bad = [], []
    for u in uniques:
        s = u.strip()
        d: dt.date | None = None
        if s:
            if fmt:
                try:
                    d = dt.datetime.strptime(s, fmt).date()
                except ValueError:
                    d = None
            if d is None:
                d, _reason = parse_date(s)
            if d is None:
                bad.append(u)
        values.append(np.datetime64("NaT") if d is None else np.datetime64(d, "ns"))
    out = np.asarray(values + [np.datetime64("NaT")], dtype="datetime64[ns]")
    return out[np.where(codes >= 0, codes, len(values))], bad


class _Log:
    """Collects fixes and set-aside rows as they happen."""

    def __init__(self) -> None:
        self.fixes: list[dict[str, object]] = []
        self.aside: list[pd.DataFrame] = []
        self.notes: list[str] = []

    def fix(self, file: str, column: str, before: str, after: str, rows: int, what: str) -> None:
        self.fixes.append({"file": file, "column": column, "before": before, "after": after, "rows": int(rows), "fix": what})

    def set_aside(self, file: str, rows: pd.Series, ids: pd.Series, reasons: pd.Series) -> None:
        if len(rows):
            self.aside.append(pd.DataFrame({"file": file, "row": rows.to_numpy(), "id": ids.to_numpy(), "reason": reasons.to_numpy()}))


def _clean_labels(series: pd.Series, file: str, column: str, log: _Log, spelling: dict[str, str] | None = None,
                  canonical: dict[str, str] | None = None) -> pd.Series:
    """Tidy spaces, apply spelling fixes, unify case/spacing variants; log every change with its row count.

    ``canonical`` maps :func:`name_key` to the spelling that must win (a catalogue);
    otherwise the most frequent spelling of each variant group wins.
    """
    codes, uniques, counts = _factor(series)
    fixes = {name_key(k): v for k, v in (spelling or {}).items()}
    step: list[str] = []
    why: list[str] = []
    for u in uniques:
        t = _tidy(u)
        if name_key(t) in fixes and fixes[name_key(t)] != t:
            step.append(fixes[name_key(t)])
            why.append("spelling fix from the mapping")
        else:
            step.append(t)
            why.append("spaces tidied" if t != u else "")
    winner: dict[str, str] = dict(canonical or {})
    tally: dict[str, dict[str, int]] = {}
    for s, c in zip(step, counts, strict=True):
        if s:
            tally.setdefault(name_key(s), {}).setdefault(s, 0)
            tally[name_key(s)][s] += int(c)
    for key, spellings in tally.items():
        if key not in winner:
            winner[key] = sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    final = []
    for u, s, w, c in zip(uniques, step, why, counts, strict=True):
        f = winner.get(name_key(s), s) if s else s
        if f != s:
            w = "matched to the products file" if canonical and name_key(s) in canonical else "same word, other case or spacing"
        if f != u:
            log.fix(file, column, u, f, int(c), w)
        final.append(f)
    return pd.Series(_take(codes, final), index=series.index, dtype=object)


# --------------------------------------------------------------------------- reading


def _header(path: Path, mapping: Mapping) -> tuple[list[str], str]:
    for enc in ("utf-8-sig" if mapping.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else mapping.encoding, "cp1252"):
        try:
            with open(path, encoding=enc, newline="") as fh:
                first = fh.readline()
                fh.read(1 << 20)  # a wrong encoding usually shows within the first megabyte
            return [h.strip() for h in next(csv.reader([first], delimiter=mapping.separator), [])], enc
        except UnicodeDecodeError:
            continue
    raise CrmImportError(f"{path.name}: expected text in {mapping.encoding} or Windows-1252")


def read_file(export: Path, file: str, mapping: Mapping, log: _Log) -> tuple[pd.DataFrame | None, str]:
    """One export file as text columns named by kamnb's words, plus ``_row`` (the row a spreadsheet shows).

    Example:
        >>> frame, note = read_file(Path("maven"), "accounts.csv", load_mapping(), log)  # doctest: +SKIP
        >>> "_row" in frame.columns  # doctest: +SKIP
        True
    """
    name = mapping.files.get(file)
    if not name:
        return None, ""
    path = export / name
    inside = export.resolve()
    if not path.resolve().is_relative_to(inside):
        raise CrmImportError(f"mapping key files.{file}: found {name!r}, expected the name of a file inside the export folder {export}")
    if not path.is_file():
        if file in ("accounts", "opportunities"):
            raise CrmImportError(f"{export}: no file {name} (mapping key files.{file}); the folder holds: "
                                 + ", ".join(sorted(p.name for p in export.iterdir())[:20]))
        log.notes.append(f"No {file} file {name} in the export: the figures that need it stay empty.")
        return None, name
    header, enc = _header(path, mapping)
    if enc == "cp1252" and not mapping.encoding.lower().startswith("cp"):
        log.notes.append(f"{name} is not UTF-8; it was read as Windows-1252.")
    present: dict[str, str] = {}
    for fld, col in mapping.columns.get(file, {}).items():
        if not col:
            continue
        if col in header:
            present[fld] = col
        elif fld in NEEDED[file]:
            hint = ""
            if len(header) == 1:
                other = next((c for c in (";", ",", "\t", "|") if c in header[0] and c != mapping.separator), None)
                hint = f" (the header holds {other!r}: set separator: {other!r} in the mapping)" if other else ""
            raise CrmImportError(f"{name}: no column {col!r} (mapping key columns.{file}.{fld}); the file's columns are: {', '.join(header)}{hint}")
        else:
            log.notes.append(f"{name} has no column {col!r} (mapping key columns.{file}.{fld}): that figure stays empty.")
    wanted = set(present.values())
    options: dict[str, Any] = {"sep": mapping.separator, "dtype": object, "keep_default_na": False, "na_filter": False,
               "usecols": lambda c: c.strip() in wanted, "skip_blank_lines": False, "engine": "c"}
    try:
        raw = pd.read_csv(path, encoding=enc, **options)
    except UnicodeDecodeError:
        log.notes.append(f"{name} is not UTF-8 throughout; it was read as Windows-1252.")
        raw = pd.read_csv(path, encoding="cp1252", **options)
    except pd.errors.ParserError as err:
        raise CrmImportError(f"{name}: expected a CSV file separated by {mapping.separator!r} ({err})") from None
    raw.columns = [c.strip() for c in raw.columns]
    frame = pd.DataFrame({fld: raw[col] for fld, col in present.items()}, index=raw.index)
    frame["_row"] = np.arange(2, len(raw) + 2)
    if len(frame.columns) > 1:
        empty = np.ones(len(frame), dtype=bool)
        for fld in present:
            empty &= (frame[fld].to_numpy(dtype=object) == "")
        frame = frame[~empty]
    return frame.reset_index(drop=True), name


def _text(frame: pd.DataFrame, fld: str) -> pd.Series:
    return frame[fld] if fld in frame else pd.Series("", index=frame.index, dtype=object)


# --------------------------------------------------------------------------- building


def _accounts(frame: pd.DataFrame, label: str, mapping: Mapping, log: _Log) -> pd.DataFrame:
    frame = frame.copy()
    original = frame["name"]
    frame["name"] = original.map(_tidy)
    frame["key"] = [name_key(n) for n in frame["name"]]
    nameless = frame["name"] == ""
    dup = ~nameless & frame.duplicated("key", keep="first")
    reasons = np.where(nameless, "no account name", "same account name as an earlier row, ignoring case and spacing (first row kept)")
    aside = (nameless | dup).to_numpy()
    log.set_aside(label, frame.loc[aside, "_row"], original[aside], pd.Series(reasons[aside]))
    frame = frame[~aside].copy()
    tidied = original[~aside] != frame["name"]
    changed = pd.DataFrame({"b": original[~aside][tidied], "a": frame["name"][tidied]})
    pairs = changed.groupby(["b", "a"], sort=True).size()
    for (before, after), n in zip(pairs.index.tolist(), pairs.tolist(), strict=True):
        log.fix(label, mapping.column("accounts", "name") or "name", before, after, n, "spaces tidied")
    for fld, kamnb_col in (("sector", "industry"), ("country", "country")):
        col = mapping.column("accounts", fld) or fld
        frame[kamnb_col] = _clean_labels(_text(frame, fld), label, col, log, mapping.spelling.get(fld)) if fld in frame else ""
    # ids: a slug of the name; names that give the same slug get -2, -3 ... in alphabetical order of the names
    frame["account_id"] = [slug(n) for n in frame["name"]]
    frame = frame.sort_values(["account_id", "name"], kind="stable")
    used = set(frame["account_id"])
    ids = []
    for base, again in zip(frame["account_id"], frame["account_id"].duplicated(), strict=True):
        new, n = base, 1
        while again and new in used:
            n += 1
            new = f"{base}-{n}"
        used.add(new)
        ids.append(new)
    frame["account_id"] = ids
    return frame.reset_index(drop=True)


def _parents(acc: pd.DataFrame, label: str, mapping: Mapping, log: _Log) -> np.ndarray:
    """Index of each account's parent (-1 for none); unknown parents and cycles are dropped and logged."""
    n = len(acc)
    parent = np.full(n, -1, dtype=np.int64)
    if "parent" not in acc:
        return parent
    col = mapping.column("accounts", "parent") or "parent"
    by_key = dict(zip(acc["key"], range(n), strict=True))
    names, ids = acc["name"].tolist(), acc["account_id"].tolist()
    unknown: dict[str, int] = {}
    matched: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(acc["parent"].tolist()):
        t = _tidy(raw)
        if not t:
            continue
        j = by_key.get(name_key(t))
        if j is None:
            unknown[raw] = unknown.get(raw, 0) + 1
        elif j == i:
            log.fix(label, col, raw, "", 1, f"an account cannot be its own parent ({names[i]}): link dropped")
        else:
            if names[j] != raw:
                matched[(raw, names[j])] = matched.get((raw, names[j]), 0) + 1
            parent[i] = j
    for (raw, name), c in sorted(matched.items()):
        log.fix(label, col, raw, name, c, "matched to an account name ignoring case and spacing")
    for raw, c in sorted(unknown.items()):
        log.fix(label, col, raw, "", c, "parent is not an account in the export: link dropped")
    # break cycles: drop the link of the alphabetically first account id in each cycle
    state = np.zeros(n, dtype=np.int8)  # 0 new, 1 on the current path, 2 done
    for start in range(n):
        path: list[int] = []
        node = start
        while node >= 0 and state[node] == 0:
            state[node] = 1
            path.append(node)
            node = int(parent[node])
        if node >= 0 and state[node] == 1:
            cycle = path[path.index(node):]
            cut = min(cycle, key=lambda k: ids[k])
            circle = " -> ".join(names[k] for k in cycle)
            log.fix(label, col, names[int(parent[cut])], "", 1, f"parent links form a circle ({circle}): link of {names[cut]} dropped")
            parent[cut] = -1
        for k in path:
            state[k] = 2
    return parent


def _products(frame: pd.DataFrame | None, label: str, mapping: Mapping, log: _Log) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame({"name": pd.Series(dtype=object), "price": pd.Series(dtype=float), "key": pd.Series(dtype=object)})
    frame = frame.copy()
    frame["name"] = _clean_labels(frame["name"], label, mapping.column("products", "name") or "name", log)
    frame["key"] = [name_key(n) for n in frame["name"]]
    bad = (frame["name"] == "") | frame.duplicated("key", keep="first")
    reason = np.where(frame.loc[bad, "name"] == "", "no product name", "same product as an earlier row: first row kept")
    log.set_aside(label, frame.loc[bad, "_row"], frame.loc[bad, "name"], pd.Series(reason, dtype=object))
    frame = frame[~bad].copy()
    if "price" in frame:
        frame["price"], unreadable = _parse_numbers(frame["price"], mapping.decimal)
        for u in unreadable:
            log.notes.append(f"{label}: price {u!r} is not a number; open deals of that product need an amount of their own.")
    else:
        frame["price"] = np.nan
    return frame.reset_index(drop=True)


def _teams(frame: pd.DataFrame | None, label: str, mapping: Mapping, log: _Log) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame({"owner": pd.Series(dtype=object), "manager": pd.Series(dtype=object), "region": pd.Series(dtype=object)})
    frame = frame.copy()
    for fld in ("owner", "manager", "region"):
        if fld in frame:
            frame[fld] = _clean_labels(frame[fld], label, mapping.column("teams", fld) or fld, log)
        else:
            frame[fld] = ""
    frame["key"] = [name_key(n) for n in frame["owner"]]
    bad = (frame["owner"] == "") | frame.duplicated("key", keep="first")
    reason = np.where(frame.loc[bad, "owner"] == "", "no name", "same person as an earlier row: first row kept")
    log.set_aside(label, frame.loc[bad, "_row"], frame.loc[bad, "owner"], pd.Series(reason, dtype=object))
    return frame[~bad].reset_index(drop=True)


def build(frames: dict[str, pd.DataFrame | None], mapping: Mapping, labels: dict[str, str] | None = None) -> ImportResult:
    """Build the workbook tables from export files already read (see :func:`read_file`).

    Example:
        >>> res = build(frames, load_mapping())  # doctest: +SKIP
        >>> len(res.accounts)  # doctest: +SKIP
        85
    """
    from kamnb.crm_ids import resolve, stakeholders

    labels = {k: (labels or {}).get(k) or (mapping.files.get(k) or k) for k in ("accounts", "opportunities", "products", "teams", "line_items",
                                                                             "contacts")}
    log = _Log()
    log.notes.extend(resolve(frames))
    raw_acc, pipe = frames["accounts"], frames["opportunities"]
    assert raw_acc is not None and pipe is not None
    input_rows = {labels[k]: len(f) for k, f in frames.items() if f is not None}
    acc = _accounts(raw_acc, labels["accounts"], mapping, log)
    parent = _parents(acc, labels["accounts"], mapping, log)
    products = _products(frames.get("products"), labels["products"], mapping, log)
    teams = _teams(frames.get("teams"), labels["teams"], mapping, log)
    result = _pipeline(pipe, acc, parent, products, teams, mapping, labels, log)
    result.input_rows = input_rows
    from kamnb.crm_feed import feed

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
    label = labels["opportunities"]
    col = lambda f: mapping.column("opportunities", f) or f  # noqa: E731
    rows = pipe["_row"].to_numpy()
    ids = pipe["id"].map(str.strip) if "id" in pipe else pd.Series([f"{Path(label).stem}-{r}" for r in rows], dtype=object)
    ids = ids.reset_index(drop=True)

    # stage words -> won / lost / open and the kamnb stage
    s_codes, s_uniques, s_counts = _factor(pipe["stage"])
    meaning = [mapping.stage_of(u) for u in s_uniques]
    outcome = _take(s_codes, [m[0] if m else "" for m in meaning])
    kstage = _take(s_codes, [m[1] if m else "" for m in meaning])
    stage_words = pd.DataFrame({"word": s_uniques, "outcome": [m[0] if m else "not in the mapping: set aside" for m in meaning],
                                "stage": [m[1] if m and m[0] == "open" else "" for m in meaning], "rows": s_counts})

    # accounts, matched ignoring case and spacing
    a_codes, a_uniques, a_counts = _factor(pipe["account"])
    by_key = dict(zip(acc["key"], range(len(acc)), strict=True))
    acc_names = acc["name"].tolist()
    a_index = []
    unknown_accounts: list[tuple[str, int]] = []
    for u, c in zip(a_uniques, a_counts, strict=True):
        t = _tidy(u)
        j = by_key.get(name_key(t), -1) if t else -1
        if j >= 0 and acc_names[j] != u:
            log.fix(label, col("account"), u, acc_names[j], c, "matched to an account name ignoring case and spacing")
        if j < 0 and t:
            unknown_accounts.append((t, int(c)))
        a_index.append(j)
    acct = _take(a_codes, a_index, float)
    acct = np.where(np.isnan(acct), -1, acct).astype(np.int64)
    has_account_text = _take(a_codes, [bool(_tidy(u)) for u in a_uniques], bool)

    # products, matched to the products file ignoring case and spacing
    catalogue = dict(zip(products["key"], products["name"], strict=True))
    product = _clean_labels(_text(pipe, "product"), label, col("product"), log, canonical=catalogue).reset_index(drop=True)
    owner = _clean_labels(_text(pipe, "owner"), label, col("owner"), log).reset_index(drop=True)
    close, bad_close = _parse_dates(_text(pipe, "close_date"), mapping.date_format)
    value, bad_value = _parse_numbers(_text(pipe, "close_value"), mapping.decimal)
    if bad_close:
        log.notes.append(f"{label}: {len(bad_close)} close date value(s) could not be read as dates, e.g. {bad_close[:3]}.")
    if bad_value:
        log.notes.append(f"{label}: {len(bad_value)} close value(s) could not be read as numbers, e.g. {bad_value[:3]}.")
    if "engage_date" in pipe:
        _engage, bad_engage = _parse_dates(pipe["engage_date"], mapping.date_format)
        if bad_engage:
            log.notes.append(f"{label}: {len(bad_engage)} engage date value(s) could not be read, e.g. {bad_engage[:3]} (not used in any figure).")

    # as of: the newest close date of a won or lost deal
    closed = (outcome == "won") | (outcome == "lost")
    dated = close[closed & ~np.isnat(close)]
    if not len(dated):
        raise CrmImportError(f"{label}: no won or lost deal with a readable close date in column {col('close_date')!r}; "
                             "the last 12 months cannot be placed")
    as_of = pd.Timestamp(dated.max())
    first_close = pd.Timestamp(dated.min())
    start12 = as_of - pd.DateOffset(months=12)
    start24 = as_of - pd.DateOffset(months=24)
    windows = {"last_12m": (start12 + pd.Timedelta(days=1), as_of), "prev_12m": (start24 + pd.Timedelta(days=1), start12)}

    # list price for open deals without an amount
    price_by_key = dict(zip(products["key"], products["price"], strict=True))
    p_codes, p_uniques, _ = _factor(product)
    price = _take(p_codes, [price_by_key.get(name_key(u), np.nan) for u in p_uniques], float)
    open_value = np.where(np.isnan(value), price, value)

    # one reason per set-aside row, first that applies
    dup = ids.duplicated(keep="first").to_numpy() & (ids.to_numpy(dtype=object) != "")
    conditions = [
        dup,
        outcome == "",
        ~has_account_text,
        acct < 0,
        (outcome == "won") & np.isnat(close),
        (outcome == "won") & np.isnan(value),
        (outcome == "open") & np.isnan(open_value),
    ]
    reasons = [
        "opportunity id already used on an earlier row",
        "stage word not in the mapping's stages",
        "no account (kept out of account figures)",
        "account not in the accounts file",
        "won deal without a readable close date",
        "won deal without a readable close value",
        "open deal with no amount and no list price",
    ]
    why = np.select(conditions, reasons, default="")
    aside = why != ""
    if aside.any():
        detail = why[aside].astype(object)
        odd = detail == reasons[1]
        detail[odd] = [f"{reasons[1]}: {_tidy(w)!r}" for w in pipe["stage"].to_numpy(dtype=object)[aside][odd]]
        log.set_aside(label, pd.Series(rows[aside]), ids[aside], pd.Series(detail))
    for t, c in sorted(unknown_accounts):
        log.notes.append(f"{label}: account {t!r} ({c} row(s)) is not in the accounts file; those rows are set aside.")

    keep = ~aside
    won = keep & (outcome == "won")
    lost = keep & (outcome == "lost")
    is_open = keep & (outcome == "open")
    in12 = (close > np.datetime64(start12)) & (close <= np.datetime64(as_of))
    inprev = (close > np.datetime64(start24)) & (close <= np.datetime64(start12))
    where = np.select([won & in12, won & inprev, won, lost, is_open], [k for k, _ in OUTCOMES], default="set_aside")

    na = len(acc)
    idx = np.where(keep, acct, 0)

    def per_account(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else np.nan_to_num(weights[mask])
        return np.bincount(idx[mask], weights=w, minlength=na)[:na]

    revenue_12m = per_account(won & in12, value)
    revenue_prev = per_account(won & inprev, value)
    won_n, lost_n = per_account(won), per_account(lost)
    won_12m_n, lost_12m_n = per_account(won & in12), per_account(lost & in12)
    open_n = per_account(is_open)
    open_total = per_account(is_open, open_value)

    # breadth of the range bought, and grow/new for open deals
    prod_key = _take(p_codes, [name_key(u) for u in p_uniques])
    k_codes, k_uniques = pd.factorize(prod_key)
    n_k = max(len(k_uniques), 1)
    pair = idx.astype(np.int64) * n_k + k_codes
    won_pairs = np.unique(pair[won & (k_codes >= 0) & (prod_key != "")])
    bought = np.bincount(won_pairs // n_k, minlength=na)[:na]
    in_range = len(products) if len(products) else len({k for k in k_uniques if k})
    kind = np.where(np.isin(pair, won_pairs), "grow", "new")

    # account manager: most deals, then larger won value, then name
    with_owner = keep & (owner.to_numpy(dtype=object) != "")
    o_codes, o_uniques = pd.factorize(owner.to_numpy(dtype=object)[with_owner])
    per = pd.DataFrame({"acct": idx[with_owner], "owner": o_codes, "won_value": np.where(won[with_owner], np.nan_to_num(value[with_owner]), 0.0)})
    per = per.groupby(["acct", "owner"], sort=False).agg(deals=("won_value", "size"), won_value=("won_value", "sum")).reset_index()
    per["name"] = np.asarray(o_uniques, dtype=object)[per["owner"].to_numpy()] if len(per) else pd.Series(dtype=object)
    per = per.sort_values(["acct", "deals", "won_value", "name"], ascending=[True, False, False, True]).drop_duplicates("acct")
    manager = np.full(na, "", dtype=object)
    manager_deals = np.zeros(na, dtype=np.int64)
    manager[per["acct"].to_numpy()] = per["name"].to_numpy()
    manager_deals[per["acct"].to_numpy()] = per["deals"].to_numpy()

    first_won = pd.Series(close[won]).groupby(idx[won]).min().reindex(range(na))
    last_won = pd.Series(close[won]).groupby(idx[won]).max().reindex(range(na))

    # coverage of the two windows by the export
    prev_known = first_close <= start12
    if first_close > start12 + pd.Timedelta(days=1):
        log.notes.append(f"The export's first closed deal is on {first_close.date()}, after the start of the last 12 months "
                         f"({(start12 + pd.Timedelta(days=1)).date()}): revenue_12m covers only {first_close.date()} to {as_of.date()}.")
    if not prev_known:
        log.notes.append("The export holds no closed deal in the 12 months before "
                         f"({(start24 + pd.Timedelta(days=1)).date()} to {start12.date()}): revenue_prev_12m is unknown and left empty, not zero.")
    elif first_close > start24 + pd.Timedelta(days=1):
        log.notes.append(f"The export's closed deals start on {first_close.date()}, inside the 12 months before: revenue_prev_12m covers only part of them.")

    # groups: roll revenue up to every ancestor
    group_rev = revenue_12m.astype(float).copy()
    group_prev = revenue_prev.astype(float).copy()
    root = np.arange(na)
    for i in range(na):
        j = int(parent[i])
        while j >= 0:
            group_rev[j] += revenue_12m[i]
            group_prev[j] += revenue_prev[i]
            root[i] = j
            j = int(parent[j])
    subsidiaries = np.bincount(parent[parent >= 0], minlength=na)[:na]

    team_of = dict(zip(teams["key"], zip(teams["manager"], teams["region"], strict=True), strict=True)) if len(teams) else {}
    mkeys = [team_of.get(name_key(m), ("", "")) for m in manager]
    team_manager = [t[0] for t in mkeys]
    region = [t[1] for t in mkeys]
    if team_of:
        missing = sorted({o for o in o_uniques if name_key(o) not in team_of})
        if missing:
            log.notes.append(f"{len(missing)} deal owner(s) are not in {labels['teams']}, e.g. {missing[:3]}: their manager and region stay empty.")

    ids_arr = acc["account_id"].to_numpy(dtype=object)
    accounts = pd.DataFrame({c: pd.Series([""] * na, dtype=object) for c in SHEETS["accounts"].column_names})
    accounts["account_id"] = ids_arr
    accounts["name"] = acc["name"].to_numpy(dtype=object)
    accounts["industry"] = acc["industry"].to_numpy(dtype=object) if "industry" in acc else ""
    accounts["country"] = acc["country"].to_numpy(dtype=object) if "country" in acc else ""
    accounts["parent_id"] = np.where(parent >= 0, ids_arr[np.maximum(parent, 0)], "")
    accounts["revenue_12m"] = revenue_12m
    accounts["revenue_prev_12m"] = revenue_prev if prev_known else np.nan
    accounts["account_manager"] = manager
    accounts = accounts.sort_values("account_id").reset_index(drop=True)

    o = np.flatnonzero(is_open)
    prod_o = product.to_numpy(dtype=object)[o]
    opportunities = pd.DataFrame({
        "opportunity_id": ids.to_numpy(dtype=object)[o],
        "account_id": ids_arr[acct[o]],
        "name": np.where(prod_o != "", prod_o, ["Opportunity " + str(i) for i in ids.to_numpy(dtype=object)[o]]),
        "kind": kind[o],
        "value": open_value[o],
        "stage": kstage[o],
        "expected_close": close[o],
        "owner": owner.to_numpy(dtype=object)[o],
    }).sort_values(["account_id", "opportunity_id"]).reset_index(drop=True)

    def passthrough(fld: str) -> np.ndarray:
        return acc[fld].map(_tidy).to_numpy(dtype=object) if fld in acc else np.full(na, "", dtype=object)

    with np.errstate(invalid="ignore", divide="ignore"):
        win_rate = np.where(won_n + lost_n > 0, won_n / (won_n + lost_n) * 100, np.nan)
        breadth = bought / in_range * 100 if in_range else np.full(na, np.nan)
    figures = pd.DataFrame({
        "account_id": ids_arr,
        "name": acc["name"].to_numpy(dtype=object),
        "revenue_12m": revenue_12m,
        "revenue_prev_12m": revenue_prev if prev_known else np.nan,
        "won_deals": won_n,
        "lost_deals": lost_n,
        "win_rate_pct": np.round(win_rate, 1),
        "won_deals_12m": won_12m_n,
        "lost_deals_12m": lost_12m_n,
        "open_deals": open_n,
        "open_value": open_total,
        "products_bought": bought,
        "products_in_range": in_range,
        "product_breadth_pct": np.round(breadth, 1),
        "first_won": first_won.to_numpy(),
        "last_won": last_won.to_numpy(),
        "account_manager": manager,
        "account_manager_deals": manager_deals,
        "team_manager": team_manager,
        "regional_office": region,
        "group_id": ids_arr[root],
        "subsidiaries": subsidiaries,
        "group_revenue_12m": group_rev,
        "group_revenue_prev_12m": group_prev if prev_known else np.nan,
        "year_established": passthrough("year_established"),
        "company_revenue": passthrough("company_revenue"),
        "employees": passthrough("employees"),
    }).sort_values("account_id").reset_index(drop=True)

    aside_frame = (pd.concat(log.aside, ignore_index=True) if log.aside
                   else pd.DataFrame({"file": pd.Series(dtype=object), "row": pd.Series(dtype="int64"), "id": pd.Series(dtype=object), "reason": pd.Series(dtype=object)}))
    fixes = pd.DataFrame(log.fixes, columns=["file", "column", "before", "after", "rows", "fix"])
    recon = _reconcile(where, aside_frame, labels, acc, products, teams, log)
    k = np.flatnonzero(won | lost | is_open)
    deals = pd.DataFrame({"account_id": ids_arr[acct[k]], "product": product.to_numpy(dtype=object)[k], "outcome": outcome[k],
                          "value": np.where(outcome[k] == "open", open_value[k], np.nan_to_num(value[k])), "close": close[k],
                          "owner": owner.to_numpy(dtype=object)[k]})
    return ImportResult(accounts=accounts, opportunities=opportunities, figures=figures, fixes=fixes, set_aside=aside_frame,
                        reconciliation=recon, input_rows={}, as_of=as_of, windows=windows, mapping=mapping, labels=labels,
                        stage_words=stage_words, notes=log.notes, deals=deals)


def _reconcile(where: np.ndarray, aside: pd.DataFrame, labels: dict[str, str], acc: pd.DataFrame,
               products: pd.DataFrame, teams: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Where every input row went: one table, per file, whose rows add up to the rows read."""
    out: list[dict[str, object]] = []
    counts = pd.Series(where).value_counts()
    pipe = labels["opportunities"]
    for key, text in OUTCOMES:
        out.append({"file": pipe, "went_to": text, "rows": int(counts.get(key, 0))})
    set_aside = aside.assign(reason=aside["reason"].str.replace(r"^stage word not in the mapping's stages: .*$", "stage word not in the mapping's stages", regex=True))
    sizes = set_aside.groupby(["file", "reason"], sort=False).size()
    by_reason: list[tuple[str, str, int]] = [(f, r, n) for (f, r), n in zip(sizes.index.tolist(), sizes.tolist(), strict=True)]
    for f, reason, n in by_reason:
        if f == pipe:
            out.append({"file": pipe, "went_to": f"set aside: {reason}", "rows": n})
    for key, used, text in (("accounts", len(acc), "written to accounts.csv"),
                            ("products", len(products), "used as the range and list prices"),
                            ("teams", len(teams), "used for manager and region")):
        file = labels[key]
        if key != "accounts" and not used and file not in set(aside["file"]):
            continue
        out.append({"file": file, "went_to": text, "rows": used})
        for f, reason, n in by_reason:
            if f == file:
                out.append({"file": file, "went_to": f"set aside: {reason}", "rows": n})
    return pd.DataFrame(out, columns=["file", "went_to", "rows"])


# --------------------------------------------------------------------------- writing


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


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(v: object) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return lines


def render_report(res: ImportResult) -> str:
    """The import report as Markdown: inputs, as-of date, reconciliation, fixes, rows set aside, what is left to the team.

    Example:
        >>> render_report(res).splitlines()[0]  # doctest: +SKIP
        '# CRM import report'
    """
    cur = res.mapping.currency
    (a12, b12), (ap, bp) = res.windows["last_12m"], res.windows["prev_12m"]
    lines = [
        "# CRM import report",
        "",
        f"- Export: `{res.export}`" if res.export else "- Export: (in memory)",
        f"- Layout: {res.mapping.name} (mapping `{res.mapping.source}`)",
        f"- Workbook: `{res.out}`" if res.out else "- Workbook: (not written)",
        f"- As of **{res.as_of.date()}**: the newest close date of a won or lost deal in the export. "
        f"Last 12 months: {a12.date()} to {b12.date()}; the 12 months before: {ap.date()} to {bp.date()}.",
        f"- Currency: {cur}",
        f"- Result: {len(res.accounts)} accounts, {len(res.opportunities)} open opportunities, "
        f"{res.set_aside.shape[0]} row(s) set aside, {int(res.fixes['rows'].sum()) if len(res.fixes) else 0} cell(s) fixed.",
        "",
        "## Input",
        "",
    ]
    lines += _table(["file", "rows read"], [(f, f"{n:,}") for f, n in res.input_rows.items()])
    lines += ["", "## Reconciliation", "", "Every row read ends up in exactly one line; each file's lines add up to its rows read.", ""]
    recon_rows: list[tuple[object, ...]] = []
    for file, part in res.reconciliation.groupby("file", sort=False):
        for _, r in part.iterrows():
            recon_rows.append((file, r["went_to"], f"{r['rows']:,}"))
        total = int(part["rows"].sum())
        read = res.input_rows.get(str(file), total)
        recon_rows.append((file, "**total**" + ("" if total == read else f" (rows read: {read:,})"), f"**{total:,}**"))
    lines += _table(["file", "where the rows went", "rows"], recon_rows)
    lines += ["", "## Stage words", "", f"What each word in column {res.mapping.column('opportunities', 'stage')!r} was read as.", ""]
    lines += _table(["stage word", "read as", "kamnb stage", "rows"],
                    [(f"`{r.word}`", r.outcome, r.stage, f"{r.rows:,}") for r in res.stage_words.sort_values("rows", ascending=False).itertuples()])
    lines += ["", "## Fixes", ""]
    if len(res.fixes):
        lines.append("Each line is one value as found in the export and what the workbook holds instead.")
        lines.append("")
        lines += _table(["file", "column", "before", "after", "rows", "why"],
                        [(f["file"], f["column"], f"`{f['before']}`", f"`{f['after']}`" if f["after"] else "(empty)", f"{f['rows']:,}", f["fix"])
                         for f in res.fixes.to_dict("records")])
    else:
        lines.append("None needed.")
    lines += ["", "## Rows set aside", ""]
    if len(res.set_aside):
        lines += [f"Every row set aside is listed with its row number and reason in `{SET_ASIDE_NAME}`.", ""]
        grouped = res.set_aside.groupby(["file", "reason"], sort=False)
        rows = []
        for key, g in grouped:
            source, reason = tuple(key)  # type: ignore[arg-type]
            first = ", ".join(str(r) for r in g["row"].head(5)) + (", ..." if len(g) > 5 else "")
            rows.append((source, reason, f"{len(g):,}", first))
        lines += _table(["file", "reason", "rows", "row numbers"], rows)
    else:
        lines.append("None.")
    groups = res.figures[res.figures["subsidiaries"] > 0].sort_values("group_revenue_12m", ascending=False)
    lines += ["", "## Groups", ""]
    if len(groups):
        lines += ["Revenue of an account plus every account below it (from the parent column).", ""]
        lines += _table(["account", "subsidiaries", "own revenue 12m", "group revenue 12m"],
                        [(r.name, r.subsidiaries, money(r.revenue_12m, cur), money(r.group_revenue_12m, cur)) for r in groups.itertuples()])
    else:
        lines.append("The export names no parent accounts.")
    lines += [
        "",
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
    if res.feed:
        ws = res.feed["whitespace"]
        counts = ws["status"].value_counts()
        lines += [
            "",
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
    revenue = res.figures["revenue_12m"].sum()
    won = res.figures["won_deals"].sum()
    lost = res.figures["lost_deals"].sum()
    lines += ["", f"Revenue over the last 12 months, all accounts: {money(revenue, cur)}; win rate over the export "
              f"{percent(won / (won + lost) * 100 if won + lost else float('nan'), 1)} ({won:,} won, {lost:,} lost)."]
    if res.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in res.notes]
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
    from kamnb.classification import classify
    from kamnb.classification_basis import definition_basis

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
    from kamnb.crm_feed import to_judge_rows, xlsx_bytes

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


def import_crm(export: Path | str, out: Path | str, mapping: Path | str | Mapping | None = None, *, force: bool = False) -> ImportResult:
    """Import a CRM export folder into a new workbook folder; return what was done.

    The export is only read. ``out`` must be empty or hold an earlier import
    (``force`` replaces other files' neighbours too).

    Example:
        >>> res = import_crm("maven-crm", "imported")  # doctest: +SKIP
        >>> len(res.accounts), len(res.opportunities)  # doctest: +SKIP
        (85, 664)
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


# --------------------------------------------------------------------------- command line


def cmd_import_crm(args: argparse.Namespace) -> int:
    """Run ``kamnb import-crm`` from parsed arguments; return the exit code (0 ok, 1 error, 2 usage).

    Example:
        >>> from kamnb.cli import build_parser  # doctest: +SKIP
        >>> cmd_import_crm(build_parser().parse_args(["import-crm", "maven-crm", "--out", "imported"]))  # doctest: +SKIP
        0
    """
    export = Path(args.export)
    if not export.is_dir():
        print(f"kamnb import-crm: no export folder at {export}", file=sys.stderr)
        return 2
    from kamnb.crm_mapping import builtin_mapping

    if args.mapping and not Path(args.mapping).is_file() and builtin_mapping(args.mapping) is None:
        print(f"kamnb import-crm: no mapping file at {args.mapping}", file=sys.stderr)
        return 2
    try:
        res = import_crm(export, args.out, args.mapping, force=args.force)
    except KamnbError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # full disk, read-only folder: the workbook folder is left as it was
        print(f"error: {disk_message(err, args.out)}; nothing was written", file=sys.stderr)
        return 1
    aside = res.set_aside.groupby("reason").size() if len(res.set_aside) else pd.Series(dtype=int)
    print(f"{res.out}: {len(res.accounts)} accounts, {len(res.opportunities)} open opportunities, "
          f"as of {res.as_of.date()} (newest close date in the export), currency {res.mapping.currency}")
    print(f"  {int(res.fixes['rows'].sum()) if len(res.fixes) else 0} cell(s) fixed in {len(res.fixes)} fix(es); "
          f"{len(res.set_aside)} row(s) set aside")
    for reason, c in aside.items():
        print(f"    {c:>8,}  {reason}")
    print(f"  report: {Path(args.out) / REPORT_NAME}")
    print(f"  next: kamnb validate {res.out}")
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    """Register ``kamnb import-crm`` on the CLI's sub-command parser.

    Example:
        >>> import argparse
        >>> sub = argparse.ArgumentParser(prog="kamnb").add_subparsers()
        >>> add_command(sub)
        >>> "import-crm" in sub.choices
        True
    """
    p = sub.add_parser(
        "import-crm",
        help="turn a CRM export (accounts, opportunities, products, teams) into a workbook",
        description="Read a CRM export folder, clean it, derive revenue, pipeline and account managers from the deal history, "
        "and write a workbook folder plus import_report.md. The Maven CRM layout needs no mapping; other CRMs need a "
        "YAML mapping file (see kamnb/defaults/crm_maven.yaml). Exit 0 ok, 1 the export could not be imported, 2 usage.",
        epilog="Example: kamnb import-crm exports/crm-2026-01 --out workbooks/crm",
    )
    p.add_argument("export", metavar="EXPORT_DIR", help="folder holding the CRM's CSV files (only read)")
    p.add_argument("--out", required=True, metavar="WORKBOOK", help="workbook folder to write")
    p.add_argument("--mapping", metavar="FILE", help="YAML mapping for a layout other than Maven's, or the name of a shipped one: salesforce")
    p.add_argument("--force", action="store_true", help="write into a folder that holds other files")
    p.set_defaults(func=cmd_import_crm)

