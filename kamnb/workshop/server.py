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

Example:
    >>> allowed_host("127.0.0.1:8866", 8866, {"127.0.0.1"}), allowed_host("evil.example:8866", 8866, {"127.0.0.1"})
    (True, False)
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import os
import secrets
import socket
import sys
import time
import traceback
import webbrowser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from kamnb.common.tables import escape
from kamnb.paths import TEMPLATES

LOG = logging.getLogger("kamnb.workshop.session")
ASSETS = TEMPLATES / "workshop"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SORRY = "Something went wrong on the workshop server; nothing was lost, the details are in the server's log."


# --------------------------------------------------------------------------- keys, hosts, the state file


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


# --------------------------------------------------------------------------- the workshop state shared by every screen


class Room:
    """The session and every connected screen; turns messages into journal changes and broadcasts the result."""

    def __init__(self, workbook: Path, *, port: int, address: str, key: str, rater_key: str):
        from kamnb.workshop.session import WorkshopSession

        self.session = WorkshopSession(workbook, who="")
        self.workbook = self.session.path
        self.port, self.address, self.key, self.rater_key = port, address, key, rater_key
        self.screens: set[Any] = set()
        self.raters: set[Any] = set()
        self.poll: dict[str, Any] | None = None
        self._cache: dict[tuple[str, int, int], dict[str, str]] = {}
        self._tabs: dict[tuple[Any, ...], str] = {}
        self._poll_version = 0

    # -- addresses
    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.port}/?key={quote(self.key)}"

    @property
    def rate_url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.port}/rate?key={quote(self.rater_key)}"

    # -- what a screen shows
    def accounts(self) -> list[tuple[str, str]]:
        wb = self.session.wb
        return [(str(a), str(n)) for a, n in zip(wb.accounts.index, wb.accounts["name"], strict=False)]

    def view(self, account: str) -> dict[str, str]:
        """Tabs and summary of one account at the current journal version (rendered once for every screen)."""
        from kamnb.workshop import page
        from kamnb.workshop.panel import render
        from kamnb.workshop.summary import summary

        stamp = (account, self.session.seen, self._poll_version)
        hit = self._cache.get(stamp)
        if hit is not None:
            return hit
        data = summary(self.session, account)
        out = {"summary": render(data, str(self.session.wb.settings.get("currency", "EUR")))}
        for title, (build, sheets) in page.BUILDERS.items():  # a tab is drawn again only when a sheet it shows changed
            tab_stamp = (account, title, self.session.loads, *(self.session.sheet_version(sh) for sh in sheets))
            html_text = self._tabs.get(tab_stamp)
            if html_text is None:
                html_text = self._tabs[tab_stamp] = build(self.session, account)
            out[f"tab:{title}"] = html_text
        if len(self._tabs) > 256:
            self._tabs.clear()
        out["poll"] = page.poll_panel(self.poll, self.votes(), self.rate_url, qr_svg(self.rate_url)) if self.poll else ""
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[stamp] = out
        return out

    def steps(self, who: str) -> dict[str, str | None]:
        self.session.who = who
        return {"undo": self.session.next_step(), "redo": self.session.next_step(redo=True)}

    def state(self, account: str, who: str) -> dict[str, Any]:
        ids = [a for a, _ in self.accounts()]
        if account not in ids:
            account = ids[0]
        return {"t": "state", "version": self.session.seen, "account": account, **self.view(account), **self.steps(who)}

    def votes(self) -> dict[str, str]:
        return self.session.journal.votes(self.poll["id"]) if self.poll else {}

    # -- changes
    def handle(self, msg: dict[str, Any], who: str) -> tuple[bool, str, int | None]:
        """Apply one message from a facilitator's screen; returns (ok, sentence for the room, journal seq)."""
        from kamnb.errors import ChangeRefused

        s = self.session
        s.who = who
        kind = msg.get("t")
        sheet = str(msg.get("sheet", ""))
        from kamnb.workbook.schema import SHEETS

        if kind in ("change", "add", "remove") and sheet not in SHEETS:
            return False, "that part of the workbook does not exist; not saved", None
        raw_key: dict[str, Any] = msg["key"] if isinstance(msg.get("key"), dict) else {}
        key = {str(k): str(v) for k, v in raw_key.items()}
        base = msg.get("base") if isinstance(msg.get("base"), int) else None
        if kind == "change":
            column = str(msg.get("column", ""))
            if column not in SHEETS[sheet].column_names:
                return False, "that field does not exist; not saved", None
            label = s.label(sheet, key)
            ch, error = s.change(sheet, key, column, str(msg.get("value", "")), base=base)
            if error:
                return False, error, None
            if ch is None:
                return True, "No change: that value was already in force.", None
            return True, f"✔ Saved: {s.describe(ch)}" if label else "✔ Saved", ch.seq
        if kind == "add":
            raw: dict[str, Any] = msg["values"] if isinstance(msg.get("values"), dict) else {}
            values = {str(k): str(v) for k, v in raw.items() if str(k) in SHEETS[sheet].column_names}
            account = str(msg.get("account", ""))
            if sheet == "stakeholders":
                if not values.get("name", "").strip():
                    return False, "type the person's name first", None
                values.update({"account_id": account, "influence": values.get("influence") or "3", "support": values.get("support") or "3"})
            elif sheet == "actions":
                if not values.get("action", "").strip():
                    return False, "describe the action first", None
                values.update({"account_id": account, "status": "open"})
            else:
                return False, "rows can be added to people and actions only", None
            ch, error = s.add_row(sheet, values)
            if error or ch is None:
                return False, error or "not saved", None
            return True, f"✔ Saved: {s.describe(ch)}", ch.seq
        if kind == "remove":
            ch, error = s.remove_row(sheet, key, base=base)
            if error or ch is None:
                return False, error or "not saved", None
            return True, f"✔ Saved: {s.describe(ch)}", ch.seq
        if kind in ("undo", "redo"):
            step = s.next_step(redo=kind == "redo")
            try:
                ch = s.undo(redo=kind == "redo")
            except ChangeRefused as err:
                return False, str(err), None
            if ch is None:
                return True, f"Nothing of {who}'s to {kind}.", None
            return True, f"✔ {'Undone' if kind == 'undo' else 'Redone'}: {step}", ch.seq
        return False, "the screen sent something the server does not know; reload the page", None

    def poll_message(self, msg: dict[str, Any], who: str) -> tuple[bool, str]:
        """Open, reveal, record or close the vote in progress."""
        kind = msg.get("t")
        if kind == "poll":
            item: dict[str, Any] = msg["item"] if isinstance(msg.get("item"), dict) else {}
            from kamnb.workbook.schema import SHEETS

            if str(item.get("sheet")) not in SHEETS or str(item.get("column")) not in SHEETS[str(item.get("sheet"))].column_names:
                return False, "that item cannot be put to the vote"
            self.poll = {
                "id": f"{int(time.time() * 1000)}", "sheet": item["sheet"], "key": {str(k): str(v) for k, v in dict(item.get("key") or {}).items()},
                "column": item["column"], "scale": "answer" if item.get("scale") == "answer" else "score", "label": str(item.get("label", ""))[:300],
                "blind": bool(msg.get("blind")), "revealed": False, "account": str(msg.get("account", "")),
            }
            text = "hidden until you reveal them" if self.poll["blind"] else "shown as they arrive"
            return True, f"Vote open on {self.poll['label']}: votes are {text}."
        if self.poll is None:
            return False, "no vote is open"
        if kind == "reveal":
            self.poll["revealed"] = True
            return True, "Votes revealed."
        if kind == "close":
            self.poll = None
            return True, "Vote closed; every vote stays in the journal."
        if kind == "record":
            from kamnb.qualification.score import consensus

            value, _ = consensus(list(self.votes().values()), self.poll["scale"])
            if value is None:
                return False, "no votes to take a consensus of"
            text = f"{value:g}" if isinstance(value, float) else str(value)
            ok, sentence, _seq = self.handle({"t": "change", "sheet": self.poll["sheet"], "key": self.poll["key"], "column": self.poll["column"], "value": text}, who)
            return ok, sentence
        return False, "unknown vote action"

    def rater_view(self) -> dict[str, Any]:
        """What a rater's page shows: the item being voted on and its choices (no one else's vote)."""
        if not self.poll:
            return {"t": "poll", "poll": None}
        choices = ["yes", "partly", "no", "unknown"] if self.poll["scale"] == "answer" else ["1", "2", "3", "4", "5"]
        account = self.poll.get("account") or ""
        name = self.session.wb.accounts["name"].get(account, account)
        return {"t": "poll", "poll": {"id": self.poll["id"], "label": self.poll["label"], "account": str(name), "choices": choices}}

    def vote(self, msg: dict[str, Any]) -> tuple[bool, str]:
        who = str(msg.get("who", "")).strip()[:120]
        if not who:
            return False, "type your name first"
        if not self.poll or msg.get("poll") != self.poll["id"]:
            return False, "this vote has closed; look at the projector for the next one"
        value = str(msg.get("value", ""))
        allowed = ("yes", "partly", "no", "unknown") if self.poll["scale"] == "answer" else ("1", "2", "3", "4", "5")
        if value not in allowed:
            return False, "choose one of the buttons"
        self.session.journal.vote(self.poll["id"], self.poll["sheet"], self.poll["key"], self.poll["column"], value, who=who)
        self._poll_version += 1
        return True, f"✔ Your vote “{value}” is in, {who}. You can change it until the vote closes."

    # -- broadcasting
    def changed(self) -> None:
        self._poll_version += 1
        self.broadcast()

    def broadcast(self) -> None:
        for screen in list(self.screens):
            screen.push()
        for rater in list(self.raters):
            rater.push()


