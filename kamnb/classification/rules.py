"""The rules behind the classification: the trap of each definition, the tier, the resource advice.

All rules are vectorised over the portfolio. Their words (tier reasons, trap
labels) are categoricals: a million accounts share a handful of sentences.
:func:`reasons_for` writes the full explanation for one account.

Example:
    >>> import numpy as np
    >>> t, r = tier_codes(np.array([True, False, True, False, True]), np.array([80.0, 80.0, 20.0, 20.0, 80.0]),
    ...                   np.array([True, True, True, True, True]), 50, True, np.array([False, False, False, False, True]))
    >>> [TIER_KEYS[c] for c in t]
    ['invest', 'develop', 'maintain', 'streamline', 'retain']
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamnb.common.formatting import date, money
from kamnb.common.ranking import fill_nan

TIER_KEYS = ("retain", "invest", "develop", "maintain", "streamline")
TIER_REASONS = (
    "key account in an attractive position, and they want to partner",
    "key and attractive, but they are not yet willing partners: build the partnership before adding resources",
    "attractive but not key today: build our position",
    "key today but less attractive ahead: keep the business and serve it efficiently",
    "key; attractiveness could not be computed (no potential, growth, fit or margin data)",
    "neither key nor attractive: serve it at lower cost",
    "not key; attractiveness could not be computed (no potential, growth, fit or margin data)",
    "key or in the Pareto core, and at risk: defend the business before chasing new deals",
)
_TIER_OF_REASON = np.array([1, 2, 2, 3, 3, 4, 4, 0], dtype="int8")
RESOURCE_CHANGES = ("more effort", "hold", "less effort", "effort not recorded")

# trap id -> (definition it belongs to, short label)
TRAPS: dict[str, tuple[str, str]] = {
    "big_unprofitable": ("big", "big but unprofitable"),
    "costly_to_keep": ("must_not_lose", "costly to keep"),
    "small_high_potential": ("future_profit", "small today but high potential"),
    "effort_without_return": ("focus", "team effort without return"),
    "effort_unaffordable": ("extra_return", "rewards effort but is not key: can we afford it?"),
    "demanding_not_important": ("demanding", "demanding but not important"),
    "strategic_on_paper": ("strategic", "strategic on paper only"),
}


def trap_flags(scores: dict[str, np.ndarray], key: np.ndarray, gross_profit: np.ndarray, cost_to_serve: np.ndarray, cfg: dict[str, Any]) -> dict[str, np.ndarray]:
    """One boolean array per trap (False where the inputs are missing).

    Example:
        >>> high = {k: np.array([90.0]) for k in ("big", "must_not_lose", "future_profit", "focus", "extra_return", "demanding", "strategic")}
        >>> flags = trap_flags(high, np.array([True]), np.array([100.0]), np.array([10.0]), {})
        >>> bool(flags["costly_to_keep"][0]), bool(flags["small_high_potential"][0])
        (False, False)
    """
    t = cfg.get("traps", {})
    high, low = float(t.get("high", 75)), float(t.get("low", 40))
    cts = fill_nan(cost_to_serve, 0.0)
    s = scores
    with np.errstate(invalid="ignore"):
        return {
            "big_unprofitable": (s["big"] >= high) & ((gross_profit - cts <= 0) | (s["must_not_lose"] < low)),
            "costly_to_keep": (s["must_not_lose"] >= high) & (cts >= float(t.get("cost_to_serve_share", 50)) / 100.0 * gross_profit),
            "small_high_potential": (s["future_profit"] >= high) & (s["big"] < low),
            "effort_without_return": (s["focus"] >= high) & ((s["must_not_lose"] < low) | (np.isnan(s["must_not_lose"]) & (s["big"] < low))),
            "effort_unaffordable": (s["extra_return"] >= high) & ~key,
            "demanding_not_important": (s["demanding"] >= high) & ~key,
            "strategic_on_paper": (s["strategic"] >= high) & (s["big"] < low) & ~(s["future_profit"] >= low),
        }


def trap_labels(scores: dict[str, np.ndarray], out: dict[str, Any], frame: pd.DataFrame, cfg: dict[str, Any]) -> pd.Categorical:
    """The traps each account falls into, joined by '; ' ('' for none), as a categorical.

    Example:
        >>> from kamnb.classification.definitions import DEFINITION_IDS
        >>> from kamnb.classification.score import classification_settings, classify
        >>> result = classify(wb)
        >>> scores = {d: result[d].to_numpy() for d in DEFINITION_IDS}
        >>> out = {"is_key": result["is_key"].to_numpy(), "gross_profit": result["gross_profit"].to_numpy()}
        >>> list(trap_labels(scores, out, wb.accounts, classification_settings(wb.settings))[:3])  # sample accounts ACC-001..003
        ['big but unprofitable; team effort without return; demanding but not important', '', '']
    """
    from kamnb.classification.partnership import column

    flags = trap_flags(scores, out["is_key"], out["gross_profit"], column(frame, "cost_to_serve"), cfg)
    code = np.zeros(len(frame), dtype="int64")
    for bit, trap in enumerate(TRAPS):
        code |= flags[trap].astype("int64") << bit
    present = np.flatnonzero(np.bincount(code, minlength=1 << len(TRAPS)))
    lookup = np.zeros(1 << len(TRAPS), dtype="int64")
    lookup[present] = np.arange(len(present))
    names = list(TRAPS)
    labels = ["; ".join(TRAPS[names[b]][1] for b in range(len(names)) if c >> b & 1) for c in present]
    return pd.Categorical.from_codes(lookup[code], labels)


def tier_codes(key: np.ndarray, attract: np.ndarray, willing: np.ndarray, split: float, needs_partner: bool,
               defend: np.ndarray | None = None) -> tuple[np.ndarray, pd.Categorical]:
    """Tier (index into :data:`TIER_KEYS`) and the reason for it, first matching rule wins.

    retain / defend: ``defend`` (key or Pareto-core, and at risk) comes first, because
    retention comes before new deals; invest: key, attractive (and, by default, their
    side willing to partner); develop: attractive but not key, or key and attractive
    without a willing partner; maintain: key but not attractive; streamline: the rest.

    Example:
        >>> tiers, reasons = tier_codes(np.array([True, False]), np.array([80.0, 20.0]), np.array([4.0, 2.0]), 50.0, False)
        >>> [TIER_KEYS[i] for i in tiers]
        ['invest', 'streamline']
    """
    unknown = np.isnan(attract)
    attractive = attract >= split
    partner_ok = willing if needs_partner else np.ones_like(key)
    defend = np.zeros(len(key), dtype=bool) if defend is None else np.asarray(defend, dtype=bool)
    reason = np.select(
        [defend, key & attractive & partner_ok, key & attractive, attractive, key & ~unknown, key, ~unknown],
        [7, 0, 1, 2, 3, 4, 5],
        default=6,
    ).astype("int8")
    return _TIER_OF_REASON[reason], pd.Categorical.from_codes(reason, list(TIER_REASONS))


def resource_codes(tier: np.ndarray, focus: np.ndarray, tiers_cfg: dict[str, Any]) -> pd.Categorical:
    """A suggested change of effort for the team to decide: more, hold, less (from the effort percentile).

    More for retain/invest/develop accounts below ``more_below``; less for streamline
    accounts from ``less_from`` and for maintain accounts from ``maintain_less_from``;
    never less for an account in the retain / defend tier.

    Example:
        >>> list(resource_codes(np.array([1, 4, 0]), np.array([10.0, 90.0, 90.0]), {}))
        ['more effort', 'less effort', 'hold']
    """
    more = (tier <= 2) & (focus < float(tiers_cfg.get("more_below", 50)))
    less = ((tier == 4) & (focus >= float(tiers_cfg.get("less_from", 50)))) | ((tier == 3) & (focus >= float(tiers_cfg.get("maintain_less_from", 75))))
    code = np.where(np.isnan(focus), 3, np.where(more, 0, np.where(less, 2, 1))).astype("int8")
    return pd.Categorical.from_codes(code, list(RESOURCE_CHANGES))


def reasons_for(row: pd.Series, account: pd.Series, result: pd.DataFrame, cfg: dict[str, Any], currency: str,
                settings: dict[str, Any] | None = None) -> list[str]:
    """The classification of one account in sentences a director reads.

    Example:
        >>> from kamnb.classification.score import classification_settings, classify
        >>> result = classify(wb)
        >>> reasons_for(result.loc["ACC-002"], wb.account("ACC-002"), result, classification_settings(wb.settings), "EUR")[0][:48]
        'Key score 79 of 100 (key from 65): a key account'
    """
    from kamnb.classification.definitions import BY_ID, DEFINITION_IDS

    n = len(result)
    lines = []
    status = "a key account" if row["is_key"] else "not a key account"
    lines.append(f"Key score {row['key_score']:.0f} of 100 (key from {float(cfg.get('key_at', 60)):g}): {status}, rank {row['key_rank']} of {n}.")
    weights = {d: float(cfg["weights"].get(d, 0) or 0) for d in DEFINITION_IDS}
    used = {d: w for d, w in weights.items() if w and not np.isnan(row[d])}
    total = sum(used.values())
    if total:
        parts = sorted(((row[d] * w / total, d) for d, w in used.items()), reverse=True)
        lines.append("Points came from: " + ", ".join(f"{BY_ID[d].title} +{p:.0f} (score {row[d]:.0f})" for p, d in parts) + ".")
    rev = f"Revenue {money(row['revenue_12m'], currency, short=True)}, rank {row['revenue_rank']} of {n}" + (", in the Pareto core" if row["revenue_core"] else "")
    if not np.isnan(row["gross_profit"]):
        rev += f"; gross profit {money(row['gross_profit'], currency, short=True)}, rank {row['profit_rank']:.0f}" + (", in the Pareto core" if row["profit_core"] else "")
    if "contribution" in row and not np.isnan(row["contribution"]):
        rev += (f"; contribution after cost to serve {money(row['contribution'], currency, short=True)}, rank {row['contribution_rank']:.0f}"
                + (", in the Pareto core" if row["contribution_core"] else ""))
    lines.append(rev + ".")
    if "contribution" in row and row["contribution"] < 0:
        cost = account.get("cost_to_serve", np.nan)
        lines.append(f"Kept at a loss: gross profit {money(row['gross_profit'], currency, short=True)} does not cover the cost to serve of "
                     f"{money(cost, currency, short=True)}; every year the account costs us {money(-row['contribution'], currency, short=True)}.")
    says = [BY_ID[d].title for d in DEFINITION_IDS if row[f"key_by_{d}"]]
    not_says = [BY_ID[d].title for d in DEFINITION_IDS if not row[f"key_by_{d}"] and not np.isnan(row[d])]
    lines.append(f"Definitions that call it key: {', '.join(says) or 'none'}; that do not: {', '.join(not_says) or 'none'}.")
    for trap in [t for t in str(row["traps"]).split("; ") if t]:
        definition = next(d for d, label in TRAPS.values() if label == trap)
        lines.append(f"Trap - {trap}: {BY_ID[definition].trap}")
    from kamnb.classification.partnership import attribute_text

    lines.append(
        f"Partnership: {row['partnership']} (their side {_one(row['their_willingness'])} of 5, ours {_one(row['our_willingness'])} of 5; "
        f"theirs / ours: {attribute_text(account)})."
    )
    place = f"Portfolio matrix: {row['quadrant']} (attractiveness {_int(row['attractiveness'])}, strength {_int(row['strength'])})"
    if not np.isnan(row["prev_attractiveness"]):
        place += f"; at the assessment of {date(row['prev_assessed_on'])}: attractiveness {_int(row['prev_attractiveness'])}, strength {_int(row['prev_strength'])}"
    lines.append(place + ".")
    if "buy_sell_level" in row and row["buy_sell_level"]:
        from kamnb.classification.hierarchy import move_text, next_step

        pos = row["buy_sell_position"]
        moved = move_text(pos - row["buy_sell_change"], pos, settings) if row["buy_sell_change"] == row["buy_sell_change"] else ""
        since = f"; {moved} since {date(row['prev_assessed_on'])}" if moved else ""
        lines.append(f"Buy-sell hierarchy: {pos:.0f} of 5, {row['buy_sell_level']}{since}. {next_step(pos, settings)}")
    name = cfg["tiers"]["names"].get(row["tier"], row["tier"])
    risk = f" Signs of risk: {row['risk']}." if row.get("risk") else ""
    lines.append(f"Tier: {name} - {row['tier_reason']}.{risk}")
    effort = "" if row["resource_change"] == "effort not recorded" else f" Effort: {row['resource_change']} (team effort at the {_int(row['focus'])}th percentile)."
    lines.append(f"Recommendation for the team (not applied automatically): {row['resources']}{effort}")
    missing = [BY_ID[d].title for d in DEFINITION_IDS if np.isnan(row[d])]
    if missing:
        lines.append(f"Could not compute for this account: {', '.join(missing)} (no data).")
    return lines


def _one(v: float) -> str:
    return "–" if np.isnan(v) else f"{v:.1f}"


def _int(v: float) -> str:
    return "–" if np.isnan(v) else f"{v:.0f}"
