"""The ``kamnb`` papermill engine: papermill's own execution, in a warm kernel kamnb gives it.

papermill finds it through the ``papermill.engine`` entry point (``papermill --engine
kamnb`` works). papermill scans its entry points while ``papermill.engines`` is
being imported, so kamnb imports ``papermill.engines`` before this module
(:mod:`kamnb.batch.engine` does): this module is then complete when the scan loads it.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

# Imported first, papermill's entry-point scan (run while ``papermill.engines`` is being imported,
# just below) loads this module before its class exists: it then registers this placeholder,
# which :func:`register_engine` replaces with the class once the module is complete.
WarmEngine: Any = None

from papermill.clientwrap import PapermillNotebookClient  # noqa: E402
from papermill.engines import Engine, NBClientEngine, papermill_engines  # noqa: E402
from papermill.utils import remove_args  # noqa: E402

if TYPE_CHECKING:
    from kamnb.batch.engine import WarmKernel

PARSE_LOCK = threading.Lock()
"""Held around Python source parsing in the worker (papermill's parameter inspection, the preload's import scan,
reading the kernel's answers):
CPython 3.11 can fail ``ast.parse`` run in two threads at once ("AST constructor recursion depth mismatch"),
and a Dask worker runs two accounts at once in two threads."""

CHECKED_PAPERMILL = ("2.7",)
"""papermill versions whose engine registry (``papermill_engines._engines``) :func:`register_engine` was checked against."""

ENGINE_NAME = "kamnb"
"""The name papermill knows the warm engine by: ``papermill --engine kamnb`` works too."""
log = logging.getLogger("kamnb.batch.engine")


class WarmEngine(Engine):  # type: ignore[no-redef]  # noqa: F811
    """A papermill engine that runs the notebook in a given :class:`WarmKernel`.

    papermill passes extra keyword arguments of ``execute_notebook`` through
    to the engine; ``kernel=`` selects the warm kernel. Without it the engine
    falls back to papermill's ``nbclient`` engine (a fresh kernel).

    Example:
        >>> papermill.execute_notebook("01_classification.ipynb", "out.ipynb", engine_name="kamnb", kernel=kernel)  # doctest: +SKIP
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, kernel: WarmKernel | None = None, **kwargs: Any) -> Any:
        if kernel is None:
            return NBClientEngine.execute_managed_notebook(nb_man, kernel_name, **kwargs)
        kernel.last_notebook = nb_man.nb
        execution_timeout = kwargs.pop("execution_timeout", None)
        start_timeout = kwargs.pop("start_timeout", 60)
        kwargs = remove_args(["input_path", "timeout", "startup_timeout", "kernel_name", "km"], **kwargs)
        client = PapermillNotebookClient(
            nb_man,
            km=kernel.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=log,
            **kwargs,
        )
        if kernel.fresh:
            client.kc = kernel.kc
            return client.execute()
        from kamnb.batch.kernel_cells import OneRequestClient

        client.kc = OneRequestClient(kernel, client, execution_timeout)
        nb = client.execute()
        _times_from_kernel(nb)
        return nb


def _times_from_kernel(nb: Any) -> None:
    """papermill's per-cell start, end and duration taken from the kernel's own clock (see :mod:`kamnb.batch.kernel_cells`).

    papermill times a cell around nbclient's call for it; with the cells run in
    one request, the first call waits for all of them and the others return at
    once, so the kernel's times (kept as nbclient's ``execution`` metadata) are the true ones.
    """
    from datetime import datetime

    for cell in nb.cells:
        times = cell.metadata.get("execution", {})
        start, end = times.get("iopub.execute_input"), times.get("shell.execute_reply")
        if cell.cell_type != "code" or not (start and end) or "papermill" not in cell.metadata:
            continue
        began, ended = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (start, end))
        cell.metadata.papermill.update(start_time=began.isoformat(), end_time=ended.isoformat(),
                                       duration=round((ended - began).total_seconds(), 6))


def load_notebook(notebook: Any) -> Any:
    """A notebook (a path or a notebook object) read once as papermill reads it, metadata and cell tags completed, for :func:`run_loaded`."""
    import nbformat
    from papermill.iorw import load_notebook_node

    return load_notebook_node(notebook if isinstance(notebook, nbformat.NotebookNode) else str(notebook))


def run_loaded(nb: Any, parameters: dict[str, Any], kernel: WarmKernel, *, source: str, timeout: float | None = None) -> Any:
    """papermill's own steps for a notebook already in memory whose result stays in memory; the executed copy.

    ``papermill.execute_notebook`` given a notebook object writes it to JSON and
    reads it back, and at the end writes the executed notebook to JSON even
    with no output file (the text then goes nowhere): three serialisations and
    validations of a notebook per run, some 5 % of a worker's time. This runs
    the same papermill functions in the same order without them: the warning
    for a parameter the notebook does not declare, parameterising (a new copy
    of ``nb``, with the injected cell), the run metadata, clearing old error
    markers, the engine with its cell bookkeeping, and the error banner. ``nb`` is left as it was, so it serves
    every account. ``source`` is recorded as the input path.

    Example:
        >>> run_loaded(load_notebook("01_classification.ipynb"), {"account_id": "ACC-001"}, kernel, source="01_classification.ipynb")  # doctest: +SKIP
    """
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.inspection import _infer_parameters
    from papermill.parameterize import parameterize_notebook

    register_engine()
    kernel_name = kernel.kernel_name
    with PARSE_LOCK:
        declared = {p.name for p in _infer_parameters(nb, name=kernel_name, language="python")}
        for name in parameters:
            if name not in declared:
                log.warning("Passed unknown parameter: %s", name)  # papermill's own warning
        nb = parameterize_notebook(nb, parameters, kernel_name=kernel_name, language="python", engine_name=ENGINE_NAME)
    nb = remove_error_markers(prepare_notebook_metadata(nb, source, None))
    nb = papermill_engines.execute_notebook_with_engine(
        ENGINE_NAME, nb, kernel_name=kernel_name, input_path=source, output_path=None, progress_bar=False,
        log_output=False, execution_timeout=timeout, kernel=kernel,
    )
    raise_for_execution_errors(nb, None)
    return nb


def register_engine() -> None:
    """Make sure papermill knows the ``kamnb`` engine (idempotent).

    An installed kamnb registers it through the ``papermill.engine`` entry point; this call
    covers a kamnb found on ``sys.path`` without its package metadata (a checkout on ``PYTHONPATH``).
    """
    if papermill_engines._engines.get(ENGINE_NAME) is not WarmEngine:
        papermill_engines.register(ENGINE_NAME, WarmEngine)


register_engine()  # complete: the scan above may have registered the placeholder
