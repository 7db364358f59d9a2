"""The export's deal rows, stage by stage: read and cleaned, placed in time, set aside or kept, and sorted into outcomes.

Each stage works on whole columns (one array entry per pipeline row) and logs
every fix, note and set-aside row in the order a reader of the import report
meets them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kamnb.crm.clean import text_column
from kamnb.crm.mapping import Mapping
from kamnb.crm.read import _clean_labels, _factor, _Log, _parse_dates, _parse_numbers, _take, _tidy, name_key
from kamnb.crm.result import OUTCOMES
from kamnb.errors import CrmImportError


@dataclass
class DealRows:
    """The pipeline file's rows as arrays: id, outcome, kamnb stage, account index, product, owner, close date and value."""

    label: str
    rows: np.ndarray
    ids: pd.Series
    outcome: np.ndarray
    kstage: np.ndarray
    stage_words: pd.DataFrame
    acct: np.ndarray
    has_account_text: np.ndarray
    unknown_accounts: list[tuple[str, int]]
    product: pd.Series
    owner: pd.Series
    close: np.ndarray
    value: np.ndarray
    open_value: np.ndarray
    p_codes: np.ndarray
    p_uniques: list[str]


@dataclass
class Window:
    """Where the import stands in time: ``as_of`` (the newest won or lost close) and the two 12-month windows before it."""

    as_of: pd.Timestamp
    first_close: pd.Timestamp
    start12: pd.Timestamp
    start24: pd.Timestamp

    @property
    def windows(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        """The first and last day of ``last_12m`` and ``prev_12m``."""
        return {"last_12m": (self.start12 + pd.Timedelta(days=1), self.as_of), "prev_12m": (self.start24 + pd.Timedelta(days=1), self.start12)}


@dataclass
class Placement:
    """Which rows count and how: kept, won, lost or open, inside the last 12 months or the 12 before, and each row's account."""

    keep: np.ndarray
    won: np.ndarray
    lost: np.ndarray
    is_open: np.ndarray
    in12: np.ndarray
    inprev: np.ndarray
    where: np.ndarray
    idx: np.ndarray


def _stage_words(pipe: pd.DataFrame, mapping: Mapping) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Stage words to won / lost / open and the kamnb stage, with the table of words the report shows."""
    s_codes, s_uniques, s_counts = _factor(pipe["stage"])
    meaning = [mapping.stage_of(u) for u in s_uniques]
    outcome = _take(s_codes, [m[0] if m else "" for m in meaning])
    kstage = _take(s_codes, [m[1] if m else "" for m in meaning])
    stage_words = pd.DataFrame({"word": s_uniques, "outcome": [m[0] if m else "not in the mapping: set aside" for m in meaning],
                                "stage": [m[1] if m and m[0] == "open" else "" for m in meaning], "rows": s_counts})
    return outcome, kstage, stage_words


def _match_accounts(pipe: pd.DataFrame, acc: pd.DataFrame, label: str, column: str, log: _Log) -> tuple[np.ndarray, np.ndarray, list[tuple[str, int]]]:
    """Each row's account index (-1 when unknown), matched ignoring case and spacing; whether it named one; the unknown names."""
    a_codes, a_uniques, a_counts = _factor(pipe["account"])
    by_key = dict(zip(acc["key"], range(len(acc)), strict=True))
    acc_names = acc["name"].tolist()
    a_index = []
    unknown_accounts: list[tuple[str, int]] = []
    for u, c in zip(a_uniques, a_counts, strict=True):
        t = _tidy(u)
        j = by_key.get(name_key(t), -1) if t else -1
        if j >= 0 and acc_names[j] != u:
            log.fix(label, column, u, acc_names[j], c, "matched to an account name ignoring case and spacing")
        if j < 0 and t:
            unknown_accounts.append((t, int(c)))
        a_index.append(j)
    acct = _take(a_codes, a_index, float)
    acct = np.where(np.isnan(acct), -1, acct).astype(np.int64)
    has_account_text = _take(a_codes, [bool(_tidy(u)) for u in a_uniques], bool)
    return acct, has_account_text, unknown_accounts


def read_deals(pipe: pd.DataFrame, acc: pd.DataFrame, products: pd.DataFrame, mapping: Mapping, label: str, log: _Log) -> DealRows:
    """The pipeline file read: stage words, accounts, products and owners matched, dates and amounts parsed, list prices filled in."""
    col = lambda f: mapping.column("opportunities", f) or f  # noqa: E731
    rows = pipe["_row"].to_numpy()
    ids = pipe["id"].map(str.strip) if "id" in pipe else pd.Series([f"{Path(label).stem}-{r}" for r in rows], dtype=object)
    ids = ids.reset_index(drop=True)
    outcome, kstage, stage_words = _stage_words(pipe, mapping)
    acct, has_account_text, unknown_accounts = _match_accounts(pipe, acc, label, col("account"), log)
    # products, matched to the products file ignoring case and spacing
    catalogue = dict(zip(products["key"], products["name"], strict=True))
    product = _clean_labels(text_column(pipe, "product"), label, col("product"), log, canonical=catalogue).reset_index(drop=True)
    owner = _clean_labels(text_column(pipe, "owner"), label, col("owner"), log).reset_index(drop=True)
    close, bad_close = _parse_dates(text_column(pipe, "close_date"), mapping.date_format)
    value, bad_value = _parse_numbers(text_column(pipe, "close_value"), mapping.decimal)
    if bad_close:
        log.notes.append(f"{label}: {len(bad_close)} close date value(s) could not be read as dates, e.g. {bad_close[:3]}.")
    if bad_value:
        log.notes.append(f"{label}: {len(bad_value)} close value(s) could not be read as numbers, e.g. {bad_value[:3]}.")
    if "engage_date" in pipe:
        _engage, bad_engage = _parse_dates(pipe["engage_date"], mapping.date_format)
        if bad_engage:
            log.notes.append(f"{label}: {len(bad_engage)} engage date value(s) could not be read, e.g. {bad_engage[:3]} (not used in any figure).")
    # list price for open deals without an amount
    price_by_key = dict(zip(products["key"], products["price"], strict=True))
    p_codes, p_uniques, _ = _factor(product)
    price = _take(p_codes, [price_by_key.get(name_key(u), np.nan) for u in p_uniques], float)
    open_value = np.where(np.isnan(value), price, value)
    return DealRows(label, rows, ids, outcome, kstage, stage_words, acct, has_account_text, unknown_accounts, product, owner, close, value,
                    open_value, p_codes, p_uniques)


def time_window(deals: DealRows, close_column: str) -> Window:
    """As of the newest close date of a won or lost deal; an error when no closed deal has a readable date."""
    closed = (deals.outcome == "won") | (deals.outcome == "lost")
    dated = deals.close[closed & ~np.isnat(deals.close)]
    if not len(dated):
        raise CrmImportError(f"{deals.label}: no won or lost deal with a readable close date in column {close_column!r}; "
                             "the last 12 months cannot be placed")
    as_of = pd.Timestamp(dated.max())
    return Window(as_of, pd.Timestamp(dated.min()), as_of - pd.DateOffset(months=12), as_of - pd.DateOffset(months=24))


SET_ASIDE_REASONS = (
    "opportunity id already used on an earlier row",
    "stage word not in the mapping's stages",
    "no account (kept out of account figures)",
    "account not in the accounts file",
    "won deal without a readable close date",
    "won deal without a readable close value",
    "open deal with no amount and no list price",
)
"""Why a pipeline row is set aside, in the order the reasons are tried (the first that applies is named)."""


def set_aside(deals: DealRows, pipe: pd.DataFrame, log: _Log) -> np.ndarray:
    """Which rows are set aside (one reason each, logged with the row), plus a note per unknown account."""
    dup = deals.ids.duplicated(keep="first").to_numpy() & (deals.ids.to_numpy(dtype=object) != "")
    outcome = deals.outcome
    conditions = [
        dup,
        outcome == "",
        ~deals.has_account_text,
        deals.acct < 0,
        (outcome == "won") & np.isnat(deals.close),
        (outcome == "won") & np.isnan(deals.value),
        (outcome == "open") & np.isnan(deals.open_value),
    ]
    reasons = list(SET_ASIDE_REASONS)
    why = np.select(conditions, reasons, default="")
    aside = why != ""
    if aside.any():
        detail = why[aside].astype(object)
        odd = detail == reasons[1]
        detail[odd] = [f"{reasons[1]}: {_tidy(w)!r}" for w in pipe["stage"].to_numpy(dtype=object)[aside][odd]]
        log.set_aside(deals.label, pd.Series(deals.rows[aside]), deals.ids[aside], pd.Series(detail))
    for t, c in sorted(deals.unknown_accounts):
        log.notes.append(f"{deals.label}: account {t!r} ({c} row(s)) is not in the accounts file; those rows are set aside.")
    return aside


def place(deals: DealRows, aside: np.ndarray, window: Window) -> Placement:
    """Sort the kept rows into won in the last 12 months, won in the 12 before, won earlier, lost and open."""
    keep = ~aside
    won = keep & (deals.outcome == "won")
    lost = keep & (deals.outcome == "lost")
    is_open = keep & (deals.outcome == "open")
    close = deals.close
    in12 = (close > np.datetime64(window.start12)) & (close <= np.datetime64(window.as_of))
    inprev = (close > np.datetime64(window.start24)) & (close <= np.datetime64(window.start12))
    where = np.select([won & in12, won & inprev, won, lost, is_open], [k for k, _ in OUTCOMES], default="set_aside")
    idx = np.where(keep, deals.acct, 0)
    return Placement(keep, won, lost, is_open, in12, inprev, where, idx)
