"""The workshop widgets driven from Python, as the browser would drive them: values in, journal rows and summary out."""
from __future__ import annotations

import sqlite3

import pytest

from kamnb.workshop.session import WorkshopSession
from kamnb.workshop.summary import summary
from kamnb.workshop.widgets import find_widget, workshop_app
from kamnb.workshop.widgets.summary import grid_svg


def _tab(app, title):
    from kamnb.workshop.widgets.tabs import TAB_TITLES

    app.tabs.selected_index = TAB_TITLES.index(title)  # as a person clicks the tab
    return app.tabs.children[TAB_TITLES.index(title)]


def _rows(book):
    with sqlite3.connect(book / "journal.sqlite") as conn:
        return conn.execute('SELECT who, sheet, "column", old, new, op FROM changes ORDER BY seq').fetchall()


def test_answer_button_writes_journal_and_moves_summary(mini_book):
    app = workshop_app(mini_book, "A1", who="Ann")
    assert "0 / 0 / 0" in app.summary.value  # O2 has no answers yet
    buttons = find_widget(_tab(app, "Qualification"), "kamnb-answer-budget")
    buttons.value = "yes"
    assert _rows(mini_book) == [("Ann", "qualification", "answer", "partly", "yes", "set")]
    assert 'data-opportunity="O1"' in app.summary.value
    assert "2 / 0 / 0" in app.summary.value  # O1: budget now yes, preference yes
    assert "Saved change #1: Ann" in app.status.value


def _messages(widget):
    """Every red message shown under ``widget``."""
    found = []
    if "⚠" in str(getattr(widget, "value", "")):
        found.append(widget.value)
    for child in getattr(widget, "children", ()):
        found += _messages(child)
    return found


def test_out_of_range_score_is_refused_visibly_and_not_written(mini_book):
    app = workshop_app(mini_book, "A1", who="Ann")
    tab = _tab(app, "Classification")
    field = find_widget(tab, "kamnb-judgement-growth_potential")
    field.value = "7"
    assert field.value == "4"  # put back
    assert ["a score from 1 to 5 (out of range)" in m for m in _messages(tab)] == [True]
    assert not (mini_book / "journal.sqlite").exists()


def test_bad_due_date_is_refused(mini_book):
    app = workshop_app(mini_book, "A1", who="Ann")
    due = find_widget(_tab(app, "Actions"), "kamnb-due-AC1")
    due.value = "31.02.2026"
    assert due.value == "2026-12-15"
    due.value = "20.01.2027"
    assert _rows(mini_book) == [("Ann", "actions", "due", "2026-12-15", "2027-01-20", "set")]


def test_evidence_needs_a_score_first(mini_book):
    app = workshop_app(mini_book, "A1", who="Ann")
    tab = _tab(app, "Relationship")
    evidence = find_widget(tab, "kamnb-indicator-evidence-shared_plans")
    evidence.value = "They showed us the 2027 plan"
    assert evidence.value == ""
    find_widget(tab, "kamnb-indicator-shared_plans").value = "4"
    evidence.value = "They showed us the 2027 plan"
    assert [r[2:5] for r in _rows(mini_book)] == [("score", "", "4"), ("evidence", "", "They showed us the 2027 plan")]


def test_stakeholder_move_redraws_grid_and_is_listed_as_a_change(mini_book):
    app = workshop_app(mini_book, "A1", who="Ann")
    tab = _tab(app, "Stakeholders")
    grid = find_widget(tab, "kamnb-grid-box")
    before = grid.value
    find_widget(tab, "kamnb-support-S2").value = 5
    assert grid.value != before
    assert "Bo Chen: support 3 → 5" in app.summary.value  # since the 2025-10-01 placement


def test_add_and_remove_a_stakeholder(mini_book):
    app = workshop_app(mini_book, "A1", who="Ann")
    tab = _tab(app, "Stakeholders")
    find_widget(tab, "kamnb-new-person").value = "Dee Ford"
    find_widget(tab, "kamnb-add-person").click()
    wb = app.session.wb
    new_id = wb.stakeholders.index[wb.stakeholders["name"] == "Dee Ford"][0]
    assert "Dee Ford" in find_widget(_tab(app, "Stakeholders"), "kamnb-grid-box").value
    find_widget(_tab(app, "Stakeholders"), f"kamnb-remove-{new_id}").click()
    assert "Dee Ford" not in set(app.session.wb.stakeholders["name"])
    assert [r[5] for r in _rows(mini_book)] == ["add", "remove"]


def test_spread_shows_where_participants_disagree(mini_book):
    s = WorkshopSession(mini_book, who="Ann")
    s.change("accounts", {"account_id": "A1"}, "growth_potential", "5")
    s.who = "Bo"
    s.change("accounts", {"account_id": "A1"}, "growth_potential", "2")
    spread = s.spread("A1")
    assert spread.loc[0, ["item", "ratings", "lowest", "highest", "spread"]].tolist() == ["growth potential", "Ann: 5; Bo: 2", 2.0, 5.0, 3.0]
    assert summary(s, "A1")["spread"].equals(spread)


def test_undo_button_reverts_and_redraws(mini_book):
    app = workshop_app(mini_book, "A1", who="Ann")
    find_widget(_tab(app, "Classification"), "kamnb-judgement-strategic_fit").value = "2"
    assert app.session.wb.accounts.loc["A1", "strategic_fit"] == 2.0
    app.undo.click()
    assert app.session.wb.accounts.loc["A1", "strategic_fit"] == 4.0
    assert find_widget(_tab(app, "Classification"), "kamnb-judgement-strategic_fit").value == "4"


