"""kamnb batch end to end: real worker processes, real kernels, real files."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from kamnb.batch.config import find_chromium, safe_names
from kamnb.batch.run import RunOptions, run_batch
from kamnb.cli import main

pytestmark = pytest.mark.slow
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
STEPS = ["review.ipynb", "trap.ipynb", "isolation.ipynb"]
TRAPS = ["ACC-raise", "ACC-hang", "ACC-die-once", "ACC-die-always"]
HOSTILE = ["<script>alert(1)</script>", '"; import os #', "../../etc/passwd"]


def _workbook(folder: Path, extra: list[str] = (), copies: int = 0) -> Path:
    shutil.copytree(NOTEBOOKS / "workbook", folder)
    accounts = pd.read_csv(folder / "accounts.csv", dtype=str, keep_default_na=False)
    rows = [accounts.iloc[0].to_dict() | {"account_id": a, "name": f"Trap {a}"} for a in extra]
    rows += [accounts.iloc[i % 3].to_dict() | {"account_id": f"ACC-{100 + i}"} for i in range(copies)]
    pd.concat([accounts, pd.DataFrame(rows)]).to_csv(folder / "accounts.csv", index=False)
    return folder


def _opts(workbook: Path, out: Path, **kw) -> RunOptions:
    base = dict(workbook=workbook, out=out, workers=2, quiet=True, notebooks=list(STEPS), notebook_dir=str(NOTEBOOKS), timeout=4)
    return RunOptions(**(base | kw))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    os.environ["SOURCE_DATE_EPOCH"] = "1793491200"
    root = tmp_path_factory.mktemp("batch")
    workbook = _workbook(root / "wb", TRAPS)
    out = root / "out"
    code = run_batch(_opts(workbook, out), stream=io.StringIO())
    manifest = json.loads((out / "manifest.json").read_text())
    return {"code": code, "out": out, "workbook": workbook, "manifest": manifest,
            "by_id": {a["account_id"]: a for a in manifest["accounts"]}}


def test_every_good_account_gets_a_review_and_failures_are_contained(batch) -> None:
    by_id = batch["by_id"]
    assert batch["code"] == 1  # some failed
    ok = {a for a, r in by_id.items() if r["status"] == "ok"}
    assert ok == {"ACC-001", "ACC-002", "ACC-003", "ACC-die-once", *HOSTILE}
    for account in ok:
        page = (batch["out"] / by_id[account]["outputs"]["html"]).read_text()
        assert page.rstrip().endswith("</html>") and "<script" not in page
        assert "names left by an earlier notebook: []" in page  # nothing leaks between accounts
    summary = batch["manifest"]["summary"]
    assert (summary["ok"], summary["failed"], summary["interrupted"]) == (7, 3, False)


def test_audit_notebooks_are_not_trusted_so_jupyterlab_runs_nothing_in_them(batch) -> None:
    import nbformat
    from nbformat.sign import NotebookNotary

    notebook = nbformat.read(batch["out"] / batch["by_id"]["ACC-001"]["outputs"]["notebook"], as_version=4)
    charts = [o["data"] for c in notebook.cells if c.cell_type == "code" for o in c.outputs if "image/svg+xml" in o.get("data", {})]
    assert len(charts) == 1 and charts[0]["text/plain"] == "Chart: Revenue"  # JupyterLab shows this title until the reader trusts it
    notary = NotebookNotary()  # the user's own, as JupyterLab uses it
    try:
        assert not notary.check_signature(notebook)
    finally:
        notary.store.close()
    assert "warning" not in batch["by_id"]["ACC-001"]


def test_failed_accounts_carry_error_cell_and_banner(batch) -> None:
    by_id, out = batch["by_id"], batch["out"]
    raised = by_id["ACC-raise"]
    assert raised["error"]["kind"] == "error" and raised["error"]["step"] == "trap.ipynb"
    assert "ValueError: this account cannot be reviewed: ACC-raise" == raised["error"]["message"]
    assert raised["error"]["cell"] == 4 and "raise ValueError" in raised["error"]["source"]
    notebook = json.loads((out / raised["outputs"]["notebook"]).read_text())
    assert any("papermill-error-cell-tag" in c["metadata"].get("tags", []) for c in notebook["cells"])
    assert "html" not in raised["outputs"] and not (out / "accounts" / "ACC-raise.html").exists()
    assert by_id["ACC-hang"]["error"]["kind"] == "timeout"
    assert by_id["ACC-die-always"]["error"]["kind"] == "kernel died" and by_id["ACC-die-always"]["attempts"] == 2
    assert by_id["ACC-die-once"]["attempts"] == 2 and by_id["ACC-die-once"]["status"] == "ok"


def test_hostile_ids_render_as_text_inside_the_folder(batch) -> None:
    out, by_id = batch["out"], batch["by_id"]
    names = safe_names(list(by_id))
    for account in HOSTILE:
        path = (out / by_id[account]["outputs"]["html"]).resolve()
        assert path.parent == (out / "accounts").resolve() and path.stem == names[account]
        assert re.fullmatch(r"[A-Za-z0-9._-]+", path.stem)
    page = (out / by_id["<script>alert(1)</script>"]["outputs"]["html"]).read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    index = (out / "index.html").read_text()
    from kamnb.review.portfolio_index import script_text

    assert index.count("<script") == 1 and f"<script>{script_text()}</script>" in index  # only the account table's own script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert not (out.parent / "etc").exists()


def test_index_lists_accounts_links_and_failures(batch) -> None:
    index = (batch["out"] / "index.html").read_text()
    assert index.count('href="accounts/') == 7
    failed = index[index.index('id="failed"'):]
    for account in ("ACC-raise", "ACC-hang", "ACC-die-always"):
        assert account in failed
    assert "ValueError: this account cannot be reviewed: ACC-raise" in failed
    assert 'src="data:image/svg+xml;base64,' in index and "http://" not in index.replace("http://www.w3.org", "")


def test_portfolio_files_have_the_same_numbers(batch) -> None:
    csv = pd.read_csv(batch["out"] / "portfolio.csv", keep_default_na=False)
    xlsx = pd.read_excel(batch["out"] / "portfolio.xlsx", keep_default_na=False)
    assert len(csv) == len(xlsx) == 10
    row = csv.set_index("account_id").loc["ACC-001"]
    assert row["revenue_12m"] == 1_250_000 and row["review_status"] == "ok" and row["open_pipeline_value"] == 650_000
    assert list(csv["account_id"]) == list(xlsx["Account id"])
    assert float(row["growth"]) == pytest.approx(150_000 / 1_100_000, abs=1e-4)  # a fraction in both files
    assert csv.set_index("account_id").loc["ACC-raise", "review_status"] == "failed"


def test_manifest_records_inputs(batch) -> None:
    inputs = batch["manifest"]["inputs"]
    assert len(inputs["workbook"]["sha256"]) == 64 and [n["name"] for n in inputs["notebooks"]] == STEPS
    assert inputs["parameters"]["timeout"] == 4
    assert not list(batch["out"].rglob(".kamnb-tmp-*"))


def test_review_is_the_same_alone_and_in_the_batch_and_prints_to_pdf(batch, tmp_path: Path) -> None:
    out = tmp_path / "alone"
    chromium = find_chromium()
    code = run_batch(_opts(batch["workbook"], out, accounts=["ACC-002"], workers=1, pdf=True), stream=io.StringIO())
    assert code == 0
    alone = (out / "accounts" / "ACC-002.html").read_bytes()
    assert alone == (batch["out"] / "accounts" / "ACC-002.html").read_bytes()
    pdf = out / "accounts" / "ACC-002.pdf"
    if chromium:
        assert pdf.read_bytes()[:5] == b"%PDF-"
    else:  # without Chromium the run still succeeds, with HTML only
        assert not pdf.exists()


def test_resume_redoes_only_what_is_missing(batch, tmp_path: Path) -> None:
    out = tmp_path / "resumed"
    shutil.copytree(batch["out"], out)
    (out / "accounts" / "ACC-003.html").unlink()
    before = (out / "accounts" / "ACC-001.html").stat().st_mtime_ns
    code = run_batch(_opts(batch["workbook"], out, resume=True, workers=1, accounts=["ACC-001", "ACC-003", "ACC-raise"]), stream=io.StringIO())
    manifest = json.loads((out / "manifest.json").read_text())
    by_id = {a["account_id"]: a for a in manifest["accounts"]}
    assert code == 1
    assert by_id["ACC-001"].get("resumed") is True and (out / "accounts" / "ACC-001.html").stat().st_mtime_ns == before
    assert by_id["ACC-003"]["status"] == "ok" and not by_id["ACC-003"].get("resumed")
    assert by_id["ACC-raise"]["status"] == "failed"


def test_usage_errors(tmp_path: Path, capsys) -> None:
    wb = str(NOTEBOOKS / "workbook")
    assert main(["batch", wb, "--out", str(tmp_path), "--notebook-dir", str(NOTEBOOKS), "--notebook", "not_there.ipynb"]) == 2
    assert "not_there.ipynb" in capsys.readouterr().err
    assert main(["batch", wb, "--out", str(tmp_path), "--notebook-dir", str(NOTEBOOKS), "--notebook", "tiny.ipynb", "--accounts", "NOPE"]) == 2
    assert "unknown account id(s): NOPE" in capsys.readouterr().err


def test_ctrl_c_keeps_finished_reports_and_leaves_no_partial_file(tmp_path: Path) -> None:
    workbook = _workbook(tmp_path / "wb", copies=20)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "kamnb", "batch", str(workbook), "--out", str(out), "--workers", "1",
           "--notebook-dir", str(NOTEBOOKS), "--notebook", "review.ipynb"]
    # As from a terminal: a job started in the background by a script inherits SIGINT as
    # ignored, and Python then never raises KeyboardInterrupt.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "accounts").glob("*.html"))) < 2:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["summary"]["interrupted"] is True
    done = [a for a in manifest["accounts"] if a["status"] == "ok"]
    assert 2 <= len(done) < 26 and any(a["status"] == "not run" for a in manifest["accounts"])
    for entry in done:
        assert (out / entry["outputs"]["html"]).read_text().rstrip().endswith("</html>")
    assert len(list((out / "accounts").glob("*.html"))) == len(done)
    assert not list(out.rglob(".kamnb-tmp-*"))


def test_dask_cluster_runs_the_same_task(batch, tmp_path: Path) -> None:
    from distributed import LocalCluster

    out = tmp_path / "dask"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        code = run_batch(_opts(batch["workbook"], out, accounts=["ACC-001", "ACC-002", "ACC-raise"], scheduler=cluster.scheduler_address),
                         stream=io.StringIO())
    assert code == 1
    by_id = {a["account_id"]: a for a in json.loads((out / "manifest.json").read_text())["accounts"]}
    assert (by_id["ACC-001"]["status"], by_id["ACC-002"]["status"], by_id["ACC-raise"]["status"]) == ("ok", "ok", "failed")
    assert (out / "accounts" / "ACC-002.html").read_bytes() == (batch["out"] / "accounts" / "ACC-002.html").read_bytes()


def test_batch_processes_validate_notebooks_without_building_the_iri_grammar() -> None:
    """kamnb.batch.run keeps jsonschema from compiling its IRI parsers (seconds per process); validation still works."""
    code = (
        "import sys, kamnb.batch.run, nbformat\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
        "nbformat.validate(nb)\n"
        "bad = nbformat.from_dict({**nb, 'cells': [{'cell_type': 'code'}]})\n"
        "try:\n    nbformat.validate(bad)\nexcept nbformat.ValidationError:\n    print('invalid notebook caught')\n"
        "print('grammar built' if sys.modules.get('rfc3987_syntax') is not None else 'grammar skipped')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.split() == ["invalid", "notebook", "caught", "grammar", "skipped"]
