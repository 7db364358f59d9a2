"""``kamnb validate``: every problem of a workbook, with file, row and column.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kamnb.cli.arguments import workbook_path
from kamnb.cli.codes import EXIT_FAILED as EXIT_ERRORS
from kamnb.cli.codes import EXIT_OK, EXIT_USAGE
from kamnb.common.formatting import money
from kamnb.workbook import Workbook, check_workbook


def portfolio_summary(wb: Workbook) -> str:
    """A few lines a person reads after validation: counts and the biggest accounts.

    Example:
        >>> print(portfolio_summary(load_workbook("data/sample")))
        30 accounts, 197 stakeholders, 86 opportunities, 847 qualification answers, 414 relationship scores, 76 actions
        revenue last 12 months: €41,245,000
          ACC-001    Nordlicht Logistics                 €11,850,000  28.7%
        ...
    """
    cur = wb.settings.get("currency", "EUR")
    acc = wb.accounts
    total = acc["revenue_12m"].sum()
    lines = [
        f"{len(acc)} accounts, {len(wb.stakeholders)} stakeholders, {len(wb.opportunities)} opportunities, "
        f"{len(wb.qualification)} qualification answers, {len(wb.relationship)} relationship scores, {len(wb.actions)} actions",
        f"revenue last 12 months: {money(total, cur)}",
    ]
    top = acc.sort_index().sort_values("revenue_12m", ascending=False, kind="stable").head(5)
    for _, row in top.iterrows():
        share = row["revenue_12m"] / total * 100 if total else 0.0
        lines.append(f"  {row['account_id']:<10} {row['name'][:32]:<32} {money(row['revenue_12m'], cur):>14}  {share:4.1f}%")
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    """Run ``kamnb validate``: print every problem of a workbook; return 0 clean, 1 errors, 2 usage.

    Example:
        >>> from kamnb.cli import build_parser
        >>> cmd_validate(build_parser().parse_args(["validate", "data/sample"]))
        data/sample: valid (0 warning(s))
        ...
        0
    """
    path = Path(args.workbook)
    if not path.exists():
        print(f"kamnb validate: no workbook at {path}", file=sys.stderr)
        return EXIT_USAGE
    wb, problems = check_workbook(path, journal=not args.no_journal)
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level == "warning"]
    for p in errors:
        print(f"error: {p}")
    for p in warnings:
        print(f"warning: {p}")
    if errors or wb is None:
        print(f"{path}: {len(errors)} error(s), {len(warnings)} warning(s)")
        return EXIT_ERRORS
    print(f"{path}: valid ({len(warnings)} warning(s))")
    if not args.quiet:
        print(portfolio_summary(wb))
    return EXIT_OK



def add_command(sub: argparse._SubParsersAction) -> None:
    """Register ``kamnb validate``."""
    p = sub.add_parser(
        "validate",
        help="check a workbook and report every problem with file, row and column",
        description="Check every sheet, column and cell of a workbook; list all problems in one pass. Exit 0 clean, 1 errors, 2 usage.",
        epilog="Example: kamnb validate data/sample",
    )
    p.add_argument("workbook", type=workbook_path, help="workbook folder of CSV files, or an .xlsx file")
    p.add_argument("--quiet", action="store_true", help="print problems only, no portfolio summary")
    p.add_argument("--no-journal", action="store_true", help="check the sheets alone, without workshop answers from the journal")
    p.set_defaults(func=cmd_validate)

