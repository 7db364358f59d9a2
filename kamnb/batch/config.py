"""What a batch run is given: its configuration, one task per account, safe file names, checksums.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kamnb.errors import BatchError  # noqa: E402
from kamnb.paths import PACKAGE

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10)), "index", "manifest"}




@dataclass(frozen=True)
class BatchConfig:
    """Everything a worker needs; small and picklable (it travels to every worker).

    Example:
        >>> config = BatchConfig("/data/sample", "/reports/sample", ("/notebooks/01_classification.ipynb",))
        >>> config.kernel_name, config.isolation
        ('python3', 'warm')
    """

    workbook: str
    out: str
    notebooks: tuple[str, ...]
    kernel_name: str = "python3"
    timeout: float = 300.0
    retries: int = 1
    isolation: str = "warm"
    preload: tuple[str, ...] = ()
    pdf: str = ""
    generated: str = ""
    as_of: str = ""
    paper: str = "A4"
    portfolio_notebook: str = ""  # the portfolio review's notebook, run once per batch ('' for none)
    accounts: int = 0  # accounts in the batch, as the portfolio review's subtitle counts them

    @property
    def key(self) -> str:
        return hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Task:
    """One account to review: its id, display name and the safe file name of its outputs.

    The batch's one other task, the portfolio review (:data:`PORTFOLIO_TASK`,
    ``kind="portfolio"``), runs on a worker like an account, before them.

    Example:
        >>> Task(account_id="ACC-001", name="Nordlicht Logistics", file="ACC-001").file
        'ACC-001'
        >>> PORTFOLIO_TASK.label
        'the portfolio review'
    """

    account_id: str
    name: str
    file: str
    kind: str = "account"

    @property
    def label(self) -> str:
        """How the batch names the task when it fails: the account id, or "the portfolio review"."""
        return "the portfolio review" if self.kind == "portfolio" else self.account_id


PORTFOLIO_TASK = Task(account_id="", name="Portfolio review", file="portfolio", kind="portfolio")
"""The portfolio notebook's run (``BatchConfig.portfolio_notebook``), queued first, on a worker's warm kernel."""


def safe_names(account_ids: Sequence[str]) -> dict[str, str]:
    """A safe, unique, stable file name (without extension) for every account id.

    Only letters, digits, ``.``, ``_`` and ``-`` survive; an id that had to be
    changed, that is a reserved name, or that would clash with another id
    (also ignoring case) gets a short hash of the original id appended. The
    name never starts with a dot, so nothing can point outside the folder.

    >>> names = safe_names(["ACC-001", "ACC-002", "../../etc/passwd", "<script>alert(1)</script>", "acc-002"])
    >>> names["ACC-001"], names["../../etc/passwd"], names["<script>alert(1)</script>"]
    ('ACC-001', 'etc_passwd-936d7c04', 'script_alert_1_script-d5f93694')
    >>> names["ACC-002"] != names["acc-002"]
    True
    """
    base: dict[str, str] = {}
    for ident in account_ids:
        slug = _SAFE.sub("_", ident).strip("._-")[:60] or "account"
        changed = slug != ident or slug.lower() in _RESERVED
        base[ident] = slug if not changed else f"{slug}-{hashlib.sha1(ident.encode('utf-8')).hexdigest()[:8]}"
    counts: dict[str, int] = {}
    for name in base.values():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    out = {}
    for ident, name in base.items():
        if counts[name.lower()] > 1:
            name = f"{name}-{hashlib.sha1(ident.encode('utf-8')).hexdigest()[:8]}"
        out[ident] = name
    return out


def generated_stamp() -> str:
    """When the reports are generated, in UTC; ``SOURCE_DATE_EPOCH`` fixes it for reproducible builds.

    Example:
        >>> generated_stamp()  # doctest: +SKIP
        '2026-11-23 13:39 UTC'
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch and epoch.isdigit() else dt.datetime.now(dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or None.

    Example:
        >>> find_chromium()  # doctest: +SKIP
        '/usr/bin/chromium'
    """
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def batch_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The ``batch:`` section of the settings with defaults filled in.

    Example:
        >>> batch_settings({})["timeout"]
        300.0
    """
    section = settings.get("batch") or {}
    if not isinstance(section, dict):
        raise BatchError("settings.yaml: 'batch:' must be a mapping (notebooks, timeout, retries, ...)")
    return {
        "notebooks": list(section.get("notebooks") or []),
        "portfolio_notebook": section.get("portfolio_notebook", "portfolio.ipynb") or "",
        "notebook_dir": section.get("notebook_dir") or "notebooks",
        "timeout": float(section.get("timeout") or 300),
        "retries": int(section.get("retries", 1) if section.get("retries") is not None else 1),
        "isolation": str(section.get("isolation") or "warm"),
        "kernel": str(section.get("kernel") or "python3"),
        "preload": list(section.get("preload") or []),
    }


def resolve_notebooks(names: Sequence[str], notebook_dir: str | Path, workbook: Path) -> list[Path]:
    """Absolute paths of the configured notebooks; :class:`BatchError` naming every one that is missing.

    A relative ``notebook_dir`` is looked for in the current folder, beside the
    workbook and in the project folder kamnb is installed from.

    Example:
        >>> resolve_notebooks(["01_classification.ipynb"], "notebooks", Path("data/sample"))[0].name
        '01_classification.ipynb'
    """
    if not names:
        raise BatchError("no notebooks to run: list them under 'batch: notebooks:' in settings.yaml (or pass --notebook)")
    folder = Path(notebook_dir)
    candidates = [folder] if folder.is_absolute() else [
        Path.cwd() / folder,
        (workbook if workbook.is_dir() else workbook.parent) / folder,
        PACKAGE / folder,
    ]
    missing: list[str] = []
    for base in candidates:
        paths = [(base / n).resolve() for n in names]
        missing = [str(p) for p in paths if not p.is_file()]
        if not missing:
            return paths
    where = ", ".join(str(c) for c in candidates)
    raise BatchError(f"configured notebook(s) not found: {', '.join(names)} (looked in {where}; missing e.g. {missing[0]})")


def workbook_checksum(path: Path) -> str:
    """SHA-256 over the workbook's files (CSV/XLSX, its YAML banks and the workshop journal).

    Example:
        >>> workbook_checksum(Path("data/sample"))[:12]  # doctest: +SKIP
        'b795f30adcac'
    """
    digest = hashlib.sha256()
    if path.is_file():
        files = [path] + [path.parent / n for n in ("settings.yaml", "questions.yaml", "indicators.yaml") if (path.parent / n).exists()]
        journal = path.with_suffix(".journal.sqlite")
        files += [journal] if journal.exists() else []
    else:
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".yaml", ".yml", ".xlsx", ".sqlite"))
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def file_checksum(path: Path) -> str:
    """SHA-256 of one file's bytes, as hex.

    Example:
        >>> len(file_checksum(Path("data/sample/accounts.csv")))
        64
    """
    return hashlib.sha256(path.read_bytes()).hexdigest()

