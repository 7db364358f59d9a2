"""``kamnb batch``: every account's review, one command, on one machine or a Dask cluster.

Example:
    $ kamnb batch data/sample --out reports/sample
    $ kamnb batch data/sample --out reports/sample --accounts ACC-001,ACC-002 --workers 2
    $ kamnb batch data/sample --out reports/sample --resume --scheduler tcp://10.0.0.5:8786
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kamnb.batch.run import RunOptions, run_batch
from kamnb.batch.runner import close_runners


def cmd_batch(args: argparse.Namespace) -> int:
    """Run ``kamnb batch`` from parsed arguments; return the exit code.

    Example:
        >>> from kamnb.cli import build_parser  # doctest: +SKIP
        >>> cmd_batch(build_parser().parse_args(["batch", "data/sample", "--out", "reviews"]))  # doctest: +SKIP
        0
    """
    opts = RunOptions(
        workbook=Path(args.workbook),
        out=Path(args.out),
        accounts=[a.strip() for a in args.accounts.split(",") if a.strip()] if args.accounts else None,
        key_only=args.key_only,
        workers=args.workers or 0,
        scheduler=args.scheduler or "",
        wait=args.wait,
        resume=args.resume,
        pdf=args.pdf,
        quiet=args.quiet,
        notebooks=args.notebook or [],
        notebook_dir=args.notebook_dir or "",
        timeout=args.timeout,
        isolation=args.isolation or "",
    )
    try:
        return run_batch(opts)
    finally:
        close_runners()


def add_command(sub: Any) -> None:
    """Register ``kamnb batch`` with the CLI's sub-parsers.

    Example:
        >>> import argparse
        >>> sub = argparse.ArgumentParser(prog="kamnb").add_subparsers()
        >>> add_command(sub)
        >>> "batch" in sub.choices
        True
    """
    p = sub.add_parser(
        "batch",
        help="write every account's review (HTML), the portfolio index and a manifest",
        description="Run the step notebooks for every account (papermill, warm kernels) and write DIR/accounts/*.html, "
        "DIR/notebooks/*.ipynb, DIR/index.html, DIR/portfolio.csv/.xlsx and DIR/manifest.json. "
        "Exit 0 all done, 1 some account failed, 2 usage error, 130 interrupted.",
        epilog="Example: kamnb batch data/sample --out reports/sample --workers 2",
    )
    from kamnb.cli.arguments import positive_int, seconds, workbook_path

    p.add_argument("workbook", type=workbook_path, help="workbook folder of CSV files, or an .xlsx file")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the reports (created if missing)")
    p.add_argument("--accounts", metavar="ID,ID", help="only these accounts (comma separated)")
    p.add_argument("--key-only", action="store_true", help="only the key accounts (by the classification)")
    p.add_argument("--workers", type=positive_int, metavar="N", help="local worker processes (default: the machine's cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--wait", type=seconds, metavar="SECONDS", default=600.0,
                   help="with --scheduler: give up after this long without any Dask worker connected (default 600; 0: no limit)")
    p.add_argument("--resume", action="store_true", help="redo only accounts that failed or have no review yet")
    p.add_argument("--pdf", action="store_true", help="also print each review to PDF with headless Chromium")
    p.add_argument("--quiet", action="store_true", help="no progress output (errors still go to stderr)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="stop a cell that runs longer (default from settings: batch.timeout)")
    p.add_argument("--notebook", action="append", metavar="NAME", help="run this notebook instead of the configured list (repeatable)")
    p.add_argument("--notebook-dir", metavar="DIR", help="folder of the notebooks (default from settings: batch.notebook_dir)")
    p.add_argument("--isolation", choices=["warm", "fresh"], help="warm: reuse a reset kernel (fast); fresh: a new kernel per notebook")
    p.set_defaults(func=cmd_batch)

