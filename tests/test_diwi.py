"""DIWI's GeoJSON exchange file in, with DIWI's own export (issue 15).

The fixtures under tests/data/diwi/ are written by hand in the two shapes DIWI uses: its export
(GeoJSONExport.java: labels such as "Realisatie" and "1A Onherroepelijk", a list of ownership lines per
block) and its import template (test_data/geojson_template.geojson: enum keys, one eigendom_type per
block). Every expected value below is worked out from the fixture by hand, with the rule from
docs/import.md ("DIWI") next to it.
"""

import json
from datetime import date
from pathlib import Path

import pytest
from pyproj import Transformer

from bouwregie.ingest.diwi import FORMAT, is_diwi, price_segment, read_diwi
from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.ingest.readers import read_table
from bouwregie.projects import services
from bouwregie.projects.models import ExternalId, ProjectVersion
from bouwregie.projects.rules import MilestoneData

DATA = Path(__file__).parent / "data" / "diwi"
EXPORT = DATA / "diwi-export.geojson"
TEMPLATE = DATA / "diwi-sjabloon.geojson"
TODAY = date(2025, 7, 1)
MERWEDE, HOOGLAND, VOLLENHOVE = (f"6f1c2a9e-0b7d-4c1e-9a51-3d2f8e7b1a0{i}" for i in (1, 2, 3))


def by_project(table) -> dict:
    """extern_id → {column: value} without the zero and empty cells (easier to read against the fixture)."""
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    return {row["extern_id"]: {c: v for c, v in row.items() if v not in (0, "")} for row in rows}


def write_feature_collection(path: Path, projects: list[dict]) -> Path:
    """A minimal DIWI export file: only the properties a test needs."""
    features = [{"type": "Feature", "properties": p} for p in projects]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def project(name: str, statuses=None, phases=None, blocks=None) -> dict:
    return {
        "projectgegevens": {
            "diwi_id": name.lower(),
            "basisgegevens": {"identificatie_nr": None, "naam": name},
            "locatie": {"gemeente": ["Zeist"]},
            "projectfasen": phases or {},
            "planologische_planstatus": statuses or {},
        },
        "woning_blokken": blocks or [],
    }


def test_detects_diwi_files_only(tmp_path):
    assert is_diwi(EXPORT) and is_diwi(TEMPLATE)
    plain = tmp_path / "plain.geojson"
    plain.write_text(
        json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"naam": "x"}}]})
    )
    assert not is_diwi(plain)
    csv = tmp_path / "list.csv"
    csv.write_text("projectgegevens;a;b\n1;2;3\n")
    assert not is_diwi(csv)
    assert read_table(EXPORT).format == FORMAT  # read_table hands DIWI files to the DIWI reader


