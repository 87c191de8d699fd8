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
