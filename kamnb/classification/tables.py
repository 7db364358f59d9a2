"""Tables of the classification for people: formatted, sorted, one per step of the notebook.

Each function takes the workbook (or accounts frame) and, optionally, the
result of :func:`kamnb.classification.score.classify` so a notebook classifies once.
Money goes through :mod:`kamnb.common.formatting`; rows are in a fixed order so the
same workbook always gives the same table.

Example:
    >>> import pandas as pd
    >>> acc = pd.DataFrame({"name": ["A", "B"], "revenue_12m": [900.0, 100.0]}, index=["A", "B"])
    >>> pareto_table(acc).loc["revenue", "core accounts"]
    '1 of 2 (50%)'
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamnb.classification.definitions import BY_ID, DEFINITION_IDS
from kamnb.classification.pareto import summarise
from kamnb.classification.partnership import attribute_text
from kamnb.classification.score import _inputs, classification_settings, classify, coverage
from kamnb.common.formatting import money


def _result(source: Any, result: pd.DataFrame | None) -> tuple[pd.DataFrame, dict[str, Any], str]:
    _, settings, _ = _inputs(source, None)
    res = classify(source) if result is None else result
    return res, settings, settings.get("currency", "EUR")


def _names(res: pd.DataFrame, ids: pd.Index) -> list[str]:
    return [f"{i} {n}" for i, n in zip(ids, res.loc[ids, "name"], strict=False)]


def pareto_table(source: Any, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many accounts carry the Pareto share of revenue, of gross profit and of contribution after cost to serve.

    Accounts kept at a loss (negative contribution) are never in the core and do not shrink the total.

    Example:
        >>> pareto_table(wb).columns.tolist()[:3]
        ['core accounts', 'share carried', 'total']
    """
    res, settings, cur = _result(source, result)
    share = float(classification_settings(settings).get("pareto_share", 80))
    rows = {}
    measures = (("revenue", "revenue_12m", "revenue_core"), ("gross profit", "gross_profit", "profit_core"),
                ("contribution after cost to serve", "contribution", "contribution_core"))
    for label, value_col, core_col in measures:
        values = res[value_col].to_numpy(dtype="float64", na_value=np.nan)
        if np.isnan(values).all():
            rows[label] = {"core accounts": "not computed (no gross margin)", "share carried": "–", "total": "–", "core": ""}
            continue
        s = summarise(np.nan_to_num(values), res[core_col].to_numpy(), share)
        core = res.index[res[core_col].to_numpy()]
        order = res.loc[core].sort_values([value_col], ascending=False, kind="stable").index
        rows[label] = {
            "core accounts": f"{s.core_count} of {s.accounts} ({s.core_pct_of_accounts:.0f}%)",
            "share carried": f"{s.carried_pct:.0f}%",
            "total": money(s.total, cur, short=True),
            "core": ", ".join(order[:12]) + (" ..." if len(order) > 12 else ""),
        }
    return pd.DataFrame(rows).T