def test_export_maps_onto_the_standard_template():
    table = read_diwi(EXPORT, today=TODAY)
    assert table.format == FORMAT
    # Only fields the file carries: no peildatum, opmerking, knelpunten; milestone columns only where DIWI has
    # a date (no ontwerp_omgevingsplan, vergunning, oplevering_werkelijk, …).
    for absent in ("peildatum", "opmerking", "knelpunten", "ontwerp_omgevingsplan_gepland", "oplevering_werkelijk",
                   "oplevering_gepland", "vergunning_verleend_gepland", "bron_crs", "projectcode"):  # fmt: skip
        assert absent not in table.columns
    carried = {"planstatus", "plantype", "status_project", "eigendom_huur", "fasering", "sloop",
               "doelgroep_zorggeschikt", "initiatief_werkelijk", "start_bouw_gepland", "start_bouw_werkelijk",
               "omgevingsplan_vastgesteld_werkelijk", "omgevingsplan_onherroepelijk_werkelijk"}  # fmt: skip
    assert carried <= set(table.columns)
    projects = by_project(table)
    assert projects[MERWEDE] == {
        "extern_id": MERWEDE, "projectnaam": "Merwedekanaalzone deelgebied 5", "gemeentecode": "Utrecht",
        "plantype": "transformatie",  # TRANSFORMATIEGEBIED
        "planstatus": "1A",  # latest status reached by 2025-07-01: 1A since 2024-06-01
        "status_project": "actief",  # ACTIVE
        "sociale_huur_gestapeld": 120,  # corporation rent 0–900.07, 120 meergezinswoningen
        "middenhuur_gestapeld": 50,  # private rent 900.08–1184.82
        "betaalbare_koop_gestapeld": 30,  # koop at 385,000 ≤ 405,000
        "eigendom_huur": 120 + 50, "eigendom_koop": 30,
        "sloop": 4,  # the Sloop block, positive
        "fasering": "2034:120;2035:80",  # construction blocks by the year of their einddatum; demolition not
        "initiatief_werkelijk": "2019-03-01",  # start of phase Initiatief
        "start_bouw_gepland": "2033-04-01",  # start of Realisatie, after 2025-07-01
        "omgevingsplan_vastgesteld_werkelijk": "2023-10-15",  # first 2x status
        "omgevingsplan_onherroepelijk_werkelijk": "2024-06-01",  # first 1x status
    }  # fmt: skip
    assert projects[HOOGLAND] == {
        "extern_id": HOOGLAND, "projectnaam": "Hoogland-West fase 2", "gemeentecode": "Amersfoort",
        "plantype": "uitleg", "planstatus": "1B", "status_project": "actief",
        "betaalbare_koop_grondgebonden": 25,  # 350,000–400,000
        "dure_koop_grondgebonden": 15,  # 525,000
        # block 2 has two segments and two house types: segments kept, house type onbekend
        "vrije_sector_huur_onbekend": 12,  # rent from 1,300, open end
        "onbekend_onbekend": 18,  # 300,000–500,000 straddles 405,000
        "eigendom_huur": 12, "eigendom_koop": 25 + 15 + 18,
        "fasering": "2024:40;2025:30",
        "initiatief_werkelijk": "2020-02-01", "start_bouw_werkelijk": "2022-09-01",
        # Nazorg (2036-01-01) is no oplevering: the blocks' einddatum gives the phasing
        "omgevingsplan_onherroepelijk_werkelijk": "2021-11-01",
    }  # fmt: skip
    assert projects[VOLLENHOVE] == {
        "extern_id": VOLLENHOVE, "projectnaam": "Vollenhove Noord", "gemeentecode": "Zeist",
        "plantype": "onbekend",  # UITBREIDING_OVERIG, with a warning
        "planstatus": "4A", "status_project": "actief",  # NEW
        "sociale_huur_onbekend": 45,  # corporation rent without a price
        "onbekend_onbekend": 60 - 45,  # the rest of the block
        "eigendom_huur": 45, "eigendom_onbekend": 15,
        "doelgroep_zorggeschikt": 20,  # 'Ouderen met zorg'; 'Regulier' is none; 'Starters' a warning
        "sloop": 48,
    }  # fmt: skip
    assert table.row_numbers == [1, 2, 3]


def test_every_unmappable_value_is_a_warning_naming_project_and_field():
    table = read_diwi(EXPORT, today=TODAY)
    found = {(n.row, n.column, n.severity) for n in table.notices}
    assert found == {
        (2, "woning_blokken[2].waarde", "waarschuwing"),  # 300,000–500,000 over the koop limit
        (2, "woning_blokken[2].woning_type", "waarschuwing"),  # segment × house type not derivable
        (3, "projectgegevens.projectgegevens.plan_soort", "waarschuwing"),  # UITBREIDING_OVERIG
        (3, "woning_blokken[1].doelgroep[3]", "waarschuwing"),  # Starters
    }
    assert all(n.reason.startswith("Project '") for n in table.notices)
    assert any("'Hoogland-West fase 2'" in n.reason and "Twee-onder-een-kap" in n.reason for n in table.notices)


def test_rd_new_geometry_comes_back_in_wgs84():
    table = read_diwi(EXPORT, today=TODAY)
    assert table.crs == "EPSG:28992"
    merwede, hoogland, vollenhove = table.geometries
    assert vollenhove is None  # the feature has no geometry
    rd = Transformer.from_crs(28992, 4326, always_xy=True)
    for geometry, (x0, y0, x1, y1) in ((merwede, (134600, 453300, 135100, 453800)),
                                       (hoogland, (153300, 465200, 153900, 465700))):  # fmt: skip
        lon0, lat0 = rd.transform(x0, y0)
        lon1, lat1 = rd.transform(x1, y1)
        minx, miny, maxx, maxy = geometry.bounds
        assert minx == pytest.approx(min(lon0, rd.transform(x0, y1)[0]), abs=1e-6)
        assert miny == pytest.approx(min(lat0, rd.transform(x1, y0)[1]), abs=1e-6)
        assert maxx == pytest.approx(max(lon1, rd.transform(x1, y0)[0]), abs=1e-6)
        assert maxy == pytest.approx(max(lat1, rd.transform(x0, y1)[1]), abs=1e-6)
    assert 5.08 < merwede.centroid.x < 5.10 and 52.06 < merwede.centroid.y < 52.08  # Utrecht, Merwedekanaal


