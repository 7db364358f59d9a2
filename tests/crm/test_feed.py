"""A CRM import feeds the method: whitespace from the deals, conversion from won and lost, the account team, what to judge next."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kamnb.classification.basis import basis_warning, computed_only, definition_basis
from kamnb.cli import main
from kamnb.crm.build import import_crm
from kamnb.crm.feed import PRIOR_DEALS
from kamnb.qualification.activity import basis_table, plan_basis
from kamnb.whitespace import account_map
from kamnb.workbook import check_workbook, load_workbook

MAVEN = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "maven-crm"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MAVEN.is_dir():
        pytest.fail(f"the shared Maven CRM export is missing at {MAVEN}")
    out = tmp_path_factory.mktemp("maven") / "wb"
    import_crm(MAVEN, out)
    return out


def test_whitespace_from_the_deal_history(imported: Path) -> None:
    pipe = pd.read_csv(MAVEN / "sales_pipeline.csv")
    accounts = pd.read_csv(imported / "accounts.csv").set_index("name")["account_id"]
    pipe = pipe[pipe["account"].isin(accounts.index)]
    pipe["product"] = pipe["product"].replace({"GTXPro": "GTX Pro"})
    ws = pd.read_csv(imported / "whitespace.csv", keep_default_na=False)
    products = pd.read_csv(MAVEN / "products.csv")["product"]
    assert len(ws) == len(accounts) * len(products)
    won = pipe[pipe["deal_stage"] == "Won"].groupby("account")["product"].agg(set)
    for name, bought in won.items():
        mine = ws[ws["account_id"] == accounts[name]]
        assert set(mine.loc[mine["status"] == "bought", "offering_id"]) == {p.lower().replace(" ", "-") for p in bought}, name
    # A product an account never dealt in is never offered, with the product's median won deal as potential.
    never = ws[ws["status"] == "not_offered"].iloc[0]
    name = pd.read_csv(imported / "offerings.csv").set_index("offering_id").loc[never["offering_id"], "name"]
    median = pipe[(pipe["deal_stage"] == "Won") & (pipe["product"] == name)]["close_value"].median()
    assert float(never["potential"]) == pytest.approx(median)
    wb = load_workbook(imported)
    cells = account_map(wb, never["account_id"])
    assert set(cells["source"]) == {"whitespace sheet"} and len(cells) == len(products)


def test_conversion_rates_and_the_account_team(imported: Path) -> None:
    wb = load_workbook(imported)
    figures = pd.read_csv(imported / "crm_figures.csv").set_index("account_id")
    base = figures["won_deals"].sum() / (figures["won_deals"].sum() + figures["lost_deals"].sum())
    acc = figures.index[0]
    w, lo = figures.loc[acc, ["won_deals", "lost_deals"]]
    expected = (w + PRIOR_DEALS * base) / (w + lo + PRIOR_DEALS)
    assert plan_basis(wb, acc)["conversion"]["proposal_to_win"] == pytest.approx(expected, abs=0.0005)
    assert "from this account's own won and lost deals" in basis_table(wb, acc).set_index("step").loc["Proposal -> win", "how"]
    pipe = pd.read_csv(MAVEN / "sales_pipeline.csv")
    teams = pd.read_csv(MAVEN / "sales_teams.csv").set_index("sales_agent")["manager"]
    name = wb.accounts.at[acc, "name"]
    agents = pipe[pipe["account"] == name]["sales_agent"].value_counts()
    team = wb.accounts.at[acc, "account_team"].split("; ")
    assert team[0] == wb.accounts.at[acc, "account_manager"]
    assert set(team) == set(agents.index) | {f"{m} (sales manager)" for m in set(teams[agents.index])}


def test_computed_only_warning_and_the_worksheet_read_back(imported: Path, tmp_path: Path) -> None:
    wb = load_workbook(imported)
    only = computed_only(wb)
    judge = pd.read_csv(imported / "to_judge.csv", keep_default_na=False)
    assert list(judge["account_id"]) == sorted(only) or set(judge["account_id"]) == set(only)
    assert len(only) == 30
    first = judge["account_id"].iloc[0]
    assert definition_basis(wb).at[first, "text"] == "judged: none; computed: big"
    text = basis_warning(wb, first).text()
    assert text.startswith("30 of 30 key accounts are key on computed figures alone")
    assert "This account: key on figures alone (judged: none; computed: big)." in text
    # The room fills in the .xlsx; validate reads it back, reports a bad score with its place, and the judgements count.
    book_dir = tmp_path / "wb"
    shutil.copytree(imported, book_dir)
    time.sleep(0.05)
    book = openpyxl.load_workbook(book_dir / "to_judge.xlsx")
    ws = book.active
    head = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, head.index("strategic_fit") + 1, 5)
        ws.cell(r, head.index("growth_potential") + 1, 4)
    ws.cell(2, head.index("responsiveness") + 1, 7)
    book.save(book_dir / "to_judge.xlsx")
    _, problems = check_workbook(book_dir)
    assert [str(p) for p in problems if p.level == "error"] == [
        "to_judge.xlsx [to_judge], row 2, column responsiveness: found '7', expected a score from 1 to 5 (out of range)"]
    assert main(["validate", str(book_dir)]) == 1
    ws.cell(2, head.index("responsiveness") + 1, 4)
    book.save(book_dir / "to_judge.xlsx")
    assert main(["validate", str(book_dir)]) == 0
    judged = load_workbook(book_dir)
    assert judged.accounts.at[first, "strategic_fit"] == 5.0
    assert "strategic" in definition_basis(judged).at[first, "judged"]
    assert basis_warning(judged).text() == ""
