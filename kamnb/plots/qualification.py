"""Charts of the qualification step: the pipeline a director reads, the likelihood explained, the activity plan.

Example:
    >>> fig = pipeline_by_band(wb, "ACC-001")
    >>> fig.savefig(tmp / "pipeline.png")
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from kamnb.common.formatting import money
from kamnb.plots import AMBER, BLUE, GREEN, INK, MUTED, PURPLE, RED, new_figure, place, text_width
from kamnb.qualification.activity import activity_plan
from kamnb.qualification.explain import explain_likelihood
from kamnb.qualification.forecast import NOT_QUALIFIED, QUALIFIED_OUT, pipeline_summary
from kamnb.qualification.score import likelihood_history


def _money_axis(ax, currency: str, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _pos: money(v, currency, short=True))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _scope(wb, account_id: str | None) -> str:
    return "all accounts" if account_id is None else f"{wb.account(account_id)['name']} ({account_id})"


def _value_bars(wb, account_id: str | None, by: str, title: str, xlabel: str) -> Figure:
    cur = wb.settings.get("currency", "EUR")
    t = pipeline_summary(wb, account_id, by=by)
    fig, ax = new_figure(title, subtitle=f"Open opportunities, {_scope(wb, account_id)}; black tick: factored value (value x likelihood)",
                         right=1.75, bottom=0.7 if len(t) <= 6 else 0.45 + 0.5 * text_width(t.index, 9))
    if t.empty:
        ax.text(0.5, 0.5, "No open opportunities", ha="center", va="center", transform=ax.transAxes, color=MUTED)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"Value per year ({cur})")
        return fig
    x = np.arange(len(t))
    ax.bar(x, t["retention"], color=BLUE, label="retention (open value)", width=0.6)
    ax.bar(x, t["growth"], bottom=t["retention"], color=AMBER, label="growth (open value)", width=0.6)
    shown = (t["retention"] + t["growth"] > 0) & ~t.index.isin([NOT_QUALIFIED, QUALIFIED_OUT])
    ax.scatter(x[shown.to_numpy()], t["factored"][shown], marker="_", s=900, color=INK, linewidths=2.5, label="factored value", zorder=3)
    for i in range(len(t)):
        total = t["retention"].iloc[i] + t["growth"].iloc[i]
        if total > 0:
            ax.annotate(money(total, cur, short=True), (x[i], total), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8, color=INK)
    ax.set_xticks(x, [str(i) for i in t.index], rotation=0 if len(t) <= 6 else 30, ha="center" if len(t) <= 6 else "right")
    for tick, label in zip(ax.get_xticklabels(), t.index, strict=False):
        if label in (NOT_QUALIFIED, QUALIFIED_OUT, "overdue", "no date"):
            tick.set_color(RED if label in (QUALIFIED_OUT, "overdue") else MUTED)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"Value per year ({cur})")
    _money_axis(ax, cur)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), handlelength=2.5)
    top = float((t["retention"] + t["growth"]).max())
    ax.set_ylim(0, top * 1.15 if top > 0 else 1)
    return fig


def pipeline_by_band(wb, account_id: str | None = None) -> Figure:
    """Open value by likelihood band (retention and growth stacked), factored value marked.

    Not-qualified and qualified-out opportunities have bars of their own, so
    nothing is hidden at 0 % or 100 %.

    Example:
        >>> fig = pipeline_by_band(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'Pipeline by likelihood'
    """
    return _value_bars(wb, account_id, "band", "Pipeline by likelihood", "Likelihood of winning or retaining")


def pipeline_by_quarter(wb, account_id: str | None = None) -> Figure:
    """Open value by expected close quarter (retention and growth stacked), factored value marked.

    Example:
        >>> fig = pipeline_by_quarter(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'Pipeline by expected close'
    """
    return _value_bars(wb, account_id, "quarter", "Pipeline by expected close", "Expected close quarter")


def likelihood_waterfall(wb, opportunity_id: str | None) -> Figure:
    """Which answers raised or lowered one opportunity's likelihood: bars from the neutral start to the result.

    Example:
        >>> fig = likelihood_waterfall(wb, "OP-001")
        >>> fig.axes[0].get_title(loc="left")
        'Why this likelihood'
    """
    if opportunity_id is None:
        fig, ax = new_figure("Why this likelihood")
        ax.text(0.5, 0.5, "No open opportunity to explain", ha="center", va="center", transform=ax.transAxes, color=MUTED)
        ax.set_xlabel("Likelihood (%)")
        ax.set_ylabel("Question (answer)")
        return fig
    ex = explain_likelihood(wb, opportunity_id)
    a = ex.attrs
    name = wb.opportunities.loc[opportunity_id, "name"]
    fig, ax = new_figure("Why this likelihood", size=(8.0, 5.0), subtitle=f"{name} ({opportunity_id})", left=2.3)
    if np.isnan(a["score"]):
        ax.text(0.5, 0.5, "Not qualified yet: no answers recorded", ha="center", va="center", transform=ax.transAxes, color=MUTED)
        ax.set_xlabel("Likelihood (%)")
        ax.set_ylabel("Question (answer)")
        return fig
    ex = ex.reindex(ex["likelihood_effect"].abs().sort_values(ascending=True, kind="mergesort").index)
    labels = ["start: all neutral"] + [f"{q} ({ans})" for q, ans in zip(ex["question_id"], ex["answer"], strict=False)] + ["result"]
    y = np.arange(len(labels))[::-1]
    running = a["start_likelihood"] * 100
    ax.barh(y[0], running, color=MUTED, height=0.6)
    for i, eff in enumerate(ex["likelihood_effect"] * 100, start=1):
        ax.barh(y[i], eff, left=running, color=GREEN if eff >= 0 else RED, height=0.6)
        ax.text(running + eff + (0.3 if eff >= 0 else -0.3), y[i], f"{eff:+.1f}", va="center", ha="left" if eff >= 0 else "right", fontsize=8, color=INK)
        running += eff
    ax.barh(y[-1], a["likelihood"] * 100, color=BLUE, height=0.6)
    ax.text(a["likelihood"] * 100 + 0.3, y[-1], f"{a['likelihood'] * 100:.0f}%", va="center", fontsize=8, color=INK)
    ax.text(a["start_likelihood"] * 100 + 0.3, y[0], f"{a['start_likelihood'] * 100:.0f}%", va="center", fontsize=8, color=INK)
    ax.set_yticks(y, labels, fontsize=8)
    place(fig, left=text_width(labels, 8) + 0.55, top=0.5 + 0.25)
    ax.set_xlabel("Likelihood (%)")
    ax.set_ylabel("Question (answer), biggest effect last")
    ax.set_xlim(0, max(a["start_likelihood"], a["likelihood"], (running / 100)) * 100 * 1.15 + 5)
    return fig


def likelihood_history_chart(wb, account_id: str) -> Figure:
    """How each opportunity's likelihood moved between assessments (opportunities with two dates or more).

    Example:
        >>> fig = likelihood_history_chart(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'How the likelihood moved'
    """
    h = likelihood_history(wb, account_id)
    moved = h.groupby("opportunity_id").filter(lambda g: len(g) > 1)
    fig, ax = new_figure("How the likelihood moved", subtitle=_scope(wb, account_id))
    if moved.empty:
        ax.text(0.5, 0.5, "Only one assessment per opportunity so far", ha="center", va="center", transform=ax.transAxes, color=MUTED)
    for oid, g in moved.groupby("opportunity_id", sort=True):
        ax.plot(g["assessed_on"], g["likelihood"] * 100, marker="o", label=f"{oid} {_short(g['name'].iloc[0])}")
        last = g.iloc[-1]
        ax.annotate(f"{last['likelihood'] * 100:.0f}%", (last["assessed_on"], last["likelihood"] * 100), textcoords="offset points", xytext=(5, 0), fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Assessment date")
    ax.set_ylabel("Likelihood (%)")
    if not moved.empty:
        ax.legend(frameon=False, fontsize=8, loc="upper left")
    return fig


def activity_chart(wb, account_id: str) -> Figure:
    """Contacts needed per quarter by kind (stacked) against the contacts planned.

    Example:
        >>> fig = activity_chart(wb, "ACC-001")
        >>> fig.axes[0].get_title(loc="left")
        'Sales activity: needed vs planned'
    """
    p = activity_plan(wb, account_id)
    fig, ax = new_figure("Sales activity: needed vs planned", subtitle=_scope(wb, account_id), right=2.7)
    x = np.arange(len(p))
    w = 0.38
    bottom = np.zeros(len(p))
    for col, color, label in (("contacts", BLUE, "first contacts"), ("meetings", AMBER, "meetings"), ("proposals", GREEN, "proposals"),
                              ("retention", PURPLE, "retention (renewals)")):
        ax.bar(x - w / 2, p[col], w, bottom=bottom, color=color, label=f"needed: {label}")
        bottom += p[col].to_numpy()
    ax.bar(x + w / 2, p["planned"], w, color=MUTED, label="planned (open sell & care actions)")
    ax.set_xticks(x, p["quarter"])
    ax.set_xlabel("Quarter")
    ax.set_ylabel("Number of contacts")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.margins(y=0.2)
    return fig
