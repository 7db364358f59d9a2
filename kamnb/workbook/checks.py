"""Checks across rows and sheets once the cells are typed: unique ids, references, parent cycles, value ranges.

Also lays the room's judgements (the ``to_judge`` sheet) over the accounts.
"""
from __future__ import annotations

import pandas as pd

from kamnb.errors import Problem
from kamnb.workbook.frames import MAX_PROBLEMS_PER_COLUMN, CappedProblems
from kamnb.workbook.schema import SHEETS, Sheet


def check_ids(sheet: Sheet, frame: pd.DataFrame, label: str, problems: list[Problem]) -> None:
    """Report every id used a second time in its sheet, naming the row that used it first."""
    id_cols = [c for c in sheet.columns if c.kind == "id"]
    for col in id_cols:
        filled = frame[frame[col.name] != ""]
        dup = filled[filled.duplicated(col.name, keep="first")]
        for _, row in dup.iterrows():
            first = filled.loc[filled[col.name] == row[col.name], "_row"].iloc[0]
            problems.append(Problem(label, int(row["_row"]), col.name, row[col.name], f"a unique id (already used on row {first})"))


def check_refs(frames: dict[str, pd.DataFrame], labels: dict[str, str], known: dict[str, set[str]], problems: list[Problem]) -> None:
    """Report every reference to an id its sheet does not hold (sheets missing from ``known`` are not checked)."""
    for name, frame in frames.items():
        for col in SHEETS[name].columns:
            if col.kind != "ref" or col.ref_sheet is None or col.name not in frame:
                continue
            if col.ref_sheet not in known:
                continue
            ids = known[col.ref_sheet]
            bad = frame[(frame[col.name] != "") & ~frame[col.name].isin(ids)]
            shown = bad.head(MAX_PROBLEMS_PER_COLUMN + 1)
            for _, row in shown.iterrows():
                problems.append(Problem(labels[name], int(row["_row"]), col.name, row[col.name], col.expected))
            if len(bad) > len(shown) and isinstance(problems, CappedProblems):
                problems.count_more(labels[name], col.name, len(bad) - len(shown))


def check_parent_cycles(accounts: pd.DataFrame, label: str, problems: list[Problem]) -> None:
    """Report each chain of parent accounts that leads back to where it started, once."""
    parent = {a: p for a, p in zip(accounts["account_id"], accounts["parent_id"], strict=True) if p}
    rows = dict(zip(accounts["account_id"], accounts["_row"], strict=True))
    reported: set[str] = set()
    for start in parent:
        seen = [start]
        node = parent.get(start)
        while node and node not in seen:
            seen.append(node)
            node = parent.get(node)
        if node and node == start and start not in reported:
            reported.update(seen)
            chain = " -> ".join(seen + [start])
            problems.append(Problem(label, int(rows[start]), "parent_id", parent[start], f"a parent that does not lead back to the account itself (cycle {chain})"))


def lay_judgements(frames: dict[str, pd.DataFrame]) -> None:
    """Lay every filled cell of the to_judge sheet over the accounts sheet (what the room decided wins)."""
    judge = frames.get("to_judge")
    if judge is None or judge.empty:
        return
    acc = frames["accounts"]
    pos = {a: i for i, a in enumerate(acc["account_id"])}
    for col in (c for c in SHEETS["to_judge"].column_names if c in acc.columns and c not in ("account_id", "name")):
        for a, v in zip(judge["account_id"], judge[col], strict=True):
            if a in pos and not (v is None or v == "" or (isinstance(v, float) and v != v)):
                acc.iat[pos[a], acc.columns.get_loc(col)] = v


def check_value_ranges(value: pd.DataFrame, label: str, problems: list[Problem]) -> None:
    """Report every value row whose low, expected and high figures are not in that order."""
    low, mid, high = value["value_low"], value["value_expected"], value["value_high"]
    bad = (low > mid) | (mid > high) | (low > high)
    for _, row in value[bad.fillna(False)].iterrows():
        problems.append(Problem(label, int(row["_row"]), "value_expected", None, "value_low <= value_expected <= value_high"))