def test_reopen_shows_every_answer(mini_book):
    app = workshop_app(mini_book, "A1", who="Ann")
    find_widget(_tab(app, "Qualification"), "kamnb-answer-uniques").value = "no"
    del app
    again = workshop_app(mini_book, "A1", who="Bo")
    assert find_widget(_tab(again, "Qualification"), "kamnb-answer-uniques").value == "no"


def test_two_sessions_see_each_others_changes(mini_book):
    a = WorkshopSession(mini_book, who="Ann")
    b = WorkshopSession(mini_book, who="Bo")
    a.change("accounts", {"account_id": "A2"}, "transparency", "4")
    b.change("accounts", {"account_id": "A2"}, "strategic_fit", "5")
    assert b.wb.accounts.loc["A2", ["transparency", "strategic_fit"]].tolist() == [4.0, 5.0]
    a.sync()
    assert a.wb.accounts.loc["A2", ["transparency", "strategic_fit"]].tolist() == [4.0, 5.0]


def test_nameless_participant_is_asked_for_a_name(mini_book):
    s = WorkshopSession(mini_book, who=" ")
    change, error = s.change("accounts", {"account_id": "A1"}, "growth_potential", "5")
    assert change is None and "who is speaking" in error


@pytest.mark.slow
def test_review_button_writes_the_batch_page_with_workshop_answers(sample_copy):
    app = workshop_app(sample_copy, "ACC-001", who="Ann")
    find_widget(_tab(app, "Classification"), "kamnb-judgement-growth_potential").value = "5"
    app.review.click()
    assert "Review of ACC-001 written" in app.status.value, app.status.value
    html = sample_copy.parent / "reports" / "sample-workshop" / "accounts" / "ACC-001.html"
    assert str(html) in app.status.value
    assert "Nordlicht Logistics" in html.read_text(encoding="utf-8")


def test_grid_lists_everyone_or_says_how_many_more():
    people = [{"name": f"P{i}", "influence": 4, "support": 2} for i in range(9)]
    svg = grid_svg(people)
    assert "P0" in svg and "more" in svg


@pytest.mark.parametrize("query,expected", [("account=A2", "A2"), ("", "A1")])
def test_account_from_voila_query(mini_book, monkeypatch, query, expected):
    monkeypatch.setenv("QUERY_STRING", query)
    assert workshop_app(mini_book, None).account.value == expected


def test_one_account_view_scores_like_the_whole_portfolio(sample_copy):
    """The summary scores one account on a view of its own rows; the figures must equal the portfolio run."""
    qualification = pytest.importorskip("kamnb.qualification.score")
    relationship_score = pytest.importorskip("kamnb.relationships.score")
    from kamnb.workbook import load_workbook
    from kamnb.workshop.summary import one_account

    wb = load_workbook(sample_copy)
    everyone = qualification.score_opportunities(wb)
    scores = relationship_score.relationship_scores(wb)
    for aid in list(wb.accounts.index)[:6]:
        view = one_account(wb, aid)
        mine = qualification.score_opportunities(view)[["likelihood", "status"]]
        theirs = everyone[everyone["account_id"] == aid][["likelihood", "status"]]
        assert mine.reindex(theirs.index).equals(theirs), aid
        a, b = relationship_score.relationship_scores(view).loc[aid, "score"], scores.loc[aid, "score"]
        assert (a == pytest.approx(b)) or (a != a and b != b), aid


def test_a_stale_screen_cannot_edit_a_removed_person(mini_book):
    anna = workshop_app(mini_book, "A1", who="Anna")
    jonas = workshop_app(mini_book, "A1", who="Jonas")
    stale = _tab(jonas, "Stakeholders")  # Jonas's screen still shows Bo Chen
    find_widget(_tab(anna, "Stakeholders"), "kamnb-remove-S2").click()
    box = find_widget(stale, "kamnb-person-name")
    rows = [r for r in stale.children[0].children[1].children if "Bo Chen" in str(getattr(r.children[0].children[0], "value", ""))]
    name = rows[0].children[0].children[0]
    name.value = "Bo Chen-Li"
    message = rows[0].children[2].children[0].value
    assert "Bo Chen was removed by Anna at" in message and "not saved" in message
    assert [r[5] for r in _rows(mini_book)] == ["remove"]
    assert box is not None and "S2" not in WorkshopSession(mini_book).wb.stakeholders.index


def test_undo_names_what_it_undoes_and_redo_brings_it_back(mini_book):
    app = workshop_app(mini_book, "A1", who="Ann")
    find_widget(_tab(app, "Classification"), "kamnb-judgement-strategic_fit").value = "2"
    assert app.undo.description == "Undo strategic fit of Alpha Freight to “2”"
    assert app.redo.disabled
    app.undo.click()
    assert app.redo.description == "Redo strategic fit of Alpha Freight to “2”"
    app.redo.click()
    assert app.session.wb.accounts.loc["A1", "strategic_fit"] == 2.0
    app.session.who = "Bo"
    app.show()
    assert app.undo.disabled and app.undo.description == "Undo: nothing"  # Bo has made no change of his own
