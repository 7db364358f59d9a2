"""Classification on small hand-built portfolios with known answers, on a workbook, and on the sample."""
from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from kamnb.classification import portfolio_columns
from kamnb.classification.definitions import DEFINITION_IDS
from kamnb.classification.score import classify, coverage, explain
from kamnb.errors import AccountNotFound, ClassificationSettingsError
from kamnb.workbook import banks, load_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


def settings_with(**weights: float) -> dict:
    s = banks.load_settings()
    s["classification"]["weights"] = {d: 0 for d in DEFINITION_IDS} | weights
    return s


def portfolio() -> pd.DataFrame:
    """Five accounts: a big thin-margin one, a solid one, an oak tree, a loud small one, a zero."""
    return pd.DataFrame(
        {
            "name": ["Big Thin", "Solid", "Oak Tree", "Loud", "Zero"],
            "parent_id": ["", "", "", "", ""],
            "revenue_12m": [1000.0, 600.0, 50.0, 80.0, 0.0],
            "revenue_prev_12m": [1000.0, 500.0, 20.0, 90.0, 0.0],
            "gross_margin_pct": [2.0, 30.0, 40.0, 10.0, np.nan],
            "cost_to_serve": [60.0, 20.0, 5.0, 30.0, 0.0],
            "revenue_potential_3y": [1000.0, 800.0, 900.0, 80.0, 10.0],
            "team_effort_days": [100.0, 40.0, 10.0, 60.0, 0.0],
            "growth_potential": [1.0, 3.0, 5.0, 1.0, 2.0],
            "strategic_fit": [2.0, 4.0, 5.0, 1.0, 1.0],
            "partner_willingness": [2.0, 4.0, 5.0, 1.0, np.nan],
            "transparency": [2.0, 4.0, 4.0, 1.0, np.nan],
            "our_willingness": [3.0, 4.0, 5.0, 2.0, np.nan],
            "buy_sell_position": [2.0, 4.0, 3.0, 1.0, 1.0],
            "share_of_wallet_pct": [60.0, 50.0, 10.0, 20.0, 0.0],
            "service_demand": [5.0, 2.0, 2.0, 5.0, 1.0],
            "responsiveness": [1.0, 4.0, 5.0, 1.0, 1.0],
        },
        index=["A1", "A2", "A3", "A4", "A5"],
    )


def test_definition_scores_are_percentiles_and_judgements():
    res = classify(portfolio())
    # revenue 1000 > 600 > 80 > 50 > 0: percentiles of 5 accounts, zero revenue scores 0
    assert res["big"].tolist() == [100.0, 80.0, 40.0, 60.0, 0.0]
    assert res.loc["A3", "strategic"] == 100.0 and res.loc["A4", "strategic"] == 0.0
    assert np.isnan(res.loc["A5", "must_not_lose"]) or res.loc["A5", "must_not_lose"] == 0.0
    assert res["revenue_rank"].tolist() == [1, 2, 4, 3, 5]


def test_pareto_core_in_classification():
    res = classify(portfolio())
    # total 1730; 80 % = 1384: A1 (1000) + A2 (600) reach it
    assert res.index[res["revenue_core"]].tolist() == ["A1", "A2"]
    # gross profit: A1 20, A2 180, A3 20, A4 8 -> 228; 80 % = 182.4 -> A2 + one of the 20s; the tie keeps both
    assert res.index[res["profit_core"]].tolist() == ["A1", "A2", "A3"]
    assert bool(res.loc["A3", "rank_disagreement"])  # in the profit core only
    assert not res.loc["A1", "rank_disagreement"]  # core of both, ranks 1 and 2
    assert not res.loc["A5", "revenue_core"]


def test_key_score_is_weighted_mean_and_weight_change_moves_the_list():
    acc = portfolio()
    by_size = classify(acc, settings_with(big=1))
    assert by_size.index[by_size["is_key"]].tolist() == ["A1", "A2"]  # key from 65: 100 and 80
    by_future = classify(acc, settings_with(future_profit=1, strategic=1))
    assert "A3" in by_future.index[by_future["is_key"]]
    assert "A1" not in by_future.index[by_future["is_key"]]
    mixed = classify(acc, settings_with(big=1, strategic=3))
    expected = (acc.pipe(lambda _: by_size["big"]) * 1 + mixed["strategic"] * 3) / 4
    assert np.allclose(mixed["key_score"], expected)


def test_ties_share_scores_and_key_limit_keeps_ties():
    acc = pd.DataFrame({"name": list("ABCD"), "revenue_12m": [500.0, 500.0, 100.0, 100.0]}, index=list("ABCD"))
    s = settings_with(big=1)
    s["classification"]["max_key_accounts"] = 1
    res = classify(acc, s)
    assert res.loc["A", "big"] == res.loc["B", "big"] == 100.0
    assert res["key_rank"].tolist() == [1, 1, 3, 3]
    assert res.index[res["is_key"]].tolist() == ["A", "B"]  # the limit of 1 does not split a tie
    assert res.index[res["revenue_core"]].tolist() == ["A", "B"]


