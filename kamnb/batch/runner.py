"""One account's review in a worker: run its notebooks on a warm kernel, stitch, export, print.

Each worker (a local process, or a thread of a Dask worker) keeps one warm
kernel and one HTML exporter (:class:`AccountRunner`); :func:`run_account` is
the task both schedulers run.
"""
from __future__ import annotations

import atexit
import threading
import time
from pathlib import Path
from typing import Any

import nbformat  # noqa: E402

from kamnb import __version__  # noqa: E402
from kamnb.batch.config import BatchConfig, Task
from kamnb.batch.printing import print_pdf  # noqa: E402
from kamnb.common.files import disk_message  # noqa: E402


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
        from kamnb.batch.engine import WarmKernel, notebook_imports
        from kamnb.batch.papermill_engine import load_notebook
        from kamnb.batch.report import ReviewExporter

        self.config = config
        self.notebooks = [(Path(p).name, load_notebook(p)) for p in config.notebooks]
        self.sources = {Path(p).name: str(p) for p in config.notebooks}
        preload: list[str] = list(config.preload)
        for _, nb in self.notebooks:
            preload += notebook_imports(nb)
        if config.portfolio_notebook:  # a worker may run the portfolio review too
            preload += notebook_imports(load_notebook(config.portfolio_notebook))
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

    def portfolio(self) -> dict[str, Any]:
        """The portfolio review in this worker's kernel, with its exporter (see :func:`kamnb.review.portfolio.run_portfolio_review`).

        A failed portfolio notebook leaves the kernel to be replaced before the next account, as a failed account does.
        """
        from kamnb.review.portfolio import run_portfolio_review

        config = self.config
        result = run_portfolio_review(Path(config.portfolio_notebook), config.workbook, self.out, kernel=self.kernel, exporter=self.exporter,
                                      timeout=config.timeout, as_of=config.as_of, generated=config.generated, accounts=config.accounts)
        return {"kind": "portfolio", **result}

    def run(self, task: Task) -> dict[str, Any]:
        """Review one account (or, for :data:`~kamnb.batch.config.PORTFOLIO_TASK`, the portfolio); never raises for the account's own failures."""
        if task.kind == "portfolio":
            return self.portfolio()
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
        from kamnb.batch.report import audit_copy, stitch
        from kamnb.common.files import write_atomic

        outputs: dict[str, str] = {}
        try:
            review = stitch(steps, account_id=task.account_id, account_name=task.name)
            if error is not None:
                review.cells.insert(0, _banner(f"This review failed: {error.kind} in {error.step}: {error.message}"))
            # not signed: see docs/batch.md. nbformat's v4 writer, without the validation pass of
            # nbformat.writes (which only logs what it finds): the outputs were checked as they came in.
            write_atomic(notebook_path, nbformat.v4.writes(audit_copy(review)))
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
                steps.append((name, self.kernel.execute(nb, params, timeout=self.config.timeout, source=self.sources[name])))
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

