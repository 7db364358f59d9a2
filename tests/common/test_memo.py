"""Portfolio results are remembered by content: an in-place edit is seen, a caller cannot spoil the stored copy."""
from __future__ import annotations

import pandas as pd
import pytest

from kamnb.classification.score import classify
from kamnb.common import memo
from kamnb.relationships.grid import contact_map
from kamnb.relationships.redflags import red_flag, red_flags, remove_red_flag
from kamnb.relationships.score import relationship_scores, score_history
from kamnb.workbook import load_workbook


@pytest.fixture()
def wb():
    from pathlib import Path

    return load_workbook(Path(__file__).resolve().parents[2] / "data" / "sample")


def test_frame_digest_follows_content_not_identity():
    a = pd.DataFrame({"x": [1.0, float("nan")], "t": ["a", ""], "d": pd.to_datetime(["2026-01-01", None])}, index=["A", "B"])
    assert memo.frame_digest(a) == memo.frame_digest(a.copy())
    assert memo.frame_digest(a) != memo.frame_digest(a.assign(t=["a", "b"]))
    assert memo.frame_digest(a) != memo.frame_digest(a.rename(index={"B": "C"}))
    assert memo.frame_digest(a) != memo.frame_digest(a.rename(columns={"x": "y"}))


def test_an_edit_in_memory_is_seen(wb):
    before = relationship_scores(wb).loc["ACC-001", "score"]
    rows = wb.relationship.index[wb.relationship["account_id"] == "ACC-001"]
    wb.relationship.loc[rows, "score"] = 5.0          # what the live workshop does: change a value, recompute
    after = relationship_scores(wb).loc["ACC-001", "score"]
    assert after > before
    assert relationship_scores(load_workbook(wb.path)).loc["ACC-001", "score"] == pytest.approx(before)


def test_a_caller_cannot_change_what_the_next_caller_gets(wb):
    first = contact_map(wb)
    first.loc["ACC-001", "coverage"] = -1.0
    assert contact_map(wb).loc["ACC-001", "coverage"] >= 0
    res = classify(wb)
    res["key_score"] = 0.0
    assert classify(wb)["key_score"].max() > 0


def test_one_account_equals_its_rows_of_the_portfolio(wb):
    every = score_history(wb)
    one = score_history(wb, "ACC-002")
    pd.testing.assert_frame_equal(one, every[every["account_id"] == "ACC-002"].reset_index(drop=True))
    flags = red_flags(wb)
    for account in ("ACC-001", "ACC-003"):
        mine = flags[flags["account_id"] == account].reset_index(drop=True)
        pd.testing.assert_frame_equal(red_flags(wb, account), mine, check_dtype=bool(len(mine)))


def test_a_users_rule_still_sees_only_the_account(wb):
    seen = []

    @red_flag("memo_test_rule", "low", "test")
    def rule(w):
        seen.append(list(w.accounts.index))
        return [{"account_id": a, "detail": "x"} for a in w.accounts.index]

    try:
        out = red_flags(wb, "ACC-003")
    finally:
        remove_red_flag("memo_test_rule")
    assert seen == [["ACC-003"]]
    assert set(out.loc[out["flag"] == "memo_test_rule", "account_id"]) == {"ACC-003"}


def test_least_recently_used_results_are_dropped():
    memo.clear()
    for i in range(memo.MAX_ENTRIES + 5):
        memo.remember(("t", i), lambda i=i: i)
    assert len(memo._STORE) == memo.MAX_ENTRIES
    assert ("t", 0) not in memo._STORE and ("t", memo.MAX_ENTRIES + 4) in memo._STORE


def test_a_table_seen_before_is_recognised_without_reading_its_text_again(monkeypatch):
    memo.clear()
    a = pd.DataFrame({"x": [1.0, 2.0], "t": ["alpha", "beta"]}, index=["A", "B"])
    first = memo.frame_digest(a)
    reads = []
    real = memo._content_digest
    monkeypatch.setattr(memo, "_content_digest", lambda *args: reads.append(1) or real(*args))
    assert memo.frame_digest(a) == first and memo.frame_digest(a.copy()) == first  # a copy points at the same text objects
    assert reads == []
    b = a.copy()
    b.loc["B", "t"] = "gamma"  # edited in place: new text object, so read again
    assert memo.frame_digest(b) == memo.frame_digest(a.assign(t=["alpha", "gamma"])) != first
    assert reads
    rebuilt = pd.DataFrame({"x": [1.0, 2.0], "t": ["alph" + "a", "bet" + "a"]}, index=["A", "B"])  # equal text, other objects
    assert memo.frame_digest(rebuilt) == first


def test_a_cell_holding_a_changeable_object_is_hashed_every_time():
    memo.clear()
    cell = ["a"]
    a = pd.DataFrame({"t": pd.Series([cell, "b"], dtype=object)})
    before = memo.frame_digest(a)
    cell.append("changed")  # the same object, changed in place: its address alone cannot tell
    assert memo.frame_digest(a) != before
    assert memo._DIGESTS == {}


def test_remembered_digests_stay_bounded():
    memo.clear()
    for i in range(memo.MAX_DIGESTS + 20):
        memo.frame_digest(pd.DataFrame({"t": [f"row {i}"]}))
    assert len(memo._DIGESTS) == memo.MAX_DIGESTS


def test_a_content_stamp_keys_by_sheet_and_is_not_copied(wb, monkeypatch):
    import dataclasses

    stamped = dataclasses.replace(wb)
    stamped.content_stamp = (("book", 1), {name: 0 for name in wb.sheets})
    monkeypatch.setattr(memo, "frame_digest", lambda frame: (_ for _ in ()).throw(AssertionError("hashed a sheet")))
    one = memo.workbook_key(stamped, ("accounts", "relationship"))
    stamped.content_stamp[1]["qualification"] = 1  # another sheet changed: the key of these two stays
    assert memo.workbook_key(stamped, ("accounts", "relationship")) == one
    stamped.content_stamp[1]["relationship"] = 1
    assert memo.workbook_key(stamped, ("accounts", "relationship")) != one
    assert dataclasses.replace(stamped).content_stamp is None  # a workbook made from it is hashed again


def test_the_same_table_asked_again_is_compared_not_hashed(monkeypatch):
    memo.clear()
    a = pd.DataFrame({"x": [1.0, 2.0], "t": ["alpha", "beta"]})
    first = memo.frame_digest(a)
    hashed = []
    real = memo._digest_by_identity
    monkeypatch.setattr(memo, "_digest_by_identity", lambda *args: hashed.append(1) or real(*args))
    assert memo.frame_digest(a) == first and hashed == []
    a.loc[0, "x"] = 3.0  # a number changed in place: compared unequal, so hashed again
    assert memo.frame_digest(a) != first and hashed == [1]
    a.loc[0, "x"] = 1.0
    a.loc[1, "t"] = "gamma"  # a text changed in place: a new object at another address
    assert memo.frame_digest(a) == memo.frame_digest(pd.DataFrame({"x": [1.0, 2.0], "t": ["alpha", "gamma"]}))
    del a
    import gc

    gc.collect()
    assert memo._SEEN == {}  # each table's entry leaves when the table is freed
