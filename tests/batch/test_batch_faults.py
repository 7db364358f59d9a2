"""Faults during a batch: SIGTERM, kill -9 of the batch, a killed worker, two runs into one folder, a full or
read-only disk, a tampered manifest. Real processes and kernels; every notebook and workbook is made here."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from disk import full_disk, snapshot
from helpers import ROOT, write_mini

pytestmark = pytest.mark.slow

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}


def step(folder: Path, body: str, name: str = "step.ipynb") -> Path:
    """A one-step notebook: the parameters cell, then ``body`` (which sees ``account_id``)."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('workbook = "workbook"\naccount_id = "A1"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_markdown_cell("# Step"), nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def book(folder: Path, accounts: int) -> Path:
    """The two-account mini workbook with ``accounts`` accounts in all (copies of Beta Energy)."""
    write_mini(folder)
    lines = (folder / "accounts.csv").read_text().splitlines()
    extra = [lines[2].replace("A2,Beta Energy", f"B{n:02d},Copy {n}", 1) for n in range(accounts - 2)]
    (folder / "accounts.csv").write_text("\n".join(lines + extra) + "\n")
    return folder


def command(workbook: Path, out: Path, notebook: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kamnb", "batch", str(workbook), "--out", str(out), "--notebook-dir", str(notebook.parent),
            "--notebook", notebook.name, *extra]


