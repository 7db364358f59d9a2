"""``kamnb batch``: every account's review, one command, on one machine or a Dask cluster.

For each account the step notebooks listed under ``batch: notebooks:`` in the
settings run through papermill with ``workbook`` and ``account_id`` injected;
the executed notebooks are stitched into ``notebooks/<file>.ipynb`` and
rendered to ``accounts/<file>.html``. Afterwards the portfolio page
``index.html``, ``portfolio.csv``, ``portfolio.xlsx`` and ``manifest.json``
are written. See ``docs/batch.md`` for the design, the isolation guarantee and
the benchmark.

Each worker (a local process, or a thread of a Dask worker) keeps one warm
kernel and one HTML exporter (:class:`AccountRunner`); :func:`run_account` is
the task both schedulers run.

Exit codes: 0 every account done; 1 some account failed (or the workbook is
invalid); 2 usage error (unknown account, missing notebook, no Chromium is NOT
one); 130 interrupted with Ctrl-C (finished reviews are kept).

Example:
    $ kamnb batch data/sample --out reports/sample
    $ kamnb batch data/sample --out reports/sample --accounts ACC-001,ACC-002 --workers 2
    $ kamnb batch data/sample --out reports/sample --resume --scheduler tcp://10.0.0.5:8786
"""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# nbformat validates notebooks with jsonschema, whose import builds about 35 Earley parsers for
# its "iri" format checks when rfc3987_syntax is installed (JupyterLab brings it): some 1.7 s in
# the batch command and in every worker, for checks no notebook schema uses. With the module
# marked absent before jsonschema is first imported, jsonschema leaves those two checks out.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat  # noqa: E402

from kamnb import __version__  # noqa: E402
from kamnb.batch_lock import OutputLock  # noqa: E402
from kamnb.common.files import disk_message  # noqa: E402
from kamnb.errors import KamnbError, OutputBusy  # noqa: E402
from kamnb.printing import paper_size, print_pdf  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10)), "index", "manifest"}


class BatchError(KamnbError):
    """The batch cannot start: a notebook is missing, an account is unknown, the settings are wrong.

    Example:
        >>> issubclass(BatchError, KamnbError)
        True
    """


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class BatchConfig:
    """Everything a worker needs; small and picklable (it travels to every worker).

    Example:
        >>> config = BatchConfig("/data/sample", "/reports/sample", ("/notebooks/01_classification.ipynb",))
        >>> config.kernel_name, config.isolation
        ('python3', 'warm')
    """

    workbook: str
    out: str
    notebooks: tuple[str, ...]
    kernel_name: str = "python3"
    timeout: float = 300.0
    retries: int = 1
    isolation: str = "warm"
    preload: tuple[str, ...] = ()
    pdf: str = ""
    generated: str = ""
    as_of: str = ""
    paper: str = "A4"

    @property
    def key(self) -> str:
        return hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Task:
    """One account to review: its id, display name and the safe file name of its outputs.

    Example:
        >>> Task(account_id="ACC-001", name="Nordlicht Logistics", file="ACC-001").file
        'ACC-001'
    """

    account_id: str
    name: str
    file: str


def safe_names(account_ids: Sequence[str]) -> dict[str, str]:
    """A safe, unique, stable file name (without extension) for every account id.

    Only letters, digits, ``.``, ``_`` and ``-`` survive; an id that had to be
    changed, that is a reserved name, or that would clash with another id
    (also ignoring case) gets a short hash of the original id appended. The
    name never starts with a dot, so nothing can point outside the folder.

    >>> names = safe_names(["ACC-001", "ACC-002", "../../etc/passwd", "<script>alert(1)</script>", "acc-002"])
    >>> names["ACC-001"], names["../../etc/passwd"], names["<script>alert(1)</script>"]
    ('ACC-001', 'etc_passwd-936d7c04', 'script_alert_1_script-d5f93694')
    >>> names["ACC-002"] != names["acc-002"]
    True
    """
    base: dict[str, str] = {}
    for ident in account_ids:
        slug = _SAFE.sub("_", ident).strip("._-")[:60] or "account"
        changed = slug != ident or slug.lower() in _RESERVED
        base[ident] = slug if not changed else f"{slug}-{hashlib.sha1(ident.encode('utf-8')).hexdigest()[:8]}"
    counts: dict[str, int] = {}
    for name in base.values():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    out = {}
    for ident, name in base.items():
        if counts[name.lower()] > 1:
            name = f"{name}-{hashlib.sha1(ident.encode('utf-8')).hexdigest()[:8]}"
        out[ident] = name
    return out