def test_single_account_portfolio():
    acc = pd.DataFrame({"name": ["Only"], "revenue_12m": [42.0]}, index=["X"])
    res = classify(acc)
    assert res.loc["X", "big"] == 100.0 and res.loc["X", "key_score"] == 100.0 and bool(res.loc["X", "is_key"])
    assert bool(res.loc["X", "revenue_core"])
    assert res.loc["X", "tier"] == "maintain"  # key, attractiveness unknown
    assert "could not be computed" in res.loc["X", "tier_reason"]


def test_zero_revenue_account():
    res = classify(portfolio())
    assert res.loc["A5", "big"] == 0.0 and not res.loc["A5", "is_key"] and not res.loc["A5", "revenue_core"]
    all_zero = classify(pd.DataFrame({"name": ["a", "b"], "revenue_12m": [0.0, 0.0]}, index=["a", "b"]))
    assert not all_zero["revenue_core"].any() and (all_zero["big"] == 0).all()


def test_missing_optional_columns_uses_what_it_can_and_says_what_not():
    # a CRM import: figures but no judgements
    acc = portfolio()[["name", "revenue_12m", "gross_margin_pct"]]
    cov = coverage(acc)
    assert cov.loc["big", "status"] == "computed" and cov.loc["must_not_lose", "status"] == "computed"
    assert cov.loc["strategic", "status"] == "not computed" and "strategic_fit" in cov.loc["strategic", "note"]
    assert cov.loc["future_profit", "status"] == "not computed"
    res = classify(acc)
    assert res["strategic"].isna().all() and res["future_profit"].isna().all()
    # key score from big (1) and must-not-lose (2) only
    expected = (res["big"] + 2 * res["must_not_lose"].fillna(0)) / np.where(res["must_not_lose"].isna(), 1, 3)
    assert np.allclose(res["key_score"], expected)
    assert (res["partnership"] == "not assessed").all()
    text = str(explain(acc, "A1", result=res))
    assert "Could not compute for this account" in text and "Strategic direction" in text


def test_partly_computed_definition():
    acc = portfolio().drop(columns=["revenue_potential_3y"])
    assert coverage(acc).loc["future_profit", "status"] == "partly"
    res = classify(acc)
    assert res.loc["A3", "future_profit"] == 100.0  # growth potential 5 alone


def test_traps_each_definition_warns_about():
    s = banks.load_settings()
    s["classification"]["traps"]["low"] = 50  # five accounts: the second smallest sits at the 40th percentile
    res = classify(portfolio(), s)
    assert "big but unprofitable" in res.loc["A1", "traps"]
    assert "small today but high potential" in res.loc["A3", "traps"]
    assert "demanding but not important" in res.loc["A4", "traps"]
    assert res.loc["A2", "traps"] == ""


def test_partnership_is_mutual():
    res = classify(portfolio())
    assert res.loc["A2", "partnership"] == "mutual partnership"
    assert res.loc["A1", "partnership"] == "transactional"
    assert res.loc["A5", "partnership"] == "not assessed"
    acc = portfolio()
    acc.loc["A2", "our_willingness"] = 2.0
    assert classify(acc).loc["A2", "partnership"] == "they are ready, we hold back"


def test_tiers_and_resource_advice():
    res = classify(portfolio())
    assert res.loc["A3", "tier"] == "invest" and res.loc["A3", "resource_change"] == "more effort"
    assert res.loc["A4", "tier"] == "streamline" and res.loc["A4", "resource_change"] == "less effort"
    assert set(res["tier"].astype(str)) <= {"invest", "develop", "maintain", "streamline"}
    assert res["resources"].astype(str).str.len().min() > 20


def test_explain_contributions_add_up_and_name_the_reasons():
    acc = portfolio()
    res = classify(acc)
    e = explain(acc, "A1", result=res)
    assert e.contributions["contribution"].sum() == pytest.approx(res.loc["A1", "key_score"])
    assert e.contributions.loc["focus", "contribution"] == 0.0  # weight 0 by default
    assert any(r.startswith("Trap - big but unprofitable") for r in e.reasons)
    assert any(r.startswith("Tier:") for r in e.reasons)
    assert "Recommendation for the team (not applied automatically)" in str(e)
    assert "<li>" in e._repr_html_()
    assert explain(acc, None) is None
    with pytest.raises(AccountNotFound, match="no account 'NOPE'"):
        explain(acc, "NOPE")


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"size": 1}, "found size, expected only big"),
        ({"big": -1}, "classification.weights.big: found -1, expected a number of 0 or more"),
        ({"big": 0}, "every weight is 0"),
    ],
)
def test_bad_weights_are_reported(weights, message):
    s = banks.load_settings()
    s["classification"]["weights"] = weights
    with pytest.raises(ClassificationSettingsError, match=message):
        classify(portfolio(), s)


