"""What the whitespace is worth and where the biggest gaps are, for the review, the agenda and the plan.

The *whitespace value* of an account is the room of all its cells (potential
minus current), split by status: what the pipeline already chases (open),
what was lost, what a competitor holds, what was never offered, and the room
left in what they already buy. A *gap* is a cell with room that nobody is
working on: lost, held by a competitor, never offered, or bought with room
to grow; open cells are left to the qualification step. The biggest gaps (by
room) become agenda items for the next conversation and sell & service
actions in the plan.

Settings (``whitespace:`` in settings.yaml): ``agenda_gaps`` (how many gaps
join the agenda), ``max_gap_actions`` and ``gap_due_days`` (the plan),
``under_penetrated_pct`` (the portfolio view).

Example:
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"status": ["bought", "open", "competitor", "not_offered"], "room": [10.0, 20.0, 30.0, float("nan")],
    ...                       "estimated": [False, False, False, True]})
    >>> value_split(cells)["total"], value_split(cells)["unknown"]
    (60.0, 1)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamnb import settings as kamnb_settings
from kamnb.common.formatting import money
from kamnb.common.tables import escape
from kamnb.whitespace.map import STATUS_LABELS, STATUSES, WHOLE_ACCOUNT, account_map

GAP_STATUSES = ("lost", "competitor", "not_offered", "bought")
"""Cells that count as gaps when they have room (open cells are in the pipeline already)."""

def whitespace_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The ``whitespace:`` settings over the built-in defaults.

    >>> whitespace_settings({"whitespace": {"agenda_gaps": 0}})["agenda_gaps"], whitespace_settings({})["gap_due_days"]
    (0, 45)
    """
    return kamnb_settings.section(settings if isinstance(settings, dict) else {}, "whitespace")


def value_split(cells: pd.DataFrame) -> dict[str, Any]:
    """The room of the cells, in total and per status; ``unknown`` counts cells whose potential nobody knows.

    >>> value_split(pd.DataFrame({"status": [], "room": [], "estimated": []}))["total"]
    0.0
    """
    room = pd.to_numeric(cells["room"], errors="coerce")
    out: dict[str, Any] = {s: float(room[cells["status"] == s].sum()) for s in STATUSES}
    out["total"] = float(room.sum())
    out["estimated"] = float(room[cells["estimated"].astype(bool)].sum())
    out["unknown"] = int(room.isna().sum())
    return out


def _next_step(row: pd.Series, currency: str) -> str:
    unit = row["business_unit"] or WHOLE_ACCOUNT
    where = "" if unit == WHOLE_ACCOUNT else f" at {unit}"
    offering = row["offering"]
    if row["status"] == "not_offered":
        return f"Offer {offering}{where}: never offered"
    if row["status"] == "lost":
        return f"Win back {offering}{where}: lost"
    if row["status"] == "competitor":
        rival = str(row.get("competitor", "") or "").strip() or "a competitor"
        return f"Displace {rival} on {offering}{where}"
    return f"Grow {offering}{where}: buys {money(row['current'], currency)} of {money(row['potential'], currency)}"


def biggest_gaps(wb: Any, account_id: str, n: int | None = None) -> pd.DataFrame:
    """The account's gaps with room, biggest first (estimated or not); ``n`` keeps the first n.

    Columns: offering_id, offering, business_unit, status, competitor,
    current, potential, room, estimated, next_step (a sentence).

    Example:
        >>> biggest_gaps(wb, "ACC-001", 1)["next_step"].tolist()
        ['Displace Nordsoft on Cross-dock analytics at Bremen']
    """
    cur = wb.settings.get("currency", "EUR")
    cells = account_map(wb, account_id)
    gaps = cells[cells["status"].isin(GAP_STATUSES) & (cells["room"] > 0)].copy()
    order = {s: i for i, s in enumerate(GAP_STATUSES)}
    gaps = gaps.assign(_s=gaps["status"].map(order)).sort_values(["room", "_s", "offering_id", "business_unit"],
                                                                  ascending=[False, True, True, True], kind="mergesort")
    gaps["next_step"] = [_next_step(r, cur) for _, r in gaps.iterrows()]
    cols = ["offering_id", "offering", "business_unit", "status", "competitor", "current", "potential", "room", "estimated", "next_step"]
    gaps = gaps[cols].reset_index(drop=True)
    return gaps if n is None else gaps.head(int(n))


