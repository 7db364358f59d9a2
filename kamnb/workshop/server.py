"""``kamnb workshop``: the workshop served to the room, one process, every screen in step.

One :class:`~kamnb.workshop.session.WorkshopSession` per server holds the workbook and
its journal. Every screen (the projector, a second facilitator's laptop) and
every rater's phone talks to it over a websocket:

- a change is sent with the journal version the screen showed; the server
  checks it, commits it to the journal, and only then answers "saved";
- after every change, from this server or any other process writing the
  journal (checked twice a second), every screen gets the fresh tabs and the
  same summary for its account at once, without a click;
- a screen that loses the server shows a red banner, keeps unsent changes and
  sends them again when the server is back (it keeps its port and key across
  restarts, in ``workshop.json`` beside the workbook).

Security: the printed address carries a key (``?key=``); without it every
page and socket answers 403. ``Host`` must be this machine's address (an IP
literal, ``localhost`` or the ``--host`` name) with the right port, and an
``Origin``, when sent, must be the page's own: a web page elsewhere cannot
drive the workshop (DNS rebinding included). Raters get their own key, good
for the rating page only. Errors reach the room as one sentence; the details
go to the server log (the terminal running ``kamnb workshop``).

The parts: :mod:`kamnb.workshop.guard` (keys, hosts, the state file),
:mod:`kamnb.workshop.room` (the shared state and the changes),
:mod:`kamnb.workshop.handlers` (the pages and sockets); this module starts them.

Example:
    >>> allowed_host("127.0.0.1:8866", 8866, {"127.0.0.1"}), allowed_host("evil.example:8866", 8866, {"127.0.0.1"})
    (True, False)
"""
from __future__ import annotations

import logging
import socket
import sys
import traceback
import webbrowser
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kamnb.workshop.guard import allowed_host, load_state, port_free, qr_svg, room_address, same_origin, save_state, state_path
from kamnb.workshop.room import Room

__all__ = ["Room", "allowed_host", "load_state", "make_app", "port_free", "qr_svg", "room_address", "same_origin", "save_state", "serve", "state_path"]
LOG = logging.getLogger("kamnb.workshop.session")


def make_app(room: Room, names: set[str]) -> Any:
    """The tornado application (see :mod:`kamnb.workshop.handlers`; tornado is imported only when serving)."""
    from kamnb.workshop import handlers

    return handlers.make_app(room, names)


def choose_port(host: str, port: int | None, kept: Any) -> int | None:
    """The port to serve on: ``port`` when given and free, else the last run's when free, else any free one; None when ``port`` is taken."""
    if port is not None:
        return port if port_free(host, port) else None
    if isinstance(kept, int) and kept and port_free(host, kept):
        return kept
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _announce(room: Room, host: str, account: str | None) -> str:
    """Print the addresses (the key on its own line) and return the facilitator's address."""
    url = room.url + (f"&account={quote(account)}" if account else "")
    print("The workshop is open at:", flush=True)
    print(url, flush=True)
    print(f"Raters join at: {room.rate_url}", flush=True)
    where = "this computer only" if host in ("127.0.0.1", "localhost", "::1") else f"the network ({host}); the key in the address is required"
    print(f"Served to {where}. Every change is saved the moment it is made. Press Ctrl+C to stop.", flush=True)
    return url


def watch_journal(room: Room) -> None:
    """Bring in changes other processes wrote (a second server, JupyterLab) and push them to every screen."""
    try:
        if room.session.journal.last_seq() > room.session.seen:
            room.session.sync()
            room.changed()
    except Exception:
        LOG.error("reading the journal failed:\n%s", traceback.format_exc())


def serve(workbook: Path, *, host: str = "127.0.0.1", port: int | None = None, account: str | None = None, open_browser: bool = False, ready: Any = None) -> int:
    """Serve the workshop until stopped (Ctrl+C or SIGTERM); prints the address with its key on its own line."""
    import signal

    import tornado.httpserver
    import tornado.ioloop

    state = load_state(workbook)
    chosen = choose_port(host, port, state.get("port"))
    if chosen is None:
        print(f"kamnb workshop: port {port} is in use on {host}; choose another with --port", file=sys.stderr)
        return 1
    address = room_address(host)
    room = Room(workbook, port=chosen, address=address, key=state["key"], rater_key=state["rater_key"])
    save_state(workbook, {**state, "port": chosen})
    server = tornado.httpserver.HTTPServer(make_app(room, {address, socket.gethostname(), host}))
    server.listen(chosen, address=host)
    url = _announce(room, host, account)
    loop = tornado.ioloop.IOLoop.current()
    tornado.ioloop.PeriodicCallback(lambda: watch_journal(room), 500).start()

    def stop(signum: int, frame: Any) -> None:
        loop.add_callback_from_signal(loop.stop)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ids = [a for a, _ in room.accounts()]
    loop.add_callback(lambda: room.view(account if account in ids else ids[0]))  # warm while the browser connects
    if open_browser:
        loop.add_callback(lambda: webbrowser.open(url))
    if ready is not None:
        ready(room)
    try:
        loop.start()
    finally:
        server.stop()
    return 0
