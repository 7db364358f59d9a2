"""The relationship score: 0-100 per account from scored indicators and two measured items.

Each indicator of the bank (``indicators.yaml``) is scored 1-5 with evidence on
the relationship sheet. A score becomes points with ``(score - 1) / 4 * 100``
(1 is 0 points, 3 is 50, 5 is 100). Evidence loses weight with age: it counts
``0.5 ** (age_days / half_life_days)`` of its bank weight, age counted from the
review's "as of" date. Two items are measured from the stakeholders sheet and
count at full weight (they describe today): the influence-weighted support for
us, and the contact-map coverage (:mod:`kamnb.relationships.grid`). The score is the
weighted mean of the points present; an indicator without evidence is a gap: it
is left out of the mean (never counted as zero) and shown as a gap. An account
without any scored indicator has no score (NaN).

Example:
    >>> points(pd.Series([1.0, 3.0, 5.0])).tolist()
    [0.0, 50.0, 100.0]
    >>> float(decay(pd.Series([0.0, 180.0, 360.0]), 180).iloc[2])
    0.25
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamnb.common import memo
from kamnb.common.rows import rows_of
from kamnb.qualification.score import room_consensus
from kamnb.relationships.grid import config, contact_map
from kamnb.workbook import Workbook, banks

MEASURED = {
    "support": ("Support where it counts", "Influence-weighted support for us across their stakeholders (stakeholders sheet)."),
    "contact_map": ("Contact map coverage", "Reach, redundancy and resilience of the links between our people and theirs (bow-tie low, diamond high)."),
}


def points(score: pd.Series) -> pd.Series:
    """A 1-5 score as 0-100 points: ``(score - 1) / 4 * 100``.

    Example:
        >>> points(pd.Series([1.0, 3.0, 5.0])).tolist()
        [0.0, 50.0, 100.0]
    """
    return (score - 1.0) / 4.0 * 100.0


def decay(age_days: pd.Series, half_life_days: float) -> pd.Series:
    """The share of its weight evidence keeps at a given age: ``0.5 ** (age / half_life)``; future dates count fully.

    Example:
        >>> decay(pd.Series([0.0, 180.0, -10.0]), 180).tolist()
        [1.0, 0.5, 1.0]
    """
    return 0.5 ** (age_days.clip(lower=0) / float(half_life_days))


def _support_at(wb: Workbook, when: pd.DataFrame, history: bool) -> pd.Series:
    """Influence-weighted support points per (account_id, at); with ``history`` the placements of that date."""
    st = wb.stakeholders[["stakeholder_id", "account_id", "influence", "support"]].reset_index(drop=True)
    st = when.merge(st, on="account_id")
    if history and len(st) and len(wb.stakeholder_history):
        hist = wb.stakeholder_history[["stakeholder_id", "assessed_on", "influence", "support"]].dropna(subset=["assessed_on"])
        hist = hist.rename(columns={"influence": "h_influence", "support": "h_support"}).sort_values("assessed_on")
        st = pd.merge_asof(st.sort_values("at"), hist, left_on="at", right_on="assessed_on", by="stakeholder_id", direction="backward")
        st["influence"] = st["h_influence"].fillna(st["influence"])
        st["support"] = st["h_support"].fillna(st["support"])
    w = st["influence"].fillna(1.0).where(st["support"].notna(), 0.0)  # a person not judged yet counts for nothing
    keys = [st["account_id"], st["at"]]
    return (w * points(st["support"])).groupby(keys).sum() / w.groupby(keys).sum()


def _items(wb: Workbook, when: pd.DataFrame, history: bool = False, cmap: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table: for each (account_id, at) of ``when``, every bank indicator and measured item.

    Evidence counts when assessed on or before ``at``; the latest per indicator wins and is aged from ``at``.
    """
    cfg = config(wb.settings)
    bank = wb.indicators
    rel = wb.relationship
    rel = rel[rel["assessed_on"].notna() & rel["score"].notna()]
    rel = rel[["account_id", "indicator_id", "score", "evidence", "assessed_on", "assessed_by", "_row"]]
    ev = when.merge(rel, on="account_id")
    ev = ev[ev["assessed_on"] <= ev["at"]]
    # each rater's latest score, and the room's median of them (the evidence of the score kept)
    ev = room_consensus(ev, ["account_id", "at", "indicator_id"], "score", "score", cfg.get("consensus_days")).rename(columns={"indicator_id": "item"})
    grid = when.merge(pd.DataFrame({"item": list(bank.index)}), how="cross")
    judged = grid.merge(ev.drop(columns="_row"), on=["account_id", "at", "item"], how="left")
    judged["kind"] = "indicator"
    judged["name"] = judged["item"].map(bank["name"])
    judged["side"] = judged["item"].map(bank["side"])
    judged["weight"] = judged["item"].map(bank["weight"]).astype(float)
    judged["score"] = judged["score"].astype(float)
    judged["points"] = points(judged["score"])
    judged["age_days"] = (judged["at"] - judged["assessed_on"]).dt.days.astype(float)
    judged["decay"] = decay(judged["age_days"], cfg["half_life_days"])
    support = _support_at(wb, when, history)
    coverage = (contact_map(wb) if cmap is None else cmap)["coverage"]
    weights = cfg.get("measured_weights") or {}
    keys = pd.MultiIndex.from_frame(when[["account_id", "at"]])
    rows = []
    for item, (name, text) in MEASURED.items():
        m = when[["account_id", "at"]].assign(item=item, kind="measured", name=name, side="both")
        m["weight"] = float(weights.get(item, 0.0))
        m["points"] = support.reindex(keys).to_numpy() if item == "support" else coverage.reindex(when["account_id"]).to_numpy()
        m["score"] = np.nan
        m["assessed_on"] = pd.NaT if history else m["at"]
        m["evidence"] = text
        m["assessed_by"] = "measured"
        m["age_days"] = 0.0
        m["decay"] = 1.0
        rows.append(m)
    items = pd.concat([judged, *rows], ignore_index=True)
    items["evidence"] = items["evidence"].fillna("")
    items["given"] = items["given"].fillna("") if "given" in items else ""
    items["assessed_by"] = items["assessed_by"].fillna("")
    items["effective_weight"] = (items["weight"] * items["decay"]).where(items["points"].notna(), 0.0)
    return items


