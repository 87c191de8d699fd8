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
    NotAMunicipality,
    SplitMunicipality,
    matcher_from_database,
    normalise_name,
)


@cache
def matcher() -> MunicipalityMatcher:
    municipalities = [
        (m["gemeentecode"], m["gemeentenaam"], m["provinciecode"]) for m in reference.read_municipalities()
    ]
    mergers = [
        (r["voormalige_code"], r["voormalige_naam"], r["opvolger_code"], r["datum"], r["toelichting"],
         r["voormalige_provinciecode"])
        for r in reference.read_mergers()
    ]  # fmt: skip
    return MunicipalityMatcher(municipalities, reference.read_variants(), mergers, reference.read_split_places())


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


# --- Issue 15: municipalities resolved as a civil servant would -------------------------------------------------
# Expected codes: CBS, Gemeentelijke indeling op 1 januari 2025 (data/gemeenten_2025.csv); spellings as CBS
# StatLine writes them (case 02 in shared/cases/ingest).


@pytest.mark.parametrize(
    "text, code",
    [
        ("Utrecht (gemeente)", "GM0344"),
        ("Groningen (gemeente)", "GM0014"),
        ("'s-Gravenhage (gemeente)", "GM0518"),
        ("Hengelo (O.)", "GM0164"),
        ("Laren (NH.)", "GM0417"),
        ("Bergen (NH.)", "GM0373"),
        ("Bergen (L.)", "GM0893"),
        ("Bergen (NH)", "GM0373"),
        ("Bergen NH", "GM0373"),
        ("Bergen (Noord-Holland)", "GM0373"),
        ("Bergen (Limburg)", "GM0893"),
        ("Rijswijk (ZH.)", "GM0603"),
        ("Middelburg (Z.)", "GM0687"),
        ("Beek (L.)", "GM0888"),
        ("Stein (L.)", "GM0971"),
    ],
)
def test_cbs_statline_spellings_resolve(text, code):
    assert matcher().resolve(text).code == code


def test_case_02_cbs_gemeente_suffix_four_rows_185_homes():
    rows = [
        ("Utrecht (gemeente)", 100),
        ("Groningen (gemeente)", 50),
        ("'s-Gravenhage (gemeente)", 25),
        ("Utrecht", 10),
    ]
    resolved = [(matcher().resolve(name).code, homes) for name, homes in rows]
    assert [code for code, _homes in resolved] == ["GM0344", "GM0014", "GM0518", "GM0344"]
    assert sum(homes for _code, homes in resolved) == 185


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Utrecht (regio)", "regio"),
        ("Groningen (regio)", "regio"),
        ("Utrecht (PV)", "provincie"),
        ("Utrecht (provincie)", "provincie"),
        ("Noord-Holland", "provincie"),
        ("PV27", "provincie"),
        ("Noord-Nederland (LD)", "landsdeel"),
        ("Groot-Amsterdam (CR)", "COROP-gebied"),
        ("Regio Utrecht", "regio"),
        ("Nederland", "land"),
    ],
)
def test_regions_and_provinces_are_refused_by_name(text, kind):
    with pytest.raises(NotAMunicipality) as error:
        matcher().resolve(text)
    assert str(error.value) == f"'{text}' is een {kind}, geen gemeente; alleen een gemeente kan worden toegewezen."
    assert isinstance(error.value, MunicipalityNotFound)  # callers that catch 'not found' keep working


@pytest.mark.parametrize(
    "province",
    ["Noord-Holland", "Noord Holland", "NH", "N-H", "N.H.", "PV27", "27", "pv 27", "Provincie Noord-Holland"],
)
def test_bergen_in_noord_holland_by_the_province_column(province):
    match = matcher().resolve("Bergen", province=province)
    assert (match.code, match.name, match.via, match.warning) == ("GM0373", "Bergen (NH.)", "provincie", "")


@pytest.mark.parametrize("province", ["Limburg", "L", "L.", "LI", "PV31", "31", "NL-LI"])
def test_bergen_in_limburg_by_the_province_column(province):
    assert matcher().resolve("Bergen", province=province).code == "GM0893"


