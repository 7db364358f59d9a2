"""Every likelihood taken apart: how many score and likelihood points each answer added or took away.

The start is "every answer neutral"; :func:`explain_likelihood` splits the
change from there over the answers and :func:`explanation_table` puts it in
words, one row per answer.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamnb.common.formatting import percent
from kamnb.common.rows import rows_of
from kamnb.errors import KamnbError
from kamnb.qualification.answers import checked_bank, current_answers
from kamnb.qualification.likelihood import CLOSED_STAGES, QualificationSettings, likelihood_from_score, qualification_settings


def explain_likelihood(wb, opportunity_id: str) -> pd.DataFrame:
    """Which answers raised or lowered one opportunity's likelihood, and by how much.

    One row per question of the bank, in bank order. The start is "every
    answer neutral" (score 50 with the default points); ``score_effect`` is
    what the answer adds to or takes from that start in score points,
    ``likelihood_effect`` the share of the likelihood change it carries (the
    change from the start is split in proportion to the score effects, so the
    effects add up exactly). ``df.attrs`` holds start_score, start_likelihood,
    score and likelihood; ``start_likelihood + likelihood_effect.sum() ==
    likelihood`` for a qualified opportunity.

    Columns: question_id, question, probes, weight, answer ("not asked" when
    missing), evidence, points (credit after the evidence discount),
    score_effect, likelihood_effect, upside (likelihood gain if the answer
    became a yes with evidence).

    Example:
        >>> ex = explain_likelihood(wb, "OP-001")
        >>> ex.loc[1, ["question_id", "answer"]].tolist()
        ['buying_process', 'no']
    """
    cfg = qualification_settings(wb.settings)
    bank = checked_bank(wb)
    if opportunity_id not in wb.opportunities.index:
        known = ", ".join(list(wb.opportunities.index[:10]))
        raise KamnbError(f"no opportunity {opportunity_id!r} in {wb.path}; known ids include {known}")
    cur = current_answers(wb)
    out = explain_answers(rows_of(cur, opportunity_id, "opportunity_id"), bank, cfg)
    out.attrs["stage"] = wb.opportunities.loc[opportunity_id, "stage"]
    return out


def explain_answers(cur: pd.DataFrame, bank: pd.DataFrame, cfg: QualificationSettings) -> pd.DataFrame:
    """The explanation of one opportunity from its current answers (no workbook access)."""
    cur = cur.set_index("question_id")
    w = bank["weight"].astype(float)
    total = float(w.sum())
    u = cfg.points["unknown"]
    out = pd.DataFrame({"question_id": bank.index, "question": bank["text"], "probes": bank["probes"], "weight": w})
    out["answer"] = cur["answer"].reindex(bank.index).fillna("not asked")
    out["evidence"] = cur["evidence"].reindex(bank.index).fillna("")
    out["room"] = cur["given"].reindex(bank.index).fillna("") if "given" in cur else ""
    out["points"] = cur["credit"].reindex(bank.index).fillna(u)
    out["score_effect"] = 100.0 * w * (out["points"] - cfg.neutral) / total
    start = 100.0 * cfg.neutral
    answered = len(cur) >= cfg.min_answers
    score = start + float(out["score_effect"].sum()) if answered else np.nan
    l_start = float(likelihood_from_score(start, cfg))
    l_score = float(likelihood_from_score(score, cfg))
    if not answered:
        slope = np.nan
    elif abs(score - start) > 1e-9:
        slope = (l_score - l_start) / (score - start)
    else:
        slope = float(likelihood_from_score(start + 0.5, cfg)) - float(likelihood_from_score(start - 0.5, cfg))
    out["likelihood_effect"] = out["score_effect"] * slope
    full = 100.0 * w * (1.0 - out["points"]) / total
    out["upside"] = likelihood_from_score(score + full, cfg) - l_score if answered else np.nan
    out = out.reset_index(drop=True)
    out.attrs.update(start_score=start, start_likelihood=l_start, score=score, likelihood=l_score, stage="")
    return out


def explanation_table(wb, opportunity_id: str | None) -> pd.DataFrame:
    """:func:`explain_likelihood` as a person reads it: start, each answer's effect, result.

    Example:
        >>> explanation_table(wb, "OP-001").iloc[0, 0]
        'Start: every answer neutral'
    """
    if opportunity_id is None:
        return pd.DataFrame({"": ["No open opportunity to explain."]})
    ex = explain_likelihood(wb, opportunity_id)
    a = ex.attrs
    opp = wb.opportunities.loc[opportunity_id]
    if np.isnan(a["score"]):
        return pd.DataFrame({"": [f"{opp['name']}: not qualified yet, no answers recorded"]})
    rows = [{"step": "Start: every answer neutral", "answer": "", "evidence": "", "score": f"{a['start_score']:.0f}",
             "likelihood": percent(a["start_likelihood"] * 100, 1)}]
    order = ex.reindex(ex["likelihood_effect"].abs().sort_values(ascending=False, kind="mergesort").index)
    for _, r in order.iterrows():
        rows.append({
            "step": r["question"],
            "answer": r["answer"],
            "evidence": r["evidence"] if r["evidence"] else ("none" if r["answer"] not in ("unknown", "not asked") else ""),
            "score": f"{r['score_effect']:+.1f}",
            "likelihood": f"{r['likelihood_effect'] * 100:+.1f} pts",
        })
    rows.append({"step": "Result from the answers", "answer": "", "evidence": "", "score": f"{a['score']:.0f}",
                 "likelihood": percent(a["likelihood"] * 100, 1)})
    if (ex["room"] != "").any():
        # several raters: what each answer is the consensus of (the evidence is that of the answer shown)
        room = {r["question"]: r["room"] for _, r in ex.iterrows()}
        for row in rows:
            row["room"] = room.get(row["step"], "")
    if a["stage"] in CLOSED_STAGES:
        rows.append({"step": f"Stage is {a['stage']}: likelihood set to {'100%' if a['stage'] == 'won' else '0%'}",
                     "answer": "", "evidence": "", "score": "", "likelihood": ""})
    return pd.DataFrame(rows)


def top_effects(ex: pd.DataFrame, positive: bool, n: int = 3) -> str:
    """The ``n`` questions that raised (or lowered) the likelihood most, as "question +points" ("–" when none)."""
    eff = ex["likelihood_effect"]
    pick = ex[eff > 0.0005] if positive else ex[eff < -0.0005]
    pick = pick.reindex(pick["likelihood_effect"].abs().sort_values(ascending=False, kind="mergesort").index).head(n)
    return ", ".join(f"{q} {e * 100:+.0f}" for q, e in zip(pick["question_id"], pick["likelihood_effect"], strict=False)) or "–"
