"""Benchmark: import a synthetic CRM export of 1M opportunities over 20k accounts.

Writes a Maven-layout export with the same kinds of mess as the real one
(deals with no account, product names that differ by spacing, sector typos),
imports it in a fresh process and reports wall time and peak memory (the
child's maximum resident set size). Then measures the speed-up against a
naive row-by-row import (csv reader, one dict update per row) on a slice of
the same export, in the same run.

Target on a 2-core machine: under 30 s and under 2 GB.

    .venv/bin/python -m benchmarks.bench_import
"""
from __future__ import annotations

import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kamnb.crm.build import import_crm
from kamnb.crm.read import name_key
from kamnb.workbook.parsing import parse_date, parse_number

OPPORTUNITIES = 1_000_000
ACCOUNTS = 20_000
SLICE = 100_000
PRODUCTS = {"GTX Basic": 550, "GTX Pro": 4821, "MG Special": 55, "MG Advanced": 3393, "GTX Plus Pro": 5482, "GTX Plus Basic": 1096, "GTK 500": 26768}


def synthetic_export(folder: Path, opportunities: int = OPPORTUNITIES, accounts: int = ACCOUNTS, seed: int = 11) -> Path:
    """A Maven-layout export: 16 % of deals without account, 'GTXPro' spelling, sector typos, groups."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = np.array([f"Customer {i:05d} Ltd" for i in range(accounts)], dtype=object)
    sectors = np.array(["retail", "technolgy", "medical", "finance", "software", "Retail"], dtype=object)
    parents = np.where(rng.random(accounts) < 0.1, names[rng.integers(0, accounts // 10, accounts)], "")
    parents[: accounts // 10] = ""  # parents are top-level: no cycles
    pd.DataFrame({
        "account": names,
        "sector": sectors[rng.integers(0, len(sectors), accounts)],
        "year_established": rng.integers(1950, 2020, accounts),
        "revenue": np.round(rng.lognormal(6, 1, accounts), 2),
        "employees": rng.integers(10, 50_000, accounts),
        "office_location": np.where(rng.random(accounts) < 0.01, "Philipines", "United States"),
        "subsidiary_of": parents,
    }).to_csv(folder / "accounts.csv", index=False)
    pd.DataFrame({"product": list(PRODUCTS), "series": [p.split()[0] for p in PRODUCTS], "sales_price": list(PRODUCTS.values())}).to_csv(
        folder / "products.csv", index=False)
    agents = np.array([f"Agent {i:02d}" for i in range(60)], dtype=object)
    pd.DataFrame({"sales_agent": agents, "manager": [f"Manager {i % 6}" for i in range(60)],
                  "regional_office": [("Central", "East", "West")[i % 3] for i in range(60)]}).to_csv(folder / "sales_teams.csv", index=False)
    n = opportunities
    stage = np.array(["Won", "Lost", "Engaging", "Prospecting"], dtype=object)[rng.choice(4, n, p=[0.48, 0.28, 0.18, 0.06])]
    product_names = np.array([*PRODUCTS, "GTXPro"], dtype=object)
    product = product_names[rng.integers(0, len(product_names), n)]
    account = names[rng.integers(0, accounts, n)]
    account = np.where((stage == "Engaging") | (stage == "Prospecting"), np.where(rng.random(n) < 0.6, "", account), account)
    engage = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    close = engage + pd.to_timedelta(rng.integers(10, 200, n), unit="D")
    closed = (stage == "Won") | (stage == "Lost")
    base = pd.Series(product).map(lambda p: PRODUCTS.get(p, 4821)).to_numpy()
    value = np.where(stage == "Won", np.round(base * rng.uniform(0.8, 1.2, n)), np.where(stage == "Lost", 0, np.nan))
    pd.DataFrame({
        "opportunity_id": [f"{i:08X}" for i in range(n)],
        "sales_agent": agents[rng.integers(0, len(agents), n)],
        "product": product,
        "account": account,
        "deal_stage": stage,
        "engage_date": engage.strftime("%Y-%m-%d"),
        "close_date": np.where(closed, close.strftime("%Y-%m-%d"), ""),
        "close_value": pd.array(value, dtype="Int64"),
    }).to_csv(folder / "sales_pipeline.csv", index=False)
    return folder


def naive_import(export: Path) -> dict[str, dict[str, float]]:
    """The obvious importer: read row by row, parse each cell, update per-account dicts."""
    accounts: dict[str, dict[str, float]] = {}
    with open(export / "accounts.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            accounts[name_key(" ".join(row["account"].split()))] = {"revenue_12m": 0.0, "won": 0, "lost": 0, "open": 0}
    with open(export / "products.csv", newline="", encoding="utf-8") as fh:
        catalogue = {name_key(r["product"]): r["product"] for r in csv.DictReader(fh)}
    rows = []
    with open(export / "sales_pipeline.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            close, _ = parse_date(row["close_date"]) if row["close_date"] else (None, None)
            value, _ = parse_number(row["close_value"]) if row["close_value"] else (None, None)
            product = catalogue.get(name_key(row["product"]), row["product"])
            rows.append((name_key(row["account"]), row["deal_stage"].strip().lower(), close, value, product))
    as_of = max(r[2] for r in rows if r[2] is not None)
    start = (pd.Timestamp(as_of) - pd.DateOffset(months=12)).date()
    for key, stage, close, value, _product in rows:
        acc = accounts.get(key)
        if acc is None:
            continue
        if stage == "won":
            acc["won"] += 1
            if close is not None and start < close <= as_of:
                acc["revenue_12m"] += value or 0.0
        elif stage == "lost":
            acc["lost"] += 1
        else:
            acc["open"] += 1
    return accounts


def _slice(src: Path, dest: Path, rows: int) -> Path:
    dest.mkdir()
    for f in ("accounts.csv", "products.csv", "sales_teams.csv"):
        (dest / f).write_bytes((src / f).read_bytes())
    with open(src / "sales_pipeline.csv", encoding="utf-8") as fh, open(dest / "sales_pipeline.csv", "w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i > rows:
                break
            out.write(line)
    return dest


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kamnb-bench-import-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        export = synthetic_export(root / "export")
        size_mb = sum(p.stat().st_size for p in export.iterdir()) / 1e6
        print(f"synthetic export: {OPPORTUNITIES:,} opportunities, {ACCOUNTS:,} accounts, {size_mb:.0f} MB, written in {time.perf_counter() - t0:.1f} s")

        code = ("import sys, time; t=time.perf_counter(); from kamnb.crm.build import import_crm; "
                "r=import_crm(sys.argv[1], sys.argv[2]); print(f'{r.seconds:.2f} {len(r.accounts)} {len(r.opportunities)} {len(r.set_aside)}')")
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code, str(export), str(root / "wb")], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        inner, n_acc, n_opp, n_aside = done.stdout.split()
        print(f"import 1M (fresh process): {wall:.1f} s wall incl. start-up, {float(inner):.1f} s in import_crm, peak RSS {peak_mb:,.0f} MB "
              f"-> {n_acc} accounts, {n_opp} open opportunities, {n_aside} rows set aside")
        print(f"  target: < 30 s and < 2,048 MB: {'met' if wall < 30 and peak_mb < 2048 else 'NOT met'}")

        part = _slice(export, root / "slice", SLICE)
        t0 = time.perf_counter()
        import_crm(part, root / "wb-slice")
        fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        naive_import(part)
        naive = time.perf_counter() - t0
        print(f"slice of {SLICE:,} opportunities (same 20k accounts): vectorised {fast:.2f} s (all figures, report, files), "
              f"naive row by row {naive:.2f} s (revenue and counts only) -> {naive / fast:.1f}x")
        projected = naive * OPPORTUNITIES / SLICE
        print(f"naive scaled to {OPPORTUNITIES:,} rows: about {projected:.0f} s vs {float(inner):.1f} s measured -> {projected / float(inner):.1f}x")


if __name__ == "__main__":
    main()
