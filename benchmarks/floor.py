"""The floor of a batch: the step notebooks' own code run without Jupyter, each page made as the batch makes it.

A benchmark half for :mod:`benchmarks.bench_batch`. Worker processes (a pool
of 2, like the batch) each hold one in-process IPython shell, no kernel and no
messages. For every account every step notebook is parameterised as papermill
does it (the same injected cell), each code cell runs in the shell, and what
the cell shows is formatted by the shell's display formatters, the ones
``setup_notebook`` installs in a kernel (tables to HTML, charts to SVG). The
outputs are put into the notebook as a kernel would send them, the steps are
stitched and exported by the review's exporter and written whole, so the page
can be compared with the batch's byte for byte. What the floor leaves out is
exactly the Jupyter machinery: kernel start-up and messages, nbclient,
papermill's bookkeeping and the per-account audit notebook. Like a batch
worker, each process reads the notebooks once and keeps one exporter.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

_SHELL: Any = None
_EXPORTER: Any = None
_NOTEBOOKS: dict[str, Any] = {}


def _shell(notebooks: tuple[str, ...] = ()) -> Any:
    """The process's shell, made once, set up as a warm review kernel is.

    The same libraries imported first (numpy, pandas, matplotlib and what the
    notebooks import), then frozen for the garbage collector; no output cache
    and no history, so a reset between notebooks has nothing to flush.
    """
    global _SHELL
    if _SHELL is None:
        import gc
        import importlib
        import types

        import matplotlib
        import nbformat

        matplotlib.use("agg")
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        from kamnb.batch.engine import DEFAULT_PRELOAD, notebook_imports

        preload = list(DEFAULT_PRELOAD)
        for path in notebooks:
            preload += notebook_imports(nbformat.read(path, as_version=4))
        for name in dict.fromkeys(preload):
            try:
                importlib.import_module(name)
            except ImportError:
                pass  # ``from kamnb.x import function`` names no module: the kernel skips it too
        config = Config()
        config.HistoryManager.enabled = False
        # its own module for the notebooks' code: the shell would otherwise take the place of the process's __main__
        _SHELL = InteractiveShell.instance(config=config, user_module=types.ModuleType("kamnb_floor_cells"), cache_size=0)
        gc.collect()
        gc.freeze()
    return _SHELL


class _Outputs:
    """Collects what a cell shows, in the order a kernel would send it: streams, display data, the result."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def display(self, data: dict[str, Any], metadata: dict[str, Any] | None) -> None:
        self.items.append({"output_type": "display_data", "data": data, "metadata": metadata or {}})


def _run_cell(shell: Any, source: str, count: int) -> list[Any]:
    """Run one cell's code in the shell; what it printed, displayed and ended with, as a kernel's outputs."""
    import contextlib
    import io

    import nbformat

    out = _Outputs()
    publisher, hook = shell.display_pub, shell.displayhook
    saved = publisher.publish, hook.write_output_prompt, hook.write_format_data, hook.finish_displayhook

    def publish(data: dict[str, Any], metadata: dict[str, Any] | None = None, **_: Any) -> None:
        out.display(data, metadata)

    def result(data: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        out.items.append({"output_type": "execute_result", "data": data, "metadata": metadata or {}, "execution_count": count})

    publisher.publish, hook.write_output_prompt, hook.write_format_data = publish, lambda: None, result
    hook.finish_displayhook = lambda: None
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            ran = shell.run_cell(source, store_history=False)
    finally:
        publisher.publish, hook.write_output_prompt, hook.write_format_data, hook.finish_displayhook = saved
    if ran.error_in_exec is not None:
        raise ran.error_in_exec
    streams = [{"output_type": "stream", "name": n, "text": t} for n, t in (("stdout", stdout.getvalue()), ("stderr", stderr.getvalue())) if t]
    return [nbformat.from_dict(o) for o in streams + out.items]


def _exporter() -> Any:
    """One exporter per process, its templates compiled once, as each batch worker keeps one."""
    global _EXPORTER
    if _EXPORTER is None:
        from kamnb.batch.report import ReviewExporter

        _EXPORTER = ReviewExporter()
    return _EXPORTER


def floor_account(config: Any, task: Any) -> float:
    """One account without Jupyter: each step notebook's cells run in the process's shell, then the page."""
    from kamnb.batch.report import stitch
    from kamnb.batch.runner import page_texts
    from kamnb.common.files import write_atomic

    started = time.perf_counter()
    params = {"workbook": config.workbook, "account_id": task.account_id}
    steps = [(Path(path).name, run_notebook(path, params, tuple(config.notebooks))) for path in config.notebooks]
    page = _exporter().export(stitch(steps, account_id=task.account_id, account_name=task.name), **page_texts(config, task))
    write_atomic(Path(config.out) / "accounts" / f"{task.file}.html", page)
    return time.perf_counter() - started


def run_notebook(path: str | Path, parameters: dict[str, Any], notebooks: tuple[str, ...] = ()) -> Any:
    """One notebook parameterised as papermill does it, its code cells run in the process's shell; the executed notebook.

    The notebook is read once per process (as a batch worker reads it once); parameterising makes a new copy per run.
    """
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    shell = _shell(notebooks)
    if str(path) not in _NOTEBOOKS:
        _NOTEBOOKS[str(path)] = load_notebook_node(str(path))
    nb = parameterize_notebook(_NOTEBOOKS[str(path)], parameters, kernel_name="python3", language="python")
    shell.reset(new_session=False)
    os.chdir(Path(path).parent)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.outputs = _run_cell(shell, cell.source, count)
            cell.execution_count = count
    return nb


def floor_portfolio(config: Any, notebook: str, accounts: int) -> float:
    """The portfolio review the floor's way: the notebook's code in the shell, the page as the batch exports it."""
    from kamnb.common.files import write_atomic
    from kamnb.review.portfolio import page_texts

    started = time.perf_counter()
    nb = run_notebook(notebook, {"workbook": config.workbook, "reviews": "accounts"}, tuple(config.notebooks))
    page = _exporter().export(nb, **page_texts(config.as_of, Path(config.workbook).name, config.generated, accounts))
    write_atomic(Path(config.out) / "portfolio.html", page)
    return time.perf_counter() - started


def floor(config: Any, tasks: list[Any], portfolio: str = "", workers: int = 2) -> float:
    """Every account's page (and the portfolio review once) the floor's way, on ``workers`` processes; the wall time."""
    (Path(config.out) / "accounts").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        jobs = [pool.submit(floor_portfolio, config, portfolio, len(tasks))] if portfolio else []
        jobs += [pool.submit(floor_account, config, task) for task in tasks]
        for job in jobs:
            job.result()
    return time.perf_counter() - started
