"""The actions sheet's own rules: which actions are closed, which are overdue.
"""
from __future__ import annotations

import pandas as pd

CLOSED = ("done", "dropped")


def overdue_mask(actions: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """True where an action is due before ``as_of`` and neither done nor dropped (vectorised).

    >>> a = pd.DataFrame({"due": pd.to_datetime(["2026-10-01", "2026-12-01", "2026-09-01", None]),
    ...                   "status": ["open", "open", "done", "open"]})
    >>> overdue_mask(a, pd.Timestamp("2026-11-01")).tolist()
    [True, False, False, False]
    """
    return (actions["due"] < as_of) & ~actions["status"].isin(CLOSED)