def start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for(check, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("waited in vain")


def reviews(out: Path) -> list[Path]:
    return sorted((out / "accounts").glob("*.html")) if (out / "accounts").is_dir() else []


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for child, parent in parents.items():
            if parent == p and child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def whole(page: Path) -> bool:
    return page.read_text(encoding="utf-8").rstrip().endswith("</html>")


SLOW = "import time\ntime.sleep(1.5)\nprint('account', account_id)"


def test_sigterm_is_treated_like_ctrl_c(tmp_path):
    workbook = book(tmp_path / "wb", 12)
    before = snapshot(workbook)
    out = tmp_path / "out"
    proc = start(command(workbook, out, step(tmp_path / "nb", SLOW), "--workers", "1"))
    wait_for(lambda: len(reviews(out)) >= 2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["summary"]["interrupted"] is True and manifest["summary"]["signal"] == "SIGTERM"
    statuses = [a["status"] for a in manifest["accounts"]]
    assert len(statuses) == 12 and statuses.count("ok") >= 2 and "not run" in statuses
    index = (out / "index.html").read_text()
    assert "Not run" in index or "not run" in index
    assert all(whole(p) for p in reviews(out)) and len(reviews(out)) == statuses.count("ok")
    assert not list(out.rglob(".kamnb-tmp-*"))
    assert snapshot(workbook) == before


def test_kill_9_of_the_batch_leaves_no_process_running(tmp_path):
    workbook = book(tmp_path / "wb", 30)
    out = tmp_path / "out"
    proc = start(command(workbook, out, step(tmp_path / "nb", SLOW), "--workers", "2"))
    wait_for(lambda: len(reviews(out)) >= 1)
    children = descendants(proc.pid)
    assert len(children) >= 2  # workers and their kernels
    proc.kill()
    proc.wait(timeout=10)
    killed_at = time.monotonic()
    wait_for(lambda: not any(alive(p) for p in children), seconds=10)
    assert time.monotonic() - killed_at < 10
    count = len(reviews(out))
    time.sleep(2)
    assert len(reviews(out)) == count  # nothing writes any more
    assert all(whole(p) for p in reviews(out))


def test_a_killed_worker_fails_only_its_account(tmp_path):
    workbook = book(tmp_path / "wb", 8)
    out = tmp_path / "out"
    body = ("import os, signal, time\n"
            "if account_id == 'B03':\n    os.kill(os.getppid(), signal.SIGKILL)  # as the out-of-memory killer does to the worker\n"
            "    time.sleep(30)\n"
            "time.sleep(0.5)\nprint('account', account_id)")
    run = subprocess.run(command(workbook, out, step(tmp_path / "nb", body), "--workers", "2"), capture_output=True, text=True, env=ENV, timeout=600)
    assert run.returncode == 1, run.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    by_id = {a["account_id"]: a for a in manifest["accounts"]}
    assert by_id["B03"]["status"] == "failed" and by_id["B03"]["error"]["kind"] == "worker died"
    message = by_id["B03"]["error"]["message"]
    assert message.startswith("the worker process running this account ") and "the other accounts ran on" in message, message
    assert [a for a, e in by_id.items() if e["status"] != "ok"] == ["B03"], {a: e.get("error") for a, e in by_id.items() if e["status"] != "ok"}
    assert len(reviews(out)) == 7


def test_a_second_batch_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    workbook = book(tmp_path / "wb", 6)
    out = tmp_path / "out"
    notebook = step(tmp_path / "nb", SLOW)
    first = start(command(workbook, out, notebook, "--workers", "1"))
    wait_for(lambda: len(reviews(out)) >= 1)
    second = subprocess.run(command(workbook, out, notebook, "--workers", "1"), capture_output=True, text=True, env=ENV, timeout=120)
    assert second.returncode == 1
    assert f"kamnb batch: another kamnb batch is writing in {out} (pid {first.pid}" in second.stderr
    assert "wait for it to finish, or choose another --out" in second.stderr
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert [a["status"] for a in manifest["accounts"]] == ["ok"] * 6


def test_out_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    from kamnb.cli import main

    workbook = write_mini(tmp_path / "wb")
    notebook = step(tmp_path / "nb", "print(account_id)")
    (tmp_path / "taken").write_text("x")
    args = ["batch", str(workbook), "--notebook-dir", str(notebook.parent), "--notebook", notebook.name]
    assert main([*args, "--out", str(tmp_path / "taken")]) == 2
    err = capsys.readouterr().err
    assert f"kamnb batch: cannot write into {tmp_path / 'taken'}: a file is in the way where a folder is needed" in err
    assert (tmp_path / "taken").read_text() == "x"


def test_a_read_only_out_is_a_clear_message(tmp_path, capsys):
    from kamnb.cli import main

    ro = tmp_path / "ro"
    ro.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True).returncode:
        pytest.skip("a read-only file system is mounted only where the test runs as root")
    try:
        workbook = write_mini(tmp_path / "wb")
        notebook = step(tmp_path / "nb", "print(account_id)")
        code = main(["batch", str(workbook), "--notebook-dir", str(notebook.parent), "--notebook", notebook.name, "--out", str(ro / "reports")])
        assert code == 1
        assert f"kamnb batch: cannot write into {ro / 'reports'}: the file system is read-only" in capsys.readouterr().err
    finally:
        subprocess.run(["umount", "-l", str(ro)], capture_output=True)


def test_a_full_disk_keeps_finished_reviews_and_says_what_is_missing(tmp_path, monkeypatch):
    workbook = write_mini(tmp_path / "wb")
    notebook = step(tmp_path / "nb", "print('x' * 20000)")
    with full_disk(tmp_path, monkeypatch) as (disk, how, fill):
        if how != "tmpfs":
            pytest.skip("the batch writes from worker processes: only a real small file system shows a full disk to them")
        out = disk / "out"
        first = subprocess.run(command(workbook, out, notebook, "--workers", "1"), capture_output=True, text=True, env=ENV, timeout=300)
        assert first.returncode == 0, first.stderr
        fill(40_000)
        run = subprocess.run(command(workbook, out, notebook, "--workers", "1"), capture_output=True, text=True, env=ENV, timeout=300)
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr
        assert "the disk is full" in run.stderr
        assert f"portfolio: {out / 'index.html'}" not in run.stderr or (out / "index.html").exists()
        assert all(whole(p) for p in reviews(out))
        assert not list(out.rglob(".kamnb-tmp-*"))


def test_a_tampered_manifest_is_ignored_with_a_warning(tmp_path):
    workbook = write_mini(tmp_path / "wb")
    out = tmp_path / "out"
    cmd = command(workbook, out, step(tmp_path / "nb", "print(account_id)"), "--workers", "1")
    assert subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=300).returncode == 0
    manifest = json.loads((out / "manifest.json").read_text())
    for entry in manifest["accounts"]:
        entry["outputs"]["html"] = "../../etc/passwd"
    (out / "manifest.json").write_text(json.dumps(manifest))
    run = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, env=ENV, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "resuming: 2 entries of manifest.json ignored (not what kamnb writes: a link outside the output folder" in run.stderr
    assert "etc/passwd" not in (out / "index.html").read_text()
    assert all(a["outputs"]["html"].startswith("accounts/") for a in json.loads((out / "manifest.json").read_text())["accounts"])
    (out / "manifest.json").write_text("[1, 2, 3]")
    run = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, env=ENV, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "resuming: manifest.json is not a kamnb manifest (found a list, expected an object); every account runs again" in run.stderr
    assert "Traceback" not in run.stderr
