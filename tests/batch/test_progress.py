"""Batch progress as a person sees it: in a real pseudo-terminal of 50 and 120 columns, and in a log."""
from __future__ import annotations

import fcntl
import io
import os
import re
import struct
import subprocess
import sys
import termios
import time

import pytest

from kamnb.batch.progress import Progress

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CHILD = r"""
import sys, time
from kamnb.batch.progress import Progress
p = Progress(6, stream=sys.stderr)
p.stage("6 accounts queued; starting 2 kernels", label="starting")
time.sleep(1.2)
for i in range(6):
    p.update(f"ACC-00{i}", ok=i != 3, seconds=0.1, error="ValueError: a message long enough to be wider than any narrow terminal window")
    time.sleep(0.15)
p.note("waiting for a Dask worker at tcp://10.0.0.5:8786: none connected for 30 s")
p.close()
"""


def _run_in_pty(columns: int) -> tuple[str, float]:
    """Run the child in a pseudo-terminal of ``columns``; return everything it drew and when it first drew."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks, first = [], None
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        if first is None:
            first = time.monotonic() - started
        chunks.append(data)
    child.wait(timeout=30)
    os.close(master)
    return b"".join(chunks).decode("utf-8", errors="replace"), first or 99.0


def _segments(text: str) -> list[str]:
    """What each carriage return or newline starts anew: no segment may be wider than the terminal."""
    return [ANSI.sub("", s) for s in re.split(r"[\r\n]", text) if ANSI.sub("", s).strip()]


@pytest.mark.parametrize("columns", [50, 120])
def test_bar_fits_the_terminal_and_speaks_from_the_first_second(columns: int) -> None:
    text, first = _run_in_pty(columns)
    assert first < 1.0 + 1.0  # python start-up plus the first stage line, long before any account finishes
    segments = _segments(text)
    bars = [s for s in segments if "|" in s and "/6" in s]
    assert bars, text
    too_wide = [s for s in segments if len(s) > columns and not s.startswith(("FAILED", "waiting"))]
    assert not too_wide, f"lines wider than {columns} columns break the bar: {too_wide}"
    assert any(len(b) >= columns - 2 for b in bars)  # the bar uses the width it has
    queued = segments.index("6 accounts queued; starting 2 kernels")
    assert queued < min(i for i, s in enumerate(segments) if "1/6" in s)
    assert any(s.startswith("starting") and "0/6" in s for s in segments)  # the bar says what it waits for
    assert any("6/6" in b and "1 failed" in b for b in bars) or any("6/6" in b for b in bars)
    assert any(s.startswith("FAILED ACC-003: ValueError") for s in segments)
    assert "waiting for a Dask worker at tcp://10.0.0.5:8786: none connected for 30 s" in segments
    assert segments[-1] == "6 accounts in " + segments[-1].split("accounts in ", 1)[1] and segments[-1].endswith("5 done, 1 failed")


def test_log_gets_one_line_per_stage_and_account() -> None:
    out = io.StringIO()
    p = Progress(2, stream=out, clock=iter([0.0, 3.0]).__next__)
    p.stage("2 accounts queued; starting 2 kernels")
    p.tick()  # nothing to redraw in a log
    p.update("ACC-001", ok=True, seconds=1.5)
    p.note("waiting for a Dask worker at tcp://h:8786: none connected for 30 s")
    p.update("ACC-002", ok=False, seconds=0.5, error="timeout: a cell ran longer than 4 s")
    p.close()
    assert out.getvalue().splitlines() == [
        "2 accounts queued; starting 2 kernels",
        "[1/2] ok      ACC-001 (1.5 s)",
        "waiting for a Dask worker at tcp://h:8786: none connected for 30 s",
        "[2/2] FAILED  ACC-002 (0.5 s): timeout: a cell ran longer than 4 s",
        "2 accounts in 3.0 s: 1 done, 1 failed",
    ]
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_quiet_prints_nothing() -> None:
    out = io.StringIO()
    p = Progress(1, stream=out, quiet=True)
    p.stage("starting")
    p.update("A", ok=False, error="x")
    p.note("n")
    p.close()
    assert out.getvalue() == "" and p.failed == 1
