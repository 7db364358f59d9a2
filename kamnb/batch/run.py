"""Running a batch: every account's review, one command, on one machine or a Dask cluster.

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

import json
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kamnb import __version__  # noqa: E402
from kamnb.batch.config import (
    PORTFOLIO_TASK,
    BatchConfig,
    Task,
    batch_settings,
    file_checksum,
    find_chromium,
    generated_stamp,
    resolve_notebooks,
    safe_names,
    workbook_checksum,
)
from kamnb.batch.index import portfolio_figures, write_portfolio
from kamnb.batch.lock import OutputLock  # noqa: E402
from kamnb.batch.printing import paper_size  # noqa: E402
from kamnb.batch.schedulers import DaskScheduler, LocalScheduler, Scheduler
from kamnb.cli.codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE
from kamnb.common.files import disk_message  # noqa: E402
from kamnb.errors import BatchError, KamnbError, OutputBusy  # noqa: E402

# --------------------------------------------------------------------------- configuration


# --------------------------------------------------------------------------- the worker side


# --------------------------------------------------------------------------- schedulers


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
        from kamnb.classification.score import classify

        key = classify(wb)["is_key"]
        ids = [a for a in ids if bool(key.get(a, False))]
    return ids


def _write_manifest(out: Path, manifest: dict[str, Any], results: dict[str, dict[str, Any]], order: list[str], stream: Any = None) -> bool:
    """Write manifest.json whole; on a full disk say so once (the earlier manifest stays) and return False."""
    from kamnb.common.files import write_atomic

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
    from kamnb.workbook.banks import as_of

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
        portfolio_notebook=str(_portfolio_notebook(settings, notebooks) or ""),
        accounts=len(ids),
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
    from kamnb.batch.progress import Progress
    from kamnb.common.files import remove_temp_files

    out = Path(config.out)
    remove_temp_files(out)
    _write_manifest.warned = False  # type: ignore[attr-defined]
    files = safe_names(ids)
    names_of = wb.accounts["name"].to_dict()
    inputs = _inputs(workbook, notebooks, config, isolation)
    results = _resumed(opts, out, inputs, files, ids, stream, say)
    tasks = [Task(a, str(names_of.get(a, a)), files[a]) for a in ids if a not in results]
    review = _portfolio_review(settings, config, notebooks)
    # the portfolio review first, on a worker's warm kernel, as any account runs
    queue = ([PORTFOLIO_TASK] if config.portfolio_notebook else []) + tasks
    scheduler = _scheduler(opts, len(queue), stream)
    if scheduler is None:
        return EXIT_USAGE
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
    background = ThreadPoolExecutor(1, thread_name_prefix="kamnb-index")
    figures_job = background.submit(portfolio_figures, wb, ids)  # overlaps with the workers' start-up
    background.shutdown(wait=False)
    previous_term = _catch_sigterm()
    try:
        interrupted, terminated = _run_accounts(scheduler, config, queue, progress, manifest, results, ids, out, stream,
                                                hold_term=previous_term is not None, review=review)
        progress.close()
        removed = remove_temp_files(out)
        for a in ids:
            if a not in results:
                results[a] = {"account_id": a, "name": str(names_of.get(a, a)), "file": files[a], "status": "not run", "outputs": {}}
        manifest["summary"] = {"interrupted": interrupted, "seconds": round(time.monotonic() - started, 2), "temp_files_removed": removed}
        if terminated:
            manifest["summary"]["signal"] = "SIGTERM"
        code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED if interrupted else EXIT_OK
        code, index_written = _write_index_and_manifest(wb, out, ids, results, config, figures_job.result(), review,
                                                        manifest, stream, code)
    finally:
        scheduler.close()  # the workers were told to end once the last account was in: they stopped meanwhile
    if previous_term is not None:
        signal.signal(signal.SIGTERM, previous_term)
    failed = [r for r in results.values() if r["status"] == "failed"]
    if index_written:
        say(f"portfolio: {out / 'index.html'}")
    if failed:
        say(f"{len(failed)} account(s) failed; see {out / 'index.html'} or manifest.json, then rerun with --resume")
    if interrupted:
        say("interrupted: finished reviews are kept; rerun with --resume to complete the rest")
    return EXIT_FAILED if failed and code == EXIT_OK else code


def _inputs(workbook: Path, notebooks: list[Path], config: BatchConfig, isolation: str) -> dict[str, Any]:
    """What the reviews are made from, with checksums: the manifest records it and ``--resume`` compares it."""
    return {
        "workbook": {"path": str(workbook), "sha256": workbook_checksum(workbook)},
        "notebooks": [{"name": Path(p).name, "sha256": file_checksum(Path(p))} for p in notebooks],
        "kamnb_version": __version__,
        "parameters": {"timeout": config.timeout, "retries": config.retries, "isolation": isolation, "kernel": config.kernel_name},
    }


def _resumed(opts: RunOptions, out: Path, inputs: dict[str, Any], files: dict[str, str], ids: list[str], stream: Any,
             say: Any) -> dict[str, dict[str, Any]]:
    """With ``--resume``: the reviews a previous run of the same inputs finished (kept, not run again); else none."""
    if not opts.resume:
        return {}
    from kamnb.batch.resume import previous_reviews

    results, warning = previous_reviews(out, inputs, files)
    if warning:
        print(f"kamnb batch: {warning}", file=stream)
    if results:
        say(f"resuming: {len(results)} account(s) already done, {len(ids) - len(results)} to run")
    return results


def _scheduler(opts: RunOptions, tasks: int, stream: Any) -> Scheduler | None:
    """Local worker processes, or the Dask cluster at ``--scheduler``; None (said on ``stream``) when it cannot be reached."""
    if opts.scheduler:
        try:
            return DaskScheduler(opts.scheduler, wait=opts.wait)
        except Exception as err:
            print(f"kamnb batch: cannot reach the Dask scheduler at {opts.scheduler}: {err}", file=stream)
            return None
    workers = max(1, opts.workers or os.cpu_count() or 1)
    return LocalScheduler(min(workers, max(1, tasks)))


def _run_accounts(scheduler: Scheduler, config: BatchConfig, tasks: list[Task], progress: Any, manifest: dict[str, Any],
                  results: dict[str, dict[str, Any]], ids: list[str], out: Path, stream: Any, *, hold_term: bool,
                  review: dict[str, Any]) -> tuple[bool, bool]:
    """Run the accounts, collecting results and keeping the manifest current; return (interrupted, terminated).

    The portfolio review's answer, when ``tasks`` holds :data:`~kamnb.batch.config.PORTFOLIO_TASK`, replaces what ``review`` holds.

    A first Ctrl-C lets the accounts in progress finish and drops the rest; a
    second one, or SIGTERM, stops the workers at once. With ``hold_term``
    SIGTERM is ignored from then on: the index and manifest are written next, whole.
    """
    interrupted = terminated = killed = False
    last_write = 0.0
    try:
        scheduler.start(config, tasks)
        while scheduler.busy:
            try:
                for result in scheduler.collect():
                    if result.pop("kind", "") == "portfolio":
                        review.clear()
                        review.update(result)
                        continue
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
        if hold_term:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if not killed:
            scheduler.release()
    if getattr(scheduler, "stopped", False):  # the workers were stopped from outside
        terminated = interrupted = True
    return interrupted, terminated


def _write_index_and_manifest(wb: Any, out: Path, ids: list[str], results: dict[str, dict[str, Any]], config: BatchConfig,
                              figures: Any, portfolio_review: dict[str, Any], manifest: dict[str, Any], stream: Any,
                              code: int) -> tuple[int, bool]:
    """The portfolio index and files, then the manifest; the exit code (a failure when either could not be written), and whether the index was."""
    manifest["portfolio_review"] = portfolio_review
    if portfolio_review.get("error"):
        print(f"kamnb batch: the portfolio review failed: {portfolio_review['error']}", file=stream)
    written = False
    try:
        manifest["portfolio_notes"] = write_portfolio(wb, out, ids, results, config, figures, portfolio_review)
        written = True
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
    return code, written


def _portfolio_notebook(settings: dict[str, Any], notebooks: list[Path]) -> Path | None:
    """The portfolio notebook the settings name, beside the step notebooks or in kamnb's own; None when none is named or found."""
    name = settings.get("portfolio_notebook") or ""
    folders = [Path(notebooks[0]).parent, Path(__file__).resolve().parent.parent / "notebooks"]
    return next((f / name for f in folders if name and (f / name).exists()), None)


def _portfolio_review(settings: dict[str, Any], config: BatchConfig, notebooks: list[Path]) -> dict[str, Any]:
    """What the manifest and index say of the portfolio review before its task ends: {} when none is configured.

    A configured notebook that is missing fails the review at once; a planned one that never ran (the batch was
    stopped first) says so.
    """
    name = settings.get("portfolio_notebook") or ""
    if not name:
        return {}
    if not config.portfolio_notebook:
        return {"status": "failed", "outputs": {}, "error": f"the portfolio notebook {name} is not in {Path(notebooks[0]).parent}"}
    return {"status": "not run", "outputs": {}, "error": "the batch was stopped before the portfolio review ran"}


# --------------------------------------------------------------------------- command line


