"""Importing plan lists: validated, versioned, nothing lost (issue #3)."""

import csv
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import shapely

from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.ingest.models import ImportRun
from bouwregie.projects import services
from bouwregie.projects.models import ExternalId, Project, ProjectVersion

from .planlijsten import EXPECTED, PROVINCIAL_HEADER, PROVINCIAL_ROWS, write_csv, write_gis, write_xlsx, zip_files

pytestmark = pytest.mark.django_db
SOURCE = "Provincie Demo"


def run(path, **options):
    return run_import(path, ImportOptions(source=options.pop("source", SOURCE), author="tester", **options))


def current_by_external_id():
    ids = dict(ExternalId.objects.filter(source=SOURCE).values_list("project_id", "external_id"))
    return {ids[pid]: data for pid, (_n, data) in services.current_data(ids).items()}


@pytest.fixture
def provincial_xlsx(tmp_path):
    return write_xlsx(tmp_path / "plancapaciteit.xlsx", PROVINCIAL_HEADER, PROVINCIAL_ROWS, title="Plancapaciteit")


def test_messy_provincial_list_is_normalised_with_reasons(provincial_xlsx):
    result = run(provincial_xlsx, sheet="Plancapaciteit")
    assert result.run.status == "geslaagd" and result.run.profile == "provinciaal"
    projects = current_by_external_id()
    for external_id, (municipality, status, plan_type, homes) in EXPECTED.items():
        data = projects[external_id]
        total = sum(sum(t.values()) for t in data.homes.values())
        assert (data.municipality, data.plan_status, data.plan_type, total) == (municipality, status, plan_type, homes)
    havenkwartier = projects["P-001"]
    assert havenkwartier.homes == {"onbekend": {"grondgebonden": 40, "gestapeld": 80}}
    assert havenkwartier.tenure == {"huur": 70, "koop": 50}
    assert havenkwartier.demolitions == 10
    # 2025–2029: 103 → 21, 21, 21, 20, 20; 2030 en later: 17 → 4, 4, 3, 3, 3 (docs/import.md).
    assert havenkwartier.phasing == {"2025": 21, "2026": 21, "2027": 21, "2028": 20, "2029": 20,
                                     "2030": 4, "2031": 4, "2032": 3, "2033": 3, "2034": 3}  # fmt: skip
    assert havenkwartier.source_info == {"opmerking": "woningbouwkaart", "peildatum": "2025-07-01"}
    assert projects["P-005"].homes == {"onbekend": {"onbekend": 1250}} and projects["P-005"].phasing == {}
    counts = result.run.counts
    assert (counts["rows"], counts["new"], counts["rejected"], counts["homes"]) == (10, 10, 0, 2050)
    assert (counts["hard"], counts["soft"], counts["unknown"]) == (120 + 450 + 85 + 30 + 4, 60 + 1250 + 24, 12 + 15)
    reasons = [p["reason"] for p in result.run.problems]
    assert sum("Voormalige gemeente" in r for r in reasons) == 4  # Weesp, Heerhugowaard, Beemster, Cuijk
    assert any("Planstatus 'iets anders' niet herkend" in r for r in reasons)
    assert any("Plantype '?' niet herkend" in r for r in reasons)
    assert result.run.by_municipality["GM1900"] == {"projects": 2, "homes": 1274, "hard": 0, "soft": 1274,
                                                    "unknown": 0, "demolitions": 200}  # fmt: skip
    with open(result.report_path, encoding="utf-8-sig") as f:
        report = list(csv.reader(f, delimiter=";"))
    assert report[0] == ["rij", "kolom", "waarde", "reden", "ernst"] and len(report) == len(reasons) + 1


def test_reimporting_the_same_file_changes_nothing(provincial_xlsx):
    run(provincial_xlsx, sheet="Plancapaciteit")
    versions = ProjectVersion.objects.count()
    again = run(provincial_xlsx, sheet="Plancapaciteit")
    assert again.run.counts["unchanged"] == 10 and again.run.counts["new"] == again.run.counts["changed"] == 0
    assert ProjectVersion.objects.count() == versions


