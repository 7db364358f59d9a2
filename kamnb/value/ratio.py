"""The value ratio: what the customer gains through our work against what it pays us.

When a customer asks for lower daily rates, cutting the rate and refusing
flat are both poor answers. The first step is to show what the customer gains
through our work against what it pays us (the *value ratio*); the second is to
put better answers on the table: the same result with fewer people, a
fixed-price package, reusable modules. This module computes both from the
``value`` sheet and the ``value:`` settings.

Money is computed exactly (:class:`decimal.Decimal`) and rounded once, to whole
currency units, per amount a person reads. Every derived amount (a margin, a
saving, a contract total) is computed from those rounded amounts, so that a
margin shown equals the revenue shown minus the cost shown.

The exact amounts are :mod:`kamnb.value.money`; the price-pressure simulator is
:mod:`kamnb.value.pressure`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from kamnb import settings as kamnb_settings
from kamnb.common.formatting import money, number
from kamnb.common.tables import escape, html_notes, html_table
from kamnb.value.money import dec, exact, rounded
from kamnb.workbook import Workbook

RANGE_LABELS = {"value_low": "cautious", "value_expected": "expected", "value_high": "optimistic"}
SIMULATOR_COLUMNS = ("team_size", "daily_rate", "days_per_year", "daily_cost", "requested_rate_cut_pct")
MODEL_NAMES = {"time_material": "time and material (a team paid by the day)", "unit_price": "unit price x volume (products sold by the unit)"}


# --------------------------------------------------------------------------- exact money


# --------------------------------------------------------------------------- display helpers


def _ratio_text(ratio: float) -> str:
    """A value ratio as a person says it: ``'5.4 : 1'``."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "–"
    return f"{ratio:.1f} : 1"


def _people_text(people: float | Decimal) -> str:
    return number(people, 0 if float(people).is_integer() else 1)


# --------------------------------------------------------------------------- inputs


@dataclass
class ValueInputs:
    """One account's row of the value sheet, with where each gap is.

    ``values`` maps column name to a number (``None`` when empty) or text;
    ``gaps`` maps a column name to why it is not available.

    Example:
        >>> value_inputs(load_workbook("data/sample"), "ACC-001").currency
        'EUR'
    """

    account_id: str
    name: str
    currency: str
    values: dict[str, Any]
    gaps: dict[str, str]
    row: int | None
    notes: list[str] = field(default_factory=list)

    def missing(self, columns: Sequence[str]) -> list[str]:
        """The columns among ``columns`` that are not available for this account."""
        return [c for c in columns if c in self.gaps]

    def explain_missing(self, columns: Sequence[str], purpose: str) -> str | None:
        """One sentence naming exactly which of ``columns`` are missing, or ``None``."""
        gone = self.missing(columns)
        if not gone:
            return None
        if self.row is None:
            return (
                f"{purpose} needs a row for {self.account_id} on the value sheet with the columns "
                f"{', '.join(gone)}; the workbook has no value row for this account."
            )
        reasons = "; ".join(f"{c} ({self.gaps[c]})" for c in gone)
        return f"{purpose} cannot be computed for {self.account_id}: missing {reasons}."


