"""The hostile workbook's pages in real Chromium: nothing fires, nothing is fetched, nothing hides.

A review and the index of the hostile workbook's batch are opened from disk;
the test records every dialog, every request and every navigation. A second
test renders a page whose notebook output carries raw attacks (as if escaping
had failed somewhere) to show the page's policy stops them on its own. The
last two serve the workshop: on the hostile workbook, and with attacks typed
into the room's own fields (kept verbatim in the journal, shown as text,
exported with formulas neutralised).
"""
from __future__ import annotations

import json
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


# What the test types into the room's own fields, by the field; each would run, restyle, redirect or evaluate if it arrived live.
TYPED = {
    "account_goal": '@SUM(1+1) <meta http-equiv="refresh" content="0;url=https://attacker.invalid/">',
    "qualification_evidence": "-2+3 <style>*{display:none!important}</style>hidden?",
    "name": "<script>alert(1)</script>Mallory",
    "title": '=HYPERLINK("https://attacker.invalid/","click me")',
    "plan": "<img src=x onerror=alert(2)>",
    "contact_owner": '"><svg onload=alert(3)>',
    "new_person": "'><img src=x onerror=alert(4)>",
    "new_action": '+1 <base href="https://attacker.invalid/">',
    "new_action_owner": "=1+1",
}
BIDI = "Fine \u202eevil"  # a direction override: refused like a control character, never saved
INJECTED = ("script:not([src])", "img[src='x']", "[onerror]", "[onload]", "meta[http-equiv]", "base[href]", "body > style, .panels style, #summary style")


def _wait_for_journal(book: Path, want: str, seconds: float = 20) -> None:
    """Wait until some journal entry holds ``want`` (a value set, or a row added with it)."""
    import contextlib
    import sqlite3
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows: list[tuple] = []
        if (book / "journal.sqlite").exists():
            with contextlib.suppress(sqlite3.OperationalError), contextlib.closing(sqlite3.connect(book / "journal.sqlite")) as conn:
                rows = conn.execute("SELECT new, op FROM changes").fetchall()  # the file comes first, its table a moment later
        if any((want in json.loads(new).values()) if op == "add" else want == new for new, op in rows):
            return
        time.sleep(0.2)
    raise AssertionError(f"never saved: {want!r}")


def _injected(page) -> list[str]:
    """Elements of the attacks that made it into the page's DOM."""
    return page.evaluate("sels => sels.flatMap(s => [...document.querySelectorAll(s)].map(e => e.outerHTML.slice(0, 120)))", list(INJECTED))