@pytest.mark.parametrize("spelling", ["Fryslân", "Fryslan", "Friesland", "FR", "PV21", "21", "Provincie Fryslân"])
def test_every_usual_spelling_of_a_province_is_read(spelling):
    assert matcher().province_code(spelling) == "PV21"


def test_bergen_without_a_fitting_province_stays_ambiguous_with_both():
    for province in (None, "", "Utrecht", "onbekend"):
        with pytest.raises(AmbiguousMunicipality) as error:
            matcher().resolve("Bergen", province=province)
        assert error.value.candidates == ["Bergen (NH.)", "Bergen (L.)"]


def test_a_province_that_contradicts_an_unambiguous_name_is_a_warning_not_an_error():
    match = matcher().resolve("Zwolle", province="Limburg")
    assert match.code == "GM0193"
    assert match.warning == (
        "Provincie 'Limburg' past niet bij gemeente Zwolle (Overijssel); de gemeente is op naam bepaald."
    )
    assert matcher().resolve("Zwolle", province="Overijssel").warning == ""
    assert matcher().resolve("Zwolle").warning == ""


def test_a_former_municipality_fits_the_province_it_lay_in_then_and_now():
    # Leerdam lay in Zuid-Holland until 2019; Vijfheerenlanden lies in Utrecht (herindelingen.csv).
    for province in ("Zuid-Holland", "Utrecht"):
        assert matcher().resolve("Leerdam", province=province).warning == ""
    assert "Limburg" in matcher().resolve("Leerdam", province="Limburg").warning


def test_a_province_suffix_in_the_name_that_does_not_fit_is_another_municipality():
    # Hengelo (Gld.) merged into Bronckhorst in 2005; it is not Hengelo (O.).
    with pytest.raises(MunicipalityNotFound) as error:
        matcher().resolve("Hengelo (Gld.)")
    assert error.value.suggestions == ["Hengelo (O.)"]


# Reorganisations 2011-2017 (CBS, Gemeentelijke indelingen per jaar / Overzicht gemeentelijke herindelingen),
# each former municipality to the municipality that holds it on 1 January 2025.
FORMER_TO_CURRENT = {
    "Bolsward": "Súdwest-Fryslân", "Sneek": "Súdwest-Fryslân", "Nijefurd": "Súdwest-Fryslân",
    "Wymbritseradiel": "Súdwest-Fryslân", "Wûnseradiel": "Súdwest-Fryslân", "Menaldumadeel": "Waadhoeke",
    "Menameradiel": "Waadhoeke", "Abcoude": "De Ronde Venen", "Breukelen": "Stichtse Vecht", "Loenen": "Stichtse Vecht",
    "Maarssen": "Stichtse Vecht", "Andijk": "Medemblik", "Wervershoof": "Medemblik",
    "Bodegraven": "Bodegraven-Reeuwijk",
    "Reeuwijk": "Bodegraven-Reeuwijk", "Lith": "Oss", "Eijsden": "Eijsden-Margraten", "Margraten": "Eijsden-Margraten",
    "Anna Paulowna": "Hollands Kroon", "Niedorp": "Hollands Kroon", "Wieringen": "Hollands Kroon",
    "Wieringermeer": "Hollands Kroon", "Harenkarspel": "Schagen", "Zijpe": "Schagen", "Dirksland": "Goeree-Overflakkee",
    "Goedereede": "Goeree-Overflakkee", "Middelharnis": "Goeree-Overflakkee", "Oostflakkee": "Goeree-Overflakkee",
    "Graafstroom": "Molenlanden", "Liesveld": "Molenlanden", "Nieuw-Lekkerland": "Molenlanden",
    "Molenwaard": "Molenlanden", "Boskoop": "Alphen aan den Rijn", "Rijnwoude": "Alphen aan den Rijn",
    "Skarsterlân": "De Fryske Marren", "Lemsterland": "De Fryske Marren", "Gaasterlân-Sleat": "De Fryske Marren",
    "De Friese Meren": "De Fryske Marren", "Graft-De Rijp": "Alkmaar", "Schermer": "Alkmaar",
    "Bergambacht": "Krimpenerwaard", "Nederlek": "Krimpenerwaard", "Ouderkerk": "Krimpenerwaard",
    "Schoonhoven": "Krimpenerwaard", "Vlist": "Krimpenerwaard", "Bernisse": "Nissewaard", "Spijkenisse": "Nissewaard",
    "Millingen aan de Rijn": "Berg en Dal", "Ubbergen": "Berg en Dal", "Groesbeek": "Berg en Dal",
    "Bussum": "Gooise Meren", "Muiden": "Gooise Meren", "Naarden": "Gooise Meren", "Zeevang": "Edam-Volendam",
    "Schijndel": "Meierijstad", "Sint-Oedenrode": "Meierijstad", "Veghel": "Meierijstad",
}  # fmt: skip


