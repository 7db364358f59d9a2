"""Where accounts run: local worker processes or a Dask cluster, behind one interface.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Protocol

from kamnb.batch.config import BatchConfig, Task
from kamnb.batch.runner import _RUNNERS, close_runners, run_account


class Scheduler(Protocol):
    """Where the accounts of a batch run: what :func:`kamnb.batch.run.run_batch` asks of local processes and of Dask alike.

    ``start`` queues every account; ``collect`` returns the results finished
    within about a second (maybe none) while ``busy``; ``cancel`` drops what has
    not started and says how many still run; ``kill`` stops at once;
    ``release`` lets the workers end on their own (their kernels with them)
    while the batch writes its index, and ``close`` waits for a clean end (at
    once after ``kill``). ``note`` is where the scheduler says what it waits for.
    """

    workers: int
    note: Callable[[str], None]

    def start(self, config: BatchConfig, tasks: Sequence[Task]) -> None: ...

    @property
    def busy(self) -> bool: ...

    def collect(self) -> list[dict[str, Any]]: ...

    def cancel(self) -> int: ...

    def kill(self) -> None: ...

    def release(self) -> None: ...

    def close(self) -> None: ...


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

    from kamnb.batch import guard as batch_guard

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
    from kamnb.batch import guard as batch_guard

    batch_guard.mark(task.label)
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


class LocalScheduler:
    """A pool of local processes (spawned, so every platform behaves alike).

    A worker process that dies (the out-of-memory killer, say) fails only
    the account it was running, named by the mark the worker keeps
    (:mod:`kamnb.batch.guard`): the pool is replaced and every other account,
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
        self.killed = False
        self._closing: threading.Thread | None = None  # the pool's shutdown, once the workers were told to end
        self.note: Callable[[str], None] = lambda message: None  # a local pool never waits for workers

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
        """Keep hold of the pool's worker processes (this process's children), so that a dead one's exit code can be read."""
        self.processes.update({p.pid: p for p in multiprocessing.active_children() if p.pid is not None})

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

        from kamnb.batch import guard as batch_guard

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
            if process.exitcode is None:  # still stopping its kernels after the pool's SIGTERM: not the one that died
                process.kill()
                process.join(timeout=5)
                continue
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
            if give_up or task.label in culprits:
                how = culprits.get(task.label, "died")
                what = "the portfolio review" if task.kind == "portfolio" else "this account"
                results.append(_worker_died(task, f"the worker process running {what} {how} (out of memory?); the other accounts ran on"))
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
        self._note_processes()
        for process in self.processes.values():
            try:
                process.terminate()
            except Exception:
                pass
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pending = set()
        self.killed = True

    def release(self) -> None:
        """Tell the workers to end (each shuts its kernel down); the pool's orderly shutdown runs on a thread of its own."""
        if self.pool is not None and not (self.killed or self._closing is not None):
            self._closing = threading.Thread(target=self.pool.shutdown, kwargs={"wait": True, "cancel_futures": True},
                                             name="kamnb-workers-ending", daemon=True)
            self._closing.start()

    def close(self) -> None:
        """Wait until the workers have ended (at once after :meth:`kill`)."""
        if self.killed or self.pool is None:
            return
        if self._closing is not None:
            self._closing.join()
            return
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
        self.note: Callable[[str], None] = note or (lambda message: None)
        self.client = Client(address, timeout="20s")
        self.workers = len(self.client.scheduler_info().get("workers", {}))
        self.pending: set[Any] = set()
        self.tasks: dict[Any, Task] = {}
        self.key = ""
        self.killed = False
        self._seen = time.monotonic()
        self._noted = 0.0
        self._checked = 0.0

    def start(self, config: BatchConfig, tasks: Sequence[Task]) -> None:
        stamp = hashlib.sha1(f"{config.key}{time.time()}".encode()).hexdigest()[:8]
        self.key = config.key
        # an account's key is made of its safe file name (letters, digits, . _ -), so the portfolio's ':' sets it apart
        keys = [f"kamnb:portfolio-{stamp}" if t.kind == "portfolio" else f"kamnb-{t.file}-{stamp}" for t in tasks]
        futures = [self.client.submit(run_account, config, t, key=k, pure=False, retries=0) for t, k in zip(tasks, keys, strict=True)]
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
        self.killed = True

    def release(self) -> None:
        """Nothing to do until :meth:`close`: the workers outlive the batch; their kernels are stopped there."""

    def close(self) -> None:
        """Stop the warm kernels this batch started on the workers, then disconnect (at once after :meth:`kill`)."""
        if self.killed:
            return
        try:
            if self.key and self._connected():
                self.client.run(close_runners, self.key)
        except Exception:  # a worker that is gone took its kernels along
            pass
        finally:
            self.client.close()


def _failure(task: Task, kind: str, message: str) -> dict[str, Any]:
    if task.kind == "portfolio":  # the shape of kamnb.review.portfolio.run_portfolio_review's answer
        return {"kind": "portfolio", "status": "failed", "outputs": {}, "error": f"{kind}: {message}", "seconds": 0.0}
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

