"""Cell parsing: numbers as Excel writes them, dates, answer words, formulas kept as text."""
import datetime as dt

import pytest

from kamnb.workbook.parsing import looks_like_formula, normalise_choice, parse_date, parse_number
from kamnb.workbook.schema import ANSWERS


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1250000", 1250000.0),
        ("1,250,000", 1250000.0),
        ("1,250,000.75", 1250000.75),
        ("1.250.000", 1250000.0),
        ("1.250.000,75", 1250000.75),
        ("1 250 000", 1250000.0),
        ("1\u00a0250\u00a0000", 1250000.0),
        ("12,5", 12.5),
        ("€ 4,200", 4200.0),
        ("4200 EUR", 4200.0),
        ("32%", 32.0),
        ("-15.5", -15.5),
        ("1'250'000", 1250000.0),
    ],
)
def test_numbers_as_people_write_them(text, expected):
    assert parse_number(text) == (expected, None)


@pytest.mark.parametrize("text", ["abc", "12abc", "1,2,3,4.5.6", "nan", "inf", "--"])
def test_non_numbers_are_refused(text):
    value, reason = parse_number(text)
    assert value is None and reason == "not a number"


def test_formula_is_never_a_number():
    assert parse_number("=SUM(A1:A3)") == (None, "a formula (formulas are not evaluated)")
    assert looks_like_formula('=HYPERLINK("http://x","y")')


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-03-31", dt.date(2026, 3, 31)),
        ("31/03/2026", dt.date(2026, 3, 31)),
        ("31.03.2026", dt.date(2026, 3, 31)),
        ("2026-03-31 00:00:00", dt.date(2026, 3, 31)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", ["2026-02-30", "31/13/2026", "next week", "2026"])
def test_impossible_dates(text):
    assert parse_date(text) == (None, "not a date")


@pytest.mark.parametrize(
    "typed, word",
    [("Yes", "yes"), (" YES ", "yes"), ("y", "yes"), ("Partly", "partly"), ("partial", "partly"), ("NO", "no"),
     ("Unknown", "unknown"), ("?", "unknown"), ("don't know", "unknown"), ("Don't Know", "unknown")],
)
def test_answer_words_a_person_would_type(typed, word):
    assert normalise_choice(typed, ANSWERS) == (word, None)


def test_unknown_answer_word():
    assert normalise_choice("maybe", ANSWERS) == (None, "not one of the allowed words")
