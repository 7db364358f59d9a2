"""The seven definitions of a key account, each scored 0-100 from workbook columns.

Example:
    >>> [d.id for d in DEFINITIONS][:3]
    ['big', 'must_not_lose', 'future_profit']
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    """One definition of a key account: what it asks, how it is measured, the trap it warns about.

    Example:
        >>> [d.id for d in DEFINITIONS][:3]
        ['big', 'must_not_lose', 'future_profit']
    """

    id: str
    title: str
    question: str
    measure: str
    trap: str
    inputs: tuple[str, ...]


DEFINITIONS: tuple[Definition, ...] = (
    Definition("big", "The big ones", "Are they among our biggest customers?",
               "revenue over the last 12 months, as a percentile of the portfolio",
               "Big but unprofitable - and letting sales figures decide misses tomorrow's oak trees.", ("revenue_12m",)),
    Definition("must_not_lose", "Must not lose", "Would losing them hurt our profit most?",
               "contribution after cost to serve (revenue x gross margin - cost to serve; an empty cost to serve counts as 0), as a percentile",
               "Kept at any price: what if pleasing them costs more than they earn us?", ("revenue_12m", "gross_margin_pct")),
    Definition("future_profit", "Future profit", "Will they bring profit tomorrow?",
               "room to grow (3-year potential minus today's revenue) as a percentile, averaged with the growth-potential judgement",
               "Small today but high potential: today's profit comes from elsewhere, and potential can be over-valued before it pays off.",
               ("revenue_potential_3y", "growth_potential")),
    Definition("focus", "Team focus", "Is this where our team spends its effort?",
               "team effort days, as a percentile",
               "Effort is not a reason: why does the team focus there, and what happens to the rest?", ("team_effort_days",)),
    Definition("extra_return", "Extra effort, extra return", "Does extra effort bring extra business?",
               "responsiveness judgement averaged with revenue growth over the year (percentile)",
               "How many accounts like this can the team afford, and at what cost to the others?", ("responsiveness", "revenue_prev_12m")),
    Definition("demanding", "Demanding", "Do they demand more of us than others?",
               "service-demand judgement averaged with cost to serve (percentile)",
               "Demanding but not important: loud is not the same as key.", ("service_demand", "cost_to_serve")),
    Definition("strategic", "Strategic direction", "Do they take our business where we want it to go?",
               "strategic-fit judgement",
               "Strategic on paper only: the future is never clear and plans change, ours included.", ("strategic_fit",)),
)


DEFINITION_IDS = tuple(d.id for d in DEFINITIONS)


BY_ID = {d.id: d for d in DEFINITIONS}

