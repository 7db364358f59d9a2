"""The workshop state every screen shares: one session, the connected screens and raters, the vote in progress.

:class:`Room` turns a screen's message into a journal change (checked, once
per operation id, committed before "saved" is answered), renders each
account's tabs and summary once for every screen, and pushes the result to
every screen and rater page.

Example:
    >>> room = Room(Path("data/sample"), port=8866, address="127.0.0.1", key="k" * 20, rater_key="r" * 20)  # doctest: +SKIP
    >>> room.handle({"t": "change", "sheet": "accounts", "key": {"account_id": "ACC-001"}, "column": "growth_potential", "value": "4"}, "Ann")  # doctest: +SKIP
    (True, '✔ Saved: growth potential of Nordlicht Logistics to “4”', 1)
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kamnb.workshop.guard import qr_svg


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
        """Apply one message from a facilitator's screen; returns (ok, sentence for the room, journal seq).

        A message carries ``op``, the id its screen gave the operation: the
        same operation sent again (after a lost reply or a restart) is answered
        with the change already written, and nothing is written twice.
        """
        from kamnb.workbook.schema import SHEETS

        s = self.session
        s.who = who
        kind = msg.get("t")
        sheet = str(msg.get("sheet", ""))
        if kind in ("change", "add", "remove") and sheet not in SHEETS:
            return False, "that part of the workbook does not exist; not saved", None
        op_id = op_id_of(msg)
        done = s.replayed(op_id) if kind in ("change", "add", "remove", "undo", "redo") else None
        if done is not None:
            word = {"undo": "✔ Undone", "redo": "✔ Redone"}.get(str(kind), "✔ Saved")
            return True, (f"{word}: {s.describe(done)}" if done.op != "undo" else word), done.seq
        raw_key: dict[str, Any] = msg["key"] if isinstance(msg.get("key"), dict) else {}
        key = {str(k): str(v) for k, v in raw_key.items()}
        base = msg.get("base") if isinstance(msg.get("base"), int) else None
        if kind == "change":
            return self._change(msg, sheet, key, base, op_id)
        if kind == "add":
            return self._add(msg, sheet, op_id)
        if kind == "remove":
            ch, error = s.remove_row(sheet, key, base=base, op_id=op_id)
            if error or ch is None:
                return False, error or "not saved", None
            return True, f"✔ Saved: {s.describe(ch)}", ch.seq
        if kind in ("undo", "redo"):
            return self._step(str(kind), who, op_id)
        return False, "the screen sent something the server does not know; reload the page", None

    def _change(self, msg: dict[str, Any], sheet: str, key: dict[str, str], base: int | None, op_id: str | None) -> tuple[bool, str, int | None]:
        """One cell set from a screen: the column checked, the value journaled."""
        from kamnb.workbook.schema import SHEETS

        s = self.session
        column = str(msg.get("column", ""))
        if column not in SHEETS[sheet].column_names:
            return False, "that field does not exist; not saved", None
        label = s.label(sheet, key)
        ch, error = s.change(sheet, key, column, str(msg.get("value", "")), base=base, op_id=op_id)
        if error:
            return False, error, None
        if ch is None:
            return True, "No change: that value was already in force.", None
        return True, f"✔ Saved: {s.describe(ch)}" if label else "✔ Saved", ch.seq

    def _add(self, msg: dict[str, Any], sheet: str, op_id: str | None) -> tuple[bool, str, int | None]:
        """A new person or action from a screen's form, for the account the screen shows."""
        from kamnb.workbook.schema import SHEETS

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
        ch, error = self.session.add_row(sheet, values, op_id=op_id)
        if error or ch is None:
            return False, error or "not saved", None
        return True, f"✔ Saved: {self.session.describe(ch)}", ch.seq

    def _step(self, kind: str, who: str, op_id: str | None) -> tuple[bool, str, int | None]:
        """The speaker's own undo or redo, naming what it acts on."""
        from kamnb.errors import ChangeRefused

        s = self.session
        step = s.next_step(redo=kind == "redo")
        try:
            ch = s.undo(redo=kind == "redo", op_id=op_id)
        except ChangeRefused as err:
            return False, str(err), None
        if ch is None:
            return True, f"Nothing of {who}'s to {kind}.", None
        return True, f"✔ {'Undone' if kind == 'undo' else 'Redone'}: {step}", ch.seq

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


def op_id_of(msg: dict[str, Any]) -> str | None:
    """The operation id a screen's message carries (``op``), or None when it has none usable.

    >>> op_id_of({"op": "a1b2-7"}), op_id_of({"op": 7}), op_id_of({})
    ('a1b2-7', None, None)
    """
    op = msg.get("op")
    if not isinstance(op, str) or not op.strip() or len(op) > 100:
        return None
    return op.strip()
