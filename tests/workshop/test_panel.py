"""The summary panel and the tabs speak the room's words: labels, never codes."""
from __future__ import annotations

import re

from kamnb.workshop import page
from kamnb.workshop.panel import render
from kamnb.workshop.session import WorkshopSession
from kamnb.workshop.summary import summary, tier_name


def test_tier_name_comes_from_the_settings():
    assert tier_name({}, "retain") == "Retain / defend"
    assert tier_name({"classification": {"tiers": {"names": {"invest": "Grow hard"}}}}, "invest") == "Grow hard"
    assert tier_name({}, "unheard_of") == "unheard_of"
    assert tier_name({}, None) is None


def test_the_summary_shows_the_tier_label_not_its_code(sample_copy):
    s = WorkshopSession(sample_copy, who="Ann")
    names = s.wb.settings["classification"]["tiers"]["names"]
    for account in s.wb.accounts.index:
        data = summary(s, account)
        html = render(data)
        shown = re.search(r'class="kamnb-tier kamnb-tier-value" data-tier="([a-z_]+)">([^<]*)<', html)
        assert shown is not None, html[:400]
        code, label = shown.groups()
        assert code == data["tier"] and label == names[code]
        assert label != code


def test_action_kinds_and_flags_show_their_titles(sample_copy):
    s = WorkshopSession(sample_copy, who="Ann")
    account = s.wb.actions["account_id"].iloc[0]
    tab = page.actions(s, account)
    for code in ("care_cultivate", "consult_advise", "sell_service"):
        assert f">{code}<" not in tab and f">{code.replace('_', ' & ')}<" not in tab
    assert "Care &amp; cultivate" in tab
    html = render(summary(s, "ACC-001"))
    flags = re.findall(r'<span class="kamnb-flag-[a-z]+">([^<]*)</span>', html)
    assert all("_" not in f for f in flags), flags
