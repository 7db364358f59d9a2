"""Argument types every sub-command shares: a workbook path, a positive whole number, seconds.
"""
from __future__ import annotations

import argparse
from pathlib import Path

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def workbook_path(text: str) -> str:
    """An argparse type: a workbook folder or .xlsx file that exists, else a usage error (exit 2) from the command's parser.

    Example:
        >>> workbook_path("data/sample")
        'data/sample'
        >>> workbook_path("README.md")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: README.md is not a workbook: expected a folder of CSV files or an .xlsx file
    """
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no workbook at {text}: no such file or folder")
    if path.is_file() and path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text} is not a workbook: expected a folder of CSV files or an .xlsx file")
    return text


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1.

    Example:
        >>> positive_int("2")
        2
        >>> positive_int("0")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: '0' is not a whole number of at least 1
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def seconds(text: str) -> float:
    """An argparse type: a number of seconds, 0 or more.

    Example:
        >>> seconds("30")
        30.0
    """
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value