# --------------------------------------------------------------------------- HTTP


def make_app(room: Room, names: set[str]) -> Any:
    """The tornado application: the facilitator's page, the rating page, their sockets, the assets."""
    import tornado.web
    import tornado.websocket

    class Guard:
        """Host, Origin and key checks shared by every handler."""

        request: Any

        def guard(self, key: str | None, *, rater: bool = False) -> str | None:
            if not allowed_host(self.request.headers.get("Host"), room.port, names):
                return "This address is not the workshop's (wrong host name)."
            if not same_origin(self.request.headers.get("Origin"), self.request.headers.get("Host")):
                return "Requests from other sites are refused."
            wanted = [room.key, room.rater_key] if rater else [room.key]
            if not key or not any(hmac.compare_digest(key, w) for w in wanted):
                return "This workshop needs its key: open the address exactly as kamnb workshop printed it."
            return None

    class Base(Guard, tornado.web.RequestHandler):
        def set_default_headers(self) -> None:
            self.set_header("Content-Security-Policy", CSP)
            self.set_header("X-Content-Type-Options", "nosniff")
            self.set_header("Referrer-Policy", "no-referrer")
            self.set_header("Cache-Control", "no-store")

        def refuse(self, why: str) -> None:
            self.set_status(403)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(f"<!doctype html><meta charset='utf-8'><title>kamnb workshop</title><p>{escape(why)}</p>")

        def write_error(self, status_code: int, **kwargs: Any) -> None:
            if "exc_info" in kwargs:
                LOG.error("error answering %s:\n%s", self.request.path, "".join(traceback.format_exception(*kwargs["exc_info"])))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            message = SORRY if status_code >= 500 else "There is no such page in the workshop."
            self.finish(f"<!doctype html><meta charset='utf-8'><title>kamnb workshop</title><p>{escape(message)}</p>")

    def page(name: str, **values: str) -> str:
        text = (ASSETS / name).read_text(encoding="utf-8")
        for k, v in values.items():
            text = text.replace("{{" + k + "}}", v)
        return text

    class Facilitator(Base):
        def get(self) -> None:
            why = self.guard(self.get_query_argument("key", None))
            if why:
                return self.refuse(why)
            options = "".join(f'<option value="{escape(a)}">{escape(n)} ({escape(a)})</option>' for a, n in room.accounts())
            wb = room.session.wb
            people = sorted({*map(str, wb.accounts["account_manager"]), *map(str, wb.opportunities["owner"]), *map(str, wb.actions["owner"])} - {""})
            names_list = "".join(f'<option value="{escape(n)}">' for n in people)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page("page.html", workbook=escape(room.workbook.name), journal=escape(str(room.session.journal.path)), accounts=options, people=names_list))

    class Rater(Base):
        def get(self) -> None:
            why = self.guard(self.get_query_argument("key", None), rater=True)
            if why:
                return self.refuse(why)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page("rate.html", workbook=escape(room.workbook.name)))

    class Asset(Base):
        def get(self, name: str) -> None:
            types = {"workshop.js": "text/javascript", "rate.js": "text/javascript", "workshop.css": "text/css"}
            if name not in types:
                raise tornado.web.HTTPError(404)
            self.set_header("Content-Type", f"{types[name]}; charset=utf-8")
            self.finish((ASSETS / name).read_text(encoding="utf-8"))

    class Socket(Guard, tornado.websocket.WebSocketHandler):
        rater = False

        def check_origin(self, origin: str) -> bool:
            return same_origin(origin, self.request.headers.get("Host"))

        def get(self, *args: Any, **kwargs: Any) -> Any:
            why = self.guard(self.get_query_argument("key", None), rater=self.rater)
            if why:
                self.set_status(403)
                self.finish(why)
                return None
            return super().get(*args, **kwargs)

        def open(self, *args: str, **kwargs: str) -> None:
            self.who, self.account = "", ""
            (room.raters if self.rater else room.screens).add(self)
            if self.rater:
                self.push()

        def on_close(self) -> None:
            room.screens.discard(self)
            room.raters.discard(self)

        def send(self, message: dict[str, Any]) -> None:
            try:
                self.write_message(json.dumps(message))
            except tornado.websocket.WebSocketClosedError:
                self.on_close()

        def push(self) -> None:
            if self.rater:
                self.send(room.rater_view())
            elif self.account:
                state = room.state(self.account, self.who)
                sent = getattr(self, "sent", {})
                if sent.get("account") != state["account"]:
                    sent = {"account": state["account"]}
                for name in [k for k in state if k.startswith("tab:")]:  # a screen gets a tab again only when it changed
                    if sent.get(name) is state[name]:
                        del state[name]
                    else:
                        sent[name] = state[name]
                self.sent = sent
                self.send(state)

        def on_message(self, raw: str | bytes) -> None:
            try:
                msg = json.loads(raw)
                if not isinstance(msg, dict):
                    raise ValueError("not an object")
            except ValueError:
                self.send({"t": "ack", "id": None, "ok": False, "message": "the screen sent something unreadable; reload the page"})
                return
            try:
                self.dispatch(msg)
            except Exception as err:  # one sentence to the room, the whole story in the log
                LOG.error("error handling %s from %r:\n%s", msg.get("t"), getattr(self, "who", ""), traceback.format_exc())
                from kamnb.errors import JournalError

                sentence = f"not saved: the journal could not be written ({err})" if isinstance(err, JournalError) else SORRY
                self.send({"t": "ack", "id": msg.get("id"), "ok": False, "message": sentence, "failed": True})

        def dispatch(self, msg: dict[str, Any]) -> None:
            kind = msg.get("t")
            if self.rater:
                if kind == "vote":
                    ok, sentence = room.vote(msg)
                    self.send({"t": "ack", "id": msg.get("id"), "ok": ok, "message": sentence})
                    if ok:
                        room.changed()
                return
            self.who = str(msg.get("who", self.who or "")).strip()[:120]
            if kind == "hello":
                self.account = str(msg.get("account") or "")
                self.sent = {}  # a (re)connected page has drawn nothing yet
                self.push()
                return
            if kind in ("poll", "reveal", "close", "record"):
                ok, sentence = room.poll_message(msg, self.who)
                self.send({"t": "ack", "id": msg.get("id"), "ok": ok, "message": sentence})
                room.changed()
                return
            if kind == "review":
                asyncio.ensure_future(self.review(msg))
                return
            if not self.who:
                self.send({"t": "ack", "id": msg.get("id"), "ok": False, "message": "Say who is speaking first (the name box at the top); not saved."})
                return
            ok, sentence, seq = room.handle(msg, self.who)
            self.send({"t": "ack", "id": msg.get("id"), "ok": ok, "message": sentence, "seq": seq})
            room.changed() if ok else self.push()

        async def review(self, msg: dict[str, Any]) -> None:
            from kamnb.errors import WorkshopError
            from kamnb.workshop.review import review_command, review_result

            account = str(msg.get("account", ""))
            cmd, out = review_command(room.session, account)
            proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            _, err = await proc.communicate()
            try:
                path = review_result(out, account, proc.returncode or 0, err.decode("utf-8", "replace"))
            except WorkshopError as error:
                LOG.error("review of %s failed: %s", account, err.decode("utf-8", "replace"))
                self.send({"t": "ack", "id": msg.get("id"), "ok": False, "message": str(error)})
                return
            self.send({"t": "ack", "id": msg.get("id"), "ok": True, "message": f"✔ Review of {account} written: {path}"})

    class RaterSocket(Socket):
        rater = True

    class NoIcon(Base):
        def get(self) -> None:
            self.set_status(204)
            self.finish()

    class Missing(Base):
        def prepare(self) -> None:
            raise tornado.web.HTTPError(404)

    return tornado.web.Application(
        [(r"/", Facilitator), (r"/rate", Rater), (r"/assets/([a-z.]+)", Asset), (r"/ws", Socket), (r"/rws", RaterSocket), (r"/favicon.ico", NoIcon), (r".*", Missing)],
        websocket_ping_interval=5, websocket_ping_timeout=10,
    )