def test_import_template_dialect():
    table = read_diwi(TEMPLATE, today=TODAY)
    assert table.geometries is None  # the template's empty polygon is no geometry: the column is not carried
    assert table.notices == []
    assert by_project(table) == {
        "7": {
            "extern_id": "7", "projectnaam": "Kanaalweg", "gemeentecode": "Utrecht", "plantype": "verdichting",
            "planstatus": "2A", "status_project": "actief",
            "betaalbare_koop_grondgebonden": 12,  # KOOPWONING, EENGEZINSWONING, 250,000–350,000
            "sociale_huur_gestapeld": 24,  # HUURWONING_WONINGCORPORATIE without a price, MEERGEZINSWONING
            "eigendom_huur": 24, "eigendom_koop": 12, "sloop": 6,  # DEMOLITION
            "fasering": "2025:12;2026:24",
            "initiatief_werkelijk": "2020-01-01", "start_bouw_werkelijk": "2023-03-01",
            "omgevingsplan_vastgesteld_werkelijk": "2022-05-01",
        }
    }  # fmt: skip


@pytest.mark.parametrize(
    ("tenure", "low", "high", "value", "segment"),
    [
        ("huur", None, None, 900.07, "sociale_huur"),  # liberalisatiegrens 2025, inclusive
        ("huur", None, None, 900.08, "middenhuur"),
        ("huur", None, None, 1184.82, "middenhuur"),  # 186 WWS points, 2025
        ("huur", None, None, 1184.83, "vrije_sector_huur"),
        ("koop", None, None, 405_000, "betaalbare_koop"),  # grens betaalbare koop 2025
        ("koop", None, None, 405_000.01, "dure_koop"),
        ("huur", 0, 900.07, None, "sociale_huur"),
        ("huur", 900.07, 1184.82, None, "middenhuur"),  # a lower bound on the limit: the segment above it
        ("huur", 1184.82, None, None, "vrije_sector_huur"),  # open upper end
        ("huur", None, 800, None, "sociale_huur"),  # open lower end
        ("huur", 0, None, None, None),  # 0 to anything: straddles
        ("koop", 300_000, 500_000, None, None),
        ("koop", 350_000, 500_000, 380_000, "betaalbare_koop"),  # a single value wins
    ],
)
def test_price_segments(tenure, low, high, value, segment):
    assert price_segment(tenure, low, high, value) == segment


def test_current_plan_status_and_planned_dates(tmp_path):
    path = write_feature_collection(
        tmp_path / "statussen.geojson",
        [
            project("Gelijk", statuses={"_3_IN_VOORBEREIDING": "2024-01-01", "_2A_VASTGESTELD": "2024-01-01"}),
            project("Toekomst", statuses={"2A Vastgesteld": "2030-01-01"}),
            project("Vrije spelling", statuses={"ONHERROEPELIJK_BESTEMMINGSPLAN": "2020-05-01"}),
            project("Onbekend", statuses={"9Z Iets": "2020-05-01"}, phases={"Realisatie": "niet"}),
        ],
    )
    table = read_diwi(path, today=TODAY)
    projects = by_project(table)
    # Two statuses since the same day: the least advanced one counts (warning).
    assert projects["gelijk"]["planstatus"] == "3"
    assert projects["gelijk"]["omgevingsplan_vastgesteld_werkelijk"] == "2024-01-01"
    # Every status still ahead: no current status, the date is a planned milestone.
    assert projects["toekomst"]["planstatus"] == "onbekend"
    assert projects["toekomst"]["omgevingsplan_vastgesteld_gepland"] == "2030-01-01"
    assert projects["vrije spelling"]["planstatus"] == "1A"
    assert projects["vrije spelling"]["omgevingsplan_onherroepelijk_werkelijk"] == "2020-05-01"
    assert "planstatus" not in projects["onbekend"]  # '' in a carried column: stored as onbekend
    assert {(n.row, n.column) for n in table.notices} == {
        (1, "projectgegevens.planologische_planstatus"),
        (4, "projectgegevens.planologische_planstatus.9Z Iets"),
        (4, "projectgegevens.projectfasen.Realisatie"),
    }


