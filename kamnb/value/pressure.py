"""The price-pressure simulator: answers to a request for lower rates, beside a straight cut and a flat refusal.

When a customer asks for lower prices, cutting the price and refusing flat are
both poor answers. This module puts better answers on the table (the same
result with fewer people, a fixed-price package, reusable modules) from the
``value`` sheet and the ``value:`` settings, computed exactly and rounded once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from kamnb.common.formatting import money, number, percent
from kamnb.common.tables import escape, html_notes, html_table
from kamnb.value.money import dec, exact, rounded
from kamnb.value.ratio import MODEL_NAMES, SIMULATOR_COLUMNS, ValueInputs, _people_text, _ratio_text, value_inputs, value_settings
from kamnb.workbook import Workbook

UNIT_COLUMNS = ("units_per_year", "unit_price", "unit_cost", "requested_rate_cut_pct")


"""What the unit price x volume model needs (products sold by the unit)."""


OPTION_LABELS = {
    "today": "Today (before the request)",
    "rate_cut": "Straight rate cut",
    "refusal": "Flat refusal",
    "productivity": "Higher productivity",
    "fixed_price": "Fixed-price package",
    "reuse": "Reusable modules",
    "price_cut": "Straight price cut",
    "volume": "Volume commitment",
    "variant": "Value-engineered variant",
    "multi_year": "Multi-year agreement",
}


def _rate_text(rate: Decimal, currency: str) -> str:
    """A daily rate: whole units when whole, cents otherwise (a rate is never silently rounded)."""
    if rate == rate.to_integral_value():
        return money(int(rate), currency)
    from kamnb.common.formatting import SYMBOLS

    symbol = SYMBOLS.get(currency, currency + " ")
    return f"{symbol}{rate.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def _pct_text(value: float) -> str:
    return percent(value, 0 if float(value).is_integer() else 1)


@dataclass
class PricePressure:
    """The answers to a rate-cut request, side by side, for the customer and for us.

    ``table`` is indexed by option key (``today``, ``rate_cut``, ``refusal``,
    ``productivity``, ``fixed_price``, ``reuse``); money columns are whole
    currency units per year: ``customer_cost``, ``customer_saving`` (against
    today), ``our_revenue``, ``our_cost``, ``our_margin`` (= revenue - cost),
    ``margin_change`` (against today); plus ``people``, ``margin_pct``,
    ``value_ratio`` and, when ``contract_years`` is given,
    ``customer_cost_contract`` and ``our_margin_contract``. For the refusal,
    revenue, cost and margin are expected amounts: (1 - churn risk) x today's.

    Example:
        >>> pp = price_pressure(load_workbook("data/sample"), "ACC-001")
        >>> pp.message.split(":")[0]  # the sample lacks team_size for ACC-001
        'The price-pressure simulator cannot be computed for ACC-001'
    """

    inputs: ValueInputs
    assumptions: dict[str, float]
    table: pd.DataFrame
    message: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def options(self) -> pd.DataFrame:
        """The five answers, without today's reference row."""
        return self.table.drop(index="today", errors="ignore")

    def _best(self, column: str, lowest: bool) -> list[str]:
        opts = self.options
        if opts.empty:
            return []
        target = opts[column].min() if lowest else opts[column].max()
        return [k for k in opts.index if opts.loc[k, column] == target]

    @property
    def cheapest_for_customer(self) -> list[str]:
        """Option keys with the lowest yearly cost for the customer (several when tied)."""
        return self._best("customer_cost", lowest=True)

    @property
    def best_for_margin(self) -> list[str]:
        """Option keys with the highest yearly margin for us (several when tied)."""
        return self._best("our_margin", lowest=False)

    @property
    def both_gain(self) -> list[str]:
        """Options where the customer pays less and our margin does not fall."""
        opts = self.options
        return [k for k in opts.index if opts.loc[k, "customer_saving"] > 0 and opts.loc[k, "margin_change"] >= 0]

    def assumption_lines(self) -> list[str]:
        """Every input and assumption behind the table, in words."""
        v, a, cur = self.inputs.values, self.assumptions, self.inputs.currency
        lean: Any = self.table.loc["productivity", "people"]
        lines = [
            f"Team today: {_people_text(v['team_size'])} people × {_rate_text(exact(v['daily_rate']), cur)} a day × "
            f"{number(v['days_per_year'])} billable days a year; our cost {_rate_text(exact(v['daily_cost']), cur)} per person-day (value sheet).",
            f"Requested rate cut: {_pct_text(v['requested_rate_cut_pct'])} (value sheet).",
            f"Flat refusal: {_pct_text(a['refusal_churn_pct'])} chance the customer moves the work elsewhere; if it does, "
            "the team is redeployed and the margin on this work is lost. Amounts shown are the expected ones.",
            f"Higher productivity: the same result needs {_pct_text(a['productivity_saving_pct'])} fewer people "
            f"({_people_text(lean)} instead of {_people_text(v['team_size'])}) "
            "through smarter processes and automation; the daily rate stays.",
            f"Fixed-price package: priced {_pct_text(a['fixed_price_discount_pct'])} below today's yearly bill, delivered by the "
            f"more productive team; we carry the risk, counted as a {_pct_text(a['fixed_price_overrun_pct'])} cost overrun.",
            f"Reusable modules: they cover {_pct_text(a['reuse_share_pct'])} of today's work; the customer pays "
            f"{_pct_text(a['reuse_price_pct'])} of what those days cost and only customisation as days; keeping the modules "
            f"costs us {_pct_text(a['reuse_upkeep_pct'])} of the cost of the days they replace.",
        ]
        if v.get("value_expected") is not None:
            lines.append(f"Value ratio = the customer's expected yearly gain ({money(v['value_expected'], cur)}) / what it pays per year.")
        if v.get("contract_years") is not None:
            lines.append(f"Contract totals: yearly amounts × {number(v['contract_years'], 0 if float(v['contract_years']).is_integer() else 1)} years.")
        lines.append("Assumptions come from the value: section of the settings; a workbook's settings.yaml can change them.")
        return lines

    def verdict_lines(self) -> list[str]:
        """What the arithmetic says: cheapest for the customer, best for our margin, good for both."""
        t, cur = self.table, self.inputs.currency

        def names(keys: list[str]) -> str:
            return " and ".join(OPTION_LABELS[k] for k in keys)

        cheap, best, both = self.cheapest_for_customer, self.best_for_margin, self.both_gain
        change: Any = t.loc[best[0], "margin_change"]
        lines = [
            f"Cheapest for the customer: {names(cheap)} ({money(t.loc[cheap[0], 'customer_cost'], cur)} a year, "
            f"saving {money(t.loc[cheap[0], 'customer_saving'], cur)}).",
            f"Best for our margin: {names(best)} ({money(t.loc[best[0], 'our_margin'], cur)} a year, "
            f"{'+' if change >= 0 else ''}{money(t.loc[best[0], 'margin_change'], cur)} against today).",
        ]
        if both:
            lines.append(f"The customer pays less and our margin holds with: {names(both)}.")
        else:
            lines.append("No option both lowers the customer's cost and keeps our margin at today's level with these assumptions.")
        return lines

    def display_frame(self) -> pd.DataFrame:
        t, cur = self.table, self.inputs.currency

        def signed(v: int) -> str:
            return ("+" if v > 0 else "") + money(v, cur) if v else money(0, cur)

        out = pd.DataFrame(
            {
                "Option": [OPTION_LABELS[k] for k in t.index],
                "How it is priced": list(t["how_priced"]),
                "Customer pays per year": [money(v, cur) for v in t["customer_cost"]],
                "Customer saves": [money(v, cur) for v in t["customer_saving"]],
                "Our revenue": [money(v, cur) for v in t["our_revenue"]],
                "Our cost": [money(v, cur) for v in t["our_cost"]],
                "Our margin": [money(v, cur) for v in t["our_margin"]],
                "Margin %": [percent(v, 1) for v in t["margin_pct"]],
                "Margin vs today": [signed(v) for v in t["margin_change"]],
            }
        )
        years = self.inputs.values.get("contract_years")
        if years:
            label = f"over {number(years, 0 if float(years).is_integer() else 1)} years"
            out[f"Customer pays {label}"] = [money(v, cur) for v in t["customer_cost_contract"]]
            out[f"Our margin {label}"] = [money(v, cur) for v in t["our_margin_contract"]]
        if t["value_ratio"].notna().any():
            out["Value ratio"] = [_ratio_text(v) for v in t["value_ratio"]]
        return out

    def _repr_html_(self) -> str:
        if self.message:
            return f"<p><em>{escape(self.message)}</em></p>" + html_notes(self.notes)
        frame = self.display_frame()
        styles = ["muted" if k == "today" else "" for k in self.table.index]
        return (
            html_table(frame, right=list(frame.columns[2:]), row_classes=styles)
            + html_notes(self.verdict_lines(), title="What the arithmetic says")
            + html_notes(self.assumption_lines(), title="Assumptions")
            + html_notes(self.notes)
        )

    def __repr__(self) -> str:
        if self.message:
            return self.message
        text = self.display_frame().to_string(index=False)
        return "\n".join([text, "", *self.verdict_lines(), "", "Assumptions:", *(f"- {line}" for line in self.assumption_lines())])