def rank_disagreements(source: Any, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Accounts whose revenue rank and gross-profit rank disagree (core of one only, or ranks far apart).

    Example:
        >>> rank_disagreements(wb).columns.tolist()[:3]
        ['account', 'revenue', 'revenue rank']
    """
    res, _, cur = _result(source, result)
    d = res[res["rank_disagreement"]].sort_values(["revenue_rank", "profit_rank"], kind="stable")
    margin = np.where(d["revenue_12m"] > 0, d["gross_profit"] / d["revenue_12m"].where(d["revenue_12m"] > 0) * 100, np.nan)
    return pd.DataFrame(
        {
            "account": _names(res, d.index),
            "revenue": [money(v, cur, short=True) for v in d["revenue_12m"]],
            "revenue rank": d["revenue_rank"].to_numpy(),
            "gross profit": [money(v, cur, short=True) for v in d["gross_profit"]],
            "profit rank": [f"{v:.0f}" for v in d["profit_rank"]],
            "gross margin": [f"{v:.0f}%" if not np.isnan(v) else "–" for v in margin],
            "in 80% core by": ["revenue only" if r and not p else "profit only" if p and not r else "both" if r else "neither"
                               for r, p in zip(d["revenue_core"], d["profit_core"], strict=False)],
        },
        index=pd.Index(d.index, name="account_id"),
    )


def definitions_table(source: Any, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """The seven definitions: how each is measured, its weight, what it could use, how many it calls key, its trap.

    Example:
        >>> definitions_table(wb).columns.tolist()[:3]
        ['definition', 'measured as', 'weight']
    """
    res, settings, _ = _result(source, result)
    frame, _, _ = _inputs(source, None)
    cov = coverage(frame, settings)
    return pd.DataFrame(
        {
            "definition": [BY_ID[d].title for d in DEFINITION_IDS],
            "measured as": [BY_ID[d].measure for d in DEFINITION_IDS],
            "weight": [f"{cov.loc[d, 'weight']:g}" for d in DEFINITION_IDS],
            "data": [cov.loc[d, "status"] + (f": {cov.loc[d, 'note']}" if cov.loc[d, "note"] else "") for d in DEFINITION_IDS],
            "calls key": [int(res[f"key_by_{d}"].sum()) for d in DEFINITION_IDS],
            "trap it warns about": [BY_ID[d].trap for d in DEFINITION_IDS],
        },
        index=pd.Index(DEFINITION_IDS, name="id"),
    )


def _called_by(res: pd.DataFrame, ids: pd.Index, value: bool) -> list[str]:
    out = []
    for i in ids:
        row = res.loc[i]
        out.append(", ".join(BY_ID[d].title for d in DEFINITION_IDS if bool(row[f"key_by_{d}"]) == value and not np.isnan(row[d])) or "–")
    return out


def key_accounts(source: Any, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """The key-account list under the organisation's weights, highest key score first.

    Example:
        >>> key_accounts(wb).columns.tolist()[:3]
        ['account', 'key score', 'revenue']
    """
    res, settings, cur = _result(source, result)
    k = res[res["is_key"]].sort_values(["key_score", "revenue_12m"], ascending=False, kind="stable")
    names = classification_settings(settings)["tiers"]["names"]
    return pd.DataFrame(
        {
            "account": _names(res, k.index),
            "key score": [f"{v:.0f}" for v in k["key_score"]],
            "revenue": [money(v, cur, short=True) for v in k["revenue_12m"]],
            "tier": [names.get(t, t) for t in k["tier"].astype(str)],
            "called key by": _called_by(res, k.index, True),
            "traps": k["traps"].astype(str).replace("", "–").to_numpy(),
        },
        index=pd.Index(k.index, name="account_id"),
    )


def disputed_accounts(source: Any, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Accounts some definitions call key and others do not, with the traps they fall into.

    Example:
        >>> disputed_accounts(wb).columns.tolist()[:3]
        ['account', 'key under our weights', 'key score']
    """
    res, _, _ = _result(source, result)
    d = res[res["disputed"]].sort_values(["key_score"], ascending=False, kind="stable")
    return pd.DataFrame(
        {
            "account": _names(res, d.index),
            "key under our weights": np.where(d["is_key"], "yes", "no"),
            "key score": [f"{v:.0f}" for v in d["key_score"]],
            "called key by": _called_by(res, d.index, True),
            "not by": _called_by(res, d.index, False),
            "traps": d["traps"].astype(str).replace("", "–").to_numpy(),
        },
        index=pd.Index(d.index, name="account_id"),
    )


def partnership_table(source: Any, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Both sides of each partnership and the label, grouped by label.

    Example:
        >>> partnership_table(wb).columns.tolist()[:3]
        ['account', 'their side (1-5)', 'our side (1-5)']
    """
    res, _, _ = _result(source, result)
    frame = _inputs(source, None)[0]
    order = res.assign(_c=res["partnership"].cat.codes).sort_values(["_c", "their_willingness"], ascending=[True, False], kind="stable")
    fmt = lambda v: "–" if np.isnan(v) else f"{v:.1f}"  # noqa: E731
    return pd.DataFrame(
        {
            "account": _names(res, order.index),
            "their side (1-5)": [fmt(v) for v in order["their_willingness"]],
            "our side (1-5)": [fmt(v) for v in order["our_willingness"]],
            "partnership": order["partnership"].astype(str).to_numpy(),
            "theirs / ours": [attribute_text(frame.loc[i]) if i in frame.index else "" for i in order.index],
            "key": np.where(order["is_key"], "key", ""),
        },
        index=pd.Index(order.index, name="account_id"),
    )


def tier_table(source: Any, result: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tier, reason, signs of risk and resource recommendation per account, retain / defend first.

    Example:
        >>> tier_table(wb).columns.tolist()[:3]
        ['account', 'tier', 'why']
    """
    res, settings, _ = _result(source, result)
    names = classification_settings(settings)["tiers"]["names"]
    order = res.assign(_t=res["tier"].cat.codes).sort_values(["_t", "key_score"], ascending=[True, False], kind="stable")
    return pd.DataFrame(
        {
            "account": _names(res, order.index),
            "tier": [names.get(t, t) for t in order["tier"].astype(str)],
            "why": order["tier_reason"].astype(str).to_numpy(),
            "signs of risk": order["risk"].astype(str).replace("", "–").to_numpy() if "risk" in order else "–",
            "quadrant": order["quadrant"].astype(str).to_numpy(),
            "recommendation for the team": order["resources"].astype(str).to_numpy(),
            "effort": order["resource_change"].astype(str).to_numpy(),
        },
        index=pd.Index(order.index, name="account_id"),
    )


def group_table(source: Any) -> pd.DataFrame:
    """Parent/subsidiary groups classified as one, beside how their members were classified alone.

    Example:
        >>> group_table(wb).columns.tolist()[:3]
        ['group', 'accounts', 'revenue']
    """
    _, settings, _ = _inputs(source, None)
    cur = settings.get("currency", "EUR")
    groups = classify(source, by_group=True)
    multi = groups[groups["members"] > 1].sort_values("revenue_12m", ascending=False, kind="stable")
    alone = classify(source)
    names = classification_settings(settings)["tiers"]["names"]
    frame, _, _ = _inputs(source, None)
    from kamnb.classification.groups import roll_up

    members = roll_up(frame)["member_ids"]
    rows = []
    for gid, g in multi.iterrows():
        ids = members[gid].split(", ")
        each = ", ".join(f"{i} {names.get(str(alone.loc[i, 'tier']), '')}{' (key)' if alone.loc[i, 'is_key'] else ''}" for i in ids)
        rows.append({"group": f"{gid} {g['name']}", "accounts": int(g["members"]), "revenue": money(g["revenue_12m"], cur, short=True),
                     "key score": f"{g['key_score']:.0f}", "key as a group": "yes" if g["is_key"] else "no",
                     "tier as a group": names.get(str(g["tier"]), str(g["tier"])), "members alone": each})
    return pd.DataFrame(rows, columns=["group", "accounts", "revenue", "key score", "key as a group", "tier as a group", "members alone"])
