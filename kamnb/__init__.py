"""kamnb: a Jupyter-based key-account review workbook.

The package holds the method; the notebooks tell the story. Start with
:func:`kamnb.workbook.load_workbook`.

Example:
    >>> import kamnb
    >>> kamnb.__version__
    '0.1.0'
"""
from kamnb.workbook import Workbook, check_workbook, load_workbook

__version__ = "0.1.0"

__all__ = ["Workbook", "check_workbook", "load_workbook", "__version__"]
