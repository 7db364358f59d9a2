"""On what each account's key status rests: the team's judgements, or figures computed from data alone.

Each of the seven definitions reads some workbook columns. Some are figures a
system can compute (revenue, margin, effort days, cost to serve); others are
the team's judgements (the 1-5 scores: growth potential, strategic fit,
responsiveness, service demand). For one account a definition is

- **judged** when at least one of its judgement columns is filled,
- **computed** when it has a score from figures alone,
- **unknown** when it has no score.

A key account whose counted (weighted) definitions are all computed is key
*on figures alone*: the trap the seven definitions warn about (big is not the
same as key). :func:`computed_only` lists them; :class:`BasisWarning` is the
warning the portfolio page and each review show when the key-account list
rests on computed definitions alone. A CRM import, which knows no judgements,
always lands there until the team fills in its ``to_judge`` worksheet.

Example:
    >>> import pandas as pd
    >>> acc = pd.DataFrame({"name": ["A", "B"], "revenue_12m": [900.0, 80.0], "gross_margin_pct": [30.0, 40.0],
    ...                     "strategic_fit": [None, 4.0]}, index=["A", "B"])
    >>> b = definition_basis(acc)
    >>> b.loc["A", "text"]
    'judged: none; computed: big, must not lose'
    >>> b.loc["B", "judged"]
    ['strategic']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamnb.common import memo
from kamnb.common.tables import escape
from kamnb.workbook.schema import ACCOUNTS

JUDGEMENT_COLUMNS = tuple(c.name for c in ACCOUNTS.columns if c.kind == "score")
"""Account columns that hold the team's judgements (1-5 scores)."""

SHORT = {"big": "big", "must_not_lose": "must not lose", "future_profit": "future profit", "focus": "team focus",
         "extra_return": "extra return", "demanding": "demanding", "strategic": "strategic"}


def _frame(source: Any) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    if isinstance(source, pd.DataFrame):
        return source, None
    return source.accounts, source.settings


def definition_basis(source: Any, settings: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per account: the definitions judged, computed and unknown, and a sentence ``judged: ...; computed: ...``.

    Columns: judged, computed, unknown (lists of definition ids), text,
    counted_judged (how many weighted definitions are judged). A workbook's
    basis is remembered while its content stays the same (one per batch).
    """
    if settings is None and hasattr(source, "sheets"):
        return _workbook_basis(source)
    return _definition_basis(source, settings)


@memo.portfolio()
def _workbook_basis(wb: Any) -> pd.DataFrame:
    return _definition_basis(wb, None)


def _definition_basis(source: Any, settings: dict[str, Any] | None) -> pd.DataFrame:
    from kamnb.classification.definitions import DEFINITIONS
    from kamnb.classification.score import classification_settings, classify

    frame, wb_settings = _frame(source)
    settings = settings if settings is not None else wb_settings
    res = classify(source, settings) if not isinstance(source, pd.DataFrame) else classify(frame, settings)
    weights = classification_settings(settings)["weights"]
    rows = []
    for acc in frame.index:
        judged, computed, unknown = [], [], []
        for d in DEFINITIONS:
            score = res.at[acc, d.id] if d.id in res.columns else float("nan")
            marks = [c for c in d.inputs if c in JUDGEMENT_COLUMNS and c in frame.columns and pd.notna(frame.at[acc, c])]
            if marks:
                judged.append(d.id)
            elif pd.notna(score):
                computed.append(d.id)
            else:
                unknown.append(d.id)
        text = "judged: " + (", ".join(SHORT[d] for d in judged) or "none") + "; computed: " + (", ".join(SHORT[d] for d in computed) or "none")
        rows.append({"account_id": acc, "judged": judged, "computed": computed, "unknown": unknown, "text": text,
                     "counted_judged": sum(1 for d in judged if (weights.get(d) or 0) > 0)})
    return pd.DataFrame(rows).set_index("account_id")


def computed_only(source: Any, settings: dict[str, Any] | None = None) -> list[str]:
    """The key accounts that are key on computed definitions alone (no weighted definition judged).

    >>> computed_only(pd.DataFrame({"name": ["A", "B", "C"], "revenue_12m": [900.0, 80.0, 20.0]}, index=["A", "B", "C"]))
    ['A', 'B']
    """
    if settings is None and hasattr(source, "sheets"):
        return _workbook_computed_only(source)
    return _computed_only(source, settings)


@memo.portfolio()
def _workbook_computed_only(wb: Any) -> list[str]:
    return _computed_only(wb, None)


def _computed_only(source: Any, settings: dict[str, Any] | None) -> list[str]:
    from kamnb.classification.score import classify

    frame, wb_settings = _frame(source)
    settings = settings if settings is not None else wb_settings
    res = classify(source if not isinstance(source, pd.DataFrame) else frame, settings)
    basis = definition_basis(source, settings)
    key = [a for a in frame.index if bool(res.at[a, "is_key"])]
    return [a for a in key if basis.at[a, "counted_judged"] == 0]


@dataclass
class BasisWarning:
    """The warning shown when the key-account list rests on computed definitions alone (nothing when it does not).

    Example:
        >>> BasisWarning(0, 5, "", "").text()
        ''
    """

    computed_only: int
    key_accounts: int
    account_text: str
    account_status: str
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        if not self.computed_only:
            return ""
        head = (f"{self.computed_only} of {self.key_accounts} key accounts are key on computed figures alone: "
                "no judgement of the team (growth potential, strategic fit, responsiveness, ...) is part of their key status. "
                "Big is not the same as key: judge them next (the to_judge worksheet lists what is missing).")
        if self.account_text:
            head += f" This account: {self.account_status} ({self.account_text})."
        return head

    def _repr_html_(self) -> str:
        text = self.text()
        if not text:
            return ""
        return ('<div class="kamnb-warning" role="note" style="border-left:4px solid #d9822b;background:#fdf3e7;'
                f'padding:6px 10px;margin:6px 0"><strong>Key status rests on computed figures.</strong> {escape(text)}</div>')

    def __repr__(self) -> str:
        return self.text()


def basis_warning(wb: Any, account_id: str | None = None) -> BasisWarning:
    """The warning for the workbook (and the account's own basis when ``account_id`` is given).

    Example:
        >>> basis_warning(load_workbook("data/sample")).text()
        ''
    """
    from kamnb.classification.score import classify

    res = classify(wb)
    only = computed_only(wb)
    key = int(res["is_key"].astype(bool).sum())
    text = status = ""
    if account_id is not None and only:
        basis = definition_basis(wb)
        text = str(basis.at[account_id, "text"])
        status = ("key on figures alone" if account_id in only else ("key" if bool(res.at[account_id, "is_key"]) else "not key"))
    return BasisWarning(len(only), key, text, status)