def test_an_updated_delivery_versions_only_what_changed(tmp_path):
    first = write_csv(tmp_path / "q2.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS)
    run(first, peiling="2025-Q2")
    rows = [list(r) for r in PROVINCIAL_ROWS if r[0] != "P-004"]  # P-004 disappears
    rows[1][5] = "1A onherroepelijk"  # P-002 became irrevocable
    rows.append(["P-011", "Nieuwe Haven", "Zaanstad", "Noord-Holland", "Transformatie", "3", "75", "0", "0", "75",
                 "0", "0", "0", "75", "75", "0", "", ""])  # fmt: skip
    result = run(write_csv(tmp_path / "q3.csv", PROVINCIAL_HEADER, rows), peiling="2025-Q3")
    counts = result.run.counts
    assert (counts["new"], counts["changed"], counts["unchanged"], counts["missing"]) == (1, 1, 8, 1)
    gone = Project.objects.get(external_ids__external_id="P-004", external_ids__source=SOURCE)
    assert list(gone.versions.values_list("lifecycle", flat=True)) == ["actief", "niet_meer_in_planlijst"]
    assert list(Project.objects.get(external_ids__external_id="P-002").versions.values_list("plan_status", flat=True)
                ) == ["1B", "1A"]  # fmt: skip
    assert ProjectVersion.objects.filter(peiling__code="2025-Q3").count() == 3
    assert Project.objects.count() == 11  # nothing deleted


def test_a_plan_back_in_the_list_is_active_again_and_a_recorded_delivery_stays(tmp_path):
    """A list without a project-status column says a plan is in the list, nothing more: a project marked
    'niet meer in planlijst' that comes back is active again; one the table recorded as gerealiseerd stays so."""
    full = write_csv(tmp_path / "q2.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS)
    run(full)
    run(write_csv(tmp_path / "q3.csv", PROVINCIAL_HEADER, [r for r in PROVINCIAL_ROWS if r[0] != "P-004"]))
    delivered = Project.objects.get(external_ids__external_id="P-009")
    data = services.current_data([delivered.id])[delivered.id][1]
    services.create_version(delivered, replace(data, lifecycle="gerealiseerd"),
                            services.VersionMeta(author="tafel", source="edit", reason="opgeleverd"))  # fmt: skip
    run(full)
    stored = current_by_external_id()
    assert stored["P-004"].lifecycle == "actief" and stored["P-009"].lifecycle == "gerealiseerd"


def test_any_error_rejects_the_whole_file_unless_partial_is_allowed(tmp_path):
    rows = [list(r) for r in PROVINCIAL_ROWS]
    rows[2][2] = "Amsterdm"  # P-003: unknown municipality
    rows[3][6] = "zestig"  # P-004: text in a numeric column
    path = write_csv(tmp_path / "fout.csv", PROVINCIAL_HEADER, rows)
    refused = run(path)
    assert refused.refused and Project.objects.count() == 0
    assert "2 regels met fouten; niets opgeslagen" in refused.run.message
    errors = [p for p in refused.run.problems if p["severity"] == "fout"]
    assert [(p["row"], p["column"], p["value"]) for p in errors] == [(4, "Gemeente", "Amsterdm"),
                                                                    (5, "Restcapaciteit", "zestig")]  # fmt: skip
    assert "Bedoelde u: Amsterdam" in errors[0]["reason"] and errors[1]["reason"] == "'zestig' is geen getal."
    partial = run(path, allow_partial=True)
    assert partial.run.status == "gedeeltelijk" and Project.objects.count() == 8
    assert (
        partial.run.counts["rejected"] == 2 and len([p for p in partial.run.problems if p["severity"] == "fout"]) == 2
    )


@pytest.mark.parametrize("column, value, fragment", [
    (6, "100.001", "onwaarschijnlijk (maximum 100000)"),
])  # fmt: skip
def test_impossible_numbers_are_row_errors(tmp_path, column, value, fragment):
    rows = [list(r) for r in PROVINCIAL_ROWS]
    rows[0][column] = value
    result = run(write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, rows))
    assert result.refused and any(fragment in p["reason"] and p["row"] == 2 for p in result.run.problems)


def test_a_negative_total_is_a_plan_that_demolishes_more_and_stores_no_homes(tmp_path):
    rows = [list(r) for r in PROVINCIAL_ROWS]
    rows[0][6] = "-5"
    result = run(write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, rows))
    assert result.run.status == "geslaagd"
    (warning,) = [p for p in result.run.problems if p["row"] == 2 and p["column"] == "Restcapaciteit"]
    assert warning["value"] == "-5" and "als 0 woningen opgeslagen" in warning["reason"]
    assert current_by_external_id()["P-001"].homes == {} and current_by_external_id()["P-001"].demolitions == 10


