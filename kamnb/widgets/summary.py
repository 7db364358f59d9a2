"""The summary panel and the live decision-making grid, as HTML a browser draws at once.

Both are plain HTML/SVG strings (no chart library on the live path), so
redrawing after each change costs next to nothing.

Example:
    >>> html = grid_svg([{"name": "Ann", "influence": 5, "support": 4}])
    >>> "Ann" in html and html.startswith("<svg")
    True
"""
from __future__ import annotations

import html as _html
from typing import Any

import pandas as pd

from kamnb.formatting import money, percent

_e = _html.escape
SUPPORT_WORDS = {1: "hostile", 2: "sceptical", 3: "neutral", 4: "supportive", 5: "advocate"}


def grid_svg(people: list[dict[str, Any]], width: int = 560, height: int = 430) -> str:
    """The decision-making grid: influence up, support to the right, one dot per person.

    The four quarters name what to do: drivers and advocates to build on
    (influential and supportive), threats to neutralise or convert
    (influential, not supportive), allies to involve and people to watch.
    """
    left, right, top, bottom = 70, 20, 20, 60
    pw, ph = width - left - right, height - top - bottom

    def x(s: float) -> float:
        return left + (s - 0.5) / 5 * pw

    def y(i: float) -> float:
        return top + (5.5 - i) / 5 * ph

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="kamnb-grid" role="img" aria-label="decision-making grid">']
    quarters = [
        (x(0.5), y(5.5), "#fde2e2", "Threats: neutralise or convert"),
        (x(3.0), y(5.5), "#dff3e4", "Drivers: build on them"),
        (x(0.5), y(3.0), "#f1f1f1", "Watch"),
        (x(3.0), y(3.0), "#e6eefb", "Allies: involve"),
    ]
    for qx, qy, colour, label in quarters:
        parts.append(f'<rect x="{qx:.0f}" y="{qy:.0f}" width="{pw / 2:.0f}" height="{ph / 2:.0f}" fill="{colour}"/>')
        parts.append(f'<text x="{qx + 8:.0f}" y="{qy + 22:.0f}" font-size="16" fill="#444">{_e(label)}</text>')
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    for v in range(1, 6):
        parts.append(f'<text x="{x(v):.0f}" y="{top + ph + 22}" font-size="15" text-anchor="middle">{v} {SUPPORT_WORDS[v]}</text>')
        parts.append(f'<text x="{left - 10}" y="{y(v) + 5:.0f}" font-size="15" text-anchor="end">{v}</text>')
    parts.append(f'<text x="{left + pw / 2:.0f}" y="{height - 8}" font-size="17" text-anchor="middle" font-weight="bold">Support for us →</text>')
    parts.append(f'<text x="18" y="{top + ph / 2:.0f}" font-size="17" text-anchor="middle" font-weight="bold" transform="rotate(-90 18 {top + ph / 2:.0f})">Influence →</text>')
    seen: dict[tuple[float, float], int] = {}
    for p in people:
        inf, sup = p.get("influence"), p.get("support")
        if inf is None or sup is None or pd.isna(inf) or pd.isna(sup):
            continue
        n = seen.get((inf, sup), 0)
        seen[(inf, sup)] = n + 1
        cx, cy = x(sup), y(inf) + n * 22 - 8
        colour = "#b00020" if sup <= 2 else ("#2e7d32" if sup >= 4 else "#555")
        parts.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="8" fill="{colour}"/>')
        parts.append(f'<text x="{cx + 12:.0f}" y="{cy + 5:.0f}" font-size="15">{_e(str(p.get("name", "")))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _pct(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else percent(float(value) * 100)


def render(data: dict[str, Any], currency: str = "EUR") -> str:
    """The summary panel for one account (``data`` from :func:`kamnb.workshop.summary`)."""
    out = ['<div class="kamnb-summary-body">']
    out.append(f"<h2>{_e(str(data['name']))}</h2>")
    tier = data.get("tier")
    if tier is not None:
        score = data.get("key_score")
        extra = f' <span class="kamnb-muted">key score {score:.0f} / 100</span>' if score is not None and pd.notna(score) else ""
        out.append(f'<div>Tier: <span class="kamnb-tier kamnb-tier-value">{_e(str(tier))}</span>{extra}</div>')

    out.append("<h2>Opportunities</h2>")
    opps: pd.DataFrame = data["opportunities"]
    if opps.empty:
        out.append('<div class="kamnb-muted">No opportunities recorded.</div>')
    else:
        out.append('<table class="kamnb-opps"><tr><th>Opportunity</th><th class="num">Value</th><th class="num">Yes / partly / no</th><th class="num">Open</th><th class="num">Likelihood</th></tr>')
        for oid, r in opps.iterrows():
            status = f'<div class="kamnb-muted">{_e(str(r["status"]))}</div>' if r.get("status") else ""
            out.append(
                f'<tr data-opportunity="{_e(str(oid))}"><td>{_e(str(r["name"]))}{status}</td><td class="num">{money(r["value"], currency, short=True)}</td>'
                f'<td class="num kamnb-answers">{int(r["yes"])} / {int(r["partly"])} / {int(r["no"])}</td>'
                f'<td class="num">{int(r["open"]) + int(r["unknown"])}</td><td class="num kamnb-likelihood">{_pct(r["likelihood"])}</td></tr>'
            )
        out.append("</table>")

    out.append("<h2>Relationship</h2>")
    rs = data.get("relationship_score")
    rs_text = f'<span class="kamnb-big">{rs:.0f}</span> / 100' if rs is not None and pd.notna(rs) else '<span class="kamnb-big">–</span>'
    out.append(f'<div class="kamnb-relationship">{rs_text} <span class="kamnb-muted">({data["indicators_scored"]} indicators scored)</span></div>')

    flags = data.get("red_flags")
    if flags is not None:
        out.append("<h2>Red flags</h2>")
        if len(flags) == 0:
            out.append('<div class="kamnb-muted">None.</div>')
        else:
            out.append("<ul class=\"kamnb-flags\">")
            for _, f in flags.iterrows():
                sev = str(f.get("severity", "low"))
                out.append(f'<li><span class="kamnb-flag-{_e(sev)}">{_e(str(f.get("flag", "")))}</span> <span class="kamnb-muted">{_e(str(f.get("detail", "")))}</span></li>')
            out.append("</ul>")

    last = data.get("last_assessed")
    out.append(f"<h2>Changed since the last assessment{(' (' + _e(last) + ')') if last else ''}</h2>")
    changes = data.get("changes") or []
    if changes:
        out.append('<ul class="kamnb-changes">' + "".join(f"<li>{_e(c)}</li>" for c in changes) + "</ul>")
    else:
        out.append('<div class="kamnb-muted">Nothing yet.</div>')

    spread: pd.DataFrame = data["spread"]
    out.append("<h2>Where the room disagrees</h2>")
    if spread.empty:
        out.append('<div class="kamnb-muted">When two or more people rate the same item, their spread shows here.</div>')
    else:
        out.append('<table class="kamnb-spread-table"><tr><th>Item</th><th>Who said what</th><th class="num">Spread</th></tr>')
        for _, r in spread.iterrows():
            gap = "–" if pd.isna(r["spread"]) else (f"{r['spread']:g}" if r["scale"] == "score" else f"{r['spread'] * 100:.0f}%")
            cls = "num kamnb-spread" if (pd.notna(r["spread"]) and r["spread"] > 0) else "num"
            out.append(f'<tr><td>{_e(str(r["item"]))}</td><td>{_e(str(r["ratings"]))}</td><td class="{cls}">{gap}</td></tr>')
        out.append("</table>")

    note = []
    if data.get("missing"):
        note.append("Not available in this installation yet: " + ", ".join(data["missing"]) + ".")
    for err in data.get("errors", []):
        note.append("Could not compute " + err)
    for n in note:
        out.append(f'<div class="kamnb-muted">{_e(n)}</div>')
    out.append("</div>")
    return "".join(out)
