"""A review of the account from the room, written by the batch.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from kamnb.errors import WorkshopError
from kamnb.workshop.session import WorkshopSession


def review_dir(workbook: Path) -> Path:
    """Where the workshop writes reviews: ``reports/<workbook name>-workshop`` beside the workbook.

    Example:
        >>> review_dir(Path("data/sample"))
        PosixPath('data/reports/sample-workshop')
    """
    return workbook.parent / "reports" / f"{workbook.stem}-workshop"


def review_command(session: WorkshopSession, account_id: str, out_dir: Path | None = None) -> tuple[list[str], Path]:
    """The batch command that writes one account's review, and the folder it writes to.

    Example:
        >>> cmd, out = review_command(session, "ACC-001")  # doctest: +SKIP
        >>> cmd[-4:]  # doctest: +SKIP
        ['ACC-001', '--workers', '1', '--quiet']
    """
    out = Path(out_dir) if out_dir is not None else review_dir(session.path)
    cmd = [sys.executable, "-m", "kamnb", "batch", str(session.path), "--out", str(out), "--accounts", account_id, "--workers", "1", "--quiet"]
    return cmd, out


def review_result(out: Path, account_id: str, returncode: int, stderr: str) -> Path:
    """The HTML page the batch wrote for ``account_id`` (from its manifest), or :class:`WorkshopError` saying why not.

    Example:
        >>> review_result(Path("data/reports/sample-workshop"), "ACC-001", 0, "").name  # doctest: +SKIP
        'ACC-001.html'
    """
    import json

    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    entry: dict[str, Any] = next((a for a in manifest.get("accounts", []) if a.get("account_id") == account_id), {})
    html = entry.get("outputs", {}).get("html")
    if returncode != 0 or not html:
        detail = stderr.strip().splitlines()[-1:] or [f"exit code {returncode}"]
        raise WorkshopError(f"the batch could not write the review of {account_id}: {detail[0]}")
    return out / html



