"""CRM import: the real Maven export, a second layout through a mapping file, and the whole way to the batch."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kamnb.cli import main
from kamnb.crm.build import import_crm
from kamnb.crm.mapping import MappingError, load_mapping
from kamnb.crm.read import slug
from kamnb.errors import CrmImportError
from kamnb.workbook import check_workbook, load_workbook

ROOT = Path(__file__).resolve().parents[2]
MAVEN = ROOT.parent / "shared" / "datasets" / "maven-crm"


@pytest.fixture
def maven(tmp_path: Path) -> Path:
    """A writable copy of the shared Maven export (the original is never touched)."""
    if not MAVEN.is_dir():
        pytest.fail(f"the shared Maven CRM export is missing at {MAVEN}")
    dest = tmp_path / "maven"
    dest.mkdir()
    for f in MAVEN.glob("*.csv"):
        shutil.copyfile(f, dest / f.name)
    return dest


def independent_revenue(export: Path) -> tuple[pd.Series, pd.Timestamp]:
    """Revenue per account name over the last 12 months, computed straight from the raw pipeline file."""
    pipe = pd.read_csv(export / "sales_pipeline.csv", parse_dates=["close_date"])
    closed = pipe[pipe["deal_stage"].isin(["Won", "Lost"])]
    as_of = closed["close_date"].max()
    won = pipe[(pipe["deal_stage"] == "Won") & pipe["account"].notna()]
    window = won[(won["close_date"] > as_of - pd.DateOffset(months=12)) & (won["close_date"] <= as_of)]
    return window.groupby("account")["close_value"].sum(), as_of


def reconciliation(report: str) -> dict[str, tuple[int, int]]:
    """From the report: per file, (sum of its reconciliation lines, the total it states)."""
    section = report.split("## Reconciliation")[1].split("\n## ")[0]
    parts: dict[str, int] = {}
    totals: dict[str, int] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != 3 or not re.search(r"\d", cells[2]) or cells[0] == "file":
            continue
        n = int(cells[2].strip("*").replace(",", ""))
        if "total" in cells[1]:
            totals[cells[0]] = n
        else:
            parts[cells[0]] = parts.get(cells[0], 0) + n
    return {f: (parts.get(f, 0), t) for f, t in totals.items()}


def input_rows(report: str) -> dict[str, int]:
    section = report.split("## Input")[1].split("\n## ")[0]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in section.splitlines() if line.startswith("| ")]
    return {r[0]: int(r[1].replace(",", "")) for r in rows[1:]}


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- the Maven export


def test_maven_revenue_matches_an_independent_computation(maven, tmp_path):
    before = digest(maven)
    res = import_crm(maven, tmp_path / "wb")
    assert digest(maven) == before, "the export folder must not change"

    expected, as_of = independent_revenue(maven)
    assert res.as_of == as_of == pd.Timestamp("2017-12-31")
    accounts = pd.read_csv(tmp_path / "wb" / "accounts.csv")
    assert len(accounts) == 85 and accounts["account_id"].is_unique
    got = accounts.set_index("name")["revenue_12m"]
    pd.testing.assert_series_equal(got.sort_index(), expected.reindex(got.index).fillna(0).sort_index(), check_names=False, check_dtype=False)
    assert got.sum() == 10_005_534
    # the export holds no deal closed before 2017-03-01: the 12 months before are unknown, not zero
    assert accounts["revenue_prev_12m"].isna().all()
    settings = (tmp_path / "wb" / "settings.yaml").read_text()
    assert "as_of: 2017-12-31" in settings and "currency: USD" in settings


def test_maven_workbook_loads_with_only_the_stakeholder_warning(maven, tmp_path):
    import_crm(maven, tmp_path / "wb")
    wb, problems = check_workbook(tmp_path / "wb")
    assert wb is not None
    assert [p for p in problems if p.level == "error"] == []
    assert [str(p) for p in problems] == [
        "stakeholders.csv: rows of stakeholders; the sheet has only its header, so that part of the review stays empty"
    ]
    wb = load_workbook(tmp_path / "wb")
    acme = wb.account("acme-corporation")
    assert acme["industry"] == "technology" and acme["parent_id"] == ""
    assert wb.account("bioholding")["country"] == "Philippines"
    assert (wb.accounts["industry"] != "technolgy").all()
    # the judgement columns are there for the workshop, and empty
    assert wb.has_column("accounts", "partner_willingness") and wb.accounts["partner_willingness"].isna().all()
    # subsidiaries point at their parent's id
    subs = wb.accounts[wb.accounts["parent_id"] == "acme-corporation"]
    assert len(subs) == 4
    # open pipeline: Engaging and Prospecting deals with an account
    pipe = pd.read_csv(maven / "sales_pipeline.csv")
    open_ = pipe[pipe["deal_stage"].isin(["Engaging", "Prospecting"]) & pipe["account"].notna()]
    assert len(wb.opportunities) == len(open_) == 664
    assert set(wb.opportunities["stage"]) == {"qualifying", "identified"}
    row = wb.opportunities.loc["0N11U6L3"]  # GTX Plus Basic, open, Acme has bought it before
    assert (row["account_id"], row["kind"], row["value"], row["stage"]) == ("acme-corporation", "grow", 1096.0, "qualifying")


def test_maven_report_lists_fixes_and_counts_add_up(maven, tmp_path):
    res = import_crm(maven, tmp_path / "wb")
    report = (tmp_path / "wb" / "import_report.md").read_text()
    assert "| accounts.csv | sector | `technolgy` | `technology` | 12 |" in report
    assert "| accounts.csv | office_location | `Philipines` | `Philippines` | 1 |" in report
    assert "| sales_pipeline.csv | product | `GTXPro` | `GTX Pro` | 1,480 |" in report
    assert "| sales_pipeline.csv | set aside: no account (kept out of account figures) | 1,425 |" in report
    assert "As of **2017-12-31**" in report
    rows = input_rows(report)
    assert rows == {"accounts.csv": 85, "sales_pipeline.csv": 8800, "products.csv": 7, "sales_teams.csv": 35}
    recon = reconciliation(report)
    assert set(recon) == set(rows)
    for file, (parts, total) in recon.items():
        assert parts == total == rows[file], file
    aside = pd.read_csv(tmp_path / "wb" / "set_aside.csv")
    assert len(aside) == 1425 and set(aside["reason"]) == {"no account (kept out of account figures)"}
    raw = pd.read_csv(maven / "sales_pipeline.csv")
    assert set(aside["id"]) == set(raw.loc[raw["account"].isna(), "opportunity_id"])
    assert res.fixes["rows"].sum() == 12 + 1 + 1480


def test_maven_figures_win_rate_breadth_manager_and_groups(maven, tmp_path):
    import_crm(maven, tmp_path / "wb")
    fig = pd.read_csv(tmp_path / "wb" / "crm_figures.csv").set_index("account_id")
    pipe = pd.read_csv(maven / "sales_pipeline.csv")
    acme = pipe[pipe["account"] == "Acme Corporation"]
    won, lost = (acme["deal_stage"] == "Won").sum(), (acme["deal_stage"] == "Lost").sum()
    assert fig.loc["acme-corporation", ["won_deals", "lost_deals"]].tolist() == [won, lost]
    assert fig.loc["acme-corporation", "win_rate_pct"] == round(won / (won + lost) * 100, 1)
    bought = acme.loc[acme["deal_stage"] == "Won", "product"].str.replace(" ", "").str.lower().nunique()
    assert fig.loc["acme-corporation", "products_bought"] == bought
    assert fig.loc["acme-corporation", "products_in_range"] == 7
    counts = acme.groupby("sales_agent").size().sort_values(ascending=False)
    assert fig.loc["acme-corporation", "account_manager"] == counts.index[0]
    assert fig.loc["acme-corporation", "account_manager_deals"] == counts.iloc[0]
    assert fig.loc["acme-corporation", "regional_office"] in {"Central", "East", "West"}
    accounts = pd.read_csv(maven / "accounts.csv")
    family = ["Acme Corporation", *accounts.loc[accounts["subsidiary_of"] == "Acme Corporation", "account"]]
    expected, _ = independent_revenue(maven)
    assert fig.loc["acme-corporation", "group_revenue_12m"] == expected.reindex(family).fillna(0).sum()
    assert fig.loc["acme-corporation", "subsidiaries"] == 4


# --------------------------------------------------------------------------- rules on a small export


def write_small_maven(folder: Path) -> Path:
    folder.mkdir()
    (folder / "accounts.csv").write_text(
        "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
        "Alpha Group,Retail,2000,10,100,USA,\n"
        "Alpha Shops,retail ,2001,5,50,United States,alpha group\n"
        "Beta,retail,1999,1,10,Germany,Nowhere Inc\n"
        "  beta ,retail,1999,1,10,Germany,\n"
        ",retail,1999,1,10,Germany,\n"
    )
    (folder / "products.csv").write_text("product,series,sales_price\nGTX Pro,GTX,100\nMG Special,MG,10\n")
    (folder / "sales_teams.csv").write_text("sales_agent,manager,regional_office\nAnn,Max,East\nBob,Max,East\n")
    (folder / "sales_pipeline.csv").write_text(
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
        "O1,Ann,GTXPro,Alpha Group,Won,2024-01-01,2024-06-30,120\n"
        "O2,Bob,gtx pro,ALPHA GROUP,Won,2024-01-01,2023-06-30,80\n"   # the 12 months before
        "O3,Bob,MG Special,Alpha Group,Lost,2024-01-01,2024-05-01,0\n"
        "O4,Ann,MG Special,Alpha Group,Engaging,2024-01-01,,\n"     # open, never bought: new, list price
        "O5,Bob,GTX Pro,Alpha Group,Prospecting,2024-01-01,,\n"     # open, bought before: grow
        "O6,Ann,GTX Pro,Alpha Shops,Won,2024-01-01,2024-03-01,50\n"
        "O7,Ann,GTX Pro,,Engaging,2024-01-01,,\n"                   # no account
        "O7,Ann,GTX Pro,Beta,Won,2024-01-01,2024-03-01,999\n"        # duplicate id
        "O8,Ann,GTX Pro,Gamma,Won,2024-01-01,2024-03-01,999\n"       # unknown account
        "O9,Ann,GTX Pro,Beta,On hold,2024-01-01,,\n"                 # unknown stage word
        "O10,Ann,GTX Pro,Beta,Won,2024-01-01,,77\n"                  # won without a close date
        "O11,Ann,Widget,Beta,Engaging,2024-01-01,,\n"                # open, no amount, no price
        "O12,Ann,GTX Pro,Beta,Won,2022-01-01,2022-03-01,40\n"        # won earlier than both windows
        "O13,Bob,GTX Pro,Beta,Lost,2024-01-01,2024-01-05,0\n"
    )
    return folder


def test_small_export_every_rule(tmp_path):
    export = write_small_maven(tmp_path / "small")
    res = import_crm(export, tmp_path / "wb")
    acc = res.accounts.set_index("account_id")
    assert list(acc.index) == ["alpha-group", "alpha-shops", "beta"]
    assert res.as_of == pd.Timestamp("2024-06-30")
    assert acc.loc["alpha-group", "revenue_12m"] == 120 and acc.loc["alpha-group", "revenue_prev_12m"] == 80
    assert acc.loc["alpha-shops", "parent_id"] == "alpha-group"
    assert acc.loc["beta", "parent_id"] == ""  # 'Nowhere Inc' is not an account
    assert set(acc["industry"]) == {"retail"} and set(acc["country"]) == {"United States", "Germany"}
    # Alpha Group: Ann 2 deals (won 120), Bob 3 deals -> Bob
    assert acc.loc["alpha-group", "account_manager"] == "Bob"
    opps = res.opportunities.set_index("opportunity_id")
    assert opps.loc["O4", ["kind", "value", "stage"]].tolist() == ["new", 10.0, "qualifying"]
    assert opps.loc["O5", ["kind", "value", "stage"]].tolist() == ["grow", 100.0, "identified"]
    assert list(opps.index) == ["O4", "O5"]
    assert sorted(zip(res.set_aside["id"], res.set_aside["reason"], strict=True)) == [
        ("", "no account name"),
        ("  beta ", "same account name as an earlier row, ignoring case and spacing (first row kept)"),
        ("O10", "won deal without a readable close date"),
        ("O11", "open deal with no amount and no list price"),
        ("O7", "no account (kept out of account figures)"),
        ("O7", "opportunity id already used on an earlier row"),
        ("O8", "account not in the accounts file"),
        ("O9", "stage word not in the mapping's stages: 'On hold'"),
    ]
    fig = res.figures.set_index("account_id")
    assert fig.loc["alpha-group", "group_revenue_12m"] == 170 and fig.loc["alpha-group", "group_revenue_prev_12m"] == 80
    assert fig.loc["beta", ["won_deals", "lost_deals", "win_rate_pct"]].tolist() == [1, 1, 50.0]
    fixes = {(f.column, f.before, f.after): f.rows for f in res.fixes.itertuples()}
    assert fixes[("product", "GTXPro", "GTX Pro")] == 1 and fixes[("product", "gtx pro", "GTX Pro")] == 1
    assert fixes[("sector", "Retail", "retail")] == 1 and fixes[("sector", "retail ", "retail")] == 1
    assert fixes[("office_location", "USA", "United States")] == 1
    assert fixes[("subsidiary_of", "Nowhere Inc", "")] == 1
    assert fixes[("account", "ALPHA GROUP", "Alpha Group")] == 1
    report = (tmp_path / "wb" / "import_report.md").read_text()
    for file, (parts, total) in reconciliation(report).items():
        assert parts == total == input_rows(report)[file], file
    assert "| sales_pipeline.csv | won, closed earlier: counted as won, no revenue column | 1 |" in report


def test_account_ids_are_stable_and_unique(tmp_path):
    assert slug("Gekko & Co") == "gekko-co"
    export = write_small_maven(tmp_path / "small")
    (export / "accounts.csv").write_text("account,sector,office_location,subsidiary_of\nGreen-Plus,x,y,\nGreen Plus!,x,y,\ngreen-plus-2,x,y,\n")
    (export / "sales_pipeline.csv").write_text(
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\nA,Ann,GTX Pro,Green-Plus,Won,,2024-01-01,1\n"
    )
    res = import_crm(export, tmp_path / "wb")
    assert dict(zip(res.accounts["name"], res.accounts["account_id"], strict=True)) == {
        "Green Plus!": "green-plus", "Green-Plus": "green-plus-3", "green-plus-2": "green-plus-2",
    }


# --------------------------------------------------------------------------- a second layout


SECOND_MAPPING = """\
name: Example CRM (German export)
separator: ";"
date_format: "%d.%m.%Y"
decimal: ","
currency: EUR
files:
  accounts: Firmen.csv
  opportunities: Chancen.csv
  products: null
  teams: null