@pytest.mark.parametrize("column, value, fragment, attribute, expected", [
    # 500 + 80 = 580 > 120: 500·120/580 = 103.4, 80·120/580 = 16.6 → 103 + 17 (largest remainder)
    (12, "500", "Woningtypes tellen op tot 580, meer dan het totaal (120)", "homes",
     {"onbekend": {"grondgebonden": 103, "gestapeld": 17}}),
    # 999 + 50 = 1049 > 120: 114.3 and 5.7 → 114 + 6
    (14, "999", "Huur/koop tellen op tot 1049, meer dan het totaal (120)", "tenure", {"huur": 114, "koop": 6}),
])  # fmt: skip
def test_breakdowns_beyond_the_total_are_scaled_with_a_warning(tmp_path, column, value, fragment, attribute, expected):
    """Real lists contradict themselves; the total counts and the breakdown is fitted to it (docs/import.md)."""
    rows = [list(r) for r in PROVINCIAL_ROWS]
    rows[0][column] = value
    result = run(write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, rows))
    assert result.run.status == "geslaagd"
    assert any(
        fragment in p["reason"] and p["row"] == 2 and p["severity"] == "waarschuwing" for p in result.run.problems
    )
    assert getattr(current_by_external_id()["P-001"], attribute) == expected


def test_duplicate_external_ids_are_refused(tmp_path):
    rows = [list(r) for r in PROVINCIAL_ROWS]
    rows[5][0] = "P-001"
    result = run(write_csv(tmp_path / "dubbel.csv", PROVINCIAL_HEADER, rows))
    duplicates = [p for p in result.run.problems if "komt ook voor" in p["reason"]]
    assert result.refused and [p["row"] for p in duplicates] == [2, 7]
    assert [p["reason"] for p in duplicates] == ["Id komt ook voor in rij 7.", "Id komt ook voor in rij 2."]


def test_a_duplicate_message_stays_short_however_often_the_id_occurs(tmp_path):
    """Issue 15: a duplicate-id message listed all 4,348 rows in each of 4,348 messages."""
    rows = [list(PROVINCIAL_ROWS[0]) for _ in range(40)]
    result = run(write_csv(tmp_path / "dubbel.csv", PROVINCIAL_HEADER, rows))
    reasons = [p["reason"] for p in result.run.problems if "komt ook voor" in p["reason"]]
    assert len(reasons) == 40 and reasons[0] == "Id komt ook voor in rij 3, 4, 5, 6, 7 en 34 meer."
    assert max(len(r) for r in reasons) < 80


@pytest.mark.parametrize("options, fragment", [
    ({"profile": "kadaster"}, "Onbekend profiel 'kadaster'; beschikbaar: ipo, plancapaciteit_per_gemeente, "
                              "provinciaal, standaard, woningbouwkaart"),
    ({"profile": "standaard"}, "Verplichte kolommen ontbreken voor profiel 'standaard'"),
    ({"source": " "}, "Geef een bron op"),
    ({"peiling": "2025Q3"}, "gebruik de vorm 2025-Q3"),
])  # fmt: skip
def test_refusals_are_logged_and_write_nothing(tmp_path, options, fragment):
    result = run(write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS), **options)
    assert result.refused and fragment in result.run.message
    assert Project.objects.count() == 0 and ImportRun.objects.get().status == "geweigerd"