def generated_stamp() -> str:
    """When the reports are generated, in UTC; ``SOURCE_DATE_EPOCH`` fixes it for reproducible builds.

    Example:
        >>> generated_stamp()  # doctest: +SKIP
        '2026-11-23 13:39 UTC'
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch and epoch.isdigit() else dt.datetime.now(dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or None.

    Example:
        >>> find_chromium()  # doctest: +SKIP
        '/usr/bin/chromium'
    """
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def batch_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The ``batch:`` section of the settings with defaults filled in.

    Example:
        >>> batch_settings({})["timeout"]
        300.0
    """
    section = settings.get("batch") or {}
    if not isinstance(section, dict):
        raise BatchError("settings.yaml: 'batch:' must be a mapping (notebooks, timeout, retries, ...)")
    return {
        "notebooks": list(section.get("notebooks") or []),
        "portfolio_notebook": section.get("portfolio_notebook", "portfolio.ipynb") or "",
        "notebook_dir": section.get("notebook_dir") or "notebooks",
        "timeout": float(section.get("timeout") or 300),
        "retries": int(section.get("retries", 1) if section.get("retries") is not None else 1),
        "isolation": str(section.get("isolation") or "warm"),
        "kernel": str(section.get("kernel") or "python3"),
        "preload": list(section.get("preload") or []),
    }


def resolve_notebooks(names: Sequence[str], notebook_dir: str | Path, workbook: Path) -> list[Path]:
    """Absolute paths of the configured notebooks; :class:`BatchError` naming every one that is missing.

    A relative ``notebook_dir`` is looked for in the current folder, beside the
    workbook and in the project folder kamnb is installed from.

    Example:
        >>> resolve_notebooks(["01_classification.ipynb"], "notebooks", Path("data/sample"))[0].name  # doctest: +SKIP
        '01_classification.ipynb'
    """
    if not names:
        raise BatchError("no notebooks to run: list them under 'batch: notebooks:' in settings.yaml (or pass --notebook)")
    folder = Path(notebook_dir)
    candidates = [folder] if folder.is_absolute() else [
        Path.cwd() / folder,
        (workbook if workbook.is_dir() else workbook.parent) / folder,
        Path(__file__).resolve().parents[1] / folder,
    ]
    missing: list[str] = []
    for base in candidates:
        paths = [(base / n).resolve() for n in names]
        missing = [str(p) for p in paths if not p.is_file()]
        if not missing:
            return paths
    where = ", ".join(str(c) for c in candidates)
    raise BatchError(f"configured notebook(s) not found: {', '.join(names)} (looked in {where}; missing e.g. {missing[0]})")


def workbook_checksum(path: Path) -> str:
    """SHA-256 over the workbook's files (CSV/XLSX, its YAML banks and the workshop journal).

    Example:
        >>> workbook_checksum(Path("data/sample"))[:12]  # doctest: +SKIP
        'b795f30adcac'
    """
    digest = hashlib.sha256()
    if path.is_file():
        files = [path] + [path.parent / n for n in ("settings.yaml", "questions.yaml", "indicators.yaml") if (path.parent / n).exists()]
        journal = path.with_suffix(".journal.sqlite")
        files += [journal] if journal.exists() else []
    else:
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".yaml", ".yml", ".xlsx", ".sqlite"))
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def file_checksum(path: Path) -> str:
    """SHA-256 of one file's bytes, as hex.

    Example:
        >>> len(file_checksum(Path("data/sample/accounts.csv")))  # doctest: +SKIP
        64
    """
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the worker side


class AccountFailed(Exception):
    """One account's review failed; carries what the manifest and the index show.

    Example:
        >>> e = AccountFailed("cell", "ZeroDivisionError: division by zero", step="02_qualification")
        >>> e.kind, e.step
        ('cell', '02_qualification')
    """

    def __init__(self, kind: str, message: str, step: str = "", cell: Any = None, source: str = ""):
        super().__init__(message)
        self.kind, self.message, self.step, self.cell, self.source = kind, message, step, cell, source


def page_texts(config: BatchConfig, task: Task) -> dict[str, str]:
    """Title, subtitle, footer and generation time of an account's review page.

    Example:
        >>> page_texts(config, task)["subtitle"]  # doctest: +SKIP
        'Key-account review of ACC-001, as of 2026-11-01'
    """
    name = task.name or task.account_id
    return {
        "title": name,
        "subtitle": f"Key-account review of {task.account_id}" + (f", as of {config.as_of}" if config.as_of else ""),
        "generated": config.generated,
        "footer": f"kamnb {__version__}, workbook {Path(config.workbook).name}.",
        "paper": config.paper,
        "print_footer": " · ".join([name] + ([task.account_id] if task.account_id != name else [])
                                   + ([f"review as of {config.as_of}"] if config.as_of else [])),
    }


def _banner(text: str) -> nbformat.NotebookNode:
    from kamnb.common.tables import escape

    cell = nbformat.v4.new_markdown_cell(f'<p class="kamnb-error-banner" style="color:#b42318; font-size:1.4em;">{escape(text)}</p>')
    cell.metadata["tags"] = ["kamnb-error-banner"]
    return cell


class AccountRunner:
    """Per worker: one warm kernel, one exporter, the notebooks read once.

    Example:
        >>> runner = AccountRunner(config)  # doctest: +SKIP
        >>> runner.run(task)["status"]  # doctest: +SKIP
        'ok'
    """

    def __init__(self, config: BatchConfig):
        from kamnb.engine import WarmKernel, notebook_imports
        from kamnb.report import ReviewExporter

        self.config = config
        self.notebooks = [(Path(p).name, nbformat.read(p, as_version=4)) for p in config.notebooks]
        preload: list[str] = list(config.preload)
        for _, nb in self.notebooks:
            preload += notebook_imports(nb)
        self.kernel = WarmKernel(
            config.kernel_name,
            preload=preload,
            cwd=str(Path(config.notebooks[0]).parent),
            fresh=config.isolation == "fresh",
        )
        self.exporter = ReviewExporter()
        self.out = Path(config.out)

    def close(self) -> None:
        self.kernel.close()

    def run(self, task: Task) -> dict[str, Any]:
        """Review one account; never raises for the account's own failures."""
        started = time.monotonic()
        result: dict[str, Any] = {"account_id": task.account_id, "name": task.name, "file": task.file, "attempts": 0}
        notebook_path = self.out / "notebooks" / f"{task.file}.ipynb"
        html_path = self.out / "accounts" / f"{task.file}.html"
        pdf_path = self.out / "accounts" / f"{task.file}.pdf"
        steps: list[tuple[str, nbformat.NotebookNode]] = []
        error: AccountFailed | None = None
        while True:
            result["attempts"] += 1
            steps, error = self._execute(task)
            if error is None or error.kind != "kernel died" or result["attempts"] > self.config.retries:
                break
        from kamnb.report import audit_copy, stitch, write_atomic

        outputs: dict[str, str] = {}
        try:
            review = stitch(steps, account_id=task.account_id, account_name=task.name)
            if error is not None:
                review.cells.insert(0, _banner(f"This review failed: {error.kind} in {error.step}: {error.message}"))
            write_atomic(notebook_path, nbformat.writes(audit_copy(review)))  # not signed: see docs/batch.md
            outputs["notebook"] = f"notebooks/{task.file}.ipynb"
            if error is None:
                page = self.exporter.export(review, **page_texts(self.config, task))
                write_atomic(html_path, page)
                outputs["html"] = f"accounts/{task.file}.html"
                if self.config.pdf:
                    pdf_error = print_pdf(self.config.pdf, html_path, pdf_path)
                    if pdf_error:
                        result["warning"] = pdf_error
                    else:
                        outputs["pdf"] = f"accounts/{task.file}.pdf"
            else:
                for stale in (html_path, pdf_path):
                    stale.unlink(missing_ok=True)
        except OSError as err:  # a full disk, a read-only folder: the account failed, its old review (if any) is whole
            error = AccountFailed("report", disk_message(err, Path(self.config.out)), "report")
        except Exception as err:  # writing or rendering failed: the account failed, the batch goes on
            error = AccountFailed("report", f"{type(err).__name__}: {err}", "report")
            self.kernel.mark_dirty()
        result["outputs"] = outputs
        result["status"] = "ok" if error is None else "failed"
        if error is not None:
            result["error"] = {"kind": error.kind, "message": error.message, "step": error.step, "cell": error.cell, "source": error.source}
        result["seconds"] = round(time.monotonic() - started, 3)
        result["kernel_starts"] = self.kernel.starts
        return result

    def _execute(self, task: Task) -> tuple[list[tuple[str, nbformat.NotebookNode]], AccountFailed | None]:
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
        from papermill.exceptions import PapermillExecutionError

        params = {"workbook": self.config.workbook, "account_id": task.account_id}
        steps: list[tuple[str, nbformat.NotebookNode]] = []
        for name, nb in self.notebooks:
            try:
                steps.append((name, self.kernel.execute(nb, params, timeout=self.config.timeout)))
            except PapermillExecutionError as err:
                partial = self.kernel.last_notebook
                steps += [(name, partial)] if partial is not None else []
                return steps, AccountFailed("error", f"{err.ename}: {err.evalue}", name, err.exec_count, err.source)
            except CellTimeoutError:
                partial = self.kernel.last_notebook
                steps += [(name, partial)] if partial is not None else []
                return steps, AccountFailed("timeout", f"a cell ran longer than {self.config.timeout:g} s and was stopped", name)
            except DeadKernelError as err:
                partial = self.kernel.last_notebook
                steps += [(name, partial)] if partial is not None else []
                return steps, AccountFailed("kernel died", f"the kernel stopped while running the notebook ({err})", name)
            except Exception as err:  # kernel start-up and the like
                self.kernel.mark_dirty()
                return steps, AccountFailed("error", f"{type(err).__name__}: {err}", name)
        return steps, None


