"""``--resume``: which reviews of an earlier run can be kept, read from its manifest.json without trusting it.

The manifest is a file in the output folder: anyone who can write there can
change it. It is used only when it is a kamnb manifest of the same inputs,
and an entry is kept only when it is exactly what this run would write: an
``ok`` review of an account of this run, under its own file name, at
``accounts/<file>.html`` inside the output folder, and present. Anything
else (not JSON, not an object, a link to ``../../etc/passwd``) is ignored
with a warning, and the account runs again; the index never links outside
the output folder.

Example:
    >>> import tempfile, json
    >>> out = Path(tempfile.mkdtemp())
    >>> _ = (out / "manifest.json").write_text("[1, 2]")
    >>> kept, warning = previous_reviews(out, {}, {"A1": "a1"})
    >>> kept, warning
    ({}, 'resuming: manifest.json is not a kamnb manifest (found a list, expected an object); every account runs again')
"""
from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "manifest.json"


def read_manifest(out: Path) -> tuple[dict[str, Any], str]:
    """The manifest of an earlier run in ``out`` and a warning ('' when fine or absent)."""
    path = out / MANIFEST
    if not path.exists():
        return {}, ""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return {}, f"resuming: {MANIFEST} cannot be read ({type(err).__name__}: {err}); every account runs again"
    if not isinstance(doc, dict):
        kind = {list: "a list", str: "a text", int: "a number", float: "a number", bool: "true or false"}.get(type(doc), "something else")
        return {}, f"resuming: {MANIFEST} is not a kamnb manifest (found {kind}, expected an object); every account runs again"
    return doc, ""


def _safe_html(out: Path, html: Any, file: str) -> bool:
    if not isinstance(html, str) or html != f"accounts/{file}.html":
        return False
    rel = PurePosixPath(html)
    if rel.is_absolute() or ".." in rel.parts:
        return False
    target = (out / rel).resolve()
    return target.is_relative_to((out / "accounts").resolve()) and target.is_file()


def previous_reviews(out: Path, inputs: dict[str, Any], files: dict[str, str]) -> tuple[dict[str, dict[str, Any]], str]:
    """Entries of the earlier run to keep, by account id, and a warning for the user ('' when none).

    ``inputs`` are this run's inputs (workbook and notebook checksums): an
    earlier run of other inputs keeps nothing. ``files`` maps this run's
    account ids to their file names.
    """
    before, warning = read_manifest(out)
    if not before:
        return {}, warning
    earlier = before.get("inputs")
    if not isinstance(earlier, dict) or earlier.get("workbook") != inputs.get("workbook") or earlier.get("notebooks") != inputs.get("notebooks"):
        return {}, "resuming: the workbook or the notebooks changed since the last run, so every account runs again"
    entries = before.get("accounts")
    if not isinstance(entries, list):
        return {}, f"resuming: {MANIFEST} lists no accounts (found {type(entries).__name__}); every account runs again"
    kept: dict[str, dict[str, Any]] = {}
    ignored = 0
    for entry in entries:
        if not isinstance(entry, dict):
            ignored += 1
            continue
        account = entry.get("account_id")
        outputs = entry.get("outputs")
        if not isinstance(account, str) or account not in files or entry.get("status") != "ok" or not isinstance(outputs, dict):
            continue
        if entry.get("file") != files[account] or not _safe_html(out, outputs.get("html"), files[account]):
            ignored += 1
            continue
        notebook = outputs.get("notebook")
        safe_outputs = {"html": outputs["html"]}
        if isinstance(notebook, str) and notebook == f"notebooks/{files[account]}.ipynb":
            safe_outputs["notebook"] = notebook
        pdf = outputs.get("pdf")
        if isinstance(pdf, str) and pdf == f"accounts/{files[account]}.pdf":
            safe_outputs["pdf"] = pdf
        kept[account] = {**entry, "outputs": safe_outputs, "resumed": True}
    if ignored:
        warning = f"resuming: {ignored} entr{'y' if ignored == 1 else 'ies'} of {MANIFEST} ignored (not what kamnb writes: a link outside the output folder, another file name or a missing review); those accounts run again"
    return kept, warning