columns:
  accounts:
    name: Firma
    sector: Branche
    country: Land
    parent: Konzern
  opportunities:
    id: Nr
    account: Kunde
    stage: Phase
    owner: Betreuer
    product: Produkt
    engage_date: null
    close_date: Abschluss
    close_value: Betrag
stages:
  won: [Gewonnen, Auftrag]
  lost: [Verloren]
  open:
    Angebot: proposal
    Verhandlung: negotiation
    Erstkontakt: identified
"""


def write_second_layout(folder: Path) -> Path:
    folder.mkdir()
    (folder / "Firmen.csv").write_text(
        "Firma;Branche;Land;Konzern;Mitarbeiter\n"
        "Müller Logistik GmbH;Logistik;Deutschland;\n"
        "Müller Nord;logistik;Deutschland;Müller Logistik GmbH\n"
        "Käserei Alpen AG;Lebensmittel;Schweiz;\n",
        encoding="utf-8",
    )
    (folder / "Chancen.csv").write_text(
        "Nr;Kunde;Phase;Betreuer;Produkt;Abschluss;Betrag\n"
        "1;Müller Logistik GmbH;Gewonnen;Jana Weber;Lager;03.02.2025;1.250,50\n"
        "2;Müller Logistik GmbH;Auftrag;Jana Weber;Transport;31.12.2025;2.000\n"
        "3;Müller Logistik GmbH;Gewonnen;Tom Berg;Lager;15.11.2024;500\n"        # the 12 months before
        "4;Müller Nord;Gewonnen;Tom Berg;Lager;01.06.2025;99,50\n"
        "5;Käserei Alpen AG;Verloren;Tom Berg;Lager;12.08.2025;0\n"
        "6;Käserei Alpen AG;Angebot;Tom Berg;Transport;28.02.2026;4.000\n"
        "7;Müller Logistik GmbH;Verhandlung;Jana Weber;Lager;;3.500,25\n"
        "8;;Erstkontakt;Jana Weber;Lager;;\n",
        encoding="utf-8",
    )
    return folder


def test_second_layout_imports_with_a_mapping_file(tmp_path):
    export = write_second_layout(tmp_path / "export")
    mapping = tmp_path / "german.yaml"
    mapping.write_text(SECOND_MAPPING)
    out = tmp_path / "wb"
    assert main(["import-crm", str(export), "--out", str(out), "--mapping", str(mapping)]) == 0
    wb = load_workbook(out)
    assert wb.settings["currency"] == "EUR"
    assert str(wb.settings["as_of"]) == "2025-12-31"
    acc = wb.accounts
    assert acc.loc["muller-logistik-gmbh", "revenue_12m"] == pytest.approx(3250.50)
    assert acc.loc["muller-logistik-gmbh", "revenue_prev_12m"] == pytest.approx(500)
    assert acc.loc["muller-nord", "parent_id"] == "muller-logistik-gmbh"
    assert acc.loc["muller-nord", "industry"] == "Logistik"  # case variant unified to the more frequent spelling
    assert acc.loc["muller-logistik-gmbh", "account_manager"] == "Jana Weber"
    assert acc.loc["muller-logistik-gmbh", "country"] == "Germany"  # spelling fix inherited from the built-in mapping
    opps = wb.opportunities
    assert opps.loc["6", ["stage", "value", "kind"]].tolist() == ["proposal", 4000.0, "new"]
    assert str(opps.loc["6", "expected_close"].date()) == "2026-02-28"
    assert opps.loc["7", ["stage", "value", "kind"]].tolist() == ["negotiation", 3500.25, "grow"]
    report = (out / "import_report.md").read_text()
    assert "Example CRM (German export)" in report
    assert "| Chancen.csv | set aside: no account (kept out of account figures) | 1 |" in report
    for file, (parts, total) in reconciliation(report).items():
        assert parts == total == input_rows(report)[file], file
    assert "No products file" not in report  # products: null means 'not in this export', said once in the notes
    fig = pd.read_csv(out / "crm_figures.csv").set_index("account_id")
    assert fig.loc["muller-logistik-gmbh", "products_in_range"] == 2  # no products file: the range is what the pipeline names


def test_mapping_errors_name_the_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("colums:\n  accounts: {name: Firma}\n")
    with pytest.raises(MappingError, match=r"unknown key\(s\) colums"):
        load_mapping(bad)
    bad.write_text("stages:\n  won: [Won]\n  open: {Offer: proposed}\n")
    with pytest.raises(MappingError, match=r"stages.open.Offer: found 'proposed', expected one of: identified, qualifying, proposal, negotiation"):
        load_mapping(bad)


def test_cli_exit_codes_and_messages(maven, tmp_path, capsys):
    assert main(["import-crm", str(tmp_path / "nowhere"), "--out", str(tmp_path / "wb")]) == 2
    assert "no export folder at" in capsys.readouterr().err
    (maven / "sales_pipeline.csv").write_text("id,who\n1,x\n")
    assert main(["import-crm", str(maven), "--out", str(tmp_path / "wb")]) == 1
    err = capsys.readouterr().err
    assert "sales_pipeline.csv: no column 'account' (mapping key columns.opportunities.account); the file's columns are: id, who" in err
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    shutil.copyfile(MAVEN / "sales_pipeline.csv", maven / "sales_pipeline.csv")
    assert main(["import-crm", str(maven), "--out", str(busy)]) == 1
    assert "already holds notes.txt" in capsys.readouterr().err
    assert main(["import-crm", str(maven), "--out", str(maven / "wb")]) == 1
    assert "outside the export folder" in capsys.readouterr().err
    assert main(["import-crm", str(maven), "--out", str(tmp_path / "wb")]) == 0
    out = capsys.readouterr().out
    assert "85 accounts, 664 open opportunities, as of 2017-12-31" in out and "1,425  no account" in out
    # importing again over an earlier import is fine
    assert main(["import-crm", str(maven), "--out", str(tmp_path / "wb")]) == 0


# --------------------------------------------------------------------------- all the way through the batch


@pytest.mark.slow
def test_maven_import_then_validate_and_batch(maven, tmp_path):
    """Import the shared export, validate, run the batch: 85 reviews, an index, revenue as computed here."""
    wb, out = tmp_path / "wb", tmp_path / "reports"
    run = lambda *a: subprocess.run([sys.executable, "-m", "kamnb", *a], capture_output=True, text=True, cwd=ROOT)  # noqa: E731
    res = run("import-crm", str(maven), "--out", str(wb))
    assert res.returncode == 0, res.stdout + res.stderr
    res = run("validate", str(wb))
    assert res.returncode == 0, res.stdout + res.stderr
    res = run("batch", str(wb), "--out", str(out))
    assert res.returncode == 0, "kamnb batch failed:\n" + res.stdout + res.stderr
    reviews = sorted((out / "accounts").glob("*.html"))
    assert len(reviews) == 85, [p.name for p in reviews][:5]
    assert (out / "index.html").is_file()
    portfolio = pd.read_csv(out / "portfolio.csv")
    id_col = "account_id" if "account_id" in portfolio else portfolio.columns[0]
    names = pd.read_csv(wb / "accounts.csv").set_index("account_id")["name"]
    got = portfolio.set_index(id_col)["revenue_12m"].rename(index=names)
    expected, _ = independent_revenue(maven)
    pd.testing.assert_series_equal(got.sort_index(), expected.reindex(got.index).fillna(0).sort_index(),
                                   check_names=False, check_dtype=False, check_index_type=False)
    # One key account's review: its whitespace grid, built from its deals, and the warning that its key status
    # rests on computed figures alone (the CRM knows no judgement).
    ws = pd.read_csv(wb / "whitespace.csv", keep_default_na=False)
    key = pd.read_csv(wb / "to_judge.csv")["account_id"]
    account = next((a for a in key if (ws[ws["account_id"] == a]["status"] == "not_offered").any()), key.iloc[0])
    name = names[account]
    page = (out / "accounts" / f"{account}.html").read_text(encoding="utf-8")
    assert f"Whitespace: {name}" in page
    pipe = pd.read_csv(maven / "sales_pipeline.csv")
    won = set(pipe[(pipe["account"] == name) & (pipe["deal_stage"] == "Won")]["product"].replace({"GTXPro": "GTX Pro"}))
    assert f"{len(won)} of {len(ws[ws['account_id'] == account])} cells bought" in page
    assert "Key status rests on computed figures." in page
    assert "This account: key on figures alone (judged: none; computed: big)." in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "30 of 30 key accounts are key on computed figures alone" in index
    assert "Whitespace across the key accounts" in index


def test_wrong_separator_and_windows_encoding(tmp_path):
    export = write_second_layout(tmp_path / "export")
    mapping = tmp_path / "german.yaml"
    mapping.write_text(SECOND_MAPPING.replace('separator: ";"', 'separator: ","'))
    with pytest.raises(CrmImportError, match=r"Firmen.csv: no column 'Firma' .* set separator: ';' in the mapping"):
        import_crm(export, tmp_path / "wb", mapping)
    mapping.write_text(SECOND_MAPPING)
    text = (export / "Firmen.csv").read_text(encoding="utf-8")
    (export / "Firmen.csv").write_bytes(text.encode("cp1252"))
    res = import_crm(export, tmp_path / "wb", mapping)
    assert "muller-logistik-gmbh" in set(res.accounts["account_id"])
    assert "Müller Logistik GmbH" in set(res.accounts["name"])
    assert "Firmen.csv is not UTF-8; it was read as Windows-1252." in (tmp_path / "wb" / "import_report.md").read_text()
