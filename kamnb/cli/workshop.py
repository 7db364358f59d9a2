"""``kamnb workshop``: the live workshop, served to the room.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kamnb.cli.codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from kamnb.workshop.server import serve


def cmd_workshop(args: argparse.Namespace) -> int:
    """Run ``kamnb workshop``: check the workbook, serve it until stopped; return the exit code.

    Example:
        >>> from kamnb.cli import build_parser  # doctest: +SKIP
        >>> cmd_workshop(build_parser().parse_args(["workshop", "data/sample"]))   # serves until stopped  # doctest: +SKIP
        0
    """
    from kamnb.errors import KamnbError
    from kamnb.workbook import load_workbook

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    path = Path(args.workbook)
    if not path.exists():
        print(f"kamnb workshop: no workbook at {path}", file=sys.stderr)
        return EXIT_USAGE
    try:
        load_workbook(path)
        return serve(path.resolve(), host=args.host, port=args.port, account=args.account, open_browser=not args.no_browser)
    except KamnbError as err:
        print(f"kamnb workshop: {err}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK


def add_command(sub: argparse._SubParsersAction) -> None:
    """Register ``kamnb workshop``.

    Example:
        >>> import argparse
        >>> sub = argparse.ArgumentParser(prog="kamnb").add_subparsers()
        >>> add_command(sub)
        >>> "workshop" in sub.choices
        True
    """
    p = sub.add_parser(
        "workshop",
        help="run the live workshop in the browser (this computer only, or the room's network with --host)",
        description="Serve the workshop: every change is written at once to the journal beside the workbook; every screen shows it within a second. "
        "With --host 0.0.0.0 raters join from their own devices on the room's network.",
        epilog="Example: kamnb workshop data/sample --no-browser",
    )
    from kamnb.cli.arguments import workbook_path

    p.add_argument("workbook", type=workbook_path, help="workbook folder of CSV files, or an .xlsx file")
    p.add_argument("--port", type=int, default=None, help="port to serve on (default: the one of the last run, else a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1, this computer only; 0.0.0.0 for the room's network; the key is always required)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser; just print the address")
    p.add_argument("--account", default=None, help="account id to open first")
    p.set_defaults(func=cmd_workshop)

