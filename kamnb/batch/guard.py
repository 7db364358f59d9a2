"""A batch worker stops when the batch that started it is gone, and says which account it is running.

When the main ``kamnb batch`` process dies without a word (``kill -9``, a
crashed terminal), its worker processes would go on running kernels and
writing reviews nobody asked for. Each local worker therefore

* asks Linux to send it SIGTERM the moment its parent dies
  (``PR_SET_PDEATHSIG``), and
* watches its parent from a small thread (every half second, on any system),

and on either sign kills its kernels and exits within a second or two.
Reviews are written through temporary files and renamed when complete, so
a worker stopped this way leaves no half-written review; its temporary files
are removed by the next run.

Each worker also records the account it is running in a small file named by
its process id (:func:`mark`), so that when a worker is killed (the
out-of-memory killer) the batch knows which account it took down and fails
only that one.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> start(str(folder), watch=False)
    >>> mark("ACC-001"); running(folder)[os.getpid()]
    'ACC-001'
    >>> mark(None); running(folder)
    {}
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

POLL_SECONDS = 0.5
_STATE: dict[str, str] = {}


def _set_parent_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _watch(parent: int, stop: Callable[[], None]) -> None:
    while True:
        time.sleep(POLL_SECONDS)
        if os.getppid() != parent:
            stop()
            return


def start(markers: str, stop: Callable[[], None] | None = None, *, watch: bool = True) -> None:
    """Set a worker up: remember where to mark its account; watch its parent and call ``stop`` when it is gone."""
    _STATE["markers"] = markers
    if not watch:
        return
    _set_parent_death_signal()
    parent = os.getppid()
    if parent <= 1:  # already orphaned before the watch began
        (stop or _exit)()
    threading.Thread(target=_watch, args=(parent, stop or _exit), name="kamnb-parent-watch", daemon=True).start()


def _exit() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def mark(account_id: str | None) -> None:
    """Record (or, with ``None``, clear) the account this worker process is running."""
    folder = _STATE.get("markers")
    if not folder:
        return
    path = Path(folder) / str(os.getpid())
    try:
        if account_id is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(account_id, encoding="utf-8")
    except OSError:  # a full disk must not fail the account over a bookkeeping file
        pass


def running(folder: Path | str) -> dict[int, str]:
    """The accounts the workers are running, by worker process id (from their marks)."""
    out: dict[int, str] = {}
    for path in Path(folder).iterdir() if Path(folder).is_dir() else []:
        if path.name.isdigit():
            try:
                out[int(path.name)] = path.read_text(encoding="utf-8")
            except OSError:
                continue
    return out
