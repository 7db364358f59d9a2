"""A notebook's cells run in a warm kernel in one request, and handed to nbclient cell by cell.

nbclient sends every cell to the kernel as its own request and reads some five
messages back for each (busy, the input, the outputs, idle, the reply): about
7 ms of two processes' time per cell beyond the cell's own code, some sixty
cells per account. In a warm kernel the batch asks once per notebook instead:

1. the kernel runs the notebook's code cells one after another in its own
   shell (:func:`_k_run_cells`), exactly as a request per cell would: same
   execution counts, same pre- and post-execute hooks (matplotlib's inline
   figures), same formatters. What a cell would have sent -- its stream text,
   displays, result, error, a display update or a clear -- is caught by
   ipykernel's own message hooks just before it would leave, and kept with
   the time it was made; it stops at the first error, as nbclient does, unless
   the cell allows errors (``raises-exception``), and gives up on a cell that
   runs longer than the timeout (a timer in the kernel);
2. all of it comes back in one message;
3. nbclient then runs as always, cell after cell, papermill's bookkeeping
   around it, but its kernel client (:class:`OneRequestClient`) answers each
   cell's request with that cell's kept messages. nbclient builds the outputs,
   the timings, the error and the timeout exactly as from a live kernel.

So the executed notebook is the one a request per cell gives (the tests
compare both), and a review reads the same. A kernel that dies during the run
raises nbclient's ``DeadKernelError``; a cell stuck where the kernel's timer
cannot reach it (inside C code) is interrupted when the notebook's whole time
is up and raises ``CellTimeoutError``. A notebook with top-level ``await``
(it needs the kernel's own event loop) runs a request per cell. Fresh kernels
(``--isolation fresh``) always do: that mode stays papermill's own.
"""
from __future__ import annotations

import asyncio
import queue
import time
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kamnb.batch.engine import WarmKernel

MIME = "application/vnd.kamnb.cells+json"
"""The type of the one message that brings a notebook's cells back from the kernel."""

CHECKED_IPYKERNEL_HOOKS = ("7.4",)
"""ipykernel versions whose message hooks (``register_hook`` of the display publisher, display hook and
streams) and ``_showtraceback`` :func:`_k_run_cells` was checked against."""


# --------------------------------------------------------------------------- in the kernel

# Run INSIDE the kernel (sent over with the reset's functions, see kamnb.batch.kernel_reset).
class _KCellTimedOut(BaseException):
    """A cell ran past the timeout: raised by the kernel's timer (a BaseException, so a cell's ``except Exception`` lets it through)."""


def _k_cannot_run_at_once(shell: Any, cells: list[dict[str, Any]], streams: tuple[Any, ...]) -> str:
    """Why these cells must run a request each ('' when they can run in one)."""
    pub, hook = shell.display_pub, shell.displayhook
    if not (all(hasattr(x, "register_hook") for x in (pub, hook, *streams)) and hasattr(streams[0], "pub_thread")):
        return "this ipykernel has no message hooks"
    for cell in cells:
        try:
            waits = shell.should_run_async(cell["source"], transformed_cell=shell.transform_cell(cell["source"]),
                                           preprocessing_exc_tuple=None)
        except Exception:
            waits = False  # the cell fails to compile: it fails when run, as with a request of its own
        if waits:
            return "a cell uses top-level await"
    return ""


def _k_on_output_thread(stream: Any, fn: Any) -> None:
    """Run ``fn`` on the kernel's output thread and wait: the streams keep their hooks per thread and send from that one."""
    import threading

    ready = threading.Event()

    def run() -> None:
        try:
            fn()
        finally:
            ready.set()

    stream.pub_thread.schedule(run)
    ready.wait(10)


