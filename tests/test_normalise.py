"""Normalising free text from plan lists (pure): recognised, or 'onbekend' with a reason — never a guess."""

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouwregie.ingest import normalise
from bouwregie.projects.enums import PlanStatus, PlanType


@pytest.mark.parametrize("text, code", [
    ("1A Onherroepelijk", "1A"), ("1B onhr + uitwerkingsplicht", "1B"),
    ("1C Onherroepelijk met wijzigingsbevoegdheid", "1C"), ("2A Vastgesteld", "2A"),
    ("2B vastgesteld + uitwerkingsplicht", "2B"), ("2C vastgesteld + Wijzigingsbevoegdheid", "2C"),
    ("3 plan/besluit in voorbereiding", "3"), ("4A potentiele locatie in visie", "4A"),
    ("4A Potentiële locatie", "4A"), ("4B Optie", "4B"), ("onherroepelijk", "1A"), ("Vastgesteld", "2A"),
    ("Vastgesteld met uitwerkingsplicht", "2B"), ("in voorbereiding", "3"), ("1a", "1A"), ("2", "2A"),
    ("Status onbekend", "onbekend"), ("", "onbekend"), (None, "onbekend"),
    ("4B potentiele locatie optie", "4B"), ("1B Onherroepelijk", "1B"), ("2B vastgesteld", "2B"),
    ("4B potentiële locatie", "4B"),  # case 09 and others: the words name the group, the code the letter: no doubt
    ("hard", "hard"), ("Zacht", "zacht"), ("Harde plancapaciteit", "hard"),  # hardness known, IPO code not
    ("Planologisch hard", "hard"), ("4 Potentiële locatie", "4A"), ("5 onbekend", "onbekend"),
])  # fmt: skip
def test_plan_status_spellings(text, code):
    assert normalise.plan_status(text) == (code, None)


@pytest.mark.parametrize("text, fragment", [
    ("iets anders", "niet herkend"), ("4", "niet eenduidig"),
    ("1A vastgesteld", "verschillen; code gebruikt"), ("1B onherroepelijk met wijzigingsbevoegdheid", "verschillen"),
])  # fmt: skip
def test_doubtful_statuses_come_with_a_reason(text, fragment):
    code, warning = normalise.plan_status(text)
    assert fragment in warning
    assert code == {"1A vastgesteld": "1A", "4": "zacht", "1B onherroepelijk met wijzigingsbevoegdheid": "1B"}.get(
        text, "onbekend"
    )


@given(st.text(max_size=60))
def test_status_is_recognised_or_unknown_with_a_reason(text):
    code, warning = normalise.plan_status(text)
    assert code in PlanStatus.values
    if code == "onbekend" and warning is None:
        simple = normalise.simplify(text)  # said to be unknown: in words, or as the IPO legend's 5
        in_words = simple in ("", "onbekend", "status onbekend", "niet bekend", "nb")
        assert in_words or re.match(r"(status )?5( |$)", simple)


@pytest.mark.parametrize("text, code", [
    ("Uitleg", "uitleg"), ("uitbreiding", "uitleg"), ("Inbreiding", "verdichting"), ("Transformatie", "transformatie"),
    ("herstructurering", "herstructurering"), ("Transformatie kantoren", "functieverandering_kantoren"),
    ("Functieverandering maatschappelijk", "functieverandering_maatschappelijk"), ("Flexwonen", "flex"),
    ("woningsplitsing", "optoppen_splitsen"), ("verdichting", "verdichting"), ("", "onbekend"),
])  # fmt: skip
def test_plan_type_spellings(text, code):
    assert normalise.plan_type(text) == (code, None)


@given(st.text(max_size=40))
def test_plan_type_never_crashes_and_never_guesses_silently(text):
    code, warning = normalise.plan_type(text)
    assert code in PlanType.values
    assert code != "onbekend" or warning or normalise.simplify(text) in ("", "onbekend")


@pytest.mark.parametrize("value, expected", [
    ("1.234", (1234, None)), ("12", (12, None)), ("12,0", (12, None)), (12.0, (12, None)), (7, (7, None)),
    ("1 234", (1234, None)), ("-5", (-5, None)), ("", (None, None)), (None, (None, None)),
])  # fmt: skip
def test_counts_in_dutch_notation(value, expected):
    assert normalise.count(value) == expected


@pytest.mark.parametrize("value", ["12,5", "abc", 2.5, "1.5", "nan", True])
def test_non_counts_are_refused(value):
    number, error = normalise.count(value)
    assert number is None and error


@given(st.one_of(st.text(max_size=20), st.floats(), st.integers()))
def test_count_never_crashes(value):
    number, error = normalise.count(value)
    assert (number is None) or isinstance(number, int)


def test_periods_spread_evenly_with_the_remainder_first():
    assert normalise.spread(103, 2025, 2029) == {"2025": 21, "2026": 21, "2027": 21, "2028": 20, "2029": 20}
    assert normalise.spread(17, 2030, 2034) == {"2030": 4, "2031": 4, "2032": 3, "2033": 3, "2034": 3}
    assert normalise.spread(3, 2025, 2029) == {"2025": 1, "2026": 1, "2027": 1}


@pytest.mark.parametrize("value, expected", [
    ("2025-07-01", date(2025, 7, 1)), ("01-07-2025", date(2025, 7, 1)), ("1/7/2025", date(2025, 7, 1)),
    (45839, date(2025, 7, 1)), (date(2025, 7, 1), date(2025, 7, 1)),
])  # fmt: skip
def test_dates(value, expected):
    assert normalise.day(value) == (expected, None)


def test_bottlenecks_by_code_or_label():
    assert normalise.bottlenecks("Netcongestie; water en bodem;stikstof") == (
        ("netcongestie", "stikstof", "water_bodem"),
        [],
    )
    found, warnings = normalise.bottlenecks("netcongestie; regen")
    assert found == ("netcongestie",) and warnings == ["Knelpunt 'regen' niet herkend; weggelaten."]
