"""Export and import on a full disk or into a bad target: a clear message, the inputs unchanged, the new workbook
whole or absent. The disk is a small tmpfs when the test may mount one, else a simulated ENOSPC (tests/disk.py)."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from disk import full_disk, snapshot
from helpers import write_mini

from kamnb.cli import main
from kamnb.workbook import load_workbook
from kamnb.workbook.journal import Journal


def with_journal(book: Path) -> Path:
    with Journal(book / "journal.sqlite") as j:
        j.set("accounts", {"account_id": "A1"}, "strategic_fit", 4, 5, who="Ann")
    return book


def on_disk(data: list[bytes], how: str) -> int:
    """Bytes these files take: whole 4 KiB pages on tmpfs, exact bytes when simulated."""
    return sum(math.ceil(len(d) / 4096) * 4096 if how == "tmpfs" else len(d) for d in data)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".kamnb-new-*"))


def test_export_on_a_full_disk_leaves_no_truncated_workbook(tmp_path, monkeypatch, capsys):
    book = with_journal(write_mini(tmp_path / "wb"))
    before = snapshot(book)
    with full_disk(tmp_path, monkeypatch) as (disk, how, fill):
        fill(3000)  # room for a sheet or two, not for the workbook
        code = main(["export", str(book), "--out", str(disk / "exported")])
        err = capsys.readouterr().err
        assert code == 1, how
        assert f"kamnb export: cannot write into {disk / 'exported'}: the disk is full (No space left on device)" in err
        assert "the workbook is unchanged and nothing was written" in err and "Traceback" not in err
        assert not (disk / "exported").exists()
        assert leftovers(disk) == []
    assert snapshot(book) == before


def test_xlsx_export_on_a_full_disk_leaves_no_file(tmp_path, monkeypatch, capsys):
    pytest.importorskip("openpyxl")
    book = write_mini(tmp_path / "wb")
    with full_disk(tmp_path, monkeypatch) as (disk, how, fill):
        fill(2000)
        assert main(["export", str(book), "--xlsx", "--out", str(disk / "now.xlsx")]) == 1, how
        assert "the disk is full" in capsys.readouterr().err
        assert not (disk / "now.xlsx").exists() and leftovers(disk) == []


@pytest.mark.parametrize("stage", ["backup", "sheets"])
def test_in_place_export_on_a_full_disk_keeps_originals_and_journal(tmp_path, monkeypatch, capsys, stage):
    with full_disk(tmp_path, monkeypatch) as (disk, how, fill):
        book = with_journal(write_mini(disk / "wb"))
        before = snapshot(book)
        backup_size = on_disk([p.read_bytes() for p in book.iterdir() if p.suffix == ".csv" or p.name.startswith("journal.sqlite")], how)
        fill(2000 if stage == "backup" else backup_size + 2000)
        code = main(["export", str(book), "--in-place"])
        err = capsys.readouterr().err
        assert code == 1, (how, err)
        assert "the disk is full" in err and "Traceback" not in err
        after = snapshot(book)
        backups = sorted({k.split("/")[0] for k in after if k.startswith("backup-")})
        assert {k: v for k, v in after.items() if not k.startswith("backup-")} == before
        if backups:  # the backup, when it was made, is complete
            assert {k.split("/", 1)[1]: v for k, v in after.items() if k.startswith(backups[0] + "/")} == {
                k: v for k, v in before.items() if k.endswith(".csv") or k.startswith("journal.sqlite")
            }
        assert leftovers(disk) == []
        assert load_workbook(book).accounts.loc["A1", "strategic_fit"] == 5.0  # the journal still applies


def test_in_place_export_backs_up_then_replaces(tmp_path, capsys):
    book = with_journal(write_mini(tmp_path / "wb"))
    originals = {p.name: p.read_bytes() for p in book.glob("*.csv")}
    assert main(["export", str(book), "--in-place"]) == 0
    backup = next(book.glob("backup-*"))
    assert {p.name: p.read_bytes() for p in backup.glob("*.csv")} == originals
    assert (backup / "journal.sqlite").exists() and not (book / "journal.sqlite").exists()
    assert load_workbook(book).accounts.loc["A1", "strategic_fit"] == 5.0
    assert leftovers(tmp_path) == []


def test_export_into_a_folder_that_holds_files_is_refused(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    assert main(["export", str(book), "--out", str(target)]) == 1
    assert f"kamnb export: {target} already holds files; choose a new or empty folder" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_export_onto_a_file_is_refused(tmp_path, capsys):
    book = write_mini(tmp_path / "wb")
    (tmp_path / "taken").write_text("x")
    assert main(["export", str(book), "--out", str(tmp_path / "taken")]) == 1
    assert "is a file; choose a new or empty folder" in capsys.readouterr().err
    assert (tmp_path / "taken").read_text() == "x"


def crm_export(folder: Path) -> Path:
    """A small CRM export in the Maven layout."""
    folder.mkdir(parents=True)
    (folder / "accounts.csv").write_text(
        "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
        "Acme,retail,1990,120.5,900,United States,\nBeta,software,2001,80,300,Germany,\n"
    )
    (folder / "products.csv").write_text("product,series,sales_price\nGTX Basic,GTX,550\nMG Special,MG,55\n")
    (folder / "sales_teams.csv").write_text("sales_agent,manager,regional_office\nAnn Lee,Bo Chen,Central\n")
    rows = [f"D{n},Ann Lee,GTX Basic,{acc},{stage},2017-0{m}-01,{close},{value}" for n, (acc, stage, m, close, value) in enumerate([
        ("Acme", "Won", 1, "2017-03-01", 600), ("Acme", "Engaging", 2, "", ""), ("Beta", "Won", 3, "2017-05-01", 500), ("Beta", "Lost", 4, "2017-06-01", 0),
    ])]
    (folder / "sales_pipeline.csv").write_text("opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n" + "\n".join(rows) + "\n")
    return folder


def test_import_crm_on_a_full_disk_leaves_no_half_workbook(tmp_path, monkeypatch, capsys):
    export = crm_export(tmp_path / "crm")
    assert main(["import-crm", str(export), "--out", str(tmp_path / "ok")]) == 0  # the export itself imports fine
    capsys.readouterr()
    before = snapshot(export)
    with full_disk(tmp_path, monkeypatch) as (disk, how, fill):
        fill(3000)
        code = main(["import-crm", str(export), "--out", str(disk / "imported")])
        err = capsys.readouterr().err
        assert code == 1, how
        assert f"cannot write into {disk / 'imported'}: the disk is full" in err and "Traceback" not in err
        assert not (disk / "imported").exists() and leftovers(disk) == []
    assert snapshot(export) == before


def test_a_second_import_replaces_the_first_whole(tmp_path, capsys):
    export = crm_export(tmp_path / "crm")
    out = tmp_path / "imported"
    assert main(["import-crm", str(export), "--out", str(out)]) == 0
    first = snapshot(out)
    assert main(["import-crm", str(export), "--out", str(out)]) == 0
    assert snapshot(out).keys() == first.keys()
    shutil.rmtree(out)


def test_the_simulated_full_disk_gives_the_same_answer(tmp_path, monkeypatch, capsys):
    import disk

    monkeypatch.setattr(disk, "can_mount", lambda: False)  # as on a machine where the test may not mount a tmpfs
    book = write_mini(tmp_path / "wb")
    with full_disk(tmp_path, monkeypatch) as (folder, how, fill):
        assert how == "simulated"
        fill(500)  # bytes: room for the first sheet, not the rest
        assert main(["export", str(book), "--out", str(folder / "exported")]) == 1
        assert "the disk is full (No space left on device)" in capsys.readouterr().err
        assert not (folder / "exported").exists() and leftovers(folder) == []
