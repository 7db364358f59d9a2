"""portfolio.csv and portfolio.xlsx: the portfolio's key figures as files a person keeps.

Both files hold the same columns in the same order with the same values, under
one unit convention (documented in docs/batch.md, "Portfolio files"):

* money in whole units of the workbook's currency (rounded to cents in the files);
* every percentage as a fraction: 0.146 means 14.6 % (growth, gross margin,
  revenue share, contact coverage, weighted likelihood). The Excel file shows
  them as % cells; the CSV holds the same fraction. A column that is a
  percentage has no ``_pct`` suffix, because its value is not in points;
* scores (0–100) and ratios as plain numbers; counts and ranks as integers;
* yes/no, never True/False; an empty cell for "no figure".

The CSV keeps machine names (``revenue_12m``) for scripts; the Excel sheet has
the index's human headers with the unit ("Revenue, 12 months (EUR)"), a bold
frozen header row, an autofilter, widths fitted to the content and number
formats in the workbook's currency. Text is written as text, never as a formula.

Example:
    >>> spec = column_spec("growth_pct")
    >>> spec.name, spec.header, spec.kind
    ('growth', 'Growth', 'points')
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kamnb.common import spreadsheet
from kamnb.common.formatting import SYMBOLS


@dataclass(frozen=True)
class Column:
    """One column of the portfolio files: CSV name, Excel header, kind of value.

    ``kind`` is one of text, money, percent (stored as a fraction), points
    (a percentage given in points, turned into a fraction), score, ratio,
    integer, yesno.

    Example:
        >>> Column("revenue_12m", "Revenue, 12 months", "money").kind
        'money'
    """

    name: str
    header: str
    kind: str


# Known columns of the key figures: (source column, CSV name, Excel header, kind).
_KNOWN: dict[str, tuple[str, str, str]] = {
    "account_id": ("account_id", "Account id", "text"),
    "review_status": ("review_status", "Review", "text"),
    "name": ("name", "Account", "text"),
    "industry": ("industry", "Industry", "text"),
    "country": ("country", "Country", "text"),
    "revenue_12m": ("revenue_12m", "Revenue, 12 months", "money"),
    "revenue_prev_12m": ("revenue_prev_12m", "Revenue, previous 12 months", "money"),
    "growth_pct": ("growth", "Growth", "points"),
    "gross_margin_pct": ("gross_margin", "Gross margin", "points"),
    "gross_profit": ("gross_profit", "Gross profit, 12 months", "money"),
    "revenue_share_pct": ("revenue_share", "Share of portfolio revenue", "points"),
    "open_opportunities": ("open_opportunities", "Open opportunities", "integer"),
    "open_pipeline_value": ("open_pipeline_value", "Open pipeline", "money"),
    "tier": ("tier", "Tier", "text"),
    "is_key": ("is_key", "Key account", "yesno"),
    "key_score": ("key_score", "Key score (0–100)", "score"),
    "key_rank": ("key_rank", "Key rank", "integer"),
    "revenue_rank": ("revenue_rank", "Revenue rank", "integer"),
    "revenue_core": ("revenue_core", "In the revenue core (80 %)", "yesno"),
    "profit_core": ("profit_core", "In the profit core (80 %)", "yesno"),
    "contribution": ("contribution", "Contribution after cost to serve", "money"),
    "contribution_core": ("contribution_core", "In the contribution core (80 %)", "yesno"),
    "risk": ("risk", "Signs of risk (retain / defend)", "text"),
    "buy_sell_level": ("buy_sell_level", "Buy-sell hierarchy", "text"),
    "buy_sell_change": ("buy_sell_change", "Buy-sell move since the last assessment", "integer"),
    "partnership": ("partnership", "Partnership", "text"),
    "quadrant": ("quadrant", "Matrix quadrant", "text"),
    "attractiveness": ("attractiveness", "Attractiveness (0–100)", "score"),
    "strength": ("strength", "Our strength (0–100)", "score"),
    "traps": ("traps", "Classification traps", "text"),
    "resource_change": ("resource_change", "Resource change", "text"),
    "opportunities": ("opportunities", "Opportunities", "integer"),
    "pipeline_value": ("pipeline_value", "Pipeline", "money"),
    "factored_value": ("factored_value", "Factored forecast", "money"),
    "factored_retention": ("factored_retention", "Factored forecast, retention", "money"),
    "factored_growth": ("factored_growth", "Factored forecast, growth", "money"),
    "not_qualified_value": ("not_qualified_value", "Not yet qualified", "money"),
    "qualified_out_value": ("qualified_out_value", "Qualified out", "money"),
    "qualified_out_count": ("qualified_out_count", "Opportunities qualified out", "integer"),
    "weighted_likelihood": ("weighted_likelihood", "Weighted likelihood", "percent"),
    "weakest_question": ("weakest_question", "Weakest qualification question", "text"),
    "answers_split": ("answers_split", "Answers the raters split on", "integer"),
    "answer_spread_max": ("answer_spread_max", "Largest answer spread (0–1)", "ratio"),
    "indicators_split": ("indicators_split", "Indicators the raters split on", "integer"),
    "score_spread_max": ("score_spread_max", "Largest indicator spread (points of 1–5)", "score"),
    "relationship_score": ("relationship_score", "Relationship score (0–100)", "score"),
    "relationship_gaps": ("relationship_gaps", "Indicators without evidence", "integer"),
    "contact_coverage": ("contact_coverage", "Contact coverage", "points"),
    "contact_shape": ("contact_shape", "Contact shape", "text"),
    "stakeholders": ("stakeholders", "Stakeholders", "integer"),
    "key_person": ("key_person", "Key person", "text"),
    "dm_on_key_person": ("dm_on_key_person", "Decision-makers on the key person", "integer"),
    "threats": ("threats", "Threats", "integer"),
    "red_flags_high": ("red_flags_high", "Red flags, high", "integer"),
    "red_flags": ("red_flags", "Red flags", "integer"),
    "annual_fees": ("annual_fees", "Annual fees", "money"),
    "value_ratio_low": ("value_ratio_low", "Value ratio, low", "ratio"),
    "value_ratio": ("value_ratio", "Value ratio", "ratio"),
    "value_ratio_high": ("value_ratio_high", "Value ratio, high", "ratio"),
    "goal_ok": ("goal_ok", "Goal checks pass", "yesno"),
    "goal_issues": ("goal_issues", "Goal issues", "text"),
    "open_actions": ("open_actions", "Open actions", "integer"),
    "overdue_actions": ("overdue_actions", "Overdue actions", "integer"),
    "whitespace_value": ("whitespace_value", "Whitespace", "money"),
    "offerings_bought": ("offerings_bought", "Offerings bought", "integer"),
    "top_gap": ("top_gap", "Biggest gap, next step", "text"),
    "flags": ("flags", "Red flags (medium and high)", "text"),
}

_MONEY_WORDS = ("revenue", "value", "profit", "fees", "cost", "price", "amount")

DIGITS = {"money": 2, "percent": 4, "points": 4, "score": 1, "ratio": 2}
"""Decimals kept in the files per kind (the Excel format shows fewer)."""


def column_spec(source: str, dtype: Any = object) -> Column:
    """The file column for a key-figure column: known ones from the table, others by their name and type.

    Example:
        >>> column_spec("overdue_actions")
        Column(name='overdue_actions', header='Overdue actions', kind='integer')
        >>> column_spec("cost_to_serve", float)
        Column(name='cost_to_serve', header='Cost to serve', kind='money')
        >>> column_spec("win_rate_pct", float)
        Column(name='win_rate', header='Win rate', kind='points')
    """
    if source in _KNOWN:
        name, header, kind = _KNOWN[source]
        return Column(name, header, kind)
    header = source.replace("_", " ").strip().capitalize()
    if pd.api.types.is_bool_dtype(dtype):
        return Column(source, header, "yesno")
    if pd.api.types.is_integer_dtype(dtype):
        return Column(source, header, "integer")
    if pd.api.types.is_float_dtype(dtype):
        if source.endswith("_pct"):
            base = source[: -len("_pct")]
            return Column(base, base.replace("_", " ").capitalize(), "points")
        if any(w in source for w in _MONEY_WORDS):
            return Column(source, header, "money")
        return Column(source, header, "score")
    return Column(source, header, "text")


def _missing(value: Any) -> bool:
    try:
        return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def file_value(value: Any, kind: str) -> Any:
    """A key figure as stored in both files: None when missing, else by the unit convention.

    Example:
        >>> file_value(14.634146, "points"), file_value(0.54530, "percent"), file_value(True, "yesno")
        (0.1463, 0.5453, 'yes')
        >>> file_value(float("nan"), "money") is None
        True
    """
    if _missing(value):
        return None
    if kind == "text":
        return str(value)
    if kind == "yesno":
        return "yes" if bool(value) else "no"
    if kind == "integer":
        return int(value)
    number = float(value) / 100 if kind == "points" else float(value)
    number = round(number, DIGITS.get(kind, 4))
    if kind == "money" and number.is_integer():
        return int(number)  # 1250000, not 1250000.0
    return 0.0 if number == 0 else number  # never "-0"


def portfolio_table(figures: pd.DataFrame, status: dict[str, str] | None = None) -> tuple[list[Column], list[list[Any]]]:
    """The columns and rows of the portfolio files: account id, review status, then every key figure.

    Example:
        >>> figures = pd.DataFrame({"name": ["Nordlicht"], "growth_pct": [13.64]}, index=pd.Index(["ACC-001"], name="account_id"))
        >>> columns, rows = portfolio_table(figures, {"ACC-001": "ok"})
        >>> [c.name for c in columns], rows
        (['account_id', 'name', 'review_status', 'growth'], [['ACC-001', 'Nordlicht', 'ok', 0.1364]])
    """
    sources = ["name"] if "name" in figures.columns else []
    sources += [c for c in figures.columns if c != "name"]
    columns = [column_spec("account_id")] + [column_spec(c, figures[c].dtype) for c in sources[:1]]
    if status is not None:
        columns.append(column_spec("review_status"))
    columns += [column_spec(c, figures[c].dtype) for c in sources[1:]]
    kinds = [column_spec(c, figures[c].dtype).kind for c in sources]
    rows: list[list[Any]] = []
    for account, row in zip(figures.index, figures[sources].itertuples(index=False, name=None), strict=True):
        values = [file_value(v, kind) for v, kind in zip(row, kinds, strict=True)]
        if status is not None:
            values.insert(1, status.get(account, "not run"))
        rows.append([str(account), *values])
    return columns, rows


def csv_text(columns: list[Column], rows: list[list[Any]]) -> str:
    """The CSV file: machine names in the header, the values of :func:`portfolio_table`, empty for none.

    A text a spreadsheet would evaluate gets a leading apostrophe
    (:mod:`kamnb.common.spreadsheet`).

    Example:
        >>> csv_text([Column("a", "A", "text"), Column("b", "B", "percent")], [["x", 0.5], ["y", None]])
        'a,b\\nx,0.5\\ny,\\n'
    """
    return spreadsheet.csv_text([c.name for c in columns], rows)


def number_formats(currency: str) -> dict[str, str]:
    """Excel number formats per kind of column, money in the workbook's currency.

    Example:
        >>> number_formats("EUR")["money"]
        '"€"#,##0;-"€"#,##0'
        >>> number_formats("SEK")["money"]
        '#,##0" SEK";-#,##0" SEK"'
    """
    symbol = SYMBOLS.get(currency, "")
    if symbol:
        quoted = '"' + symbol.replace('"', "") + '"'
        money = f"{quoted}#,##0;-{quoted}#,##0"
    else:
        code = '" ' + "".join(ch for ch in currency if ch.isalnum())[:8] + '"'
        money = f"#,##0{code};-#,##0{code}"
    return {"money": money, "percent": "0.0%", "points": "0.0%", "score": "0", "ratio": '0.0"x"', "integer": "0",
            "text": "@", "yesno": "@"}


def _width(value: Any, kind: str, formats: dict[str, str]) -> int:
    if value is None:
        return 0
    if kind in ("money",):
        return len(f"{abs(value):,.0f}") + 3
    if kind in ("percent", "points"):
        return len(f"{value * 100:.1f}") + 2
    if kind in ("score", "ratio"):
        return len(f"{value:.1f}") + 1
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_xlsx(path: Path, columns: list[Column], rows: list[list[Any]], currency: str = "EUR", sheet_name: str = "Portfolio") -> None:
    """Write the Excel file whole or not at all: bold frozen header, autofilter, fitted widths, number formats.

    Example:
        >>> write_xlsx(tmp / "portfolio.xlsx", *portfolio_table(figures), currency="EUR")  # doctest: +SKIP
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    formats = number_formats(currency)
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name
    bold = Font(bold=True)
    for c, col in enumerate(columns, start=1):
        header = col.header + (f" ({currency})" if col.kind == "money" else "")
        cell = spreadsheet.put_cell(sheet, 1, c, header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left" if col.kind in ("text", "yesno") else "right")
    for r, values in enumerate(rows, start=2):
        for c, (value, col) in enumerate(zip(values, columns, strict=True), start=1):
            spreadsheet.put_cell(sheet, r, c, value, formats[col.kind])
    for c, col in enumerate(columns, start=1):
        header = col.header + (f" ({currency})" if col.kind == "money" else "")
        content = max((_width(values[c - 1], col.kind, formats) for values in rows), default=0)
        head = min(len(header), 24) if content < len(header) else len(header)  # long headers wrap onto two lines
        sheet.column_dimensions[get_column_letter(c)].width = max(6, min(60, max(content, head) + 2))
    sheet.freeze_panes = "C2" if len(columns) > 2 and columns[1].name == "name" else "A2"  # header row, id and name
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    sheet.sheet_view.zoomScale = 100
    tmp = path.with_name(f".kamnb-tmp-{path.name}.{os.getpid()}.xlsx")
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_portfolio_files(out: Path, figures: pd.DataFrame, status: dict[str, str], currency: str = "EUR") -> None:
    """portfolio.csv and portfolio.xlsx in ``out``, each written whole or not at all.

    Example:
        >>> write_portfolio_files(tmp, figures, {"ACC-001": "ok"}, "EUR")  # doctest: +SKIP
    """
    from kamnb.common.files import write_atomic

    columns, rows = portfolio_table(figures, status)
    write_atomic(out / "portfolio.csv", csv_text(columns, rows))
    write_xlsx(out / "portfolio.xlsx", columns, rows, currency)
