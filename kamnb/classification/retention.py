"""Signs that an account we depend on is slipping away: the inputs of the retain / defend tier.

Retention comes before new deals. The classification puts a key or Pareto-core
account in the retain / defend tier when one of these signs shows
(thresholds in ``classification.tiers.retain`` of settings.yaml):

* from the accounts sheet and its history (:func:`account_signs`): revenue
  fell by ``revenue_fall_pct``; their willingness to partner, their
  transparency or our buy-sell position fell by ``judgement_drop`` since the
  last assessment;
* from the rest of the workbook (:func:`workbook_signs`): the relationship
  score is below ``score_floor`` or fell by ``score_drop`` points at the last
  review; an open renewal worth ``renewal_share_pct`` of the account's revenue
  stands below ``renewal_low_likelihood`` (or is not qualified, or qualified
  out); the economic buyer is against us.

Example:
    >>> import pandas as pd
    >>> acc = pd.DataFrame({"revenue_12m": [90.0, 100.0], "revenue_prev_12m": [100.0, 100.0]}, index=["A", "B"])
    >>> signs = account_signs(acc, acc, np.array([False, False]), {})
    >>> signs["revenue_falling"].tolist()
    [True, False]
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from kamnb.common import memo
from kamnb.workbook import banks

SIGNS: dict[str, str] = {
    "revenue_falling": "revenue falling",
    "partner_down": "their willingness to partner fell",
    "transparency_down": "their transparency fell",
    "buy_sell_down": "pushed down the buy-sell hierarchy",
    "score_low": "relationship score below the floor",
    "score_falling": "relationship score falling",
    "renewal_at_risk": "a large renewal at low likelihood",
    "economic_buyer_against": "the economic buyer is against us",
}
"""Every sign, with the words the tier reason uses."""
_DROPS = {"partner_down": "partner_willingness", "transparency_down": "transparency", "buy_sell_down": "buy_sell_position"}


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    tiers = (banks.load_settings().get("classification") or {}).get("tiers") or {}
    return dict(tiers.get("retain") or {})


def retain_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    """``classification.tiers.retain`` in force, defaults filled in key by key.

    >>> retain_settings({})["revenue_fall_pct"]
    5
    """
    out = dict(_defaults())
    own = (((settings or {}).get("classification") or {}).get("tiers") or {}).get("retain")
    out.update(own if isinstance(own, dict) else {})
    return out


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype="float64", na_value=np.nan)


def account_signs(frame: pd.DataFrame, previous: pd.DataFrame, has_previous: np.ndarray, settings: dict[str, Any] | None) -> dict[str, np.ndarray]:
    """Signs read from the accounts sheet and the previous assessment, one boolean array each (vectorised).

    >>> acc = pd.DataFrame({"partner_willingness": [2.0, 4.0]}, index=["A", "B"])
    >>> before = pd.DataFrame({"partner_willingness": [4.0, 4.0]}, index=["A", "B"])
    >>> account_signs(acc, before, np.array([True, True]), {})["partner_down"].tolist()
    [True, False]
    """
    cfg = retain_settings(settings)
    fall = float(cfg.get("revenue_fall_pct", 5))
    now, prev = _col(frame, "revenue_12m"), _col(frame, "revenue_prev_12m")
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(prev > 0, (now / prev - 1.0) * 100.0, np.nan)
    out = {"revenue_falling": change <= -fall}
    drop = float(cfg.get("judgement_drop", 1))
    for sign, col in _DROPS.items():
        with np.errstate(invalid="ignore"):
            out[sign] = has_previous & (_col(previous, col) - _col(frame, col) >= drop)
    return out


@memo.portfolio()
def workbook_signs(wb: Any) -> dict[str, np.ndarray]:
    """Signs read from the relationship, opportunity and stakeholder sheets, aligned with ``wb.accounts``.

    Example:
        >>> int(workbook_signs(load_workbook("data/sample"))["score_low"].sum())
        4
    """
    from kamnb.qualification.score import score_opportunities
    from kamnb.relationships.grid import config
    from kamnb.relationships.score import relationship_scores, score_history

    cfg = retain_settings(wb.settings)
    ids = wb.accounts.index
    scores = relationship_scores(wb)["score"].reindex(ids)
    out = {"score_low": (scores < float(cfg.get("score_floor", 50))).to_numpy()}
    hist = score_history(wb).dropna(subset=["score"]).sort_values(["account_id", "assessed_on"], kind="stable")
    last_two = hist.groupby("account_id")["score"].apply(lambda s: s.iloc[-2] - s.iloc[-1] if len(s) > 1 else np.nan)
    out["score_falling"] = (last_two.reindex(ids) >= float(cfg.get("score_drop", 10))).to_numpy()
    opps = score_opportunities(wb)
    opps = opps[(opps["kind"] == "retain") & ~opps["closed"]]
    revenue = wb.accounts["revenue_12m"]
    big = opps["value"] >= float(cfg.get("renewal_share_pct", 50)) / 100.0 * opps["account_id"].map(revenue)
    weak = opps["likelihood"].isna() | (opps["likelihood"] < float(cfg.get("renewal_low_likelihood", 0.2))) | (opps["status"] != "qualified")
    at_risk = set(opps.loc[big & weak, "account_id"])
    out["renewal_at_risk"] = ids.isin(at_risk)
    st = wb.stakeholders
    against = st[(st["decision_role"] == "economic_buyer") & (st["support"] <= config(wb.settings)["opposed"])]
    out["economic_buyer_against"] = ids.isin(set(against["account_id"]))
    return out


def sign_labels(signs: dict[str, np.ndarray], n: int) -> tuple[np.ndarray, pd.Categorical]:
    """Whether any sign shows, and the signs in words joined by '; ' (a categorical: few distinct texts).

    >>> any_, words = sign_labels({"revenue_falling": np.array([True, False])}, 2)
    >>> any_.tolist(), list(words)
    ([True, False], ['revenue falling', ''])
    """
    code = np.zeros(n, dtype="int64")
    names = list(SIGNS)
    for bit, sign in enumerate(names):
        if sign in signs:
            code |= np.asarray(signs[sign], dtype=bool).astype("int64") << bit
    present = np.flatnonzero(np.bincount(code, minlength=1 << len(names)))
    lookup = np.zeros(1 << len(names), dtype="int64")
    lookup[present] = np.arange(len(present))
    labels = ["; ".join(SIGNS[names[b]] for b in range(len(names)) if c >> b & 1) for c in present]
    return code > 0, pd.Categorical.from_codes(lookup[code], labels)