def price_pressure(wb: Workbook, account_id: str) -> PricePressure:
    """Compare the answers to a rate-cut request on the customer's cost and on our margin.

    Needs, on the value sheet: team_size, daily_rate, days_per_year, daily_cost
    and requested_rate_cut_pct. When any is missing the result says exactly
    which (``message``) instead of failing.

    Example:
        >>> pp = price_pressure(wb, "ACC-002")
        >>> float(pp.table.loc["productivity", "people"])
        38.0
    """
    vi = value_inputs(wb, account_id)
    a = value_settings(wb.settings)
    notes = list(vi.notes)
    model = vi.values.get("pricing_model") or ""
    has_units = all(vi.values.get(c) is not None for c in UNIT_COLUMNS)
    has_days = all(vi.values.get(c) is not None for c in SIMULATOR_COLUMNS)
    if model == "unit_price" or (has_units and not has_days):
        return unit_price_pressure(wb, account_id)
    message = vi.explain_missing(SIMULATOR_COLUMNS, "The price-pressure simulator")
    if message:
        return PricePressure(vi, a, pd.DataFrame(), message, notes)
    notes.insert(0, f"Commercial model: {MODEL_NAMES['time_material']} (value sheet, pricing_model {model or 'not given'}).")
    if model not in ("time_material", "mixed"):
        shown = model or "not given"
        notes.append(f"The simulator models a team paid by the day; this account's pricing model is {shown}.")
    v, cur = vi.values, vi.currency
    n, rate, days, cost_day, cut = (exact(v[c]) for c in SIMULATOR_COLUMNS)
    pct = {k: exact(x) / 100 for k, x in a.items()}
    years = dec(v.get("contract_years"))
    expected_value = dec(v.get("value_expected"))

    fees_today = n * rate * days
    cost_today = n * cost_day * days
    lean = n * (1 - pct["productivity_saving_pct"])
    stay = 1 - pct["refusal_churn_pct"]
    share = pct["reuse_share_pct"]
    rate_cut = rate * (1 - cut / 100)
    options: dict[str, tuple[Decimal, Decimal, Decimal, Decimal, str]] = {
        # key: (people, what the customer pays, our revenue, our cost, how it is priced)
        "today": (n, fees_today, fees_today, cost_today, f"{_people_text(n)} × {_rate_text(rate, cur)} × {number(days)} days"),
        "rate_cut": (n, n * rate_cut * days, n * rate_cut * days, cost_today, f"{_people_text(n)} × {_rate_text(rate_cut, cur)} × {number(days)} days"),
        "refusal": (n, fees_today, fees_today * stay, cost_today * stay, f"rates unchanged; {_pct_text(a['refusal_churn_pct'])} risk the work moves"),
        "productivity": (lean, lean * rate * days, lean * rate * days, lean * cost_day * days, f"{_people_text(lean)} × {_rate_text(rate, cur)} × {number(days)} days"),
        "fixed_price": (
            lean,
            fees_today * (1 - pct["fixed_price_discount_pct"]),
            fees_today * (1 - pct["fixed_price_discount_pct"]),
            lean * cost_day * days * (1 + pct["fixed_price_overrun_pct"]),
            f"fixed price, {_pct_text(a['fixed_price_discount_pct'])} below today's bill",
        ),
        "reuse": (
            n * (1 - share),
            fees_today * (1 - share) + fees_today * share * pct["reuse_price_pct"],
            fees_today * (1 - share) + fees_today * share * pct["reuse_price_pct"],
            cost_today * (1 - share) + cost_today * share * pct["reuse_upkeep_pct"],
            f"{_pct_text(100 - a['reuse_share_pct'])} as days, {_pct_text(a['reuse_share_pct'])} as modules at {_pct_text(a['reuse_price_pct'])}",
        ),
    }
    rows: dict[str, dict[str, Any]] = {}
    for key, (people, pays, revenue, cost, how) in options.items():
        row: dict[str, Any] = {"how_priced": how, "people": float(people), "customer_cost": rounded(pays), "our_revenue": rounded(revenue), "our_cost": rounded(cost)}
        row["our_margin"] = row["our_revenue"] - row["our_cost"]
        row["margin_pct"] = row["our_margin"] / row["our_revenue"] * 100 if row["our_revenue"] else float("nan")
        row["value_ratio"] = float(expected_value / row["customer_cost"]) if expected_value is not None and row["customer_cost"] else float("nan")
        if years:
            row["customer_cost_contract"] = rounded(row["customer_cost"] * years)
            row["our_margin_contract"] = rounded(row["our_revenue"] * years) - rounded(row["our_cost"] * years)
        else:
            row["customer_cost_contract"] = row["our_margin_contract"] = None
        rows[key] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    today = rows["today"]
    table["customer_saving"] = today["customer_cost"] - table["customer_cost"]
    table["customer_saving_pct"] = table["customer_saving"] / today["customer_cost"] * 100
    table["margin_change"] = table["our_margin"] - today["our_margin"]
    if "contract_years" in vi.gaps:
        notes.append("Contract totals are not shown: contract_years is not given.")
    return PricePressure(vi, a, table, None, notes)


