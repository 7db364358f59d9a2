"""The workbook: its contract (schema), reading and typing its sheets, the banks, the workshop journal, export.

This package's face: :class:`Workbook`, :func:`load_workbook` and
:func:`check_workbook`. Modules: ``schema`` (every sheet and column),
``parsing`` (one cell parser), ``banks`` (question and indicator banks,
settings), ``loader`` (reading CSV/xlsx into typed DataFrames with every
problem), ``journal`` (the workshop's SQLite store), ``export``.
"""
from kamnb.workbook.loader import JOURNAL_NAME, MAX_PROBLEMS_PER_COLUMN, RawSheet, Workbook, check_workbook, journal_path_for, load_workbook

__all__ = ["JOURNAL_NAME", "MAX_PROBLEMS_PER_COLUMN", "RawSheet", "Workbook", "check_workbook", "journal_path_for", "load_workbook"]
