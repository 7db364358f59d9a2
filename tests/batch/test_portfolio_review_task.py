"""The portfolio review as a batch task: run once, on a worker's warm kernel, before the accounts; it fails alone.

Real worker processes and kernels; the notebooks are made here, the portfolio notebook is kamnb's own or a
small one named in the workbook's settings.
"""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from kamnb.batch.run import RunOptions, run_batch

pytestmark = pytest.mark.slow
WORKBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "workbook"


def notebook(path: Path, parameters: str, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def setup(tmp: Path, portfolio_cells: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """The test workbook, a step notebook that proves it sees nothing of the portfolio's run, and (when given) a portfolio notebook."""
    workbook = tmp / "wb"
    shutil.copytree(WORKBOOK, workbook)
    step = notebook(tmp / "nb" / "step.ipynb", 'workbook = "workbook"\naccount_id = "ACC-001"',
                    "assert 'LEFT_BY_PORTFOLIO' not in globals(), 'the portfolio review left a name behind'\nprint('account', account_id)")
    if portfolio_cells:
        notebook(tmp / "nb" / "own_portfolio.ipynb", 'workbook = "workbook"\nreviews = "accounts"', *portfolio_cells)
        with open(workbook / "settings.yaml", "a", encoding="utf-8") as f:
            f.write("batch:\n  portfolio_notebook: own_portfolio.ipynb\n")
    return workbook, step


def batch(workbook: Path, step: Path, out: Path, **kw) -> tuple[int, dict]:
    opts = RunOptions(workbook=workbook, out=out, quiet=True, notebooks=[step.name], notebook_dir=str(step.parent), timeout=60,
                      accounts=["ACC-001", "ACC-002", "ACC-003"], **kw)
    code = run_batch(opts, stream=io.StringIO())
    return code, json.loads((out / "manifest.json").read_text())


def test_the_portfolio_review_is_the_same_page_in_a_warm_worker_and_a_fresh_kernel(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")
    workbook, step = setup(tmp_path)
    code, manifest = batch(workbook, step, tmp_path / "warm", workers=2)
    assert code == 0
    assert manifest["portfolio_review"]["status"] == "ok"
    assert manifest["portfolio_review"]["outputs"] == {"notebook": "notebooks/portfolio.ipynb", "html": "portfolio.html"}
    assert [a["status"] for a in manifest["accounts"]] == ["ok"] * 3
    code, _ = batch(workbook, step, tmp_path / "fresh", workers=1, isolation="fresh")
    assert code == 0
    warm, fresh = ((tmp_path / side / "portfolio.html").read_bytes() for side in ("warm", "fresh"))
    assert b"Portfolio review" in warm and b"Nordlicht Logistics" in warm
    assert warm == fresh  # papermill's random id of its injected cell is replaced: the same inputs, the same page


def test_a_failing_portfolio_notebook_fails_only_the_portfolio_review(tmp_path) -> None:
    workbook, step = setup(tmp_path, ("LEFT_BY_PORTFOLIO = 1", "1 / 0"))
    code, manifest = batch(workbook, step, tmp_path / "out", workers=1)  # one worker: every account runs after it, in its kernel
    review = manifest["portfolio_review"]
    assert review["status"] == "failed" and review["error"] == "ZeroDivisionError: division by zero"
    assert [a["status"] for a in manifest["accounts"]] == ["ok"] * 3, manifest["accounts"]
    assert code == 0  # the account reviews are the batch's result; the index says what failed
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "The portfolio review could not be written: ZeroDivisionError: division by zero" in index
    assert not (tmp_path / "out" / "portfolio.html").exists()


def test_a_worker_killed_in_the_portfolio_review_fails_it_alone(tmp_path) -> None:
    kill = "import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)  # as the out-of-memory killer does to the worker\ntime.sleep(30)"
    workbook, step = setup(tmp_path, (kill,))
    code, manifest = batch(workbook, step, tmp_path / "out", workers=2)
    error = manifest["portfolio_review"]["error"]
    assert manifest["portfolio_review"]["status"] == "failed"
    assert error.startswith("worker died: the worker process running the portfolio review was killed by SIGKILL"), error
    assert [a["status"] for a in manifest["accounts"]] == ["ok"] * 3, manifest["accounts"]
    assert code == 0
    assert "The portfolio review could not be written: worker died" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
