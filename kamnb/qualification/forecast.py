"""The account forecast: factored value (value x likelihood) per opportunity and per account.

Retention (``kind: retain``) and growth (``grow`` and ``new``) are kept apart,
as a director reads them. Only qualified opportunities are factored: an
opportunity without answers is "not qualified" and its value is shown on its
own line, never silently at 0 % or 100 %; a qualified-out opportunity is shown
as freed capacity. Won opportunities count at 100 %, lost ones at 0 %.

Example:
    >>> quarter_label(pd.Series(pd.to_datetime(["2027-02-10", None])), pd.Timestamp("2026-11-01")).tolist()
    ['2027 Q1', 'no date']
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamnb.common.formatting import money, percent
from kamnb.common.rows import rows_of
from kamnb.qualification.score import qualification_settings, score_opportunities
from kamnb.workbook import banks

GROWTH_KINDS = ("grow", "new")
NOT_QUALIFIED = "not qualified"
QUALIFIED_OUT = "qualified out"


def band_labels(bands: tuple[float, ...]) -> list[str]:
    """Names of the likelihood bands, lowest first.

    >>> band_labels((0.25, 0.5, 0.75))
    ['under 25%', '25-50%', '50-75%', '75% and more']
    """
    edges = [round(b * 100) for b in bands]
    labels = [f"under {edges[0]}%"]
    labels += [f"{a}-{b}%" for a, b in zip(edges, edges[1:], strict=False)]
    labels.append(f"{edges[-1]}% and more")
    return labels


def likelihood_band(likelihood: pd.Series, status: pd.Series, bands: tuple[float, ...]) -> pd.Series:
    """The band of each opportunity; "not qualified" and "qualified out" are bands of their own.

    >>> likelihood_band(pd.Series([0.1, 0.5, float("nan")]), pd.Series(["qualified", "qualified", "not qualified"]), (0.25, 0.5, 0.75)).tolist()
    ['under 25%', '50-75%', 'not qualified']
    """
    labels = band_labels(bands)
    idx = np.searchsorted(np.asarray(bands), likelihood.fillna(0).to_numpy(), side="right")
    out = pd.Series([labels[i] for i in idx], index=likelihood.index, dtype=object)
    out[status == "not qualified"] = NOT_QUALIFIED
    out[status == "qualify out"] = QUALIFIED_OUT
    return out


def band_order(bands: tuple[float, ...]) -> list[str]:
    """Every band, in the order charts and tables show them (best first).

    Example:
        >>> band_order((0.25, 0.5, 0.75))[:2]
        ['75% and more', '50-75%']
    """
    return list(reversed(band_labels(bands))) + [NOT_QUALIFIED, QUALIFIED_OUT]


def quarter_label(dates: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """``2027 Q1`` for a date; "overdue" before the quarter of ``as_of``; "no date" when empty.

    Example:
        >>> dates = pd.Series(pd.to_datetime(["2027-02-10", "2026-01-05", None]))
        >>> quarter_label(dates, pd.Timestamp("2026-11-01")).tolist()
        ['2027 Q1', 'overdue', 'no date']
    """
    q = dates.dt.to_period("Q")
    now = pd.Timestamp(as_of).to_period("Q")
    out = pd.Series([f"{p.year} Q{p.quarter}" if p is not pd.NaT and not pd.isna(p) else "no date" for p in q], index=dates.index, dtype=object)
    out[(q < now).fillna(False).astype(bool)] = "overdue"
    return out


def pipeline(wb, account_id: str | None = None) -> pd.DataFrame:
    """Open opportunities (not won or lost) with their forecast band and close quarter.

    Columns of :func:`kamnb.qualification.score.score_opportunities` plus ``band``,
    ``quarter`` and ``growth`` (True for grow/new).

    Example:
        >>> pipeline(wb, "ACC-001").columns.tolist()[:3]
        ['account_id', 'name', 'kind']
    """
    cfg = qualification_settings(wb.settings)
    t = score_opportunities(wb)
    if account_id is not None:
        t = rows_of(t, account_id)
    t = t[~t["closed"]]
    t = t.copy()
    t["band"] = likelihood_band(t["likelihood"], t["status"], cfg.bands)
    t["quarter"] = quarter_label(t["expected_close"], banks.as_of(wb.settings))
    t["growth"] = t["kind"].isin(GROWTH_KINDS)
    return t


def account_forecast(wb) -> pd.DataFrame:
    """Per account (every account): value and factored value, split into retention and growth.

    Columns (money unless said): opportunities (count), pipeline_value (open
    opportunities), qualified_value (open and qualified), factored_value
    (qualified and won, value x likelihood), factored_retention,
    factored_growth, won_value, not_qualified_value, qualified_out_value,
    qualified_out_count, weighted_likelihood (factored / value over open
    qualified opportunities; NaN when there are none).
    ``factored_retention + factored_growth == factored_value`` always.

    Example:
        >>> account_forecast(wb).columns.tolist()[:3]
        ['opportunities', 'pipeline_value', 'qualified_value']
    """
    t = score_opportunities(wb)
    open_ = ~t["closed"]
    counted = t["status"] == "qualified"
    growth = t["kind"].isin(GROWTH_KINDS)
    f = t["factored_value"].where(counted, 0.0).fillna(0.0)
    v = t["value"].fillna(0.0)
    parts = pd.DataFrame({
        "account_id": t["account_id"],
        "opportunities": 1,
        "pipeline_value": v.where(open_, 0.0),
        "qualified_value": v.where(open_ & counted, 0.0),
        "factored_open": f.where(open_, 0.0),
        "factored_value": f,
        "factored_retention": f.where(~growth, 0.0),
        "factored_growth": f.where(growth, 0.0),
        "won_value": v.where(t["stage"] == "won", 0.0),
        "not_qualified_value": v.where(open_ & (t["status"] == "not qualified"), 0.0),
        "qualified_out_value": v.where(open_ & (t["status"] == "qualify out"), 0.0),
        "qualified_out_count": (open_ & (t["status"] == "qualify out")).astype(int),
    })
    out = parts.groupby("account_id").sum().reindex(wb.accounts.index).fillna(0.0)
    out["opportunities"] = out["opportunities"].astype(int)
    out["qualified_out_count"] = out["qualified_out_count"].astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["weighted_likelihood"] = np.where(out["qualified_value"] > 0, out["factored_open"] / out["qualified_value"], np.nan)
    return out.drop(columns="factored_open")


def forecast_table(wb, account_id: str) -> pd.DataFrame:
    """The account's forecast as a person reads it: retention, growth and total.

    Example:
        >>> forecast_table(wb, "ACC-001").columns.tolist()[:3]
        ['', 'open opportunities', 'open value']
    """
    cur = wb.settings.get("currency", "EUR")
    t = rows_of(score_opportunities(wb), account_id)
    rows = []
    for label, part in (("Retention", t[~t["kind"].isin(GROWTH_KINDS)]), ("Growth", t[t["kind"].isin(GROWTH_KINDS)]), ("Total", t)):
        open_ = part[~part["closed"]]
        q = open_[open_["status"] == "qualified"]
        won = part[part["stage"] == "won"]
        fact = q["factored_value"].sum() + won["value"].sum()
        rows.append({
            "": label,
            "open opportunities": len(open_),
            "open value": money(open_["value"].sum(), cur),
            "qualified": money(q["value"].sum(), cur),
            "factored (incl. won)": money(fact, cur),
            "average likelihood": percent(q["factored_value"].sum() / q["value"].sum() * 100) if q["value"].sum() > 0 else "–",
            "won": money(won["value"].sum(), cur),
            "not qualified yet": money(open_.loc[open_["status"] == "not qualified", "value"].sum(), cur),
            "qualified out": money(open_.loc[open_["status"] == "qualify out", "value"].sum(), cur),
        })
    return pd.DataFrame(rows)


def pipeline_summary(wb, account_id: str | None = None, by: str = "band") -> pd.DataFrame:
    """Open value and factored value per band (``by="band"``) or per close quarter (``by="quarter"``).

    Raw numbers, one row per band or quarter in display order, columns
    retention, growth (open value), factored (value x likelihood; qualified only).

    Example:
        >>> pipeline_summary(wb, "ACC-001").columns.tolist()[:3]
        ['retention', 'growth', 'factored']
    """
    cfg = qualification_settings(wb.settings)
    p = pipeline(wb, account_id)
    p = p.assign(retention=p["value"].where(~p["growth"], 0.0), growth_value=p["value"].where(p["growth"], 0.0),
                 factored=p["factored_value"].where(p["status"] == "qualified", 0.0).fillna(0.0))
    g = p.groupby(by)[["retention", "growth_value", "factored"]].sum().rename(columns={"growth_value": "growth"})
    if by == "band":
        order = band_order(cfg.bands)
    else:
        quarters = sorted(q for q in g.index if q not in ("overdue", "no date"))
        order = (["overdue"] if "overdue" in g.index else []) + quarters + (["no date"] if "no date" in g.index else [])
    return g.reindex(order).fillna(0.0)


def largest_open(wb, account_id: str) -> str | None:
    """The id of the account's largest open opportunity (``None`` when it has none): the one worth explaining first.

    Example:
        >>> largest_open(wb, "ACC-001")
        'OP-001'
    """
    p = pipeline(wb, account_id)
    if p.empty:
        return None
    return str(p.sort_values(["value"], ascending=False, kind="mergesort").index[0])
