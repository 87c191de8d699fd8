"""Name matching: codes, spelling variants and former municipalities resolve to today's municipality."""

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouwregie.geo import reference
from bouwregie.geo.matching import (
    AmbiguousMunicipality,
    MunicipalityMatcher,
    MunicipalityNotFound,
    normalise_name,
)


@cache
def matcher() -> MunicipalityMatcher:
    municipalities = [(m["gemeentecode"], m["gemeentenaam"]) for m in reference.read_municipalities()]
    mergers = [
        (r["voormalige_code"], r["voormalige_naam"], r["opvolger_code"], r["datum"], r["toelichting"])
        for r in reference.read_mergers()
    ]
    return MunicipalityMatcher(municipalities, reference.read_variants(), mergers)


@pytest.mark.parametrize(
    "text",
    [
        "GM0363",
        "gm0363",
        "0363",
        "363",
        " GM363 ",
        "Amsterdam",
        "AMSTERDAM",
        "gemeente Amsterdam",
        "Weesp",
        "GM0457",
    ],
)
def test_amsterdam_in_every_spelling(text):
    assert matcher().resolve(text).code == "GM0363"


@pytest.mark.parametrize(
    "text, code",
    [
        ("'s-Gravenhage", "GM0518"),
        ("Den Haag", "GM0518"),
        ("den haag", "GM0518"),
        ("s Gravenhage", "GM0518"),
        ("Súdwest-Fryslân", "GM1900"),
        ("Sudwest-Fryslan", "GM1900"),
        ("sudwest fryslan", "GM1900"),
        ("'s-Hertogenbosch", "GM0796"),
        ("Den Bosch", "GM0796"),
        ("Hengelo", "GM0164"),
        ("Hengelo (O.)", "GM0164"),
        ("Nuenen", "GM0820"),
        ("Nuenen, Gerwen en Nederwetten", "GM0820"),
        ("Middelburg", "GM0687"),
        ("Noardeast-Fryslân", "GM1970"),
        ("Dijk en Waard", "GM1980"),
    ],
)
def test_spelling_variants(text, code):
    assert matcher().resolve(text).code == code


def test_former_municipality_resolves_with_a_note():
    match = matcher().resolve("Heerhugowaard")
    assert (match.code, match.via) == ("GM1980", "herindeling")
    assert "Dijk en Waard" in match.note and "2022-01-01" in match.note


def test_names_that_exist_twice_are_refused_with_both_candidates():
    with pytest.raises(AmbiguousMunicipality) as error:
        matcher().resolve("Bergen")
    assert error.value.candidates == ["Bergen (NH.)", "Bergen (L.)"]
    assert "niet eenduidig" in str(error.value)


def test_split_municipality_is_refused_listing_its_successors():
    with pytest.raises(AmbiguousMunicipality) as error:
        matcher().resolve("Haaren")
    assert set(error.value.candidates) == {"Boxtel", "Oisterwijk", "Tilburg", "Vught"}


def test_unknown_name_suggests_close_matches_in_dutch():
    with pytest.raises(MunicipalityNotFound) as error:
        matcher().resolve("Amsterdm")
    assert "Amsterdam" in error.value.suggestions
    assert str(error.value).startswith("Onbekende gemeente 'Amsterdm'. Bedoelde u: Amsterdam")


def test_unknown_code_is_refused():
    with pytest.raises(MunicipalityNotFound):
        matcher().resolve("GM9999")


def test_every_current_name_and_code_resolves_to_itself():
    for m in reference.read_municipalities():
        assert matcher().resolve(m["gemeentenaam"]).code == m["gemeentecode"]
        assert matcher().resolve(m["gemeentecode"][2:]).code == m["gemeentecode"]


@given(st.text(max_size=40))
def test_resolve_never_fails_other_than_with_a_clear_error(text):
    try:
        match = matcher().resolve(text)
    except (MunicipalityNotFound, AmbiguousMunicipality) as error:
        assert str(error)
    else:
        assert match.code.startswith("GM") and len(match.code) == 6


@given(st.text(max_size=40))
def test_normalising_twice_changes_nothing(text):
    assert normalise_name(normalise_name(text)) == normalise_name(text)
