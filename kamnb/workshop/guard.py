"""Who may talk to the workshop server, and where it is: the key, the Host and Origin checks, the state file, the room's address.

The server keeps its port and keys across restarts in ``workshop.json`` beside
the workbook, so an open tab reconnects to the same address. ``Host`` must be
this machine's address (an IP literal, ``localhost`` or the ``--host`` name)
with the right port, and an ``Origin``, when sent, must be the page's own.

Example:
    >>> allowed_host("127.0.0.1:8866", 8866, {"127.0.0.1"}), same_origin("http://evil.example", "127.0.0.1:8866")
    (True, False)
"""
from __future__ import annotations

import ipaddress
import json
import logging
import os
import secrets
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LOG = logging.getLogger("kamnb.workshop.session")


def state_path(workbook: Path) -> Path:
    """Where the server keeps its port and keys: ``workshop.json`` in a workbook folder, ``BOOK.workshop.json`` beside an .xlsx.

    >>> state_path(Path("data/sample")).as_posix(), state_path(Path("book.xlsx")).as_posix()
    ('data/sample/workshop.json', 'book.workshop.json')
    """
    return workbook / "workshop.json" if workbook.suffix.lower() != ".xlsx" else workbook.with_suffix(".workshop.json")


def load_state(workbook: Path) -> dict[str, Any]:
    """The port and keys of the last run (new keys when there was none), so an open tab reconnects after a restart."""
    path = state_path(workbook)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(state, dict):
            state = {}
    except (OSError, ValueError):
        state = {}
    for name in ("key", "rater_key"):
        if not isinstance(state.get(name), str) or len(state[name]) < 16:
            state[name] = secrets.token_urlsafe(18)
    return state


def save_state(workbook: Path, state: dict[str, Any]) -> None:
    """Write the state file whole (a temporary file renamed over it), readable by its owner only."""
    path = state_path(workbook)
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f)
        os.replace(tmp, path)
    except OSError as err:  # a read-only folder: the workshop runs, the next start picks a new port
        LOG.warning("could not keep the workshop's port and key in %s: %s", path, err)


def port_free(host: str, port: int) -> bool:
    """True when ``port`` can be bound on ``host`` now.

    >>> port_free("127.0.0.1", 0)
    True
    """
    with socket.socket() as s:
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
        except OSError:
            return False
    return True


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def allowed_host(header: str | None, port: int, names: set[str]) -> bool:
    """A ``Host`` header this server answers: an IP literal, ``localhost`` or one of ``names``, with our port.

    IP literals cannot be rebound by a foreign DNS name; any other name is refused.

    >>> allowed_host("localhost:80", 8866, set()), allowed_host("[::1]:8866", 8866, set()), allowed_host("room-pc:8866", 8866, {"room-pc"})
    (False, True, True)
    """
    if not header:
        return False
    try:
        parts = urlsplit("//" + header)
        host, got = (parts.hostname or ""), parts.port
    except ValueError:
        return False
    if got != port:
        return False
    return host == "localhost" or _is_ip(host) or host.lower() in {n.lower() for n in names}


def same_origin(origin: str | None, host: str | None) -> bool:
    """An ``Origin`` that is this page's own (``http://`` + the Host header); no Origin (not a browser page) passes.

    >>> same_origin("http://127.0.0.1:8866", "127.0.0.1:8866"), same_origin("http://evil.example", "127.0.0.1:8866"), same_origin(None, "x")
    (True, False, True)
    """
    if origin is None:
        return True
    return bool(host) and origin.lower() in (f"http://{host}".lower(), f"https://{host}".lower())


def room_address(host: str) -> str:
    """The address to print for ``host``: this machine's network address when serving every interface.

    >>> room_address("127.0.0.1")
    '127.0.0.1'
    """
    if host not in ("0.0.0.0", "::", ""):
        return host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent; this picks the interface a room would reach
            return str(s.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as inline SVG (for the projector: raters point their phone at it).

    >>> qr_svg("http://127.0.0.1:1/rate").startswith("<svg")
    True
    """
    import segno

    svg = segno.make(text, error="m").svg_inline(scale=4, border=2, dark="#111", light="#fff")
    return str(svg)