def _k_one_cell(shell: Any, cell: dict[str, Any], messages: list[Any], timer: bool, timeout: float | None) -> dict[str, Any]:
    """Run one cell as its own request would; what it would have sent goes into ``messages``; its entry for the client."""
    import signal
    import sys
    from datetime import datetime, timezone

    count, started = shell.execution_count, datetime.now(timezone.utc).isoformat()
    messages += [["status", {"execution_state": "busy"}, started],
                 ["execute_input", {"code": cell["source"], "execution_count": count}, started]]
    error: BaseException | None = None
    try:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, float(timeout or 0))
        result = shell.run_cell(cell["source"], store_history=True)
        error = result.error_before_exec or result.error_in_exec
    except _KCellTimedOut as err:  # raised outside the cell's own code
        error = err
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    entry: dict[str, Any] = {"messages": messages, "ended": datetime.now(timezone.utc).isoformat()}
    if isinstance(error, _KCellTimedOut):
        entry["timed_out"] = True
        if messages and messages[-1][0] == "error":
            messages.pop()  # the timer's own traceback: nbclient shows none for a timeout
        return entry
    messages.append(["status", {"execution_state": "idle"}, entry["ended"]])
    entry["reply"] = {"status": "ok", "execution_count": count}
    if error is not None:
        errors = [m[1] for m in messages if m[0] == "error"]
        entry["reply"] = {"status": "error", "execution_count": count,
                          **(errors[-1] if errors else {"ename": type(error).__name__, "evalue": str(error), "traceback": []})}
    return entry


def _k_run_cells(cells: list[dict[str, Any]], timeout: float | None, mime: str) -> None:
    """Run ``cells`` ({"source", "allow_error"}) in this kernel's shell; publish what each would have sent, in one message."""
    import signal
    import sys
    import threading
    from datetime import datetime, timezone

    from IPython import get_ipython

    shell = get_ipython()
    pub, hook = shell.display_pub, shell.displayhook
    streams: tuple[Any, ...] = (sys.stdout, sys.stderr)  # ipykernel's output streams

    def send(payload: dict[str, Any]) -> None:
        pub.session.send(pub.pub_socket, "display_data", {"data": {mime: payload}, "metadata": {}, "transient": {}},
                         parent=pub.parent_header, ident=pub.topic)

    reason = _k_cannot_run_at_once(shell, cells, streams)
    if reason:
        return send({"fallback": reason})
    box: list[list[Any]] = [[]]

    def keep(msg: dict[str, Any]) -> None:
        box[0].append([msg["header"]["msg_type"], msg["content"], datetime.now(timezone.utc).isoformat()])
        return None  # kept, not sent

    def traceback(etype: Any, evalue: Any, stb: list[str]) -> None:  # ipykernel's, without the send
        for stream in streams:
            stream.flush()
        box[0].append(["error", {"traceback": stb, "ename": str(etype.__name__), "evalue": str(evalue)},
                       datetime.now(timezone.utc).isoformat()])
        shell._last_traceback = stb

    def alarm(signum: int, frame: Any) -> None:
        raise _KCellTimedOut()

    timer = bool(timeout) and threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGALRM, alarm) if timer else None
    pub.register_hook(keep)
    hook.register_hook(keep)
    _k_on_output_thread(streams[0], lambda: [stream.register_hook(keep) for stream in streams])
    shell._showtraceback = traceback
    done: list[dict[str, Any]] = []
    try:
        for cell in cells:
            box[0] = []
            entry = _k_one_cell(shell, cell, box[0], timer, timeout)
            done.append(entry)
            if entry.get("timed_out") or (entry["reply"]["status"] == "error" and not cell["allow_error"]):
                break
    finally:
        pub.unregister_hook(keep)
        hook.unregister_hook(keep)
        _k_on_output_thread(streams[0], lambda: [stream.unregister_hook(keep) for stream in streams])
        del shell._showtraceback
        if timer:
            signal.signal(signal.SIGALRM, previous)
    send({"cells": done})


# --------------------------------------------------------------------------- in the batch worker


