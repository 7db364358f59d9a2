"""Warm kernels for the batch, and the papermill engine that runs notebooks in them.

Starting a Jupyter kernel, importing pandas and matplotlib in it and shutting
it down again costs more than a review's own computing. A batch worker
therefore keeps ONE kernel alive (:class:`WarmKernel`) and runs account after
account in it through papermill, which still injects the parameters and writes
its error banner. The engine is registered with papermill under the name
``kamnb`` (:class:`WarmEngine`); without a warm kernel it behaves like
papermill's own ``nbclient`` engine.

Isolation between notebooks (see ``docs/batch.md``): before every notebook the
kernel is reset to the state it had right after start-up and preloading --
user namespace, execution counter, open figures, matplotlib rcParams, pandas
options, numpy error settings, random generators, warnings filters and their
"shown once" registries, environment, working directory, ``sys.path``, locale,
standard streams. Modules a notebook imported that are not installed libraries
(kamnb's own modules, a helper next to the notebook) are unloaded so the next
notebook imports a fresh copy. When a check finds state the reset cannot
restore (a kamnb function replaced, a thread left running, the matplotlib
backend switched) the kernel is replaced by a fresh one; so is a kernel whose
notebook failed, timed out or died.

Example:
    >>> kernel = WarmKernel(preload=["json"])            # doctest: +SKIP
    >>> kernel.start()                                   # doctest: +SKIP
    >>> nb = kernel.execute("step.ipynb", {"account_id": "ACC-001"}, timeout=60)  # doctest: +SKIP
    >>> kernel.shutdown()                                # doctest: +SKIP
"""
from __future__ import annotations

import ast
import json
import logging
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import nbformat
import papermill.engines  # noqa: F401  (imported before kamnb.batch.papermill_engine: see there)
from jupyter_core.utils import run_sync

from kamnb.batch.kernel_reset import install_code, library_roots
from kamnb.batch.kernel_tuning import WARM_ARGUMENTS
from kamnb.batch.papermill_engine import ENGINE_NAME, PARSE_LOCK, load_notebook, register_engine, run_loaded

DEFAULT_PRELOAD = ("numpy", "pandas", "matplotlib")
"""Libraries every review kernel imports once at start-up, besides what the notebooks import."""

KERNEL_ARGUMENTS = (
    "--matplotlib=inline",
    "--InteractiveShellApp.extensions=kamnb.plots",
    "--HistoryManager.enabled=False",
    "--InteractiveShell.cache_size=0",
)
"""Start-up options of every review kernel: pyplot works inline; every matplotlib Figure displays
as SVG with its title as text (``kamnb.plots`` loaded as an IPython extension, so a notebook
draws the same whether or not it imports kamnb's charts, in a warm kernel or a fresh one); no
history file; and no output cache: results are not kept in ``Out``,
``_`` or ``__`` (a review never reads them), so a figure is freed once displayed and the reset
between notebooks has no cache to flush, which also spares it a full garbage collection."""

log = logging.getLogger("kamnb.batch.engine")
T = TypeVar("T")




def notebook_imports(nb: nbformat.NotebookNode) -> list[str]:
    """Top-level modules a notebook imports in its code cells, in first-seen order.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import pandas as pd\\nfrom kamnb.plots import value")])
    >>> notebook_imports(nb)
    ['pandas', 'kamnb.plots', 'kamnb.plots.value']
    """
    seen: dict[str, None] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            with PARSE_LOCK:
                tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    seen.setdefault(alias.name, None)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                seen.setdefault(node.module, None)
                for alias in node.names:  # ``from kamnb.plots import value`` may name a submodule
                    if alias.name != "*" and node.module.split(".")[0] == "kamnb":
                        seen.setdefault(f"{node.module}.{alias.name}", None)
    return list(seen)


# --------------------------------------------------------------------------- the papermill engine


# --------------------------------------------------------------------------- the warm kernel


