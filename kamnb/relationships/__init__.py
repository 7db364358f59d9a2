"""Who decides and how well we know them: the decision-making grid, the contact map, the relationship score, red flags.

Modules: ``grid`` (zones, contacts, coverage), ``orgchart`` (reporting lines), ``score``
(relationship score), ``redflags``. This face composes the step's columns of the portfolio index.
"""
from __future__ import annotations

import pandas as pd

from kamnb.relationships.grid import all_zones, contact_map
from kamnb.relationships.redflags import red_flags
from kamnb.relationships.score import _items_now, relationship_scores
from kamnb.workbook import Workbook


def portfolio_columns(wb: Workbook) -> pd.DataFrame:
    """Relationship columns for the portfolio index, indexed by account_id (raw numbers and strings).

    relationship_score, relationship_gaps (indicators without evidence), contact_coverage, contact_shape,
    stakeholders, key_person, dm_on_key_person, threats, red_flags_high, red_flags (count of all),
    indicators_split (indicators several raters scored differently) and score_spread_max (their
    largest spread, highest minus lowest score).

    Example:
        >>> portfolio_columns(wb).loc["ACC-001", "key_person"]
        'Jana Weber'
    """
    scores = relationship_scores(wb)
    cmap = contact_map(wb)
    st = all_zones(wb)
    threats = st[st["zone"] == "threat"].groupby("account_id").size()
    flags = red_flags(wb)
    out = pd.DataFrame(index=wb.accounts.index)
    out["relationship_score"] = scores["score"]
    out["relationship_gaps"] = scores["indicators_total"] - scores["indicators_scored"]
    out["contact_coverage"] = cmap["coverage"]
    out["contact_shape"] = cmap["shape"]
    out["stakeholders"] = cmap["their_people"]
    out["key_person"] = cmap["key_person"]
    out["dm_on_key_person"] = cmap["dm_on_key_person"]
    out["threats"] = threats.reindex(out.index).fillna(0).astype(int)
    out["red_flags_high"] = flags[flags["severity"] == "high"].groupby("account_id").size().reindex(out.index).fillna(0).astype(int)
    out["red_flags"] = flags.groupby("account_id").size().reindex(out.index).fillna(0).astype(int)

    items = _items_now(wb)
    split = items[(items["kind"] == "indicator") & (items["raters"] > 1) & (items["spread"] > 0)].groupby("account_id")
    out["indicators_split"] = split.size().reindex(out.index).fillna(0).astype(int)
    out["score_spread_max"] = split["spread"].max().reindex(out.index)
    out.index.name = "account_id"
    return out