def _now(wb: Workbook) -> pd.DataFrame:
    return pd.DataFrame({"account_id": list(wb.accounts.index), "at": banks.as_of(wb.settings)})


_SHEETS = ("accounts", "relationship", "stakeholders", "stakeholder_history")
"""What the scores read: remembered results are keyed on these sheets' content (and banks, settings)."""


@memo.portfolio(*_SHEETS)
def _items_now(wb: Workbook) -> pd.DataFrame:
    """:func:`_items` of every account as of today (each account's rows do not depend on the others)."""
    return _items(wb, _now(wb))


def _scores_from(items: pd.DataFrame) -> pd.DataFrame:
    """Score and judged score per (account_id, at)."""
    keys = ["account_id", "at"]
    items = items.assign(_wp=items["effective_weight"] * items["points"].fillna(0.0))
    ind = items[items["kind"] == "indicator"]
    # float, and no zero denominators: a workbook with no relationship rows gives empty sums
    all_ = items.groupby(keys, sort=True)[["_wp", "effective_weight"]].sum().astype(float)
    judged = ind.groupby(keys, sort=True)[["_wp", "effective_weight"]].sum().astype(float)
    all_["effective_weight"] = all_["effective_weight"].where(all_["effective_weight"] > 0)
    judged["effective_weight"] = judged["effective_weight"].where(judged["effective_weight"] > 0)
    has_evidence = judged["effective_weight"].notna()
    out = pd.DataFrame({
        "score": (all_["_wp"] / all_["effective_weight"]).where(has_evidence),
        "judged_score": (judged["_wp"] / judged["effective_weight"]).where(has_evidence),
    })
    return out


