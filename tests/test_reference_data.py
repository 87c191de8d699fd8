"""Reference data is complete and consistent (issue #2, 'How we will check')."""

import pytest
import shapely
from shapely.geometry import shape

from bouwregie.geo import reference
from bouwregie.geo.models import Municipality, MunicipalityMerger, Province

# Number of municipalities per province on 1 January 2025 (CBS, Gemeentelijke indeling 2025).
MUNICIPALITIES_PER_PROVINCE_2025 = {
    "Groningen": 10,
    "Fryslân": 18,
    "Drenthe": 12,
    "Overijssel": 25,
    "Flevoland": 6,
    "Gelderland": 51,
    "Utrecht": 26,
    "Noord-Holland": 44,
    "Zuid-Holland": 50,
    "Zeeland": 13,
    "Noord-Brabant": 56,
    "Limburg": 31,
}


def test_shipped_tables_are_complete():
    municipalities = reference.read_municipalities()
    assert len(municipalities) == 342
    assert len({m["gemeentecode"] for m in municipalities}) == 342
    assert len(reference.read_provinces()) == 12
    assert sum(a["homes"] for a in reference.read_provincial_agreements()) == 917_193


def test_boundaries_cover_exactly_the_listed_municipalities_with_valid_shapes():
    geometries = reference.municipality_geometries()
    listed = {m["gemeentecode"]: m["gemeentenaam"] for m in reference.read_municipalities()}
    assert set(geometries) == set(listed)
    for code, geometry in geometries.items():
        polygon = shape(geometry)
        assert polygon.is_valid and polygon.area > 0, code
        minx, miny, maxx, maxy = polygon.bounds
        assert 3.2 < minx and maxx < 7.3 and 50.7 < miny and maxy < 53.6, code  # inside the Netherlands


def test_each_municipality_lies_in_its_own_province_and_no_other():
    geometries = {c: shape(g) for c, g in reference.municipality_geometries().items()}
    members: dict[str, list] = {}
    for m in reference.read_municipalities():
        members.setdefault(m["provinciecode"], []).append(m["gemeentecode"])
    provinces = {p: shapely.union_all([geometries[c] for c in codes]).buffer(-0.001) for p, codes in members.items()}
    for province, codes in members.items():
        for code in codes:
            point = geometries[code].representative_point()
            inside = [p for p, polygon in provinces.items() if polygon.buffer(0.002).contains(point)]
            assert inside == [province], (code, inside)


@pytest.mark.django_db
def test_database_holds_reference_data_and_reloading_changes_nothing():
    assert Municipality.objects.count() == 342
    counts = {p.name: p.municipalities.count() for p in Province.objects.all()}
    assert counts == MUNICIPALITIES_PER_PROVINCE_2025
    assert sum(counts.values()) == 342  # every municipality in exactly one province
    before = list(MunicipalityMerger.objects.order_by("id").values_list("former_code", "successor_id"))
    assert reference.load_reference_data() == {
        "provincies": 12,
        "gemeenten": 342,
        "herindelingen": len(before),
    }
    assert list(MunicipalityMerger.objects.order_by("id").values_list("former_code", "successor_id")) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "former, successor",
    [
        ("Weesp", "Amsterdam"),
        ("Beemster", "Purmerend"),
        ("Heerhugowaard", "Dijk en Waard"),
        ("Langedijk", "Dijk en Waard"),
        ("Brielle", "Voorne aan Zee"),
        ("Hellevoetsluis", "Voorne aan Zee"),
        ("Westvoorne", "Voorne aan Zee"),
        ("Boxmeer", "Land van Cuijk"),
        ("Cuijk", "Land van Cuijk"),
        ("Grave", "Land van Cuijk"),
        ("Mill en Sint Hubert", "Land van Cuijk"),
        ("Sint Anthonis", "Land van Cuijk"),
        ("Landerd", "Maashorst"),
        ("Uden", "Maashorst"),
        ("Appingedam", "Eemsdelta"),
        ("Delfzijl", "Eemsdelta"),
        ("Loppersum", "Eemsdelta"),
    ],
)
def test_mergers_named_in_the_domain_handbook(former, successor):
    assert MunicipalityMerger.objects.get(former_name=former).successor.name == successor


def test_every_merger_successor_is_a_current_municipality():
    current = {m["gemeentecode"] for m in reference.read_municipalities()}
    for row in reference.read_mergers():
        assert row["opvolger_code"] in current, row
        assert row["voormalige_code"] not in current, row