def test_a_missing_required_column_is_named(tmp_path):
    header = [h for h in PROVINCIAL_HEADER if h != "Gemeente"]
    rows = [[v for h, v in zip(PROVINCIAL_HEADER, r, strict=True) if h != "Gemeente"] for r in PROVINCIAL_ROWS]
    result = run(write_csv(tmp_path / "lijst.csv", header, rows))
    assert result.refused and "gemeente (code, naam, variant of voormalige gemeente) (gemeente" in result.run.message


def test_a_closed_peiling_refuses_the_import(tmp_path):
    services.close_peiling("2025-Q2", author="provincie")
    result = run(write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS), peiling="2025-Q2")
    assert result.refused and "Peiling 2025-Q2 is gesloten" in result.run.message


def test_dry_run_checks_everything_and_writes_nothing_but_the_log(tmp_path):
    result = run(write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS), dry_run=True)
    assert result.run.status == "proef" and result.run.counts["new"] == 10 and Project.objects.count() == 0
    assert len(result.run.file_sha256) == 64 and result.run.author == "tester"


def test_unknown_columns_are_reported_not_silently_dropped(tmp_path):
    header = [*PROVINCIAL_HEADER, "Kleur"]
    rows = [[*r, "blauw"] for r in PROVINCIAL_ROWS]
    result = run(write_csv(tmp_path / "lijst.csv", header, rows))
    assert any(p["column"] == "Kleur" and "niet gebruikt" in p["reason"] for p in result.run.problems)


def test_gis_delivery_in_rd_new_with_repair_and_empty_geometry(tmp_path):
    header = ["plan_id", "plannaam", "gemeente", "planstatus", "restcapaciteit"]
    bowtie = shapely.Polygon([(155_000, 463_000), (155_500, 463_500), (155_500, 463_000), (155_000, 463_500)])
    path = write_gis(
        tmp_path / "plannen.gpkg",
        [bowtie, None],
        header,
        [["A-1", "Hof", "Amersfoort", "2A", 40], ["A-2", "Veld", "Amersfoort", "3", 10]],
    )
    result = run(path)
    assert result.run.status == "geslaagd"
    projects = current_by_external_id()
    hof = projects["A-1"]
    assert hof.source_crs == "EPSG:28992" and hof.geometry["type"] in ("MultiPolygon", "Polygon")
    assert shapely.geometry.shape(hof.geometry).is_valid and projects["A-2"].geometry is None
    assert any("hersteld" in p["reason"] for p in result.run.problems)


def test_a_zipped_shapefile_and_a_user_profile_without_code(tmp_path):
    header = ["kenmerk", "locatie", "gem", "aantal"]
    write_gis(tmp_path / "plannen.shp", [shapely.Point(155_000, 463_000)], header, [["Z-1", "Eng", "Amersfoort", 12]])
    archive = zip_files(tmp_path / "plannen.zip", [tmp_path / f"plannen.{e}" for e in ("shp", "shx", "dbf", "prj")])
    profile = tmp_path / "mijngemeente.toml"
    profile.write_text('name = "mijngemeente"\n[fields]\nexternal_id = ["kenmerk"]\nname = ["locatie"]\n'
                       'municipality = ["gem"]\nhomes_total = ["aantal"]\n', encoding="utf-8")  # fmt: skip
    result = run(archive, profile=str(profile))
    assert result.run.status == "geslaagd" and result.run.profile == "mijngemeente"
    assert current_by_external_id()["Z-1"].homes == {"onbekend": {"onbekend": 12}}


def test_the_shipped_profiles_directory_can_be_extended(tmp_path, settings):
    settings.IMPORT_PROFILE_DIRS = [tmp_path / "profiles"]
    (tmp_path / "profiles").mkdir()
    shutil.copy(Path(__file__).parents[1] / "src/bouwregie/ingest/profiles/provinciaal.toml",
                tmp_path / "profiles/gelderland.toml")  # fmt: skip
    result = run(write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS), profile="gelderland")
    assert result.run.status == "geslaagd"
