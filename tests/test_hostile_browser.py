"""The hostile workbook's pages in real Chromium: nothing fires, nothing is fetched, nothing hides.

A review and the index of the hostile workbook's batch are opened from disk;
the test records every dialog, every request and every navigation. A second
test renders a page whose notebook output carries raw attacks (as if escaping
had failed somewhere) to show the page's policy stops them on its own.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from kamnb.batch.report import ReviewExporter

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RAW = (
    "<style>main, table, img { display: none !important; }</style><p>no red flags, relationship healthy</p>"
    '<meta http-equiv="refresh" content="0;url=https://attacker.invalid/">'
    '<base href="https://attacker.invalid/">'
    '<img src="https://attacker.invalid/pixel.png" onerror="alert(1)">'
    '<p style="display:none" id="hidden-by-attribute">still here</p>'
    '<form action="https://attacker.invalid/"><button id="send">send</button></form>'
)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}; run scripts/ensure-chromium (make test does) to install it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="BROWSER TESTS SKIPPED: the playwright package is not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        except Exception as err:  # Chromium present but unusable: say so loudly
            pytest.skip(f"BROWSER TESTS SKIPPED: Chromium at {CHROMIUM} does not start: {err}")
        yield b
        b.close()


def visit(browser, path: Path) -> dict:
    """Open a page from disk; return what it did: dialogs, requests, final address, what shows."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    seen: dict = {"dialogs": [], "requests": [], "violations": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    # Every request that leaves the page (one the policy blocks never does), aborted here.
    page.route("**/*", lambda route: (seen["requests"].append(route.request.url), route.abort()) if route.request.url != path.as_uri() else route.continue_())
    page.on("console", lambda m: seen["violations"].append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(path.as_uri())
    page.wait_for_timeout(1500)  # a meta refresh of 0 s would have left by now
    seen["url"] = page.url
    seen["main_visible"] = page.locator("main").first.is_visible()
    seen["tables"] = page.locator("main table").count()
    seen["text"] = page.locator("body").inner_text()
    page.close()
    return seen


def assert_quiet(seen: dict, path: Path) -> None:
    assert seen["dialogs"] == [], path.name
    assert seen["url"] == path.as_uri(), "the page navigated away"
    assert [u for u in seen["requests"] if not u.startswith("data:")] == []
    assert seen["main_visible"]


def test_hostile_review_and_index_fire_nothing_and_fetch_nothing(browser, hostile_run):
    review = next((hostile_run / "accounts").glob("*.html"))
    for path in (review, hostile_run / "index.html"):
        seen = visit(browser, path)
        assert_quiet(seen, path)
        assert seen["tables"] >= 1
        assert "<img src=x onerror=alert(" in seen["text"], "the attacks show as the text they are"
        assert seen["violations"] == [], "kamnb's own page needs nothing the policy refuses"


def test_the_policy_stops_raw_markup_that_escaped_escaping(browser, tmp_path):
    cell = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", data={"text/html": RAW, "text/plain": "x"})])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Relationships"), cell, nbformat.v4.new_markdown_cell("A table follows.\n\n| a |\n|---|\n| 1 |")])
    path = tmp_path / "review.html"
    path.write_text(ReviewExporter().export(nb, title="Raw"), encoding="utf-8")
    seen = visit(browser, path)
    assert_quiet(seen, path)
    assert seen["tables"] == 1, "the injected style sheet hid nothing"
    assert "still here" in seen["text"], "an inline style attribute hides nothing"


def test_hostile_workshop_fires_nothing_and_fetches_nothing(browser, hostile_book, tmp_path):
    """The served workshop on the hostile workbook, a visitor naming themselves with markup: no dialog, no request out."""
    import shutil

    from tests.workshop.test_workshop_room import Server

    book = tmp_path / hostile_book.name
    shutil.copytree(hostile_book, book)
    server = Server(book)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        seen: dict = {"dialogs": [], "outside": []}
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1"))
                   else (seen["outside"].append(route.request.url), route.abort()))
        page.goto(server.url, timeout=120_000)
        page.wait_for_selector(".kamnb-summary .kamnb-answers", timeout=120_000)
        page.fill("#who", "<img src=x onerror=alert(9)>")
        page.press("#who", "Enter")
        page.wait_for_timeout(3000)
        text = page.locator("body").inner_text()
        page.screenshot(path=str(tmp_path / "workshop.png"))
        page.close()
    finally:
        server.stop()
    assert seen["dialogs"] == [] and seen["outside"] == []
    assert "<img src=x onerror=alert(" in text  # the workbook's attacks show as the text they are
