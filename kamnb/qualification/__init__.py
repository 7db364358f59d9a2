"""Which opportunities are real: qualification questions, likelihoods, the forecast and the activity plan.

Modules: ``score`` (answers to likelihoods), ``gaps`` (weakest questions, agenda, qualified out),
``forecast``, ``activity``. This face composes the step's columns of the portfolio index.
"""
from __future__ import annotations

import pandas as pd

from kamnb.qualification.forecast import account_forecast
from kamnb.qualification.gaps import question_gaps
from kamnb.qualification.score import current_answers, score_opportunities


def portfolio_columns(wb) -> pd.DataFrame:
    """Qualification and forecast figures per account for the portfolio index (raw numbers).

    Indexed by account_id (every account, also those without opportunities).
    Columns: opportunities, pipeline_value (open), factored_value,
    factored_retention, factored_growth, not_qualified_value,
    qualified_out_value, qualified_out_count, weighted_likelihood (factored /
    qualified open value), weakest_question (id, "" when none),
    answers_split (answers on open opportunities the raters disagree on) and
    answer_spread_max (their largest spread on the yes 1 / partly 0.5 / no 0 scale).

    Example:
        >>> portfolio_columns(wb).loc["ACC-001", "weakest_question"]
        'preference'
    """
    fc = account_forecast(wb)
    gaps = question_gaps(wb)
    if gaps.empty:
        fc["weakest_question"] = ""
    else:
        per = gaps.groupby(["account_id", "question_id"], as_index=False)[["upside", "points_missing"]].sum()
        per["_pos"] = per["question_id"].map({q: i for i, q in enumerate(wb.questions.index)})
        per = per.sort_values(["account_id", "upside", "points_missing", "_pos"], ascending=[True, False, False, True], kind="mergesort")
        top = per.drop_duplicates("account_id").set_index("account_id")["question_id"]
        fc["weakest_question"] = top.reindex(fc.index).fillna("")
    cur = current_answers(wb)
    scored = score_opportunities(wb)
    cur = cur[cur["opportunity_id"].map(~scored["closed"]).fillna(False).astype(bool)]
    split = cur[(cur["raters"] > 1) & cur["given"].str.contains(",", regex=False)]
    by_acc = split.assign(account_id=split["opportunity_id"].map(scored["account_id"])).groupby("account_id")
    fc["answers_split"] = by_acc.size().reindex(fc.index).fillna(0).astype(int)
    fc["answer_spread_max"] = by_acc["spread"].max().reindex(fc.index)
    keep = ["opportunities", "pipeline_value", "factored_value", "factored_retention", "factored_growth", "not_qualified_value",
            "qualified_out_value", "qualified_out_count", "weighted_likelihood", "weakest_question", "answers_split", "answer_spread_max"]
    return fc[keep]
