"""The second real layout: a Salesforce data export, imported end to end with the shipped mapping."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from salesforce_export import ACCOUNTS, CONTACTS, OPPORTUNITIES, sf_id, write_salesforce_export

from kamnb.cli import main
from kamnb.crm.build import import_crm
from kamnb.plots.orgchart import org_chart
from kamnb.relationships.orgchart import org_layout
from kamnb.whitespace import account_map
from kamnb.workbook import load_workbook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_salesforce_export(tmp_path / "sf")


def test_import_validate_and_read(export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb_dir = tmp_path / "wb"
    assert main(["import-crm", str(export), "--out", str(wb_dir), "--mapping", "salesforce"]) == 0
    assert main(["validate", str(wb_dir)]) == 0
    assert "valid (0 warning(s))" in capsys.readouterr().out
    wb = load_workbook(wb_dir)
    acc = wb.accounts
    # Accounts by name, parents through ParentId, revenue from the Closed Won amounts of the 12 months to the newest close.
    assert list(acc.index) == ["globex-corporation", "globex-europe-gmbh", "initech", "umbrella-health"]
    assert acc.at["globex-europe-gmbh", "parent_id"] == "globex-corporation"
    assert acc.at["globex-corporation", "revenue_12m"] == 120000 + 45000
    assert acc.at["umbrella-health", "revenue_prev_12m"] == 70000
    assert acc.at["globex-corporation", "account_manager"] == "Alan Turing"
    assert acc.at["globex-corporation", "account_team"] == "Alan Turing; Grace Hopper (sales manager)"
    # Open deals carry the product of their largest line item; the one without an amount is set aside.
    opps = wb.opportunities
    assert sorted(opps["stage"]) == ["negotiation", "proposal", "qualifying"]
    assert opps.loc[sf_id("006", 4), "name"] == "Analytics Cloud" and opps.loc[sf_id("006", 4), "kind"] == "grow"
    aside = pd.read_csv(wb_dir / "set_aside.csv")
    assert aside["reason"].tolist() == ["open deal with no amount and no list price"]
    # Contacts became stakeholders with their reporting lines (ReportsToId); judgements stay empty.
    st = wb.stakeholders
    assert len(st) == len(CONTACTS)
    assert st.at[sf_id("003", 2), "reports_to"] == sf_id("003", 1)
    assert st.at[sf_id("003", 2), "contact_owner"] == "Alan Turing"
    assert st.at[sf_id("003", 8), "reports_to"] == ""  # reported to a contact at another account: cleared
    assert st["influence"].isna().all() and st["support"].isna().all()
    lay = org_layout(wb, "globex-corporation")
    assert lay["depth"].to_dict() == {sf_id("003", 1): 0, sf_id("003", 2): 1, sf_id("003", 3): 2, sf_id("003", 4): 1}
    texts = [t.get_text() for t in org_chart(wb, "globex-corporation").axes[0].texts]
    assert "not judged yet · not reached" in texts  # Lenny Leonard: no owner on our side
    # Whitespace from the deal history: won, lost and never offered per product.
    cells = account_map(wb, "globex-corporation").set_index("offering")["status"].to_dict()
    assert cells == {"Analytics Cloud": "bought", "Data Migration": "not_offered", "Field Service": "lost", "Premier Support": "bought"}
    report = (wb_dir / "import_report.md").read_text()
    assert "Layout: Salesforce data export (mapping `kamnb/defaults/crm_salesforce.yaml`)" in report
    assert "8 contact(s) became stakeholders, 4 with a reporting line" in report


def test_the_mapping_ships_and_reads_its_own_fields(export: Path, tmp_path: Path) -> None:
    res = import_crm(export, tmp_path / "wb", "salesforce")
    assert res.mapping.column("contacts", "reports_to") == "ReportsToId"
    assert res.input_rows == {"Account.csv": len(ACCOUNTS), "Opportunity.csv": len(OPPORTUNITIES), "Product2.csv": 4, "User.csv": 3,
                              "OpportunityLineItem.csv": len(OPPORTUNITIES) + 1, "Contact.csv": len(CONTACTS)}
    assert res.feed["conversion"]["initech"] == round((1 + 4 * 0.75) / (2 + 4), 3)


@pytest.mark.slow
def test_salesforce_export_all_the_way_to_the_reviews(export: Path, tmp_path: Path) -> None:
    wb, out = tmp_path / "wb", tmp_path / "reports"
    run = lambda *a: subprocess.run([sys.executable, "-m", "kamnb", *a], capture_output=True, text=True, cwd=ROOT)  # noqa: E731
    assert run("import-crm", str(export), "--out", str(wb), "--mapping", "salesforce").returncode == 0
    res = run("batch", str(wb), "--out", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    page = (out / "accounts" / "globex-corporation.html").read_text(encoding="utf-8")
    assert "Buying organisation: Globex Corporation" in page
    assert "Whitespace: Globex Corporation" in page
    assert "Key status rests on computed figures." in page
