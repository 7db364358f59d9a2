"""The decision-making grid, power vs comfort zone and the contact map, on hand-built workbooks and the sample."""
from __future__ import annotations

import copy
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kamnb import relationships
from kamnb.plots import relationships as charts
from kamnb.relationships import grid as rel
from kamnb.relationships import summary as contacts
from kamnb.workbook import Workbook, load_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
ST_COLUMNS = ["stakeholder_id", "account_id", "name", "title", "function", "seniority", "influence", "support", "decision_role",
              "contact_owner", "our_function", "last_contact", "contact_days_12m", "plan"]


def build(folder: Path, stakeholders: list[dict], relationship: list[tuple] = (), history: list[tuple] = (),
          accounts: tuple[str, ...] = ("A1",), settings: str = "", indicators: str | None = None) -> Workbook:
    """Write a small workbook (CSV folder) and load it. Stakeholder dicts need id, account, name, influence, support."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text("account_id,name,revenue_12m\n" + "".join(f"{a},Account {a},100000\n" for a in accounts), encoding="utf-8")
    (folder / "opportunities.csv").write_text("opportunity_id,account_id,name,kind,value\n", encoding="utf-8")
    frame = pd.DataFrame([{**{c: "" for c in ST_COLUMNS}, **s} for s in stakeholders], columns=ST_COLUMNS)
    frame.to_csv(folder / "stakeholders.csv", index=False)
    pd.DataFrame(list(relationship), columns=["account_id", "indicator_id", "score", "evidence", "assessed_on"]).to_csv(folder / "relationship.csv", index=False)
    pd.DataFrame(list(history), columns=["stakeholder_id", "assessed_on", "influence", "support"]).to_csv(folder / "stakeholder_history.csv", index=False)
    (folder / "settings.yaml").write_text("as_of: 2026-11-01\n" + settings, encoding="utf-8")
    if indicators is not None:
        (folder / "indicators.yaml").write_text(indicators, encoding="utf-8")
    return load_workbook(folder)


def person(sid: str, influence: float, support: float, owners: str = "", account: str = "A1", **more) -> dict:
    return {"stakeholder_id": sid, "account_id": account, "name": f"Person {sid}", "influence": influence, "support": support,
            "contact_owner": owners, "last_contact": "2026-10-01", **more}


def bow_tie(n: int = 6) -> list[dict]:
    """One person of ours linked to each of their n people."""
    return [person(f"S{i}", 5 if i < 2 else 3, 3, "Ann Our", decision_role="decision_maker" if i < 2 else "user") for i in range(n)]


def diamond(n: int = 6) -> list[dict]:
    """n of ours, each of their people known by two of ours."""
    ours = [f"Our {k}" for k in range(n)]
    return [person(f"S{i}", 5 if i < 2 else 3, 3, f"{ours[i]}; {ours[(i + 1) % n]}", decision_role="decision_maker" if i < 2 else "user")
            for i in range(n)]


def with_change(wb: Workbook, sid: str, column: str, value) -> Workbook:
    """A copy of wb with one stakeholder cell changed."""
    other = copy.copy(wb)
    other.sheets = dict(wb.sheets)
    st = wb.stakeholders.copy()
    st.loc[sid, column] = value
    other.sheets["stakeholders"] = st
    return other


def random_book(folder: Path, seed: int) -> Workbook:
    rng = random.Random(seed)
    ours = ["Ann", "Ben", "Cat", "Dan"]
    people = []
    for i in range(rng.randint(3, 9)):
        k = rng.choice([0, 1, 1, 1, 2])
        people.append(person(f"S{i}", rng.randint(1, 5), rng.randint(1, 5), "; ".join(rng.sample(ours, k)),
                             decision_role=rng.choice(["decision_maker", "user", "economic_buyer", "influencer"])))
    evidence = [("A1", "prompt_payment", rng.randint(1, 5), "", "2026-09-01"), ("A1", "trusted_advisor", rng.randint(1, 5), "", "2026-03-01")]
    return build(folder, people, evidence)


# --------------------------------------------------------------------------- grid


@pytest.mark.parametrize("influence,support,zone", [
    (5, 5, "driver"), (4, 4, "driver"), (4, 3, "swing"), (5, 2, "threat"), (4, 1, "threat"),
    (3, 4, "advocate"), (1, 5, "advocate"), (3, 3, "bystander"), (3, 2, "critic"), (1, 1, "critic"),
])
def test_zones_follow_the_thresholds_in_settings(influence, support, zone):
    got = rel.zone_of(pd.Series([float(influence)]), pd.Series([float(support)]), {})
    assert got.iloc[0] == zone


def test_zone_thresholds_can_be_changed_per_workbook():
    settings = {"relationships": {"high_influence": 3}}
    assert rel.zone_of(pd.Series([3.0]), pd.Series([1.0]), settings).iloc[0] == "threat"


def test_stakeholder_zones_and_actions_name_who_needs_what(tmp_path):
    wb = build(tmp_path / "b", [person("S1", 5, 1, "Ann"), person("S2", 5, 5, "Ann"), person("S3", 2, 5, "Ben"), person("S4", 2, 3, "")])
    z = rel.stakeholder_zones(wb, "A1")
    assert list(z["zone"]) == ["driver", "threat", "advocate", "bystander"]
    actions = rel.zone_actions(wb, "A1")
    assert actions.loc["Threat", "who"] == "Person S1"
    assert "Neutralise or convert" in actions.loc["Threat", "attention"]
    assert actions.loc["Critic", "who"] == "nobody"


def test_power_vs_comfort_splits_contact_days(tmp_path):
    wb = build(tmp_path / "b", [
        person("S1", 5, 3, "Ann", contact_days_12m=2), person("S2", 2, 5, "Ann", contact_days_12m=6),
        person("S3", 2, 2, "Ann", contact_days_12m=2),
    ])
    t = rel.power_vs_comfort(wb, "A1")
    assert t.loc["power zone", "contact_days"] == 2
    assert t.loc["comfort zone", "share_pct"] == pytest.approx(60.0)
    assert t.loc["elsewhere", "people"] == 1


def test_power_vs_comfort_without_contact_days_says_so(tmp_path):
    wb = build(tmp_path / "b", [person("S1", 5, 3, "Ann")])
    folder = tmp_path / "b"
    st = pd.read_csv(folder / "stakeholders.csv").drop(columns="contact_days_12m")
    st.to_csv(folder / "stakeholders.csv", index=False)
    wb = load_workbook(folder)
    assert rel.power_vs_comfort(wb, "A1")["contact_days"].isna().all()
    fig = charts.power_comfort_chart(wb, "A1")
    assert "cannot be measured" in " ".join(t.get_text() for t in fig.axes[0].texts)


def test_influential_people_without_recent_contact_are_flagged(tmp_path):
    wb = build(tmp_path / "b", [
        person("S1", 5, 3, "Ann", last_contact="2026-04-01"), person("S2", 4, 3, "Ann", last_contact=""),
        person("S3", 5, 3, "Ann", last_contact="2026-10-20"), person("S4", 2, 3, "Ann", last_contact="2025-01-01"),
    ])
    n = rel.neglected_power(wb, "A1")
    assert list(n.index) == ["S1", "S2"]
    assert n.loc["S1", "days_since_contact"] == 214


# --------------------------------------------------------------------------- contact map


def test_bow_tie_numbers_by_hand(tmp_path):
    wb = build(tmp_path / "b", bow_tie(4))
    m = rel.contact_map(wb).loc["A1"]
    assert (m["reach"], m["redundancy"], m["resilience"]) == (100.0, 0.0, 0.0)
    assert m["coverage"] == pytest.approx(100 / 3)
    assert m["shape"] == "bow-tie"
    assert (m["key_person"], m["dm_on_key_person"], m["decision_makers"]) == ("Ann Our", 2, 2)
    assert m["coverage_without_key_person"] == 0


def test_diamond_numbers_by_hand(tmp_path):
    wb = build(tmp_path / "b", diamond(4))
    m = rel.contact_map(wb).loc["A1"]
    assert (m["reach"], m["redundancy"], m["resilience"], m["coverage"]) == (100.0, 100.0, 100.0, 100.0)
    assert m["shape"] == "diamond"
    assert m["dm_single_threaded"] == 0
    # the worst departure takes two of their people down to one thread: redundancy falls to 50% of the influence
    assert m["coverage_without_key_person"] < 100


def test_a_bow_tie_account_covers_less_than_a_diamond_of_the_same_size(tmp_path):
    for n in (3, 6, 12):
        b = rel.contact_map(build(tmp_path / f"b{n}", bow_tie(n))).loc["A1"]
        d = rel.contact_map(build(tmp_path / f"d{n}", diamond(n))).loc["A1"]
        assert b["their_people"] == d["their_people"]
        assert b["coverage"] < d["coverage"]


def test_a_second_contact_for_a_single_threaded_decision_maker_raises_coverage(tmp_path):
    checked = 0
    for seed in range(12):
        wb = random_book(tmp_path / f"r{seed}", seed)
        base = rel.contact_map(wb).loc["A1", "coverage"]
        z = rel.stakeholder_zones(wb, "A1")
        for sid, row in z[z["decision_maker"] & (z["our_people"] == 1)].iterrows():
            other = with_change(wb, sid, "contact_owner", row["contact_owner"] + "; Zed New")
            assert rel.contact_map(other).loc["A1", "coverage"] > base, (seed, sid)
            checked += 1
    assert checked >= 5


def test_raising_support_never_lowers_coverage(tmp_path):
    for seed in range(4):
        wb = random_book(tmp_path / f"r{seed}", seed)
        base = rel.contact_map(wb).loc["A1", "coverage"]
        for sid, row in wb.stakeholders.iterrows():
            for up in range(int(row["support"]) + 1, 6):
                assert rel.contact_map(with_change(wb, sid, "support", float(up))).loc["A1", "coverage"] >= base


def test_contact_owner_lists_several_people_and_functions(tmp_path):
    wb = build(tmp_path / "b", [
        person("S1", 5, 4, "Ann A; Ben B", our_function="sales; delivery", function="IT", seniority="executive"),
        person("S2", 3, 4, " Ben B ;", function="finance", seniority="manager"),
    ])
    links = rel.contact_links(wb, "A1")
    assert list(zip(links["our_person"], links["our_function"], links["stakeholder_id"], strict=False)) == [
        ("Ann A", "sales", "S1"), ("Ben B", "delivery", "S1"), ("Ben B", "delivery", "S2")]
    by = rel.coverage_by(wb, "A1", "seniority")
    assert list(by.index) == ["executive", "manager"]
    assert by.loc["executive", "two_or_more"] == 1
    assert by.loc["manager", "our_functions"] == "delivery"


def test_contact_summary_names_the_key_person_and_the_cost_of_losing_them(tmp_path):
    wb = build(tmp_path / "b", bow_tie(4))
    s = contacts.contact_summary(wb, "A1")
    assert s.loc["Decision-makers who hang on Ann Our alone", "value"].startswith("2 ")
    assert s.loc["Coverage if Ann Our left", "value"] == "0 / 100 (now 33)"


def test_account_without_stakeholders_has_empty_numbers_not_zero(tmp_path):
    wb = build(tmp_path / "b", [person("S1", 5, 4, "Ann")], accounts=("A1", "A2"))
    m = rel.contact_map(wb).loc["A2"]
    assert m["their_people"] == 0 and m["coverage"] != m["coverage"]
    assert rel.stakeholder_zones(wb, "A2").empty


# --------------------------------------------------------------------------- trend


def test_zone_changes_against_the_previous_placement(tmp_path):
    wb = build(tmp_path / "b", [person("S1", 5, 2, "Ann"), person("S2", 4, 4, "Ann"), person("S3", 3, 3, "Ann"), person("S4", 2, 2, "Ann")],
               history=[("S1", "2025-06-01", 5, 4), ("S1", "2026-05-01", 5, 3), ("S2", "2026-05-01", 4, 5), ("S3", "2026-05-01", 3, 3)])
    c = rel.zone_changes(wb, "A1")
    assert c.loc["S1", "change"] == "moved zone"
    assert (c.loc["S1", "previous_zone"], c.loc["S1", "zone"]) == ("Swing vote", "Threat")
    assert c.loc["S2", "change"] == "moved within zone"
    assert c.loc["S3", "change"] == "no change"
    assert c.loc["S4", "change"] == "new"
    assert list(c.index) == ["S1", "S2", "S4", "S3"]


# --------------------------------------------------------------------------- portfolio, display, charts


def test_portfolio_columns_one_row_per_account(tmp_path):
    wb = build(tmp_path / "b", bow_tie(3) + [person("T1", 5, 1, "Bo", account="A2")], accounts=("A1", "A2"),
               relationship=[("A1", "prompt_payment", 4, "", "2026-10-01")])
    p = relationships.portfolio_columns(wb)
    assert list(p.index) == ["A1", "A2"]
    assert p.loc["A1", "contact_shape"] == "bow-tie"
    assert p.loc["A2", "threats"] == 1
    assert p.loc["A1", "relationship_gaps"] == 11
    assert pd.isna(p.loc["A2", "relationship_score"])


def test_readable_tables_show_dates_and_gaps_as_people_read_them():
    html = rel.readable(pd.DataFrame({"d": pd.to_datetime(["2026-03-01", None]), "x": [1.6, None], "b": [True, False]})).to_html()
    assert "2026-03-01" in html and "–" in html and ">2<" in html and ">yes<" in html


@pytest.mark.parametrize("size", [3, 40])
def test_charts_stay_readable_with_3_and_40_stakeholders(tmp_path, size):
    rng = random.Random(size)
    ours = ["Ann Ash", "Ben Birch", "Cat Cedar", "Dan Dogwood", "Eve Elm"]
    people = [person(f"S{i:02d}", rng.randint(1, 5), rng.randint(1, 5), "; ".join(rng.sample(ours, rng.randint(0, 2))),
                     seniority=rng.choice(["executive", "manager", "staff"]), function=rng.choice(["IT", "finance", "operations"]))
              for i in range(size)]
    wb = build(tmp_path / "b", people)
    grid = charts.decision_grid(wb, "A1")
    shown = [t.get_text() for t in grid.axes[0].texts if t.get_text().startswith("Person") or t.get_text().startswith("+")]
    assert len(shown) == size                      # every name is on the chart, none dropped
    grid.savefig(tmp_path / "grid.png")
    # no two names share a spot: each name has its own line in its cell
    spots = [(round(t.get_position()[0], 3), round(t.get_position()[1], 3)) for t in grid.axes[0].texts if t.get_text().startswith("Person")]
    assert len(spots) == len(set(spots))
    net = charts.contact_network(wb, "A1")
    net.savefig(tmp_path / "net.png")
    ys = sorted(t.get_position()[1] for t in net.axes[0].texts if t.get_text().startswith("Person"))
    gap_pt = min((b - a for a, b in zip(ys, ys[1:], strict=False)), default=1) * (net.get_figheight() * 72 * 0.8) / (max(ys, default=1) + 1.3)
    assert gap_pt >= 9                             # at least a line of 8-point text between two names
    assert (tmp_path / "grid.png").stat().st_size > 10_000


# --------------------------------------------------------------------------- the sample and the notebook


@pytest.fixture(scope="module")
def sample() -> Workbook:
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("the sample workbook is missing")
    return load_workbook(SAMPLE)


def test_sample_bow_tie_and_diamond_read_as_such(sample):
    m = rel.contact_map(sample)
    assert m.loc["ACC-007", "shape"] == "bow-tie"
    assert m.loc["ACC-008", "shape"] == "diamond"
    assert m.loc["ACC-001", "their_people"] >= 30


@pytest.mark.slow
def test_notebook_runs_with_papermill_for_the_smallest_account(tmp_path, sample):
    smallest = sample.stakeholders.groupby("account_id").size().idxmin()
    book = tmp_path / "sample"
    shutil.copytree(SAMPLE, book, ignore=shutil.ignore_patterns("journal.sqlite*"))
    out = tmp_path / "out.ipynb"
    papermill = Path(sys.executable).parent / "papermill"
    subprocess.run([str(papermill), str(ROOT / "notebooks" / "03_relationships.ipynb"), str(out), "-p", "workbook", str(book),
                    "-p", "account_id", smallest, "--cwd", str(ROOT / "notebooks"), "--log-level", "ERROR"], check=True, capture_output=True)
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) == 5  # grid, org chart, power zone, contact map, trend (the score bars repeated the score table)


def test_notebook_is_stored_thin_and_without_outputs():
    nb = json.loads((ROOT / "notebooks" / "03_relationships.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert not any("def " in "".join(c["source"]) for c in code)
    assert "".join(nb["cells"][1]["source"]).startswith("# Relationships")
