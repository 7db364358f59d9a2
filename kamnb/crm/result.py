"""What an import produces: the files it writes and the result it returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kamnb.crm.mapping import Mapping

REPORT_NAME = "import_report.md"


FIGURES_NAME = "crm_figures.csv"


SET_ASIDE_NAME = "set_aside.csv"


WRITTEN = ("accounts.csv", "stakeholders.csv", "opportunities.csv", "settings.yaml", FIGURES_NAME, SET_ASIDE_NAME, REPORT_NAME,
           "offerings.csv", "whitespace.csv", "to_judge.csv", "to_judge.xlsx")


JUDGEMENTS = (
    "gross_margin_pct",
    "cost_to_serve",
    "revenue_potential_3y",
    "share_of_wallet_pct",
    "customer_since",
    "team_effort_days",
    "growth_potential",
    "strategic_fit",
    "partner_willingness",
    "transparency",
    "our_willingness",
    "buy_sell_position",
    "service_demand",
    "responsiveness",
    "account_goal",
)
"""Account columns a CRM export cannot fill; they stay empty for the team."""


OUTCOMES = (
    ("won_12m", "won, closed in the last 12 months: revenue_12m"),
    ("won_prev", "won, closed in the 12 months before: revenue_prev_12m"),
    ("won_older", "won, closed earlier: counted as won, no revenue column"),
    ("lost", "lost: counted as lost"),
    ("open", "open: written to opportunities.csv"),
)


@dataclass
class ImportResult:
    """Everything an import produced, before or after it is written to disk.

    Example:
        >>> from kamnb.crm.build import import_crm
        >>> res = import_crm("data/crm-example", tmp / "example")
        >>> len(res.accounts), res.input_rows["sales_pipeline.csv"]
        (12, 260)
    """

    accounts: pd.DataFrame
    opportunities: pd.DataFrame
    figures: pd.DataFrame
    fixes: pd.DataFrame
    set_aside: pd.DataFrame
    reconciliation: pd.DataFrame
    input_rows: dict[str, int]
    as_of: pd.Timestamp
    windows: dict[str, tuple[pd.Timestamp, pd.Timestamp]]
    mapping: Mapping
    labels: dict[str, str]
    stage_words: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    export: Path | None = None
    out: Path | None = None
    seconds: float = 0.0
    deals: pd.DataFrame | None = None
    products: pd.DataFrame | None = None
    stakeholders: pd.DataFrame | None = None
    feed: dict[str, Any] = field(default_factory=dict)
    to_judge: pd.DataFrame | None = None
