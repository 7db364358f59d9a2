"""Printed reviews: paper size from the settings, footer text, no blank page, no table cut at the page edge.

The PDFs are printed by real headless Chromium and read back with pypdf.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kamnb.batch.printing import css_string, page_css, paper_size, print_pdf
from kamnb.batch.report import ReviewExporter
from kamnb.errors import KamnbError

CHROMIUM = "/usr/bin/chromium"
A4 = (595, 842)  # points, rounded
LETTER = (612, 792)


def test_paper_from_the_settings() -> None:
    assert paper_size({}) == paper_size({"report": {"paper": "a4"}}) == "A4"
    assert paper_size({"report": {"paper": " LETTER "}}) == "letter"
    with pytest.raises(KamnbError, match="report.paper is 'legal'; expected A4 or letter"):
        paper_size({"report": {"paper": "legal"}})
    with pytest.raises(KamnbError, match="must be a mapping"):
        paper_size({"report": "A4"})


def test_footer_text_cannot_leave_its_css_string() -> None:
    hostile = '"; } body { display: none } @page { x: "</style><script>alert(1)</script>\n\\'
    quoted = css_string(hostile)
    inner = quoted[1:-1]
    assert quoted[0] == quoted[-1] == '"' and not re.search(r"[\"'{}<>;\n]", inner)
    assert "\\22 " in inner and "\\3c " in inner
    css = page_css("A4", hostile)
    assert css.count("{") == css.count("}") == 3 and "</style" not in css


def _review(wide_columns: int = 16, sections: int = 3) -> nbformat.NotebookNode:
    """A review-like notebook: headings, text, a chart-sized table and one very wide table."""
    cells = [nbformat.v4.new_markdown_cell("# Classification: which accounts are key\n\nThe first section.")]
    for s in range(sections):
        cells.append(nbformat.v4.new_markdown_cell(f"## Section {s + 1}\n\n" + "A paragraph of explanation. " * 30))
        frame = pd.DataFrame({"indicator": [f"Indicator {i}" for i in range(12)], "score": range(12), "evidence": ["written down"] * 12})
        cells.append(nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output("display_data", {"text/html": frame.to_html(), "text/plain": ""})]))
    wide = pd.DataFrame({f"measure number {c}": [f"value-{c}-{r} with words" for r in range(4)] for c in range(wide_columns)})
    wide.columns = [*wide.columns[:-1], "LASTCOLUMN"]
    wide["LASTCOLUMN"] = "RIGHTEDGE"
    cells.append(nbformat.v4.new_markdown_cell("## A wide table"))
    cells.append(nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output("display_data", {"text/html": wide.to_html(), "text/plain": ""})]))
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}; run scripts/ensure-chromium (make test does) to install it")
    return CHROMIUM


def _print(chromium: str, folder: Path, paper: str) -> tuple[Path, list[str], list[tuple[int, int]]]:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (pip install -e '.[dev]')")
    page = ReviewExporter().export(_review(), title="Nordlicht Logistics", subtitle="Key-account review of ACC-001", paper=paper,
                                   print_footer="Nordlicht Logistics · ACC-001")
    html = folder / "ACC-001.html"
    html.write_text(page, encoding="utf-8")
    pdf = folder / "ACC-001.pdf"
    assert print_pdf(chromium, html, pdf) == ""
    reader = pypdf.PdfReader(pdf)
    texts = [p.extract_text() for p in reader.pages]
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]
    return html, texts, sizes


@pytest.mark.browser
@pytest.mark.slow
def test_a4_by_default_with_footer_and_no_blank_page(chromium: str, tmp_path: Path) -> None:
    _, texts, sizes = _print(chromium, tmp_path, "A4")
    pages = len(texts)
    assert pages >= 2 and set(sizes) == {A4}
    for number, text in enumerate(texts, start=1):
        assert "Nordlicht Logistics · ACC-001" in text and f"Page {number} of {pages}" in text
        body = text.replace("Nordlicht Logistics · ACC-001", "").replace(f"Page {number} of {pages}", "")
        assert len(body.split()) > 20, f"page {number} is blank but for its footer"
    everything = "\n".join(texts)
    assert re.sub(r"\s", "", everything).count("RIGHTEDGE") == 4  # the wide table's last column is on the paper, not cut off
    assert "file://" not in everything and "/tmp" not in everything  # Chromium's own header and footer are off


@pytest.mark.browser
@pytest.mark.slow
def test_letter_when_the_settings_say_so(chromium: str, tmp_path: Path) -> None:
    _, texts, sizes = _print(chromium, tmp_path, "letter")
    assert set(sizes) == {LETTER} and "Page 1 of" in texts[0]


@pytest.mark.browser
@pytest.mark.slow
def test_no_table_is_wider_than_the_printed_page(chromium: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="BROWSER TESTS SKIPPED: the playwright package is not installed")
    html, _, _ = _print(chromium, tmp_path, "A4")
    width = round((210 - 24) / 25.4 * 96)  # A4 less the side margins, in CSS pixels
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.goto(html.as_uri())
        page.emulate_media(media="print")
        over = page.evaluate("""w => [...document.querySelectorAll('table, img, pre')]
            .filter(el => el.getBoundingClientRect().right > w + 1).map(el => el.tagName)""", width)
        browser.close()
    assert over == []
