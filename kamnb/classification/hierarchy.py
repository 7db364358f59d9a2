"""The buy-sell hierarchy: where the customer places us, from commodity supplier to trusted business partner.

The accounts sheet stores the position as ``buy_sell_position`` (1-5); the
history sheet holds it as it was at earlier assessments. This module names
the five levels (``classification.buy_sell.levels`` in settings.yaml, each
with what would move an account up from it), gives the move since the last
assessment and says what the next level asks for. Procurement pushes every
supplier towards commodity, so a drop is worth a line in the review.

Example:
    >>> level_name(2, {})
    'approved supplier'
    >>> move_text(3, 2)
    'down 1 level (was 3, solution provider)'
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from kamnb.workbook import banks

LEVELS = 5


@lru_cache(maxsize=1)
def _default_levels() -> tuple[dict[str, str], ...]:
    cfg = (banks.load_settings().get("classification") or {}).get("buy_sell") or {}
    return tuple(dict(level) for level in cfg.get("levels") or [])


def levels(settings: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """The five levels in force, lowest first: each a dict with ``name`` and ``move_up``.

    >>> [lv["name"] for lv in levels({})][::4]
    ['commodity supplier', 'trusted business partner']
    """
    own = (((settings or {}).get("classification") or {}).get("buy_sell") or {}).get("levels")
    chosen = own if isinstance(own, list) and len(own) == LEVELS else _default_levels()
    return [{"name": str(lv.get("name", f"level {i}")), "move_up": str(lv.get("move_up", ""))} for i, lv in enumerate(chosen, start=1)]


def level_name(position: Any, settings: dict[str, Any] | None = None) -> str:
    """The name of a position (1-5); '' when it is empty or off the scale.

    >>> level_name(5, {}), level_name(float("nan"), {})
    ('trusted business partner', '')
    """
    if position is None or pd.isna(position) or not 1 <= int(position) <= LEVELS:
        return ""
    return levels(settings)[int(position) - 1]["name"]


def names(positions: pd.Series | np.ndarray, settings: dict[str, Any] | None = None) -> list[str]:
    """Level names for many positions at once ('' where empty).

    >>> names(np.array([1.0, np.nan]), {})
    ['commodity supplier', '']
    """
    lv = [""] + [x["name"] for x in levels(settings)]
    return [lv[int(p)] if p == p and 1 <= p <= LEVELS else "" for p in np.asarray(positions, dtype="float64")]


def move_text(before: Any, now: Any, settings: dict[str, Any] | None = None) -> str:
    """The move between two positions in words: 'up 1 level (was 2, ...)', 'no move', '' when either is unknown.

    >>> move_text(2, 2)
    'no move'
    """
    if before is None or now is None or pd.isna(before) or pd.isna(now):
        return ""
    step = int(now) - int(before)
    if step == 0:
        return "no move"
    word = "up" if step > 0 else "down"
    return f"{word} {abs(step)} level{'s' if abs(step) > 1 else ''} (was {int(before)}, {level_name(before, settings)})"


def next_step(position: Any, settings: dict[str, Any] | None = None) -> str:
    """What would move an account up one level from ``position`` (at the top: how to stay there).

    >>> next_step(4, {}).startswith("To reach 5, trusted business partner:")
    True
    """
    if position is None or pd.isna(position) or not 1 <= int(position) <= LEVELS:
        return "Not assessed: place the account on the hierarchy (buy_sell_position 1-5) first."
    lv = levels(settings)
    here = lv[int(position) - 1]
    if int(position) == LEVELS:
        return f"At the top: {here['move_up']}"
    up = int(position) + 1
    return f"To reach {up}, {lv[up - 1]['name']}: {here['move_up']}"


def position(wb: Any, account_id: str) -> pd.DataFrame:
    """One account on the hierarchy, as a review shows it: level now, at the last assessment, the move, the next step.

    Example:
        >>> position(wb, "ACC-002")["figure"].tolist()[:2]
        ['3 of 5, solution provider', 'down 1 level (was 4, strategic supplier)']
    """
    from kamnb.classification.partnership import previous_judgements

    acc = wb.accounts.loc[[account_id]]
    now = acc["buy_sell_position"].iloc[0] if "buy_sell_position" in acc else np.nan
    prev, has, when = previous_judgements(acc, wb.history, banks.as_of(wb.settings))
    before = prev["buy_sell_position"].iloc[0] if has[0] and "buy_sell_position" in prev else np.nan
    since = f" since {pd.Timestamp(when[0]):%Y-%m-%d}" if has[0] else ""
    rows = [
        ("Position now", f"{int(now)} of {LEVELS}, {level_name(now, wb.settings)}" if pd.notna(now) else "not assessed"),
        (f"Move{since}" if since else "Move", move_text(before, now, wb.settings) or "no earlier assessment"),
        ("What moves it up", next_step(now, wb.settings)),
    ]
    return pd.DataFrame(rows, columns=["", "figure"]).set_index("")
