"""The loaded workbook: :class:`Workbook` (typed sheets, banks, settings, problems), :class:`RawSheet`, the journal's place.

Example:
    >>> wb.accounts.loc["ACC-001", "name"]
    'Nordlicht Logistics'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kamnb.common.rows import rows_in, rows_of
from kamnb.errors import AccountNotFound, Problem

JOURNAL_NAME = "journal.sqlite"


@dataclass
class RawSheet:
    """A sheet as read from disk: every cell as text, plus where it came from.

    Example:
        >>> from kamnb.workbook.reading import read_raw
        >>> read_raw(Path("data/sample"), [])["accounts"].label
        'accounts.csv'
    """

    label: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Workbook:
    """Typed tables of one workbook plus the banks and settings in force for it.

    Each sheet is a :class:`pandas.DataFrame` with every column of the contract
    (optional columns missing from the file are present and empty; see
    :attr:`missing_columns`). Sheets with an id column are indexed by it.

    Example:
        >>> len(wb.accounts), wb.account("ACC-001")["name"]
        (30, 'Nordlicht Logistics')
    """

    path: Path
    sheets: dict[str, pd.DataFrame]
    questions: pd.DataFrame
    indicators: pd.DataFrame
    settings: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    missing_columns: dict[str, list[str]] = field(default_factory=dict)
    content_stamp: tuple[Any, dict[str, Any]] | None = field(default=None, init=False, compare=False, repr=False)
    """Tokens naming the content exactly, set by whoever tracks every change to it (the workshop, for one
    account's view): one for the banks and the workbook as read, one per sheet. Memo keys use them instead
    of hashing the sheets. Never copied by :func:`dataclasses.replace`, so a workbook made from this one is
    hashed again."""

    @property
    def accounts(self) -> pd.DataFrame:
        return self.sheets["accounts"]

    @property
    def stakeholders(self) -> pd.DataFrame:
        return self.sheets["stakeholders"]

    @property
    def opportunities(self) -> pd.DataFrame:
        return self.sheets["opportunities"]

    @property
    def qualification(self) -> pd.DataFrame:
        return self.sheets["qualification"]

    @property
    def relationship(self) -> pd.DataFrame:
        return self.sheets["relationship"]

    @property
    def actions(self) -> pd.DataFrame:
        return self.sheets["actions"]

    @property
    def value(self) -> pd.DataFrame:
        return self.sheets["value"]

    @property
    def history(self) -> pd.DataFrame:
        return self.sheets["history"]

    @property
    def stakeholder_history(self) -> pd.DataFrame:
        return self.sheets["stakeholder_history"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def journal_path(self) -> Path:
        """Where the workshop journal of this workbook lives (it may not exist yet)."""
        return journal_path_for(self.path)

    def has_column(self, sheet: str, column: str) -> bool:
        """True when the user's file had ``column`` (not merely filled in as empty)."""
        return column not in self.missing_columns.get(sheet, [])

    def account(self, account_id: str) -> pd.Series:
        """One account's row, or :class:`AccountNotFound` naming the ids that exist."""
        if account_id not in self.accounts.index:
            known = ", ".join(list(self.accounts.index[:10]))
            raise AccountNotFound(f"no account {account_id!r} in {self.path}; known ids include {known}")
        return self.accounts.loc[account_id]

    def for_account(self, sheet: str, account_id: str) -> pd.DataFrame:
        """Rows of ``sheet`` belonging to one account (qualification goes through its opportunities)."""
        df = self.sheets[sheet]
        if "account_id" not in df.columns and sheet not in ("qualification", "stakeholder_history"):
            return df  # a sheet of the whole portfolio (offerings)
        if sheet == "qualification":
            return rows_in(df, rows_of(self.opportunities, account_id).index, "opportunity_id")
        if sheet == "stakeholder_history":
            return rows_in(df, rows_of(self.stakeholders, account_id).index, "stakeholder_id")
        return rows_of(df, account_id)


def journal_path_for(path: Path | str) -> Path:
    """The journal beside a workbook: ``FOLDER/journal.sqlite`` or ``BOOK.journal.sqlite``.

    Example:
        >>> journal_path_for("data/sample").as_posix(), journal_path_for("book.xlsx").as_posix()
        ('data/sample/journal.sqlite', 'book.journal.sqlite')
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return path.with_suffix(".journal.sqlite")
    return path / JOURNAL_NAME
