"""Key figures for every account, for the portfolio index and its CSV/Excel files.

:func:`key_figures` builds one row per account from the workbook's own
figures and joins the ``portfolio_columns(wb)`` of each method module
(classification, qualification, relationships, value), so the index shows the
same numbers as the reviews. :func:`charts` draws the portfolio charts.

Example:
    >>> from kamnb.workbook import load_workbook
    >>> wb = load_workbook("tests/notebooks/workbook")
    >>> figures, notes = key_figures(wb)
    >>> float(round(figures.loc["ACC-001", "growth_pct"], 1))
    13.6
"""
from __future__ import annotations

import base64
from typing import Any

import pandas as pd

from kamnb import classification, qualification, relationships, value, whitespace
from kamnb.workbook import Workbook

METHOD_STEPS = (classification, qualification, relationships, value, whitespace)
"""The method's steps (their faces) whose ``portfolio_columns(wb)`` join the key figures, in this order."""

OPEN_STAGES_EXCLUDED = ("won", "lost")


def _method_columns(wb: Workbook) -> tuple[list[tuple[str, pd.DataFrame]], list[str]]:
    parts: list[tuple[str, pd.DataFrame]] = []
    notes: list[str] = []
    for step in METHOD_STEPS:
        name = step.__name__
        try:
            frame = step.portfolio_columns(wb)
        except Exception as err:  # one module failing must not cost the whole index
            notes.append(f"{name.split('.')[-1]} figures could not be computed: {type(err).__name__}: {err}")
            continue
        parts.append((name.split(".")[-1], frame))
    return parts, notes


def _flag_texts(wb: Workbook) -> pd.Series:
    """The medium and high red flags of every account, by their titles, joined with '; '."""
    from kamnb.relationships.redflags import RED_FLAGS, red_flags

    flags = red_flags(wb)
    if flags.empty:
        return pd.Series("", index=wb.accounts.index, dtype=object)
    serious = flags[flags["severity"].isin(["high", "medium"])]
    titles = serious["flag"].map(lambda f: RED_FLAGS[f].title if f in RED_FLAGS else f)
    text = titles.groupby(serious["account_id"], sort=False).agg(lambda s: "; ".join(dict.fromkeys(s)))
    return text.reindex(wb.accounts.index).fillna("").astype(object)


