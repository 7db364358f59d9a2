"""From answers to credit: the answer in force per question (the room's consensus of each rater's latest), its points, the score matrix."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamnb.common import memo
from kamnb.errors import QualificationSettingsError
from kamnb.qualification.likelihood import QualificationSettings, qualification_settings


def checked_bank(wb) -> pd.DataFrame:
    """The workbook's question bank, or an error when it has no question with a weight above 0."""
    q = wb.questions
    if q.empty:
        raise QualificationSettingsError("questions.yaml: found no questions, expected at least one question with a weight above 0")
    if float(q["weight"].sum()) <= 0:
        raise QualificationSettingsError("questions.yaml: found every weight 0, expected at least one question with a weight above 0")
    return q


def credit(answer: Any, has_evidence: Any, cfg: QualificationSettings) -> np.ndarray:
    """Points an answer earns: its points, pulled towards ``unknown`` when it has no evidence.

    ``credit = unknown + (points - unknown) x (1 if evidence else 1 - evidence_discount)``

    >>> cfg = qualification_settings({})
    >>> credit(["yes", "yes", "partly", "unknown"], [True, False, True, False], cfg).tolist()
    [1.0, 0.5, 0.5, 0.0]
    """
    ans = pd.Series(np.asarray(answer, dtype=object))
    pts = ans.map(cfg.points).astype(float).to_numpy()
    ev = np.asarray(has_evidence, dtype=bool)
    u = cfg.points["unknown"]
    factor = np.where(ev, 1.0, 1.0 - cfg.evidence_discount)
    return u + (pts - u) * factor


def with_credit(rows: pd.DataFrame, wb, cfg: QualificationSettings) -> pd.DataFrame:
    """Answer rows with ``has_evidence`` and ``credit`` (the points after the evidence discount) added."""
    out = rows.copy()
    if wb.has_column("qualification", "evidence"):
        out["has_evidence"] = out["evidence"].astype(str).str.strip() != ""
    else:
        out["has_evidence"] = False
    out["credit"] = credit(out["answer"], out["has_evidence"], cfg)
    return out


