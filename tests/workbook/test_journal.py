"""The workshop journal: every change kept, replayed over the sheets, undoable, safe across processes."""
from __future__ import annotations

import json
import multiprocessing
import sqlite3
import subprocess
import sys

import pandas as pd

from kamnb.workbook import check_workbook, load_workbook
from kamnb.workbook.journal import Journal, apply_journal, effective, parse_cell
from kamnb.workbook.schema import SHEETS


def test_table_is_wal_and_one_row_per_change(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    j.set("accounts", {"account_id": "A1"}, "growth_potential", 4.0, 5, who="Ann")
    j.close()
    with sqlite3.connect(mini_book / "journal.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = conn.execute('SELECT seq, who, sheet, key, "column", old, new, op, undoes FROM changes').fetchall()
    assert rows == [(1, "Ann", "accounts", '{"account_id": "A1"}', "growth_potential", "4", "5", "set", None)]


def test_loader_overlays_a_judgement(mini_book):
    with Journal(mini_book / "journal.sqlite") as j:
        j.set("accounts", {"account_id": "A1"}, "growth_potential", 4, 5, who="Ann")
    assert load_workbook(mini_book).accounts.loc["A1", "growth_potential"] == 5.0
    assert load_workbook(mini_book, journal=False).accounts.loc["A1", "growth_potential"] == 4.0


def test_history_answer_adds_a_dated_signed_row(mini_book):
    key = {"opportunity_id": "O1", "question_id": "budget"}
    with Journal(mini_book / "journal.sqlite") as j:
        c = j.set("qualification", key, "answer", "partly", "yes", who="Ann")
        j.set("qualification", key, "evidence", "", "Signed budget", who="Ann")
    q = load_workbook(mini_book).qualification
    budget = q[(q.opportunity_id == "O1") & (q.question_id == "budget")]
    assert list(budget["answer"]) == ["partly", "yes"]  # the sheet's row is kept as history
    new = budget.iloc[-1]
    assert (new["evidence"], new["assessed_by"], new["assessed_on"]) == ("Signed budget", "Ann", pd.Timestamp(c.day))


def test_two_participants_on_one_question_keep_their_own_rows(mini_book):
    key = {"opportunity_id": "O2", "question_id": "budget"}
    with Journal(mini_book / "journal.sqlite") as j:
        j.set("qualification", key, "answer", "", "yes", who="Ann")
        j.set("qualification", key, "answer", "", "no", who="Bo")
        j.set("qualification", key, "answer", "yes", "partly", who="Ann")
    q = load_workbook(mini_book).qualification
    rows = q[q.opportunity_id == "O2"]
    assert list(zip(rows["assessed_by"], rows["answer"], strict=False)) == [("Bo", "no"), ("Ann", "partly")]  # the last word comes last


def test_add_and_remove_rows(mini_book):
    with Journal(mini_book / "journal.sqlite") as j:
        j.add("stakeholders", {"stakeholder_id": "S9"}, {"account_id": "A1", "name": "Dee Ford", "influence": 4, "support": 2}, who="Ann")
        j.remove("actions", {"action_id": "AC1"}, {"action": "Quarterly review with the COO"}, who="Ann")
    wb = load_workbook(mini_book)
    assert wb.stakeholders.loc["S9", "name"] == "Dee Ford"
    assert wb.stakeholders.loc["S9", "influence"] == 4.0
    assert wb.actions.empty


def test_undo_the_last_change_and_nothing_left(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    j.set("accounts", {"account_id": "A1"}, "growth_potential", 4, 5, who="Ann")
    j.set("accounts", {"account_id": "A1"}, "growth_potential", 5, 2, who="Bo")
    u = j.undo("Ann")
    assert (u.op, u.undoes, u.old, u.new) == ("undo", 2, "2", "5")
    assert load_workbook(mini_book).accounts.loc["A1", "growth_potential"] == 5.0
    assert j.undo("Ann").undoes == 1
    assert j.undo("Ann") is None
    assert load_workbook(mini_book).accounts.loc["A1", "growth_potential"] == 4.0
    assert [c.op for c in j.changes()] == ["set", "set", "undo", "undo"]  # nothing is ever deleted
    assert effective(j.changes()) == []


def test_bad_journal_rows_become_problems_not_crashes(mini_book):
    with Journal(mini_book / "journal.sqlite") as j:
        j.set("accounts", {"account_id": "A1"}, "strategic_fit", 4, 9, who="Ann")
        j.set("actions", {"action_id": "AC1"}, "due", "", "2026-02-30", who="Ann")
        j.set("accounts", {"account_id": "ZZ"}, "strategic_fit", 4, 3, who="Ann")
        j.set("accounts", {"account_id": "A2"}, "strategic_fit", 3, 5, who="Ann")
    wb, problems = check_workbook(mini_book)
    found = [(p.file, p.row, p.column, p.level) for p in problems]
    # skipped with a warning: the workbook still opens
    assert ("journal.sqlite", 1, "strategic_fit", "warning") in found
    assert ("journal.sqlite", 2, "due", "warning") in found
    assert ("journal.sqlite", 3, "key", "warning") in found
    assert "a score from 1 to 5 (out of range)" in str(problems[0])
    assert wb.accounts.loc["A1", "strategic_fit"] == 4.0  # the bad value was not applied
    assert wb.accounts.loc["A2", "strategic_fit"] == 5.0  # the good one after it was


def test_unreadable_journal_is_reported(mini_book):
    (mini_book / "journal.sqlite").write_text("not a database")
    _, problems = check_workbook(mini_book)
    assert any(p.file == "journal.sqlite" and "a workshop journal kamnb can read" in p.expected for p in problems)


def test_reading_never_creates_the_journal(mini_book):
    j = Journal(mini_book / "journal.sqlite")
    assert j.changes() == [] and j.last_seq() == 0 and j.undo("Ann") is None
    assert not (mini_book / "journal.sqlite").exists()


def test_parse_cell_uses_the_contract():
    score = SHEETS["relationship"].column("score")
    assert parse_cell(score, "4,5") == (4.5, None)
    assert parse_cell(score, "0")[1] == "a score from 1 to 5 (out of range)"
    assert parse_cell(SHEETS["actions"].column("status"), "In Progress") == ("in_progress", None)
    assert parse_cell(SHEETS["relationship"].column("assessed_on"), "")[1].startswith("a date")


def _facilitator(path: str, who: str, n: int) -> None:
    """One facilitator's process: a full workshop session, each change read back from the journal as it goes."""
    from kamnb.workshop.session import WorkshopSession

    s = WorkshopSession(path, who=who)
    for i in range(n):
        s.change("relationship", {"account_id": "A1", "indicator_id": "prompt_payment"}, "evidence", f"{who} {i}")
        s.change("accounts", {"account_id": "A2" if who == "Ann" else "A1"}, "transparency", str(1 + i % 5))
    s.journal.close()


def test_two_facilitators_in_two_processes_lose_no_write(mini_book):
    Journal(mini_book / "journal.sqlite").connect()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_facilitator, args=(str(mini_book), who, 40)) for who in ("Ann", "Bo")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    changes = Journal(mini_book / "journal.sqlite").changes()
    assert [c.seq for c in changes] == list(range(1, len(changes) + 1))
    for who in ("Ann", "Bo"):
        evidence = [c.new for c in changes if c.who == who and c.column == "evidence"]
        assert evidence == [f"{who} {i}" for i in range(40)]
    wb = load_workbook(mini_book)
    assert wb.accounts.loc["A2", "transparency"] == 5.0 and wb.accounts.loc["A1", "transparency"] == 5.0  # 1 + 39 % 5
    rel = wb.relationship[wb.relationship.indicator_id == "prompt_payment"]
    assert set(rel["assessed_by"]) == {"Jana Weber", "Ann", "Bo"}


def test_killed_writer_loses_nothing_it_saved(mini_book):
    path = mini_book / "journal.sqlite"
    code = (
        "import os, sys\n"
        "from kamnb.workbook.journal import Journal\n"
        f"j = Journal({str(path)!r})\n"
        "j.set('accounts', {'account_id': 'A1'}, 'growth_potential', 4, 2, who='Ann')\n"
        "print('saved', flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "saved" and out.returncode == -9
    assert load_workbook(mini_book).accounts.loc["A1", "growth_potential"] == 2.0
    assert json.loads(json.dumps(Journal(path).changes()[0].key)) == {"account_id": "A1"}


def test_apply_journal_returns_new_problems(mini_book):
    with Journal(mini_book / "journal.sqlite") as j:
        j.set("nosuchsheet", {"x": "1"}, "y", "", "1", who="Ann")
    wb = load_workbook(mini_book, journal=False)
    problems = apply_journal(wb)
    assert [(p.row, p.column) for p in problems] == [(1, "sheet")]


def test_an_operation_sent_again_is_written_once_even_after_a_reopen(mini_book):
    path = mini_book / "journal.sqlite"
    with Journal(path) as j:
        first = j.add("stakeholders", {"stakeholder_id": "S9"}, {"stakeholder_id": "S9", "account_id": "A1", "name": "Rita"}, who="Ann", op_id="screen-a-1")
        again = j.add("stakeholders", {"stakeholder_id": "S10"}, {"stakeholder_id": "S10", "account_id": "A1", "name": "Rita"}, who="Ann", op_id="screen-a-1")
    assert again == first and first.op_id == "screen-a-1"
    with Journal(path) as j:  # a new connection, as after a restart of the server
        third = j.add("stakeholders", {"stakeholder_id": "S11"}, {"stakeholder_id": "S11", "account_id": "A1", "name": "Rita"}, who="Ann", op_id="screen-a-1")
        assert third == first and j.done("screen-a-1") == first and j.done("screen-b-1") is None
        undo = j.undo("Ann", by="Ann", op_id="screen-a-2")
        assert j.undo("Ann", by="Ann", op_id="screen-a-2") == undo  # a resent undo undoes nothing else
        assert [c.op for c in j.changes()] == ["add", "undo"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM changes WHERE op_id = 'screen-a-1'").fetchone() == (1,)
        try:
            conn.execute("INSERT INTO changes (at, who, sheet, key, op, op_id) VALUES ('2026-12-01T10:00:00', 'X', 'accounts', '{}', 'set', 'screen-a-1')")
        except sqlite3.IntegrityError as err:
            assert "UNIQUE" in str(err)
        else:
            raise AssertionError("the journal let a second row with the same op_id in")


def test_a_journal_from_before_operation_ids_is_upgraded_and_still_replays(mini_book):
    path = mini_book / "journal.sqlite"
    with sqlite3.connect(path) as conn:  # the table as earlier versions wrote it
        conn.execute('CREATE TABLE changes (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, sheet TEXT NOT NULL, key TEXT NOT NULL, '
                     '"column" TEXT NOT NULL DEFAULT \'\', old TEXT, new TEXT, op TEXT NOT NULL, undoes INTEGER NULL, base INTEGER NULL)')
        conn.execute("""INSERT INTO changes (at, who, sheet, key, "column", old, new, op) VALUES ('2026-11-01T10:00:00+00:00', 'Ann', 'accounts', '{"account_id": "A1"}', 'growth_potential', '4', '5', 'set')""")
    assert load_workbook(mini_book).accounts.loc["A1", "growth_potential"] == 5.0  # read as it is, without writing
    with Journal(path) as j:
        assert j.changes()[0].op_id is None
        j.set("accounts", {"account_id": "A1"}, "growth_potential", 5, 3, who="Ann", op_id="s-1")
        assert j.set("accounts", {"account_id": "A1"}, "growth_potential", 5, 3, who="Ann", op_id="s-1").seq == 2
    assert load_workbook(mini_book).accounts.loc["A1", "growth_potential"] == 3.0