def value_inputs(wb: Workbook, account_id: str) -> ValueInputs:
    """Read one account's value row; the yearly fees default to ``revenue_12m``.

    Example:
        >>> vi = value_inputs(wb, "ACC-002")
        >>> vi.values["team_size"]
        40.0
    """
    account = wb.account(account_id)
    currency = str(wb.settings.get("currency") or "EUR")
    rows = wb.for_account("value", account_id)
    notes: list[str] = []
    numeric = [c for c in wb.value.columns if c not in ("account_id", "pricing_model", "_row")]
    values: dict[str, Any] = {}
    gaps: dict[str, str] = {}
    row_no: int | None = None
    if rows.empty:
        for c in numeric:
            gaps[c] = "no value row"
        values["pricing_model"] = ""
    else:
        first = rows.iloc[0]
        row_no = int(first["_row"])
        if len(rows) > 1:
            others = ", ".join(str(int(r)) for r in rows["_row"].iloc[1:])
            notes.append(f"The value sheet has {len(rows)} rows for {account_id}; row {row_no} is used, rows {others} are ignored.")
        values["pricing_model"] = str(first.get("pricing_model", ""))
        for c in numeric:
            v = first.get(c)
            if not wb.has_column("value", c):
                gaps[c] = "the value sheet has no such column"
                values[c] = None
            elif v is None or (isinstance(v, float) and math.isnan(v)):
                gaps[c] = f"empty on value sheet row {row_no}"
                values[c] = None
            else:
                values[c] = float(v)
    if values.get("annual_fees") is None and row_no is not None:
        revenue = account.get("revenue_12m")
        if revenue is not None and not (isinstance(revenue, float) and math.isnan(revenue)):
            values["annual_fees"] = float(revenue)
            gaps.pop("annual_fees", None)
            notes.append("Yearly fees are taken from revenue_12m on the accounts sheet (annual_fees is not given).")
    return ValueInputs(account_id, str(account.get("name", account_id)), currency, values, gaps, row_no, notes)


def value_settings(settings: dict[str, Any]) -> dict[str, float]:
    """The simulator's assumptions: the ``value:`` settings over the built-in defaults.

    >>> value_settings({"value": {"refusal_churn_pct": 40}})["refusal_churn_pct"]
    40.0
    """
    return {key: float(v) for key, v in kamnb_settings.section(settings, "value").items() if v is not None}


# --------------------------------------------------------------------------- value ratio


@dataclass
class ValueRatio:
    """What the customer gains through our work against what it pays us.

    ``table`` is indexed by estimate (cautious, expected, optimistic) with whole
    currency units: ``value_per_year``, ``fees_per_year``, ``ratio``, and over
    the contract ``value_contract``, ``fees_contract``, ``net_gain_contract``
    (value minus fees). ``message`` says what is missing when nothing could be
    computed.

    Example:
        >>> vr = value_ratio(load_workbook("data/sample"), "ACC-001")
        >>> vr.contract_years
        5.0
    """

    inputs: ValueInputs
    table: pd.DataFrame
    contract_years: float | None
    message: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def expected(self) -> float:
        """The expected value ratio (NaN when unknown)."""
        if "expected" in self.table.index:
            ratio: Any = self.table.loc["expected", "ratio"]
            return float(ratio)
        return float("nan")

    def display_frame(self) -> pd.DataFrame:
        cur = self.inputs.currency
        t = self.table
        years = self.contract_years
        out = pd.DataFrame(
            {
                "Estimate": [str(i) for i in t.index],
                "Customer gains per year": [money(v, cur) for v in t["value_per_year"]],
                "Customer pays us per year": [money(v, cur) for v in t["fees_per_year"]],
                "Value ratio": [_ratio_text(v) for v in t["ratio"]],
            }
        )
        if years:
            label = f"over {number(years, 0 if float(years).is_integer() else 1)} years"
            out[f"Gains {label}"] = [money(v, cur) for v in t["value_contract"]]
            out[f"Pays {label}"] = [money(v, cur) for v in t["fees_contract"]]
            out[f"Net gain {label}"] = [money(v, cur) for v in t["net_gain_contract"]]
        return out

    def _repr_html_(self) -> str:
        if self.message:
            return f"<p><em>{escape(self.message)}</em></p>" + html_notes(self.notes)
        frame = self.display_frame()
        lead = ""
        if "expected" in self.table.index and not math.isnan(self.expected):
            row, cur = self.table.loc["expected"], self.inputs.currency
            lead = (
                f"<p>Expected estimate: {escape(self.inputs.name)} gains {self.expected:.1f} for every 1 it pays us "
                f"({escape(money(row['value_per_year'], cur))} a year against {escape(money(row['fees_per_year'], cur))}).</p>"
            )
        return lead + html_table(frame, right=list(frame.columns[1:])) + html_notes(self.notes)

    def __repr__(self) -> str:
        if self.message:
            return self.message
        return self.display_frame().to_string(index=False)


