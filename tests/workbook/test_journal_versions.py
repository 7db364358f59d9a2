"""Versioned changes: a change made on a row removed or changed since is refused, never written; undo and redo per person."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from kamnb.errors import ChangeRefused
from kamnb.workbook import check_workbook, load_workbook
from kamnb.workbook.journal import Journal, effective

S2 = {"stakeholder_id": "S2"}


def _rows(book) -> int:
    with sqlite3.connect(book / "journal.sqlite") as conn:
        return conn.execute("SELECT count(*) FROM changes").fetchone()[0]


def test_edit_on_a_removed_row_is_refused_naming_who_and_when(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    seen = j.last_seq()  # both screens show version 0
    gone = j.remove("stakeholders", S2, {"name": "Bo Chen"}, who="Anna", base=seen)
    with pytest.raises(ChangeRefused) as err:
        j.set("stakeholders", S2, "title", "Head of IT", "CIO", who="Jonas", base=seen)
    assert f"was removed by Anna at {gone.at[11:16]}" in str(err.value)
    assert err.value.by.seq == gone.seq
    assert _rows(mini_book) == 1  # nothing written
    wb, problems = check_workbook(mini_book)  # the workbook opens
    assert "S2" not in wb.stakeholders.index and not [p for p in problems if p.level == "error"]


def test_edit_on_a_cell_changed_since_is_refused_but_another_cell_is_not(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    j.set("stakeholders", S2, "title", "Head of IT", "CIO", who="Anna", base=0)
    with pytest.raises(ChangeRefused, match="title was changed to “CIO” by Anna"):
        j.set("stakeholders", S2, "title", "Head of IT", "CTO", who="Jonas", base=0)
    j.set("stakeholders", S2, "support", 2, 3, who="Jonas", base=0)  # another cell of the same row: fine
    j.set("stakeholders", S2, "title", "CIO", "Group CIO", who="Jonas", base=2)  # made on the fresh version: fine
    wb = load_workbook(mini_book)
    assert (wb.stakeholders.loc["S2", "title"], wb.stakeholders.loc["S2", "support"]) == ("Group CIO", 3.0)


def test_replay_skips_a_row_that_no_longer_applies_and_the_workbook_opens(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    j.remove("stakeholders", S2, {"name": "Bo Chen"}, who="Anna")
    j.set("stakeholders", S2, "title", "Head of IT", "CIO", who="Jonas")  # an old journal without versions
    wb, problems = check_workbook(mini_book)
    skipped = [p for p in problems if p.file == "journal.sqlite"]
    assert [(p.row, p.level) for p in skipped] == [(2, "warning")]
    assert "skipped" in str(skipped[0]) and "Jonas" in str(skipped[0])
    assert load_workbook(mini_book).stakeholders.index.tolist() == ["S1", "S3"]


def test_undo_and_redo_are_per_person(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    a1 = j.set("accounts", {"account_id": "A1"}, "growth_potential", 4, 5, who="Ann")
    j.set("accounts", {"account_id": "A2"}, "strategic_fit", 3, 1, who="Bo")
    a2 = j.set("accounts", {"account_id": "A1"}, "strategic_fit", 4, 2, who="Ann")
    assert j.next_step("Ann").seq == a2.seq
    assert j.undo("Ann", by="Ann").undoes == a2.seq  # Ann's last change, not Bo's later one
    assert j.undo("Ann", by="Ann").undoes == a1.seq
    assert j.undo("Ann", by="Ann") is None
    assert j.next_step("Ann", redo=True).seq == a1.seq
    j.redo("Ann")
    wb = load_workbook(mini_book)
    assert (wb.accounts.loc["A1", "growth_potential"], wb.accounts.loc["A1", "strategic_fit"], wb.accounts.loc["A2", "strategic_fit"]) == (5.0, 4.0, 1.0)
    j.redo("Ann")
    assert j.redo("Ann") is None
    assert [c.seq for c in effective(j.changes())] == [1, 2, 3]
    j.undo("Ann", by="Ann")
    j.set("accounts", {"account_id": "A1"}, "transparency", 3, 4, who="Ann")
    assert j.redo("Ann") is None  # a new change of one's own ends what can be redone


def test_undo_refused_when_someone_else_changed_the_row_since(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    j.set("stakeholders", S2, "title", "Head of IT", "CIO", who="Ann")
    j.set("stakeholders", S2, "title", "CIO", "CTO", who="Bo")
    with pytest.raises(ChangeRefused, match="changed to “CTO” by Bo"):
        j.undo("Ann", by="Ann")
    assert load_workbook(mini_book).stakeholders.loc["S2", "title"] == "CTO"


def test_old_journal_without_versions_is_upgraded(mini_book):
    path = mini_book / "journal.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, sheet TEXT NOT NULL, key TEXT NOT NULL,"
            " \"column\" TEXT NOT NULL DEFAULT '', old TEXT, new TEXT, op TEXT NOT NULL, undoes INTEGER NULL);"
            "INSERT INTO changes (at, who, sheet, key, \"column\", old, new, op) VALUES ('2026-11-20T10:00:00+00:00', 'Ann', 'accounts', '{\"account_id\": \"A1\"}', 'growth_potential', '4', '5', 'set');"
        )
    j = Journal(path)
    assert j.changes()[0].base is None
    j.set("accounts", {"account_id": "A1"}, "growth_potential", 5, 3, who="Bo", base=1)
    assert load_workbook(mini_book).accounts.loc["A1", "growth_potential"] == 3.0


def test_the_workshop_date_counts(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    assert load_workbook(mini_book).settings["as_of"] == dt.date(2026, 11, 1)
    c = j.set("relationship", {"account_id": "A1", "indicator_id": "prompt_payment"}, "score", 2, 5, who="Ann")
    wb = load_workbook(mini_book)
    assert wb.settings["as_of"] == max(dt.date(2026, 11, 1), c.day)
    assert load_workbook(mini_book, journal=False).settings["as_of"] == dt.date(2026, 11, 1)


def test_a_change_to_a_row_that_does_not_exist_is_refused(mini_book):
    from kamnb.workshop.session import WorkshopSession

    s = WorkshopSession(mini_book, who="Ann")
    change, error = s.change("accounts", {"account_id": "NOPE"}, "growth_potential", "3")
    assert change is None and "no longer in the workbook" in error
    change, error = s.change("qualification", {"opportunity_id": "NOPE", "question_id": "budget"}, "answer", "yes")
    assert change is None and "does not exist" in error
    assert s.journal.changes() == []


def test_evidence_stays_with_the_answer_it_was_given_with(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    key = {"account_id": "A1", "indicator_id": "prompt_payment"}
    before = load_workbook(mini_book).relationship
    old = before[(before["account_id"] == "A1") & (before["indicator_id"] == "prompt_payment")].iloc[-1]
    j.set("relationship", key, "score", old["score"], 5 if old["score"] != 5 else 1, who="Ann")
    rel = load_workbook(mini_book).relationship
    mine = rel[(rel["account_id"] == "A1") & (rel["indicator_id"] == "prompt_payment") & (rel["assessed_by"] == "Ann")]
    assert mine["evidence"].tolist() == [""]
    j.set("relationship", key, "evidence", "", "Paid within 10 days all year", who="Ann")
    j.set("relationship", key, "score", 5, 5, who="Ann")  # the same score again keeps it
    rel = load_workbook(mini_book).relationship
    assert rel[(rel["assessed_by"] == "Ann")]["evidence"].tolist() == ["Paid within 10 days all year"]