def test_by_group_classifies_parent_and_subsidiaries_as_one():
    acc = portfolio()
    acc.loc["A4", "parent_id"] = "A3"
    acc.loc["A5", "parent_id"] = "A4"
    groups = classify(acc, by_group=True)
    assert groups.index.tolist() == ["A1", "A2", "A3"]
    assert groups.loc["A3", "members"] == 3 and groups.loc["A3", "revenue_12m"] == 130.0
    assert classify(acc).loc["A5", "group_id"] == "A3"


def test_portfolio_columns_plain_strings():
    cols = portfolio_columns(portfolio())
    assert cols.index.tolist() == ["A1", "A2", "A3", "A4", "A5"]
    assert cols["tier"].map(type).eq(str).all() and cols.loc["A2", "traps"] == ""
    assert {"tier", "is_key", "key_score", "partnership", "quadrant"} <= set(cols.columns)


def test_accounts_frame_with_account_id_column():
    acc = portfolio().reset_index(names="account_id").reset_index(drop=True)
    assert classify(acc).index.tolist() == ["A1", "A2", "A3", "A4", "A5"]


def write_book(folder: Path, settings: str | None = None, accounts: str | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "accounts.csv").write_text(accounts or (
        "account_id,name,revenue_12m,gross_margin_pct,strategic_fit,growth_potential,partner_willingness,transparency,our_willingness\n"
        "B1,Big,900,5,1,1,2,2,3\nB2,Fit,100,30,5,5,5,5,5\nB3,Small,50,20,2,2,3,3,3\n"
    ))
    (folder / "stakeholders.csv").write_text("stakeholder_id,account_id,name,influence,support\nS1,B1,Ann,5,4\n")
    (folder / "opportunities.csv").write_text("opportunity_id,account_id,name,kind,value\nO1,B1,Renewal,retain,100\n")
    (folder / "history.csv").write_text("account_id,assessed_on,strategic_fit,growth_potential\nB2,2025-01-01,3,3\n")
    if settings:
        (folder / "settings.yaml").write_text(settings)
    return folder


def test_workbook_settings_override_the_weights(tmp_path):
    plain = classify(load_workbook(write_book(tmp_path / "a", "as_of: 2026-11-01\n")))
    tuned = classify(load_workbook(write_book(tmp_path / "b", "as_of: 2026-11-01\nclassification:\n  weights: {strategic: 5}\n")))
    assert tuned.loc["B2", "key_score"] > plain.loc["B2", "key_score"]
    assert tuned.loc["B1", "key_score"] < plain.loc["B1", "key_score"]
    # the previous position comes from the history sheet
    assert plain.loc["B2", "prev_attractiveness"] < plain.loc["B2", "attractiveness"]
    assert plain.loc["B2", "prev_assessed_on"] == pd.Timestamp("2025-01-01")
    assert np.isnan(plain.loc["B1", "prev_attractiveness"])


def test_workbook_with_empty_judgement_columns(tmp_path):
    book = write_book(tmp_path / "c", accounts="account_id,name,revenue_12m,strategic_fit,service_demand\nB1,One,10,,\nB2,Two,20,,\n")
    wb = load_workbook(book)
    cov = coverage(wb)
    assert cov.loc["strategic", "status"] == "not computed" and cov.loc["demanding", "status"] == "not computed"
    assert cov.loc["big", "status"] == "computed"
    assert classify(wb).loc["B2", "key_score"] == 100.0


def test_sample_story_accounts():
    wb = load_workbook(SAMPLE)
    res = classify(wb)
    assert res.loc["ACC-001", "revenue_rank"] == 1
    assert "big but unprofitable" in res.loc["ACC-001", "traps"] and bool(res.loc["ACC-001", "disputed"])
    assert "small today but high potential" in res.loc["ACC-009", "traps"]
    assert "demanding but not important" in res.loc["ACC-010", "traps"]
    assert res.loc["ACC-009", "prev_attractiveness"] < res.loc["ACC-009", "attractiveness"]  # growth potential 3 -> 5
    groups = classify(wb, by_group=True)
    assert groups.loc["ACC-003", "members"] == 4


NOTEBOOK = ROOT / "notebooks" / "01_classification.ipynb"


def test_notebook_is_stored_thin_and_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert "parameters" in nb.cells[0].metadata.get("tags", [])
    assert nb.cells[2].source.startswith("# Classification: is this a key account?")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert not any("def " in c.source for c in code)


@pytest.mark.slow
def test_notebook_runs_on_the_sample(tmp_path):
    import papermill

    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"workbook": str(SAMPLE), "account_id": "ACC-009"}, cwd=str(NOTEBOOK.parent), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    charts = [o["data"] for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/svg+xml" in o.get("data", {})]
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert len(charts) == 2 and not any("image/png" in d for d in charts)  # partnership and matrix: one picture each
    assert all(d["text/plain"].startswith("Chart: ") for d in charts)  # each picture says in words what it shows
    assert "Why this account is classified as it is" in "".join("".join(c.source) for c in nb.cells)
    assert '<tr class="current"' in html and "Sunvale Hydrogen" in html and "Trap - small today but high potential" in html
