"""kamnb export: the current state (sheets + workshop journal) written back as sheets, originals untouched unless asked."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd

from kamnb.cli import main
from kamnb.workbook import load_workbook
from kamnb.workbook.journal import Journal


def _workshop(book):
    with Journal(book / "journal.sqlite") as j:
        j.set("accounts", {"account_id": "A1"}, "growth_potential", 4, 5, who="Ann")
        j.set("qualification", {"opportunity_id": "O2", "question_id": "budget"}, "answer", "", "no", who="Bo")
        j.add("stakeholders", {"stakeholder_id": "S9"}, {"account_id": "A1", "name": "Dee Ford", "influence": 4, "support": 2}, who="Ann")
        j.set("actions", {"action_id": "AC1"}, "due", "2026-12-15", "2027-01-20", who="Ann")


def test_export_to_a_new_folder_keeps_originals(mini_book, tmp_path, capsys):
    _workshop(mini_book)
    before = {p.name: p.read_bytes() for p in mini_book.glob("*.csv")}
    out = tmp_path / "out"
    assert main(["export", str(mini_book), "--out", str(out)]) == 0
    assert f"current state written to {out}" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in mini_book.glob("*.csv")} == before
    accounts = pd.read_csv(out / "accounts.csv", encoding="utf-8-sig")
    assert accounts.set_index("account_id").loc["A1", "growth_potential"] == 5
    actions = (out / "actions.csv").read_text(encoding="utf-8-sig")
    assert "2027-01-20" in actions and "2026-12-15" not in actions
    # the export is itself a workbook, with no journal: it loads to the same state
    again, now = load_workbook(out), load_workbook(mini_book)
    assert again.stakeholders.loc["S9", "name"] == "Dee Ford"
    q = again.qualification
    assert q[(q.opportunity_id == "O2")].iloc[-1][["answer", "assessed_by"]].tolist() == ["no", "Bo"]
    for sheet in ("accounts", "stakeholders", "qualification", "actions"):
        cols = [c for c in now.sheets[sheet].columns if c != "_row"]
        pd.testing.assert_frame_equal(again.sheets[sheet][cols].reset_index(drop=True), now.sheets[sheet][cols].reset_index(drop=True))
    assert (out / "settings.yaml").exists()


def test_export_xlsx_has_one_tab_per_sheet(mini_book, tmp_path):
    from openpyxl import load_workbook as open_xlsx

    _workshop(mini_book)
    target = tmp_path / "now.xlsx"
    assert main(["export", str(mini_book), "--out", str(target), "--xlsx"]) == 0
    book = open_xlsx(target)
    assert {"accounts", "stakeholders", "qualification", "actions"} <= set(book.sheetnames)
    rows = list(book["accounts"].iter_rows(values_only=True))
    header = rows[0]
    a1 = next(r for r in rows if r[0] == "A1")
    assert a1[header.index("growth_potential")] == 5
    assert load_workbook(target).accounts.loc["A1", "growth_potential"] == 5.0


def test_in_place_backs_up_first_and_retires_the_journal(mini_book):
    _workshop(mini_book)
    original = (mini_book / "accounts.csv").read_bytes()
    assert main(["export", str(mini_book), "--in-place"]) == 0
    backups = list(mini_book.glob("backup-*"))
    assert len(backups) == 1
    assert (backups[0] / "accounts.csv").read_bytes() == original
    assert (backups[0] / "journal.sqlite").exists() and not (mini_book / "journal.sqlite").exists()
    wb = load_workbook(mini_book)  # no journal left: the sheets alone hold the workshop's answers, applied once
    assert wb.accounts.loc["A1", "growth_potential"] == 5.0
    assert list(wb.stakeholders.index).count("S9") == 1
    assert not [p for p in wb.problems if p.level == "error"]


def test_refuses_to_overwrite_without_in_place(mini_book, capsys):
    assert main(["export", str(mini_book), "--out", str(mini_book)]) == 1
    assert "use --in-place" in capsys.readouterr().err


def test_missing_workbook_is_a_usage_error(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kamnb", "export", str(tmp_path / "nope")], capture_output=True, text=True)
    assert out.returncode == 2 and "no workbook at" in out.stderr
