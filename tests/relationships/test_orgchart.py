"""The buying organisation: reporting lines validated, laid out as a chart, and coverage along the lines."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_mini

from kamnb.cli import main
from kamnb.plots.orgchart import org_chart
from kamnb.relationships.orgchart import influence_links, line_coverage, line_summary, org_layout
from kamnb.relationships.summary import contact_summary
from kamnb.workbook import check_workbook, load_workbook

HEADER = "stakeholder_id,account_id,name,title,influence,support,decision_role,contact_owner,reports_to,influences\n"
PEOPLE = (
    "S1,A1,Ann Lee,CEO,5,3,economic_buyer,,,\n"
    "S2,A1,Bo Chen,COO,4,4,decision_maker,Jana Weber,S1,S4\n"
    "S3,A1,Cy Dorn,CFO,4,2,decision_maker,Tom Berg,S1,\n"
    "S4,A1,Di Eck,Head of Warehouse,3,5,user,Jana Weber,S2,\n"
    "S5,A1,Ed Funk,Head of Yard,2,3,user,,S2,S3\n"
    "S6,A2,Fay Gold,CFO,4,3,economic_buyer,Tom Berg,,\n"
)


def book(tmp_path: Path, people: str) -> Path:
    folder = write_mini(tmp_path / "org")
    (folder / "stakeholders.csv").write_text(HEADER + people, encoding="utf-8")
    return folder


def errors(folder: Path) -> list[str]:
    _, problems = check_workbook(folder)
    return [str(p) for p in problems if p.level == "error"]


def test_unknown_ids_are_errors(tmp_path: Path) -> None:
    bad = PEOPLE.replace("S4,A1,Di Eck,Head of Warehouse,3,5,user,Jana Weber,S2,", "S4,A1,Di Eck,Head of Warehouse,3,5,user,Jana Weber,S9,")
    bad = bad.replace("Tom Berg,S1,\n", "Tom Berg,S1,S2; S77\n")
    found = errors(book(tmp_path, bad))
    assert "stakeholders.csv, row 5, column reports_to: found 'S9', expected an id from the stakeholders sheet" in found
    assert "stakeholders.csv, row 4, column influences: found 'S77', expected ids from the stakeholders sheet separated by ';' (this one is not a stakeholder)" in found
    assert len(found) == 2, found


def test_other_account_and_self_are_errors(tmp_path: Path) -> None:
    bad = PEOPLE.replace("S6,A2,Fay Gold,CFO,4,3,economic_buyer,Tom Berg,,", "S6,A2,Fay Gold,CFO,4,3,economic_buyer,Tom Berg,S1,S6")
    bad = bad.replace("S1,A1,Ann Lee,CEO,5,3,economic_buyer,,,", "S1,A1,Ann Lee,CEO,5,3,economic_buyer,,S1,")
    found = errors(book(tmp_path, bad))
    assert "stakeholders.csv, row 7, column reports_to: found 'S1', expected a stakeholder of the same account A2 (S1 is at A1)" in found
    assert "stakeholders.csv, row 2, column reports_to: found 'S1', expected the id of someone else (a person cannot report to themself)" in found


def test_cycle_named_link_by_link(tmp_path: Path) -> None:
    cyc = PEOPLE.replace("S1,A1,Ann Lee,CEO,5,3,economic_buyer,,,", "S1,A1,Ann Lee,CEO,5,3,economic_buyer,,S4,")
    folder = book(tmp_path, cyc)
    found = errors(folder)
    assert found == [
        "stakeholders.csv, row 2, column reports_to: found 'S4', expected a reporting line that ends at the top of the organisation "
        "(cycle S1 -> S4 -> S2 -> S1)"
    ]
    # S3 and S5 report into the cycle but are not part of it: one problem, not five.
    code = main(["validate", str(folder)])
    assert code != 0


def test_cli_validate_names_the_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cyc = PEOPLE.replace("S1,A1,Ann Lee,CEO,5,3,economic_buyer,,,", "S1,A1,Ann Lee,CEO,5,3,economic_buyer,,S2,")
    main(["validate", str(book(tmp_path, cyc))])
    out = capsys.readouterr()
    assert "cycle S1 -> S2 -> S1" in out.out + out.err


def test_layout_and_coverage_along_the_lines(tmp_path: Path) -> None:
    wb = load_workbook(book(tmp_path, PEOPLE))
    lay = org_layout(wb, "A1")
    assert lay["depth"].sort_index().tolist() == [0, 1, 1, 2, 2]
    assert lay.loc["S1", "x"] == pytest.approx((lay.loc["S2", "x"] + lay.loc["S3", "x"]) / 2)
    assert lay.loc["S4", "x"] < lay.loc["S5", "x"] < lay.loc["S3", "x"]
    assert influence_links(wb, "A1").values.tolist() == [["S2", "S4"], ["S5", "S3"]]
    cov = line_coverage(wb, "A1")
    # Bo Chen and Cy Dorn report to Ann Lee, whom none of ours reaches.
    assert cov.iloc[0].to_dict() == {"decision_maker": "Bo Chen", "reports_to": "Ann Lee", "manager_reached": False, "our_people": "–",
                                     "influenced_by": "–"}
    assert cov.set_index("decision_maker").loc["Cy Dorn", "influenced_by"] == "Ed Funk"
    assert cov.set_index("decision_maker").loc["Ann Lee", "reports_to"] == "(top of the organisation)"
    assert line_summary(wb, "A1") == (2, 2)
    summary = contact_summary(wb, "A1")
    assert summary.loc["Decision-makers whose manager none of ours reaches", "value"] == "2 of 2 with a manager on the sheet"
    fig = org_chart(wb, "A1")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Ann Lee" in texts and "infl. 5 · neutral · not reached" in texts
    fig.savefig(tmp_path / "org.png")


def test_without_lines_the_summary_is_unchanged(mini_book: Path) -> None:
    summary = contact_summary(load_workbook(mini_book), "A1")
    assert not any("manager" in m for m in summary.index)