def latest_rows(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Keep the latest row per key by ``assessed_on`` (undated rows count as oldest; later rows win ties)."""
    order = rows.assign(_dated=rows["assessed_on"].notna(), _when=rows["assessed_on"].fillna(pd.Timestamp.min))
    order = order.sort_values(["_dated", "_when", "_row"], kind="mergesort")
    return order.drop_duplicates(keys, keep="last").drop(columns=["_dated", "_when"])


def room_consensus(rows: pd.DataFrame, keys: list[str], column: str, scale: str, window_days: float | None = None) -> pd.DataFrame:
    """One row per ``keys``: the room's value from each rater's latest entry, with the entry it came from.

    Each rater (``assessed_by``; an empty name counts as one rater) keeps only
    their latest row; the value in force is :func:`consensus` of those rows
    (median for scores, strict majority else the most cautious for answers).
    The row kept is the latest entry that gave that value, so its evidence
    and date belong to the answer shown. With ``window_days``, a rater's entry
    counts only when it is at most that many days older than the newest entry
    for the same key: the room is the people of the latest assessment, and an
    old review by someone else does not outvote it. Added columns: ``raters``, ``spread``
    (NaN with one rater) and ``given`` (what the raters said, e.g.
    "2 yes, 1 no"; empty with one rater). Single-rater keys skip the Python
    loop, so a portfolio without a room costs what it did.

    >>> rows = pd.DataFrame({"k": ["a"] * 4, "answer": ["yes", "yes", "no", "no"],
    ...                      "evidence": ["old", "vote 5 of 5", "", "budget cut"], "assessed_by": ["Ann", "Ann", "Bo", "Cy"],
    ...                      "assessed_on": pd.to_datetime(["2026-01-01", "2026-09-01", "2026-09-02", "2026-09-03"]), "_row": [1, 2, 3, 4]})
    >>> room_consensus(rows, ["k"], "answer", "answer")[["answer", "evidence", "raters", "given"]].values.tolist()
    [['no', 'budget cut', 3, '1 yes, 2 no']]
    """
    rows = rows if "assessed_by" in rows.columns else rows.assign(assessed_by="")
    rows = rows.assign(assessed_by=rows["assessed_by"].fillna("").astype(str).str.strip())
    each = latest_rows(rows, [*keys, "assessed_by"])
    if window_days is not None and len(each):
        newest = each.groupby(keys, sort=False)["assessed_on"].transform("max")
        each = each[each["assessed_on"].isna() | newest.isna() | (each["assessed_on"] >= newest - pd.Timedelta(days=float(window_days)))]
    size = each.groupby(keys, sort=False)[column].transform("size")
    single = each[size == 1].assign(raters=1, spread=np.nan, given="")
    multi = each[size > 1]
    if multi.empty:
        return single
    picked = []
    order = ("yes", "partly", "no", "unknown")
    for _, g in multi.groupby(keys, sort=False):
        value, spread = consensus(list(g[column]), scale)
        norm = g[column].astype(str).str.strip().str.lower() if scale == "answer" else g[column].astype(float)
        match = g[norm == value]
        dated = match.assign(_d=match["assessed_on"].notna(), _w=match["assessed_on"].fillna(pd.Timestamp.min))
        row = dated.sort_values(["_d", "_w", "_row"], kind="mergesort").iloc[[-1]].drop(columns=["_d", "_w"])
        if scale == "answer":
            counts = norm.value_counts()
            given = ", ".join(f"{int(counts[a])} {a}" for a in order if a in counts)
        else:
            given = "scores " + ", ".join(f"{v:g}" for v in sorted(norm))
        picked.append(row.assign(raters=len(g), spread=spread, given=given))
    return pd.concat([single, *picked]).sort_values([*keys], kind="mergesort")


@memo.portfolio()
def current_answers(wb) -> pd.DataFrame:
    """The answer in force per (opportunity, question): the room's consensus of each rater's latest answer.

    One rater (or answers without ``assessed_by``): the latest answer by
    ``assessed_on``. Several raters: :func:`room_consensus` (a strict majority,
    else the most cautious answer given), with the evidence of the answer kept.

    Columns: opportunity_id, question_id, answer, evidence, assessed_on,
    assessed_by, raters, spread, given, has_evidence, credit. Questions no
    longer in the bank are left out.

    Example:
        >>> len(current_answers(wb))
        792
    """
    cfg = qualification_settings(wb.settings)
    bank = checked_bank(wb)
    rows = wb.qualification[wb.qualification["question_id"].isin(bank.index) & (wb.qualification["opportunity_id"] != "")]
    latest = room_consensus(rows, ["opportunity_id", "question_id"], "answer", "answer", cfg.consensus_days)
    out = with_credit(latest, wb, cfg)
    return out.sort_values(["opportunity_id", "question_id"]).reset_index(drop=True)


def score_matrix(ans: pd.DataFrame, key: str | list[str], bank: pd.DataFrame, cfg: QualificationSettings) -> pd.DataFrame:
    """Per ``key`` value: score, number answered, weighted shares of firm / no answers."""
    w = bank["weight"].astype(float)
    total = float(w.sum())
    u = cfg.points["unknown"]
    keys = [key] if isinstance(key, str) else list(key)
    wide = ans.set_index([*keys, "question_id"])[["credit", "answer"]].unstack("question_id")
    cred = wide["credit"].reindex(columns=bank.index).astype(float).fillna(u)
    answer = wide["answer"].reindex(columns=bank.index).astype(object).fillna("")
    firm = answer.isin(["yes", "partly", "no"]).astype(float)
    no = (answer == "no").astype(float)
    out = pd.DataFrame(index=cred.index)
    out["score"] = 100.0 * (cred * w).sum(axis=1) / total
    out["answered"] = (answer != "").sum(axis=1)
    out["unknown"] = len(bank) - firm.sum(axis=1)
    out["firm_share"] = (firm * w).sum(axis=1) / total
    out["no_share"] = (no * w).sum(axis=1) / total
    return out


CAUTION = ("no", "unknown", "partly", "yes")
"""Answers from the most cautious to the most favourable: the consensus falls back on the first one given."""


def consensus(values: list[Any], scale: str = "score") -> tuple[Any, float]:
    """The room's value for one item from each rater's latest entry, and the spread.

    Scores: the median (of an even count, the lower middle value, so it stays
    on the 1-5 scale and errs on the side of caution); the spread is highest
    minus lowest. Answers (yes, partly, no, unknown): the answer a strict
    majority gave, else the most cautious answer given (no, then unknown, then
    partly, then yes); the spread is on the scale yes 1, partly 0.5, no 0
    (unknown left out). Empty entries are ignored; with none, ``(None, nan)``.

    >>> consensus([4, 2, 5]), consensus([2, 3, 4, 5])
    ((4.0, 3.0), (3.0, 3.0))
    >>> consensus(["yes", "yes", "no"], "answer"), consensus(["yes", "partly", "unknown"], "answer")
    (('yes', 1.0), ('unknown', 0.5))
    """
    import statistics

    given = [v for v in values if v is not None and str(v).strip() != "" and not (isinstance(v, float) and np.isnan(v))]
    if not given:
        return None, float("nan")
    if scale == "answer":
        answers = [str(v).strip().lower() for v in given]
        top, n = max(((a, answers.count(a)) for a in set(answers)), key=lambda t: (t[1], -CAUTION.index(t[0]) if t[0] in CAUTION else 0))
        value = top if n * 2 > len(answers) else min(answers, key=lambda a: CAUTION.index(a) if a in CAUTION else -1)
        points = [{"yes": 1.0, "partly": 0.5, "no": 0.0}[a] for a in answers if a in ("yes", "partly", "no")]
        return value, (max(points) - min(points)) if points else float("nan")
    numbers = sorted(float(v) for v in given)
    return float(statistics.median_low(numbers)), numbers[-1] - numbers[0]
