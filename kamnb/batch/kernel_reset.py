"""The warm kernel's own side: the snapshot taken after start-up and the reset to it before every notebook.

The functions here run INSIDE the review kernel: :func:`install_code` sends
their source over at start-up and executes it in a private module named
``_kamnb_warm``. They only use what they import themselves and the
module-global ``_STATE``. What the reset restores, and what makes it give up
and ask for a fresh kernel, is described in :mod:`kamnb.batch.engine`.
"""
from __future__ import annotations

import inspect
import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

CHECKED_PANDAS = ("3.1",)
"""pandas versions whose option registry (``pd._config.config._registered_options``) the kernel reset was checked against."""

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
    import sys

    from IPython import get_ipython

    st = _STATE
    get_ipython().reset(new_session=True)
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    sys.stdout, sys.stderr, sys.displayhook, sys.excepthook = st["streams"]
    problems = _k_unload(st)
    _k_restore_process(st)
    problems += _k_restore_libraries(st)
    problems += _k_threads_left(st)
    return "; ".join(problems)


def _k_unload(st: dict[str, Any]) -> list[str]:
    """Unload what the notebook imported that is not an installed library; check kamnb's own modules are unchanged."""
    import sys

    problems = []
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
    return problems


def _k_restore_process(st: dict[str, Any]) -> None:
    """Working directory, environment, import path, random generator, warnings filters and locale as after start-up."""
    import locale
    import os
    import random
    import sys
    import time
    import warnings

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


def _k_restore_libraries(st: dict[str, Any]) -> list[str]:
    """matplotlib's rcParams, numpy's random state and error and print settings, pandas options as after start-up."""
    import sys
    import warnings

    problems = []
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
    return problems


def _k_threads_left(st: dict[str, Any]) -> list[str]:
    """Threads the notebook started and left running (the kernel's own machinery, started lazily, is noted and allowed)."""
    import threading

    left = []
    for thread in threading.enumerate():
        if thread.ident in st["threads"] or not thread.is_alive():
            continue
        if type(thread).__module__.split(".")[0] in ("zmq", "ipykernel", "IPython", "jupyter_client", "tornado"):
            st["threads"].add(thread.ident)
            continue
        left.append(thread.name)
    left.sort()
    return [f"the notebook left a thread running ({', '.join(left)})"] if left else []


_SOURCE: list[str] = []
def kernel_source() -> str:
    """The kernel side's source, gathered once per process.

    Once, and under the worker's one parsing lock (:data:`kamnb.batch.papermill_engine.PARSE_LOCK`):
    ``inspect.getsource`` of a class parses its whole module, and CPython 3.11 can fail two parses at
    once in two threads (a Dask worker starts two kernels at once, and another thread may be reading
    a notebook's imports): "AST constructor recursion depth mismatch".
    """
    from kamnb.batch.papermill_engine import PARSE_LOCK

    with PARSE_LOCK:
        if not _SOURCE:
            _SOURCE.append(_gather_source())
        return _SOURCE[0]


def _gather_source() -> str:
    from kamnb.batch.kernel_cells import _k_cannot_run_at_once, _k_on_output_thread, _k_one_cell, _k_run_cells, _KCellTimedOut
    from kamnb.batch.kernel_tuning import _k_flush_when_written

    parts = ["from __future__ import annotations", "_STATE = {}", f"_STATEFUL = {_STATEFUL!r}"]
    for fn in (_k_fingerprint, _k_pandas_options, _k_snapshot, _k_setup, _k_reset, _k_unload, _k_restore_process,
               _k_restore_libraries, _k_threads_left, _k_flush_when_written, _KCellTimedOut, _k_cannot_run_at_once,
               _k_on_output_thread, _k_one_cell, _k_run_cells):
        parts.append(inspect.getsource(fn))
    return "\n\n".join(parts)


def install_code(preload: list[str], roots: list[str]) -> str:
    source = kernel_source()
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
