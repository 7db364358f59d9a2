"""Errors raised by kamnb. Every one derives from :class:`KamnbError`."""
from __future__ import annotations

from dataclasses import dataclass


class KamnbError(Exception):
    """Base class for every error kamnb raises on purpose.

    Example:
        >>> str(KamnbError("accounts.csv, row 4: account_id is empty"))
        'accounts.csv, row 4: account_id is empty'
    """


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a workbook, located as a person sees it.

    ``row`` is the row number Excel shows: the header is row 1, the first data
    row is row 2. ``None`` means the problem concerns the whole file or column.
    For a YAML file (settings, banks) ``row`` is the line and ``column`` the
    key path, such as ``classification.key_at``.

    Example:
        >>> str(Problem("accounts.csv", 7, "revenue_12m", "abc", "a number"))
        "accounts.csv, row 7, column revenue_12m: found 'abc', expected a number"
    """

    file: str
    row: int | None
    column: str | None
    found: str | None
    expected: str
    level: str = "error"

    def __str__(self) -> str:
        where = [self.file]
        yaml = self.file.endswith((".yaml", ".yml"))  # a settings or bank file: a line and a key path
        if self.row is not None:
            where.append(f"{'line' if yaml else 'row'} {self.row}")
        if self.column:
            where.append(f"{'key' if yaml else 'column'} {self.column}")
        head = ", ".join(where)
        if self.found is None:
            return f"{head}: {self.expected}"
        return f"{head}: found {self.found!r}, expected {self.expected}"


class WorkbookError(KamnbError):
    """The workbook has errors; ``problems`` lists every one of them.

    Example:
        >>> e = WorkbookError([Problem("accounts.csv", 7, "revenue_12m", "abc", "a number")])
        >>> len(e.problems)
        1
    """

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.level == "error"]
        lines = "\n".join(f"  - {p}" for p in errors)
        super().__init__(f"the workbook has {len(errors)} error(s):\n{lines}")


class BankError(KamnbError):
    """A question bank, indicator bank or settings file is malformed.

    Example:
        >>> issubclass(BankError, KamnbError)
        True
    """


class AccountNotFound(KamnbError):
    """An account id was asked for that the workbook does not hold.

    Example:
        >>> issubclass(AccountNotFound, KamnbError)
        True
    """


class ChangeRefused(KamnbError):
    """A workshop change was refused: the row it was made on was removed or changed since.

    ``by`` is the journal row that got there first (who, when, what), so the
    screen can say "Jonas Maier was removed by Anna at 10:42"; nothing was written.

    Example:
        >>> str(ChangeRefused("Jonas Maier was removed by Anna at 10:42"))
        'Jonas Maier was removed by Anna at 10:42'
    """

    def __init__(self, message: str, by: object = None):
        super().__init__(message)
        self.by = by


class OutputBusy(KamnbError):
    """Another ``kamnb batch`` is writing into the same output folder.

    Example:
        >>> issubclass(OutputBusy, KamnbError)
        True
    """


class CrmImportError(KamnbError):
    """The export cannot be imported: names the file, the column and what was expected.

    Example:
        >>> issubclass(CrmImportError, KamnbError)
        True
    """


class WorkshopError(KamnbError):
    """The workshop cannot start or do what was asked (no workbook, no speaker, a review that failed).

    Example:
        >>> issubclass(WorkshopError, KamnbError)
        True
    """


class BatchError(KamnbError):
    """The batch cannot start: a notebook is missing, an account is unknown, the settings are wrong.

    Example:
        >>> issubclass(BatchError, KamnbError)
        True
    """


class JournalError(KamnbError):
    """The journal cannot be opened or written (locked for too long, not a database, read-only).

    Example:
        >>> issubclass(JournalError, KamnbError)
        True
    """


class QualificationSettingsError(KamnbError):
    """The ``qualification:`` section of settings.yaml (or the question bank) cannot be used.

    Example:
        >>> issubclass(QualificationSettingsError, KamnbError)
        True
    """


class ClassificationSettingsError(KamnbError):
    """The ``classification:`` section of settings.yaml holds a value that cannot be used.

    Example:
        >>> issubclass(ClassificationSettingsError, KamnbError)
        True
    """