def test_hostile_text_typed_in_the_room_is_kept_verbatim_shown_as_text_and_written_inert(browser, sample_copy, tmp_path, capsys):
    """Attacks typed into the workshop's own fields: journal verbatim, page shows text, review escaped, exports neutralised."""
    import contextlib
    import sqlite3

    import openpyxl
    from hostile import formula_leaks, leaks, xlsx_formula_cells

    from kamnb.cli import main
    from kamnb.workbook import load_workbook
    from tests.workshop.test_workshop_room import Server

    book = sample_copy
    wb = load_workbook(book)
    sid = wb.stakeholders.index[wb.stakeholders["account_id"] == "ACC-001"][0]
    opp = wb.opportunities.index[wb.opportunities["account_id"] == "ACC-001"][0]
    qid, iid = wb.questions.index[0], wb.indicators.index[0]
    server = Server(book)
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        seen: dict = {"dialogs": [], "outside": []}
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1"))
                   else (seen["outside"].append(route.request.url), route.abort()))
        page.goto(server.url + "&account=ACC-001", timeout=120_000)
        page.wait_for_selector(".kamnb-summary .kamnb-answers", timeout=120_000)
        page.fill("#who", "Priya")
        page.press("#who", "Enter")
        page.wait_for_function("() => document.querySelector('#status').textContent.includes('Priya')")

        def type_into(field, text: str) -> None:
            field.fill(text)
            field.press("Tab")  # the change goes out when the field is left
            _wait_for_journal(book, text)

        page.get_by_role("tab", name="Classification").click()
        type_into(page.locator(".panel[data-tab=Classification] textarea.cell").first, TYPED["account_goal"])
        page.get_by_role("tab", name="Qualification").click()
        block = page.locator(f".opportunity[data-opportunity='{opp}']")
        block.locator(f".kamnb-answer-{qid}").get_by_role("button", name="yes", exact=True).click()
        _wait_for_journal(book, "yes")
        type_into(block.locator(f".kamnb-evidence-{qid} textarea"), TYPED["qualification_evidence"])
        page.get_by_role("tab", name="Stakeholders").click()
        person = page.locator(".panel[data-tab=Stakeholders] .person").filter(has=page.locator(f".kamnb-remove-{sid}"))
        type_into(person.locator(".kamnb-person-name input"), TYPED["name"])
        for column in ("title", "contact_owner", "plan"):
            type_into(person.locator(f"[data-cell*='\"column\": \"{column}\"']"), TYPED[column])
        page.fill(".kamnb-new-person", TYPED["new_person"])
        page.click(".kamnb-add-person")
        _wait_for_journal(book, TYPED["new_person"])
        page.get_by_role("tab", name="Actions").click()
        page.fill(".kamnb-new-action", TYPED["new_action"])
        page.fill("[data-add=actions] input[name=owner]", TYPED["new_action_owner"])
        page.click(".kamnb-add-action")
        _wait_for_journal(book, TYPED["new_action"])
        page.get_by_role("tab", name="Relationship").click()
        item = page.locator(f".kamnb-indicator-evidence-{iid}").locator("xpath=ancestor::div[contains(@class,'item')][1]")
        bidi = page.locator(f".kamnb-indicator-evidence-{iid} textarea")
        bidi.fill(BIDI)
        bidi.press("Tab")
        item.locator(".msg").filter(has_text="not saved").wait_for(timeout=20_000)
        refusal = item.locator(".msg").inner_text()
        live = {"injected": _injected(page), "text": page.locator("body").inner_text()}
        page.click("#review")  # the review of what the room changed, written by the batch from the journal
        page.wait_for_function("() => document.querySelector('#status').textContent.includes('Review of ACC-001 written')", timeout=300_000)
        review = Path(page.locator("#status").inner_text().split("written: ", 1)[1].strip()).read_text(encoding="utf-8")
        page.reload()  # every field drawn again from the server's HTML
        page.wait_for_selector(".kamnb-summary .kamnb-answers", timeout=120_000)
        page.get_by_role("tab", name="Stakeholders").click()
        person = page.locator(".panel[data-tab=Stakeholders] .person").filter(has=page.locator(f".kamnb-remove-{sid}"))
        shown = {column: person.locator(f"[data-cell*='\"column\": \"{column}\"']").input_value() for column in ("name", "title", "contact_owner", "plan")}
        shown["account_goal"] = page.locator(".panel[data-tab=Classification] textarea.cell").first.input_value()
        reloaded = {"injected": _injected(page), "text": page.locator("body").inner_text(), "visible": page.locator("main").is_visible()}
        page.screenshot(path=str(tmp_path / "typed.png"))
        ctx.close()
    finally:
        server.stop()

    assert seen["dialogs"] == [] and seen["outside"] == [], seen
    assert live["injected"] == [] and reloaded["injected"] == []
    assert reloaded["visible"]  # the style typed as evidence hid nothing
    assert shown == {k: TYPED[k] for k in ("name", "title", "contact_owner", "plan", "account_goal")}
    assert TYPED["new_person"] in reloaded["text"] and "<script>alert(1)</script>Mallory" in reloaded["text"]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in refusal and "not saved" in refusal
    with contextlib.closing(sqlite3.connect(book / "journal.sqlite")) as conn:
        rows = conn.execute('SELECT "column", new, op FROM changes').fetchall()
    values = {c: new for c, new, op in rows if op != "add"}
    added = [json.loads(new) for _, new, op in rows if op == "add"]
    for column in ("name", "title", "contact_owner", "plan", "account_goal"):
        assert values[column] == TYPED[column], column  # verbatim
    assert values["evidence"] == TYPED["qualification_evidence"]
    assert {"name": TYPED["new_person"]}.items() <= next(a for a in added if "name" in a).items()
    assert {"action": TYPED["new_action"], "owner": TYPED["new_action_owner"]}.items() <= next(a for a in added if "action" in a).items()
    assert not any(BIDI in (new or "") for _, new, _ in rows)
    assert leaks(review) == [] and "&lt;script&gt;alert(1)&lt;/script&gt;Mallory" in review  # the review shows the name as text

    assert main(["export", str(book), "--out", str(tmp_path / "csv")]) == 0
    assert main(["export", str(book), "--xlsx", "--out", str(tmp_path / "book.xlsx")]) == 0
    capsys.readouterr()
    csvs = sorted((tmp_path / "csv").glob("*.csv"))
    assert csvs and all(formula_leaks(p) == [] for p in csvs)
    stakeholders = (tmp_path / "csv" / "stakeholders.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in stakeholders and "<script>alert(1)</script>Mallory" in stakeholders
    assert xlsx_formula_cells(tmp_path / "book.xlsx") == []
    texts = {c.value for ws in openpyxl.load_workbook(tmp_path / "book.xlsx").worksheets for row in ws.iter_rows() for c in row}
    assert {TYPED["title"], TYPED["account_goal"], TYPED["new_action_owner"]} <= texts  # kept as the text typed, not evaluated
