"""Charts for the relationships step: decision-making grid, contact map, score breakdown, trend, power zone.

Every function takes the workbook and an account id and returns a
:class:`~matplotlib.figure.Figure`. Charts grow with the number of people so
that 3 stakeholders and 40 stay readable: the grid lists names inside each
cell (never on top of each other), the contact map gives every person a line.

Example:
    >>> from kamnb.plots.relationships import ZONE_COLOURS
    >>> sorted(ZONE_COLOURS)[:2]
    ['advocate', 'bystander']
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from kamnb.plots import AMBER, BLUE, GREEN, GRID, INK, MUTED, PURPLE, RED, new_figure, style_axes, text_width
from kamnb.relationships.grid import ZONES, config, contact_links, contact_map, power_vs_comfort, stakeholder_zones
from kamnb.workbook import Workbook
from kamnb.workbook.schema import SENIORITY

ZONE_COLOURS = {
    "driver": "#cfe8d6", "advocate": "#e6f2e9", "swing": "#fbe7cf",
    "bystander": "#eef0f2", "threat": "#f4cccc", "critic": "#fae3e3",
}
ZONE_INK = {"driver": GREEN, "advocate": GREEN, "swing": AMBER, "bystander": MUTED, "threat": RED, "critic": RED}
SUPPORT_TICKS = ["1 hostile", "2 sceptical", "3 neutral", "4 supportive", "5 advocate"]
INFLUENCE_TICKS = ["1 notional", "2 minor", "3 moderate", "4 strong", "5 huge"]
LINE_PT = 10.5  # height of one name line in points


def _short(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def decision_grid(wb: Workbook, account_id: str) -> Figure:
    """The decision-making grid: support for us across, influence up, names listed in their cell, zones shaded.

    Bold names are decision-makers; grey italic names have had no conversation within the recent-contact window.

    Example:
        >>> fig = decision_grid(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'Decision-making grid: Nordlicht Logistics'
    """
    cfg = config(wb.settings)
    z = stakeholder_zones(wb, account_id)
    name = wb.account(account_id)["name"]
    z = z.assign(inf=z["influence"].clip(1, 5).round(), sup=z["support"].clip(1, 5).round())
    cells = {k: g.sort_values(["decision_maker", "influence", "name"], ascending=[False, False, True]) for k, g in z.groupby(["inf", "sup"])}
    most = max((len(g) for g in cells.values()), default=0)
    lines = min(max(most + 1, 4), 16)
    row_in = lines * LINE_PT / 72 + 0.15
    fig, ax = new_figure(
        f"Decision-making grid: {name}",
        size=(10.0, 5 * row_in + 1.6),
        subtitle=f"{len(z)} stakeholders · bold: decision-maker · grey italic: no conversation in the last {cfg['recent_contact_days']} days",
        left=text_width(INFLUENCE_TICKS, 9) + 0.45,
    )
    ax.grid(False)
    hi, pro, con = cfg["high_influence"], cfg["supportive"], cfg["opposed"]
    spans_x = {"against": (0.5, con + 0.5), "undecided": (con + 0.5, pro - 0.5), "for": (pro - 0.5, 5.5)}
    spans_y = {"high": (hi - 0.5, 5.5), "low": (0.5, hi - 0.5)}
    layout = {
        "driver": ("for", "high"), "swing": ("undecided", "high"), "threat": ("against", "high"),
        "advocate": ("for", "low"), "bystander": ("undecided", "low"), "critic": ("against", "low"),
    }
    label_rows = set()
    for zone, (sx, sy) in layout.items():
        x0, x1 = spans_x[sx]
        y0, y1 = spans_y[sy]
        if x1 <= x0 or y1 <= y0:
            continue
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=ZONE_COLOURS[zone], edgecolor="white", linewidth=2, zorder=0))
        ax.text(x0 + 0.04, y1 - 0.04, ZONES[zone][0].upper(), ha="left", va="top", fontsize=8, fontweight="bold", color=ZONE_INK[zone], zorder=2)
        label_rows.add((y1 - 0.5, x0 + 0.5))
    for v in np.arange(1.5, 5.5, 1.0):
        ax.axvline(v, color="white", linewidth=0.6, zorder=1)
        ax.axhline(v, color="white", linewidth=0.6, zorder=1)
    step = 1.0 / lines
    size = 9.0 if most <= 3 else 7.5
    for (inf, sup), group in cells.items():
        first = 1 if (inf, sup) in label_rows else 0.5
        room = lines - int(np.ceil(first))
        shown = group if len(group) <= room else group.iloc[: room - 1]
        top = inf + 0.5 - (first + max(room - len(group), 0) / 2) * step
        for i, (_, p) in enumerate(shown.iterrows()):
            recent = bool(p["recent_contact"])
            ax.text(sup, top - (i + 0.5) * step, _short(p["name"]), ha="center", va="center", fontsize=size,
                    fontweight="bold" if p["decision_maker"] else "normal", fontstyle="normal" if recent else "italic",
                    color=INK if recent else MUTED, zorder=3)
        if len(shown) < len(group):
            ax.text(sup, top - (len(shown) + 0.5) * step, f"+{len(group) - len(shown)} more", ha="center", va="center", fontsize=7, color=MUTED, zorder=3)
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6), SUPPORT_TICKS)
    ax.set_yticks(range(1, 6), INFLUENCE_TICKS)
    ax.set_xlabel("Support for us", color=INK)
    ax.set_ylabel("Influence on the decision", color=INK)
    if z.empty:
        ax.text(3, 3, "No stakeholders recorded for this account", ha="center", va="center", fontsize=11, color=MUTED)
    return fig


def contact_network(wb: Workbook, account_id: str) -> Figure:
    """Our people on the left, theirs on the right, a line per contact: a fan is a bow-tie, a web is a diamond.

    Their people are ordered by seniority, then function; the dot size is their influence and the colour their
    zone. People of ours are placed level with the people they know. Stakeholders nobody of ours knows get a
    red ring.

    Example:
        >>> fig = contact_network(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'Contact map: Nordlicht Logistics'
    """
    z = stakeholder_zones(wb, account_id)
    links = contact_links(wb, account_id)
    m = contact_map(wb).loc[account_id]
    name = wb.account(account_id)["name"]
    rank = {s: i for i, s in enumerate(SENIORITY)}
    theirs = z.assign(_r=z["seniority"].map(rank).fillna(len(SENIORITY))).sort_values(["_r", "function", "name"])
    n_their = len(theirs)
    y_their = {sid: n_their - i for i, sid in enumerate(theirs.index)}
    ours = links.groupby("our_person").agg(role=("our_function", "first"), n=("stakeholder_id", "size"),
                                           pos=("stakeholder_id", lambda s: float(np.mean([y_their[x] for x in s]))))
    ours = ours.sort_values(["pos", "n"], ascending=[False, False])
    n_our = len(ours)
    top = max(n_their, 1)
    y_our = {p: (top + 1) / 2 if n_our == 1 else top - i * (top - 1) / (n_our - 1) for i, p in enumerate(ours.index)}
    coverage = "–" if m["coverage"] != m["coverage"] else f"{m['coverage']:.0f}/100"
    fig, ax = new_figure(
        f"Contact map: {name}",
        size=(10.0, max(3.2, 0.27 * max(n_their, n_our) + 1.6)),
        subtitle=(f"{m['shape'] or 'no contacts'} · coverage {coverage} · {n_our} of ours, {n_their} of theirs, {len(links)} links · "
                  "dot: influence (size) and grid zone (green for us, amber undecided, red against) · bold: decision-maker"),
        left=0.15, right=0.15, bottom=0.15,
    )
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    our_labels = [f"{p} ({r})" if r else str(p) for p, r in zip(ours.index, ours["role"], strict=True)]
    details = [", ".join(x for x in (f, s.replace("_", " ")) if x) for f, s in zip(theirs["function"], theirs["seniority"], strict=True)]
    their_labels = [_short(nm, 26) + (f" ({d})" if d else "") for nm, d in zip(theirs["name"], details, strict=True)]
    # Room for the names beside the two columns, measured in inches, then turned into data units.
    width = 10.0 - 0.3
    left_in, right_in = text_width(our_labels, 8) + 0.25, text_width(their_labels, 8) + 0.25
    gap = max(width - left_in - right_in, 2.0)
    pad = 0.12 / gap
    if len(links):
        segments = [[(0, y_our[o]), (1, y_their[t])] for o, t in zip(links["our_person"], links["stakeholder_id"], strict=True)]
        ax.add_collection(LineCollection(segments, colors=BLUE, alpha=0.45, linewidths=1.0, zorder=1))
    if n_our:
        ax.scatter(np.zeros(n_our), [y_our[p] for p in ours.index], s=40 + 18 * ours["n"].to_numpy(dtype=float), color=BLUE, zorder=3)
    for p, label in zip(ours.index, our_labels, strict=True):
        ax.text(-pad, y_our[p], label, ha="right", va="center", fontsize=8, color=INK)
    if n_their:
        known = (theirs["our_people"] > 0).to_numpy()
        ax.scatter(np.ones(n_their), [y_their[sid] for sid in theirs.index], s=18 + 14 * theirs["influence"].to_numpy(dtype=float),
                   c=[ZONE_INK[z] for z in theirs["zone"]], edgecolors=["none" if k else RED for k in known], linewidths=1.8, zorder=3)
        for sid, text, k, dm in zip(theirs.index, their_labels, known, theirs["decision_maker"], strict=True):
            ax.text(1 + pad, y_their[sid], text, ha="left", va="center", fontsize=8,
                    color=INK if k else RED, fontweight="bold" if dm else "normal")
    ax.text(0, top + 0.9, "OUR PEOPLE", ha="center", va="bottom", fontsize=8, fontweight="bold", color=MUTED)
    ax.text(1, top + 0.9, "THEIR PEOPLE", ha="center", va="bottom", fontsize=8, fontweight="bold", color=MUTED)
    ax.set_xlim(-left_in / gap, 1 + right_in / gap)
    ax.set_ylim(0.3, top + 1.6)
    if not n_their:
        ax.text(0.5, 1, "No stakeholders recorded for this account", ha="center", va="center", fontsize=11, color=MUTED)
    return fig


SIDE_COLOURS = {"customer": BLUE, "us": AMBER, "both": GREEN}


def score_bars(wb: Workbook, account_id: str) -> Figure:
    """The relationship score item by item (0-100 points); gaps drawn as gaps, faded bars for old evidence.

    Example:
        >>> fig = score_bars(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'Relationship score: Nordlicht Logistics'
    """
    from kamnb.relationships.score import score_breakdown, score_of

    b = score_breakdown(wb, account_id)
    total = score_of(b)
    name = wb.account(account_id)["name"]
    n = len(b)
    headline = "no score: no indicator scored yet" if total != total else f"score {total:.0f}/100"
    labels = [nm if k == "indicator" else f"{nm} (measured)" for nm, k in zip(b["name"], b["kind"], strict=True)]
    fig, ax = new_figure(f"Relationship score: {name}", size=(10.0, 0.34 * n + 1.9),
                         subtitle=f"{headline} · faded bars: older evidence counts less · hatched: a gap, left out of the score",
                         left=text_width(labels, 9) + 0.2, bottom=0.6)
    ax.grid(axis="y", visible=False)
    ys = np.arange(n)[::-1]
    gap = b["points"].isna().to_numpy()
    if gap.any():
        ax.barh(ys[gap], 100, color="white", edgecolor=MUTED, hatch="///", linewidth=0.6, height=0.62)
    if (~gap).any():
        scored = b[~gap]
        colours = [to_rgba(PURPLE if k == "measured" else SIDE_COLOURS.get(side, BLUE), 0.35 + 0.65 * float(d))
                   for k, side, d in zip(scored["kind"], scored["side"], scored["decay"], strict=True)]
        ax.barh(ys[~gap], np.maximum(scored["points"].to_numpy(dtype=float), 0.8), color=colours, height=0.62)
    for y, r in zip(ys, b.itertuples(index=False), strict=True):
        if r.points != r.points:
            ax.text(2, y, "gap: not assessed" if r.kind == "indicator" else "not measured", va="center", fontsize=8, color=INK,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
            continue
        note = f"{r.points:.0f}" if r.kind == "measured" else f"{r.score:.0f}/5 · {r.assessed_on:%Y-%m-%d}"
        if r.status == "stale":
            note += " (stale)"
        ax.text(min(r.points, 100) + 1.2, y, note, va="center", fontsize=7.5, color=INK, zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    if total == total:
        ax.axvline(total, color=INK, linewidth=1.2, linestyle="--", zorder=3)
        ax.text(total, n - 0.35, f"score {total:.0f}", ha="center", va="bottom", fontsize=8, color=INK)
    ax.set_yticks(ys, labels)
    ax.set_xlim(0, 125)
    ax.set_xticks(range(0, 101, 25))
    ax.set_ylim(-0.7, n + 0.2)
    ax.set_xlabel("Points (1/5 = 0, 3/5 = 50, 5/5 = 100)", color=INK)
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in (BLUE, AMBER, GREEN, PURPLE)]
    ax.legend(handles, ["their behaviour", "ours", "both sides", "measured"], loc="lower right", fontsize=7.5, frameon=False)
    return fig


def score_trend(wb: Workbook, account_id: str) -> Figure:
    """The relationship score at each review, with the change written beside each point.

    Example:
        >>> fig = score_trend(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'Relationship score over time: Nordlicht Logistics'
    """
    from kamnb.relationships.score import score_history

    h = score_history(wb, account_id).dropna(subset=["score"])
    name = wb.account(account_id)["name"]
    fig, ax = new_figure(f"Relationship score over time: {name}", size=(8.0, 3.6),
                         subtitle=f"{len(h)} review(s); each point uses the evidence known on that date")
    if h.empty:
        ax.text(0.5, 0.5, "No scored review yet", ha="center", va="center", transform=ax.transAxes, fontsize=11, color=MUTED)
        ax.set_xticks([])
    else:
        x = np.arange(len(h))
        ax.plot(x, h["score"], color=BLUE, marker="o", linewidth=2)
        for xi, (_, r) in zip(x, h.iterrows(), strict=False):
            ch = "" if r["change"] != r["change"] else f" ({r['change']:+.0f})"
            ax.annotate(f"{r['score']:.0f}{ch}", (xi, r["score"]), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8.5, color=INK)
        ax.set_xticks(x, [f"{d:%Y-%m-%d}" for d in h["assessed_on"]])
        ax.set_xlim(-0.5, len(h) - 0.5)
    ax.set_ylim(0, 105)
    ax.set_ylabel("Score (0-100)", color=INK)
    ax.set_xlabel("Review", color=INK)
    return fig


def power_comfort_chart(wb: Workbook, account_id: str) -> Figure:
    """Contact days over 12 months: the customer's power zone against our comfort zone and the rest.

    Example:
        >>> fig = power_comfort_chart(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'Power zone or comfort zone: Nordlicht Logistics'
    """
    t = power_vs_comfort(wb, account_id)
    name = wb.account(account_id)["name"]
    fig, ax = new_figure(f"Power zone or comfort zone: {name}", size=(8.0, 2.8),
                         subtitle="Contact days over the last 12 months (stakeholders sheet, contact_days_12m)",
                         left=text_width(t.index, 9) + 0.25, bottom=0.6)
    ax.grid(axis="y", visible=False)
    colours = {"power zone": BLUE, "comfort zone": AMBER, "elsewhere": GRID}
    if t["contact_days"].isna().all():
        ax.text(0.5, 0.5, "No contact days recorded: power vs comfort zone cannot be measured", ha="center", va="center",
                transform=ax.transAxes, fontsize=10, color=MUTED)
        ax.set_yticks([])
        return fig
    ys = np.arange(len(t))[::-1]
    for y, (part, r) in zip(ys, t.iterrows(), strict=False):
        ax.barh(y, r["contact_days"], color=colours[part], height=0.6)
        share = "–" if r["share_pct"] != r["share_pct"] else f"{r['share_pct']:.0f}%"
        ax.text(r["contact_days"], y, f"  {r['contact_days']:.0f} days · {share} · {int(r['people'])} people", va="center", fontsize=8.5, color=INK)
    ax.set_yticks(ys, list(t.index))
    ax.set_xlim(0, max(float(t["contact_days"].max()), 1.0) * 1.45)
    ax.set_xlabel("Contact days", color=INK)
    style_axes(ax)
    ax.grid(axis="y", visible=False)
    return fig



