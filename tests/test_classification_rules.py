"""Tier rules, resource advice and trap labels."""
from __future__ import annotations

import numpy as np

from kamnb.classification_rules import RESOURCE_CHANGES, TIER_KEYS, resource_codes, tier_codes


def test_tier_rules_first_match_wins():
    key = np.array([True, True, False, True, True, False, False])
    attract = np.array([80.0, 80.0, 80.0, 20.0, np.nan, 20.0, np.nan])
    willing = np.array([True, False, True, True, True, True, True])
    tier, reason = tier_codes(key, attract, willing, 50, True)
    assert [TIER_KEYS[t] for t in tier] == ["invest", "develop", "develop", "maintain", "maintain", "streamline", "streamline"]
    assert "not yet willing partners" in reason[1] and "could not be computed" in reason[4]
    tier2, _ = tier_codes(key, attract, willing, 50, False)
    assert TIER_KEYS[tier2[1]] == "invest"  # without the partnership rule


def test_resource_change_from_effort_percentile():
    tiers = np.array([0, 1, 2, 3, 3, 2], dtype="int8")
    focus = np.array([10.0, 80.0, 90.0, 60.0, np.nan, 50.0])
    codes = resource_codes(tiers, focus, {"more_below": 50, "less_from": 50, "maintain_less_from": 75})
    assert list(codes) == ["more effort", "hold", "less effort", "less effort", "effort not recorded", "hold"]
    assert list(codes.categories) == list(RESOURCE_CHANGES)
