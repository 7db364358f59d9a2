"""The workshop's HTTP side: the facilitator's page, the rating page, their websockets and the assets (tornado handlers).

Every handler finds the :class:`~kamnb.workshop.room.Room` and the host names
it answers to in the application's settings (``room``, ``names``); every page
and socket checks the Host, the Origin and the key first (see
:mod:`kamnb.workshop.guard`). Errors reach the room as one sentence; the
details go to the server log.

Example:
    >>> app = make_app(room, {"127.0.0.1"})  # doctest: +SKIP
    >>> app.settings["room"] is room  # doctest: +SKIP
    True
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import traceback
from typing import Any

import tornado.web
import tornado.websocket

from kamnb.common.tables import escape
from kamnb.paths import TEMPLATES
from kamnb.workshop.guard import allowed_host, same_origin
from kamnb.workshop.room import Room

LOG = logging.getLogger("kamnb.workshop.session")
ASSETS = TEMPLATES / "workshop"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SORRY = "Something went wrong on the workshop server; nothing was lost, the details are in the server's log."
ASSET_TYPES = {"workshop.js": "text/javascript", "rate.js": "text/javascript", "workshop.css": "text/css"}


def fill(name: str, **values: str) -> str:
    """An HTML template of the workshop with ``{{name}}`` replaced by the (already escaped) values."""
    text = (ASSETS / name).read_text(encoding="utf-8")
    for k, v in values.items():
        text = text.replace("{{" + k + "}}", v)
    return text


class Guard:
    """Host, Origin and key checks shared by every handler."""

    request: Any
    settings: dict[str, Any]

    @property
    def room(self) -> Room:
        """The room this server serves."""
        room: Room = self.settings["room"]
        return room

    def guard(self, key: str | None, *, rater: bool = False) -> str | None:
        """Why this request is refused (one sentence), or None when it may go on."""
        room = self.room
        if not allowed_host(self.request.headers.get("Host"), room.port, self.settings["names"]):
            return "This address is not the workshop's (wrong host name)."
        if not same_origin(self.request.headers.get("Origin"), self.request.headers.get("Host")):
            return "Requests from other sites are refused."
        wanted = [room.key, room.rater_key] if rater else [room.key]
        if not key or not any(hmac.compare_digest(key, w) for w in wanted):
            return "This workshop needs its key: open the address exactly as kamnb workshop printed it."
        return None


class Base(Guard, tornado.web.RequestHandler):
    """A page or an asset: strict security headers, a refusal as a short page, errors as one sentence."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def refuse(self, why: str) -> None:
        """Answer 403 with ``why``."""
        self.set_status(403)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(f"<!doctype html><meta charset='utf-8'><title>kamnb workshop</title><p>{escape(why)}</p>")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if "exc_info" in kwargs:
            LOG.error("error answering %s:\n%s", self.request.path, "".join(traceback.format_exception(*kwargs["exc_info"])))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        message = SORRY if status_code >= 500 else "There is no such page in the workshop."
        self.finish(f"<!doctype html><meta charset='utf-8'><title>kamnb workshop</title><p>{escape(message)}</p>")


class Facilitator(Base):
    """The facilitator's page: the accounts to pick from and the names already in the workbook."""

    def get(self) -> None:
        why = self.guard(self.get_query_argument("key", None))
        if why:
            return self.refuse(why)
        room = self.room
        options = "".join(f'<option value="{escape(a)}">{escape(n)} ({escape(a)})</option>' for a, n in room.accounts())
        wb = room.session.wb
        people = sorted({*map(str, wb.accounts["account_manager"]), *map(str, wb.opportunities["owner"]), *map(str, wb.actions["owner"])} - {""})
        names_list = "".join(f'<option value="{escape(n)}">' for n in people)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(fill("page.html", workbook=escape(room.workbook.name), journal=escape(str(room.session.journal.path)), accounts=options, people=names_list))


class Rater(Base):
    """A rater's page (the rater key is enough)."""

    def get(self) -> None:
        why = self.guard(self.get_query_argument("key", None), rater=True)
        if why:
            return self.refuse(why)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(fill("rate.html", workbook=escape(self.room.workbook.name)))


class Asset(Base):
    """The pages' script and style sheet."""

    def get(self, name: str) -> None:
        if name not in ASSET_TYPES:
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", f"{ASSET_TYPES[name]}; charset=utf-8")
        self.finish((ASSETS / name).read_text(encoding="utf-8"))


class Socket(Guard, tornado.websocket.WebSocketHandler):
    """A facilitator's screen: its messages become changes; it gets every fresh state."""

    rater = False
    who = ""
    account = ""

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
        self.sent: dict[str, Any] = {}
        (self.room.raters if self.rater else self.room.screens).add(self)
        if self.rater:
            self.push()

    def on_close(self) -> None:
        self.room.screens.discard(self)
        self.room.raters.discard(self)

    def send(self, message: dict[str, Any]) -> None:
        """Send one message; a socket closed meanwhile is dropped."""
        try:
            self.write_message(json.dumps(message))
        except tornado.websocket.WebSocketClosedError:
            self.on_close()

    def push(self) -> None:
        """The fresh state for this screen; a tab is sent again only when it changed since the last push."""
        if self.rater:
            self.send(self.room.rater_view())
            return
        if not self.account:
            return
        state = self.room.state(self.account, self.who)
        sent: dict[str, Any] = self.sent if self.sent.get("account") == state["account"] else {"account": state["account"]}
        for name in [k for k in state if k.startswith("tab:")]:
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
            LOG.error("error handling %s from %r:\n%s", msg.get("t"), self.who, traceback.format_exc())
            from kamnb.errors import JournalError

            sentence = f"not saved: the journal could not be written ({err})" if isinstance(err, JournalError) else SORRY
            self.send({"t": "ack", "id": msg.get("id"), "ok": False, "message": sentence, "failed": True})

    def dispatch(self, msg: dict[str, Any]) -> None:
        """One message: a vote, a hello, a vote control, a review, or a change to the workbook."""
        room, kind = self.room, msg.get("t")
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
        """Write the account's review with the batch in a child process; answer when it is written."""
        from kamnb.errors import WorkshopError
        from kamnb.workshop.review import review_command, review_result

        account = str(msg.get("account", ""))
        cmd, out = review_command(self.room.session, account)
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
    """A rater's phone: votes only."""

    rater = True


class NoIcon(Base):
    """No favicon (and no 404 in the log for it)."""

    def get(self) -> None:
        self.set_status(204)
        self.finish()


class Missing(Base):
    """Any other address: 404, as one sentence."""

    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)


def make_app(room: Room, names: set[str]) -> tornado.web.Application:
    """The tornado application: the facilitator's page, the rating page, their sockets, the assets."""
    return tornado.web.Application(
        [(r"/", Facilitator), (r"/rate", Rater), (r"/assets/([a-z.]+)", Asset), (r"/ws", Socket), (r"/rws", RaterSocket), (r"/favicon.ico", NoIcon), (r".*", Missing)],
        websocket_ping_interval=5, websocket_ping_timeout=10, room=room, names=names,
    )
