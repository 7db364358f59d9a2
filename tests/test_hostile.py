"""The hostile workbook (tests/hostile.py) through validate and batch: no text of it becomes markup.

The workbook is generated from the schema, so a text column added to
``kamnb/workbook/schema.py`` is attacked here without a change to this file.
"""
from __future__ import annotations

import csv
import io

import pytest
from hostile import HOSTILE_ID, leaks, notebook_leaks, text_columns

from kamnb.cli import main
from kamnb.workbook.schema import SHEETS


def test_every_text_column_of_every_sheet_is_attacked(hostile_book):
    columns = text_columns()
    assert sum(map(len, columns.values())) >= 19  # as of this writing; grows with the schema
    for name in SHEETS:
        path = hostile_book / f"{name}.csv"
        if not path.exists():
            continue
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for col in columns[name]:
            assert rows and all("<" in r[col] and r[col][0] in "=+-@" for r in rows), f"{name}.{col}"
    accounts = (hostile_book / "accounts.csv").read_text(encoding="utf-8")
    assert HOSTILE_ID in accounts and "<img" in hostile_book.name
    assert "<style>" in (hostile_book / "settings.yaml").read_text(encoding="utf-8")
    assert "<meta" in (hostile_book / "questions.yaml").read_text(encoding="utf-8")


def test_the_hostile_workbook_is_valid(hostile_book, capsys):
    assert main(["validate", str(hostile_book)]) == 0


@pytest.mark.slow
def test_no_review_index_or_notebook_carries_live_markup(hostile_run):
    pages = [hostile_run / "index.html", hostile_run / "portfolio.html", *sorted((hostile_run / "accounts").glob("*.html"))]
    notebooks = sorted((hostile_run / "notebooks").glob("*.ipynb"))
    assert all(p.exists() for p in pages) and len(pages) == 4 and len(notebooks) == 3  # two accounts and the portfolio review
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert leaks(text) == [], page.name
        assert "&lt;style&gt;" in text or "&lt;img" in text, page.name  # the attacks are shown, as text
    for nb in notebooks:
        assert notebook_leaks(nb) == [], nb.name
