"""rows_of and rows_in give exactly what the boolean pick gives, on large sheets (through the index) and small ones."""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from kamnb.common import rows
from kamnb.common.rows import rows_in, rows_of


def sheet(n: int, seed: int = 1, index: str = "range") -> pd.DataFrame:
    rng = random.Random(seed)
    ids = [rng.choice([f"ACC-{i:03d}" for i in range(40)] + ["", None, float("nan")]) for _ in range(n)]
    frame = pd.DataFrame({"account_id": pd.Series(ids, dtype=object), "value": np.arange(n, dtype=float),
                          "name": [f"row {i}" for i in range(n)], "when": pd.date_range("2026-01-01", periods=n, freq="h")})
    if index == "ids":
        frame.index = pd.Index([f"ST-{i:05d}" for i in range(n)], name="stakeholder_id")
    elif index == "shuffled":
        frame.index = pd.Index(rng.sample(range(10 * n), n))
    return frame


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_index_type=True, check_column_type=True, check_exact=True)
    assert type(a.index) is type(b.index) and a.index.name == b.index.name


@pytest.mark.parametrize("index", ["range", "ids", "shuffled"])
def test_the_same_rows_as_the_boolean_pick_for_every_account(index) -> None:
    frame = sheet(5_000, index=index)
    for value in ["ACC-000", "ACC-017", "ACC-039", "ACC-999", ""]:
        same(rows_of(frame, value), frame[frame["account_id"] == value])
    same(rows_in(frame, ["ACC-003", "ACC-001", "ACC-003", "nobody"]), frame[frame["account_id"].isin(["ACC-003", "ACC-001", "ACC-003", "nobody"])])
    same(rows_in(frame, []), frame[frame["account_id"].isin([])])


def test_a_sheet_of_one_account_and_an_empty_pick_keep_their_kind() -> None:
    frame = pd.DataFrame({"account_id": ["A"] * 3_000, "x": range(3_000)})
    same(rows_of(frame, "A"), frame[frame["account_id"] == "A"])  # every row: a shallow copy, RangeIndex kept
    same(rows_of(frame, "B"), frame[frame["account_id"] == "B"])
    assert list(rows_of(frame, "B").columns) == ["account_id", "x"]


def test_an_edit_in_memory_is_seen_and_the_index_is_built_again() -> None:
    frame = sheet(4_000, seed=3)
    before = rows_of(frame, "ACC-005")
    frame.loc[frame.index[0], "account_id"] = "ACC-005"
    frame.loc[before.index[-1], "account_id"] = "ACC-006"
    same(rows_of(frame, "ACC-005"), frame[frame["account_id"] == "ACC-005"])
    same(rows_of(frame, "ACC-006"), frame[frame["account_id"] == "ACC-006"])


def test_small_sheets_other_values_and_other_objects_are_picked_directly(monkeypatch) -> None:
    small = sheet(50)
    same(rows_of(small, "ACC-001"), small[small["account_id"] == "ACC-001"])
    numbers = pd.DataFrame({"account_id": list(range(10)) * 300, "x": range(3_000)})
    same(rows_of(numbers, 3), numbers[numbers["account_id"] == 3])
    mixed = pd.DataFrame({"account_id": pd.Series(["A", 1, ("A",)] * 1_000, dtype=object), "x": range(3_000)})
    same(rows_of(mixed, "A"), mixed[mixed["account_id"] == "A"])
    calls = []
    monkeypatch.setattr(rows.pd, "factorize", lambda *a, **k: calls.append(1) or pd.factorize(*a, **k))
    rows_of(mixed, "A")
    assert calls == []  # a column holding other objects than texts is never indexed


def test_the_index_is_kept_while_the_column_is_unchanged(monkeypatch) -> None:
    frame = sheet(3_000, seed=7)
    rows_of(frame, "ACC-001")
    built = []
    original = rows.pd.factorize
    monkeypatch.setattr(rows.pd, "factorize", lambda *a, **k: built.append(1) or original(*a, **k))
    copy = frame.copy(deep=False)  # a reloaded workbook is handed out as such a copy
    for value in ("ACC-001", "ACC-002", "ACC-030"):
        rows_of(frame, value)
        rows_of(copy, value)
    assert built == []
    rows_of(frame.copy(), "ACC-001")  # a deep copy: a new column array, a new index
    assert built == [1]
    assert len(rows._INDEXES) <= rows.MAX_INDEXES
