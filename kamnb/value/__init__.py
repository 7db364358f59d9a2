"""What the account is worth to the customer and to us: the value ratio, price pressure, the account goal and the action plan.

Modules: ``money`` (exact amounts), ``ratio`` (value ratio), ``pressure`` (price-pressure
simulator), ``plan`` (goal check and action plan). This face composes the step's columns
of the portfolio index.
"""
from __future__ import annotations

import pandas as pd

from kamnb.value import plan
from kamnb.value.ratio import value_ratios
from kamnb.workbook import Workbook


def portfolio_columns(wb: Workbook) -> pd.DataFrame:
    """Value-and-plan columns for the portfolio index, one row per account.

    ``value_ratio`` (expected; ``value_ratio_low``/``value_ratio_high`` for the
    range), ``annual_fees``, ``goal_ok`` (bool), ``goal_issues`` (text),
    ``open_actions`` and ``overdue_actions`` (workbook actions only).

    Example:
        >>> int(portfolio_columns(wb).loc["ACC-001", "overdue_actions"])
        2
    """
    return value_ratios(wb).join(plan.portfolio_columns(wb))