def key_figures(wb: Workbook, accounts: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """One row per account (indexed by account_id) with the key figures; plus notes on what was missing.

    Own columns: name, industry, country, revenue_12m, revenue_prev_12m,
    growth_pct (change against the previous 12 months; NaN without a
    previous figure), gross_margin_pct, gross_profit, revenue_share_pct,
    open_opportunities, open_pipeline_value, flags (medium and high red
    flags, when the red-flag rules exist). Then the columns of each method
    module; a column name another module already used gets the module's name
    as prefix.

    Example:
        >>> from kamnb.workbook import load_workbook
        >>> figures, notes = key_figures(load_workbook("data/sample"))
        >>> float(figures.loc["ACC-001", "revenue_12m"]), notes
        (11850000.0, [])
    """
    acc = wb.accounts
    out = pd.DataFrame(index=acc.index.copy())
    out.index.name = "account_id"
    out["name"] = acc["name"]
    out["industry"] = acc["industry"]
    out["country"] = acc["country"]
    out["revenue_12m"] = acc["revenue_12m"]
    out["revenue_prev_12m"] = acc["revenue_prev_12m"]
    prev = acc["revenue_prev_12m"].where(acc["revenue_prev_12m"] > 0)
    out["growth_pct"] = (acc["revenue_12m"] - prev) / prev * 100
    out["gross_margin_pct"] = acc["gross_margin_pct"]
    out["gross_profit"] = acc["revenue_12m"] * acc["gross_margin_pct"] / 100
    total = acc["revenue_12m"].sum()
    out["revenue_share_pct"] = acc["revenue_12m"] / total * 100 if total else float("nan")
    opps = wb.opportunities
    open_opps = opps[~opps["stage"].isin(OPEN_STAGES_EXCLUDED)]
    grouped = open_opps.groupby("account_id")["value"]
    out["open_opportunities"] = grouped.size().reindex(out.index).fillna(0).astype(int)
    out["open_pipeline_value"] = grouped.sum().reindex(out.index).fillna(0.0)
    parts, notes = _method_columns(wb)
    for module, frame in parts:
        frame = frame.reindex(out.index)
        renamed = {c: (f"{module}_{c}" if c in out.columns else c) for c in frame.columns}
        out = out.join(frame.rename(columns=renamed))
    try:
        out["flags"] = _flag_texts(wb)
    except Exception as err:  # the red-flag rules failing must not cost the index
        out["flags"] = ""
        notes.append(f"red flags could not be computed: {type(err).__name__}: {err}")
    if "tier" not in out.columns:  # the classification failed (its note says why)
        out["tier"] = ""
    if accounts is not None:
        out = out.loc[[a for a in accounts if a in out.index]]
    return sort_accounts(out), notes


def tier_order() -> list[str]:
    """Tiers in the order classification defines them: retain / defend first, then from the most to the least invested.

    Example:
        >>> tier_order()
        ['retain', 'invest', 'develop', 'maintain', 'streamline']
    """
    from kamnb.classification.rules import TIER_KEYS

    return list(TIER_KEYS)


def sort_accounts(frame: pd.DataFrame) -> pd.DataFrame:
    """By tier (classification's order, unknown tiers after, none last), then revenue (largest first), then id.

    Example:
        >>> f = pd.DataFrame({"tier": ["develop", "invest", None], "revenue_12m": [5.0, 1.0, 9.0]}, index=["A", "B", "C"])
        >>> sort_accounts(f).index.tolist()
        ['B', 'A', 'C']
    """
    known = {t: i for i, t in enumerate(tier_order())}
    tiers = frame["tier"].fillna("").astype(str) if "tier" in frame else pd.Series("", index=frame.index)
    keys = pd.DataFrame(index=frame.index)
    keys["t"] = tiers.map(lambda t: (0, known[t], "") if t in known else ((1, 0, t) if t else (2, 0, "")))
    keys["r"] = -frame["revenue_12m"].fillna(0)
    keys["i"] = frame.index.astype(str)
    order = keys.sort_values(["t", "r", "i"], kind="mergesort").index
    return frame.loc[order]


def svg_data_uri(fig: Any) -> str:
    """A matplotlib Figure as a ``data:image/svg+xml;base64,...`` URI (for a page that loads nothing).

    Example:
        >>> import matplotlib.figure
        >>> svg_data_uri(matplotlib.figure.Figure())[:26]
        'data:image/svg+xml;base64,'
    """
    from kamnb.plots import figure_svg

    return "data:image/svg+xml;base64," + base64.b64encode(figure_svg(fig).encode("utf-8")).decode("ascii")


def pareto_chart(figures: pd.DataFrame, currency: str = "EUR") -> Any:
    """Revenue per account, largest first, with the cumulative share of total revenue.

    Example:
        >>> pareto_chart(figures).axes[0].get_title()  # doctest: +SKIP
        'Revenue concentration (Pareto)'
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    from kamnb.common.formatting import money

    data = figures.sort_values(["revenue_12m"], ascending=False, kind="mergesort")
    rev = data["revenue_12m"].fillna(0)
    cum = rev.cumsum() / rev.sum() * 100 if rev.sum() else rev * 0
    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    x = range(len(data))
    ax.bar(x, rev, color="#1f5f8b")
    ax.set_ylabel(f"Revenue, last 12 months ({currency})")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: money(v, currency, short=True)))
    if len(data) <= 30:
        ax.set_xticks(list(x), [str(n)[:18] for n in data["name"]], rotation=60, ha="right", fontsize=8)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(data)} accounts, largest first")
    ax2 = ax.twinx()
    ax2.plot(list(x), cum, color="#b42318", marker="o" if len(data) <= 30 else None, markersize=3)
    ax2.axhline(80, color="#616e7c", linestyle="--", linewidth=0.8)
    ax2.set_ylim(0, 105)
    ax2.yaxis.set_major_formatter(PercentFormatter())
    ax2.set_ylabel("Cumulative share of revenue")
    ax.set_title("Revenue concentration (Pareto)")
    fig.tight_layout()
    return fig


def growth_margin_chart(figures: pd.DataFrame) -> Any:
    """Growth against gross margin, one dot per account, sized by revenue.

    Example:
        >>> growth_margin_chart(figures).axes[0].get_title()  # doctest: +SKIP
        'Growth and margin (dot size: revenue)'
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    data = figures.dropna(subset=["growth_pct", "gross_margin_pct"])
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    if len(data):
        rev = data["revenue_12m"].fillna(0)
        size = 30 + 600 * rev / rev.max() if rev.max() else 30
        ax.scatter(data["gross_margin_pct"], data["growth_pct"], s=size, alpha=0.6, color="#1f5f8b", edgecolor="white")
        if len(data) <= 25:
            for _, row in data.iterrows():
                ax.annotate(str(row["name"])[:18], (row["gross_margin_pct"], row["growth_pct"]), fontsize=7,
                            xytext=(4, 3), textcoords="offset points")
    else:
        ax.text(0.5, 0.5, "no account has both a growth and a margin figure", ha="center", va="center", transform=ax.transAxes)
    ax.axhline(0, color="#616e7c", linewidth=0.8)
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.yaxis.set_major_formatter(PercentFormatter())
    ax.set_xlabel("Gross margin")
    ax.set_ylabel("Revenue growth against the previous 12 months")
    ax.set_title("Growth and margin (dot size: revenue)")
    fig.tight_layout()
    return fig


def charts(figures: pd.DataFrame, currency: str = "EUR") -> list[tuple[str, str]]:
    """The portfolio charts as ``(title, data URI)`` pairs.

    Example:
        >>> [title for title, uri in charts(figures)]  # doctest: +SKIP
        ['Revenue concentration', 'Growth and margin']
    """
    if figures.empty:
        return []
    return [
        ("Revenue concentration", svg_data_uri(pareto_chart(figures, currency))),
        ("Growth and margin", svg_data_uri(growth_margin_chart(figures))),
    ]


def offering_rows(wb: Workbook, figures: pd.DataFrame) -> list[dict[str, Any]]:
    """The offerings across the key accounts of ``figures`` (least bought first), as display rows for the portfolio page.

    Empty when no key account has a whitespace map. Each row: offering,
    bought ("2 of 5"), pipeline, lost, competitor, never offered, room, under (bool).

    Example:
        >>> offering_rows(wb, key_figures(wb)[0])[0]["offering"]  # doctest: +SKIP
        'Yard management'
    """
    from kamnb.common.formatting import money
    from kamnb.whitespace import penetration

    key = [a for a in figures.index if bool(figures.at[a, "is_key"])] if "is_key" in figures else []
    table = penetration(wb, key)
    cur = wb.settings.get("currency", "EUR")
    return [
        {"offering": r["offering"], "bought": f"{r['bought']} of {r['accounts']}", "pipeline": str(r["open"]), "lost": str(r["lost"]),
         "competitor": str(r["competitor"]), "never": str(r["not_offered"]), "room": money(r["room"], cur, short=True),
         "under": bool(r["under_penetrated"])}
        for _, r in table.iterrows()
    ]

