"""The price-pressure chart: each answer to a rate-cut request, for the customer and for us.

Two panels share the option axis: on the left what the customer pays per
year, on the right our yearly margin; a dashed line marks today. The
assumptions are printed under the chart so it can be shown on its own.

Example:
    >>> from kamnb.value.pressure import price_pressure
    >>> fig = price_pressure_chart(price_pressure(wb, "ACC-002"))
    >>> fig.savefig(tmp / "price_pressure.png")
"""
from __future__ import annotations

import textwrap
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kamnb.common.formatting import money
from kamnb.plots import BLUE, GREEN, INK, MUTED, TITLE_Y, style_axes
from kamnb.value.pressure import OPTION_LABELS, PricePressure


def price_pressure_chart(pp: PricePressure) -> Figure | None:
    """Customer's yearly cost and our yearly margin per option; ``None`` when the simulator lacks inputs.

    The cheapest option for the customer and the best one for our margin are
    drawn in green, the others in blue.

    Example:
        >>> from kamnb.value.pressure import price_pressure
        >>> fig = price_pressure_chart(price_pressure(wb, "ACC-002"))
        >>> fig.axes[0].get_title(loc="left").splitlines()[0]
        'What the customer pays per year'
    """
    if pp.message or pp.table.empty:
        return None
    cur = pp.inputs.currency
    opts = pp.options
    today: Any = pp.table.loc["today"]
    labels = [OPTION_LABELS[k] for k in opts.index]
    lines = pp.assumption_lines()[:6]
    text = "\n".join(textwrap.fill(line, 160, subsequent_indent="   ") for line in lines)
    n_lines = text.count("\n") + 2
    height = 4.6 + 0.14 * n_lines
    fig = Figure(figsize=(10.0, height), dpi=100)
    bottom = (0.3 + 0.14 * n_lines + 0.55) / height
    grid = fig.add_gridspec(1, 2, left=0.15, right=0.98, top=1 - 0.95 / height, bottom=bottom, wspace=0.08)
    left, right = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    cut = pp.inputs.values["requested_rate_cut_pct"]
    fig.suptitle(
        f"{pp.inputs.name}: answers to a {cut:g} % rate-cut request",
        x=0.01, y=1 - 0.12 / height, ha="left", va="top", fontsize=13, fontweight="bold", color=INK,
    )
    panels = (
        (left, "customer_cost", "What the customer pays per year", pp.cheapest_for_customer, "lowest"),
        (right, "our_margin", "Our margin per year", pp.best_for_margin, "highest"),
    )
    ys = list(range(len(labels)))[::-1]
    for ax, column, title, best, word in panels:
        style_axes(ax)
        values = [float(v) for v in opts[column]]
        colours = [GREEN if k in best else BLUE for k in opts.index]
        ax.barh(ys, values, color=colours, height=0.6)
        ax.axvline(float(today[column]), color=MUTED, linestyle="--", linewidth=1.2)
        ax.text(float(today[column]), len(labels) - 0.45, f" today {money(today[column], cur, short=True)}", color=MUTED, fontsize=8, va="bottom")
        top = max(max(values), float(today[column]))
        for y, v in zip(ys, values, strict=True):
            ax.text(v - top * 0.015, y, money(v, cur, short=True), va="center", ha="right", fontsize=8.5, color="white", fontweight="bold")
        ax.set_xlim(0, top * 1.15)
        ax.set_ylim(-0.6, len(labels) - 0.1)
        ax.set_yticks(ys)
        ax.set_title(f"{title}\n(green: {word})", loc="left", fontsize=10, color=INK, y=TITLE_Y)
        ax.set_xlabel(f"{cur} per year")
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: money(x, cur, short=True)))
    left.set_yticklabels(labels)
    right.set_yticklabels([])
    fig.text(0.01, 0.2 / height + 0.14 * n_lines / height, "Assumptions:\n" + text, va="top", ha="left", fontsize=7.2, color=MUTED)
    return fig