@memo.portfolio(*_SHEETS)
def relationship_scores(wb: Workbook) -> pd.DataFrame:
    """The relationship score of every account, indexed by account_id.

    Columns: score (0-100, NaN when no indicator has evidence), judged_score (the indicators alone),
    support_points and contact_map_points (the measured items, 0-100), indicators_scored, indicators_total,
    fresh_evidence_pct (bank weight still carried by evidence after decay, in % of the whole bank: low means
    old or missing evidence), latest_assessment, oldest_evidence (dates), stale_indicators (last scored longer
    ago than ``stale_evidence_days``).

    Example:
        >>> from kamnb.workbook import load_workbook
        >>> wb = load_workbook("data/sample")
        >>> float(round(relationship_scores(wb).loc["ACC-001", "score"], 1))
        40.6
    """
    cfg = config(wb.settings)
    items = _items_now(wb)
    out = _scores_from(items).droplevel("at").reindex(wb.accounts.index)
    ind = items[items["kind"] == "indicator"]
    by = ind.groupby("account_id", sort=False)
    meas = items[items["kind"] == "measured"].pivot(index="account_id", columns="item", values="points")
    out["support_points"] = meas["support"].reindex(out.index)
    out["contact_map_points"] = meas["contact_map"].reindex(out.index)
    out["indicators_scored"] = by["points"].count().reindex(out.index).fillna(0).astype(int)
    out["indicators_total"] = len(wb.indicators)
    bank_weight = wb.indicators["weight"].sum()
    carried = by["effective_weight"].sum().reindex(out.index)
    out["fresh_evidence_pct"] = carried / bank_weight * 100 if bank_weight > 0 else np.nan
    out["latest_assessment"] = by["assessed_on"].max().reindex(out.index)
    out["oldest_evidence"] = by["assessed_on"].min().reindex(out.index)
    out["stale_indicators"] = (ind["age_days"] > cfg["stale_evidence_days"]).groupby(ind["account_id"]).sum().reindex(out.index).fillna(0).astype(int)
    out.index.name = "account_id"
    return out


_BREAKDOWN = ["name", "kind", "side", "weight", "score", "points", "assessed_on", "age_days", "decay",
              "effective_weight", "share_pct", "status", "evidence", "assessed_by", "raters", "spread", "given"]


def score_breakdown(wb: Workbook, account_id: str) -> pd.DataFrame:
    """One account's score item by item, indexed by item id (bank order, then the measured items).

    share_pct is the item's share of the weight behind the score; status is "scored", "stale" (older than
    ``stale_evidence_days``), "gap" (no evidence: not counted, not a zero), "measured" or "not measured".

    Example:
        >>> score_breakdown(wb, "ACC-001").columns.tolist()[:4]
        ['name', 'kind', 'side', 'weight']
    """
    wb.account(account_id)
    cfg = config(wb.settings)
    items = _items_now(wb)
    items = rows_of(items, account_id).set_index("item")
    total = items["effective_weight"].sum()
    items["share_pct"] = items["effective_weight"] / total * 100 if total > 0 else 0.0
    judged = items["kind"] == "indicator"
    items["status"] = np.select(
        [judged & items["points"].isna(), judged & (items["age_days"] > cfg["stale_evidence_days"]), judged,
         items["points"].isna()],
        ["gap", "stale", "scored", "not measured"],
        default="measured",
    )
    items.index.name = "item"
    return items[_BREAKDOWN]


def score_of(breakdown: pd.DataFrame) -> float:
    """The score a :func:`score_breakdown` adds up to (NaN when no indicator has evidence).

    Example:
        >>> float(round(score_of(score_breakdown(wb, "ACC-001")), 1))
        40.6
    """
    judged = breakdown[(breakdown["kind"] == "indicator") & (breakdown["effective_weight"] > 0)]
    if judged.empty:
        return float("nan")
    w = breakdown["effective_weight"]
    return float((w * breakdown["points"].fillna(0.0)).sum() / w.sum())


