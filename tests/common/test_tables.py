"""The one HTML-table helper: every text escaped, the same table as before for harmless text."""
from __future__ import annotations

import pandas as pd

from kamnb.classification.score import Explanation
from kamnb.common.tables import Notes, html_notes, html_table, readable

ATTACKS = ['<style>*{display:none}</style>', '<meta http-equiv="refresh" content="0;url=https://attacker.invalid/">', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(2)>"]


def test_harmless_text_keeps_its_look_and_gains_classes():
    frame = pd.DataFrame({"Option": ["Hold the rate"], "Profit": ["EUR 12,000"]})
    assert html_table(frame, right=["Profit"]) == (
        '<table class="kamnb-table" style="border-collapse:collapse;font-size:0.9em"><thead><tr>'
        '<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #7b8794">Option</th>'
        '<th class="num" style="text-align:right;padding:2px 8px;border-bottom:1px solid #7b8794">Profit</th></tr></thead><tbody><tr>'
        '<td class="kamnb-first" style="text-align:left;padding:2px 8px;font-weight:600">Hold the rate</td>'
        '<td class="num kamnb-nowrap" style="text-align:right;padding:2px 8px;white-space:nowrap">EUR 12,000</td></tr></tbody></table>'
    )


def test_every_cell_header_and_index_is_escaped():
    frame = pd.DataFrame({a: [a] for a in ATTACKS}, index=pd.Index(["<b>row</b>"], name="<i>id</i>"))
    page = html_table(frame, index=True)
    for a in ATTACKS:
        assert a not in page
    assert "&lt;style&gt;" in page and "&quot;&gt;&lt;img" in page and "&#x27;&gt;&lt;svg" in page
    assert "&lt;b&gt;row&lt;/b&gt;" in page and "&lt;i&gt;id&lt;/i&gt;" in page


def test_row_classes_only_from_the_known_set():
    frame = pd.DataFrame({"a": ["x", "y", "z"]})
    page = html_table(frame, row_classes=["overdue", "", '" onmouseover="x'])
    assert page.count('<tr class="overdue" style="background:#fde2e1">') == 1
    assert "onmouseover" not in page


def test_notes_and_titles_are_escaped():
    page = html_notes([ATTACKS[0]], title=ATTACKS[1])
    assert "<style>" not in page and "<meta" not in page
    assert "- &lt;style&gt;" in Notes(["<style>"])._repr_markdown_()


def test_readable_shows_people_what_they_read_and_escapes_names():
    frame = pd.DataFrame(
        {"name": ["<img src=x onerror=alert(1)>", "Ann"], "last": pd.to_datetime(["2026-03-01", None]), "score": [1.6, None], "dm": [True, False]},
        index=pd.Index(["ST-1", "ST-2"], name="stakeholder_id"),
    )
    table = readable(frame)
    page = table.to_html()
    assert "<img" not in page and "&lt;img src=x" in page
    assert "2026-03-01" in page and ">2<" in page and page.count(">–<") == 2 and ">yes<" in page
    assert ">Stakeholder id<" in page and ">ST-1<" in page  # a human header for the index
    assert "Ann" in repr(table)
    assert ">0<" not in readable(pd.DataFrame({"a": ["x"]})).to_html()  # row numbers are not a name


def test_classification_explanation_escapes_the_account_and_its_reasons():
    contributions = pd.DataFrame({"score": [80.0], "points": [float("nan")]}, index=pd.Index(["big"], name="definition"))
    ex = Explanation("<img src=x onerror=alert(1)>", "<style>*{display:none}</style>", contributions, 67.3, 65, True, "maintain", ["<meta http-equiv=refresh>"])
    page = ex._repr_html_()
    assert "<img" not in page and "<style>" not in page and "<meta" not in page
    assert ">80<" in page and ">–<" in page
