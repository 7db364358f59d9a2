"""The account table of the portfolio index: every account, sortable and filterable offline.

:func:`account_rows` turns the key figures into the rows of ``index.html``'s
table: display text for people, a raw value per cell to sort on, and per row
its tier, red flags and manager to filter on. The page carries one small
inline script (``templates/portfolio/table.js``) allowed by its SHA-256 hash
in the page's Content-Security-Policy (:func:`script_policy`); it fetches
nothing. With scripts off the filters stay hidden and the table reads as a
plain table, sorted by tier and revenue.

Example:
    >>> "'sha256-" in script_policy()
    True
"""
from __future__ import annotations

import base64
import hashlib
import math
from typing import Any

import pandas as pd

from kamnb.common.formatting import money, number, percent

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Tier", "tier_name", "text"),
    ("Key score", "key_score", "num"),
    ("Revenue, 12 months", "revenue_12m", "money"),
    ("Growth (%)", "growth_pct", "signed"),
    ("Gross margin (%)", "gross_margin_pct", "pct"),
    ("Factored forecast", "factored_value", "money"),
    ("Relationship score", "relationship_score", "num"),
    ("Matrix quadrant", "quadrant", "text"),
    ("Partnership", "partnership", "text"),
    ("Account manager", "account_manager", "text"),
    ("Red flags", "flags", "count"),
)
"""(header, key-figures column, kind) of the account table, after the account's name."""


SHOWN_FLAGS = 2
"""Red flags named in a row of the table (the filter knows them all)."""


def script_text() -> str:
    """The account table's script, exactly as the page carries it."""
    from kamnb.batch.report import TEMPLATES

    return (TEMPLATES / "portfolio" / "table.js").read_text(encoding="utf-8")


def script_policy() -> str:
    """The ``script-src`` source that allows the table's inline script and nothing else: ``'sha256-…'``."""
    digest = hashlib.sha256(script_text().encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _cell(v: Any, kind: str, currency: str) -> tuple[str, str]:
    """(display text, sort value) of one cell."""
    if _missing(v) or (kind in ("text", "count") and str(v) == ""):
        return "–", ""
    if kind in ("text", "count"):
        return str(v), str(v).lower()
    f = float(v)
    sort = repr(round(f, 6))
    if kind == "money":
        return money(f, currency, short=True), sort
    if kind == "pct":
        return percent(f), sort
    if kind == "signed":
        r = round(f)
        return (("+" if r > 0 else "−" if r < 0 else "") + f"{abs(r)}"), sort
    return number(f), sort


def account_rows(wb: Any, figures: pd.DataFrame, results: dict[str, dict[str, Any]], currency: str = "EUR") -> dict[str, Any]:
    """Headers, rows and filter choices of the index's account table, plus the script and its policy.

    Example:
        >>> from kamnb.batch.portfolio import key_figures
        >>> t = account_rows(wb, key_figures(wb)[0], {})
        >>> t["headers"][:2]
        [('Tier', False), ('Key score', True)]
    """
    from kamnb.classification.rules import TIER_KEYS

    names = ((wb.settings.get("classification") or {}).get("tiers") or {}).get("names") or {}
    frame = figures.copy()
    frame["tier_name"] = [names.get(str(t), str(t)) if not _missing(t) and str(t) else "" for t in frame.get("tier", pd.Series("", index=frame.index))]
    frame["account_manager"] = wb.accounts["account_manager"].reindex(frame.index).fillna("").astype(str)
    if "flags" not in frame:
        frame["flags"] = ""
    order = {names.get(t, t): i for i, t in enumerate(TIER_KEYS)}
    columns = [c for c in COLUMNS if c[1] in frame.columns]
    rows = []
    for account, row in frame.iterrows():
        res = results.get(account, {})
        flags = [f for f in str(row["flags"] or "").split("; ") if f]
        cells = []
        for _, col, kind in columns:
            text, sort = _cell(row[col], kind, currency)
            if col == "tier_name":
                sort = str(order.get(text, len(order)))
            if col == "flags":  # the two first (most severe) by title, the rest counted; sorted by how many
                text = "; ".join(flags[:SHOWN_FLAGS]) + (f"; +{len(flags) - SHOWN_FLAGS} more" if len(flags) > SHOWN_FLAGS else "") or "–"
                sort = f"{len(flags):05d}"  # compared as text by the script: zero-padded
            cells.append({"text": text, "sort": sort, "num": kind not in ("text", "count")})
        rows.append({
            "account_id": str(account), "name": str(row["name"]), "status": res.get("status", "not run"),
            "link": res.get("outputs", {}).get("html", ""), "cells": cells,
            "tier": row["tier_name"], "manager": row["account_manager"], "flags": "|".join(flags),
        })
    tiers = sorted({r["tier"] for r in rows if r["tier"]}, key=lambda t: order.get(t, len(order)))
    return {
        "headers": [(h, kind not in ("text", "count")) for h, _, kind in columns],
        "rows": rows,
        "tiers": tiers,
        "managers": sorted({r["manager"] for r in rows if r["manager"]}),
        "flags": sorted({f for r in rows for f in r["flags"].split("|") if f}),
        "script": script_text(),
        "policy": script_policy(),
    }