# --------------------------------------------------------------------------- running


def serve(workbook: Path, *, host: str = "127.0.0.1", port: int | None = None, account: str | None = None, open_browser: bool = False, ready: Any = None) -> int:
    """Serve the workshop until stopped (Ctrl+C or SIGTERM); prints the address with its key on its own line."""
    import signal

    import tornado.httpserver
    import tornado.ioloop

    state = load_state(workbook)
    kept = state.get("port") if isinstance(state.get("port"), int) else None
    if port is None and kept and port_free(host, kept):
        port = kept
    elif port is not None and not port_free(host, port):
        print(f"kamnb workshop: port {port} is in use on {host}; choose another with --port", file=sys.stderr)
        return 1
    if port is None:
        with socket.socket() as s:
            s.bind((host, 0))
            port = int(s.getsockname()[1])
    address = room_address(host)
    room = Room(workbook, port=port, address=address, key=state["key"], rater_key=state["rater_key"])
    save_state(workbook, {**state, "port": port})
    names = {address, socket.gethostname(), host}
    app = make_app(room, names)
    server = tornado.httpserver.HTTPServer(app)
    server.listen(port, address=host)
    url = room.url + (f"&account={quote(account)}" if account else "")
    print("The workshop is open at:", flush=True)
    print(url, flush=True)
    print(f"Raters join at: {room.rate_url}", flush=True)
    where = "this computer only" if host in ("127.0.0.1", "localhost", "::1") else f"the network ({host}); the key in the address is required"
    print(f"Served to {where}. Every change is saved the moment it is made. Press Ctrl+C to stop.", flush=True)
    loop = tornado.ioloop.IOLoop.current()

    def outside() -> None:  # changes other processes wrote (a second server, JupyterLab)
        try:
            if room.session.journal.last_seq() > room.session.seen:
                room.session.sync()
                room.changed()
        except Exception:
            LOG.error("reading the journal failed:\n%s", traceback.format_exc())

    tornado.ioloop.PeriodicCallback(outside, 500).start()

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


