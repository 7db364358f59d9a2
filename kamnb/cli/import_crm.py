"""``kamnb import-crm``: a workbook folder from a CRM export.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from kamnb.cli.codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from kamnb.common.files import disk_message
from kamnb.crm.build import import_crm
from kamnb.crm.result import REPORT_NAME
from kamnb.errors import KamnbError


def cmd_import_crm(args: argparse.Namespace) -> int:
    """Run ``kamnb import-crm`` from parsed arguments; return the exit code (0 ok, 1 error, 2 usage).

    Example:
        >>> from kamnb.cli import build_parser
        >>> cmd_import_crm(build_parser().parse_args(["import-crm", "data/crm-example", "--out", str(tmp / "imported")]))
        /.../imported: 12 accounts, 39 open opportunities, as of 2026-10-05 (newest close date in the export), currency USD
        ...
        0
    """
    export = Path(args.export)
    if not export.is_dir():
        print(f"kamnb import-crm: no export folder at {export}", file=sys.stderr)
        return EXIT_USAGE
    from kamnb.crm.mapping import builtin_mapping

    if args.mapping and not Path(args.mapping).is_file() and builtin_mapping(args.mapping) is None:
        print(f"kamnb import-crm: no mapping file at {args.mapping}", file=sys.stderr)
        return EXIT_USAGE
    try:
        res = import_crm(export, args.out, args.mapping, force=args.force)
    except KamnbError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as err:  # full disk, read-only folder: the workbook folder is left as it was
        print(f"error: {disk_message(err, args.out)}; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    aside = res.set_aside.groupby("reason").size() if len(res.set_aside) else pd.Series(dtype=int)
    print(f"{res.out}: {len(res.accounts)} accounts, {len(res.opportunities)} open opportunities, "
          f"as of {res.as_of.date()} (newest close date in the export), currency {res.mapping.currency}")
    print(f"  {int(res.fixes['rows'].sum()) if len(res.fixes) else 0} cell(s) fixed in {len(res.fixes)} fix(es); "
          f"{len(res.set_aside)} row(s) set aside")
    for reason, c in aside.items():
        print(f"    {c:>8,}  {reason}")
    print(f"  report: {Path(args.out) / REPORT_NAME}")
    print(f"  next: kamnb validate {res.out}")
    return EXIT_OK


def add_command(sub: argparse._SubParsersAction) -> None:
    """Register ``kamnb import-crm`` on the CLI's sub-command parser.

    Example:
        >>> import argparse
        >>> sub = argparse.ArgumentParser(prog="kamnb").add_subparsers()
        >>> add_command(sub)
        >>> "import-crm" in sub.choices
        True
    """
    p = sub.add_parser(
        "import-crm",
        help="turn a CRM export (accounts, opportunities, products, teams) into a workbook",
        description="Read a CRM export folder, clean it, derive revenue, pipeline and account managers from the deal history, "
        "and write a workbook folder plus import_report.md. The Maven CRM layout needs no mapping; other CRMs need a "
        "YAML mapping file (see kamnb/defaults/crm_maven.yaml). Exit 0 ok, 1 the export could not be imported, 2 usage.",
        epilog="Example: kamnb import-crm exports/crm-2026-01 --out workbooks/crm",
    )
    p.add_argument("export", metavar="EXPORT_DIR", help="folder holding the CRM's CSV files (only read)")
    p.add_argument("--out", required=True, metavar="WORKBOOK", help="workbook folder to write")
    p.add_argument("--mapping", metavar="FILE", help="YAML mapping for a layout other than Maven's, or the name of a shipped one: salesforce")
    p.add_argument("--force", action="store_true", help="write into a folder that holds other files")
    p.set_defaults(func=cmd_import_crm)

