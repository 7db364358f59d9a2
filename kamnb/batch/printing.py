"""Printing review and portfolio pages to PDF: paper size, running footer, headless Chromium.

The pages carry their own print rules (``templates/review/print.css``): no
forced page breaks (so no blank page), tables that wrap inside the page width
instead of being cut, charts kept whole. :func:`page_css` adds the page box:
the paper size from the settings (``report: paper: A4`` by default, ``letter``
for US Letter) and a footer with the page's name on the left and
"Page 3 of 9" on the right, using the CSS page-margin boxes Chromium prints.

Example:
    >>> "size: A4" in page_css("A4", "Nordlicht Logistics")
    True
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from kamnb.errors import KamnbError

PAPERS = {"a4": "A4", "letter": "letter"}
"""Paper sizes a ``report: paper:`` setting may name (any case)."""


def paper_size(settings: dict[str, Any]) -> str:
    """The paper of printed pages from the ``report:`` settings: 'A4' (default) or 'letter'.

    Example:
        >>> paper_size({}), paper_size({"report": {"paper": "Letter"}})
        ('A4', 'letter')
        >>> paper_size({"report": {"paper": "A3"}})
        Traceback (most recent call last):
        ...
        kamnb.errors.KamnbError: settings.yaml: report.paper is 'A3'; expected A4 or letter
    """
    section = settings.get("report") or {}
    if not isinstance(section, dict):
        raise KamnbError("settings.yaml: 'report:' must be a mapping (paper: A4 or letter)")
    value = section.get("paper") or "A4"
    paper = PAPERS.get(str(value).strip().lower())
    if paper is None:
        raise KamnbError(f"settings.yaml: report.paper is {str(value)!r}; expected A4 or letter")
    return paper


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string in which nothing can end the string, the rule or the style element.

    Letters, digits and spaces stay; every other character becomes a CSS hex escape.

    Example:
        >>> css_string('Acme "</style>" AG')
        '"Acme \\\\22 \\\\3c \\\\2f style\\\\3e \\\\22  AG"'
    """
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch == " "):
            out.append(ch)
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(" ")
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def page_css(paper: str, footer: str) -> str:
    r"""The ``@page`` rules of a page: paper size, margins, footer text on the left, page numbers on the right.

    Example:
        >>> print(page_css("letter", "ACC-001"))  # doctest: +NORMALIZE_WHITESPACE
        @page { size: letter; margin: 14mm 12mm 16mm 12mm;
          @bottom-left { content: "ACC\2d 001"; font: 8pt sans-serif; color: #616e7c; }
          @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #616e7c; } }
    """
    return (
        f"@page {{ size: {paper}; margin: 14mm 12mm 16mm 12mm;\n"
        f"  @bottom-left {{ content: {css_string(footer[:120])}; font: 8pt sans-serif; color: #616e7c; }}\n"
        '  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #616e7c; } }'
    )


def print_pdf(chromium: str, html: Path, pdf: Path, timeout: float = 120) -> str:
    """Print ``html`` to ``pdf`` with headless Chromium (atomically); return '' or what went wrong.

    The page's own ``@page`` rules set the paper and the footer; Chromium's
    header and footer (date, file URL) are switched off.

    Example:
        >>> print_pdf("/usr/bin/chromium", Path("out/ACC-001.html"), Path("out/ACC-001.pdf"))  # doctest: +SKIP
        ''
    """
    from kamnb.common.files import TMP_PREFIX

    profile = tempfile.mkdtemp(prefix="kamnb-chromium-")
    tmp = pdf.with_name(f"{TMP_PREFIX}{pdf.name}.{os.getpid()}.pdf")
    cmd = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-extensions",
        "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage", "--mute-audio",
        f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={tmp}", html.resolve().as_uri(),
    ]
    try:
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, check=False)
        if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            return f"Chromium could not print the PDF (exit {done.returncode}): {done.stderr.decode(errors='replace')[-300:]}"
        os.replace(tmp, pdf)
        return ""
    except subprocess.TimeoutExpired:
        return f"Chromium did not finish printing within {timeout:g} s"
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)
