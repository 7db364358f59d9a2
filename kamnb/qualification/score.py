"""Qualification: will an opportunity's revenue really come, and how likely is it?

Each opportunity is tested against the question bank (``wb.questions``). The
latest answer per question counts (earlier ones are history). An answer earns
points (``yes`` 1, ``partly`` 0.5, ``no`` 0, ``unknown`` 0 by default: not
knowing is a risk, not a neutral middle), an answer without evidence keeps only
part of its distance from ``unknown``, and the weighted points make a score
from 0 to 100. A curve from ``settings.yaml`` turns the score into the
likelihood of winning or retaining the opportunity. ``docs/qualification.md``
walks through the formula with a worked example.

Every likelihood can be taken apart: :func:`explain_likelihood` says how many
score points and likelihood points each answer added or took away, starting
from "every answer neutral".

Example:
    >>> cfg = qualification_settings({})
    >>> float(likelihood_from_score(100.0, cfg)) > float(likelihood_from_score(50.0, cfg))
    True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kamnb import settings as kamnb_settings
from kamnb.common import memo
from kamnb.common.formatting import Notes, money, percent
from kamnb.errors import KamnbError, QualificationSettingsError
from kamnb.workbook.schema import ANSWERS

CLOSED_STAGES = ("won", "lost")
STATUSES = ("qualified", "not qualified", "qualify out")




# --------------------------------------------------------------------------- settings

@dataclass(frozen=True)
class QualificationSettings:
    """The ``qualification:`` settings in force, checked. See ``kamnb/defaults/settings.yaml``.

    Example:
        >>> qs = qualification_settings(load_workbook("data/sample").settings)  # doctest: +SKIP
        >>> qs.min_answers  # doctest: +SKIP
        1
    """

    points: dict[str, float]
    evidence_discount: float
    curve_x: np.ndarray
    curve_y: np.ndarray
    min_answers: int
    knockout_questions: tuple[str, ...]
    knockout_needs_evidence: bool
    litmus_no_below: float
    max_no_share: float
    min_likelihood: float
    min_firm_share: float
    bands: tuple[float, ...]
    raw: dict[str, Any] = field(default_factory=dict, compare=False)
    consensus_days: float | None = 30.0

    @property
    def neutral(self) -> float:
        """Points of a neutral answer: halfway between ``no`` and ``yes``."""
        return (self.points["yes"] + self.points["no"]) / 2


def _bad(key: str, found: Any, expected: str) -> QualificationSettingsError:
    return QualificationSettingsError(f"settings.yaml, qualification.{key}: found {found!r}, expected {expected}")


def _number(section: dict[str, Any], key: str, lo: float, hi: float, prefix: str = "") -> float:
    value = section.get(key)
    try:
        number = float(value)  # type: ignore[arg-type]  # None and text are refused just below
    except (TypeError, ValueError):
        raise _bad(prefix + key, value, f"a number from {lo:g} to {hi:g}") from None
    if not lo <= number <= hi:
        raise _bad(prefix + key, value, f"a number from {lo:g} to {hi:g}")
    return number


def qualification_settings(settings: dict[str, Any]) -> QualificationSettings:
    """Read and check the ``qualification:`` section (missing keys take the built-in defaults).

    >>> cfg = qualification_settings({"qualification": {"evidence_discount": 0.25}})
    >>> cfg.evidence_discount, cfg.points["partly"]
    (0.25, 0.5)
    >>> qualification_settings({"qualification": {"evidence_discount": 2}})
    Traceback (most recent call last):
    ...
    kamnb.errors.QualificationSettingsError: settings.yaml, qualification.evidence_discount: found 2, expected a number from 0 to 1
    """
    own = settings.get("qualification") or {}
    if not isinstance(own, dict):
        raise _bad("", own, "a mapping of qualification settings")
    sec = kamnb_settings.section({"qualification": own}, "qualification")
    pts_in = sec["answer_points"]
    if not isinstance(pts_in, dict):
        raise _bad("answer_points", pts_in, "a mapping answer: points")
    points = {a: _number(pts_in, a, 0.0, 1.0, "answer_points.") for a in ANSWERS}
    if points["yes"] != 1.0:
        raise _bad("answer_points.yes", points["yes"], "1 (a yes is full marks)")
    if not points["no"] <= points["partly"] <= points["yes"]:
        raise _bad("answer_points.partly", points["partly"], "points between those of no and yes")
    if points["unknown"] > points["partly"]:
        raise _bad("answer_points.unknown", points["unknown"], "no more points than partly (unknown is a risk, not neutral)")
    curve = sec["likelihood_curve"]
    try:
        arr = np.asarray(curve, dtype=float)
        ok = arr.ndim == 2 and arr.shape[1] == 2 and len(arr) >= 2
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise _bad("likelihood_curve", curve, "a list of at least two [score, likelihood] pairs")
    xs, ys = arr[:, 0], arr[:, 1]
    if xs[0] != 0 or xs[-1] != 100 or np.any(np.diff(xs) <= 0):
        raise _bad("likelihood_curve", curve, "scores rising from 0 to 100")
    if np.any(np.diff(ys) < 0) or ys.min() < 0 or ys.max() > 1:
        raise _bad("likelihood_curve", curve, "likelihoods from 0 to 1 that never fall as the score rises")
    qo = sec["qualify_out"] if isinstance(sec["qualify_out"], dict) else {}
    knock = qo.get("knockout_questions") or []
    if not isinstance(knock, list):
        raise _bad("qualify_out.knockout_questions", knock, "a list of question ids")
    bands = sec["likelihood_bands"]
    if not isinstance(bands, list) or any(not isinstance(b, (int, float)) for b in bands) or sorted(bands) != bands or not all(0 < b < 1 for b in bands):
        raise _bad("likelihood_bands", bands, "a rising list of band limits between 0 and 1, such as [0.25, 0.5, 0.75]")
    return QualificationSettings(
        points=points,
        evidence_discount=_number(sec, "evidence_discount", 0.0, 1.0),
        curve_x=xs,
        curve_y=ys,
        min_answers=int(_number(sec, "min_answers", 1, 1000)),
        knockout_questions=tuple(str(k) for k in knock),
        knockout_needs_evidence=bool(qo.get("knockout_needs_evidence")),
        litmus_no_below=_number(qo, "litmus_no_below", 0.0, 1.0, "qualify_out."),
        max_no_share=_number(qo, "max_no_share", 0.0, 1.0, "qualify_out."),
        min_likelihood=_number(qo, "min_likelihood", 0.0, 1.0, "qualify_out."),
        min_firm_share=_number(qo, "min_firm_share", 0.0, 1.0, "qualify_out."),
        bands=tuple(float(b) for b in bands),
        consensus_days=None if sec.get("consensus_days") is None else _number(sec, "consensus_days", 0, 100000),
        raw=sec,
    )


def likelihood_from_score(score: Any, cfg: QualificationSettings) -> np.ndarray:
    """The likelihood (0..1) for a score (0..100): straight lines between the curve's points.

    NaN stays NaN (an opportunity without answers has no likelihood).

    >>> cfg = qualification_settings({})
    >>> [round(float(x), 3) for x in likelihood_from_score([0, 50, 70, 100], cfg)]
    [0.02, 0.275, 0.55, 0.9]
    """
    s = np.asarray(score, dtype=float)
    return np.where(np.isnan(s), np.nan, np.interp(s, cfg.curve_x, cfg.curve_y))


# --------------------------------------------------------------------------- answers -> credit


def _bank(wb) -> pd.DataFrame:
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


def _prepared(rows: pd.DataFrame, wb, cfg: QualificationSettings) -> pd.DataFrame:
    out = rows.copy()
    if wb.has_column("qualification", "evidence"):
        out["has_evidence"] = out["evidence"].astype(str).str.strip() != ""
    else:
        out["has_evidence"] = False
    out["credit"] = credit(out["answer"], out["has_evidence"], cfg)
    return out


def _latest(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
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
    each = _latest(rows, [*keys, "assessed_by"])
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
        >>> len(current_answers(wb))  # doctest: +SKIP
        792
    """
    cfg = qualification_settings(wb.settings)
    bank = _bank(wb)
    rows = wb.qualification[wb.qualification["question_id"].isin(bank.index) & (wb.qualification["opportunity_id"] != "")]
    latest = room_consensus(rows, ["opportunity_id", "question_id"], "answer", "answer", cfg.consensus_days)
    out = _prepared(latest, wb, cfg)
    return out.sort_values(["opportunity_id", "question_id"]).reset_index(drop=True)


