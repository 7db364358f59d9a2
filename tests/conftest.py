"""Shared fixtures: throw-away copies of workbooks, so no test ever writes to data/sample."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import SAMPLE, write_mini


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A fresh copy of data/sample in tmp_path (skips when the sample is not there)."""
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip(f"the sample workbook is missing: {SAMPLE} has no accounts.csv")
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("journal.sqlite*", "*.journal.sqlite*"))
    return target


@pytest.fixture
def mini_book(tmp_path: Path) -> Path:
    """A fresh two-account workbook (A1 Alpha Freight, A2 Beta Energy) in tmp_path."""
    return write_mini(tmp_path / "mini")


@pytest.fixture(scope="session")
def hostile_book(tmp_path_factory) -> Path:
    """The hostile workbook of tests/hostile.py (attacks in every text), written once per test run."""
    from hostile import write_hostile

    return write_hostile(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def hostile_run(hostile_book, tmp_path_factory) -> Path:
    """The batch's reports for the hostile account and one more, run once per test run."""
    from hostile import HOSTILE_ID

    from kamnb.batch.run import RunOptions, run_batch

    out = tmp_path_factory.mktemp("hostile-run") / "reports"
    assert run_batch(RunOptions(workbook=hostile_book, out=out, accounts=[HOSTILE_ID, "ACC-002"], workers=2, quiet=True)) == 0
    return out
