"""The contact map of one account as a table: reach, redundancy, resilience, coverage and the reporting lines.
"""
from __future__ import annotations

import pandas as pd

from kamnb.relationships.grid import contact_map
from kamnb.workbook import Workbook


def contact_summary(wb: Workbook, account_id: str) -> pd.DataFrame:
    """One account's contact map in words: a two-column table (measure, value) to read top to bottom.

    Example:
        >>> contact_summary(wb, "ACC-001").iloc[0, 0]
        '40 / 6 / 46'
    """
    wb.account(account_id)
    m = contact_map(wb).loc[account_id]

    def n(x: float) -> str:
        return "–" if x != x else f"{x:.0f}"

    rows = [
        ("Their stakeholders / our people / links", f"{m['their_people']} / {m['our_people']} / {m['links']}"),
        ("Reach: their influence we reach at all", n(m["reach"]) + " / 100"),
        ("Redundancy: their influence two or more of ours reach", n(m["redundancy"]) + " / 100"),
        ("Resilience: reach left after the worst single departure", n(m["resilience"]) + " / 100"),
        ("Coverage (mean of the three)", n(m["coverage"]) + " / 100"),
        ("Shape", m["shape"] or "–"),
        ("Their decision-makers", str(m["decision_makers"])),
        ("Decision-makers known by only one of ours", str(m["dm_single_threaded"])),
        ("Decision-makers none of ours knows", str(m["dm_uncovered"])),
    ]
    from kamnb.relationships.orgchart import has_lines, line_summary

    if has_lines(wb, account_id):
        with_manager, unreached = line_summary(wb, account_id)
        rows.append(("Decision-makers whose manager none of ours reaches", f"{unreached} of {with_manager} with a manager on the sheet"))
    if m["key_person"]:
        rows.append((f"Decision-makers who hang on {m['key_person']} alone", f"{m['dm_on_key_person']} ({n(m['dm_influence_on_key_person_pct'])}% of their influence)"))
        rows.append((f"Coverage if {m['key_person']} left", f"{n(m['coverage_without_key_person'])} / 100 (now {n(m['coverage'])})"))
    return pd.DataFrame(rows, columns=["measure", "value"]).set_index("measure")

