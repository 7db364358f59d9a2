"""The whitespace grid: our offerings down, the customer's business units across, one square per cell.

Each cell is coloured by its status (bought, in the pipeline, lost, held by a
competitor, never offered) and its square is sized by its potential (the
largest potential of the account fills the cell; an unknown potential draws a
small outlined square). The room (potential minus current) is written in the
cell when there is any.

Example:
    >>> from kamnb.plots.whitespace import STATUS_COLOURS
    >>> sorted(STATUS_COLOURS)
    ['bought', 'competitor', 'lost', 'not_offered', 'open']
"""
from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from kamnb.common.formatting import money
from kamnb.plots import AMBER, BLUE, GREEN, INK, MUTED, RED, TITLE_Y, new_figure, text_width
from kamnb.whitespace.map import STATUS_LABELS, STATUSES, WHOLE_ACCOUNT, account_map

STATUS_COLOURS = {"bought": GREEN, "open": BLUE, "lost": AMBER, "competitor": RED, "not_offered": "#c5ccd3"}


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def whitespace_grid(wb: Any, account_id: str) -> Figure:
    """The account's whitespace grid (see the module docstring); a note in place of the grid when there is no map.

    Example:
        >>> fig = whitespace_grid(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'Whitespace: Nordlicht Logistics'
    """
    cur = wb.settings.get("currency", "EUR")
    name = str(wb.account(account_id)["name"])
    cells = account_map(wb, account_id)
    offerings = list(dict.fromkeys(cells["offering"]))
    units = sorted(set(cells["business_unit"]), key=lambda u: (u != "", u))
    unit_labels = [_short(u or WHOLE_ACCOUNT, 18) for u in units]
    col_in = max(1.1, min(text_width(unit_labels, 8.5) + 0.25, 1.8))
    row_in = 0.42
    label_in = text_width([_short(o) for o in offerings] or ["x"], 9) + 0.3
    width = max(6.5, min(label_in + col_in * max(len(units), 1) + 0.6, 13.0))
    col_in = min(col_in, (width - label_in - 0.6) / max(len(units), 1))
    total_room = float(cells["room"].sum()) if len(cells) else 0.0
    fig, ax = new_figure(
        f"Whitespace: {name}",
        size=(width, row_in * max(len(offerings), 1) + 2.6),
        subtitle=(f"{len(offerings)} offerings x {len(units)} business unit{'s' if len(units) != 1 else ''} · "
                  f"square size: potential · figure: room (potential minus current) · whitespace {money(total_room, cur)}")
        if len(cells) else "No whitespace sheet and no opportunity naming an offering",
        left=label_in, bottom=1.25, right=max(width - label_in - col_in * max(len(units), 1), 0.3),
    )
    ax.grid(False)
    box = ax.get_position()
    ax.set_title(ax.get_title(loc="left"), loc="left", x=-(label_in - 0.1) / (box.width * width),  # starts where the offering names do
                 fontsize=13, color=INK, fontweight="bold", y=TITLE_Y)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    if cells.empty:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(0.5, 0.5, "No whitespace map for this account", ha="center", va="center", fontsize=11, color=MUTED, transform=ax.transAxes)
        return fig
    top = float(np.nanmax(cells["potential"].to_numpy(dtype=float))) if cells["potential"].notna().any() else 0.0
    row_of = {o: i for i, o in enumerate(offerings)}
    col_of = {u: j for j, u in enumerate(units)}
    for _, c in cells.iterrows():
        x, y = col_of[c["business_unit"]], row_of[c["offering"]]
        ax.add_patch(Rectangle((x - 0.48, y - 0.48), 0.96, 0.96, facecolor="#f5f7fa", edgecolor="white", linewidth=1.5, zorder=0))
        colour = STATUS_COLOURS[c["status"]]
        pot = c["potential"]
        if pot == pot and top > 0:
            side = 0.25 + 0.65 * np.sqrt(max(float(pot), 0.0) / top)
            ax.add_patch(Rectangle((x - side / 2, y - side / 2), side, side, facecolor=colour, edgecolor="white",
                                   linewidth=0.8, hatch="///" if c["estimated"] else None, alpha=0.9 if not c["estimated"] else 0.6, zorder=1))
        else:
            ax.add_patch(Rectangle((x - 0.15, y - 0.15), 0.3, 0.3, facecolor="none", edgecolor=colour, linewidth=1.2, zorder=1))
        label = money(c["room"], cur, short=True) if c["room"] > 0 else ""
        if c["status"] == "competitor" and c["competitor"]:
            label = (label + "\n" if label else "") + _short(str(c["competitor"]), 14)
        if label:
            dark = c["status"] in ("bought", "open", "competitor") and pot == pot and top > 0 and pot / top > 0.3
            ax.text(x, y, label, ha="center", va="center", fontsize=7.5, color="white" if dark else INK, zorder=2)
    ax.set_xlim(-0.5, len(units) - 0.5)
    ax.set_ylim(len(offerings) - 0.5, -0.5)
    ax.set_xticks(range(len(units)), unit_labels)
    ax.set_yticks(range(len(offerings)), [_short(o) for o in offerings])
    present = [s for s in STATUSES if (cells["status"] == s).any()]
    handles = [Patch(facecolor=STATUS_COLOURS[s], edgecolor="white", label=STATUS_LABELS[s]) for s in present]
    if cells["estimated"].any():
        handles.append(Patch(facecolor="#c5ccd3", hatch="///", edgecolor="white", label="potential estimated"))
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.1 / width, 0.02), ncol=min(len(handles), 3), frameon=False, fontsize=8,
               labelcolor=INK)
    return fig


__all__ = ["STATUS_COLOURS", "whitespace_grid"]