async def run_in_one_request(kernel: WarmKernel, cells: list[dict[str, Any]], timeout: float | None) -> dict[str, Any]:
    """Have the warm kernel run ``cells`` (see :func:`_k_run_cells`); what it sent back.

    Raises nbclient's ``DeadKernelError`` when the kernel dies on the way and
    its ``CellTimeoutError`` when the whole notebook's time (the per-cell
    timeout times the cells, plus a minute) is up; the kernel is interrupted then.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    kc = kernel.kc
    msg_id = kc.execute(f"__import__('_kamnb_warm')._k_run_cells({cells!r}, {timeout!r}, {MIME!r})",
                        store_history=False, allow_stdin=False)
    deadline = time.monotonic() + timeout * len(cells) + 60 if timeout else None
    bundle: dict[str, Any] | None = None
    problem = "no answer"
    while True:
        try:
            msg = await kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            if not await kernel.km.is_alive():
                raise DeadKernelError("Kernel died") from None
            if deadline is not None and time.monotonic() > deadline:
                await kernel.km.interrupt_kernel()
                raise CellTimeoutError(f"A cell timed out while it was being executed, after {timeout} seconds.") from None
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "display_data" and MIME in content.get("data", {}):
            bundle = content["data"][MIME]
        elif kind == "error":
            problem = f"{content.get('ename')}: {content.get('evalue')}"
        elif kind == "status" and content.get("execution_state") == "idle":
            break
    while True:  # the request's own reply, so it is not left for the next reader of the channel
        reply = await kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    if bundle is None:
        raise RuntimeError(f"the review kernel could not run the notebook's cells: {problem}")
    return bundle


def _message(kind: str, content: dict[str, Any], date: str, parent: str) -> dict[str, Any]:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": kind, "date": datetime.fromisoformat(date)}
    return {"header": header, "msg_id": header["msg_id"], "msg_type": kind, "parent_header": {"msg_id": parent},
            "metadata": {}, "content": content, "buffers": []}


class _Channel:
    """One channel as nbclient reads it: a cell's kept messages first, otherwise the kernel's own channel."""

    def __init__(self, real: Any, shell: bool):
        self.real, self.shell = real, shell
        self.kept: list[dict[str, Any]] = []
        self.silent = False  # a cell that timed out: no reply will come
        self._told = False

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        if self.kept:
            return self.kept.pop(0)
        if self.silent:
            if self._told:  # asked again after the timeout was reported: say it once more, never wait
                from nbclient.exceptions import CellTimeoutError

                raise CellTimeoutError("Cell execution timed out")
            self._told = True
            raise queue.Empty
        if not self.shell:
            await asyncio.Event().wait()  # a timed-out cell's outputs end without "idle": nbclient cancels this wait
        return await self.real.get_msg(timeout=timeout)


class OneRequestClient:
    """The kernel client nbclient is given in a warm kernel: its cells answered from one request.

    nbclient calls :meth:`execute` for each cell it runs; the first call has
    the kernel run all the cells nbclient will ask for (:func:`run_in_one_request`),
    every call then queues that cell's messages on :attr:`iopub_channel` and
    :attr:`shell_channel`. Everything else (``kernel_info``, ``is_alive`` ...)
    goes to the real client.
    """

    def __init__(self, kernel: WarmKernel, client: Any, timeout: float | None):
        self._kernel, self._real, self._timeout = kernel, kernel.kc, timeout
        self._client = client  # the nbclient client: its notebook says which cells it will run
        self._answers: list[dict[str, Any]] | None = None
        self._direct = False
        self.iopub_channel = _Channel(self._real.iopub_channel, shell=False)
        self.shell_channel = _Channel(self._real.shell_channel, shell=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def _cells(self) -> list[dict[str, Any]]:
        """The cells nbclient will run, with whether each may raise (nbclient's own rules)."""
        c = self._client
        return [{"source": cell.source,
                 "allow_error": (not c.force_raise_errors) and (c.allow_errors or "raises-exception" in cell.metadata.get("tags", []))}
                for cell in c.nb.cells
                if cell.cell_type == "code" and cell.source.strip() and c.skip_cells_with_tag not in cell.metadata.get("tags", [])]

    async def execute(self, code: str, **kwargs: Any) -> str:
        if self._answers is None and not self._direct:
            bundle = await run_in_one_request(self._kernel, self._cells(), self._timeout)
            self._direct = "fallback" in bundle
            self._answers = list(bundle.get("cells", []))
        if self._direct:
            self.iopub_channel, self.shell_channel = self._real.iopub_channel, self._real.shell_channel
            return self._real.execute(code, **kwargs)
        assert self._answers is not None
        if not self._answers:  # nbclient asks for a cell the kernel did not run: the run stopped before it
            raise RuntimeError("the review kernel stopped before this cell")
        answer = self._answers.pop(0)
        parent = uuid.uuid4().hex
        self.iopub_channel.kept = [_message(kind, content, date, parent) for kind, content, date in answer["messages"]]
        self.shell_channel.silent, self.shell_channel._told = bool(answer.get("timed_out")), False
        self.shell_channel.kept = [] if self.shell_channel.silent else [_message("execute_reply", answer["reply"], answer["ended"], parent)]
        return parent
