"""The workbook: its contract (schema), reading and typing its sheets, the banks, the workshop journal, export.

This package's face: :class:`Workbook`, :func:`load_workbook` and
:func:`check_workbook`. Modules: ``schema`` (every sheet and column),
``parsing`` (one cell parser), ``banks`` (question and indicator banks,
settings), ``book`` (the :class:`Workbook` itself), ``reading`` (CSV/xlsx
as text), ``frames`` (typing cells into DataFrames), ``checks`` (ids,
references, ranges), ``loader`` (the stages in order, with every problem),
``journal`` (the workshop's SQLite store), ``export``.
"""
from kamnb.workbook.book import JOURNAL_NAME, RawSheet, Workbook, journal_path_for
from kamnb.workbook.frames import MAX_PROBLEMS_PER_COLUMN
from kamnb.workbook.loader import check_workbook, load_workbook

__all__ = ["JOURNAL_NAME", "MAX_PROBLEMS_PER_COLUMN", "RawSheet", "Workbook", "check_workbook", "journal_path_for", "load_workbook"]