def value_ratio(wb: Workbook, account_id: str) -> ValueRatio:
    """The value ratio of one account, for each estimate given (cautious, expected, optimistic).

    ratio = yearly value to the customer / yearly fees; over the contract both
    are multiplied by ``contract_years``.

    Example:
        >>> vr = value_ratio(wb, "ACC-001")
        >>> round(float(vr.table.loc["expected", "ratio"]), 2)
        1.14
    """
    vi = value_inputs(wb, account_id)
    notes = list(vi.notes)
    cols = ["value_per_year", "fees_per_year", "ratio", "value_contract", "fees_contract", "net_gain_contract"]
    given = [c for c in RANGE_LABELS if c not in vi.gaps]
    fees = dec(vi.values.get("annual_fees"))
    message = None
    if not given:
        message = vi.explain_missing(list(RANGE_LABELS), "The value ratio")
    elif "annual_fees" in vi.gaps:
        message = f"The value ratio cannot be computed for {account_id}: annual_fees is empty on value sheet row {vi.row} and revenue_12m on the accounts sheet is empty too."
    elif fees == 0:
        message = f"The value ratio cannot be computed for {account_id}: the yearly fees are 0."
    if message:
        return ValueRatio(vi, pd.DataFrame(columns=cols), None, message, notes)
    missing_range = [c for c in RANGE_LABELS if c in vi.gaps]
    if missing_range:
        notes.append(f"Only part of the range is given; not shown: {', '.join(missing_range)}.")
    years = vi.values.get("contract_years")
    if years is None:
        notes.append("Contract totals are not shown: contract_years is not given.")
    rows = {}
    fees_year = rounded(fees)
    for col in given:
        v = rounded(vi.values[col])
        row: dict[str, Any] = {"value_per_year": v, "fees_per_year": fees_year, "ratio": v / fees_year if fees_year else float("nan")}
        if years:
            vc, fc = rounded(Decimal(v) * exact(years)), rounded(Decimal(fees_year) * exact(years))
            row.update(value_contract=vc, fees_contract=fc, net_gain_contract=vc - fc)
        else:
            row.update(value_contract=None, fees_contract=None, net_gain_contract=None)
        rows[RANGE_LABELS[col]] = row
    table = pd.DataFrame.from_dict(rows, orient="index")[cols]
    return ValueRatio(vi, table, years or None, None, notes)


# --------------------------------------------------------------------------- price-pressure simulator


# --------------------------------------------------------------------------- unit price x volume


# --------------------------------------------------------------------------- portfolio


def value_ratios(wb: Workbook) -> pd.DataFrame:
    """Value ratios of every account at once (vectorised), indexed by account_id.

    Columns ``value_ratio_low``, ``value_ratio``, ``value_ratio_high`` (NaN where
    a figure is missing) and ``annual_fees`` (``revenue_12m`` when not given).

    Example:
        >>> float(round(value_ratios(wb).loc["ACC-001", "value_ratio"], 2))
        1.14
    """
    acc = wb.accounts
    val = wb.value.drop_duplicates("account_id", keep="first").set_index("account_id")
    val = val.reindex(acc.index)
    fees = val["annual_fees"].fillna(acc["revenue_12m"]).where(lambda s: s > 0)
    out = pd.DataFrame(index=acc.index)
    out["annual_fees"] = fees
    out["value_ratio_low"] = val["value_low"] / fees
    out["value_ratio"] = val["value_expected"] / fees
    out["value_ratio_high"] = val["value_high"] / fees
    out.index.name = "account_id"
    return out