@dataclass(repr=False)
class UnitPricePressure(PricePressure):
    """The answers to a unit-price cut request for products sold by the unit (unit price x volume).

    Same table as :class:`PricePressure` (``people`` holds the units per year);
    the options are ``price_cut``, ``refusal``, ``volume`` (a lower price for a
    committed higher volume), ``variant`` (a value-engineered variant that
    costs us less, sold a little cheaper) and ``multi_year`` (a small discount
    for a longer agreement, which takes the churn risk away).

    Example:
        >>> pp = price_pressure(load_workbook("data/sample"), "ACC-007")
        >>> list(pp.options.index)
        ['price_cut', 'refusal', 'volume', 'variant', 'multi_year']
    """

    def assumption_lines(self) -> list[str]:
        """Every input and assumption behind the table, in words."""
        v, a, cur = self.inputs.values, self.assumptions, self.inputs.currency
        units = number(v["units_per_year"])
        more: Any = self.table.loc["volume", "people"]
        lines = [
            f"Today: {units} units a year × {_rate_text(exact(v['unit_price']), cur)} a unit; our cost "
            f"{_rate_text(exact(v['unit_cost']), cur)} a unit (value sheet).",
            f"Requested price cut: {_pct_text(v['requested_rate_cut_pct'])} (value sheet).",
            f"Flat refusal: {_pct_text(a['refusal_churn_pct'])} chance the customer buys elsewhere; amounts shown are the expected ones.",
            f"Volume commitment: {_pct_text(a['volume_discount_pct'])} off the unit price for a committed "
            f"{_pct_text(a['volume_uplift_pct'])} more volume ({number(more)} units a year).",
            f"Value-engineered variant: a variant that costs us {_pct_text(a['variant_cost_saving_pct'])} less a unit, "
            f"sold {_pct_text(a['variant_price_cut_pct'])} below today's price.",
            f"Multi-year agreement: {_pct_text(a['multi_year_discount_pct'])} off the unit price for a longer agreement; "
            "no churn risk while it runs.",
        ]
        if v.get("value_expected") is not None:
            lines.append(f"Value ratio = the customer's expected yearly gain ({money(v['value_expected'], cur)}) / what it pays per year.")
        if v.get("contract_years") is not None:
            lines.append(f"Contract totals: yearly amounts × {number(v['contract_years'], 0 if float(v['contract_years']).is_integer() else 1)} years.")
        lines.append("Assumptions come from the value: section of the settings; a workbook's settings.yaml can change them.")
        return lines


