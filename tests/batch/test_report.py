"""The review page: stitched notebooks, table of contents, escaping, nothing fetched from the network."""
from __future__ import annotations

import base64
import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from matplotlib.figure import Figure

from kamnb.batch.report import ReviewExporter, add_toc, stitch
from kamnb.common.files import TMP_PREFIX, remove_temp_files, write_atomic


def _png() -> str:
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([1, 3, 2])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode()


def _svg() -> str:
    from kamnb.plots import figure_svg, new_figure

    fig, ax = new_figure("Revenue & margin <by account>")
    ax.plot([1, 3, 2])
    return figure_svg(fig)


def _step(title: str, *, stderr: bool = False) -> nbformat.NotebookNode:
    code = nbformat.v4.new_code_cell("secret_code_line = 1", execution_count=1)
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": _svg(), "text/plain": "Chart: Revenue & margin <by account>"}),
        nbformat.v4.new_output("execute_result", data={"text/html": "<table><tr><td>42</td></tr></table>", "text/plain": "42"}, execution_count=1),
    ]
    if stderr:
        code.outputs.append(nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: something internal\n"))
    cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nIntro.\n\n## Summary\n\nText with a [link](https://example.org)."), code]
    nb = nbformat.v4.new_notebook(cells=cells)
    for cell in nb.cells:
        cell.id = "random-" + title.replace(" ", "")
    return nb


class _Fetches(HTMLParser):
    """Collects every URL a browser would fetch by itself: script/img/iframe src, link href, CSS url()."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href") if tag in ("script", "link", "img", "iframe", "source", "video", "audio", "embed") else ():
            if values.get(name):
                self.fetched.append(values[name] or "")


def external_fetches(page: str) -> list[str]:
    parser = _Fetches()
    parser.feed(page)
    urls = parser.fetched + re.findall(r"url\(\s*['\"]?(https?:[^)'\"]+)", page) + re.findall(r"@import\s+['\"]?(https?:[^'\";]+)", page)
    return [u for u in urls if re.match(r"(?i)\s*(https?:)?//", u)]


@pytest.fixture(scope="module")
def exporter() -> ReviewExporter:
    return ReviewExporter()


@pytest.fixture(scope="module")
def page(exporter: ReviewExporter) -> str:
    review = stitch([("01_a.ipynb", _step("Classification")), ("02_b.ipynb", _step("Qualification", stderr=True))],
                    account_id="<script>alert(1)</script>", account_name='<b>Bold</b> & "Co"')
    return exporter.export(review, title='<b>Bold</b> & "Co"', subtitle="account <script>alert(1)</script>", generated="2026-11-01 09:00 UTC")


def test_page_loads_nothing_from_the_network_and_has_no_script(page: str) -> None:
    assert external_fetches(page) == []
    assert "<script" not in page.lower()
    assert "require.js" not in page and "mathjax" not in page.lower() and "fonts.googleapis" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_images_are_embedded_with_alternative_text(page: str) -> None:
    assert page.count('src="data:image/png;base64,') == 2
    assert page.count('src="data:image/svg+xml;base64,') == 2
    assert page.count('alt="Chart: Revenue &amp; margin &lt;by account&gt;"') == 2  # the chart's title, escaped
    assert page.count('alt="Chart"') == 2  # a picture whose text is only a repr
    svg = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)).decode()  # type: ignore[union-attr]
    assert svg == _svg()  # embedded as drawn: the same bytes


def test_title_and_subtitle_are_escaped(page: str) -> None:
    title = re.search(r"<title>(.*?)</title>", page).group(1)  # type: ignore[union-attr]
    heading = re.search(r'<header class="kamnb-header">\s*<h1>(.*?)</h1>', page).group(1)  # type: ignore[union-attr]
    assert html.unescape(title) == html.unescape(heading) == '<b>Bold</b> & "Co"'
    assert "<b>Bold</b>" not in page
    assert "account &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_table_of_contents_lists_every_heading_with_unique_anchors(page: str) -> None:
    toc = page[page.index('<nav class="toc">'):page.index("</nav>")]
    assert re.findall(r'<a href="#([a-z0-9-]+)">([^<]+)</a>', toc) == [
        ("classification", "Classification"), ("summary", "Summary"), ("qualification", "Qualification"), ("summary-2", "Summary")]
    ids = re.findall(r'<h[1-3] id="([^"]+)"', page[page.index("<main>"):])
    assert ids == ["classification", "summary", "qualification", "summary-2"]


def test_page_is_well_formed(page: str) -> None:
    class Balance(HTMLParser):
        VOID = {"meta", "img", "br", "hr", "input", "link", "col", "wbr"}

        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in self.VOID:
                self.open.append(tag)

        def handle_startendtag(self, tag: str, attrs: object) -> None:
            assert tag in self.VOID, f"<{tag} /> is not a void element: a browser leaves it open"

        def handle_endtag(self, tag: str) -> None:
            assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
            self.open.pop()

    checker = Balance()
    checker.feed(page)
    assert checker.open == []  # every element closed, in order: no link runs over the rest of the page


def test_printed_text_is_one_output_however_the_kernel_flushed_it() -> None:
    step = _step("A")
    step.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in ("names left: ", "[]\n")]
    step.cells[1].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="warning\n"))
    review = stitch([("a", step)], account_id="X", account_name="X")
    assert [(o.name, o.text) for o in review.cells[1].outputs] == [("stdout", "names left: []\n"), ("stderr", "warning\n")]


def test_code_and_warnings_are_hidden(page: str) -> None:
    assert "secret_code_line" not in page
    assert "FutureWarning" not in page
    assert "<td>42</td>" in page


def test_stitch_gives_stable_cell_ids_and_records_steps() -> None:
    review = stitch([("01_a.ipynb", _step("A")), ("02_b.ipynb", _step("B"))], account_id="ACC-1", account_name="N")
    assert [c.id for c in review.cells] == ["s1-1", "s1-2", "s2-1", "s2-2"]
    assert [c.metadata["kamnb"]["step"] for c in review.cells] == ["01_a.ipynb"] * 2 + ["02_b.ipynb"] * 2
    assert review.metadata["kamnb"] == {"account_id": "ACC-1", "account_name": "N", "steps": ["01_a.ipynb", "02_b.ipynb"]}
    nbformat.validate(review)


def test_same_input_gives_the_same_page(exporter: ReviewExporter) -> None:
    pages = [exporter.export(stitch([("a", _step("A"))], account_id="X", account_name="X"), title="X", generated="g") for _ in range(2)]
    assert pages[0] == pages[1]


def test_add_toc_without_headings_leaves_no_placeholder() -> None:
    assert add_toc("<!--kamnb:toc--><main><p>x</p></main>") == "<main><p>x</p></main>"


def test_write_atomic_replaces_whole_and_cleans_up_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "review.html"
    write_atomic(target, "old")
    write_atomic(target, b"new")
    assert target.read_text() == "new"

    with pytest.raises(TypeError):
        write_atomic(target, 123)  # type: ignore[arg-type]
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["review.html"]


def test_remove_temp_files(tmp_path: Path) -> None:
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / f"{TMP_PREFIX}a.html.xyz").write_text("half")
    (tmp_path / "keep.html").write_text("whole")
    assert remove_temp_files(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["accounts", "keep.html"]
