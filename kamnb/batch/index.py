"""The portfolio page and files a batch writes: index.html, portfolio.csv and portfolio.xlsx.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kamnb import __version__  # noqa: E402
from kamnb.batch.config import BatchConfig
from kamnb.batch.printing import print_pdf  # noqa: E402


def portfolio_figures(wb: Any, ids: list[str]) -> tuple[Any, list[str], list[tuple[str, str]]]:
    """Key figures, notes and charts of the run's accounts (computed while the workers run).

    Example:
        >>> figures, notes, charts = portfolio_figures(wb, ["ACC-001", "ACC-002"])
        >>> [title for title, _ in charts]
        ['Revenue concentration', 'Growth and margin']
    """
    from kamnb.batch.portfolio import charts, key_figures

    figures, notes = key_figures(wb, ids)
    return figures, notes, charts(figures, wb.settings.get("currency", "EUR"))


def write_portfolio(
    wb: Any, out: Path, ids: list[str], results: dict[str, dict[str, Any]], config: BatchConfig,
    prepared: tuple[Any, list[str], list[tuple[str, str]]] | None = None, portfolio_review: dict[str, Any] | None = None,
) -> list[str]:
    """index.html, portfolio.csv and portfolio.xlsx for the accounts of this run; return notes on missing parts.

    Example:
        >>> write_portfolio(wb, tmp, ids, results, config)  # doctest: +SKIP
        []
    """
    from kamnb.batch.portfolio_files import write_portfolio_files
    from kamnb.batch.printing import page_css
    from kamnb.batch.report import render_template
    from kamnb.common.files import write_atomic
    from kamnb.common.formatting import money

    figures, notes, pictures = prepared or portfolio_figures(wb, ids)
    currency = wb.settings.get("currency", "EUR")
    write_portfolio_files(out, figures, {a: results.get(a, {}).get("status", "not run") for a in figures.index}, currency)

    from kamnb.review.portfolio_index import account_rows

    table = account_rows(wb, figures, results, currency)
    failures = [
        {"account_id": r["account_id"], "name": r.get("name", ""), "error": r.get("error", {}), "notebook": r.get("outputs", {}).get("notebook", "")}
        for a in ids if (r := results.get(a)) and r["status"] == "failed"
    ]
    not_run = [a for a in ids if results.get(a, {}).get("status") == "not run"]
    total = figures["revenue_12m"].sum() if len(figures) else 0
    footer = " · ".join(["Key-account portfolio", f"workbook {Path(config.workbook).name}"] + ([f"as of {config.as_of}"] if config.as_of else []))
    from kamnb.batch.portfolio import offering_rows

    try:
        offerings = offering_rows(wb, figures)
    except Exception as err:  # the whitespace view failing must not cost the index
        offerings = []
        notes.append(f"whitespace across the key accounts could not be computed: {type(err).__name__}: {err}")
    from kamnb.classification.basis import basis_warning

    try:
        basis = basis_warning(wb).text()
    except Exception as err:  # the classification failing is reported by its own note
        basis = ""
        notes.append(f"the basis of the key status could not be checked: {type(err).__name__}: {err}")
    page = render_template(
        "portfolio.html.j2",
        page_css=page_css(config.paper, footer),
        offerings=offerings,
        basis_warning=basis,
        title="Key-account portfolio",
        workbook=Path(config.workbook).name,
        as_of=config.as_of,
        generated=config.generated,
        version=__version__,
        table=table,
        script=table["script"],
        portfolio_review=portfolio_review or {},
        failures=failures,
        not_run=not_run,
        charts=pictures,
        notes=notes,
        summary={"accounts": len(ids), "ok": sum(1 for a in ids if results.get(a, {}).get("status") == "ok"),
                 "failed": len(failures), "revenue": money(total, currency)},
    )
    write_atomic(out / "index.html", page)
    if config.pdf:
        printed = [("index.html", "index.pdf")]
        review_page = (portfolio_review or {}).get("outputs", {}).get("html")
        if review_page:
            printed.append((review_page, "portfolio.pdf"))
        for page_name, pdf_name in printed:
            problem = print_pdf(config.pdf, out / page_name, out / pdf_name)
            if problem:
                notes.append(f"{pdf_name} not written: {problem}")
    return notes

