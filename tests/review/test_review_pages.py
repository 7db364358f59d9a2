"""The written reviews as a director opens them: a real batch on the sample, pages read in headless Chromium.

One batch (two accounts, real kernels) is shared by the tests of this module.
"""
from __future__ import annotations

import base64
import html as htmllib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE

from kamnb.workbook import load_workbook

pytestmark = [pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ("ACC-001", "ACC-005", "ACC-007")  # the largest account, a group member, a mid-sized one
PORTFOLIO_SCREEN = ("portfolio", "key", "defend", "tiers", "forecast", "relationships", "flags", "actions")
PRINTED_PAGES = 12
FIRST_SCREEN = ("tier", "key_score", "money", "forecast", "relationship", "position", "flags", "actions")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "sample"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "kamnb", "batch", str(SAMPLE), "--out", str(out), "--accounts", ",".join(ACCOUNTS), "--workers", "1", "--quiet", "--pdf"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def page(run: Path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}; run scripts/ensure-chromium (make test does) to install it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="BROWSER TESTS SKIPPED: the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1280, "height": 800})
        yield pg
        browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("account_id", ACCOUNTS)
def test_first_screen_shows_the_account_story(run: Path, page, account_id: str) -> None:
    page.goto((run / "accounts" / f"{account_id}.html").as_uri())
    for item in FIRST_SCREEN:
        card = page.locator(f'.kamnb-glance [data-item="{item}"]')
        assert card.count() == 1, item
        box = card.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800, f"{item} is not within the first 800 px: {box}"
        assert card.is_visible()
    text = page.locator(".kamnb-glance").inner_text()
    assert re.search(r"KEY SCORE\s+\d+ / 100", text, re.I), text
    assert re.search(r"RELATIONSHIP SCORE\s+\d+ / 100", text, re.I), text
    assert re.search(r"Retention €[\d.]+[kM]?, growth €[\d.]+[kM]?", text), text
    if account_id == "ACC-001":
        assert "Retain / defend" in text and "Marc Dubois" in text and "32 days overdue" in text
    # nothing the first screen shows hides behind the fold
    assert page.evaluate("document.querySelector('.kamnb-glance').getBoundingClientRect().bottom") <= 800


@pytest.mark.parametrize("account_id", ACCOUNTS)
def test_every_first_screen_link_reaches_its_section(run: Path, account_id: str) -> None:
    html = (run / "accounts" / f"{account_id}.html").read_text(encoding="utf-8")
    glance = html[html.index('class="kamnb-glance"'):html.index("</section>")]
    links = re.findall(r'href="#([^"]+)"', glance)
    assert len(links) == len(FIRST_SCREEN)
    ids = set(re.findall(r'<h[1-3] id="([^"]+)"', html))
    assert [x for x in links if x not in ids] == []
    # the table of contents follows the first screen
    assert html.index('class="kamnb-glance"') < html.index('<nav class="toc">')


def _readable_text(page: str) -> str:
    """What a reader can see: the page's text, image alternative texts and the words drawn in its SVG charts."""
    charts = [base64.b64decode(m).decode("utf-8") for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)]
    words = [" ".join(re.findall(r">([^<>]+)<", svg)) for svg in charts]
    body = re.sub(r"<style.*?</style>|<[^>]+>", " ", page, flags=re.S)
    return htmllib.unescape(body + " " + " ".join(re.findall(r'alt="([^"]*)"', page)) + " " + " ".join(words))


@pytest.mark.parametrize("account_id", ACCOUNTS)
def test_no_review_names_more_than_ten_other_accounts(run: Path, account_id: str) -> None:
    accounts = load_workbook(SAMPLE).accounts
    text = _readable_text((run / "accounts" / f"{account_id}.html").read_text(encoding="utf-8"))
    named = sorted(a for a, name in accounts["name"].items() if a != account_id and (str(name) in text or re.search(rf"\b{a}\b", text)))
    assert str(accounts.at[account_id, "name"]) in text
    assert len(named) <= 10, f"{account_id}'s review names {len(named)} other accounts: {named}"
    assert len(named) >= 4  # its nearest neighbours are there