@pytest.mark.parametrize("former, current", sorted(FORMER_TO_CURRENT.items()))
def test_municipalities_reorganised_2011_to_2017_resolve_to_todays(former, current):
    match = matcher().resolve(former)
    assert (match.name, match.via) == (current, "herindeling")
    assert former in match.note and current in match.note


@pytest.mark.parametrize(
    "code, current, step",
    [("GM0693", "GM1978", "Molenwaard"), ("GM0083", "GM1949", "Menameradiel"), ("GM1921", "GM1940", "hernoemd")],
)
def test_chains_of_reorganisations_end_at_todays_municipality_and_say_the_step(code, current, step):
    match = matcher().resolve(code)
    assert match.code == current
    assert step in match.note


# Case 10 (shared/cases/ingest/10-winsum-split.csv): Winsum was split on 2019-01-01; the former Ezinge villages
# Ezinge, Feerwerd and Garnwerd went to Westerkwartier, the rest to Het Hogeland (Wet samenvoeging Bedum, De
# Marne, Eemsmond en Winsum; herindelingsadvies Westerkwartier, 2017).
def test_case_10_winsum_split_resolved_by_the_place():
    w1 = matcher().resolve("Winsum", place="Winsum")
    w2 = matcher().resolve("Winsum", place="Ezinge")
    assert (w1.code, w1.name, w1.via) == ("GM1966", "Het Hogeland", "woonplaats")
    assert (w2.code, w2.name, w2.via) == ("GM1969", "Westerkwartier", "woonplaats")
    assert w2.note == "Winsum (woonplaats Ezinge) → Westerkwartier (2019-01-01)"
    with pytest.raises(SplitMunicipality) as error:
        matcher().resolve("Winsum", place="")
    assert error.value.candidates == ["Het Hogeland", "Westerkwartier"]
    assert str(error.value) == (
        "Gemeente 'Winsum' is op 2019-01-01 opgeheven en verdeeld over Het Hogeland, Westerkwartier; geef de "
        "woonplaats van het plan (Winsum → Het Hogeland, Ezinge → Westerkwartier) of de huidige gemeente."
    )


@pytest.mark.parametrize(
    "former, place, current",
    [
        ("Haaren", "Haaren", "Oisterwijk"),
        ("Haaren", "Biezenmortel", "Tilburg"),
        ("Haaren", "Esch", "Boxtel"),
        ("Haaren", "Helvoirt", "Vught"),
        ("GM0788", "helvoirt", "Vught"),
        ("Maasdonk", "Geffen", "Oss"),
        ("Maasdonk", "Nuland", "'s-Hertogenbosch"),
        ("Maasdonk", "Vinkel", "'s-Hertogenbosch"),
        ("Boarnsterhim", "Grou", "Leeuwarden"),
        ("Boarnsterhim", "Grouw", "Leeuwarden"),
        ("Boarnsterhim", "Akkrum", "Heerenveen"),
        ("Boarnsterhim", "Terherne", "De Fryske Marren"),
        ("Boarnsterhim", "Raerd", "Súdwest-Fryslân"),
        ("Littenseradiel", "Mantgum", "Leeuwarden"),
        ("Littenseradiel", "Jorwerd", "Leeuwarden"),
        ("Littenseradiel", "Wommels", "Súdwest-Fryslân"),
        ("Littenseradiel", "Winsum", "Waadhoeke"),
        ("Littenseradiel", "Spannum", "Waadhoeke"),
        ("Winsum", "Garnwerd", "Westerkwartier"),
        ("Winsum", "Baflo", "Het Hogeland"),
        ("Winsum", "Westerkwartier", "Westerkwartier"),  # the place column naming today's municipality
    ],
)
def test_split_municipalities_resolved_by_the_place(former, place, current):
    match = matcher().resolve(former, place=place)
    assert (match.name, match.via) == (current, "woonplaats")


