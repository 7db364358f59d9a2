"""Progress of a batch run: a one-line bar on a terminal, plain log lines otherwise.

On a terminal the bar is redrawn in place (``\\r``): done, failed, accounts
per second and the time left. When the output is a file or a pipe each
finished account gets one line instead, so logs stay readable. ``quiet``
prints nothing.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> p = Progress(2, stream=out, tty=False, clock=iter([0.0, 2.0]).__next__)
    >>> p.update("ACC-001", ok=True, seconds=0.8)
    >>> p.update("ACC-002", ok=False, seconds=0.5, error="ValueError: bad")
    >>> p.close()
    >>> print(out.getvalue().strip())
    [1/2] ok      ACC-001 (0.8 s)
    [2/2] FAILED  ACC-002 (0.5 s): ValueError: bad
    2 accounts in 2.0 s: 1 done, 1 failed
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """Counts finished accounts and shows it; see the module docstring.

    Example:
        >>> import io
        >>> p = Progress(3, stream=io.StringIO(), quiet=True)
        >>> p.total
        3
    """

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        quiet: bool = False,
        tty: bool | None = None,
        width: int = 28,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty() if tty is None else tty
        self.width = width
        self.clock = clock
        self.done = 0
        self.failed = 0
        self.start = clock()
        self._shown = False

    @property
    def finished(self) -> int:
        return self.done + self.failed

    def note(self, message: str) -> None:
        """A line of its own (a warning, 'stopping...'), not lost under the bar."""
        if self.quiet:
            return
        if self.tty and self._shown:
            self.stream.write("\r\x1b[2K")
        self.stream.write(message + "\n")
        self.stream.flush()
        if self.tty and self._shown:
            self._draw()

    def update(self, account: str, *, ok: bool, seconds: float = 0.0, error: str = "") -> None:
        """Record one finished account."""
        if ok:
            self.done += 1
        else:
            self.failed += 1
        if self.quiet:
            return
        if self.tty:
            if not ok:
                self.note(f"FAILED {account}: {error}")
            self._draw()
        else:
            status = "ok     " if ok else "FAILED "
            tail = f": {error}" if error and not ok else ""
            self.stream.write(f"[{self.finished}/{self.total}] {status} {account} ({seconds:.1f} s){tail}\n")
            self.stream.flush()

    def _draw(self) -> None:
        elapsed = self.clock() - self.start
        n = self.finished
        rate = n / elapsed if elapsed > 0 else 0.0
        left = (self.total - n) / rate if rate > 0 else 0.0
        filled = int(self.width * n / self.total) if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {n}/{self.total}  done {self.done}  failed {self.failed}  {rate:.1f}/s  {_duration(left)} left"
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the bar and print a one-line summary."""
        if self.quiet:
            return
        if self.tty and self._shown:
            self.stream.write("\n")
        elapsed = self.clock() - self.start
        self.stream.write(f"{self.finished} accounts in {elapsed:.1f} s: {self.done} done, {self.failed} failed\n")
        self.stream.flush()
