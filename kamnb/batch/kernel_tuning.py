"""What a warm review kernel spends per cell, and the two waits it skips.

A review runs some sixty cells per account, so what ipykernel does around each
cell counts. Two of its waits do nothing for a review:

- after every cell it sleeps half a millisecond (``Kernel._execute_sleep``,
  a workaround for output that arrived after the reply on some clients);
  nbclient waits for the kernel's "idle" message on the output channel, which
  comes after every output of the cell, so nothing is lost without it;
- before every reply and every display it flushes stdout and stderr and
  waits for the output thread to confirm, even when the cell printed nothing.
  A warm kernel lets such a flush return at once when nothing was written
  since the last one; text that was printed is flushed and waited for as
  before, so printed lines keep their place before the displays after them.

Both apply to warm kernels only: ``--isolation fresh`` runs ipykernel as
papermill would, untouched. ``benchmarks/bench_batch.py`` measures the effect
(about 2 ms of the 7 ms a cell costs beyond its own code).
"""
from __future__ import annotations

CHECKED_IPYKERNEL = ("7.4",)
"""ipykernel versions whose output stream (``OutStream.flush``, ``_flush_pending``) :func:`_k_flush_when_written` was checked against."""

WARM_ARGUMENTS = ("--IPythonKernel._execute_sleep=0",)
"""Kernel options of warm kernels only, added to ``kamnb.batch.engine.KERNEL_ARGUMENTS``."""


# Runs INSIDE the kernel (sent over with the reset's functions, see kamnb.batch.kernel_reset).
def _k_flush_when_written() -> bool:
    """Make a kernel stream's flush return at once when nothing was written since the last one; True when done."""
    try:
        from ipykernel.iostream import OutStream
    except ImportError:
        return False
    original = OutStream.flush
    if getattr(original, "_kamnb_when_written", False):
        return True

    def flush(self):  # type: ignore[no-untyped-def]
        if not (getattr(self, "_flush_pending", True) or getattr(self, "_subprocess_flush_pending", True)):
            return None  # nothing buffered: the flush would send nothing and only wait for the output thread
        return original(self)

    flush._kamnb_when_written = True  # type: ignore[attr-defined]
    OutStream.flush = flush  # type: ignore[method-assign]
    return True
