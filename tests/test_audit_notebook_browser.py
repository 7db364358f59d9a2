"""An audit notebook of the hostile workbook opened in real JupyterLab (Chromium): nothing in it acts.

The batch writes audit notebooks unsigned (docs/batch.md). This test serves
the hostile workbook's audit notebook from a real JupyterLab, opens it in
Chromium and records dialogs, requests leaving the server and every request
that would change something through the contents API (JupyterLab's own
checkpoint of the opened notebook aside). To show the test can see an attack
when there is one, a copy of the notebook gets a raw HTML output that writes a
file through the Jupyter API from an ``onerror`` handler: unsigned, it does
nothing; signed (trusted), the same copy writes the file.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from hostile import notebook_leaks

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "kamnb-audit-test"
WAIT = 120_000
CANARY = (
    "<img src=x onerror=\"var c=JSON.parse(document.getElementById('jupyter-config-data').textContent);"
    "fetch('/api/contents/pwned.txt?token='+c.token,{method:'PUT',headers:{'Content-Type':'application/json'},"
    "body:JSON.stringify({type:'file',format:'text',content:'pwned'})});alert('pwned')\">"
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(hostile_run, tmp_path_factory):
    """A real JupyterLab serving a folder with the hostile audit notebook and the canary copies."""
    root = tmp_path_factory.mktemp("lab-root")
    jupyter = tmp_path_factory.mktemp("jupyter-home")
    audit = next(p for p in (hostile_run / "notebooks").glob("*.ipynb") if p.name.startswith("img_src"))
    shutil.copy(audit, root / "audit.ipynb")
    nb = nbformat.read(audit, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and c.outputs)
    code.outputs.append(nbformat.v4.new_output("display_data", data={"text/html": CANARY, "text/plain": "canary"}))
    nbformat.write(nb, root / "canary.ipynb")
    nb.metadata["kamnb_copy"] = "trusted"  # trust goes by content: the trusted copy must differ from the untrusted one
    nbformat.write(nb, root / "canary-trusted.ipynb")
    env = dict(os.environ, JUPYTER_DATA_DIR=str(jupyter / "data"), JUPYTER_CONFIG_DIR=str(jupyter / "config"), JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"))
    subprocess.run([sys.executable, "-m", "jupyter", "trust", str(root / "canary-trusted.ipynb")], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (jupyter / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.root_dir={root}",
         f"--IdentityProvider.token={TOKEN}", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("JupyterLab did not start: " + (jupyter / "server.log").read_text()[-2000:])
            time.sleep(0.5)
        yield {"base": base, "root": root, "audit": audit}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, 15)
        server.wait(timeout=30)
        log.close()


def _open(browser, lab: dict, name: str) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    seen: dict = {"dialogs": [], "api": [], "outside": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))

    def request(r) -> None:
        if not r.url.startswith(lab["base"]):
            if not r.url.startswith(("data:", "blob:")):
                seen["outside"].append(r.url)
        elif "/api/contents" in r.url and r.method != "GET":
            own = r.method == "POST" and r.url.split("?")[0].endswith(f"/api/contents/{name}/checkpoints")  # JupyterLab's own, on opening
            if not own:
                seen["api"].append(f"{r.method} {r.url}")

    page.on("request", request)
    page.goto(f"{lab['base']}/lab/tree/{name}?token={TOKEN}", timeout=WAIT)
    page.wait_for_selector(".jp-OutputArea-output", state="attached", timeout=WAIT)
    page.wait_for_timeout(4000)  # an onerror handler would have fired by now
    seen["text"] = page.locator(".jp-Notebook").first.inner_text()
    page.screenshot(path=str(lab["root"].parent / f"{name}.png"))
    page.close()
    return seen


def test_the_hostile_audit_notebook_runs_nothing_in_jupyterlab(browser, lab):
    assert notebook_leaks(lab["audit"]) == []  # no markup in it to begin with
    for name in ("audit.ipynb", "canary.ipynb"):
        seen = _open(browser, lab, name)
        assert seen["dialogs"] == [], name
        assert seen["api"] == [], f"{name} sent {seen['api']}"
        assert seen["outside"] == [], name
        assert "<img src=x onerror=alert(" in seen["text"]  # the workbook's attacks show as text
    assert not (lab["root"] / "pwned.txt").exists()


def test_the_same_attack_would_act_in_a_trusted_notebook(browser, lab):
    seen = _open(browser, lab, "canary-trusted.ipynb")
    assert seen["dialogs"] == ["pwned"] and any(a.startswith("PUT ") for a in seen["api"])
    assert (lab["root"] / "pwned.txt").read_text() == "pwned"
    (lab["root"] / "pwned.txt").unlink()
