"""The org chart of the buying organisation: reporting lines as a tree, influence as dashed arrows.

Each person is a box coloured by their support for us (red hostile to green
advocate), with a border as thick as their influence (a white, dashed box:
not judged yet); decision-makers are bold, people none of ours knows are
marked "not reached" in red. Dashed
arrows show who sways whom beyond the reporting line.

Example:
    >>> from kamnb.plots.orgchart import SUPPORT_COLOURS
    >>> len(SUPPORT_COLOURS)
    5
"""
from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from kamnb.plots import INK, MUTED, PURPLE, new_figure
from kamnb.relationships.orgchart import influence_links, org_layout

SUPPORT_COLOURS = {1: "#f4cccc", 2: "#fae3e3", 3: "#eef0f2", 4: "#e6f2e9", 5: "#cfe8d6"}
SUPPORT_WORDS = {1: "hostile", 2: "sceptical", 3: "neutral", 4: "supportive", 5: "advocate"}
BOX_W, BOX_H = 0.9, 0.62


def _short(text: str, limit: int = 20) -> str:
    text = str(text or "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def org_chart(wb: Any, account_id: str) -> Figure:
    """The account's org chart (see the module docstring).

    Example:
        >>> org_chart(wb, "ACC-001").axes[0].get_title(loc="left")
        'Buying organisation: Nordlicht Logistics'
    """
    name = str(wb.account(account_id)["name"])
    lay = org_layout(wb, account_id)
    links = influence_links(wb, account_id)
    links = links[links["source"].isin(lay.index) & links["target"].isin(lay.index)]
    span = float(lay["x"].max()) + 1 if len(lay) else 1.0
    levels = int(lay["depth"].max()) + 1 if len(lay) else 1
    lines = bool((lay["reports_to"] != "").any() or len(links)) if len(lay) else False
    if not lines:
        fig, ax = new_figure(f"Buying organisation: {name}", size=(8.0, 1.6), left=0.2, right=0.2, bottom=0.1,
                             subtitle=f"{len(lay)} stakeholders · no reporting lines recorded")
        ax.grid(False)
        ax.set_axis_off()
        text = ("No stakeholders recorded for this account" if lay.empty
                else "Fill in reports_to (and influences) on the stakeholders sheet to draw the org chart")
        ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=10, color=MUTED, transform=ax.transAxes)
        return fig
    width = max(8.0, min(1.35 * span + 0.6, 16.0))
    fig, ax = new_figure(
        f"Buying organisation: {name}",
        size=(width, 0.95 * levels + 1.5),
        subtitle=(f"{len(lay)} stakeholders" if not lay.attrs.get("hidden") else
                  f"the decision chain: {len(lay)} of {len(lay) + lay.attrs['hidden']} stakeholders (decision-makers and the people above them; "
                  "everyone is in the tables)")
                 + " · lines: reports to · dashed arrows: influences · colour: support for us · border: influence · bold: decision-maker",
        left=0.2, right=0.2, bottom=0.2,
    )
    ax.grid(False)
    ax.set_axis_off()
    for _, p in lay.iterrows():
        boss = p["reports_to"]
        if boss:
            b = lay.loc[boss]
            mid = (b["depth"] + p["depth"]) / 2
            ax.plot([b["x"], b["x"], p["x"], p["x"]], [b["depth"], mid, mid, p["depth"]], color=MUTED, linewidth=1.0, zorder=1)
    for _, (src, dst) in links.iterrows():
        a, b = lay.loc[src], lay.loc[dst]
        ax.add_patch(FancyArrowPatch((a["x"], a["depth"]), (b["x"], b["depth"]), connectionstyle="arc3,rad=0.25", arrowstyle="-|>",
                                     mutation_scale=10, linestyle=(0, (3, 2)), color=PURPLE, linewidth=1.0, shrinkA=18, shrinkB=18, zorder=2))
    box_w = min(BOX_W, 1.35 / ((width - 0.4) / (span + 0.2)))  # a box is never wider than 1.35 inches
    for _, p in lay.iterrows():
        judged = p["support"] == p["support"] and p["influence"] == p["influence"]
        sup = int(round(min(max(float(p["support"]), 1), 5))) if p["support"] == p["support"] else 3
        inf = float(p["influence"]) if p["influence"] == p["influence"] else 1.0
        ax.add_patch(FancyBboxPatch((p["x"] - box_w / 2, p["depth"] - BOX_H / 2), box_w, BOX_H, boxstyle="round,pad=0.02,rounding_size=0.06",
                                    facecolor=SUPPORT_COLOURS[sup] if judged else "white", edgecolor=INK if judged else MUTED,
                                    linewidth=0.4 + 0.5 * inf, linestyle="solid" if judged else "dashed", zorder=3))
        reached = int(p["our_people"]) > 0
        ax.text(p["x"], p["depth"] - 0.12, _short(p["name"], 18), ha="center", va="center", fontsize=7.5, color=INK,
                fontweight="bold" if p["decision_maker"] else "normal", zorder=4)
        ax.text(p["x"], p["depth"] + 0.06, _short(p["title"], 20), ha="center", va="center", fontsize=6.5, color=INK, zorder=4)
        judgement = f"infl. {inf:g} · {SUPPORT_WORDS[sup]}" if judged else "not judged yet"
        ax.text(p["x"], p["depth"] + 0.21, judgement + ("" if reached else " · not reached"),
                ha="center", va="center", fontsize=6, color=MUTED if reached else "#c23b3b", zorder=4)
    ax.set_xlim(-0.6, span - 0.4)
    ax.set_ylim(levels - 0.5, -0.5)
    return fig


__all__ = ["SUPPORT_COLOURS", "org_chart"]
