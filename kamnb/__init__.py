"""kamnb: a Jupyter-based key-account review workbook.

The package holds the method; the notebooks tell the story. Start with
:func:`kamnb.workbook.load_workbook`.

``import kamnb`` itself is light: the workbook functions below are imported
on first use, so a process that only runs the batch machinery (a worker, the
command line) does not pay for pandas.

Example:
    >>> import kamnb
    >>> kamnb.__version__
    '0.1.0'
    >>> kamnb.load_workbook.__module__
    'kamnb.workbook.loader'
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kamnb.workbook import Workbook, check_workbook, load_workbook

__version__ = "0.1.0"

__all__ = ["Workbook", "check_workbook", "load_workbook", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("Workbook", "check_workbook", "load_workbook"):
        from kamnb import workbook

        return getattr(workbook, name)
    raise AttributeError(f"module 'kamnb' has no attribute {name!r}")
