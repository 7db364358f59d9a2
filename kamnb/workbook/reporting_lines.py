"""Reporting lines on the stakeholders sheet: ``reports_to`` and ``influences`` must name known people, without cycles.
"""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

from kamnb.errors import Problem

_SPLIT = re.compile(r"[;,]")


def influence_ids(text: Any) -> list[str]:
    """The ids of an ``influences`` cell, in order, without blanks or repeats.

    >>> influence_ids("ST-004; ST-005 ;;ST-004")
    ['ST-004', 'ST-005']
    """
    return list(dict.fromkeys(p.strip() for p in _SPLIT.split(str(text or "")) if p.strip()))


def check_reporting_lines(stakeholders: pd.DataFrame, label: str, problems: list[Problem]) -> None:
    """Add a problem for every reporting line or influence that cannot be drawn.

    ``stakeholders`` is the sheet as parsed (columns stakeholder_id,
    account_id, reports_to, influences, ``_row``). An unknown ``reports_to`` is
    reported by the loader's reference check; this adds: a manager at another
    account, a person reporting to themself, a reporting cycle (once, at the
    row of its first member), and each unknown or foreign id in ``influences``.
    """
    if "reports_to" not in stakeholders or stakeholders.empty:
        return
    first = stakeholders[stakeholders["stakeholder_id"] != ""].drop_duplicates("stakeholder_id")
    account = dict(zip(first["stakeholder_id"], first["account_id"], strict=True))
    row_of = dict(zip(first["stakeholder_id"], first["_row"], strict=True))
    manager = {s: m for s, m in zip(first["stakeholder_id"], first["reports_to"], strict=True) if m and m in account}
    for _, r in stakeholders.iterrows():
        sid, boss, row = r["stakeholder_id"], r["reports_to"], int(r["_row"])
        if boss and boss == sid:
            problems.append(Problem(label, row, "reports_to", boss, "the id of someone else (a person cannot report to themself)"))
        elif boss and boss in account and account[boss] != r["account_id"]:
            problems.append(Problem(label, row, "reports_to", boss, f"a stakeholder of the same account {r['account_id']} ({boss} is at {account[boss]})"))
        for other in influence_ids(r.get("influences", "")):
            if other not in account:
                problems.append(Problem(label, row, "influences", other, "ids from the stakeholders sheet separated by ';' (this one is not a stakeholder)"))
            elif account[other] != r["account_id"]:
                problems.append(Problem(label, row, "influences", other, f"stakeholders of the same account {r['account_id']} ({other} is at {account[other]})"))
    reported: set[str] = set()
    for start in manager:
        if start in reported or manager.get(start) == start:
            continue
        chain = [start]
        node = manager.get(start)
        while node and node not in chain and node != start:
            chain.append(node)
            node = manager.get(node)
        if node == start:
            reported.update(chain)
            text = " -> ".join(chain + [start])
            problems.append(Problem(label, int(row_of[start]), "reports_to", manager[start],
                                    f"a reporting line that ends at the top of the organisation (cycle {text})"))

