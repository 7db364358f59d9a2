"""Benchmark: from a widget change in the workshop to the updated summary, on the sample workbook.

Server side (no browser): set an answer button of one question, the way the
browser does, and time
  - quick: validation + journal write (SQLite, WAL, fsync) + applying the change
    + the summary redrawn with everything kamnb counts itself (answers,
    changes since the last assessment, who disagrees): what the room sees first;
  - full: the summary with the scoring modules (tier, likelihoods,
    relationship score, red flags) recomputed for that one account;
  - naive: what a simple implementation would do: reload the workbook with its
    journal from disk and recompute the summary.
Browser side (Voila + headless Chromium): click the answer button and time
until the answer counts in the summary change, and until the scores are fresh.

Target: under 150 ms from a change to the updated summary.

    .venv/bin/python -m benchmarks.bench_workshop
"""
from __future__ import annotations

import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
ACCOUNT = "ACC-001"
ROUNDS = 12


def _stats(values: list[float]) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    return f"median {statistics.median(values):7.1f} ms   p90 {p90:7.1f} ms   (n={len(values)})"


def _first_question(app):
    wb = app.session.wb
    opp = wb.opportunities.index[wb.opportunities["account_id"] == ACCOUNT][0]
    return opp, wb.questions.index[0]


def server_side(book: Path) -> dict[str, list[float]]:
    from kamnb.widgets import find_widget, workshop_app
    from kamnb.widgets.summary import render
    from kamnb.widgets.tabs import TAB_TITLES
    from kamnb.workshop import WorkshopSession, summary

    app = workshop_app(book, ACCOUNT, who="Bench")
    app.tabs.selected_index = TAB_TITLES.index("Qualification")
    opp, qid = _first_question(app)

    buttons = find_widget(app.tabs.children[1], f"kamnb-answer-{qid}")
    out: dict[str, list[float]] = {"quick": [], "full": [], "naive": []}
    for _ in range(ROUNDS):
        start = time.perf_counter()
        buttons.value = "yes" if buttons.value != "yes" else "no"  # saves, then redraws quickly; full pass runs now (no event loop)
        out["full"].append((time.perf_counter() - start) * 1000)
    session = app.session
    session.listeners.clear()  # time the session alone: no widget redraw, no full pass
    for i in range(ROUNDS):
        start = time.perf_counter()
        session.change("qualification", {"opportunity_id": opp, "question_id": qid}, "answer", "partly" if i % 2 else "unknown")
        render(summary(session, ACCOUNT, fresh_scores=False))
        out["quick"].append((time.perf_counter() - start) * 1000)
    for i in range(max(3, ROUNDS // 3)):
        start = time.perf_counter()
        session.journal.set("qualification", {"opportunity_id": opp, "question_id": qid}, "answer", "", "yes" if i % 2 else "no", who="Bench")
        summary(WorkshopSession(book, who="Bench"), ACCOUNT)  # reload sheets + whole journal from disk, recompute
        out["naive"].append((time.perf_counter() - start) * 1000)
    return out


def browser_side(book: Path) -> dict[str, list[float]] | str:
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        return "skipped: no Chromium at /usr/bin/chromium (scripts/ensure-chromium installs it)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "skipped: playwright is not installed"
    from kamnb.workbook import load_workbook
    from kamnb.workshop import start_voila

    wb = load_workbook(book)
    opp = wb.opportunities.index[wb.opportunities["account_id"] == ACCOUNT][0]
    qid = wb.questions.index[1]
    proc, url = start_voila(book, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out: dict[str, list[float]] = {"quick": [], "full": []}
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=args)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(url + f"?account={ACCOUNT}&who=Bench", timeout=180_000)
            page.wait_for_selector(".kamnb-summary .kamnb-answers", timeout=180_000)
            page.get_by_role("tab", name="Qualification").click()
            cell = f'.kamnb-opps tr[data-opportunity="{opp}"] .kamnb-answers'
            for i in range(ROUNDS):
                answer = ("yes", "no", "partly")[i % 3]
                button = page.locator(f".kamnb-answer-{qid}").get_by_role("button", name=answer, exact=True)
                if "mod-active" in (button.get_attribute("class") or ""):
                    continue
                page.evaluate(
                    """([sel]) => { window.__t0 = performance.now(); window.__before = document.querySelector(sel).innerText;
                        window.__quick = null; window.__full = null;
                        const obs = new MutationObserver(() => {
                          const now = performance.now();
                          const el = document.querySelector(sel);
                          if (window.__quick === null && el && el.innerText !== window.__before) window.__quick = now - window.__t0;
                          if (window.__quick !== null && window.__full === null && !document.querySelector('.kamnb-summary .kamnb-pending')) {
                            window.__full = now - window.__t0; obs.disconnect(); }
                        });
                        obs.observe(document.querySelector('.kamnb-summary'), {subtree: true, childList: true, characterData: true}); }""",
                    [cell],
                )
                button.click()
                page.wait_for_function("() => window.__full !== null", timeout=60_000)
                quick, full = page.evaluate("() => [window.__quick, window.__full]")
                out["quick"].append(quick)
                out["full"].append(full)
            browser.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def main() -> None:
    if not (SAMPLE / "accounts.csv").exists():
        print("bench_workshop: skipped, data/sample is missing")
        return
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "sample"
        shutil.copytree(SAMPLE, book, ignore=shutil.ignore_patterns("journal.sqlite*"))
        print(f"workshop: a change to the updated summary, {ACCOUNT} of the sample workbook (target < 150 ms)")
        server = server_side(book)
        print(f"  server, change + quick summary : {_stats(server['quick'])}")
        print(f"  server, change + full summary  : {_stats(server['full'])}")
        print(f"  naive (reload + full summary)  : {_stats(server['naive'])}")
        ratio = statistics.median(server["naive"]) / statistics.median(server["quick"])
        print(f"  quick path vs naive            : {ratio:.1f}x faster")
        ratio_full = statistics.median(server["naive"]) / statistics.median(server["full"])
        print(f"  full path vs naive             : {ratio_full:.1f}x faster")
        browser = browser_side(book)
        if isinstance(browser, str):
            print(f"  browser: {browser}")
        else:
            print(f"  browser, click to answers shown: {_stats(browser['quick'])}")
            print(f"  browser, click to fresh scores : {_stats(browser['full'])}")


if __name__ == "__main__":
    main()