class WarmKernel:
    """One long-lived kernel that runs notebook after notebook, reset in between.

    All traffic with the kernel happens on one private thread, so the object
    can be used from any thread (a Dask worker runs tasks on a pool of them).
    ``fresh=True`` gives every notebook a new kernel instead (full process
    isolation, about ten times slower).

    Example:
        >>> kernel = WarmKernel("python3", preload=["pandas"])  # doctest: +SKIP
        >>> kernel.shutdown()  # doctest: +SKIP
    """

    def __init__(
        self,
        kernel_name: str = "python3",
        *,
        preload: Iterable[str] = (),
        cwd: str | Path | None = None,
        startup_timeout: float = 60,
        fresh: bool = False,
    ):
        self.kernel_name = kernel_name
        self.preload = list(dict.fromkeys([*DEFAULT_PRELOAD, *preload]))
        self.cwd = str(cwd) if cwd else None
        self.startup_timeout = startup_timeout
        self.fresh = fresh
        self.km: Any = None
        self.kc: Any = None
        self.last_notebook: nbformat.NotebookNode | None = None
        self.starts = 0
        self.preload_failures: list[str] = []
        self._dirty = False
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kamnb-kernel")
        self._lock = threading.Lock()

    # -- plumbing
    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._lock:
            return self._thread.submit(fn, *args, **kwargs).result()

    @property
    def pid(self) -> int | None:
        """The kernel's process id (None when no kernel runs)."""
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    # -- life cycle
    def start(self) -> None:
        """Start the kernel (if none runs) and preload the libraries."""
        self._call(run_sync(self._async_start))

    async def _async_start(self) -> None:
        if self.km is not None and await self.km.is_alive():
            return
        from jupyter_client.manager import AsyncKernelManager

        # IPC sockets (no TCP ports to collide, no plain-TCP warning); an absolute
        # socket path, because the kernel runs in another working directory.
        sockets = os.path.join(tempfile.gettempdir(), f"kamnb-{os.getpid()}-{id(self):x}-{self.starts}")
        km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc", ip=sockets)
        await km.start_kernel(
            extra_arguments=list(KERNEL_ARGUMENTS) + ([] if self.fresh else list(WARM_ARGUMENTS)),
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=self.startup_timeout)
            self.km, self.kc = km, kc
            await self._run(install_code(self.preload, library_roots()))
            if not self.fresh:  # see kamnb.batch.kernel_tuning
                await self._expression("__import__('_kamnb_warm')._k_flush_when_written()")
            reply = await self._expression(f"__import__('_kamnb_warm')._k_setup({self.preload!r}, {library_roots()!r})")
            self.preload_failures = list(reply or [])
        except BaseException:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            self.km = self.kc = None
            raise
        self.starts += 1
        self._dirty = False

    async def _run(self, code: str, timeout: float = 60) -> dict[str, Any]:
        reply = await self.kc.execute(code, silent=True, store_history=False, reply=True, timeout=timeout)
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"the review kernel could not run its set-up code: {content.get('ename')}: {content.get('evalue')}")
        return content

    async def _expression(self, expression: str, timeout: float = 120) -> Any:
        """Evaluate ``expression`` (JSON-able) in the kernel without touching the user namespace."""
        wrapped = f"__import__('json').dumps({expression})"
        reply = await self.kc.execute("", silent=True, store_history=False, user_expressions={"r": wrapped}, reply=True, timeout=timeout)
        result = reply["content"].get("user_expressions", {}).get("r", {})
        if result.get("status") != "ok":
            raise RuntimeError(f"the review kernel could not evaluate {expression}: {result.get('ename')}: {result.get('evalue')}")
        with PARSE_LOCK:  # literal_eval parses too
            text = ast.literal_eval(result["data"]["text/plain"])
        return json.loads(text)

    def shutdown(self) -> None:
        """Stop the kernel at once (no graceful wait) and free its resources."""
        self._call(run_sync(self._async_shutdown))

    async def _async_shutdown(self) -> None:
        kc, km = self.kc, self.km
        self.kc = self.km = None
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            try:
                if await km.is_alive():
                    await km.shutdown_kernel(now=True)
            finally:
                await km.cleanup_resources()

    def close(self) -> None:
        """Shut the kernel down and stop the private thread."""
        try:
            self.shutdown()
        finally:
            self._thread.shutdown(wait=True)

    def restart(self) -> None:
        """Replace the kernel by a fresh one."""
        self.shutdown()
        self.start()

    def mark_dirty(self) -> None:
        """Ask for a fresh kernel before the next notebook (after a failure)."""
        self._dirty = True

    def prepare(self) -> str:
        """Make the kernel ready for the next notebook; return why it was replaced ('' when reset)."""
        return self._call(run_sync(self._async_prepare))

    async def _async_prepare(self) -> str:
        reason = ""
        if self.fresh and self.km is not None:
            reason = "a fresh kernel for every notebook"
        elif self._dirty:
            reason = "the previous notebook failed"
        elif self.km is None:
            reason = "no kernel yet"
        elif not await self.km.is_alive():
            reason = "the kernel had died"
        else:
            try:
                reason = await self._expression("__import__('_kamnb_warm')._k_reset()")
            except Exception as err:
                reason = f"the reset failed ({err})"
        if reason:
            await self._async_shutdown()
            await self._async_start()
        return "" if reason == "no kernel yet" else reason

    # -- running notebooks
    def execute(
        self,
        notebook: nbformat.NotebookNode | str | Path,
        parameters: dict[str, Any],
        *,
        timeout: float | None = None,
        source: str = "",
    ) -> nbformat.NotebookNode:
        """Run one notebook through papermill in this kernel; return the executed notebook.

        A warm kernel runs papermill's steps on the notebook in memory
        (:func:`kamnb.batch.papermill_engine.run_loaded`; a notebook from
        :func:`~kamnb.batch.papermill_engine.load_notebook` is used as it is,
        so it can serve account after account); a fresh one calls
        ``papermill.execute_notebook`` itself. ``source`` names the notebook
        in papermill's metadata when ``notebook`` is not a path.

        Raises what papermill raises (``PapermillExecutionError`` for a cell
        that raised, with the banner cells already in :attr:`last_notebook`),
        nbclient's ``CellTimeoutError`` or ``DeadKernelError``.
        """
        import papermill

        register_engine()
        self.prepare()
        self.last_notebook = None
        is_node = isinstance(notebook, nbformat.NotebookNode)
        try:
            if not self.fresh:
                loaded = notebook if isinstance(notebook, nbformat.NotebookNode) and "papermill" in notebook.metadata else load_notebook(notebook)
                return self._call(run_loaded, loaded, parameters, self, source=source or ("" if is_node else str(notebook)), timeout=timeout)
            return self._call(
                papermill.execute_notebook,
                notebook if is_node else str(notebook),
                None,
                parameters=parameters,
                engine_name=ENGINE_NAME,
                kernel_name=self.kernel_name,
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                kernel=self,
            )
        except BaseException:
            self._dirty = True
            raise