# --- Former municipalities since 2011 (issue 15) -----------------------------------------------------------------
# data/gemeentelijke_indeling.csv: every municipality since 1970 with begin/end dates (CBS, via NLExtract; a copy
# of shared/reference/gemeentelijke-indeling.csv); herindelingen.csv gives the successors (CBS reorganisation lists).
SINCE = "2011-01-01"
# The historical file writes Skarsterlân (code 0051) as 'Skasterlân'; CBS's own spelling is in herindelingen.csv.
SPELLINGS = {"Skasterlân": "Skarsterlân"}


def _ended_since_2011() -> list[dict]:
    return [r for r in reference.read_historical_municipalities() if r["einddatum"] >= SINCE]


def test_the_historical_list_agrees_with_the_2025_list():
    current = {(r["gemeentecode"], r["gemeentenaam"], r["provinciecode"]) for r in reference.read_municipalities()}
    historical = {
        ("GM" + r["gemeentecode"], r["gemeentenaam"], "PV" + r["provinciecode"])
        for r in reference.read_historical_municipalities()
        if not r["einddatum"]
    }
    assert historical == current


def test_every_merger_row_has_the_end_date_name_and_province_of_the_historical_list():
    ended = {"GM" + r["gemeentecode"]: r for r in _ended_since_2011()}
    for row in reference.read_mergers():
        former = ended[row["voormalige_code"]]
        assert row["datum"] == former["einddatum"], row
        assert row["voormalige_naam"] == SPELLINGS.get(former["gemeentenaam"], former["gemeentenaam"]), row
        assert row["voormalige_provinciecode"] == "PV" + former["provinciecode"], row
    assert {r["voormalige_code"] for r in reference.read_mergers()} == set(ended)  # no gap since 2011


def test_the_places_of_each_split_municipality_cover_all_its_successors():
    successors: dict[str, set] = {}
    for row in reference.read_mergers():
        successors.setdefault(row["voormalige_code"], set()).add(row["opvolger_code"])
    splits = {code for code, found in successors.items() if len(found) > 1}
    assert splits == {
        "GM0055",
        "GM0140",
        "GM0053",
        "GM0788",
        "GM1671",
    }  # Boarnsterhim, Littenseradiel, Winsum, Haaren, Maasdonk
    places: dict[str, set] = {}
    seen = set()
    for former, place, successor in reference.read_split_places():
        assert successor in successors[former], (former, place)
        assert (former, place) not in seen, (former, place)
        seen.add((former, place))
        places.setdefault(former, set()).add(successor)
    assert places == {code: successors[code] for code in splits}
    # Counts from the reorganisation decisions: Littenseradiel 29 villages (10 Leeuwarden, 4 Waadhoeke, 15
    # Súdwest-Fryslân), Boarnsterhim 18 (9 Leeuwarden, 3 Heerenveen, 1 De Friese Meren, 5 Súdwest-Fryslân).
    main_names = {}
    for row in reference._rows("woonplaatsen_splitsingen.csv"):
        main_names.setdefault(row["voormalige_code"], []).append(row["opvolger_code"])
    assert len(main_names["GM0140"]) == 29 and main_names["GM0140"].count("GM0080") == 10
    assert main_names["GM0140"].count("GM1949") == 4 and main_names["GM0140"].count("GM1900") == 15
    assert len(main_names["GM0055"]) == 18 and main_names["GM0055"].count("GM0080") == 9


@pytest.mark.django_db
def test_every_municipality_since_2011_resolves_by_code_and_by_name():
    from bouwregie.geo.matching import SplitMunicipality, matcher_from_database

    matcher = matcher_from_database()
    current = {m["gemeentecode"]: m["gemeentenaam"] for m in reference.read_municipalities()}
    successors: dict[str, set] = {}
    for row in reference.read_mergers():
        successors.setdefault(row["voormalige_code"], set()).add(current[row["opvolger_code"]])
    for row in reference.read_historical_municipalities():
        code = "GM" + row["gemeentecode"]
        if not row["einddatum"]:
            assert matcher.resolve(code).code == code
            assert matcher.resolve(row["gemeentenaam"]).code == code
            continue
        if row["einddatum"] < SINCE:
            continue
        for text in (code, row["gemeentecode"], row["gemeentenaam"]):
            if len(successors[code]) > 1:
                with pytest.raises(SplitMunicipality) as error:
                    matcher.resolve(text)
                assert set(error.value.candidates) == successors[code], text
            else:
                assert matcher.resolve(text).name in successors[code], text
