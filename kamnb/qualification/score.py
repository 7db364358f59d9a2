"""Qualification: will an opportunity's revenue really come, and how likely is it?

Each opportunity is tested against the question bank (``wb.questions``). The
latest answer per question counts (earlier ones are history). An answer earns
points (``yes`` 1, ``partly`` 0.5, ``no`` 0, ``unknown`` 0 by default: not
knowing is a risk, not a neutral middle), an answer without evidence keeps only
part of its distance from ``unknown``, and the weighted points make a score
from 0 to 100. A curve from ``settings.yaml`` turns the score into the
likelihood of winning or retaining the opportunity. ``docs/qualification.md``
walks through the formula with a worked example.

Each answer's share of a likelihood is in :mod:`kamnb.qualification.explain`;
the settings and the curve are in :mod:`kamnb.qualification.likelihood`, the
answers in force and their credit in :mod:`kamnb.qualification.answers`.

Example:
    >>> cfg = qualification_settings({})
    >>> float(likelihood_from_score(100.0, cfg)) > float(likelihood_from_score(50.0, cfg))
    True
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamnb.common import memo
from kamnb.common.formatting import money, percent
from kamnb.common.rows import rows_of
from kamnb.common.tables import Notes
from kamnb.errors import QualificationSettingsError
from kamnb.qualification.answers import (
    CAUTION,
    checked_bank,
    consensus,
    credit,
    current_answers,
    latest_rows,
    room_consensus,
    score_matrix,
    with_credit,
)
from kamnb.qualification.explain import explain_answers, explain_likelihood, explanation_table, top_effects
from kamnb.qualification.likelihood import CLOSED_STAGES, STATUSES, QualificationSettings, likelihood_from_score, qualification_settings

__all__ = [  # the answers, the curve and the explanation are named here too, where callers found them before
    "CAUTION", "CLOSED_STAGES", "STATUSES", "QualificationSettings", "QualificationSettingsError", "consensus", "credit",
    "current_answers", "explain_account", "explain_likelihood", "explanation_table", "likelihood_from_score",
    "likelihood_history", "notes", "opportunity_table", "qualification_settings", "room_consensus", "score_opportunities",
]


def _reasons(opps: pd.DataFrame, cur: pd.DataFrame, bank: pd.DataFrame, cfg: QualificationSettings) -> pd.Series:
    """Why each open opportunity should be qualified out ("" when it should not), rule by rule."""
    reasons: dict[str, list[str]] = {o: [] for o in opps.index}
    is_open = ~opps["closed"]
    no = cur[(cur["answer"] == "no") & cur["opportunity_id"].map(is_open).fillna(False).astype(bool)]
    knock = no[no["question_id"].isin(cfg.knockout_questions)]
    if cfg.knockout_needs_evidence:
        knock = knock[knock["has_evidence"]]
    for _, r in knock.sort_values(["opportunity_id", "question_id"]).iterrows():
        ev = str(r["evidence"]).strip()
        reasons[r["opportunity_id"]].append(f"no to '{bank.loc[r['question_id'], 'text']}'" + (f" ({ev})" if ev else " (no evidence given)"))
    litmus = set(bank.index[bank["litmus"]]) if "litmus" in bank else set()
    for _, r in no[no["question_id"].isin(litmus) & no["has_evidence"]].iterrows():
        lk = opps.loc[r["opportunity_id"], "likelihood"]
        if lk < cfg.litmus_no_below:
            reasons[r["opportunity_id"]].append(
                f"the team says we would not win today ({str(r['evidence']).strip()}) and the likelihood is {percent(lk * 100)}"
            )
    for o, row in opps[is_open & (opps["status"] == "qualified")].iterrows():
        if row["no_share"] >= cfg.max_no_share > 0:
            reasons[o].append(f"'no' to {percent(row['no_share'] * 100)} of the weighted questions (limit {percent(cfg.max_no_share * 100)})")
        if row["likelihood"] < cfg.min_likelihood and row["firm_share"] >= cfg.min_firm_share:
            reasons[o].append(f"likelihood {percent(row['likelihood'] * 100)} is below the floor of {percent(cfg.min_likelihood * 100)}")
    return pd.Series({o: "; ".join(r) for o, r in reasons.items()}, dtype=object)


@memo.portfolio("qualification", "opportunities")
def score_opportunities(wb) -> pd.DataFrame:
    """Score every opportunity of the workbook: the qualification table.

    Indexed by opportunity_id, sorted by account then opportunity. Columns:
    account_id, name, kind, stage, value, expected_close, answered (questions
    with an answer), unknown (questions unknown or not asked), unevidenced
    (answers without evidence), score (0-100), likelihood (0..1; NaN when not
    qualified; 1 for won, 0 for lost), status ("qualified", "not qualified",
    "qualify out"), reasons, factored_value (value x likelihood; NaN when not
    qualified), closed (won or lost), previous_likelihood and likelihood_change
    (from the assessment before the latest, NaN without history), last_assessed.

    Example:
        >>> t = score_opportunities(wb)
        >>> t.loc["OP-001", "status"], round(float(t.loc["OP-001", "likelihood"]), 3)
        ('qualified', 0.117)
    """
    cfg = qualification_settings(wb.settings)
    bank = checked_bank(wb)
    opps = wb.opportunities
    cur = current_answers(wb)
    cur = cur[cur["opportunity_id"].isin(opps.index)]
    mat = score_matrix(cur, "opportunity_id", bank, cfg) if not cur.empty else pd.DataFrame(
        columns=["score", "answered", "unknown", "firm_share", "no_share"], dtype=float
    )
    cols = ["account_id", "name", "kind", "stage", "value", "expected_close"]
    out = opps[cols].copy()
    out = out.join(mat, how="left")
    out["answered"] = out["answered"].fillna(0).astype(int)
    out["unknown"] = out["unknown"].fillna(len(bank)).astype(int)
    unev = cur[(cur["answer"] != "unknown") & ~cur["has_evidence"]].groupby("opportunity_id").size()
    out["unevidenced"] = unev.reindex(out.index).fillna(0).astype(int)
    qualified = out["answered"] >= cfg.min_answers
    out.loc[~qualified, "score"] = np.nan
    out["likelihood"] = likelihood_from_score(out["score"], cfg)
    out["closed"] = out["stage"].isin(CLOSED_STAGES)
    out.loc[out["stage"] == "won", "likelihood"] = 1.0
    out.loc[out["stage"] == "lost", "likelihood"] = 0.0
    out["status"] = np.where(qualified | out["closed"], "qualified", "not qualified")
    out["reasons"] = _reasons(out, cur, bank, cfg).reindex(out.index).fillna("")
    lost = out["stage"] == "lost"
    out.loc[lost, "reasons"] = "stage is lost"
    out.loc[out["reasons"] != "", "status"] = "qualify out"
    out["factored_value"] = out["value"] * out["likelihood"]
    hist = _history(wb, cfg, bank, out.index)
    prev = hist.groupby("opportunity_id")["likelihood"].apply(lambda s: s.iloc[-2] if len(s) > 1 else np.nan)
    out["previous_likelihood"] = prev.reindex(out.index).astype(float)
    answer_l = likelihood_from_score(out["score"], cfg)
    out["likelihood_change"] = answer_l - out["previous_likelihood"]
    out["last_assessed"] = cur.groupby("opportunity_id")["assessed_on"].max().reindex(out.index)
    out.index.name = "opportunity_id"
    out = out.sort_values(["account_id", "opportunity_id"], kind="mergesort")
    out.index.name = None
    return out


def _history(wb, cfg: QualificationSettings, bank: pd.DataFrame, opp_ids) -> pd.DataFrame:
    rows = wb.qualification[wb.qualification["question_id"].isin(bank.index) & wb.qualification["opportunity_id"].isin(opp_ids)]
    cols = ["opportunity_id", "assessed_on", "score", "likelihood"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    dates = rows[rows["assessed_on"].notna()][["opportunity_id", "assessed_on"]].drop_duplicates().rename(columns={"assessed_on": "as_at"})
    if dates.empty:
        return pd.DataFrame(columns=cols)
    pairs = rows.merge(dates, on="opportunity_id")
    pairs = pairs[pairs["assessed_on"].isna() | (pairs["assessed_on"] <= pairs["as_at"])]
    latest = with_credit(latest_rows(pairs, ["opportunity_id", "as_at", "question_id"]), wb, cfg)
    mat = score_matrix(latest, ["opportunity_id", "as_at"], bank, cfg)
    hist = pd.DataFrame({
        "opportunity_id": mat.index.get_level_values(0),
        "assessed_on": mat.index.get_level_values(1),
        "score": mat["score"].to_numpy(),
    })
    hist["likelihood"] = likelihood_from_score(hist["score"], cfg)
    return hist.sort_values(["opportunity_id", "assessed_on"]).reset_index(drop=True)


def likelihood_history(wb, account_id: str | None = None) -> pd.DataFrame:
    """How each opportunity's score and likelihood moved: one row per opportunity and assessment date.

    At each date the latest answer per question up to that date counts.
    Columns: opportunity_id, name, assessed_on, score, likelihood, change
    (likelihood points against the previous date).

    Example:
        >>> likelihood_history(wb, "ACC-001").columns.tolist()[:4]
        ['opportunity_id', 'name', 'assessed_on', 'score']
    """
    cfg = qualification_settings(wb.settings)
    opps = wb.opportunities if account_id is None else rows_of(wb.opportunities, account_id)
    hist = _history(wb, cfg, checked_bank(wb), opps.index)
    hist.insert(1, "name", hist["opportunity_id"].map(opps["name"]))
    hist["change"] = hist.groupby("opportunity_id")["likelihood"].diff()
    return hist


def notes(wb, account_id: str | None = None) -> Notes:
    """What could not be computed as intended for this workbook, in words (empty when all is well).

    Example:
        >>> notes(wb, "ACC-001")
        []
    """
    out = []
    if not wb.has_column("qualification", "evidence"):
        out.append("The qualification sheet has no evidence column: every answer counts as given without evidence.")
    if not wb.has_column("qualification", "assessed_on"):
        out.append("The qualification sheet has no assessed_on column: the last row per question counts, and there is no history.")
    if not wb.has_column("opportunities", "expected_close"):
        out.append("The opportunities sheet has no expected_close column: the pipeline cannot be split by quarter.")
    if account_id is not None:
        opps = rows_of(wb.opportunities, account_id)
        if opps.empty:
            out.append(f"Account {account_id} has no opportunities: there is nothing to qualify or forecast.")
    return Notes(out)


def explain_account(wb, account_id: str) -> pd.DataFrame:
    """One line per opportunity of an account: likelihood and the answers that moved it most (likelihood points).

    Example:
        >>> explain_account(wb, "ACC-001").columns.tolist()
        ['opportunity', 'status', 'start', 'raised by', 'lowered by', 'likelihood']
    """
    cfg = qualification_settings(wb.settings)
    bank = checked_bank(wb)
    scores = score_opportunities(wb)
    cur = current_answers(wb)
    mine = rows_of(scores, account_id).sort_values(["value"], ascending=False, kind="mergesort")
    rows = []
    for oid, r in mine.iterrows():
        if r["status"] == "not qualified" or (r["closed"] and r["answered"] == 0):
            rows.append({"opportunity": r["name"], "status": r["status"] if not r["closed"] else r["stage"], "start": "", "raised by": "",
                         "lowered by": "", "likelihood": "not qualified" if not r["closed"] else percent(r["likelihood"] * 100)})
            continue
        ex = explain_answers(rows_of(cur, oid, "opportunity_id"), bank, cfg)
        rows.append({
            "opportunity": r["name"],
            "status": r["status"] if not r["closed"] else r["stage"],
            "start": percent(ex.attrs["start_likelihood"] * 100),
            "raised by": top_effects(ex, True),
            "lowered by": top_effects(ex, False),
            "likelihood": percent(r["likelihood"] * 100),
        })
    return pd.DataFrame(rows, columns=["opportunity", "status", "start", "raised by", "lowered by", "likelihood"])


# --------------------------------------------------------------------------- tables for the notebook


def opportunity_table(wb, account_id: str) -> pd.DataFrame:
    """The account's opportunities with score, likelihood, status and factored value, formatted.

    Example:
        >>> opportunity_table(wb, "ACC-001")["id"].tolist()[:2]
        ['OP-001', 'OP-004']
    """
    cur = wb.settings.get("currency", "EUR")
    t = score_opportunities(wb)
    t = rows_of(t, account_id).sort_values(["value"], ascending=False, kind="mergesort")

    def lk(row) -> str:
        if row["status"] == "not qualified":
            return "not qualified"
        return percent(row["likelihood"] * 100)

    def moved(row) -> str:
        if np.isnan(row["likelihood_change"]):
            return ""
        return f"{row['likelihood_change'] * 100:+.0f} pts (from {percent(row['previous_likelihood'] * 100)})"

    out = pd.DataFrame({
        "id": t.index,
        "opportunity": t["name"],
        "kind": t["kind"],
        "stage": t["stage"],
        "value": [money(v, cur) for v in t["value"]],
        "answered": [f"{a} of {len(wb.questions)}" for a in t["answered"]],
        "unknown": t["unknown"],
        "without evidence": t["unevidenced"],
        "score": ["–" if np.isnan(s) else f"{s:.0f}" for s in t["score"]],
        "likelihood": [lk(r) for _, r in t.iterrows()],
        "moved": [moved(r) for _, r in t.iterrows()],
        "status": t["status"],
        "factored value": [money(v, cur) if s == "qualified" else "–" for v, s in zip(t["factored_value"], t["status"], strict=False)],
    }).reset_index(drop=True)
    room = current_answers(wb)
    room = room[room["opportunity_id"].isin(t.index) & (room["raters"] > 1) & room["given"].str.contains(",", regex=False)]
    if len(room):
        # the room disagrees: name the split questions, so the spread shows in the review and not only live
        text = room.groupby("opportunity_id").apply(lambda g: "; ".join(f"{q} ({v})" for q, v in zip(g["question_id"], g["given"], strict=True)))
        out["raters split on"] = [text.get(o, "–") for o in out["id"]]
    return out