def test_portfolio_review_is_linked_first_and_holds_the_portfolio(run: Path) -> None:
    index = (run / "index.html").read_text(encoding="utf-8")
    main = index[index.index("</header>"):]
    assert re.search(r'<a href="([^"]+)"', main).group(1) == "portfolio.html"  # type: ignore[union-attr]
    page = (run / "portfolio.html").read_text(encoding="utf-8")
    for heading in ("Pareto split", "Seven definitions of a key account", "Partnership: willing on both sides?", "Portfolio matrix",
                    "Tiers and resource recommendations", "Groups classified as one", "Red flags across accounts", "Appendix: the question bank"):
        assert f">{heading}</h" in page, heading
    accounts = load_workbook(SAMPLE).accounts
    assert all(str(n) in htmllib.unescape(page) for n in accounts["name"])  # the portfolio review lists every account of the sample
    assert "<script" not in page
    assert (run / "notebooks" / "portfolio.ipynb").exists()


@pytest.mark.browser
def test_account_table_sorts_and_filters_offline(run: Path, page) -> None:
    page.goto((run / "index.html").as_uri())
    rows = page.locator("#account-table tbody tr")
    assert rows.count() == 3 and page.locator("#account-filters").is_visible()  # the script ran under the page's policy
    page.select_option("#account-filters select[name=tier]", "Develop")
    visible = page.locator("#account-table tbody tr:visible")
    assert visible.locator("td:first-child a").all_inner_texts() == ["Kestrel Precision Parts", "Helvion Energy Services"]
    assert page.locator("#account-count").inner_text() == "2 of 3 accounts shown"
    page.fill("#account-filters input[name=text]", "nordlicht")
    assert page.locator("#account-table tbody tr:visible").count() == 0  # Nordlicht is not a develop account
    page.click("#account-filters button[type=reset]")
    page.fill("#account-filters input[name=text]", "nordlicht")
    assert page.locator("#account-table tbody tr:visible td:first-child a").all_inner_texts() == ["Nordlicht Logistics"]
    page.click("#account-filters button[type=reset]")
    page.select_option("#account-filters select[name=flag]", "*")
    assert page.locator("#account-table tbody tr:visible").count() >= 1
    page.click("#account-filters button[type=reset]")
    revenue = page.locator("#account-table thead th", has_text="Revenue")
    revenue.click()
    assert page.locator("#account-table tbody tr td:first-child a").all_inner_texts() == [
        "Nordlicht Logistics", "Kestrel Precision Parts", "Helvion Energy Services"]  # largest revenue first
    revenue.click()
    assert page.locator("#account-table tbody tr td:first-child a").all_inner_texts()[0] == "Helvion Energy Services"


@pytest.mark.browser
def test_account_table_reads_with_scripts_off(run: Path, page) -> None:
    context = page.context.browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    plain = context.new_page()
    plain.goto((run / "index.html").as_uri())
    assert not plain.locator("#account-filters").is_visible()
    assert plain.locator("#account-table tbody tr td:first-child a").all_inner_texts() == [
        "Nordlicht Logistics", "Kestrel Precision Parts", "Helvion Energy Services"]  # by tier (retain first), then revenue
    context.close()


@pytest.mark.browser
def test_portfolio_review_opens_with_the_portfolio_on_one_screen(run: Path, page) -> None:
    page.goto((run / "portfolio.html").as_uri())
    for item in PORTFOLIO_SCREEN:
        card = page.locator(f'.kamnb-glance [data-item="{item}"]')
        assert card.count() == 1, item
        box = card.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800, f"{item} is not within the first 800 px: {box}"
    text = page.locator(".kamnb-glance").inner_text()
    assert re.search(r"REVENUE, LAST 12 MONTHS\s+€41\.2M", text), text
    assert re.search(r"KEY ACCOUNTS\s+10 of 30", text), text
    assert "€23.4M at stake" in text and "Nordlicht Logistics" in text
    # every card links to a heading of the page
    html = (run / "portfolio.html").read_text(encoding="utf-8")
    glance = html[html.index('class="kamnb-glance"'):html.index("</section>")]
    ids = set(re.findall(r'<h[1-3] id="([^"]+)"', html))
    assert [x for x in re.findall(r'href="#([^"]+)"', glance) if x not in ids] == []


def test_printed_reviews_fit_on_twelve_a4_pages(run: Path) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (pip install -e '.[dev]')")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}")
    counts = {pdf.name: len(pypdf.PdfReader(pdf).pages) for pdf in [*(run / "accounts").glob("*.pdf"), run / "portfolio.pdf"]}
    assert set(counts) == {*(f"{a}.pdf" for a in ACCOUNTS), "portfolio.pdf"}
    assert max(counts.values()) <= PRINTED_PAGES, counts  # ACC-001 is the sample's richest account
