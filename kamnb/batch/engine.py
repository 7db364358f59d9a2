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
import inspect
import json
import logging
import os
import subprocess
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import nbformat
import papermill.engines  # noqa: F401  (imported before kamnb.batch.papermill_engine: see there)
from jupyter_core.utils import run_sync

from kamnb.batch.papermill_engine import ENGINE_NAME, register_engine

CHECKED_PANDAS = ("3.1",)
"""pandas versions whose option registry (``pd._config.config._registered_options``) the kernel reset was checked against."""

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




# --------------------------------------------------------------------------- kernel side
# The functions below run INSIDE the kernel: their source is sent over at
# start-up and executed in a private module named ``_kamnb_warm``. They only use
# what they import themselves and the module-global ``_STATE``.

_STATE: dict[str, Any] = {}
_STATEFUL = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot")


def _k_fingerprint(module: Any) -> dict[str, int]:
    import types

    # __warningregistry__ is Python's note of the warnings a module has shown; the reset of the
    # warning filters empties it, so a warning shows again for the next notebook as in a fresh kernel.
    return {k: id(v) for k, v in list(vars(module).items()) if not isinstance(v, types.ModuleType) and k != "__warningregistry__"}


def _k_pandas_options(pd: Any) -> dict[str, Any]:
    import warnings

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in sorted(pd._config.config._registered_options):
            try:
                out[key] = pd.get_option(key)
            except Exception:
                pass
    return out


def _k_snapshot() -> None:
    import locale
    import os
    import random
    import sys
    import threading
    import warnings

    st = _STATE
    st["modules"] = set(sys.modules)
    st["prints"] = {n: _k_fingerprint(m) for n, m in list(sys.modules.items()) if m is not None and (n == "kamnb" or n.startswith("kamnb."))}
    st["cwd"] = os.getcwd()
    st["environ"] = dict(os.environ)
    st["path"] = list(sys.path)
    st["meta_path"] = list(sys.meta_path)
    st["random"] = random.getstate()
    st["warnings"] = list(warnings.filters)
    st["locale"] = locale.setlocale(locale.LC_ALL)
    st["threads"] = {t.ident for t in threading.enumerate()}
    st["streams"] = (sys.stdout, sys.stderr, sys.displayhook, sys.excepthook)
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        st["rc"] = dict(mpl.rcParams.copy())
        st["backend"] = mpl.rcParams._get_backend_or_none() if hasattr(mpl.rcParams, "_get_backend_or_none") else None
    np = sys.modules.get("numpy")
    if np is not None:
        st["np_random"] = np.random.get_state()
        st["np_err"] = np.geterr()
        st["np_print"] = np.get_printoptions()
    pd = sys.modules.get("pandas")
    if pd is not None:
        st["pd"] = _k_pandas_options(pd)


def _k_setup(preload: list[str], roots: list[str]) -> list[str]:
    import gc
    import importlib

    from IPython import get_ipython

    failed = []
    for name in preload:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:  # ``from kamnb.x import function`` is not a module: fine
                failed.append(f"{name}: {type(err).__name__}: {err}")
        except Exception as err:  # a preload is an optimisation; the notebook reports the real error
            failed.append(f"{name}: {type(err).__name__}: {err}")
    _STATE["roots"] = tuple(roots)
    get_ipython().reset(new_session=True)
    _k_snapshot()
    # Objects alive now (the preloaded libraries) stay alive for good: keep the
    # garbage collector from scanning them again and again.
    gc.collect()
    gc.freeze()
    return failed