def score_history(wb: Workbook, account_id: str | None = None) -> pd.DataFrame:
    """The score as it stood at each review (each assessment date on the relationship sheet, up to as_of).

    At a review, only evidence assessed by that date counts, aged from that date; support comes from the
    stakeholder placements of that date (stakeholder_history, else today's); the contact map has no history
    and is taken as it is today. Columns: account_id, assessed_on, score, judged_score, change (vs the
    review before). Sorted by account and date.

    Example:
        >>> score_history(wb, "ACC-001")["assessed_on"].dt.date.astype(str).tolist()[-2:]
        ['2025-11-01', '2026-08-10']
    """
    if account_id is not None:
        wb.account(account_id)
        every = _score_history(wb)
        return rows_of(every, account_id).reset_index(drop=True)
    return _score_history(wb)


@memo.portfolio(*_SHEETS)
def _score_history(wb: Workbook) -> pd.DataFrame:
    """:func:`score_history` of every account (an account's reviews do not depend on the others)."""
    rel = wb.relationship
    rel = rel[rel["assessed_on"].notna() & (rel["assessed_on"] <= banks.as_of(wb.settings))]
    when = rel[["account_id", "assessed_on"]].drop_duplicates().rename(columns={"assessed_on": "at"}).reset_index(drop=True)
    cols = ["account_id", "assessed_on", "score", "judged_score", "change"]
    if when.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "assessed_on" else float if c != "account_id" else object) for c in cols})
    out = _scores_from(_items(wb, when, history=True)).reset_index().rename(columns={"at": "assessed_on"})
    out = out.sort_values(["account_id", "assessed_on"], ignore_index=True)
    out["change"] = out.groupby("account_id")["score"].diff()
    return out[cols]


def indicator_changes(wb: Workbook, account_id: str) -> pd.DataFrame:
    """Each indicator's latest score against the one before it, indexed by indicator id (bank order).

    Columns: name, previous_score, previous_on, score, assessed_on, change. Empty cells where there is no
    earlier (or no) score.

    Example:
        >>> indicator_changes(wb, "ACC-001").columns.tolist()
        ['name', 'previous_score', 'previous_on', 'score', 'assessed_on', 'change']
    """
    wb.account(account_id)
    rel = wb.for_account("relationship", account_id)
    rel = rel[rel["assessed_on"] <= banks.as_of(wb.settings)].sort_values(["indicator_id", "assessed_on", "_row"])
    rel = rel.drop_duplicates(["indicator_id", "assessed_on"], keep="last")
    last = rel.groupby("indicator_id").tail(1).set_index("indicator_id")
    prev = rel.groupby("indicator_id").nth(-2).set_index("indicator_id")
    out = pd.DataFrame(index=wb.indicators.index)
    out["name"] = wb.indicators["name"]
    out["previous_score"] = prev["score"].reindex(out.index)
    out["previous_on"] = prev["assessed_on"].reindex(out.index)
    out["score"] = last["score"].reindex(out.index)
    out["assessed_on"] = last["assessed_on"].reindex(out.index)
    out["change"] = out["score"] - out["previous_score"]
    out.index.name = "indicator"
    return out


def scored_with(wb: Workbook, **over: Any) -> pd.DataFrame:
    """Scores with some ``relationships:`` settings changed, e.g. ``scored_with(wb, half_life_days=365)``.

    Example:
        >>> float(round(scored_with(wb, half_life_days=365).loc["ACC-001", "score"], 1))
        40.1
    """
    import copy

    other = copy.copy(wb)
    other.settings = {**wb.settings, "relationships": {**config(wb.settings), **over}}
    return relationship_scores(other)

