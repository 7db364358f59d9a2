"""The written reviews as a director opens them: a real batch on the sample, pages read in headless Chromium.

One batch (two accounts, real kernels) is shared by the tests of this module.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE

pytestmark = [pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = ("ACC-001", "ACC-007")
FIRST_SCREEN = ("tier", "key_score", "money", "forecast", "relationship", "position", "flags", "actions")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "sample"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "kamnb", "batch", str(SAMPLE), "--out", str(out), "--accounts", ",".join(ACCOUNTS), "--workers", "1", "--quiet"],
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
        assert "Maintain" in text and "Marc Dubois" in text and "32 days overdue" in text
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
