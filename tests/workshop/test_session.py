"""A workshop session: who sways whom checked and named, an operation sent twice written once."""
from __future__ import annotations

from kamnb.workbook import load_workbook
from kamnb.workshop.session import WorkshopSession


def test_sways_are_checked_written_one_way_and_named(sample_copy):
    s = WorkshopSession(sample_copy, who="Ann")
    key = {"stakeholder_id": "ST-002"}
    ch, error = s.change("stakeholders", key, "influences", "ST-003;ST-004 ; ST-003")
    assert error is None and ch is not None and ch.new == "ST-003; ST-004"
    assert s.describe(ch) == "Anna Engel sways “Jörg Seidel, Carina Krüger”"
    assert s.change("stakeholders", key, "influences", "ST-002")[1] == "Anna Engel cannot sway themself; not saved"
    foreign = load_workbook(sample_copy).stakeholders.query("account_id != 'ACC-001'").index[0]
    assert s.change("stakeholders", key, "influences", f"ST-003; {foreign}")[1] == f"{foreign} is not a person of this account; not saved"
    assert s.change("stakeholders", key, "influences", "ST-999")[1] == "ST-999 is not a person of this account; not saved"
    assert load_workbook(sample_copy).stakeholders.loc["ST-002", "influences"] == "ST-003; ST-004"
    assert len(s.journal.changes()) == 1


def test_the_same_operation_twice_is_one_change(sample_copy):
    s = WorkshopSession(sample_copy, who="Ann")
    first, _ = s.add_row("stakeholders", {"account_id": "ACC-001", "name": "Rita", "influence": "3", "support": "3"}, op_id="op-1")
    again, _ = s.add_row("stakeholders", {"account_id": "ACC-001", "name": "Rita", "influence": "3", "support": "3"}, op_id="op-1")
    assert first == again
    later = WorkshopSession(sample_copy, who="Ann")  # a restarted server
    assert later.add_row("stakeholders", {"account_id": "ACC-001", "name": "Rita"}, op_id="op-1")[0] == first
    assert list(later.wb.stakeholders["name"]).count("Rita") == 1
    undo = later.undo(op_id="op-2")
    assert later.undo(op_id="op-2") == undo and "Rita" not in list(later.wb.stakeholders["name"])
    assert [c.op for c in later.journal.changes()] == ["add", "undo"]


def test_a_choice_is_named_in_words_in_the_status_and_the_undo_button(sample_copy):
    s = WorkshopSession(sample_copy, who="Ann")
    ch, _ = s.change("stakeholders", {"stakeholder_id": "ST-002"}, "decision_role", "economic_buyer")
    assert s.describe(ch) == "decision role of Anna Engel to “economic buyer”"
    assert s.next_step() == "decision role of Anna Engel to “economic buyer”"
    action = s.wb.actions.index[0]
    ch, _ = s.change("actions", {"action_id": action}, "status", "in_progress")
    assert s.describe(ch).endswith("to “in progress”")
