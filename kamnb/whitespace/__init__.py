"""Whitespace: what else the customer could buy from us, cell by cell (offering x business unit).

The step's public face. The map (:mod:`kamnb.whitespace.map`) comes from the
``whitespace`` sheet or, when an account has no rows there, from its
opportunities by offering; :mod:`kamnb.whitespace.gaps` turns it into the
whitespace value and the biggest gaps (which feed the agenda and the sell &
service part of the action plan); :mod:`kamnb.whitespace.portfolio` shows
which offerings are under-penetrated across the key accounts. The chart is
:func:`kamnb.plots.whitespace.whitespace_grid`. The method is described in
``docs/whitespace.md``.

Example:
    >>> from kamnb import whitespace
    >>> sorted(whitespace.STATUSES)
    ['bought', 'competitor', 'lost', 'not_offered', 'open']
"""
from __future__ import annotations

from kamnb.whitespace.gaps import Whitespace, account_whitespace, agenda_rows, biggest_gaps, plan_rows, value_split, whitespace_settings
from kamnb.whitespace.map import STATUS_LABELS, STATUSES, account_map, derive_map, whitespace_map
from kamnb.whitespace.portfolio import penetration, penetration_table, portfolio_columns, under_penetrated

__all__ = ["STATUSES", "STATUS_LABELS", "Whitespace", "account_map", "account_whitespace", "agenda_rows", "biggest_gaps", "derive_map", "penetration", "penetration_table", "plan_rows", "portfolio_columns", "under_penetrated", "value_split", "whitespace_map", "whitespace_settings"]