def test_a_split_municipality_with_an_unknown_place_is_refused_naming_the_place_and_the_options():
    with pytest.raises(SplitMunicipality) as error:
        matcher().resolve("Haaren", place="Amsterdam")
    assert set(error.value.candidates) == {"Boxtel", "Oisterwijk", "Tilburg", "Vught"}
    assert "'Amsterdam'" in str(error.value) and "Esch → Boxtel" in str(error.value)


def test_a_place_given_for_a_municipality_that_was_not_split_is_ignored():
    assert matcher().resolve("Zwolle", place="Ezinge") == matcher().resolve("Zwolle")
    assert matcher().resolve("Heerhugowaard", place="Winsum").code == "GM1980"


def test_a_current_name_wins_over_a_former_one():
    # Bergen (NH.) and Bergen (L.) keep 'Bergen' ambiguous even with former names in the table; Groningen stays
    # the municipality although Haren and Ten Boer merged into it.
    current = MunicipalityMatcher(
        [("GM0373", "Bergen (NH.)", "PV27"), ("GM0893", "Bergen (L.)", "PV31"), ("GM0014", "Groningen", "PV20")],
        mergers=[
            ("GM9001", "Bergen", "GM0014", "2000-01-01", "test"),
            ("GM9002", "Groningen", "GM0373", "2000-01-01", ""),
        ],
    )
    with pytest.raises(AmbiguousMunicipality):
        current.resolve("Bergen")
    assert current.resolve("Groningen").code == "GM0014"


def test_answers_and_refusals_are_remembered_per_value_province_and_place():
    m = matcher()
    assert m.resolve("Winsum", place="Ezinge") is m.resolve("Winsum", place="Ezinge")
    first = second = None
    try:
        m.resolve("Amsterdm")
    except MunicipalityNotFound as error:
        first = error
    try:
        m.resolve("Amsterdm")
    except MunicipalityNotFound as error:
        second = error
    assert first is second and first.__traceback__ is not None


@pytest.mark.django_db
def test_the_matcher_from_the_database_knows_provinces_places_and_former_provinces():
    m = matcher_from_database()
    assert m.resolve("Bergen", province="Limburg").code == "GM0893"
    assert m.resolve("Winsum", place="Ezinge").code == "GM1969"
    assert m.resolve("Graafstroom").code == "GM1978"
    assert m.resolve("Leerdam", province="Zuid-Holland").warning == ""
    assert m.resolve("Zwolle", province="Limburg").warning
    with pytest.raises(SplitMunicipality):
        m.resolve("Winsum")


@given(st.text(max_size=30), st.text(max_size=12), st.text(max_size=12))
def test_resolve_with_province_and_place_never_fails_other_than_with_a_clear_error(text, province, place):
    try:
        match = matcher().resolve(text, province=province, place=place)
    except (MunicipalityNotFound, AmbiguousMunicipality) as error:
        assert str(error)
    else:
        assert match.code.startswith("GM") and len(match.code) == 6


def test_a_code_read_from_a_spreadsheet_as_a_number_resolves():
    assert matcher().resolve("363.0").code == "GM0363"
    assert matcher().resolve(363).code == "GM0363"


@pytest.mark.parametrize("written, code", [
    ("Capelle a/d IJssel", "GM0502"), ("Alphen a/d Rijn", "GM0484"), ("Alphen a.d. Rijn", "GM0484"),
    ("Krimpen a/d IJssel", "GM0542"), ("Valkenburg a/d Geul", "GM0994"),
])  # fmt: skip
def test_the_shorthand_for_aan_den_resolves(written, code):
    assert matcher().resolve(written).code == code