def top_gaps(wb: Any) -> pd.Series:
    """Per account with a gap: the next step of its biggest gap, as :func:`biggest_gaps` ranks them (one pass over the portfolio).

    Example:
        >>> top_gaps(wb)["ACC-001"]
        'Displace Nordsoft on Cross-dock analytics at Bremen'
    """
    from kamnb.whitespace.map import whitespace_map

    cur = wb.settings.get("currency", "EUR")
    cells = whitespace_map(wb)
    gaps = cells[cells["status"].isin(GAP_STATUSES) & (cells["room"] > 0)]
    order = {s: i for i, s in enumerate(GAP_STATUSES)}
    # a stable sort of the whole portfolio keeps, within each account, the order biggest_gaps gives its own rows
    ranked = gaps.assign(_s=gaps["status"].map(order)).sort_values(["room", "_s", "offering_id", "business_unit"],
                                                                   ascending=[False, True, True, True], kind="mergesort")
    first = ranked.drop_duplicates("account_id", keep="first")
    return pd.Series([_next_step(r, cur) for _, r in first.iterrows()], index=pd.Index(first["account_id"], name="account_id"), dtype=object)


def agenda_rows(wb: Any, account_id: str) -> pd.DataFrame:
    """The biggest gaps as items for the next conversation's agenda (``agenda_gaps`` of them).

    Columns as :func:`kamnb.qualification.score.agenda_table`: ask about, probes,
    weak answers (where we stand), worth (the room), a good answer.

    Example:
        >>> agenda_rows(wb, "ACC-001")["ask about"].tolist()
        ['Would Bremen use Cross-dock analytics from us?', 'Would Leipzig use Yard scheduling from us?']
    """
    cfg = whitespace_settings(wb.settings)
    cur = wb.settings.get("currency", "EUR")
    gaps = biggest_gaps(wb, account_id, int(cfg["agenda_gaps"]))
    rows = []
    for _, g in gaps.iterrows():
        unit = g["business_unit"] or "they"
        stand = STATUS_LABELS[g["status"]] + (f" ({g['competitor']})" if g["status"] == "competitor" and g["competitor"] else "")
        rows.append({
            "ask about": f"Would {unit} {'buy more of' if g['status'] == 'bought' else 'use'} {g['offering']} from us?",
            "probes": "Who owns this on their side? What do they use today, and when is it next decided?",
            "weak answers": f"whitespace: {stand}",
            "worth (factored)": money(g["room"], cur) + (" potential, estimated" if g["estimated"] else " potential"),
            "a good answer": "A named need, its owner on their side and a date to come back with an offer.",
        })
    return pd.DataFrame(rows, columns=["ask about", "probes", "weak answers", "worth (factored)", "a good answer"])


def plan_rows(wb: Any, account_id: str, owner: str, today: pd.Timestamp) -> list[dict[str, Any]]:
    """The biggest gaps as sell & service actions for the action plan (``max_gap_actions`` of them).

    Example:
        >>> plan_rows(wb, "ACC-001", "Jana Weber", pd.Timestamp("2026-11-01"))[0]["action_id"]
        'WS-1'
    """
    cfg = whitespace_settings(wb.settings)
    cur = wb.settings.get("currency", "EUR")
    gaps = biggest_gaps(wb, account_id, int(cfg["max_gap_actions"]))
    due = today + pd.Timedelta(days=int(cfg["gap_due_days"]))
    return [
        {"action_id": f"WS-{n}", "category": "sell_service",
         "action": f"{g['next_step']} ({money(g['room'], cur)} potential{', estimated' if g['estimated'] else ''})",
         "owner": owner, "due": due, "status": "open", "source": "whitespace"}
        for n, (_, g) in enumerate(gaps.iterrows(), start=1)
    ]


