"""The live workshop: one session on a workbook, its summary, and ``kamnb workshop``.

A :class:`WorkshopSession` holds the workbook in memory (sheets with the
journal laid over them) and the journal itself. Every change a participant
makes goes through :meth:`WorkshopSession.change`: it is checked against the
workbook contract, written to the journal at once, and then laid over the
in-memory sheets, together with whatever another facilitator wrote in the
meantime. Nothing waits for a "save" button.

:func:`summary` recomputes the figures the room watches (tier, likelihoods,
relationship score, red flags, what changed since the last assessment, where
participants disagree) for ONE account, reusing cached portfolio-wide results
for sheets that did not change.

``kamnb workshop WORKBOOK`` serves a session to the room (see
:mod:`kamnb.workshop.server`); ``notebooks/workshop.ipynb`` runs the same
session as widgets in JupyterLab.

Example:
    >>> s = WorkshopSession("data/sample", who="Jana")          # doctest: +SKIP
    >>> s.change("accounts", {"account_id": "ACC-001"}, "growth_potential", "5")  # doctest: +SKIP
    (Change(seq=1, ...), None)
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from kamnb.errors import ChangeRefused, WorkshopError
from kamnb.workbook import Workbook, journal_path_for, load_workbook
from kamnb.workbook.journal import HISTORY_SHEETS, Change, Journal, advance_as_of, apply_change, effective, parse_cell, refusal, to_text
from kamnb.workbook.schema import SHEETS
from kamnb.workshop.tracking import AccountVersions, account_of, one_account_view

ENV_WORKBOOK = "KAMNB_WORKBOOK"
ENV_ACCOUNT = "KAMNB_ACCOUNT"
JUDGEMENTS = ("growth_potential", "strategic_fit", "partner_willingness", "transparency", "our_willingness", "buy_sell_position")
"""The classification judgements the room scores (columns of the accounts sheet)."""
ANSWER_POINTS = {"yes": 1.0, "partly": 0.5, "no": 0.0}
"""How answers are put on one scale to show how far apart participants are ('unknown' is left out)."""




class WorkshopSession:
    """A workbook open for a workshop: in-memory sheets + the journal, kept in step.

    Example:
        >>> s = WorkshopSession("data/sample", who="facilitator")  # doctest: +SKIP
        >>> s.wb.account("ACC-001")["name"]  # doctest: +SKIP
        'Nordlicht Logistics'
    """

    def __init__(self, workbook: Path | str, who: str = "facilitator"):
        self.path = Path(workbook).resolve()
        if not self.path.exists():
            raise WorkshopError(f"no workbook at {self.path}")
        self.journal = Journal(journal_path_for(self.path))
        self.who = who
        self.listeners: list[Callable[[Change | None], None]] = []
        self._cache: dict[str, Any] = {}
        self._versions: dict[str, int] = {}
        self._ratings: dict[tuple[str, str, str], dict[str, str]] = {}
        self.by_account = AccountVersions()
        self.token = uuid.uuid4().hex  # names this session's views in memo keys
        self.last_scores: dict[str, tuple[int, dict[str, Any]]] = {}
        self.reload()

    # -- state
    def reload(self) -> None:
        """Read the sheets and the whole journal again (after an undo, or on request)."""
        seen = self.journal.last_seq()
        self.loads = getattr(self, "loads", 0) + 1
        self.wb: Workbook = load_workbook(self.path)
        self.seen = seen
        self.sync()
        self._ratings = {}
        for c in effective(self.journal.changes()):
            self._rate(c)
        self._cache.clear()

    def sheet_version(self, sheet: str) -> int:
        """How many changes to ``sheet`` were laid over it since the workbook was last read (see :attr:`loads`)."""
        return self._versions.get(sheet, 0)

    def _rate(self, c: Change) -> None:
        if c.op == "set" and c.column in ("answer", "score", "influence", "support", *JUDGEMENTS):
            self._ratings.setdefault(c.item, {})[c.who] = c.new or ""

    def sync(self) -> bool:
        """Lay changes written by anyone since we last looked over the sheets; True if any."""
        news = self.journal.changes(since=self.seen)
        if not news:
            return False
        if any(c.op == "undo" for c in news):
            self.reload()
            return True
        for c in news:
            touched = account_of(self.wb, c)  # before the change is laid over the sheets (a removed row is gone after)
            if not apply_change(self.wb, c):
                advance_as_of(self.wb.settings, [c])
            self._rate(c)
            self._versions[c.sheet] = self._versions.get(c.sheet, 0) + 1
            self.by_account.bump(c.sheet, touched)
            self.seen = c.seq
        return True

    def _notify(self, change: Change | None) -> None:
        for listener in list(self.listeners):
            listener(change)

    def _who(self) -> str:
        who = (self.who or "").strip()
        if not who:
            raise WorkshopError("say who is speaking first (the name box at the top)")
        return who

    def _missing(self, sheet: str, key: dict[str, Any]) -> str | None:
        """Why a change cannot apply to ``key`` (a row or a referenced id that does not exist), else None."""
        spec = SHEETS[sheet]
        if sheet in HISTORY_SHEETS:
            for col in HISTORY_SHEETS[sheet]:
                ref = spec.column(col).ref_sheet
                known = self.wb.questions.index if ref == "questions" else self.wb.indicators.index if ref == "indicators" else self.wb.sheets[str(ref)].index
                if str(key.get(col, "")) not in set(map(str, known)):
                    return f"{key.get(col, '')!s} does not exist in the workbook (it may have been removed); not saved"
            return None
        if any(k not in spec.column_names for k in key):
            return "that row is not part of the workbook; not saved"
        frame = self.wb.sheets[sheet]
        mask = pd.Series(True, index=frame.index)
        for k, v in key.items():
            mask &= frame[k].map(to_text) == to_text(v)
        if not mask.any():
            wanted = {k: to_text(v) for k, v in key.items()}
            gone = [c for c in effective(self.journal.changes()) if c.op == "remove" and c.sheet == sheet and c.key == wanted]
            if gone:  # say who removed it and when
                return self.refused(ChangeRefused("", gone[-1]))
            return f"{self.label(sheet, key)} is no longer in the workbook (removed meanwhile); not saved"
        return None

    def _sways(self, key: dict[str, Any], value: Any) -> tuple[str, str | None]:
        """An ``influences`` value written the one way (ids joined by "; "), or why it cannot be saved.

        Everyone named must be another person of the same account.
        """
        from kamnb.workbook.reporting_lines import influence_ids

        people = self.wb.stakeholders
        sid = str(key.get("stakeholder_id", ""))
        account = people.loc[sid, "account_id"] if sid in people.index else None
        ids = influence_ids(value)
        for other in ids:
            if other == sid:
                return "", f"{self.label('stakeholders', key)} cannot sway themself; not saved"
            if other not in people.index or people.loc[other, "account_id"] != account:
                return "", f"{other} is not a person of this account; not saved"
        return "; ".join(ids), None

    def current(self, sheet: str, key: dict[str, Any], column: str) -> Any:
        """The value in force for one cell (for history sheets: the latest answer)."""
        frame = self.wb.sheets[sheet]
        mask = pd.Series(True, index=frame.index)
        for k, v in key.items():
            mask &= frame[k] == v
        rows = frame[mask.to_numpy()]
        if rows.empty:
            return None
        if sheet in HISTORY_SHEETS:
            rows = rows.sort_values("assessed_on", kind="stable", na_position="first")
        return rows.iloc[-1][column]

    # -- changes
    def label(self, sheet: str, key: dict[str, Any], fallback: dict[str, Any] | None = None) -> str:
        """How the room names a row: a person's or an action's own words, a question's text, else its id.

        ``fallback`` (the row's values kept by a removal) is used when the row is gone.
        """
        ident = " / ".join(str(v) for v in key.values())
        if sheet == "stakeholders":
            sid = key.get("stakeholder_id")
            frame = self.wb.stakeholders
            name = frame.loc[sid, "name"] if sid in frame.index else (fallback or {}).get("name")
            return str(name or ident)
        if sheet == "actions":
            aid = key.get("action_id")
            frame = self.wb.actions
            text = frame.loc[aid, "action"] if aid in frame.index else (fallback or {}).get("action")
            return f"the action “{text}”" if text else ident
        if sheet == "qualification":
            return f"the answer to “{_label(self.wb.questions, key.get('question_id', ''), 'text')}”"
        if sheet == "relationship":
            return f"the score of “{_label(self.wb.indicators, key.get('indicator_id', ''), 'name')}”"
        if sheet == "accounts":
            aid = key.get("account_id")
            return str(self.wb.accounts.loc[aid, "name"]) if aid in self.wb.accounts.index else ident
        return ident

    def refused(self, err: ChangeRefused, *, undo: bool = False) -> str:
        """The sentence the room reads when a change was refused: which row, who got there first, when."""
        first = err.by if isinstance(err.by, Change) else None
        if first is None:
            return str(err)
        fallback = None
        if first.op == "remove" and first.old:
            import json

            try:
                fallback = json.loads(first.old)
            except ValueError:
                fallback = None
        return refusal(first, self.label(first.sheet, first.key, fallback), undo=undo)

    def describe(self, c: Change) -> str:
        """A change in the room's words, e.g. “title of Jonas Maier to ‘CIO’” (what an undo button names)."""
        what = _clip(self.label(c.sheet, c.key, _json(c.old) if c.op == "remove" else _json(c.new) if c.op == "add" else None), 60)
        if c.op == "add":
            return f"adding {what}"
        if c.op == "remove":
            return f"removing {what}"
        column = c.column.replace("_", " ")
        new = _clip(_word(c.sheet, c.column, c.new or ""), 60)
        if c.sheet == "stakeholders" and c.column in ("influences", "reports_to"):  # people by name, not by id
            from kamnb.workbook.reporting_lines import influence_ids

            people = self.wb.stakeholders["name"] if "name" in self.wb.stakeholders else {}
            named = _clip(", ".join(str(people.get(i, i)) for i in influence_ids(c.new)) or "nobody", 60)
            return f"{what} sways “{named}”" if c.column == "influences" else f"{what} reports to “{named}”"
        if c.sheet in HISTORY_SHEETS:
            return f"{what}: {column} “{new}”"
        return f"{column} of {what} to “{new}”"

    def replayed(self, op_id: str | None) -> Change | None:
        """The change already journaled for the operation ``op_id`` (a screen sending it again), brought into the sheets."""
        done = self.journal.done(op_id)
        if done is not None:
            self.sync()
        return done

    def change(self, sheet: str, key: dict[str, Any], column: str, text: Any, *, base: int | None = None, op_id: str | None = None) -> tuple[Change | None, str | None]:
        """Check ``text`` for ``column``; when valid, journal it and apply it. Returns (change, error message).

        ``base`` is the journal version the screen showed: a change made on a
        row removed or changed by someone else since is refused, never written.
        ``op_id`` names the operation: sent again, it returns the change already
        written and writes nothing.
        """
        done = self.replayed(op_id)
        if done is not None:
            return done, None
        col = SHEETS[sheet].column(column)
        value, reason = parse_cell(col, to_text(text) if not isinstance(text, str) else text)
        if reason is not None:
            return None, f"{col.name.replace('_', ' ')}: expected {reason}; not saved"
        try:
            who = self._who()
        except WorkshopError as err:
            return None, str(err)
        self.sync()
        missing = self._missing(sheet, key)
        if missing:
            return None, missing
        if sheet == "stakeholders" and column == "influences":
            value, reason = self._sways(key, value)
            if reason:
                return None, reason
        old = self.current(sheet, key, column)
        if to_text(old) == to_text(value) and sheet not in HISTORY_SHEETS and self._ratings.get((sheet, _key(key), column), {}).get(who) == to_text(value):
            return None, None
        try:
            ch = self.journal.set(sheet, key, column, old, value, who=who, base=base, op_id=op_id)
        except ChangeRefused as err:
            return None, self.refused(err)
        self.sync()
        self._notify(ch)
        return ch, None

    def add_row(self, sheet: str, values: dict[str, Any], *, op_id: str | None = None) -> tuple[Change | None, str | None]:
        """Add a row (a stakeholder, an action); a fresh id is made when the sheet has one.

        With ``op_id``, adding again (a screen resending after a lost reply or a
        restart) returns the row already added instead of a second one.
        """
        done = self.replayed(op_id)
        if done is not None:
            return done, None
        spec = SHEETS[sheet]
        id_col = next((c.name for c in spec.columns if c.kind == "id"), None)
        values = dict(values)
        if id_col and not values.get(id_col):
            prefix = {"stakeholders": "ST", "actions": "AC", "opportunities": "OP"}.get(sheet, sheet[:2].upper())
            values[id_col] = f"{prefix}-W{uuid.uuid4().hex[:5].upper()}"
        for col in spec.columns:
            _, reason = parse_cell(col, to_text(values.get(col.name)))
            if reason is not None:
                return None, f"{col.name.replace('_', ' ')}: expected {reason}; not saved"
        try:
            who = self._who()
        except WorkshopError as err:
            return None, str(err)
        key = {id_col: values[id_col]} if id_col else {}
        ch = self.journal.add(sheet, key, values, who=who, op_id=op_id)
        self.sync()
        self._notify(ch)
        return ch, None

    def remove_row(self, sheet: str, key: dict[str, Any], *, base: int | None = None, op_id: str | None = None) -> tuple[Change | None, str | None]:
        """Remove a row; its values stay in the journal as the old value (refused like :meth:`change` when stale; once per ``op_id``)."""
        done = self.replayed(op_id)
        if done is not None:
            return done, None
        try:
            who = self._who()
        except WorkshopError as err:
            return None, str(err)
        self.sync()
        frame = self.wb.sheets[sheet]
        mask = pd.Series(True, index=frame.index)
        for k, v in key.items():
            mask &= frame[k] == v
        rows = frame[mask.to_numpy()]
        old = {str(k): to_text(v) for k, v in rows.iloc[0].items() if k != "_row"} if len(rows) else {}
        try:
            ch = self.journal.remove(sheet, key, old, who=who, base=base, op_id=op_id)
        except ChangeRefused as err:
            return None, self.refused(err)
        self.sync()
        self._notify(ch)
        return ch, None

    def undo(self, *, redo: bool = False, op_id: str | None = None) -> Change | None:
        """Undo (or redo) the speaker's own last change; None if there is nothing to undo (once per ``op_id``).

        Raises :class:`~kamnb.errors.ChangeRefused` (with the room's sentence)
        when someone else changed that row since.
        """
        who = self._who()
        done = self.journal.done(op_id)
        if done is not None:
            self.sync()
            return done
        try:
            ch = self.journal.redo(who, op_id=op_id) if redo else self.journal.undo(who, by=who, op_id=op_id)
        except ChangeRefused as err:
            raise ChangeRefused(self.refused(err, undo=True), err.by) from err
        if ch is not None:
            self.reload()
            self._notify(ch)
        return ch

    def next_step(self, *, redo: bool = False) -> str | None:
        """What the speaker's Undo (or Redo) would act on, in the room's words; None when nothing."""
        who = (self.who or "").strip()
        if not who:
            return None
        c = self.journal.next_step(who, redo=redo)
        return self.describe(c) if c is not None else None

    # -- participants
    def spread(self, account_id: str) -> pd.DataFrame:
        """Items of one account that 2+ participants rated, with each one's latest value and the spread."""
        rows = []
        opps = set(self.wb.opportunities.index[self.wb.opportunities["account_id"] == account_id])
        people = self.wb.stakeholders.set_index("stakeholder_id")["name"] if len(self.wb.stakeholders) else pd.Series(dtype=object)
        mine = set(people.index[self.wb.stakeholders["account_id"].to_numpy() == account_id]) if len(people) else set()
        for (sheet, key_json, column), by_who in self._ratings.items():
            if len(by_who) < 2:
                continue
            key = _unkey(key_json)
            if sheet == "accounts" and key.get("account_id") == account_id:
                item = column.replace("_", " ")
            elif sheet == "relationship" and key.get("account_id") == account_id:
                item = _label(self.wb.indicators, key.get("indicator_id", ""), "name")
            elif sheet == "qualification" and key.get("opportunity_id") in opps:
                opp_name = str(self.wb.opportunities.loc[key["opportunity_id"], "name"])
                item = f"{opp_name}: {_label(self.wb.questions, key.get('question_id', ''), 'text')}"
            elif sheet == "stakeholders" and key.get("stakeholder_id") in mine:
                item = f"{people.get(key['stakeholder_id'], key['stakeholder_id'])!s}: {column}"
            else:
                continue
            raw = [ANSWER_POINTS.get(v) if column == "answer" else _num(v) for v in by_who.values()]
            points = [p for p in raw if p is not None]
            lo, hi = (min(points), max(points)) if points else (float("nan"), float("nan"))
            rows.append(
                {
                    "item": item,
                    "ratings": "; ".join(f"{w}: {v}" for w, v in sorted(by_who.items())),
                    "lowest": lo,
                    "highest": hi,
                    "spread": hi - lo,
                    "scale": "answer" if column == "answer" else "score",
                }
            )
        frame = pd.DataFrame(rows, columns=["item", "ratings", "lowest", "highest", "spread", "scale"])
        return frame.sort_values(["spread", "item"], ascending=[False, True], kind="stable").reset_index(drop=True)

    # -- scoring, cached per sheet
    def cached_for(self, account_id: str, name: str, sheets: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` for one account, recomputed only when that account's rows of one of ``sheets`` changed."""
        return self._remembered(name, (self.loads, *(self.by_account.get(s, account_id) for s in sheets)), compute)

    def cached(self, name: str, sheets: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, recomputed only when one of ``sheets`` changed since the last call."""
        return self._remembered(name, tuple(self._versions.get(s, 0) for s in sheets), compute)

    def _remembered(self, name: str, stamp: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """The value kept under ``name`` while its ``stamp`` is the same; ``compute()`` again when it changed."""
        hit = self._cache.get(name)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = compute()
        self._cache[name] = (stamp, value)
        return value


def _key(key: dict[str, Any]) -> str:
    import json

    return json.dumps({k: to_text(v) for k, v in key.items()}, sort_keys=True)


def _word(sheet: str, column: str, value: str) -> str:
    """A choice as the room reads it: "economic buyer" for ``economic_buyer``, "Care & cultivate" for an action's kind.

    >>> _word("stakeholders", "decision_role", "economic_buyer"), _word("actions", "category", "care_cultivate"), _word("accounts", "account_goal", "a_b")
    ('economic buyer', 'Care & cultivate', 'a_b')
    """
    spec = SHEETS.get(sheet)
    if spec is None or column not in spec.column_names or spec.column(column).kind != "choice":
        return value
    if sheet == "actions" and column == "category":
        from kamnb.value.plan import CATEGORIES

        return CATEGORIES.get(value, value)
    return value.replace("_", " ")


def _clip(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters with "…" (a label on a button or a status line).

    >>> _clip("Maximiliane Longname", 8)
    'Maximil…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _json(text: str | None) -> dict[str, Any] | None:
    import json

    try:
        value = json.loads(text or "")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _unkey(text: str) -> dict[str, str]:
    import json

    return json.loads(text)


def _label(bank: pd.DataFrame, ident: str, column: str) -> str:
    return str(bank.loc[ident, column]) if ident in bank.index else ident


def _num(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


_one_account = one_account_view  # the name the summary and the tests knew it by


# --------------------------------------------------------------------------- review


