"""kamnb batch on a real Dask cluster: it says when no worker is there, gives up after --wait, and stops its kernels."""
from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path

import pytest

from kamnb.batch import schedulers
from kamnb.batch.run import RunOptions, run_batch

pytestmark = pytest.mark.slow
TESTS = Path(__file__).resolve().parents[1]
NOTEBOOKS = TESTS / "notebooks"


def _opts(tmp_path: Path, scheduler: str, **kw) -> RunOptions:
    book = tmp_path / "wb"
    if not book.exists():
        shutil.copytree(NOTEBOOKS / "workbook", book)
    base = dict(workbook=book, out=tmp_path / "out", accounts=["ACC-001", "ACC-002"], scheduler=scheduler, notebooks=["review.ipynb"],
                notebook_dir=str(NOTEBOOKS), timeout=30)
    return RunOptions(**(base | kw))


def test_no_worker_is_said_every_interval_and_the_batch_gives_up_after_wait(tmp_path: Path, monkeypatch) -> None:
    from distributed import LocalCluster

    monkeypatch.setattr(schedulers, "WAIT_NOTE_SECONDS", 1.0)
    stream = io.StringIO()
    with LocalCluster(n_workers=0, dashboard_address=None) as cluster:
        started = time.monotonic()
        code = run_batch(_opts(tmp_path, cluster.scheduler_address, wait=3.0), stream=stream)
        took = time.monotonic() - started
    text = stream.getvalue()
    assert code == 1 and took < 30, text
    assert f"no Dask worker connected to {cluster.scheduler_address} yet" in text
    assert f"waiting for a Dask worker at {cluster.scheduler_address}: none connected for 1 s" in text
    assert f"waiting for a Dask worker at {cluster.scheduler_address}: none connected for 2 s" in text
    assert f"giving up: no Dask worker connected at {cluster.scheduler_address} for 3 s (--wait)" in text
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {a["status"] for a in manifest["accounts"]} == {"failed"}
    assert {a["error"]["kind"] for a in manifest["accounts"]} == {"no worker"}
    assert (tmp_path / "out" / "index.html").is_file()  # the index still says what happened


def _kernels_on_workers(client) -> list[str]:
    def kernels() -> list[str]:
        import psutil

        return [" ".join(p.cmdline()) for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]

    return [k for found in client.run(kernels).values() for k in found]


def test_kernels_on_the_workers_stop_when_the_batch_ends(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        code = run_batch(_opts(tmp_path, cluster.scheduler_address, accounts=["ACC-001", "ACC-002", "ACC-003"]), stream=io.StringIO())
        assert code == 0
        assert _kernels_on_workers(client) == []  # about 160 MB each would stay behind otherwise
        assert sum(client.run(lambda: len(__import__("kamnb.batch.runner", fromlist=["_RUNNERS"])._RUNNERS)).values()) == 0
        code = run_batch(_opts(tmp_path, cluster.scheduler_address, out=tmp_path / "again"), stream=io.StringIO())
        assert code == 0  # the workers start fresh kernels for the next batch
        assert _kernels_on_workers(client) == []
