"""The summary panel and the live decision-making grid, as HTML a browser draws at once (the served workshop and the widgets).

Both are plain HTML/SVG strings (no chart library on the live path), so
redrawing after each change costs next to nothing.

Example:
    >>> html = grid_svg([{"name": "Ann", "influence": 5, "support": 4}])
    >>> "Ann" in html and html.startswith("<svg")
    True
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from kamnb.common.formatting import money, percent
from kamnb.common.tables import escape

_e = escape
SUPPORT_WORDS = {1: "hostile", 2: "sceptical", 3: "neutral", 4: "supportive", 5: "advocate"}


def _slug(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum() or ch in "_-")


def _short(name: str, fits: int = 16) -> str:
    """A name short enough for a grid cell: "Jana W." for a long first and last name, else cut with "…"."""
    parts = name.split()
    if len(name) > 14 and len(parts) >= 2:
        name = f"{parts[0]} {parts[-1][0]}."
    return name if len(name) <= fits else name[: fits - 1].rstrip() + "…"


def grid_svg(people: list[dict[str, Any]], width: int = 900, height: int = 520, *, high: int = 4, supportive: int = 4, opposed: int = 2) -> str:
    """The decision-making grid: influence up, support to the right, one dot per person.

    Each of the 25 cells lists the people placed there (up to five, then "+n").
    Dots are red for hostile or sceptical people, grey for neutral, green for
    supporters; a dashed arrow runs from a person to each one they sway
    beyond the reporting line (``id`` and ``influences`` of each person, when
    given); the shaded corners are the threats to neutralise or convert
    (influential, not on our side) and the drivers to build on; the thresholds
    are those of the ``relationships:`` settings (defaults 4, 4 and 2).

    Example:
        >>> grid_svg([])[:40]
        '<svg xmlns="http://www.w3.org/2000/svg" '
    """
    left, right, top, bottom = 60, 10, 10, 90
    pw, ph = width - left - right, height - top - bottom
    cw, ch = pw / 5, ph / 5

    def cx(s: float) -> float:
        return left + (s - 1) * cw

    def cy(i: float) -> float:
        return top + (5 - i) * ch

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="kamnb-grid" role="img" aria-label="decision-making grid" font-family="Segoe UI, Helvetica, Arial, sans-serif">']
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa"/>')
    rows_high = 6 - high
    parts.append(f'<rect x="{cx(1):.0f}" y="{cy(5):.0f}" width="{opposed * cw:.0f}" height="{rows_high * ch:.0f}" fill="#fbdcdc"/>')
    parts.append(f'<rect x="{cx(supportive):.0f}" y="{cy(5):.0f}" width="{(6 - supportive) * cw:.0f}" height="{rows_high * ch:.0f}" fill="#d9f0de"/>')
    for v in range(6):
        parts.append(f'<line x1="{left + v * cw:.0f}" y1="{top}" x2="{left + v * cw:.0f}" y2="{top + ph}" stroke="#c8c8c8"/>')
        parts.append(f'<line x1="{left}" y1="{top + v * ch:.0f}" x2="{left + pw}" y2="{top + v * ch:.0f}" stroke="#c8c8c8"/>')
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333" stroke-width="1.5"/>')
    for v in range(1, 6):
        parts.append(f'<text x="{cx(v) + cw / 2:.0f}" y="{top + ph + 22}" font-size="16" text-anchor="middle">{v} {SUPPORT_WORDS[v]}</text>')
        parts.append(f'<text x="{left - 12}" y="{cy(v) + ch / 2 + 6:.0f}" font-size="16" text-anchor="end">{v}</text>')
    parts.append(f'<text x="{left + pw / 2:.0f}" y="{top + ph + 46}" font-size="17" text-anchor="middle" font-weight="bold">Support for us →</text>')
    mid = top + ph / 2
    parts.append(f'<text x="20" y="{mid:.0f}" font-size="17" text-anchor="middle" font-weight="bold" transform="rotate(-90 20 {mid:.0f})">Influence →</text>')
    legend_y = height - 14
    parts.append(f'<rect x="{left}" y="{legend_y - 13}" width="16" height="16" fill="#fbdcdc" stroke="#999"/><text x="{left + 22}" y="{legend_y}" font-size="15">threats: neutralise or convert</text>')
    parts.append(f'<rect x="{left + 270}" y="{legend_y - 13}" width="16" height="16" fill="#d9f0de" stroke="#999"/><text x="{left + 292}" y="{legend_y}" font-size="15">drivers: build on them</text>')
    cells: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for p in people:
        inf, sup = p.get("influence"), p.get("support")
        if inf is None or sup is None or pd.isna(inf) or pd.isna(sup):
            continue
        cells.setdefault((int(round(float(inf))), int(round(float(sup)))), []).append((str(p.get("id", "")), str(p.get("name", ""))))
    where: dict[str, tuple[float, float]] = {}
    under = len(parts)  # the arrows go here, under the dots and names
    line = 17
    fits = int((ch - 6) // line)
    for (inf, sup), names in sorted(cells.items()):
        colour = "#c62828" if sup <= opposed else ("#2e7d32" if sup >= supportive else "#616161")
        shown = names if len(names) <= fits else names[: fits - 1]
        for n, (ident, name) in enumerate(shown):
            x0, y0 = cx(sup) + 12, cy(inf) + 14 + n * line
            if ident:
                where[ident] = (x0, y0 - 5)
            parts.append(f'<circle cx="{x0:.0f}" cy="{y0 - 5:.0f}" r="6" fill="{colour}"/>')
            parts.append(f'<text x="{x0 + 10:.0f}" y="{y0:.0f}" font-size="14"><title>{_e(name)}</title>{_e(_short(name, max(6, int((cw - 26) // 8))))}</text>')
        if len(shown) < len(names):
            y0 = cy(inf) + 14 + len(shown) * line
            parts.append(f'<text x="{cx(sup) + 22:.0f}" y="{y0:.0f}" font-size="14" font-style="italic">+{len(names) - len(shown)} more</text>')
    parts[under:under] = _sway_arrows(people, where)
    if any(p.get("influences") for p in people):
        parts.append(f'<line x1="{left + 500}" y1="{legend_y - 5}" x2="{left + 530}" y2="{legend_y - 5}" stroke="#1f4e79" stroke-width="2" stroke-dasharray="5 3" marker-end="url(#kamnb-sway)"/>'
                     f'<text x="{left + 538}" y="{legend_y}" font-size="15">sways</text>')
    parts.append("</svg>")
    return "".join(parts)


def _sway_arrows(people: list[dict[str, Any]], where: dict[str, tuple[float, float]]) -> list[str]:
    """Dashed arrows from each person to the people they sway (both drawn on the grid), with the arrow head defined once.

    >>> len(_sway_arrows([{"id": "a", "name": "A", "influences": "b"}], {"a": (0, 0), "b": (50, 0)}))
    2
    """
    from kamnb.workbook.reporting_lines import influence_ids

    names = {str(p.get("id", "")): str(p.get("name", "")) for p in people}
    out = []
    for p in people:
        source = str(p.get("id", ""))
        for target in influence_ids(p.get("influences", "")):
            if source not in where or target not in where or target == source:
                continue
            (x1, y1), (x2, y2) = where[source], where[target]
            length = max(1.0, ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5)
            x2, y2 = x2 - (x2 - x1) * 9 / length, y2 - (y2 - y1) * 9 / length  # stop at the dot's edge
            out.append(f'<line class="kamnb-sway" data-from="{_e(source)}" data-to="{_e(target)}" x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#1f4e79" stroke-opacity="0.75" '
                       f'stroke-width="2" stroke-dasharray="5 3" marker-end="url(#kamnb-sway)"><title>{_e(names.get(source, source))} sways {_e(names.get(target, target))}</title></line>')
    if out:
        out.insert(0, '<defs><marker id="kamnb-sway" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                      '<path d="M 0 0 L 10 5 L 0 10 z" fill="#1f4e79"/></marker></defs>')
    return out


def _pct(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else percent(float(value) * 100)


def _relationship(data: dict[str, Any]) -> str:
    """The relationship part of the summary: the score, how many indicators are scored, who sways whom (one line).

    >>> "Sways (1)" in _relationship({"relationship_score": 54.0, "indicators_scored": 3, "sways": ["Ann → Bo"]})
    True
    """
    rs = data.get("relationship_score")
    rs_text = f'<span class="kamnb-big">{rs:.0f}</span> / 100' if rs is not None and pd.notna(rs) else '<span class="kamnb-big">–</span>'
    out = ["<h2>Relationship</h2>", f'<div class="kamnb-relationship">{rs_text} <span class="kamnb-muted">({data["indicators_scored"]} indicators scored)</span></div>']
    sways = data.get("sways") or []
    if sways:
        every = "; ".join(sways)  # one line on the projector; the whole list on hover
        out.append(f'<div class="kamnb-sways" title="{_e(every)}"><span class="kamnb-muted">Sways ({len(sways)}):</span> {_e(every)}</div>')
    return "".join(out)


def render(data: dict[str, Any], currency: str = "EUR") -> str:
    """The summary panel for one account (``data`` from :func:`kamnb.workshop.session.summary`).

    Example:
        >>> html = render(summary(session, "ACC-001"))  # doctest: +SKIP
        >>> html.startswith("<div")  # doctest: +SKIP
        True
    """
    out = ['<div class="kamnb-summary-body">']
    pending = ' <span class="kamnb-muted kamnb-pending">updating…</span>' if data.get("pending") else ""
    out.append(f"<h2>{_e(str(data['name']))}{pending}</h2>")
    tier = data.get("tier")
    if tier is not None:
        score = data.get("key_score")
        extra = f' <span class="kamnb-muted">key score {score:.0f} / 100</span>' if score is not None and pd.notna(score) else ""
        shown = data.get("tier_name") or tier
        out.append(f'<div>Tier: <span class="kamnb-tier kamnb-tier-value" data-tier="{_e(str(tier))}">{_e(str(shown))}</span>{extra}</div>')

    out.append(_relationship(data))

    flags = data.get("red_flags")
    if flags is not None:
        out.append("<h2>Red flags</h2>")
        if len(flags) == 0:
            out.append('<div class="kamnb-muted">None.</div>')
        else:
            out.append("<ul class=\"kamnb-flags\">")
            for _, f in flags.iterrows():
                sev = str(f.get("severity", "low"))
                title = f.get("title") or f.get("flag", "")
                out.append(f'<li title="{_e(str(f.get("detail", "")))}"><span class="kamnb-flag-{_e(_slug(sev))}">{_e(str(title))}</span> <span class="kamnb-muted">{_e(str(f.get("detail", "")))}</span></li>')
            out.append("</ul>")

    out.append("<h2>Opportunities</h2>")
    opps: pd.DataFrame = data["opportunities"]
    if opps.empty:
        out.append('<div class="kamnb-muted">No opportunities recorded.</div>')
    else:
        out.append('<table class="kamnb-opps"><tr><th>Opportunity</th><th class="num">Value</th><th class="num">Yes / partly / no</th><th class="num">Open</th><th class="num">Likeli&shy;hood</th></tr>')
        for oid, r in opps.iterrows():
            status = f'<div class="kamnb-muted">{_e(str(r["status"]))}</div>' if r.get("status") else ""
            out.append(
                f'<tr data-opportunity="{_e(str(oid))}"><td title="{_e(str(r["name"]))}"><span class="kamnb-opp-name">{_e(str(r["name"]))}</span>{status}</td><td class="num">{_e(money(r["value"], currency, short=True))}</td>'
                f'<td class="num kamnb-answers">{int(r["yes"])} / {int(r["partly"])} / {int(r["no"])}</td>'
                f'<td class="num">{int(r["open"]) + int(r["unknown"])}</td><td class="num kamnb-likelihood">{_pct(r["likelihood"])}</td></tr>'
            )
        out.append("</table>")

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
    for err in data.get("errors", []):
        note.append("Could not compute " + err)
    for n in note:
        out.append(f'<div class="kamnb-muted">{_e(n)}</div>')
    out.append("</div>")
    return "".join(out)
