"""Which accounts are key: seven definitions, a weighted key score, traps, partnership, matrix and tier.

There is no single definition of a key account. Each of the seven the method
names is computed here as its own score (0-100) from workbook columns; the
organisation weights them in ``settings.yaml`` (``classification: weights:``)
and the weighted mean is the *key score*. Definitions whose columns are empty
are left out and reported by :func:`coverage`. The same code runs on a
:class:`~kamnb.workbook.Workbook` or on a bare accounts DataFrame.

Example:
    >>> import pandas as pd
    >>> acc = pd.DataFrame({"name": ["A", "B", "C"], "revenue_12m": [900.0, 80.0, 20.0],
    ...                     "gross_margin_pct": [30.0, 40.0, 10.0]}, index=["A", "B", "C"])
    >>> out = classify(acc)
    >>> out[["big", "must_not_lose", "key_score", "is_key"]].round(1).values.tolist()
    [[100.0, 100.0, 100.0, True], [66.7, 66.7, 66.7, True], [33.3, 33.3, 33.3, False]]
    >>> explain(acc, "C").contributions.loc["big", "contribution"].round(1)
    np.float64(11.1)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kamnb.classification import hierarchy, pareto, retention
from kamnb.classification.definitions import BY_ID, DEFINITION_IDS, DEFINITIONS
from kamnb.classification.partnership import (
    PARTNERSHIP_KEYS,
    QUADRANT_KEYS,
    column,
    matrix_axes,
    partnership_codes,
    previous_judgements,
    quadrant_codes,
    side_means,
)
from kamnb.classification.rules import TIER_KEYS, TRAPS, resource_codes, tier_codes, trap_labels
from kamnb.common import memo
from kamnb.common.ranking import ascending_order, fill_nan, judgement, percentile, rank_max, weighted_mean
from kamnb.errors import ClassificationSettingsError
from kamnb.workbook import banks

# --------------------------------------------------------------------------- settings


def classification_settings(settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``classification:`` section in force, checked; defaults when ``settings`` is None.

    Example:
        >>> classification_settings(None)["key_at"]
        65
    """
    settings = banks.load_settings() if settings is None else settings
    cfg = settings.get("classification")
    if not isinstance(cfg, dict):
        cfg = banks.load_settings()["classification"]
    weights = cfg.get("weights") or {}
    unknown = sorted(set(weights) - set(DEFINITION_IDS))
    if unknown:
        raise ClassificationSettingsError(
            f"settings.yaml, classification.weights: found {', '.join(unknown)}, expected only {', '.join(DEFINITION_IDS)}"
        )
    for key, value in weights.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ClassificationSettingsError(f"settings.yaml, classification.weights.{key}: found {value!r}, expected a number of 0 or more")
    if not any(weights.get(d, 0) for d in DEFINITION_IDS):
        raise ClassificationSettingsError("settings.yaml, classification.weights: every weight is 0; expected at least one definition to count")
    return cfg


def _available(frame: pd.DataFrame, name: str) -> bool:
    return name in frame.columns and bool(frame[name].notna().any())


# --------------------------------------------------------------------------- the seven definitions


