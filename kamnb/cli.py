"""The ``kamnb`` command line.

Exit codes, for every sub-command: 0 success, 1 the work found errors (an
invalid workbook, a failed account), 2 a usage error (bad arguments, a path
that does not exist).

Example:
    $ kamnb validate data/sample
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from kamnb import __version__
from kamnb.formatting import money
from kamnb.workbook import Workbook, check_workbook

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits with 2 already; keep the message short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def workbook_path(text: str) -> str:
    """An argparse type: a workbook folder or .xlsx file that exists, else a usage error (exit 2) from the command's parser.

    Example:
        >>> workbook_path("data/sample")
        'data/sample'
        >>> workbook_path("README.md")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: README.md is not a workbook: expected a folder of CSV files or an .xlsx file
    """
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no workbook at {text}: no such file or folder")
    if path.is_file() and path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text} is not a workbook: expected a folder of CSV files or an .xlsx file")
    return text


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1.

    Example:
        >>> positive_int("2")
        2
        >>> positive_int("0")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: '0' is not a whole number of at least 1
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def seconds(text: str) -> float:
    """An argparse type: a number of seconds, 0 or more.

    Example:
        >>> seconds("30")
        30.0
    """
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def portfolio_summary(wb: Workbook) -> str:
    """A few lines a person reads after validation: counts and the biggest accounts.

    Example:
        >>> print(portfolio_summary(load_workbook("data/sample")))  # doctest: +SKIP
        30 accounts, 197 stakeholders, 79 opportunities, 847 qualification answers, 414 relationship scores, 76 actions
        revenue last 12 months: €41,245,000
          ACC-001    Nordlicht Logistics                 €11,850,000  28.7%
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
        >>> cmd_validate(build_parser().parse_args(["validate", "data/sample"]))  # doctest: +SKIP
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


def build_parser() -> argparse.ArgumentParser:
    """The ``kamnb`` command-line parser with every sub-command registered.

    Example:
        >>> build_parser().parse_args(["validate", "data/sample"]).workbook
        'data/sample'
    """
    parser = _Parser(
        prog="kamnb",
        description="Key-account review workbook: import a CRM export, validate a workbook, write every account's review "
        "and the portfolio index, run a live workshop and export its answers. 'kamnb COMMAND --help' shows a command's "
        "options and an example.",
        epilog="Example: kamnb validate data/sample",
    )
    parser.add_argument("--version", action="version", version=f"kamnb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

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

    # Further sub-commands register themselves here, one line each.
    __import__("kamnb.crm_import", fromlist=["add_command"]).add_command(sub)
    __import__("kamnb.workshop_server", fromlist=["add_command"]).add_command(sub)
    __import__("kamnb.export", fromlist=["add_command"]).add_command(sub)
    __import__("kamnb.batch", fromlist=["add_command"]).add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Example:
        >>> main(["validate", "data/sample"])  # doctest: +SKIP
        data/sample: valid (0 warning(s))
        ...
        0
    """
    from kamnb.streams import guard_standard_streams

    guard_standard_streams()  # a closed pipe stops the printing, not the work: the exit code stays the work's
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # the command's own usage, not the top-level one
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        (sub.choices.get(args.command) or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