_LOCAL = threading.local()


def _runner(config: BatchConfig) -> AccountRunner:
    runner = getattr(_LOCAL, "runner", None)
    if runner is not None and runner not in _RUNNERS:  # closed at the end of an earlier batch
        runner = None
    if runner is not None and runner.config.key != config.key:
        runner.close()
        runner = None
    if runner is None:
        runner = AccountRunner(config)
        _LOCAL.runner = runner
        if not _RUNNERS:
            atexit.register(close_runners)  # a Dask worker leaving: take its kernels along
        _RUNNERS.append(runner)
    return runner


_RUNNERS: list[AccountRunner] = []


def close_runners(key: str = "") -> int:
    """Shut down the warm kernels this process started (only a batch's own with ``key``); return how many.

    Example:
        >>> close_runners()  # doctest: +SKIP
        2
    """
    closed = 0
    for runner in [r for r in _RUNNERS if not key or r.config.key == key]:
        _RUNNERS.remove(runner)
        try:
            runner.close()
            closed += 1
        except Exception:
            pass
    return closed


def run_account(config: BatchConfig, task: Task) -> dict[str, Any]:
    """The task both schedulers run: review one account with this worker's warm runner.

    Example:
        >>> run_account(config, task)["status"]  # doctest: +SKIP
        'ok'
    """
    return _runner(config).run(task)


def _kill_kernels_and_exit(signum: int, frame: Any) -> None:
    for runner in _RUNNERS:
        pid = runner.kernel.pid
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    os._exit(128 + signum)


def _init_local_worker(markers: str = "") -> None:
    """Local worker start-up: Ctrl-C is the parent's business; SIGTERM takes the kernel down too; the parent is watched."""
    from multiprocessing import util

    from kamnb import batch_guard

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _kill_kernels_and_exit)
    util.Finalize(None, close_runners, exitpriority=10)
    batch_guard.start(markers)


def run_marked(config: BatchConfig, task: Task) -> dict[str, Any]:
    """:func:`run_account` with this worker's mark set while it runs, so that a killed worker names its account.

    Example:
        >>> run_marked(config, task)["status"]  # doctest: +SKIP
        'ok'
    """
    from kamnb import batch_guard

    batch_guard.mark(task.account_id)
    try:
        return run_account(config, task)
    finally:
        batch_guard.mark(None)


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is None:
        return "died"
    if exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


# --------------------------------------------------------------------------- schedulers


