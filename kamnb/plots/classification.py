"""Charts of the classification: Pareto curve, definitions side by side, partnership, portfolio matrix, contributions.

Each function takes the result of :func:`kamnb.classification.score.classify` (plus
settings where names or thresholds are shown) and returns a Figure.

Example:
    >>> import pandas as pd
    >>> from kamnb.classification.score import classify
    >>> res = classify(pd.DataFrame({"name": ["A", "B"], "revenue_12m": [9.0, 1.0]}, index=["A", "B"]))
    >>> pareto_chart(res).axes[0].get_xlabel()
    'Share of accounts, largest first (%)'
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kamnb.classification.definitions import BY_ID, DEFINITION_IDS
from kamnb.classification.pareto import curve
from kamnb.classification.score import Explanation, classification_settings
from kamnb.common.formatting import money
from kamnb.plots import AMBER, BLUE, DPI, GREEN, INK, MUTED, PURPLE, RED, TITLE_Y, new_figure, place, style_axes, text_width
from kamnb.workbook import banks

TIER_COLOURS = {"retain": PURPLE, "invest": GREEN, "develop": BLUE, "maintain": AMBER, "streamline": MUTED}


def _cfg(settings: dict[str, Any] | None) -> dict[str, Any]:
    return classification_settings(banks.load_settings() if settings is None else settings)


def pareto_chart(result: pd.DataFrame, settings: dict[str, Any] | None = None) -> Figure:
    """Cumulative share of revenue and of gross profit against the share of accounts, with the Pareto line.

    Example:
        >>> from kamnb.classification.score import classify
        >>> fig = pareto_chart(classify(wb))
        >>> fig.axes[0].get_title(loc="left")
        'Pareto split: a few accounts carry most of the business'
    """
    share = float(_cfg(settings).get("pareto_share", 80))
    fig, ax = new_figure("Pareto split: a few accounts carry most of the business", size=(8.0, 4.8))
    n = len(result)
    for label, col, core, colour in (("revenue", "revenue_12m", "revenue_core", BLUE), ("gross profit", "gross_profit", "profit_core", GREEN)):
        values = result[col].to_numpy(dtype="float64", na_value=np.nan)
        if np.isnan(values).all():
            continue
        c = curve(values)
        k = int(result[core].sum())
        ax.plot(c["accounts_pct"], c["cumulative_pct"], color=colour, linewidth=2,
                label=f"{label}: {k} of {n:,} accounts ({k * 100 / max(n, 1):.0f}%) form the {share:g}% core")
        if k:
            x = k * 100.0 / n
            ax.plot([x], [np.interp(x, c["accounts_pct"], c["cumulative_pct"])], "o", color=colour)
    ax.axhline(share, color=RED, linestyle="--", linewidth=1)
    ax.text(100, share - 2, f"{share:g}% of the total", color=RED, ha="right", va="top", fontsize=9)
    ax.plot([0, 100], [0, 100], color=MUTED, linewidth=0.8, linestyle=":")
    ax.text(60, 52, "all accounts equal", color=MUTED, fontsize=8, rotation=0)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 105)
    ax.set_xlabel("Share of accounts, largest first (%)")
    ax.set_ylabel("Cumulative share of the total (%)")
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    return fig


def definitions_chart(result: pd.DataFrame, settings: dict[str, Any] | None = None, highlight: str | None = None, max_rows: int = 30) -> Figure:
    """Each account's score on the seven definitions; a dot where a definition alone calls it key.

    Shows the key accounts and those some definition calls key (highest key
    score first, at most ``max_rows``), so disagreements stand out.

    Example:
        >>> from kamnb.classification.score import classify
        >>> fig = definitions_chart(classify(wb))
        >>> fig.axes[0].get_title(loc="left")
        'Seven definitions of a key account, side by side'
    """
    shown = result[result["is_key"] | (result["key_by_count"] > 0)]
    shown = shown.sort_values(["key_score", "revenue_12m"], ascending=False, kind="stable").head(max_rows)
    rows = len(shown)
    fig = Figure(figsize=(8.5, 2.2 + 0.27 * max(rows, 3)), dpi=DPI)
    ax = fig.add_subplot()
    data = shown[list(DEFINITION_IDS)].to_numpy(dtype="float64")
    # "none": the picture is embedded cell by cell and the viewer scales it up with crisp edges (no resampling)
    im = ax.imshow(np.ma.masked_invalid(data), aspect="auto", cmap="Blues", vmin=0, vmax=100, interpolation="none")
    ys, xs = np.nonzero(shown[[f"key_by_{d}" for d in DEFINITION_IDS]].to_numpy())
    ax.scatter(xs, ys, s=18, color=AMBER, edgecolor=INK, linewidth=0.5)
    weights = _cfg(settings)["weights"]
    ticks = [BY_ID[d].title.replace(", ", ",\n").replace(" ", "\n", 1) + f"\n(weight {float(weights.get(d, 0) or 0):g})" for d in DEFINITION_IDS]
    ax.set_xticks(range(len(DEFINITION_IDS)), ticks, fontsize=8)
    labels = [f"{i} {str(n)[:22]}  {'KEY' if k else '   '} {s:.0f}" for i, n, k, s in zip(shown.index, shown["name"], shown["is_key"], shown["key_score"], strict=False)]
    place(fig, left=text_width(labels, 8) + 0.2, right=0.55, bottom=0.65 + 0.14 * max((t.count("\n") + 1 for t in ticks), default=1), top=0.45)
    ax.set_yticks(range(rows), labels, fontsize=8, family="monospace")
    for tick, ident in zip(ax.get_yticklabels(), shown.index, strict=False):
        if ident == highlight:
            tick.set_fontweight("bold")
            tick.set_color(RED)
    ax.tick_params(length=0)
    ax.set_title("Seven definitions of a key account, side by side", loc="left", fontsize=13, color=INK, fontweight="bold", y=TITLE_Y)
    ax.set_xlabel("Score on each definition (0-100). Orange dot: this definition alone calls the account key.\n"
                  "Beside each name: KEY when key under our weights, then the key score.", fontsize=9)
    cbar = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cbar.set_label("score", fontsize=8)
    return fig


def _spread(values: np.ndarray, keys: pd.Index, width: float = 0.12) -> np.ndarray:
    """Deterministic small offsets so accounts on the same judgement do not hide each other."""
    order = pd.Series(values).groupby(pd.Series(values).round(2)).cumcount().to_numpy()
    return values + ((order % 5) - 2) * width / 2 + (order // 5) * width / 5


def _density(ax: Any, x: np.ndarray, y: np.ndarray, xlim: tuple[float, float], ylim: tuple[float, float], bins: int = 20) -> None:
    """The rest of the portfolio as shaded cells (darker = more accounts): the same drawing for 30 accounts or 3,000."""
    ok = np.isfinite(x) & np.isfinite(y)
    counts, xe, ye = np.histogram2d(x[ok], y[ok], bins=bins, range=[list(xlim), list(ylim)])
    shown = np.ma.masked_equal(counts.T, 0)
    if shown.count():
        ax.pcolormesh(xe, ye, shown, cmap="Greys", vmin=0, vmax=max(float(shown.max()) * 1.6, 1.0), alpha=0.55, shading="flat", linewidth=0, rasterized=True)
    ax.text(0.5, 0.015, f"shaded: where the portfolio's {int(ok.sum()):,} accounts sit (darker = more)", transform=ax.transAxes,
            ha="center", va="bottom", fontsize=8, color=MUTED)


def partnership_chart(result: pd.DataFrame, settings: dict[str, Any] | None = None, highlight: str | None = None, *, label_others: bool = True) -> Figure:
    """Their willingness (partner, transparent, growth) against ours, with the willing line on both sides.

    ``label_others=False`` (an account's review) draws the highlighted account
    on the shaded spread of the portfolio, so the chart is the same size for
    30 accounts or 3,000.

    Example:
        >>> from kamnb.classification.score import classify
        >>> fig = partnership_chart(classify(wb))
        >>> fig.axes[0].get_title(loc="left")
        'Partnership is mutual: their side and ours'
    """
    cfg = _cfg(settings)["partnership"]
    at = float(cfg.get("willing_at", 3.5))
    fig, ax = new_figure("Partnership is mutual: their side and ours", size=(8.0, 6.0))
    r = result.dropna(subset=["their_willingness", "our_willingness"])
    x = _spread(r["their_willingness"].to_numpy(), r.index)
    y = _spread(r["our_willingness"].to_numpy(), r.index, 0.1)
    colours = np.where(r["is_key"], BLUE, MUTED)
    if label_others:
        ax.scatter(x, y, s=40, c=list(colours), alpha=0.85, edgecolor="white", linewidth=0.5)
    else:
        _density(ax, r["their_willingness"].to_numpy(dtype="float64"), r["our_willingness"].to_numpy(dtype="float64"), (0.6, 5.4), (0.55, 5.5), 16)
        if highlight in r.index:
            i = r.index.get_loc(highlight)
            ax.scatter([x[i]], [y[i]], s=60, c=[colours[i]], edgecolor="white", linewidth=0.5, zorder=3)
    if len(r) <= 60 and label_others:
        for xi, yi, ident in zip(x, y, r.index, strict=False):
            ax.annotate(str(ident)[-3:] if str(ident).startswith("ACC-") else str(ident), (xi, yi), xytext=(4, 2), textcoords="offset points", fontsize=7, color=INK)
    if highlight in r.index:
        i = r.index.get_loc(highlight)
        ax.scatter([x[i]], [y[i]], s=160, facecolor="none", edgecolor=RED, linewidth=2)
        ax.annotate(str(highlight), (x[i], y[i]), xytext=(0, -16), textcoords="offset points", ha="center", color=RED, fontsize=9, fontweight="bold")
    ax.axvline(at, color=MUTED, linestyle="--", linewidth=1)
    ax.axhline(at, color=MUTED, linestyle="--", linewidth=1)
    labels = cfg["labels"]
    for (tx, ty, key, ha) in ((5.2, 5.35, "mutual", "right"), (5.2, 0.75, "we_hold_back", "right"), (0.8, 5.35, "one_sided", "left"), (0.8, 0.75, "transactional", "left")):
        ax.text(tx, ty, labels[key], ha=ha, va="center", fontsize=9, color=PURPLE, fontweight="bold")
    ax.set_xlim(0.6, 5.4)
    ax.set_ylim(0.55, 5.5)
    ax.set_xlabel("Their side: willing to partner, transparent, growth potential (mean, 1-5)")
    ax.set_ylabel("Our side: our willingness to invest (1-5)")
    if label_others:
        ax.text(0.5, 0.985, "blue = key account, grey = other accounts", transform=ax.transAxes, ha="center", va="top", fontsize=8, color=BLUE)
    return fig


def matrix_chart(result: pd.DataFrame, settings: dict[str, Any] | None = None, highlight: str | None = None, currency: str = "EUR", *,
                 label_others: bool = True) -> Figure:
    """Portfolio matrix: our strength (x) against attractiveness (y); bubble area = revenue potential.

    ``label_others=False`` (an account's review) draws the highlighted account,
    its bubble and its own arrow of movement on the shaded spread of the
    portfolio, so the chart is the same size for 30 accounts or 3,000.

    An arrow runs from the position at the previous assessment (history sheet)
    to today's where the two differ. Colours are the tiers.

    Example:
        >>> from kamnb.classification.score import classify
        >>> fig = matrix_chart(classify(wb))
        >>> fig.axes[0].get_title(loc="left")
        'Portfolio matrix: attractiveness vs our strength'
    """
    cfg = _cfg(settings)
    split = float(cfg["matrix"].get("split", 50))
    fig, ax = new_figure("Portfolio matrix: attractiveness vs our strength", size=(8.5, 7.0), bottom=1.35)
    r = result.dropna(subset=["attractiveness", "strength"])
    potential = r["revenue_potential_3y"].fillna(r["revenue_12m"]).to_numpy(dtype="float64")
    biggest = np.nanmax(potential) if len(potential) and np.nanmax(potential) > 0 else 1.0
    sizes = 30 + 1500 * np.sqrt(np.clip(potential, 0, None) / biggest)
    tiers = r["tier"].astype(str).to_numpy()
    names = cfg["tiers"]["names"]
    if not label_others:
        _density(ax, r["strength"].to_numpy(dtype="float64"), r["attractiveness"].to_numpy(dtype="float64"), (0, 100), (0, 100))
    for tier, colour in TIER_COLOURS.items():
        m = tiers == tier
        if not label_others:
            m = m & (r.index == highlight)
        if m.any():
            ax.scatter(r["strength"][m], r["attractiveness"][m], s=sizes[m], color=colour, alpha=0.55, edgecolor="white", linewidth=0.8, label=names.get(tier, tier))
    moved = r[(r["prev_attractiveness"].notna()) & ((r["prev_attractiveness"] - r["attractiveness"]).abs() + (r["prev_strength"] - r["strength"]).abs() > 0.5)]
    if not label_others:
        moved = moved[moved.index == highlight]
    for _, row in moved.iterrows():
        ax.annotate("", xy=(row["strength"], row["attractiveness"]), xytext=(row["prev_strength"], row["prev_attractiveness"]),
                    arrowprops={"arrowstyle": "->", "color": INK, "linewidth": 1.1, "shrinkA": 0, "shrinkB": 4})
        ax.plot([row["prev_strength"]], [row["prev_attractiveness"]], marker="o", markersize=3, color=INK)
    label_ids = r.index if len(r) <= 60 else r.sort_values("revenue_potential_3y", ascending=False).index[:20]
    if not label_others:
        label_ids = pd.Index([])
    for ident in label_ids:
        ax.annotate(str(ident)[-3:] if str(ident).startswith("ACC-") else str(ident), (r.at[ident, "strength"], r.at[ident, "attractiveness"]),
                    ha="center", va="center", fontsize=7, color=INK)
    if highlight in r.index:
        ax.scatter([r.at[highlight, "strength"]], [r.at[highlight, "attractiveness"]], s=sizes[r.index.get_loc(highlight)] + 200,
                   facecolor="none", edgecolor=RED, linewidth=2)
        radius = float(np.sqrt(sizes[r.index.get_loc(highlight)] + 200) / 2)
        ax.annotate(f"{highlight}", (r.at[highlight, "strength"], r.at[highlight, "attractiveness"]), xytext=(0, radius + 2),
                    textcoords="offset points", ha="center", va="bottom", color=RED, fontsize=9, fontweight="bold")
    ax.axvline(split, color=MUTED, linewidth=1)
    ax.axhline(split, color=MUTED, linewidth=1)
    q = cfg["matrix"]["quadrants"]
    for (tx, ty, key, ha) in ((98, 98, "high_high", "right"), (2, 98, "high_low", "left"), (98, 2, "low_high", "right"), (2, 2, "low_low", "left")):
        ax.text(tx, ty, q[key], ha=ha, va="top" if ty > 50 else "bottom", fontsize=10, color=PURPLE, fontweight="bold")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Our strength with the account: buy-sell position, share of wallet, transparency (0-100)")
    ax.set_ylabel("Attractiveness: potential, growth, strategic fit, margin (0-100)")
    if r.empty:
        ax.text(50, 50, "No account has both an attractiveness and a strength yet", ha="center", va="center", color=MUTED)
    if not ax.get_legend_handles_labels()[0]:  # nothing plotted by tier: no legend to draw
        return fig
    legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8, frameon=False, markerscale=0.4)
    legend.set_title(f"tier; bubble area = revenue potential in 3 years (largest {money(biggest, currency, short=True)}); arrow = since the previous assessment", prop={"size": 8})
    return fig


def contributions_chart(explanation: Explanation | None) -> Figure | None:
    """Points each definition added to one account's key score, with its score beside the bar (None: no account).

    Example:
        >>> from kamnb.classification.score import explain
        >>> fig = contributions_chart(explain(wb, "ACC-001"))
        >>> fig.axes[0].get_title(loc="left")
        'Why ACC-001 scores 42'
    """
    if explanation is None:
        return None
    c = explanation.contributions.iloc[::-1]
    fig, ax = new_figure(f"Why {explanation.account_id} scores {explanation.key_score:.0f}", size=(8.0, 3.8),
                         subtitle=f"{explanation.name}: key from {explanation.key_at:g}; tier {_cfg(None)['tiers']['names'].get(explanation.tier, explanation.tier)}",
                         left=text_width(c["definition"], 9) + 0.25)
    colours = [BLUE if w > 0 else MUTED for w in c["weight"]]
    ax.barh(c["definition"], c["contribution"], color=colours)
    for i, (points, score, weight) in enumerate(zip(c["contribution"], c["score"], c["weight"], strict=False)):
        text = "no data" if np.isnan(score) else f"+{points:.1f} (score {score:.0f}, weight {weight:g})"
        ax.text(points + 0.5, i, text, va="center", fontsize=8, color=INK if weight > 0 else MUTED)
    ax.set_xlim(0, max(40.0, float(np.nanmax(c["contribution"])) * 1.6 if len(c) else 40.0))
    ax.set_xlabel("Points added to the key score (grey = weight 0, shown for comparison)")
    style_axes(ax)
    return fig
