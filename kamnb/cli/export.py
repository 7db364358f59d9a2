"""``kamnb export``: the workbook's current state (sheets and workshop journal) written back to sheets.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kamnb.cli.codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from kamnb.common.files import disk_message
from kamnb.errors import KamnbError
from kamnb.workbook.export import export


def cmd_export(args: argparse.Namespace) -> int:
    """Run ``kamnb export`` from parsed arguments; return the exit code (0 ok, 1 error, 2 usage).

    Example:
        >>> from kamnb.cli import build_parser
        >>> cmd_export(build_parser().parse_args(["export", "data/sample", "--out", str(tmp / "sample-export")]))
        current state written to .../sample-export
        0
    """
    path = Path(args.workbook)
    if not path.exists():
        print(f"kamnb export: no workbook at {path}", file=sys.stderr)
        return EXIT_USAGE
    try:
        target, backup = export(path, args.out, xlsx=args.xlsx, in_place=args.in_place)
    except KamnbError as err:
        print(f"kamnb export: {err}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as err:  # full disk, read-only folder: nothing half-written is left behind
        where = args.out or (path if args.in_place else "the export folder")
        print(f"kamnb export: {disk_message(err, where)}; the workbook is unchanged and nothing was written", file=sys.stderr)
        return EXIT_FAILED
    if backup is not None:
        print(f"originals and journal backed up to {backup}")
    print(f"current state written to {target}")
    return EXIT_OK


def add_command(sub: argparse._SubParsersAction) -> None:
    """Register ``kamnb export``.

    Example:
        >>> import argparse
        >>> sub = argparse.ArgumentParser(prog="kamnb").add_subparsers()
        >>> add_command(sub)
        >>> "export" in sub.choices
        True
    """
    p = sub.add_parser(
        "export",
        help="write the current state (sheets + workshop answers) back out as CSV or .xlsx",
        description="Write the sheets with every workshop answer from the journal applied. Copies by default; the originals change only with --in-place, after a backup.",
        epilog="Example: kamnb export data/sample --out /tmp/sample-now --xlsx",
    )
    from kamnb.cli.arguments import workbook_path

    p.add_argument("workbook", type=workbook_path, help="workbook folder of CSV files, or an .xlsx file")
    p.add_argument("--out", default=None, help="folder (or .xlsx file with --xlsx) to write to; default: beside the workbook, dated")
    p.add_argument("--xlsx", action="store_true", help="write one .xlsx file with a tab per sheet instead of CSV files")
    p.add_argument("--in-place", action="store_true", help="overwrite the original sheets (after copying them and the journal to a dated backup)")
    p.set_defaults(func=cmd_export)