def unit_price_pressure(wb: Workbook, account_id: str) -> UnitPricePressure:
    """Compare the answers to a unit-price cut request on the customer's cost and on our margin.

    Needs, on the value sheet: units_per_year, unit_price, unit_cost and
    requested_rate_cut_pct (the cut asked for). :func:`price_pressure` comes
    here for an account whose pricing_model is ``unit_price``.

    Example:
        >>> int(unit_price_pressure(wb, "ACC-007").table.loc["today", "customer_cost"])
        1450000
    """
    vi = value_inputs(wb, account_id)
    a = value_settings(wb.settings)
    notes = list(vi.notes)
    message = vi.explain_missing(UNIT_COLUMNS, "The price-pressure simulator (unit price x volume)")
    if message:
        return UnitPricePressure(vi, a, pd.DataFrame(), message, notes)
    notes.insert(0, f"Commercial model: {MODEL_NAMES['unit_price']} (value sheet, pricing_model {vi.values.get('pricing_model') or 'not given'}).")
    v, cur = vi.values, vi.currency
    units, price, cost, cut = (exact(v[c]) for c in UNIT_COLUMNS)
    pct = {k: exact(x) / 100 for k, x in a.items()}
    years = dec(v.get("contract_years"))
    expected_value = dec(v.get("value_expected"))
    stay = 1 - pct["refusal_churn_pct"]
    more = units * (1 + pct["volume_uplift_pct"])
    p_cut = price * (1 - cut / 100)
    p_vol = price * (1 - pct["volume_discount_pct"])
    p_var, c_var = price * (1 - pct["variant_price_cut_pct"]), cost * (1 - pct["variant_cost_saving_pct"])
    p_multi = price * (1 - pct["multi_year_discount_pct"])

    def how(n: Decimal, p: Decimal) -> str:
        return f"{number(float(n))} units × {_rate_text(p, cur)}"

    options: dict[str, tuple[Decimal, Decimal, Decimal, Decimal, str]] = {
        "today": (units, units * price, units * price, units * cost, how(units, price)),
        "price_cut": (units, units * p_cut, units * p_cut, units * cost, how(units, p_cut)),
        "refusal": (units, units * price, units * price * stay, units * cost * stay, f"price unchanged; {_pct_text(a['refusal_churn_pct'])} risk they buy elsewhere"),
        "volume": (more, more * p_vol, more * p_vol, more * cost, how(more, p_vol) + " (committed)"),
        "variant": (units, units * p_var, units * p_var, units * c_var, how(units, p_var) + ", leaner variant"),
        "multi_year": (units, units * p_multi, units * p_multi, units * cost, how(units, p_multi) + ", longer agreement"),
    }
    rows: dict[str, dict[str, Any]] = {}
    for key, (n, pays, revenue, our_cost, text) in options.items():
        row: dict[str, Any] = {"how_priced": text, "people": float(n), "customer_cost": rounded(pays), "our_revenue": rounded(revenue), "our_cost": rounded(our_cost)}
        row["our_margin"] = row["our_revenue"] - row["our_cost"]
        row["margin_pct"] = row["our_margin"] / row["our_revenue"] * 100 if row["our_revenue"] else float("nan")
        row["value_ratio"] = float(expected_value / row["customer_cost"]) if expected_value is not None and row["customer_cost"] else float("nan")
        if years:
            row["customer_cost_contract"] = rounded(row["customer_cost"] * years)
            row["our_margin_contract"] = rounded(row["our_revenue"] * years) - rounded(row["our_cost"] * years)
        else:
            row["customer_cost_contract"] = row["our_margin_contract"] = None
        rows[key] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    today = rows["today"]
    table["customer_saving"] = today["customer_cost"] - table["customer_cost"]
    table["customer_saving_pct"] = table["customer_saving"] / today["customer_cost"] * 100
    table["margin_change"] = table["our_margin"] - today["our_margin"]
    if "contract_years" in vi.gaps:
        notes.append("Contract totals are not shown: contract_years is not given.")
    return UnitPricePressure(vi, a, table, None, notes)