def rank_inputs(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The measures ranked as percentiles of the portfolio, for the columns that hold data.

    Example:
        >>> sorted(rank_inputs(load_workbook("data/sample").accounts))[:3]
        ['contribution', 'cost_to_serve', 'effort']
    """
    revenue = fill_nan(column(frame, "revenue_12m"), 0.0)
    raw = {"revenue": revenue}
    if _available(frame, "gross_margin_pct"):
        margin = column(frame, "gross_margin_pct")
        raw["gross_profit"] = fill_nan(revenue * margin / 100.0, 0.0)
        raw["gross_margin_pct"] = margin
        raw["contribution"] = raw["gross_profit"] - fill_nan(column(frame, "cost_to_serve"), 0.0)
    if _available(frame, "revenue_potential_3y"):
        potential = column(frame, "revenue_potential_3y")
        raw["room"] = np.clip(potential - revenue, 0, None)
        raw["revenue_potential_3y"] = potential
    if _available(frame, "team_effort_days"):
        raw["effort"] = column(frame, "team_effort_days")
    if _available(frame, "revenue_prev_12m"):
        prev = column(frame, "revenue_prev_12m")
        with np.errstate(invalid="ignore", divide="ignore"):
            growth = np.where(prev > 0, revenue / prev - 1.0, np.where(revenue > 0, np.inf, np.nan))
        raw["growth"] = np.where(np.isnan(prev), np.nan, growth)
    if _available(frame, "cost_to_serve"):
        raw["cost_to_serve"] = column(frame, "cost_to_serve")
    return raw


def rank_all(raw: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Sort order and percentile of every measure; large portfolios sort on two threads.

    Example:
        >>> order, pcts = rank_all(rank_inputs(wb.accounts))
        >>> sorted(pcts)[:2]
        ['contribution', 'cost_to_serve']
    """

    def one(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = ascending_order(values)
        return order, percentile(values, order)

    if len(next(iter(raw.values()))) >= PARALLEL_FROM:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            done = dict(zip(raw, pool.map(one, raw.values()), strict=False))
    else:
        done = {k: one(v) for k, v in raw.items()}
    return {k: v[0] for k, v in done.items()}, {k: v[1] for k, v in done.items()}


PARALLEL_FROM = 50_000


def definition_parts(frame: pd.DataFrame, pcts: dict[str, np.ndarray] | None = None) -> dict[str, list[tuple[str, np.ndarray]]]:
    """For each definition, its named parts (0-100 arrays); a part is left out when its columns are empty.

    Example:
        >>> sorted(definition_parts(load_workbook("data/sample").accounts))
        ['big', 'demanding', 'extra_return', 'focus', 'future_profit', 'must_not_lose', 'strategic']
    """
    if pcts is None:
        pcts = rank_all(rank_inputs(frame))[1]
    parts: dict[str, list[tuple[str, np.ndarray]]] = {d: [] for d in DEFINITION_IDS}
    parts["big"].append(("revenue", pcts["revenue"]))
    if "contribution" in pcts:
        parts["must_not_lose"].append(("contribution after cost to serve", pcts["contribution"]))
    if "room" in pcts:
        parts["future_profit"].append(("room to grow", pcts["room"]))
    for definition, col, label in (
        ("future_profit", "growth_potential", "growth potential"),
        ("extra_return", "responsiveness", "responsiveness"),
        ("demanding", "service_demand", "service demand"),
        ("strategic", "strategic_fit", "strategic fit"),
    ):
        if _available(frame, col):
            parts[definition].append((label, judgement(column(frame, col))))
    if "effort" in pcts:
        parts["focus"].append(("team effort", pcts["effort"]))
    if "growth" in pcts:
        parts["extra_return"].append(("revenue growth", pcts["growth"]))
    if "cost_to_serve" in pcts:
        parts["demanding"].append(("cost to serve", pcts["cost_to_serve"]))
    return parts


def coverage(source: Any, settings: dict[str, Any] | None = None) -> pd.DataFrame:
    """Which definitions could be computed from the columns that hold data, and which could not.

    One row per definition: title, weight, status (``computed`` / ``partly`` /
    ``not computed``) and a note naming the empty columns.

    Example:
        >>> coverage(wb)["status"].value_counts().to_dict()
        {'computed': 7}
    """
    frame, settings, _ = _inputs(source, settings)
    cfg = classification_settings(settings)
    rows = []
    for d in DEFINITIONS:
        empty = [c for c in d.inputs if not _available(frame, c)]
        needs_all = d.id in ("big", "must_not_lose", "focus", "strategic")
        if not empty:
            status, note = "computed", ""
        elif needs_all or len(empty) == len(d.inputs):
            status, note = "not computed", f"no data in {', '.join(empty)}"
        else:
            status, note = "partly", f"computed without {', '.join(empty)} (no data)"
        rows.append({"definition": d.id, "title": d.title, "weight": float(cfg["weights"].get(d.id, 0) or 0), "status": status, "note": note})
    return pd.DataFrame(rows).set_index("definition")


# --------------------------------------------------------------------------- classify


def _inputs(source: Any, settings: dict[str, Any] | None) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame | None]:
    if isinstance(source, pd.DataFrame):
        frame = source
        if "account_id" in frame.columns and frame.index.name != "account_id" and not frame.index.equals(pd.Index(frame["account_id"])):
            frame = frame.set_index("account_id", drop=False)
            frame.index.name = None
        return frame, banks.load_settings() if settings is None else settings, None
    return source.accounts, source.settings if settings is None else settings, source.history


def classify(source: Any, settings: dict[str, Any] | None = None, *, history: pd.DataFrame | None = None, by_group: bool = False,
             signs: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Classify every account (or, with ``by_group``, every parent/subsidiary group).

    ``source`` is a Workbook or an accounts DataFrame (indexed by account id or
    with an ``account_id`` column). Returns one row per account, in the input
    order, with: name, group_id, revenue and gross-profit Pareto columns, one
    0-100 score per definition (``big`` ... ``strategic``, NaN where not
    computable) and ``key_by_<definition>``, ``key_score``, ``is_key``,
    ``key_rank``, ``disputed`` (some definitions call it key, others not),
    ``traps``, the partnership side means and label, matrix axes, quadrant,
    the previous position where the history sheet has one, ``contribution``
    (gross profit minus cost to serve) with its own Pareto columns,
    ``buy_sell_position``/``buy_sell_level``/``buy_sell_change``, ``risk``
    (signs of risk, :mod:`kamnb.classification.retention`), ``tier``,
    ``tier_reason``, ``resources`` and ``resource_change``. Text columns are
    categoricals.

    ``signs`` are the signs of risk read from a workbook's other sheets
    (:func:`kamnb.classification.retention.workbook_signs`, aligned with the
    accounts), for a caller that already has them: the workshop keeps them per
    account and reads again only the account a change touched.

    Example:
        >>> classify(wb).loc["ACC-001", "tier"]
        'retain'
    """
    frame, settings, wb_history = _inputs(source, settings)
    history = wb_history if history is None else history
    # A workbook also gives the signs of risk read from its other sheets (relationship score, renewals,
    # economic buyer) for the retain / defend tier; a bare accounts frame gives only its own.
    extra = signs if signs is not None else retention.workbook_signs(source) if hasattr(source, "sheets") and not by_group else None
    extra_key = None if extra is None else tuple((k, np.flatnonzero(v).tobytes()) for k, v in sorted(extra.items()))
    # Remembered by content (the accounts, history, signs and settings), so a batch classifies once per workbook.
    key = ("classify", memo.frame_digest(frame), None if history is None else memo.frame_digest(history), repr(settings), by_group, extra_key)
    return memo.remember(key, lambda: _classify(frame, settings, history, by_group, extra))


def _pareto_columns(out: dict[str, Any], frame: pd.DataFrame, orders: dict[str, np.ndarray], cfg: dict[str, Any], n: int) -> dict[str, Any]:
    """Revenue, gross profit and contribution: each account's share, rank and place in the Pareto core (returns the revenue split)."""
    share = float(cfg.get("pareto_share", 80))
    revenue = fill_nan(column(frame, "revenue_12m"), 0.0)
    gross_profit = revenue * column(frame, "gross_margin_pct") / 100.0
    rev = pareto.split_arrays(revenue, share, orders.get("revenue"))
    out.update(revenue_12m=revenue, revenue_share_pct=rev["share_pct"], revenue_rank=rev["rank"].astype("int64"), revenue_core=rev["in_core"])
    out["gross_profit"] = gross_profit
    out["revenue_potential_3y"] = column(frame, "revenue_potential_3y")
    if "gross_profit" in orders:
        gp = pareto.split_arrays(fill_nan(gross_profit, 0.0), share, orders["gross_profit"])
        out.update(profit_share_pct=gp["share_pct"], profit_rank=gp["rank"].astype("float64"), profit_core=gp["in_core"])
        gap = np.abs(out["revenue_rank"] - gp["rank"]) >= float(cfg.get("rank_gap", 5))
        out["rank_disagreement"] = (rev["in_core"] != gp["in_core"]) | gap
        contribution = fill_nan(gross_profit, 0.0) - fill_nan(column(frame, "cost_to_serve"), 0.0)
        cp = pareto.split_arrays(contribution, share, orders["contribution"])
        out.update(contribution=np.where(np.isnan(gross_profit), np.nan, contribution), contribution_share_pct=cp["share_pct"],
                   contribution_rank=cp["rank"].astype("float64"), contribution_core=cp["in_core"])
    else:
        out.update(profit_share_pct=np.full(n, np.nan), profit_rank=np.full(n, np.nan), profit_core=np.zeros(n, bool), rank_disagreement=np.zeros(n, bool))
        out.update(contribution=np.full(n, np.nan), contribution_share_pct=np.full(n, np.nan), contribution_rank=np.full(n, np.nan),
                   contribution_core=np.zeros(n, bool))
    return rev


def _definition_columns(out: dict[str, Any], parts: dict[str, list[tuple[str, np.ndarray]]], cfg: dict[str, Any], n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The seven definitions' scores, the key score, whether each account is key, and where the definitions disagree."""
    scores = {}
    for d in DEFINITION_IDS:
        ps = parts[d]
        scores[d] = weighted_mean([p for _, p in ps], [1.0] * len(ps))[0] if ps else np.full(n, np.nan)
        out[d] = scores[d]
    weights = [float(cfg["weights"].get(d, 0) or 0) for d in DEFINITION_IDS]
    key_score, _ = weighted_mean([scores[d] for d in DEFINITION_IDS], weights)
    out["key_score"] = key_score
    key = key_score >= float(cfg.get("key_at", 60))
    key_rank = n - rank_max(fill_nan(key_score, -1.0))[0] + 1 if n else np.zeros(0)
    limit = cfg.get("max_key_accounts")
    if limit not in (None, ""):
        key &= key_rank <= float(limit)
    out["is_key"] = key
    out["key_rank"] = key_rank.astype("int64")
    cut = float(cfg.get("definition_key_at", 75))
    key_by = np.zeros(n, dtype="int64")
    computed = np.zeros(n, dtype="int64")
    for d in DEFINITION_IDS:
        flag = scores[d] >= cut
        out[f"key_by_{d}"] = flag
        key_by += flag
        computed += ~np.isnan(scores[d])
    out["key_by_count"] = key_by
    out["definitions_computed"] = computed
    out["disputed"] = (key_by > 0) & (key_by < computed)
    return scores, key


def _matrix_columns(out: dict[str, Any], frame: pd.DataFrame, cfg: dict[str, Any], pcts: dict[str, np.ndarray], settings: dict[str, Any],
                    history: pd.DataFrame | None, n: int) -> tuple[np.ndarray, np.ndarray, pd.DataFrame, np.ndarray]:
    """Partnership (both sides' willingness), the matrix axes and quadrant, and the axes at the previous assessment.

    Returns their willingness, attractiveness, the previous judgements and which accounts have them.
    """
    theirs, ours = side_means(frame)
    p_cfg = cfg["partnership"]
    p_codes = partnership_codes(theirs, ours, float(p_cfg.get("willing_at", 3.5)))
    out["their_willingness"], out["our_willingness"] = theirs, ours
    out["partnership"] = pd.Categorical.from_codes(p_codes, [p_cfg["labels"][k] for k in PARTNERSHIP_KEYS])
    cache: dict[str, Any] = {c: pcts[c] for c in ("revenue_potential_3y", "gross_margin_pct") if c in pcts}
    attract, strength = matrix_axes(frame, cfg, cache)
    split = float(cfg["matrix"].get("split", 50))
    out["attractiveness"], out["strength"] = attract, strength
    q_names = [cfg["matrix"]["quadrants"].get(k, k) for k in QUADRANT_KEYS[:4]] + ["not placed"]
    out["quadrant"] = pd.Categorical.from_codes(quadrant_codes(attract, strength, split), q_names)
    prev_frame, has_prev, prev_when = previous_judgements(frame, history, banks.as_of(settings) if settings.get("as_of") else None)
    if has_prev.any():
        pa, ps_ = matrix_axes(prev_frame, cfg, cache)
        out["prev_attractiveness"] = np.where(has_prev, pa, np.nan)
        out["prev_strength"] = np.where(has_prev, ps_, np.nan)
    else:
        out["prev_attractiveness"] = out["prev_strength"] = np.full(n, np.nan)
    out["prev_assessed_on"] = prev_when
    return theirs, attract, prev_frame, has_prev


def _buy_sell_columns(out: dict[str, Any], frame: pd.DataFrame, prev_frame: pd.DataFrame, has_prev: np.ndarray, settings: dict[str, Any]) -> None:
    """The buy-sell hierarchy: each account's position, its level's name, and the change since the previous assessment."""
    position = column(frame, "buy_sell_position")
    prev_position = np.where(has_prev, column(prev_frame, "buy_sell_position"), np.nan)
    out["buy_sell_position"] = position
    with np.errstate(invalid="ignore"):
        level = np.where((position >= 1) & (position < hierarchy.LEVELS + 1), np.floor(np.nan_to_num(position)), 0).astype("int64")
    level_names = ["", *(lv["name"] for lv in hierarchy.levels(settings))]
    if len(set(level_names)) == len(level_names):
        out["buy_sell_level"] = pd.Categorical.from_codes(level, level_names)
    else:  # a team gave two levels the same name
        out["buy_sell_level"] = pd.Categorical(np.asarray(level_names, dtype=object)[level])
    out["buy_sell_change"] = position - prev_position


def _classify(frame: pd.DataFrame, settings: dict[str, Any], history: pd.DataFrame | None, by_group: bool,
              extra_signs: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The classification table, stage by stage: Pareto, the definitions and key score, partnership and matrix,
    the buy-sell hierarchy, then traps, retention risk, tier and resources."""
    cfg = classification_settings(settings)
    if by_group:
        from kamnb.classification.groups import roll_up

        frame = roll_up(frame)
    n = len(frame)
    out: dict[str, Any] = {}
    out["name"] = frame["name"].to_numpy() if "name" in frame.columns else frame.index.to_numpy()
    if by_group:
        out["members"] = frame["members"].to_numpy()
    else:
        from kamnb.classification.groups import group_ids

        out["group_id"] = group_ids(frame).to_numpy()

    orders, pcts = rank_all(rank_inputs(frame))
    rev = _pareto_columns(out, frame, orders, cfg, n)
    scores, key = _definition_columns(out, definition_parts(frame, pcts), cfg, n)
    theirs, attract, prev_frame, has_prev = _matrix_columns(out, frame, cfg, pcts, settings, history, n)
    _buy_sell_columns(out, frame, prev_frame, has_prev, settings)

    # traps, tier, resources
    p_cfg = cfg["partnership"]
    split = float(cfg["matrix"].get("split", 50))
    trap_bits = trap_labels(scores, out, frame, cfg)
    out["traps"] = trap_bits
    willing = (theirs >= float(p_cfg.get("willing_at", 3.5))) | np.isnan(theirs)
    signs = retention.account_signs(frame, prev_frame, has_prev, settings)
    signs.update(extra_signs or {})
    at_risk, out["risk"] = retention.sign_labels(signs, n)
    defend = at_risk & (key | rev["in_core"] | out["profit_core"] | out["contribution_core"])
    t_codes, r_codes = tier_codes(key, attract, willing, split, bool(cfg["tiers"].get("invest_needs_partner", True)), defend)
    out["tier"] = pd.Categorical.from_codes(t_codes, list(TIER_KEYS))
    out["tier_reason"] = r_codes
    out["resources"] = pd.Categorical.from_codes(t_codes, [cfg["tiers"]["resources"][k] for k in TIER_KEYS])
    out["resource_change"] = resource_codes(t_codes, scores["focus"], cfg["tiers"])
    return pd.DataFrame(out, index=frame.index.copy())


# --------------------------------------------------------------------------- explain


@dataclass
class Explanation:
    """Why one account got its key score and tier: contributions per definition and reasons in words.

    Example:
        >>> e = explain(load_workbook("data/sample"), "ACC-001")
        >>> e.tier, e.is_key
        ('retain', False)
    """

    account_id: str
    name: str
    contributions: pd.DataFrame
    key_score: float
    key_at: float
    is_key: bool
    tier: str
    reasons: list[str]

    def _repr_html_(self) -> str:
        from kamnb.common.people import people_table
        from kamnb.common.tables import escape

        items = "".join(f"<li>{escape(r)}</li>" for r in self.reasons)
        wanted = ["definition", "score", "weight", "weight_share_pct", "contribution", "calls_key", "note"]
        c = self.contributions
        shown = c[[x for x in wanted if x in c.columns]] if "definition" in c.columns else c.reset_index()
        table = people_table(shown.rename(columns={"contribution": "contribution_points"}), digits={"contribution_points": 1},
                             labels={"score": "Score (0-100)"})
        return f"<ul>{items}</ul>{table._repr_html_()}"

    def __str__(self) -> str:
        return "\n".join([f"{self.account_id} {self.name}", *(f"- {r}" for r in self.reasons)])


def explain(source: Any, account_id: str | None, settings: dict[str, Any] | None = None, *, result: pd.DataFrame | None = None) -> Explanation | None:
    """The contributions that made one account's key score, and the reasons for its tier.

    ``contributions`` has one row per definition: its score, weight, the share
    of the weight it carried for this account and the points it added (the
    points add up to the key score), whether it alone calls the account key,
    and a note when it could not be computed. Pass ``result`` (from
    :func:`classify`) to avoid classifying twice. ``account_id`` None (no
    account highlighted) gives None.

    Example:
        >>> ex = explain(wb, "ACC-001")
        >>> ex.tier, round(ex.key_score, 1)
        ('retain', 41.5)
    """
    from kamnb.classification.rules import reasons_for

    if account_id is None:
        return None
    frame, settings, _ = _inputs(source, settings)
    cfg = classification_settings(settings)
    if account_id not in frame.index:
        from kamnb.errors import AccountNotFound

        known = ", ".join(map(str, frame.index[:10]))
        raise AccountNotFound(f"no account {account_id!r} to explain; known ids include {known}")
    res = classify(source, settings) if result is None else result
    row = res.loc[account_id]
    cov = coverage(frame, settings)
    weights = pd.Series({d: float(cfg["weights"].get(d, 0) or 0) for d in DEFINITION_IDS})
    scores = pd.Series({d: float(row[d]) for d in DEFINITION_IDS})
    used = weights.where(scores.notna(), 0.0)
    total = used.sum()
    table = pd.DataFrame(
        {
            "definition": [BY_ID[d].title for d in DEFINITION_IDS],
            "score": scores.to_numpy(),
            "weight": weights.to_numpy(),
            "weight_share_pct": (used / total * 100.0 if total else used * 0).to_numpy(),
            "contribution": (scores.fillna(0) * used / total if total else used * 0).to_numpy(),
            "calls_key": [bool(row[f"key_by_{d}"]) for d in DEFINITION_IDS],
            "note": [cov.loc[d, "note"] if np.isnan(scores[d]) or cov.loc[d, "status"] != "computed" else "" for d in DEFINITION_IDS],
        },
        index=pd.Index(DEFINITION_IDS, name="definition_id"),
    )
    return Explanation(
        account_id, str(row["name"]), table, float(row["key_score"]), float(cfg.get("key_at", 60)), bool(row["is_key"]), str(row["tier"]),
        reasons_for(row, frame.loc[account_id], res, cfg, settings.get("currency", "EUR"), settings),
    )


# --------------------------------------------------------------------------- portfolio index




__all__ = ["TRAPS", "Explanation", "classify", "coverage", "explain"]
