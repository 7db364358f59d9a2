"""One batch at a time per output folder: a lock on ``DIR/.kamnb-batch.lock`` for as long as a run writes there.

Two runs into the same ``--out`` would overwrite each other's reviews and
leave a manifest that lists only one of them. The lock is an advisory
``flock`` held by the running process: the operating system releases it when
that process ends, however it ends (even ``kill -9``), so a stale lock file
never blocks the next run. The file names who holds it.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with OutputLock(folder):
    ...     try:
    ...         OutputLock(folder).acquire()
    ...     except OutputBusy as err:
    ...         print(str(err).split(";")[0][:33])
    another kamnb batch is writing in
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from kamnb.errors import OutputBusy

LOCK_NAME = ".kamnb-batch.lock"


class OutputLock:
    """An exclusive, non-blocking lock on an output folder for the life of one run (a context manager)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> OutputLock:
        """Take the lock, or raise :class:`OutputBusy` naming the process that holds it."""
        try:
            import fcntl
        except ImportError:  # Windows: no flock; one run at a time is then the user's care
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise OutputBusy(
                f"another kamnb batch is writing in {self.folder} ({holder}); wait for it to finish, or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, started {dt.datetime.now().astimezone().isoformat(timespec='seconds')}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Let go of the lock (the file stays; it is only a place to lock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()
