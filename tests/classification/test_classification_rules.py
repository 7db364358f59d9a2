"""Tier rules, resource advice and trap labels."""
from __future__ import annotations

import numpy as np

from kamnb.classification.rules import RESOURCE_CHANGES, TIER_KEYS, resource_codes, tier_codes


def test_tier_rules_first_match_wins():
    key = np.array([True, True, False, True, True, False, False])
    attract = np.array([80.0, 80.0, 80.0, 20.0, np.nan, 20.0, np.nan])
    willing = np.array([True, False, True, True, True, True, True])
    tier, reason = tier_codes(key, attract, willing, 50, True)
    assert [TIER_KEYS[t] for t in tier] == ["invest", "develop", "develop", "maintain", "maintain", "streamline", "streamline"]
    assert "not yet willing partners" in reason[1] and "could not be computed" in reason[4]
    tier2, _ = tier_codes(key, attract, willing, 50, False)
    assert TIER_KEYS[tier2[1]] == "invest"  # without the partnership rule


def test_retain_defend_comes_before_every_other_tier():
    key = np.array([True, True, False, False])
    attract = np.array([80.0, 20.0, 80.0, 20.0])
    defend = np.array([True, True, True, False])
    tier, reason = tier_codes(key, attract, np.ones(4, dtype=bool), 50, True, defend)
    assert [TIER_KEYS[t] for t in tier] == ["retain", "retain", "retain", "streamline"]
    assert reason[0] == "key or in the Pareto core, and at risk: defend the business before chasing new deals"


def test_resource_change_from_effort_percentile():
    index = {k: i for i, k in enumerate(TIER_KEYS)}
    names = ["invest", "develop", "maintain", "streamline", "streamline", "maintain", "retain", "retain"]
    tiers = np.array([index[t] for t in names], dtype="int8")
    focus = np.array([10.0, 80.0, 90.0, 60.0, np.nan, 50.0, 10.0, 95.0])
    codes = resource_codes(tiers, focus, {"more_below": 50, "less_from": 50, "maintain_less_from": 75})
    # retain / defend: more effort when little is spent, never less
    assert list(codes) == ["more effort", "hold", "less effort", "less effort", "effort not recorded", "hold", "more effort", "hold"]
    assert list(codes.categories) == list(RESOURCE_CHANGES)
