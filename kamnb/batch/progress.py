"""Progress of a batch run: tqdm's bar on a terminal, plain log lines otherwise.

From the first second the run says what it is doing: reading the workbook,
how many accounts are queued, kernels starting, then one bar (tqdm, fitted
to the terminal's width and redrawn when the window is resized: it never
wraps into broken lines) with done/total, elapsed and remaining time and the
failures so far. A failed account, a warning or "waiting for a Dask worker"
is a line of its own above the bar. When the output is a file or a pipe,
every stage and every finished account is one line, so logs stay readable.
``quiet`` prints nothing.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> p = Progress(2, stream=out, tty=False, clock=iter([0.0, 2.0]).__next__)
    >>> p.stage("2 accounts queued; starting 2 kernels", label="starting")
    >>> p.update("ACC-001", ok=True, seconds=0.8)
    >>> p.update("ACC-002", ok=False, seconds=0.5, error="ValueError: bad")
    >>> p.close()
    >>> print(out.getvalue().strip())
    2 accounts queued; starting 2 kernels
    [1/2] ok      ACC-001 (0.8 s)
    [2/2] FAILED  ACC-002 (0.5 s): ValueError: bad
    2 accounts in 2.0 s: 1 done, 1 failed
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

BAR_FORMAT = "{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]{postfix}"
"""The bar's layout: stage, percent, bar, done/total, elapsed<remaining, failures (tqdm's format fields)."""


class Progress:
    """Counts finished accounts and shows it; see the module docstring.

    ``columns`` fixes the bar's width (default: the terminal's, followed when
    it changes).

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
        columns: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        try:
            self.tty = self.stream.isatty() if tty is None else tty
        except (AttributeError, ValueError):
            self.tty = False
        self.clock = clock
        self.done = 0
        self.failed = 0
        self.start = clock()
        self._bar: Any = None
        self._desc = "queued"
        if self.tty and not quiet:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, file=self.stream, desc=self._desc, unit="account", bar_format=BAR_FORMAT,
                dynamic_ncols=columns is None, ncols=columns, mininterval=0.25, smoothing=0.1, leave=True,
            )

    @property
    def finished(self) -> int:
        """Accounts finished so far, done or failed."""
        return self.done + self.failed

    def note(self, message: str) -> None:
        """A line of its own (a failure, a warning, 'stopping...'), above the bar and not lost under it."""
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.write(message, file=self.stream)
        else:
            self.stream.write(message + "\n")
            self.stream.flush()

    def stage(self, text: str, label: str = "") -> None:
        """What the run is doing now: a line of its own; ``label`` (one word: 'starting') becomes the bar's label."""
        if label:
            self._desc = label
            if self._bar is not None:
                self._bar.set_description_str(label, refresh=False)
        self.note(text)

    def tick(self) -> None:
        """Redraw the bar (elapsed time moves on while nothing finishes); nothing in a log."""
        if self._bar is not None:
            self._bar.refresh()

    def update(self, account: str, *, ok: bool, seconds: float = 0.0, error: str = "") -> None:
        """Record one finished account."""
        if ok:
            self.done += 1
        else:
            self.failed += 1
        if self.quiet:
            return
        if self._bar is not None:
            if not ok:
                self.note(f"FAILED {account}: {error}")
            if self._desc != "reviewing":
                self._desc = "reviewing"
                self._bar.set_description_str("reviewing", refresh=False)
            if self.failed:
                self._bar.set_postfix_str(f"{self.failed} failed", refresh=False)
            self._bar.update(1)
        else:
            status = "ok     " if ok else "FAILED "
            tail = f": {error}" if error and not ok else ""
            self.stream.write(f"[{self.finished}/{self.total}] {status} {account} ({seconds:.1f} s){tail}\n")
            self.stream.flush()

    def close(self) -> None:
        """End the bar and print a one-line summary."""
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elapsed = self.clock() - self.start
        self.stream.write(f"{self.finished} accounts in {elapsed:.1f} s: {self.done} done, {self.failed} failed\n")
        self.stream.flush()