@dataclass
class Whitespace:
    """One account's whitespace: its cells, the value split and the biggest gaps; shows as HTML in a notebook.

    Example:
        >>> account_whitespace(wb, "ACC-001").value["total"] > 0
        True
    """

    account_id: str
    name: str
    currency: str
    cells: pd.DataFrame
    value: dict[str, Any]
    gaps: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.cells.empty:
            return f"No whitespace map for {self.name}: neither a whitespace sheet nor opportunities that name an offering."
        v = self.value

        def m(x: float) -> str:
            return money(x, self.currency)

        n_off = self.cells["offering_id"].nunique()
        n_units = self.cells["business_unit"].nunique()
        bought = int((self.cells["status"] == "bought").sum())
        parts = [f"{self.name}: {bought} of {len(self.cells)} cells bought ({n_off} offerings x {n_units} unit{'s' if n_units != 1 else ''});",
                 f"whitespace {m(v['total'])}"]
        split = [f"{m(v[s])} {STATUS_LABELS[s]}" for s in ("open", "lost", "competitor", "not_offered") if v[s] > 0]
        if v["bought"] > 0:
            split.append(f"{m(v['bought'])} room in what they buy")
        text = " ".join(parts) + (f" ({', '.join(split)})" if split else "") + "."
        if v["estimated"] > 0:
            text += f" {m(v['estimated'])} of it is estimated from what the offering sells for elsewhere."
        if v["unknown"]:
            text += f" {v['unknown']} cell(s) have no potential anyone knows."
        return text

    def table(self) -> pd.DataFrame:
        """The biggest gaps as display strings."""
        def m(x: float) -> str:
            return money(x, self.currency)

        return pd.DataFrame({
            "#": [str(i) for i in range(1, len(self.gaps) + 1)],
            "Next step": list(self.gaps["next_step"]),
            "Where we stand": [STATUS_LABELS[s] for s in self.gaps["status"]],
            "Room": [m(r) + (" (est.)" if e else "") for r, e in zip(self.gaps["room"], self.gaps["estimated"], strict=True)],
        })

    def _repr_html_(self) -> str:
        from kamnb.value.ratio import html_notes, html_table

        parts = [f"<p>{escape(self.summary())}</p>"]
        if not self.gaps.empty:
            parts.append("<p style=\"margin:8px 0 2px 0\"><strong>Biggest gaps</strong></p>")
            parts.append(html_table(self.table(), right=("Room",), bold_first=False, nowrap=("Room",)))
        parts.append(html_notes(self.notes))
        return "".join(parts)

    def __repr__(self) -> str:
        lines = [self.summary()]
        if not self.gaps.empty:
            lines += ["", self.table().to_string(index=False)]
        return "\n".join(lines + [f"- {n}" for n in self.notes])


def account_whitespace(wb: Any, account_id: str, n: int = 5) -> Whitespace:
    """The account's whitespace: cells, value split, the ``n`` biggest gaps and where the map came from.

    Example:
        >>> print(account_whitespace(wb, "ACC-001").summary())
        Nordlicht Logistics: 5 of 12 cells bought (4 offerings x 3 units); whitespace €5,745,000 (€495,000 lost, ...).
    """
    acc = wb.account(account_id)
    cells = account_map(wb, account_id)
    notes = []
    if not cells.empty:
        source = cells["source"].iloc[0]
        notes.append("Map from the whitespace sheet." if source == "whitespace sheet"
                     else "Map derived from the account's opportunities by offering (won: bought, open: in the pipeline, lost: lost); "
                          "add a whitespace sheet to record competitors and potentials.")
    return Whitespace(account_id, str(acc.get("name", account_id)), wb.settings.get("currency", "EUR"), cells,
                      value_split(cells), biggest_gaps(wb, account_id, n), notes)