def _score_matrix(ans: pd.DataFrame, key: str | list[str], bank: pd.DataFrame, cfg: QualificationSettings) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- scoring


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
        >>> t = score_opportunities(wb)                      # doctest: +SKIP
        >>> t.loc["OP-001", "status"], round(float(t.loc["OP-001", "likelihood"]), 3)  # doctest: +SKIP
        ('qualified', 0.117)
    """
    cfg = qualification_settings(wb.settings)
    bank = _bank(wb)
    opps = wb.opportunities
    cur = current_answers(wb)
    cur = cur[cur["opportunity_id"].isin(opps.index)]
    mat = _score_matrix(cur, "opportunity_id", bank, cfg) if not cur.empty else pd.DataFrame(
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
    latest = _prepared(_latest(pairs, ["opportunity_id", "as_at", "question_id"]), wb, cfg)
    mat = _score_matrix(latest, ["opportunity_id", "as_at"], bank, cfg)
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
        >>> likelihood_history(wb, "ACC-001").columns.tolist()[:4]  # doctest: +SKIP
        ['opportunity_id', 'name', 'assessed_on', 'score']
    """
    cfg = qualification_settings(wb.settings)
    opps = wb.opportunities if account_id is None else wb.opportunities[wb.opportunities["account_id"] == account_id]
    hist = _history(wb, cfg, _bank(wb), opps.index)
    hist.insert(1, "name", hist["opportunity_id"].map(opps["name"]))
    hist["change"] = hist.groupby("opportunity_id")["likelihood"].diff()
    return hist


