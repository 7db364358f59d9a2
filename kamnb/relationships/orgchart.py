"""The buying organisation: who reports to whom, who sways whom, and whether our coverage follows the lines.

Two optional columns of the stakeholders sheet carry it: ``reports_to`` (the
id of the person's manager, of the same account) and ``influences`` (ids of
people the person sways beyond the reporting line, separated by ``;``).
:func:`check_reporting_lines` is part of validation: an id that is not a
stakeholder, a manager or an influenced person at another account, and a
reporting cycle (named link by link) are errors. :func:`org_layout` places
each person for the org chart (:func:`kamnb.plots.relationships.org_chart`),
and :func:`line_coverage` asks for each decision-maker whether we reach the
person they report to.

Example:
    >>> import pandas as pd
    >>> from kamnb.errors import Problem
    >>> st = pd.DataFrame({"stakeholder_id": ["A", "B", "C"], "account_id": ["X"] * 3, "reports_to": ["B", "C", "A"],
    ...                    "influences": ["", "", ""], "_row": [2, 3, 4]})
    >>> problems: list[Problem] = []
    >>> from kamnb.workbook.reporting_lines import check_reporting_lines
    >>> check_reporting_lines(st, "stakeholders.csv", problems)
    >>> print(problems[0])
    stakeholders.csv, row 2, column reports_to: found 'B', expected a reporting line that ends at the top of the organisation (cycle A -> B -> C -> A)
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamnb.workbook.reporting_lines import influence_ids


def _people(wb: Any, account_id: str) -> pd.DataFrame:
    from kamnb.relationships.grid import stakeholder_zones

    z = stakeholder_zones(wb, account_id)
    st = wb.stakeholders
    z["reports_to"] = st["reports_to"].reindex(z.index).fillna("") if "reports_to" in st else ""
    z["influences"] = st["influences"].reindex(z.index).fillna("") if "influences" in st else ""
    z.loc[~z["reports_to"].isin(z.index) | (z["reports_to"] == z.index), "reports_to"] = ""
    return z


def has_lines(wb: Any, account_id: str) -> bool:
    """True when at least one of the account's stakeholders names a manager or someone they influence.

    Example:
        >>> has_lines(load_workbook("data/sample"), "ACC-001"), has_lines(wb, "ACC-003")
        (True, False)
    """
    st = wb.for_account("stakeholders", account_id)
    return any(col in st and bool((st[col].fillna("") != "").any()) for col in ("reports_to", "influences"))


CHART_LIMIT = 18
"""An org chart larger than this shows the decision chain only (see :func:`decision_chain`)."""


def decision_chain(z: pd.DataFrame, limit: int = CHART_LIMIT) -> pd.DataFrame:
    """The people a large org chart keeps: decision-makers and everyone above them, most influential first up to ``limit``.

    A kept person whose manager is left out reports to the nearest kept
    person above. ``attrs["hidden"]`` says how many were left out.

    >>> z = pd.DataFrame({"reports_to": ["", "a", "b", "b"], "decision_maker": [False, False, True, False],
    ...                   "influence": [5.0, 4.0, 3.0, 1.0]}, index=["a", "b", "c", "d"])
    >>> out = decision_chain(z, limit=3)
    >>> sorted(out.index), out.attrs["hidden"]
    (['a', 'b', 'c'], 1)
    """
    if len(z) <= limit:
        out = z.copy()
        out.attrs["hidden"] = 0
        return out
    boss = z["reports_to"].to_dict()
    keep: list[str] = []
    order = z.assign(_i=z["influence"].fillna(0)).sort_values(["decision_maker", "_i"], ascending=[False, False], kind="stable").index
    for sid in order:
        if not z.at[sid, "decision_maker"] and len(keep) >= limit:
            break
        chain, node, seen = [], sid, set()
        while node and node not in seen:
            seen.add(node)
            chain.append(node)
            node = boss.get(node, "")
        for n in chain:
            if n not in keep:
                keep.append(n)
        if len(keep) >= limit and not z.at[sid, "decision_maker"]:
            break
    kept = set(keep)
    out = z.loc[[s for s in z.index if s in kept]].copy()

    def nearest(s: str) -> str:
        node, seen = boss.get(s, ""), {s}
        while node and node not in kept and node not in seen:
            seen.add(node)
            node = boss.get(node, "")
        return node if node in kept else ""

    out["reports_to"] = [nearest(s) for s in out.index]
    out.attrs["hidden"] = len(z) - len(out)
    return out


def org_layout(wb: Any, account_id: str, limit: int = CHART_LIMIT) -> pd.DataFrame:
    """Each stakeholder's place on the org chart: depth (0 at the top) and x (leaves spaced one apart, managers centred).

    Columns: name, title, influence, support, zone, decision_maker,
    our_people, reports_to, influences, depth, x. People without a manager
    and without a team are roots, side by side, the larger team first;
    people on no reporting line at all sit in rows under the trees. An
    account with more than ``limit`` people keeps its decision chain only
    (``attrs["hidden"]`` counts the others). A cycle (rejected by validation)
    cannot reach this function through the loader.

    Example:
        >>> int(org_layout(wb, "ACC-001").loc["ST-012", "depth"])
        0
    """
    everyone = _people(wb, account_id)
    has_line = bool((everyone["reports_to"] != "").any())
    z = decision_chain(everyone, limit) if has_line else everyone
    hidden = int(z.attrs.get("hidden", 0))
    children: dict[str, list[str]] = {s: [] for s in z.index}
    for sid, boss in z["reports_to"].items():
        if boss:
            children[boss].append(sid)
    size: dict[str, int] = {}

    def count(s: str, seen: frozenset[str] = frozenset()) -> int:
        if s not in size:
            size[s] = 1 + sum(count(c, seen | {s}) for c in children[s] if c not in seen)
        return size[s]

    for kids in children.values():
        kids.sort(key=lambda c: (-count(c), -float(z.at[c, "influence"] or 0), str(z.at[c, "name"])))
    roots = sorted([s for s in z.index if not z.at[s, "reports_to"]], key=lambda s: (-count(s), -float(z.at[s, "influence"] or 0), str(z.at[s, "name"])))
    depth: dict[str, int] = {}
    xpos: dict[str, float] = {}
    cursor = [0.0]

    def place(s: str, d: int) -> float:
        depth[s] = d
        kids = [c for c in children[s] if c not in depth]
        if not kids:
            xpos[s] = cursor[0]
            cursor[0] += 1.0
        else:
            xs = [place(c, d + 1) for c in kids]
            xpos[s] = (xs[0] + xs[-1]) / 2
        return xpos[s]

    trees = [r for r in roots if children[r]]
    alone = [r for r in roots if not children[r]]
    for r in trees:
        place(r, 0)
        cursor[0] += 0.5  # a little air between separate trees
    # People on no reporting line wait in rows under the trees (or form the chart when nobody has a line).
    below = (max(depth.values()) + 1) if depth else 0
    per_row = max(int(cursor[0]), min(len(alone), 8), 1)
    for n, s in enumerate(alone):
        depth[s] = below + n // per_row
        xpos[s] = float(n % per_row)
    out = z[["name", "title", "influence", "support", "zone", "decision_maker", "our_people", "reports_to", "influences"]].copy()
    out["depth"] = pd.Series(depth).reindex(out.index).fillna(0).astype(int)
    out["x"] = pd.Series(xpos).reindex(out.index).astype(float)
    out.attrs["hidden"] = hidden
    return out


def influence_links(wb: Any, account_id: str) -> pd.DataFrame:
    """Who sways whom beyond the reporting line: one row per (source, target) of the account.

    >>> influence_links(wb, "ACC-001").columns.tolist()
    ['source', 'target']
    """
    z = _people(wb, account_id)
    rows = [(s, t) for s, text in z["influences"].items() for t in influence_ids(text) if t in z.index and t != s]
    return pd.DataFrame(rows, columns=["source", "target"])


def line_coverage(wb: Any, account_id: str) -> pd.DataFrame:
    """For each decision-maker: the person they report to, and whether any of ours reaches that person.

    Columns: decision_maker (name), reports_to (name, "(top of the organisation)"
    when none), manager_reached (bool; True at the top), our_people (who of
    ours knows the manager), influenced_by (names of people who sway the
    decision-maker). Sorted with the unreached managers first.

    Example:
        >>> bool(line_coverage(wb, "ACC-001")["manager_reached"].all())
        True
    """
    z = _people(wb, account_id)
    links = influence_links(wb, account_id)
    rows = []
    for sid, p in z[z["decision_maker"]].iterrows():
        boss = p["reports_to"]
        swayed = links.loc[links["target"] == sid, "source"]
        rows.append({
            "decision_maker": p["name"],
            "reports_to": z.at[boss, "name"] if boss else "(top of the organisation)",
            "manager_reached": bool(z.at[boss, "our_people"] > 0) if boss else True,
            "our_people": str(z.at[boss, "contact_owner"] or "–") if boss else "–",
            "influenced_by": ", ".join(z.loc[swayed, "name"]) or "–",
        })
    out = pd.DataFrame(rows, columns=["decision_maker", "reports_to", "manager_reached", "our_people", "influenced_by"])
    return out.sort_values(["manager_reached", "decision_maker"], kind="stable").reset_index(drop=True)


def line_summary(wb: Any, account_id: str) -> tuple[int, int]:
    """(decision-makers with a manager, of them whose manager none of ours reaches).

    >>> line_summary(wb, "ACC-001")
    (14, 0)
    """
    z = _people(wb, account_id)
    dm = z[z["decision_maker"] & (z["reports_to"] != "")]
    reached = np.array([z.at[b, "our_people"] > 0 for b in dm["reports_to"]], dtype=bool)
    return len(dm), int((~reached).sum())
