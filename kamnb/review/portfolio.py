"""The portfolio review: one notebook about the whole portfolio, run once per batch.

``notebooks/portfolio.ipynb`` (parameters ``workbook`` and ``reviews``, the
folder of the account reviews as seen from the page) shows what is the same
for every account and so has no place in an account's review: the Pareto
split, the seven definitions across accounts and where they disagree,
partnership, the matrix with movement, tiers with recommendations, groups,
red flags across accounts, the account list and the question bank. The batch
runs it with papermill on a worker, before the accounts (:func:`run_portfolio_review`), and
writes ``portfolio.html`` (linked first from ``index.html``) and
``notebooks/portfolio.ipynb``.

Tables here have at most :data:`TOP` rows with the total stated, so the page
stays readable for 3,000 accounts; ``portfolio.csv`` and the sortable table
of ``index.html`` hold every account.

Example:
    >>> import pandas as pd
    >>> t = top(pd.DataFrame({"account": [f"A{i}" for i in range(60)]}), what="accounts")
    >>> len(t.rows), t.note
    (40, 'Showing 40 of 60 accounts; every account is in the account table of index.html and in portfolio.csv.')
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd

from kamnb.common.people import PeopleTable, people_table

TOP = 40
"""Rows a portfolio table shows at most; the total is stated under it."""

NOTEBOOK = "portfolio.ipynb"
REST = "every account is in the account table of index.html and in portfolio.csv"


def top(frame: pd.DataFrame, n: int = TOP, *, what: str = "accounts", index: bool = False, empty: str = "No account to show.") -> PeopleTable:
    """The first ``n`` rows of a portfolio table, for people, with "Showing n of N" under it.

    Example:
        >>> top(pd.DataFrame(), empty="No group: no account has a parent_id.").empty
        'No group: no account has a parent_id.'
    """
    return people_table(frame, limit=n, what=what, rest=REST, index=index, empty=empty)


def red_flags_across(wb: Any, n: int = TOP) -> PeopleTable:
    """Every red-flag rule that fires somewhere: its severity, how many accounts, the largest ones by revenue.

    Example:
        >>> red_flags_across(wb).headers
        ['Red flag', 'Severity', 'Accounts', 'Largest accounts concerned']
    """
    from kamnb.relationships.redflags import RED_FLAGS, red_flags

    found = red_flags(wb)
    if found.empty:
        return people_table(found, empty="No red-flag rule fires for any account (the rules read the stakeholders and relationship sheets).")
    revenue = wb.accounts["revenue_12m"]
    names = wb.accounts["name"]
    rows = []
    for flag, g in found.groupby("flag", sort=False):
        ids = list(dict.fromkeys(g["account_id"]))
        largest = sorted(ids, key=lambda a: -float(revenue.get(a, 0) or 0))[:3]
        rows.append({"flag": RED_FLAGS[flag].title if flag in RED_FLAGS else str(flag), "severity": str(g["severity"].iloc[0]),
                     "accounts": len(ids), "largest": ", ".join(str(names.get(a, a)) for a in largest) + (" …" if len(ids) > 3 else "")})
    frame = pd.DataFrame(rows)
    order = {"high": 0, "medium": 1, "low": 2}
    frame = frame.assign(_s=frame["severity"].map(order)).sort_values(["_s", "accounts"], ascending=[True, False], kind="stable").drop(columns="_s")
    return people_table(frame, limit=n, what="rules", labels={"accounts": "Accounts", "largest": "Largest accounts concerned"})


def account_list(wb: Any, result: pd.DataFrame, reviews: str = "accounts", n: int = TOP) -> PeopleTable:
    """The accounts by tier and revenue: tier, key score, revenue, quadrant, partnership, manager.

    Example:
        >>> from kamnb.classification.score import classify
        >>> account_list(wb, classify(wb)).headers[:2]
        ['Account', 'Tier']
    """
    from kamnb.batch.portfolio import sort_accounts
    from kamnb.classification.score import classification_settings

    names = classification_settings(wb.settings)["tiers"]["names"]
    frame = sort_accounts(result.assign(tier=result["tier"].astype(str)))
    table = pd.DataFrame(
        {
            "account": frame["name"].astype(str),
            "tier": [names.get(t, t) for t in frame["tier"]],
            "key_score": frame["key_score"],
            "revenue_12m": frame["revenue_12m"],
            "quadrant": frame["quadrant"].astype(str),
            "partnership": frame["partnership"].astype(str),
            "account_manager": wb.accounts["account_manager"].reindex(frame.index).fillna("").astype(str),
        },
        index=frame.index,
    )
    return people_table(table, limit=n, what="accounts", rest=REST, currency=wb.settings.get("currency", "EUR"))


def page_texts(as_of: str, workbook: str, generated: str, accounts: int) -> dict[str, str]:
    """Title, subtitle and footer of the portfolio review page."""
    from kamnb import __version__

    return {
        "title": "Portfolio review",
        "subtitle": f"{accounts:,} account{'s' if accounts != 1 else ''}, workbook {workbook}" + (f", as of {as_of}" if as_of else ""),
        "generated": generated,
        "footer": f"kamnb {__version__}, workbook {workbook}.",
    }


def run_portfolio_review(notebook: Path, workbook: str, out: Path, *, kernel: Any = None, exporter: Any = None,
                         kernel_name: str = "python3", timeout: float = 600, as_of: str = "", generated: str = "",
                         accounts: int = 0) -> dict[str, Any]:
    """Execute the portfolio notebook with papermill and write ``portfolio.html`` and ``notebooks/portfolio.ipynb``.

    A batch runs it on a worker, in the worker's warm ``kernel`` with its
    ``exporter`` (:meth:`kamnb.batch.runner.AccountRunner.portfolio`); without
    them a fresh kernel is started for it and closed after.

    Returns ``{"status": "ok" | "failed", "outputs": {...}, "error": "...", "seconds": ...}``; never raises for the
    notebook's own failure (the account reviews are written either way).

    Example:
        >>> run_portfolio_review(Path("notebooks/portfolio.ipynb"), "data/sample", tmp)["status"]  # doctest: +SKIP
        'ok'
    """
    import nbformat

    from kamnb.batch.report import ReviewExporter
    from kamnb.common.files import write_atomic

    started = time.monotonic()
    result: dict[str, Any] = {"status": "failed", "outputs": {}}
    try:
        from kamnb.batch.engine import WarmKernel

        own = kernel is None
        if own:  # IPC sockets, its output kept off the terminal
            kernel = WarmKernel(kernel_name, cwd=notebook.parent, fresh=True)
        try:
            nb = kernel.execute(notebook, {"workbook": workbook, "reviews": "accounts"}, timeout=timeout, source=str(notebook))
        finally:
            if own:
                kernel.close()
        nb.metadata.pop("papermill", None)
        for cell in nb.cells:
            cell.metadata.pop("papermill", None)
            cell.metadata.get("execution", {}).clear()
            if "injected-parameters" in cell.metadata.get("tags", []):  # papermill's id for it is random: the same run, the same page
                cell["id"] = "injected-parameters"
        text = nbformat.writes(nb)
        write_atomic(out / "notebooks" / NOTEBOOK, text)
        result["outputs"]["notebook"] = f"notebooks/{NOTEBOOK}"
        page = (exporter or ReviewExporter()).export(nb, **page_texts(as_of, Path(workbook).name, generated, accounts))
        write_atomic(out / "portfolio.html", page)
        result["outputs"]["html"] = "portfolio.html"
        result["status"] = "ok"
    except Exception as err:  # the notebook failed or could not run: say so in the index, keep the reviews
        ename = getattr(err, "ename", type(err).__name__)
        evalue = getattr(err, "evalue", str(err))
        result["error"] = f"{ename}: {evalue}"
    result["seconds"] = round(time.monotonic() - started, 3)
    return result