# --------------------------------------------------------------------------- explanation


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
        >>> ex = explain_likelihood(wb, "OP-001")  # doctest: +SKIP
        >>> ex.loc[1, ["question_id", "answer"]].tolist()  # doctest: +SKIP
        ['buying_process', 'no']
    """
    cfg = qualification_settings(wb.settings)
    bank = _bank(wb)
    if opportunity_id not in wb.opportunities.index:
        known = ", ".join(list(wb.opportunities.index[:10]))
        raise KamnbError(f"no opportunity {opportunity_id!r} in {wb.path}; known ids include {known}")
    cur = current_answers(wb)
    out = _explain(cur[cur["opportunity_id"] == opportunity_id], bank, cfg)
    out.attrs["stage"] = wb.opportunities.loc[opportunity_id, "stage"]
    return out


def _explain(cur: pd.DataFrame, bank: pd.DataFrame, cfg: QualificationSettings) -> pd.DataFrame:
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
        >>> explanation_table(wb, "OP-001").iloc[0, 0]  # doctest: +SKIP
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


def _top(ex: pd.DataFrame, positive: bool, n: int = 3) -> str:
    eff = ex["likelihood_effect"]
    pick = ex[eff > 0.0005] if positive else ex[eff < -0.0005]
    pick = pick.reindex(pick["likelihood_effect"].abs().sort_values(ascending=False, kind="mergesort").index).head(n)
    return ", ".join(f"{q} {e * 100:+.0f}" for q, e in zip(pick["question_id"], pick["likelihood_effect"], strict=False)) or "–"


def explain_account(wb, account_id: str) -> pd.DataFrame:
    """One line per opportunity of an account: likelihood and the answers that moved it most (likelihood points).

    Example:
        >>> explain_account(wb, "ACC-001").columns.tolist()  # doctest: +SKIP
        ['opportunity', 'status', 'start', 'raised by', 'lowered by', 'likelihood']
    """
    cfg = qualification_settings(wb.settings)
    bank = _bank(wb)
    scores = score_opportunities(wb)
    cur = current_answers(wb)
    mine = scores[scores["account_id"] == account_id].sort_values(["value"], ascending=False, kind="mergesort")
    rows = []
    for oid, r in mine.iterrows():
        if r["status"] == "not qualified" or (r["closed"] and r["answered"] == 0):
            rows.append({"opportunity": r["name"], "status": r["status"] if not r["closed"] else r["stage"], "start": "", "raised by": "",
                         "lowered by": "", "likelihood": "not qualified" if not r["closed"] else percent(r["likelihood"] * 100)})
            continue
        ex = _explain(cur[cur["opportunity_id"] == oid], bank, cfg)
        rows.append({
            "opportunity": r["name"],
            "status": r["status"] if not r["closed"] else r["stage"],
            "start": percent(ex.attrs["start_likelihood"] * 100),
            "raised by": _top(ex, True),
            "lowered by": _top(ex, False),
            "likelihood": percent(r["likelihood"] * 100),
        })
    return pd.DataFrame(rows, columns=["opportunity", "status", "start", "raised by", "lowered by", "likelihood"])


# --------------------------------------------------------------------------- tables for the notebook


def opportunity_table(wb, account_id: str) -> pd.DataFrame:
    """The account's opportunities with score, likelihood, status and factored value, formatted.

    Example:
        >>> opportunity_table(wb, "ACC-001")["id"].tolist()[:2]  # doctest: +SKIP
        ['OP-001', 'OP-004']
    """
    cur = wb.settings.get("currency", "EUR")
    t = score_opportunities(wb)
    t = t[t["account_id"] == account_id].sort_values(["value"], ascending=False, kind="mergesort")

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


# --------------------------------------------------------------------------- agenda


# --------------------------------------------------------------------------- portfolio




def notes(wb, account_id: str | None = None) -> Notes:
    """What could not be computed as intended for this workbook, in words (empty when all is well).

    Example:
        >>> notes(wb, "ACC-001")  # doctest: +SKIP
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
        opps = wb.opportunities[wb.opportunities["account_id"] == account_id]
        if opps.empty:
            out.append(f"Account {account_id} has no opportunities: there is nothing to qualify or forecast.")
    return Notes(out)


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
