"""The workshop notebook in real JupyterLab, and the ``kamnb workshop`` command's address and stop; real headless Chromium.

Each test starts its server on a free local port against a copy of the sample
workbook, drives the page with Playwright, checks what a person sees and the
row in the SQLite journal, and always stops the server.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kamnb.workbook import load_workbook
from kamnb.workshop.summary import _answer_tally

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path("/tmp/kamnb-workshop-shots")
ROOT = Path(__file__).resolve().parents[2]
WAIT = 120_000  # ms; a loaded two-core machine can take a while to start a kernel


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


def _first_open_question(book: Path, account_id: str) -> tuple[str, str, str]:
    """The account's first opportunity (the one the tab shows first) and a question not yet answered 'yes'."""
    wb = load_workbook(book)
    opp = wb.opportunities.index[wb.opportunities["account_id"] == account_id][0]
    q = wb.qualification[wb.qualification["opportunity_id"] == opp].sort_values("assessed_on", kind="stable")
    latest = q.drop_duplicates("question_id", keep="last").set_index("question_id")["answer"]
    for qid in wb.questions.index:
        if latest.get(qid) != "yes":
            return account_id, opp, qid
    raise AssertionError("every question already answered yes")


def _expected_answers(book: Path, opp: str, qid: str, who: str) -> str:
    """What the summary must show for the opportunity once the answer is 'yes', computed from the sheets alone."""
    from kamnb.workbook.journal import Change, apply_change

    wb = load_workbook(book, journal=False)
    apply_change(wb, Change(1, time.strftime("%Y-%m-%dT%H:%M:%S"), who, "qualification", {"opportunity_id": opp, "question_id": qid}, "answer", None, "yes", "set"))
    row = _answer_tally(wb, wb.opportunities.loc[opp, "account_id"]).loc[opp]
    return f"{int(row['yes'])} / {int(row['partly'])} / {int(row['no'])}"


def _journal_rows(book: Path, sql: str, args: tuple) -> list[tuple]:
    with sqlite3.connect(book / "journal.sqlite") as conn:
        return conn.execute(sql, args).fetchall()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_run_all_and_answer(browser, sample_copy, tmp_path):
    lab = tmp_path / "lab"
    (lab / "notebooks").mkdir(parents=True)
    (lab / "data").mkdir()
    shutil.copy(ROOT / "notebooks" / "workshop.ipynb", lab / "notebooks" / "workshop.ipynb")
    shutil.move(str(sample_copy), lab / "data" / "sample")
    book = lab / "data" / "sample"
    account, opp, qid = _first_open_question(book, "ACC-001")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMNB_")}
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter-config")  # no user settings, no news pop-ups carried over
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.password=", "--allow-root", "--LabApp.news_url=None", f"--ServerApp.root_dir={lab}"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "lab.log").read_text()[-2000:]
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        page.goto(f"http://127.0.0.1:{port}/lab/tree/notebooks/workshop.ipynb", timeout=WAIT)
        page.wait_for_selector(".jp-Notebook", timeout=WAIT)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=WAIT)  # the kernel is up
        for attempt in range(3):  # a busy machine may swallow the first Run All while the kernel settles
            page.locator(".jp-Notebook").click()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                page.wait_for_selector(".kamnb-summary .kamnb-answers", timeout=60_000 if attempt < 2 else WAIT)
                break
            except Exception:
                if attempt == 2:
                    raise
        page.get_by_role("tab", name="Qualification").click()
        page.locator(f".kamnb-answer-{qid}").get_by_role("button", name="yes", exact=True).click()
        deadline = time.monotonic() + 30
        rows: list[tuple] = []
        while time.monotonic() < deadline and not rows:
            if (book / "journal.sqlite").exists():
                with contextlib.suppress(sqlite3.OperationalError):  # file created, table a moment later
                    rows = _journal_rows(book, "SELECT who, new FROM changes WHERE key = ? AND \"column\" = 'answer'", (json.dumps({"opportunity_id": opp, "question_id": qid}, sort_keys=True),))
            time.sleep(0.2)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "jupyterlab.png"))
        assert rows == [("facilitator", "yes")]
    except Exception:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "jupyterlab-failure.png"))
        raise
    finally:
        page.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_kamnb_workshop_prints_the_address_alone_and_stops_cleanly(sample_copy):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kamnb", "workshop", str(sample_copy), "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("http"):
                break
        assert any(line.startswith(f"http://127.0.0.1:{port}/?key=") for line in lines), lines
        with socket.socket() as s:  # bound to the loopback address only
            assert s.connect_ex(("127.0.0.1", port)) == 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("0.0.0.0", 0))
            own = socket.gethostbyname(socket.gethostname())
            if not own.startswith("127."):
                assert s.connect_ex((own, port)) != 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    time.sleep(1)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "Voila kept running after kamnb workshop stopped"


def test_kamnb_workshop_refuses_a_busy_port(sample_copy):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "kamnb", "workshop", str(sample_copy), "--no-browser", "--port", str(port)],
                             capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and f"port {port} is in use" in out.stderr and "Traceback" not in out.stderr