def test_breakdowns_that_exceed_the_block_are_not_used(tmp_path):
    block = {
        "naam": "Te veel",
        "mutatiegegevens": {"mutatie_type": "Bouw", "aantal": 10},
        "woning_type": {"eengezinswoning": 12},
        "waarde": [{"eigendom_type": "KOOPWONING", "aantal": 11, "waarde": 300000}],
    }
    no_amount = {"naam": "Zonder aantal", "mutatiegegevens": {"mutatie_type": "CONSTRUCTION"},
                 "woning_type": {"meergezinswoning": 5}}  # fmt: skip
    no_kind = {"naam": "Zonder type", "mutatiegegevens": {"aantal": 3}}
    path = write_feature_collection(
        tmp_path / "blokken.geojson", [project("Blokken", blocks=[block, no_amount, no_kind])]
    )
    table = read_diwi(path, today=TODAY)
    assert by_project(table)["blokken"] == {
        "extern_id": "blokken", "projectnaam": "Blokken", "gemeentecode": "Zeist",
        "onbekend_onbekend": 10,  # aantal 10 rules; both breakdowns (12, 11) exceed it
        "onbekend_gestapeld": 5,  # no aantal: the breakdown's 5
        "eigendom_onbekend": 10 + 5,
    }  # fmt: skip
    columns = {n.column for n in table.notices}
    assert columns == {
        "woning_blokken[1].waarde", "woning_blokken[1].woning_type", "woning_blokken[2].mutatiegegevens.aantal",
        "woning_blokken[3].mutatiegegevens.mutatie_type",
    }  # fmt: skip


# --- end to end --------------------------------------------------------------------------------------------
SOURCE = "diwi-test"


def stored() -> dict:
    ids = dict(ExternalId.objects.filter(source=SOURCE).values_list("project_id", "external_id"))
    return {ids[pid]: data for pid, (_n, data) in services.current_data(ids).items()}


@pytest.mark.django_db
def test_import_end_to_end_and_reimport_changes_nothing(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    result = run_import(EXPORT, ImportOptions(source=SOURCE, dry_run=False))
    assert result.run.status == "geslaagd", result.run.message
    assert result.run.file_format == FORMAT and result.run.profile == "standaard"
    projects = stored()
    assert set(projects) == {MERWEDE, HOOGLAND, VOLLENHOVE}
    merwede, hoogland, vollenhove = projects[MERWEDE], projects[HOOGLAND], projects[VOLLENHOVE]
    assert (merwede.municipality, hoogland.municipality, vollenhove.municipality) == ("GM0344", "GM0307", "GM0355")
    assert (merwede.plan_status, hoogland.plan_status, vollenhove.plan_status) == ("1A", "1B", "4A")
    assert {p.lifecycle for p in projects.values()} == {"actief"}
    assert merwede.homes == {"sociale_huur": {"gestapeld": 120}, "middenhuur": {"gestapeld": 50},
                             "betaalbare_koop": {"gestapeld": 30}}  # fmt: skip
    assert hoogland.homes == {"betaalbare_koop": {"grondgebonden": 25}, "dure_koop": {"grondgebonden": 15},
                              "vrije_sector_huur": {"onbekend": 12}, "onbekend": {"onbekend": 18}}  # fmt: skip
    assert vollenhove.homes == {"sociale_huur": {"onbekend": 45}, "onbekend": {"onbekend": 15}}
    assert (merwede.demolitions, hoogland.demolitions, vollenhove.demolitions) == (4, 0, 48)
    assert merwede.phasing == {"2034": 120, "2035": 80}
    assert MilestoneData("start_bouw", planned=date(2033, 4, 1)) in merwede.milestones
    assert MilestoneData("omgevingsplan_onherroepelijk", actual=date(2024, 6, 1)) in merwede.milestones
    assert merwede.geometry is not None and vollenhove.geometry is None
    counts = result.run.counts
    assert (counts["new"], counts["homes"]) == (3, 200 + 70 + 60)
    assert (counts["hard"], counts["soft"], counts["unknown"]) == (200 + 70, 60, 0)

    versions = ProjectVersion.objects.count()
    again = run_import(EXPORT, ImportOptions(source=SOURCE, dry_run=False))
    assert again.run.counts["unchanged"] == 3 and again.run.counts["new"] == again.run.counts["changed"] == 0
    assert ProjectVersion.objects.count() == versions
