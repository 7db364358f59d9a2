"""Output that cannot cost a command its result: a closed pipe (``| head``) stops the printing, not the work.

Python ignores SIGPIPE, so writing to a pipe whose reader has gone raises
:class:`BrokenPipeError`. kamnb's commands write through :class:`PipeSafe`
instead: the first failed write points the stream's file descriptor at
``/dev/null`` (processes started later inherit that), every later write is
dropped, and the command finishes its work and returns its true exit code:
``kamnb validate bad | head -1`` still exits 1, ``kamnb batch … 2>&1 | head -2``
still writes every review and the index.

Example:
    >>> import io
    >>> class Gone(io.StringIO):
    ...     def write(self, text): raise BrokenPipeError(32, "Broken pipe")
    >>> out = PipeSafe(Gone())
    >>> out.write("lost"), out.broken
    (4, True)
"""
from __future__ import annotations

import errno
import io
import os
import sys
from typing import Any, TextIO


class PipeSafe(io.TextIOBase):
    """A text stream that turns a closed pipe into silence; see the module docstring."""

    def __init__(self, stream: TextIO):
        self._stream = stream
        self.broken = False

    def _gone(self) -> None:
        self.broken = True
        try:
            fd = self._stream.fileno()
        except (OSError, ValueError, io.UnsupportedOperation):
            return
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)  # later writes, the interpreter's last flush and child processes go nowhere
            os.close(null)
        except OSError:
            pass

    def write(self, text: str) -> int:  # type: ignore[override]
        if not self.broken:
            try:
                self._stream.write(text)
            except OSError as err:
                if not isinstance(err, BrokenPipeError) and err.errno not in (errno.EPIPE, errno.EINVAL):
                    raise
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except OSError as err:
                if not isinstance(err, BrokenPipeError) and err.errno not in (errno.EPIPE, errno.EINVAL):
                    raise
                self._gone()

    def isatty(self) -> bool:
        return not self.broken and self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", None) or "utf-8"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_standard_streams() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` in :class:`PipeSafe` (once).

    Example:
        >>> guard_standard_streams()
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, PipeSafe):
            setattr(sys, name, PipeSafe(stream))
