"""Where qualification is weakest: the questions with the most to gain, the agenda they set, and deals qualified out.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamnb.common import memo
from kamnb.common.formatting import money
from kamnb.common.rows import rows_of
from kamnb.qualification.answers import checked_bank, current_answers
from kamnb.qualification.likelihood import likelihood_from_score, qualification_settings
from kamnb.qualification.score import score_opportunities


def question_bank(wb) -> pd.DataFrame:
    """The question bank in force, as a person reads it (weights as a share of the total).

    Example:
        >>> question_bank(wb).shape
        (11, 5)
    """
    q = checked_bank(wb)
    total = float(q["weight"].sum())
    return pd.DataFrame({
        "id": q.index,
        "question": q["text"],
        "probes": q["probes"],
        "weight": [f"{w:g} ({w / total * 100:.0f}%)" for w in q["weight"]],
        "a good answer": q["help"],
    }).reset_index(drop=True)


def qualified_out(wb, account_id: str | None = None) -> pd.DataFrame:
    """Open opportunities qualified out, with the reasons and the value no longer chased (freed capacity).

    Lost opportunities are history, not a qualification result, and are left out.

    Raw numbers: opportunity_id, account_id, name, kind, value, reasons.

    Example:
        >>> len(qualified_out(wb, "ACC-001"))
        1
    """
    t = score_opportunities(wb)
    if account_id is not None:
        t = rows_of(t, account_id)
    t = t[(t["status"] == "qualify out") & ~t["closed"]]
    t = t.sort_values(["value"], ascending=False, kind="mergesort")
    return t.reset_index(names="opportunity_id")[["opportunity_id", "account_id", "name", "kind", "stage", "value", "reasons"]]


def qualified_out_table(wb, account_id: str) -> pd.DataFrame:
    """:func:`qualified_out` formatted, with a total line: the capacity freed is a result.

    Example:
        >>> qualified_out_table(wb, "ACC-001")["id"].tolist()
        ['OP-004', '']
    """
    cur = wb.settings.get("currency", "EUR")
    t = qualified_out(wb, account_id)
    if t.empty:
        return pd.DataFrame({"": ["No opportunity of this account is qualified out."]})
    out = pd.DataFrame({
        "id": t["opportunity_id"], "opportunity": t["name"], "kind": t["kind"],
        "value no longer chased": [money(v, cur) for v in t["value"]], "why": t["reasons"],
    })
    total = {"id": "", "opportunity": f"Total: {len(t)} opportunit{'y' if len(t) == 1 else 'ies'}", "kind": "",
             "value no longer chased": money(t["value"].sum(), cur), "why": "effort freed for what will convert"}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


_WEAK_ORDER = ["no", "unknown", "not asked", "partly", "partly without evidence", "yes without evidence"]


@memo.portfolio("qualification", "opportunities")
def question_gaps(wb) -> pd.DataFrame:
    """Every weak answer of every open, qualified opportunity, with what fixing it is worth.

    Computed once per workbook content (an account's agenda and its action
    plan both filter it).

    One row per (opportunity, question) whose answer earns less than full
    marks. Columns: opportunity_id, account_id, question_id, label (the kind of
    weakness), points_missing (score points), upside (money: value x the
    likelihood gained if that one answer became a yes with evidence).

    Example:
        >>> len(question_gaps(wb))
        482
    """
    cfg = qualification_settings(wb.settings)
    bank = checked_bank(wb)
    scores = score_opportunities(wb)
    mine = scores[(scores["status"] == "qualified") & ~scores["closed"]]
    cols = ["opportunity_id", "account_id", "question_id", "label", "points_missing", "upside"]
    if mine.empty:
        return pd.DataFrame(columns=cols)
    cur = current_answers(wb)
    cur = cur[cur["opportunity_id"].isin(mine.index)]
    w = bank["weight"].astype(float)
    total = float(w.sum())
    grid = pd.MultiIndex.from_product([mine.index, bank.index], names=["opportunity_id", "question_id"]).to_frame(index=False)
    g = grid.merge(cur[["opportunity_id", "question_id", "answer", "has_evidence", "credit"]], how="left", on=["opportunity_id", "question_id"])
    g["answer"] = g["answer"].fillna("not asked")
    g["credit"] = g["credit"].fillna(cfg.points["unknown"])
    g["has_evidence"] = g["has_evidence"].fillna(False).astype(bool)
    g["weight"] = g["question_id"].map(w)
    g = g[(g["credit"] < 1.0 - 1e-12) & (g["weight"] > 0)].copy()
    g["points_missing"] = 100.0 * g["weight"] * (1.0 - g["credit"]) / total
    score = g["opportunity_id"].map(mine["score"])
    gain = likelihood_from_score(score + g["points_missing"], cfg) - likelihood_from_score(score, cfg)
    g["upside"] = gain * g["opportunity_id"].map(mine["value"]).fillna(0.0)
    weak_ev = g["answer"].isin(["yes", "partly"]) & ~g["has_evidence"]
    g["label"] = np.where(weak_ev, g["answer"] + " without evidence", g["answer"])
    g["account_id"] = g["opportunity_id"].map(mine["account_id"])
    return g[cols].reset_index(drop=True)


def _weakest(gaps: pd.DataFrame, bank: pd.DataFrame) -> pd.DataFrame:
    cols = ["question_id", "question", "probes", "opportunities", "weak_answers", "points_missing", "upside", "ask"]
    if gaps.empty:
        return pd.DataFrame(columns=cols)
    counts = gaps.groupby(["question_id", "label"]).size()
    agg = gaps.groupby("question_id").agg(opportunities=("opportunity_id", "nunique"), points_missing=("points_missing", "sum"),
                                          upside=("upside", "sum"))
    agg["weak_answers"] = [
        ", ".join(f"{int(counts[(q, k)])} {k}" for k in _WEAK_ORDER if (q, k) in counts.index) for q in agg.index
    ]
    agg["question"] = bank["text"].reindex(agg.index)
    agg["probes"] = bank["probes"].reindex(agg.index)
    agg["ask"] = bank["help"].reindex(agg.index)
    agg["_pos"] = agg.index.map({q: i for i, q in enumerate(bank.index)})
    agg = agg.sort_values(["upside", "points_missing", "_pos"], ascending=[False, False, True], kind="mergesort")
    return agg.reset_index(names="question_id")[cols]


def weakest_questions(wb, account_id: str) -> pd.DataFrame:
    """The questions answered worst across an account's open, qualified opportunities: the next agenda.

    Ranked by ``upside``: the factored value gained if the question were
    answered yes with evidence on every opportunity where it is weak (each
    opportunity on its own, summed). Columns: question_id, question, probes,
    opportunities (how many have a weak answer), weak_answers (a count per
    kind), points_missing (score points lost, summed), upside (money), ask
    (what a good answer looks like).

    Example:
        >>> weakest_questions(wb, "ACC-001")["question_id"].head(2).tolist()
        ['preference', 'uniques']
    """
    gaps = question_gaps(wb)
    return _weakest(rows_of(gaps, account_id), checked_bank(wb))


def agenda_table(wb, account_id: str, n: int = 5) -> pd.DataFrame:
    """The top ``n`` of :func:`weakest_questions`, formatted as the next conversation's agenda.

    The account's biggest whitespace gaps follow the questions
    (``whitespace.agenda_gaps`` of them, see :mod:`kamnb.whitespace.gaps`).

    Example:
        >>> agenda_table(wb, "ACC-001", n=2).shape  # two questions, then the account's two biggest whitespace gaps
        (4, 6)
    """
    from kamnb.whitespace import agenda_rows

    cur = wb.settings.get("currency", "EUR")
    t = weakest_questions(wb, account_id).head(n)
    gaps = agenda_rows(wb, account_id)
    if t.empty and gaps.empty:
        return pd.DataFrame({"": ["No open, qualified opportunity with a weak answer: nothing to ask."]})
    out = pd.DataFrame({
        "ask about": t["question"],
        "probes": t["probes"],
        "weak answers": t["weak_answers"],
        "worth (factored)": [money(v, cur) for v in t["upside"]],
        "a good answer": t["ask"],
    })
    out = pd.concat([out, gaps], ignore_index=True) if len(gaps) else out.reset_index(drop=True)
    out.insert(0, "#", range(1, len(out) + 1))
    return out