def _k_reset() -> str:
    """Put the kernel back into its post-start state; return '' or why that is impossible."""
    import locale
    import os
    import random
    import sys
    import threading
    import time
    import warnings

    from IPython import get_ipython

    st = _STATE
    shell = get_ipython()
    shell.reset(new_session=True)
    problems = []
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    sys.stdout, sys.stderr, sys.displayhook, sys.excepthook = st["streams"]
    # modules: unload what is not an installed library, check kamnb's own modules
    for name in sorted(set(sys.modules) - st["modules"]):
        module = sys.modules.get(name)
        if name in _STATEFUL:
            problems.append(f"{name} was imported by the notebook")
            continue
        where = getattr(module, "__file__", None) or ""
        library = bool(where) and where.startswith(st["roots"]) and not (name == "kamnb" or name.startswith("kamnb."))
        if library:
            st["modules"].add(name)
            continue
        del sys.modules[name]
        parent, _, child = name.rpartition(".")
        if parent and parent in sys.modules and getattr(sys.modules[parent], child, None) is module:
            try:
                delattr(sys.modules[parent], child)
            except AttributeError:
                pass
    for name, before in st["prints"].items():
        module = sys.modules.get(name)
        if module is None or _k_fingerprint(module) != before:
            problems.append(f"module {name} was changed by the notebook")
            break
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()
    # process-wide settings
    if os.getcwd() != st["cwd"]:
        os.chdir(st["cwd"])
    if dict(os.environ) != st["environ"]:
        tz = os.environ.get("TZ")
        os.environ.clear()
        os.environ.update(st["environ"])
        if os.environ.get("TZ") != tz and hasattr(time, "tzset"):
            time.tzset()
    sys.path[:] = st["path"]
    sys.meta_path[:] = st["meta_path"]
    random.setstate(st["random"])
    warnings.filters[:] = st["warnings"]  # type: ignore[index]
    mutated = getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None)
    if mutated is not None:
        mutated()
    if locale.setlocale(locale.LC_ALL) != st["locale"]:
        locale.setlocale(locale.LC_ALL, st["locale"])
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and "rc" in st:
        backend = mpl.rcParams._get_backend_or_none() if hasattr(mpl.rcParams, "_get_backend_or_none") else None
        if backend != st["backend"]:
            problems.append("the matplotlib backend was switched")
        dict.update(mpl.rcParams, st["rc"])
    np = sys.modules.get("numpy")
    if np is not None and "np_random" in st:
        np.random.set_state(st["np_random"])
        np.seterr(**st["np_err"])
        np.set_printoptions(**st["np_print"])
    pd = sys.modules.get("pandas")
    if pd is not None and "pd" in st:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in _k_pandas_options(pd).items():
                if key in st["pd"] and value is not st["pd"][key] and value != st["pd"][key]:
                    pd.set_option(key, st["pd"][key])
    left = []
    for thread in threading.enumerate():
        if thread.ident in st["threads"] or not thread.is_alive():
            continue
        if type(thread).__module__.split(".")[0] in ("zmq", "ipykernel", "IPython", "jupyter_client", "tornado"):
            st["threads"].add(thread.ident)  # the kernel's own machinery (e.g. pyzmq's garbage collector), started lazily
            continue
        left.append(thread.name)
    left.sort()
    if left:
        problems.append(f"the notebook left a thread running ({', '.join(left)})")
    return "; ".join(problems)


def _kernel_source() -> str:
    parts = ["from __future__ import annotations", "_STATE = {}", f"_STATEFUL = {_STATEFUL!r}"]
    for fn in (_k_fingerprint, _k_pandas_options, _k_snapshot, _k_setup, _k_reset):
        parts.append(inspect.getsource(fn))
    return "\n\n".join(parts)


def _install_code(preload: list[str], roots: list[str]) -> str:
    source = _kernel_source()
    return (
        "import sys as _s, types as _t\n"
        "_m = _t.ModuleType('_kamnb_warm')\n"
        f"exec(compile({source!r}, '<kamnb warm kernel>', 'exec'), _m.__dict__)\n"
        "_s.modules['_kamnb_warm'] = _m\n"
        "del _s, _t, _m\n"
    )


def library_roots() -> list[str]:
    """Folders whose modules count as installed libraries (kept loaded between notebooks).

    Example:
        >>> library_roots()[:1]  # doctest: +SKIP
        ['/root/.pyenv/versions/3.11.7/']
    """
    roots = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots.update({sys.base_prefix, sys.prefix})
    return sorted(str(Path(r)) + os.sep for r in roots if r)


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
            extra_arguments=list(KERNEL_ARGUMENTS),
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=self.startup_timeout)
            self.km, self.kc = km, kc
            await self._run(_install_code(self.preload, library_roots()))
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
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

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
        cwd: str | Path | None = None,
    ) -> nbformat.NotebookNode:
        """Run one notebook through papermill in this kernel; return the executed notebook.

        Raises what papermill raises (``PapermillExecutionError`` for a cell
        that raised, with the banner cells already in :attr:`last_notebook`),
        nbclient's ``CellTimeoutError`` or ``DeadKernelError``.
        """
        import papermill

        register_engine()
        self.prepare()
        self.last_notebook = None
        source = notebook if isinstance(notebook, nbformat.NotebookNode) else str(notebook)
        try:
            return self._call(
                papermill.execute_notebook,
                source,
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