class LocalScheduler:
    """A pool of local processes (spawned, so every platform behaves alike).

    A worker process that dies (the out-of-memory killer, say) fails only
    the account it was running, named by the mark the worker keeps
    (:mod:`kamnb.batch_guard`): the pool is replaced and every other account,
    started or not, runs in the new one.

    Example:
        >>> scheduler = LocalScheduler(workers=2)  # doctest: +SKIP
        >>> scheduler.start(config, tasks)  # doctest: +SKIP
        >>> results = scheduler.collect()  # doctest: +SKIP
    """

    MAX_REPLACEMENTS = 20
    """After this many dead pools in one run, the accounts of the next one are failed, not run again."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.pending: set[Future[Any]] = set()
        self.tasks: dict[Future[Any], Task] = {}
        self.config: BatchConfig | None = None
        self.markers = ""
        self.processes: dict[int, Any] = {}
        self.replacements = 0
        self.stopped = False

    def _new_pool(self) -> None:
        self.pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_local_worker, initargs=(self.markers,)
        )

    def _submit(self, task: Task) -> None:
        assert self.pool is not None and self.config is not None
        fut = self.pool.submit(run_marked, self.config, task)
        self.tasks[fut] = task
        self.pending.add(fut)
        self._note_processes()

    def _note_processes(self) -> None:
        self.processes.update(dict(getattr(self.pool, "_processes", None) or {}))

    def start(self, config: BatchConfig, tasks: Sequence[Task]) -> None:
        import tempfile

        self.config = config
        self.markers = tempfile.mkdtemp(prefix="kamnb-workers-")
        self._new_pool()
        for task in tasks:
            self._submit(task)

    @property
    def busy(self) -> bool:
        return bool(self.pending)

    def collect(self) -> list[dict[str, Any]]:
        """The accounts finished within about a second (maybe none); Ctrl-C may interrupt."""
        from concurrent.futures.process import BrokenProcessPool

        done, self.pending = wait(self.pending, timeout=1.0, return_when=FIRST_COMPLETED)  # at most a second: the bar moves on
        self._note_processes()
        broken = {f for f in done if not f.cancelled() and isinstance(f.exception(), BrokenProcessPool)}
        results = [_result_or_failure(f, self.tasks[f]) for f in sorted(done - broken, key=lambda f: self.tasks[f].account_id) if not f.cancelled()]
        if broken:
            results += self._replace_pool(broken)
        return results

    def _replace_pool(self, broken: set[Future[Any]]) -> list[dict[str, Any]]:
        """A worker died: fail the account it ran; run every other account of the dead pool in a new one."""
        from concurrent.futures.process import BrokenProcessPool

        from kamnb import batch_guard

        # Every future of a broken pool fails; wait until all of them have.
        rest, _ = wait(self.pending, timeout=10)
        self.pending -= rest
        finished = {f for f in rest if not f.cancelled() and not isinstance(f.exception(), BrokenProcessPool)}
        victims = broken | {f for f in rest - finished if not f.cancelled()}
        results = [_result_or_failure(f, self.tasks.pop(f)) for f in finished]
        marks = batch_guard.running(self.markers)
        culprits: dict[str, str] = {}
        processes = list(self.processes.values())
        for pid, process in self.processes.items():
            process.join(timeout=10)
            # Workers the pool stopped after the death end by SIGTERM (our handler exits 143).
            if pid in marks and process.exitcode not in (0, 128 + signal.SIGTERM, -signal.SIGTERM):
                culprits[marks[pid]] = _how_it_ended(process.exitcode)
        for pid in marks:
            (Path(self.markers) / str(pid)).unlink(missing_ok=True)
        self.processes = {}
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.replacements += 1
        if not culprits and all(p.exitcode in (128 + signal.SIGTERM, -signal.SIGTERM) for p in processes):
            self.stopped = True  # every worker was told to stop (SIGTERM to the process group): nothing more runs
            for fut in victims:
                self.tasks.pop(fut, None)
            return results
        give_up = not culprits or self.replacements > self.MAX_REPLACEMENTS
        again: list[Task] = []
        for fut in sorted(victims, key=lambda f: self.tasks[f].account_id):
            task = self.tasks.pop(fut)
            if give_up or task.account_id in culprits:
                how = culprits.get(task.account_id, "died")
                results.append(_worker_died(task, f"the worker process running this account {how} (out of memory?); the other accounts ran on"))
            else:
                again.append(task)
        if again:
            self._new_pool()
            for task in again:
                self._submit(task)
        return results

    def cancel(self) -> int:
        """Drop the accounts not started yet; return how many are still running."""
        for fut in list(self.pending):
            if fut.cancel():
                self.pending.discard(fut)
        return len(self.pending)

    def kill(self) -> None:
        """Stop the workers at once (their kernels go with them)."""
        processes = dict(getattr(self.pool, "_processes", None) or {})
        for process in processes.values():
            try:
                process.terminate()
            except Exception:
                pass
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pending = set()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


WAIT_NOTE_SECONDS = 30.0
"""How often a batch on Dask says it is still waiting for a worker."""


class DaskScheduler:
    """An existing Dask distributed cluster; every worker thread keeps its own warm kernel.

    While no worker is connected the batch says so every 30 s ("waiting for a
    Dask worker at tcp://…: none connected for 30 s"); after ``wait`` seconds
    without one (0: no limit) the accounts not reviewed yet fail with that
    reason. When the batch ends, the warm kernels it started on the workers
    are shut down.

    Example:
        >>> scheduler = DaskScheduler("tcp://127.0.0.1:8786")  # doctest: +SKIP
        >>> scheduler.start(config, tasks)  # doctest: +SKIP
        >>> results = scheduler.collect()  # doctest: +SKIP
    """

    def __init__(self, address: str, wait: float = 600.0, note: Callable[[str], None] | None = None):
        from distributed import Client

        self.address = address
        self.wait = wait
        self.note = note or (lambda message: None)
        self.client = Client(address, timeout="20s")
        self.workers = len(self.client.scheduler_info().get("workers", {}))
        self.pending: set[Any] = set()
        self.tasks: dict[Any, Task] = {}
        self.key = ""
        self._seen = time.monotonic()
        self._noted = 0.0
        self._checked = 0.0

    def start(self, config: BatchConfig, tasks: Sequence[Task]) -> None:
        stamp = hashlib.sha1(f"{config.key}{time.time()}".encode()).hexdigest()[:8]
        self.key = config.key
        futures = [self.client.submit(run_account, config, t, key=f"kamnb-{t.file}-{stamp}", pure=False, retries=0) for t in tasks]
        self.tasks = dict(zip(futures, tasks, strict=True))
        self.pending = set(futures)
        self._seen = time.monotonic()

    @property
    def busy(self) -> bool:
        return bool(self.pending)

    def _connected(self) -> int:
        now = time.monotonic()
        if now - self._checked >= 1.0:
            self._checked = now
            try:
                self.workers = len(self.client.scheduler_info().get("workers", {}))
            except Exception:  # the scheduler itself is gone: count as no worker
                self.workers = 0
        return self.workers

    def collect(self) -> list[dict[str, Any]]:
        """The accounts finished within about a second (maybe none); gives up after ``wait`` s without a worker."""
        from distributed import wait as dask_wait

        try:
            done, _ = dask_wait(list(self.pending), timeout=1.0, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        results = []
        for fut in sorted(done, key=lambda f: self.tasks[f].account_id):
            self.pending.discard(fut)
            if fut.status != "cancelled":
                results.append(_result_or_failure(fut, self.tasks[fut]))
        if results or self._connected():
            self._seen, self._noted = time.monotonic(), 0.0
            return results
        idle = time.monotonic() - self._seen
        if idle - self._noted >= WAIT_NOTE_SECONDS:
            self._noted = idle // WAIT_NOTE_SECONDS * WAIT_NOTE_SECONDS
            self.note(f"waiting for a Dask worker at {self.address}: none connected for {self._noted:.0f} s")
        if self.wait and idle >= self.wait:
            message = f"no Dask worker connected at {self.address} for {self.wait:g} s (--wait)"
            self.note(f"giving up: {message}")
            left = sorted(self.pending, key=lambda f: self.tasks[f].account_id)
            self.client.cancel(left)
            self.pending = set()
            results += [_failure(self.tasks[f], "no worker", message) for f in left]
        return results

    def cancel(self) -> int:
        queued = [f for f in self.pending if f.status == "pending"]
        self.client.cancel(queued)
        self.pending -= set(queued)
        return len(self.pending)

    def kill(self) -> None:
        self.client.cancel(list(self.pending))
        self.pending = set()

    def close(self) -> None:
        """Stop the warm kernels this batch started on the workers, then disconnect."""
        try:
            if self.key and self._connected():
                self.client.run(close_runners, self.key)
        except Exception:  # a worker that is gone took its kernels along
            pass
        finally:
            self.client.close()


def _failure(task: Task, kind: str, message: str) -> dict[str, Any]:
    return {
        "account_id": task.account_id, "name": task.name, "file": task.file, "status": "failed", "attempts": 1,
        "outputs": {}, "seconds": 0.0, "error": {"kind": kind, "message": message, "step": "", "cell": None, "source": ""},
    }


def _worker_died(task: Task, message: str) -> dict[str, Any]:
    return _failure(task, "worker died", message)


def _result_or_failure(fut: Any, task: Task) -> dict[str, Any]:
    try:
        return fut.result()
    except Exception as err:  # the worker process itself died (out of memory, killed)
        return _failure(task, "worker died", f"{type(err).__name__}: {err}")


# --------------------------------------------------------------------------- the run


@dataclass
class RunOptions:
    """What the command line asked for.

    Example:
        >>> RunOptions(workbook=Path("data/sample"), out=Path("reports/sample")).workers
        0
    """

    workbook: Path
    out: Path
    accounts: list[str] | None = None
    key_only: bool = False
    workers: int = 0
    scheduler: str = ""
    wait: float = 600.0
    resume: bool = False
    pdf: bool = False
    quiet: bool = False
    notebooks: list[str] = field(default_factory=list)
    notebook_dir: str = ""
    timeout: float | None = None
    isolation: str = ""


def _select_accounts(wb: Any, opts: RunOptions) -> list[str]:
    ids = list(wb.accounts.index)
    if opts.accounts:
        unknown = [a for a in opts.accounts if a not in wb.accounts.index]
        if unknown:
            raise BatchError(f"unknown account id(s): {', '.join(unknown)}; the workbook has e.g. {', '.join(ids[:5])}")
        ids = list(dict.fromkeys(opts.accounts))
    if opts.key_only:
        from kamnb.classification import classify

        key = classify(wb)["is_key"]
        ids = [a for a in ids if bool(key.get(a, False))]
    return ids


def _write_manifest(out: Path, manifest: dict[str, Any], results: dict[str, dict[str, Any]], order: list[str], stream: Any = None) -> bool:
    """Write manifest.json whole; on a full disk say so once (the earlier manifest stays) and return False."""
    from kamnb.report import write_atomic

    manifest = dict(manifest)
    manifest["accounts"] = [results[a] for a in order if a in results]
    counts = {s: sum(1 for r in manifest["accounts"] if r["status"] == s) for s in ("ok", "failed", "not run")}
    manifest["summary"] = {**manifest.get("summary", {}), "accounts": len(order), **counts}
    try:
        write_atomic(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
    except OSError as err:
        if stream is not None and not getattr(_write_manifest, "warned", False):
            print(f"kamnb batch: manifest.json was not written: {disk_message(err, out)}", file=stream)
        _write_manifest.warned = True  # type: ignore[attr-defined]
        return False
    return True


class Terminated(KeyboardInterrupt):
    """SIGTERM reached the batch: stop at once, then write the index and manifest for what exists (exit 143)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def _catch_sigterm() -> Any:
    """Turn SIGTERM into :class:`Terminated` while accounts run; return the handler it replaces (None off the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _on_sigterm)


def run_batch(opts: RunOptions, *, stream: Any = None) -> int:
    """Run the batch; return the exit code. Messages go to ``stream`` (stderr).

    Example:
        >>> run_batch(RunOptions(workbook=Path("data/sample"), out=Path("reviews"), accounts=["ACC-001"]))  # doctest: +SKIP
        0
    """
    from kamnb.workbook import check_workbook

    stream = stream or sys.stderr
    say = (lambda m: None) if opts.quiet else (lambda m: print(m, file=stream, flush=True))
    workbook = opts.workbook.resolve()
    if not workbook.exists():
        print(f"kamnb batch: no workbook at {opts.workbook}", file=stream)
        return EXIT_USAGE
    say(f"kamnb batch: reading the workbook {opts.workbook}")
    wb, problems = check_workbook(workbook)
    errors = [p for p in problems if p.level == "error"]
    if wb is None or errors:
        for p in errors:
            print(f"error: {p}", file=stream)
        print(f"kamnb batch: the workbook has {len(errors)} error(s); run 'kamnb validate {opts.workbook}' for details", file=stream)
        return EXIT_FAILED
    settings = batch_settings(wb.settings)
    names = opts.notebooks or settings["notebooks"]
    try:
        notebooks = resolve_notebooks(names, opts.notebook_dir or settings["notebook_dir"], workbook)
        ids = _select_accounts(wb, opts)
        paper = paper_size(wb.settings)
    except KamnbError as err:
        print(f"kamnb batch: {err}", file=stream)
        return EXIT_USAGE
    isolation = opts.isolation or settings["isolation"]
    if isolation not in ("warm", "fresh"):
        print(f"kamnb batch: isolation must be 'warm' or 'fresh', not {isolation!r}", file=stream)
        return EXIT_USAGE
    chromium = ""
    if opts.pdf:
        chromium = find_chromium() or ""
        if not chromium:
            print("kamnb batch: --pdf: Chromium is not installed (looked for /usr/bin/chromium, chromium, google-chrome); "
                  "writing HTML reviews only. Install it with 'apt-get install chromium' or 'make browser-deps'.", file=stream)
    from kamnb.banks import as_of

    config = BatchConfig(
        workbook=str(workbook),
        out=str(opts.out.resolve()),
        notebooks=tuple(str(p) for p in notebooks),
        kernel_name=settings["kernel"],
        timeout=opts.timeout or settings["timeout"],
        retries=settings["retries"],
        isolation=isolation,
        preload=tuple(settings["preload"]),
        pdf=chromium,
        generated=generated_stamp(),
        as_of=as_of(wb.settings).strftime("%Y-%m-%d"),
        paper=paper,
    )
    out = Path(config.out)
    try:
        for sub in ("accounts", "notebooks"):
            (out / sub).mkdir(parents=True, exist_ok=True)
        lock = OutputLock(out).acquire()
    except OutputBusy as err:
        print(f"kamnb batch: {err}", file=stream)
        return EXIT_FAILED
    except OSError as err:  # --out is a file, read-only, on a full disk
        print(f"kamnb batch: {disk_message(err, opts.out)}", file=stream)
        return EXIT_USAGE if isinstance(err, (FileExistsError, NotADirectoryError)) else EXIT_FAILED
    try:
        return _run_locked(opts, stream, say, wb, settings, config, notebooks, ids, workbook, isolation, chromium)
    finally:
        lock.release()


def _run_locked(opts: RunOptions, stream: Any, say: Any, wb: Any, settings: dict[str, Any], config: BatchConfig,
                notebooks: list[Path], ids: list[str], workbook: Path, isolation: str, chromium: str) -> int:
    """The run itself, with the output folder locked: accounts, then index and manifest (see :func:`run_batch`)."""
    from kamnb.progress import Progress
    from kamnb.report import remove_temp_files

    out = Path(config.out)
    remove_temp_files(out)
    _write_manifest.warned = False  # type: ignore[attr-defined]
    files = safe_names(ids)
    names_of = wb.accounts["name"].to_dict()
    inputs = {
        "workbook": {"path": str(workbook), "sha256": workbook_checksum(workbook)},
        "notebooks": [{"name": Path(p).name, "sha256": file_checksum(Path(p))} for p in notebooks],
        "kamnb_version": __version__,
        "parameters": {"timeout": config.timeout, "retries": config.retries, "isolation": isolation, "kernel": config.kernel_name},
    }
    results: dict[str, dict[str, Any]] = {}
    if opts.resume:
        from kamnb.batch_resume import previous_reviews

        results, warning = previous_reviews(out, inputs, files)
        if warning:
            print(f"kamnb batch: {warning}", file=stream)
        if results:
            say(f"resuming: {len(results)} account(s) already done, {len(ids) - len(results)} to run")
    tasks = [Task(a, str(names_of.get(a, a)), files[a]) for a in ids if a not in results]
    workers = max(1, opts.workers or os.cpu_count() or 1)
    scheduler: LocalScheduler | DaskScheduler
    if opts.scheduler:
        try:
            scheduler = DaskScheduler(opts.scheduler, wait=opts.wait)
        except Exception as err:
            print(f"kamnb batch: cannot reach the Dask scheduler at {opts.scheduler}: {err}", file=stream)
            return EXIT_USAGE
    else:
        scheduler = LocalScheduler(min(workers, max(1, len(tasks))))
    manifest: dict[str, Any] = {
        "kamnb_version": __version__,
        "generated": config.generated,
        "inputs": inputs,
        "run": {"scheduler": opts.scheduler or "local processes", "workers": scheduler.workers,
                "accounts_asked": opts.accounts or ("key accounts" if opts.key_only else "all"), "resume": opts.resume, "pdf": bool(chromium)},
    }
    say(f"kamnb batch: {len(tasks)} account(s) to review with {len(notebooks)} notebook(s) -> {out}")
    progress = Progress(len(tasks), stream=stream, quiet=opts.quiet)
    if isinstance(scheduler, DaskScheduler):
        scheduler.note = progress.note
        where = f"{scheduler.workers} Dask worker(s) connected" if scheduler.workers else f"no Dask worker connected to {opts.scheduler} yet"
        progress.stage(f"{len(tasks)} account(s) queued; {where}", label="queued")
    else:
        progress.stage(f"{len(tasks)} account(s) queued; starting {scheduler.workers} kernel(s)", label="starting")
    started = time.monotonic()
    interrupted = False
    last_write = 0.0
    background = ThreadPoolExecutor(1, thread_name_prefix="kamnb-portfolio")
    figures_job = background.submit(portfolio_figures, wb, ids)  # overlaps with the workers' start-up
    review_job = background.submit(_portfolio_review, settings, config, len(ids))  # runs beside the accounts
    background.shutdown(wait=False)
    killed = False
    terminated = False
    previous_term = _catch_sigterm()
    try:
        scheduler.start(config, tasks)
        while scheduler.busy:
            try:
                for result in scheduler.collect():
                    results[result["account_id"]] = result
                    error = result.get("error") or {}
                    progress.update(result["account_id"], ok=result["status"] == "ok", seconds=result.get("seconds", 0.0),
                                    error=f"{error.get('kind', '')}: {error.get('message', '')}" if error else "")
                progress.tick()
                if time.monotonic() - last_write > 2.0:
                    _write_manifest(out, {**manifest, "summary": {"interrupted": False}}, results, ids, stream)
                    last_write = time.monotonic()
            except KeyboardInterrupt as err:
                if interrupted or isinstance(err, Terminated):  # a second Ctrl-C, or SIGTERM: stop at once
                    terminated = terminated or isinstance(err, Terminated)
                    interrupted = True
                    progress.note("terminated: stopping now" if terminated else "stopping now")
                    scheduler.kill()
                    killed = True
                    break
                interrupted = True
                running = scheduler.cancel()
                progress.note(f"interrupted: finishing the {running} account(s) in progress; press Ctrl-C again to stop at once")
    except Terminated:  # SIGTERM while the workers were starting
        terminated = interrupted = True
        scheduler.kill()
        killed = True
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN) if previous_term is not None else None  # the index and manifest are written next
        if not killed:
            scheduler.close()
    if getattr(scheduler, "stopped", False):  # the workers were stopped from outside
        terminated = interrupted = True
    progress.close()
    removed = remove_temp_files(out)
    for a in ids:
        if a not in results:
            results[a] = {"account_id": a, "name": str(names_of.get(a, a)), "file": files[a], "status": "not run", "outputs": {}}
    manifest["summary"] = {"interrupted": interrupted, "seconds": round(time.monotonic() - started, 2), "temp_files_removed": removed}
    if terminated:
        manifest["summary"]["signal"] = "SIGTERM"
    code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED if interrupted else EXIT_OK
    portfolio_review = review_job.result()
    manifest["portfolio_review"] = portfolio_review
    if portfolio_review.get("error"):
        print(f"kamnb batch: the portfolio review failed: {portfolio_review['error']}", file=stream)
    index_written = False
    try:
        notes = write_portfolio(wb, out, ids, results, config, figures_job.result(), portfolio_review)
        manifest["portfolio_notes"] = notes
        index_written = True
    except OSError as err:  # a full disk: the finished reviews are whole; say clearly that the index is not
        print(f"kamnb batch: the portfolio index was not written: {disk_message(err, out)}", file=stream)
        manifest["portfolio_notes"] = [f"index not written: {disk_message(err, out)}"]
        code = code or EXIT_FAILED
    except Exception as err:  # the reviews are written; say clearly that the index is not
        print(f"kamnb batch: the portfolio index could not be written: {type(err).__name__}: {err}", file=stream)
        manifest["portfolio_notes"] = [f"index not written: {type(err).__name__}: {err}"]
        code = code or EXIT_FAILED
    if not _write_manifest(out, manifest, results, ids, stream):
        code = code or EXIT_FAILED
    failed = [r for r in results.values() if r["status"] == "failed"]
    if failed and code == EXIT_OK:
        code = EXIT_FAILED
    if previous_term is not None:
        signal.signal(signal.SIGTERM, previous_term)
    if index_written:
        say(f"portfolio: {out / 'index.html'}")
    if failed:
        say(f"{len(failed)} account(s) failed; see {out / 'index.html'} or manifest.json, then rerun with --resume")
    if interrupted:
        say("interrupted: finished reviews are kept; rerun with --resume to complete the rest")
    return code


def _portfolio_review(settings: dict[str, Any], config: BatchConfig, accounts: int) -> dict[str, Any]:
    """Run the portfolio notebook once for the batch (see :mod:`kamnb.portfolio_review`); {} when none is configured."""
    from kamnb.portfolio_review import run_portfolio_review

    name = settings.get("portfolio_notebook") or ""
    if not name:
        return {}
    folders = [Path(config.notebooks[0]).parent, Path(__file__).resolve().parent.parent / "notebooks"]
    notebook = next((f / name for f in folders if (f / name).exists()), None)
    if notebook is None:
        return {"status": "failed", "outputs": {}, "error": f"the portfolio notebook {name} is not in {folders[0]}"}
    return run_portfolio_review(notebook, config.workbook, Path(config.out), kernel_name=config.kernel_name, timeout=config.timeout,
                                as_of=config.as_of, generated=config.generated, accounts=accounts)


def portfolio_figures(wb: Any, ids: list[str]) -> tuple[Any, list[str], list[tuple[str, str]]]:
    """Key figures, notes and charts of the run's accounts (computed while the workers run).

    Example:
        >>> figures, notes, charts = portfolio_figures(wb, ["ACC-001", "ACC-002"])  # doctest: +SKIP
        >>> [title for title, _ in charts]  # doctest: +SKIP
        ['Revenue concentration', 'Growth and margin']
    """
    from kamnb.portfolio import charts, key_figures

    figures, notes = key_figures(wb, ids)
    return figures, notes, charts(figures, wb.settings.get("currency", "EUR"))


def write_portfolio(
    wb: Any, out: Path, ids: list[str], results: dict[str, dict[str, Any]], config: BatchConfig,
    prepared: tuple[Any, list[str], list[tuple[str, str]]] | None = None, portfolio_review: dict[str, Any] | None = None,
) -> list[str]:
    """index.html, portfolio.csv and portfolio.xlsx for the accounts of this run; return notes on missing parts.

    Example:
        >>> write_portfolio(wb, Path("reports/sample"), ids, results, config)  # doctest: +SKIP
        []
    """
    from kamnb.formatting import money
    from kamnb.portfolio_files import write_portfolio_files
    from kamnb.printing import page_css
    from kamnb.report import render_template, write_atomic

    figures, notes, pictures = prepared or portfolio_figures(wb, ids)
    currency = wb.settings.get("currency", "EUR")
    write_portfolio_files(out, figures, {a: results.get(a, {}).get("status", "not run") for a in figures.index}, currency)

    from kamnb.portfolio_index import account_rows

    table = account_rows(wb, figures, results, currency)
    failures = [
        {"account_id": r["account_id"], "name": r.get("name", ""), "error": r.get("error", {}), "notebook": r.get("outputs", {}).get("notebook", "")}
        for a in ids if (r := results.get(a)) and r["status"] == "failed"
    ]
    not_run = [a for a in ids if results.get(a, {}).get("status") == "not run"]
    total = figures["revenue_12m"].sum() if len(figures) else 0
    footer = " · ".join(["Key-account portfolio", f"workbook {Path(config.workbook).name}"] + ([f"as of {config.as_of}"] if config.as_of else []))
    from kamnb.portfolio import offering_rows

    try:
        offerings = offering_rows(wb, figures)
    except Exception as err:  # the whitespace view failing must not cost the index
        offerings = []
        notes.append(f"whitespace across the key accounts could not be computed: {type(err).__name__}: {err}")
    from kamnb.classification_basis import basis_warning

    try:
        basis = basis_warning(wb).text()
    except Exception as err:  # the classification failing is reported by its own note
        basis = ""
        notes.append(f"the basis of the key status could not be checked: {type(err).__name__}: {err}")
    page = render_template(
        "portfolio.html.j2",
        page_css=page_css(config.paper, footer),
        offerings=offerings,
        basis_warning=basis,
        title="Key-account portfolio",
        workbook=Path(config.workbook).name,
        as_of=config.as_of,
        generated=config.generated,
        version=__version__,
        table=table,
        script=table["script"],
        portfolio_review=portfolio_review or {},
        failures=failures,
        not_run=not_run,
        charts=pictures,
        notes=notes,
        summary={"accounts": len(ids), "ok": sum(1 for a in ids if results.get(a, {}).get("status") == "ok"),
                 "failed": len(failures), "revenue": money(total, currency)},
    )
    write_atomic(out / "index.html", page)
    if config.pdf:
        printed = [("index.html", "index.pdf")]
        review_page = (portfolio_review or {}).get("outputs", {}).get("html")
        if review_page:
            printed.append((review_page, "portfolio.pdf"))
        for page_name, pdf_name in printed:
            problem = print_pdf(config.pdf, out / page_name, out / pdf_name)
            if problem:
                notes.append(f"{pdf_name} not written: {problem}")
    return notes


# --------------------------------------------------------------------------- command line


def cmd_batch(args: argparse.Namespace) -> int:
    """Run ``kamnb batch`` from parsed arguments; return the exit code.

    Example:
        >>> from kamnb.cli import build_parser  # doctest: +SKIP
        >>> cmd_batch(build_parser().parse_args(["batch", "data/sample", "--out", "reviews"]))  # doctest: +SKIP
        0
    """
    opts = RunOptions(
        workbook=Path(args.workbook),
        out=Path(args.out),
        accounts=[a.strip() for a in args.accounts.split(",") if a.strip()] if args.accounts else None,
        key_only=args.key_only,
        workers=args.workers or 0,
        scheduler=args.scheduler or "",
        wait=args.wait,
        resume=args.resume,
        pdf=args.pdf,
        quiet=args.quiet,
        notebooks=args.notebook or [],
        notebook_dir=args.notebook_dir or "",
        timeout=args.timeout,
        isolation=args.isolation or "",
    )
    try:
        return run_batch(opts)
    finally:
        close_runners()


def add_command(sub: Any) -> None:
    """Register ``kamnb batch`` with the CLI's sub-parsers.

    Example:
        >>> import argparse
        >>> sub = argparse.ArgumentParser(prog="kamnb").add_subparsers()
        >>> add_command(sub)
        >>> "batch" in sub.choices
        True
    """
    p = sub.add_parser(
        "batch",
        help="write every account's review (HTML), the portfolio index and a manifest",
        description="Run the step notebooks for every account (papermill, warm kernels) and write DIR/accounts/*.html, "
        "DIR/notebooks/*.ipynb, DIR/index.html, DIR/portfolio.csv/.xlsx and DIR/manifest.json. "
        "Exit 0 all done, 1 some account failed, 2 usage error, 130 interrupted.",
        epilog="Example: kamnb batch data/sample --out reports/sample --workers 2",
    )
    from kamnb.cli import positive_int, seconds, workbook_path

    p.add_argument("workbook", type=workbook_path, help="workbook folder of CSV files, or an .xlsx file")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the reports (created if missing)")
    p.add_argument("--accounts", metavar="ID,ID", help="only these accounts (comma separated)")
    p.add_argument("--key-only", action="store_true", help="only the key accounts (by the classification)")
    p.add_argument("--workers", type=positive_int, metavar="N", help="local worker processes (default: the machine's cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--wait", type=seconds, metavar="SECONDS", default=600.0,
                   help="with --scheduler: give up after this long without any Dask worker connected (default 600; 0: no limit)")
    p.add_argument("--resume", action="store_true", help="redo only accounts that failed or have no review yet")
    p.add_argument("--pdf", action="store_true", help="also print each review to PDF with headless Chromium")
    p.add_argument("--quiet", action="store_true", help="no progress output (errors still go to stderr)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="stop a cell that runs longer (default from settings: batch.timeout)")
    p.add_argument("--notebook", action="append", metavar="NAME", help="run this notebook instead of the configured list (repeatable)")
    p.add_argument("--notebook-dir", metavar="DIR", help="folder of the notebooks (default from settings: batch.notebook_dir)")
    p.add_argument("--isolation", choices=["warm", "fresh"], help="warm: reuse a reset kernel (fast); fresh: a new kernel per notebook")
    p.set_defaults(func=cmd_batch)
