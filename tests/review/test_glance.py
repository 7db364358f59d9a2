"""The first screen of a review: the numbers it shows for the sample's accounts, and its HTML."""
from __future__ import annotations

import re

import pytest
from helpers import SAMPLE

from kamnb.batch.report import anchor
from kamnb.review.glance import SECTIONS, account_glance, render
from kamnb.workbook import load_workbook


@pytest.fixture(scope="module")
def wb():
    return load_workbook(SAMPLE)


def test_nordlicht_at_a_glance(wb) -> None:
    g = account_glance(wb, "ACC-001")
    # the largest account, kept at a loss and at risk: not key by contribution, but defended (retain comes before new deals)
    assert g.name == "Nordlicht Logistics" and g.tier == "Retain / defend"
    assert g.tier_reason.startswith("Key or in the Pareto core, and at risk")
    assert g.items["key_score"].value == "42 / 100"
    assert "Called key by 3 of 7 definitions: The big ones, Team focus, Demanding" in g.items["key_score"].lines
    money = g.items["money"]
    assert money.value == "€11.8M"
    assert money.lines[0] == "+€369k (+3%) since 2025-11-01"  # 11,850,000 against 11,481,000 at the last assessment
    assert "!Contribution after cost to serve -€888k" in money.lines  # 592,500 gross profit - 1,480,000 cost to serve
    forecast = g.items["forecast"]
    assert forecast.value == "€3.25M"
    assert forecast.lines[0] == "Retention €1.28M, growth €1.96M"
    assert any(x.startswith("Largest open: Renew the warehouse management support") and x.endswith("€11M at 12%") for x in forecast.lines)
    rel = g.items["relationship"]
    assert rel.value == "41 / 100" and rel.lines[0] == "+6 since 2025-11-01 (was 35)"
    assert rel.lines[1] == "Contact-map coverage 59 / 100: between the two"
    assert g.items["position"].value == "2 of 5, approved supplier"
    # overdue first, then by due date; at most three
    assert [(a["owner"], a["due"], a["days_overdue"]) for a in g.actions] == [
        ("Marc Dubois", "2026-09-30", 32), ("Ingrid Solberg", "2026-10-15", 17), ("Jana Weber", "2026-11-15", 0)]  # a high red flag: due in 14 days
    assert [f["title"] for f in g.flags[:3]] == ["Decision-maker against us", "Large renewal at low likelihood", "Relationship score below the floor"]


def test_flags_show_with_severity_and_title(wb) -> None:
    from kamnb.relationships import redflags

    found = redflags.red_flags(wb, "ACC-003")
    assert not found.empty, "the sample's ACC-003 has red flags"
    g = account_glance(wb, "ACC-003")
    assert [f["severity"] for f in g.flags[: len(found)]] == list(found["severity"][:3])
    assert g.flags[0]["title"] == redflags.RED_FLAGS[found["flag"].iloc[0]].title
    assert 'class="sev high"' in render(g) or 'class="sev medium"' in render(g)


def test_html_escapes_workbook_text_and_links_each_item(wb) -> None:
    wb.accounts.loc["ACC-007", "account_manager"] = "<img src=x onerror=alert(1)>"
    g = account_glance(wb, "ACC-007")
    g.actions.append({"action": "<script>alert(1)</script>", "owner": "A & B", "due": "2026-12-01", "overdue": False, "days_overdue": 0})
    page = render(g)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "A &amp; B" in page
    assert sorted(set(re.findall(r'href="#([^"]+)"', page))) == sorted(anchor(s) for s in SECTIONS.values())
    assert page.endswith("<!--kamnb:toc-->")


def test_a_failing_step_costs_a_note_not_the_screen(wb, monkeypatch) -> None:
    from kamnb.qualification import forecast

    def broken(_wb):
        raise ValueError("opportunities sheet unreadable")

    monkeypatch.setattr(forecast, "account_forecast", broken)
    g = account_glance(wb, "ACC-002")
    assert "forecast" not in g.items and "tier" in g.items
    assert g.notes == ["the forecast could not be computed: ValueError: opportunities sheet unreadable"]
    assert "could not be computed" in render(g)
