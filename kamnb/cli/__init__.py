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
from typing import NoReturn

from kamnb import __version__
from kamnb.cli.codes import EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits with 2 already; keep the message short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


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

    # One module per sub-command; each registers its own parser.
    from kamnb.cli import batch, export, import_crm, validate, workshop

    for command in (validate, import_crm, workshop, export, batch):
        command.add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Example:
        >>> main(["validate", "data/sample"])
        data/sample: valid (0 warning(s))
        ...
        0
    """
    from kamnb.common.streams import guard_standard_streams

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
