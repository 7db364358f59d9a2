"""Write data/crm-example/: a small, fictional CRM export in the Maven layout, for the README's import example.

Four files as the Maven "CRM Sales Opportunities" export lays them out
(accounts.csv, products.csv, sales_pipeline.csv, sales_teams.csv), with the
same kinds of mess a real export has: a product spelled two ways, a sector
typo, a subsidiary, pipeline rows without an account, open deals without a
close date or value. Every name is invented. The output is the same on every
run (fixed seed), so the committed files only change when this script does.

    python scripts/make_crm_example.py            # writes data/crm-example/
    python scripts/make_crm_example.py OUT_DIR
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ACCOUNTS = [  # name, sector, year, revenue (USD millions), employees, country, subsidiary_of
    ("Brightwater Foods", "retail", 1988, 812.40, 4210, "United States", ""),
    ("Calder Freight", "logistics", 2001, 233.10, 960, "Canada", ""),
    ("Dunmore Clinics", "medical", 1995, 410.75, 2130, "United States", ""),
    ("Elmstead Software", "technolgy", 2009, 96.20, 380, "United States", ""),  # the typo a real export has
    ("Farrow Energy", "energy", 1979, 1520.00, 7400, "Norway", ""),
    ("Glenhaven Bank", "finance", 1965, 2210.55, 9800, "United Kingdom", ""),
    ("Glenhaven Leasing", "finance", 2012, 140.30, 410, "United Kingdom", "Glenhaven Bank"),
    ("Harlow Telecom", "telecommunications", 1998, 655.00, 3100, "Germany", ""),
    ("Ivybridge Media", "entertainment", 2005, 77.80, 260, "United States", ""),
    ("Juniper Robotics", "technolgy", 2014, 58.35, 190, "Japan", ""),
    ("Kestrel Services", "services", 1991, 305.60, 1750, "United States", ""),
    ("Larkspur Homes", "retail", 2003, 188.90, 830, "Philipines", ""),  # and a country typo
]
PRODUCTS = [("Core Basic", "Core", 550), ("Core Pro", "Core", 4800), ("Flow Plus", "Flow", 1100), ("Flow Advanced", "Flow", 3400),
            ("Summit Suite", "Summit", 26500)]
TEAMS = [  # agent, manager, office
    ("Ada Quintero", "Mira Holt", "East"), ("Ben Okafor", "Mira Holt", "East"), ("Cora Lindqvist", "Mira Holt", "East"),
    ("Dev Raman", "Owen Pike", "West"), ("Elin Marsh", "Owen Pike", "West"), ("Femi Adeyemi", "Owen Pike", "West"),
]
START = dt.date(2025, 1, 6)
DAYS = 640  # about 21 months of history: the last 12 months and the 12 before are both (partly) covered


def _pipeline(rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    weights = [9, 5, 6, 3, 8, 10, 2, 6, 2, 3, 5, 3]  # some accounts buy far more than others (a Pareto to find)
    for n in range(260):
        account = rng.choices([a[0] for a in ACCOUNTS], weights)[0] if rng.random() > 0.06 else ""  # early prospects have none
        product, _, price = rng.choices(PRODUCTS, [6, 4, 5, 3, 1])[0]
        engage = START + dt.timedelta(days=rng.randrange(DAYS))
        age = (START + dt.timedelta(days=DAYS) - engage).days
        roll = rng.random()
        if age < 60 and roll < 0.7:
            stage = rng.choice(["Engaging", "Prospecting"])
        else:
            stage = "Won" if roll < 0.63 else ("Lost" if roll < 0.9 else "Engaging")
        close, value = "", ""
        if stage in ("Won", "Lost"):
            close = (engage + dt.timedelta(days=rng.randint(8, min(120, max(8, age))))).isoformat()
            value = str(round(price * rng.uniform(0.85, 1.12))) if stage == "Won" else "0"
        if product == "Core Pro" and rng.random() < 0.3:
            product = "CorePro"  # spelled without the space, as Maven's "GTXPro"
        agent = rng.choice(TEAMS)[0]
        rows.append([f"EX{n:04d}{rng.choice('ABCDEFGHJK')}", agent, product, account, stage,
                     engage.isoformat() if stage != "Prospecting" else "", close, value])
    return rows


def write(out: Path) -> None:
    """Write the four files into ``out`` (created when missing)."""
    rng = random.Random(20260101)
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "accounts.csv": (["account", "sector", "year_established", "revenue", "employees", "office_location", "subsidiary_of"],
                         [list(map(str, a)) for a in ACCOUNTS]),
        "products.csv": (["product", "series", "sales_price"], [list(map(str, p)) for p in PRODUCTS]),
        "sales_pipeline.csv": (["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
                                "close_value"], _pipeline(rng)),
        "sales_teams.csv": (["sales_agent", "manager", "regional_office"], [list(t) for t in TEAMS]),
    }
    for name, (header, rows) in tables.items():
        with (out / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    (out / "README.md").write_text(
        "# A small CRM export (fictional) in the Maven layout\n\n"
        "Written by `scripts/make_crm_example.py` (do not edit by hand; run the script). Twelve invented\n"
        "accounts, five products, six sales people and 260 opportunities over about 21 months, in the\n"
        "file layout of the Maven Analytics \"CRM Sales Opportunities\" export, with the same kinds of\n"
        "mess: `CorePro` beside `Core Pro`, the sector `technolgy`, the country `Philipines`, a subsidiary\n"
        "(`Glenhaven Leasing`), pipeline rows without an account, open deals without a close date.\n\n"
        "    kamnb import-crm data/crm-example --out workbooks/crm-example\n"
        "    kamnb batch workbooks/crm-example --out reports/crm-example\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "crm-example")
