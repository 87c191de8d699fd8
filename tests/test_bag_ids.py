"""Explicit BAG ids on a project (issue #18): checked (16 digits, a CBS municipality code, objecttype 01 or 10),
importable from a planlijst column, kept by an empty cell and cleared by #LEEG, exported and imported again
unchanged, editable in the browser and through the API, shown on the project page. SQLite and PostgreSQL."""

import csv

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.ingest.models import ImportRun
from bouwregie.projects import bag_ids, services
from bouwregie.projects.models import Project, ProjectVersion

from .roles import build_world
from .test_api import get, send
from .test_web_edit import _form, _text

VBO = "0221010000330226"  # Doesburg (0221), verblijfsobject (01): ../shared/data/bag
PAND = "0221100000312938"  # its pand (10)
VBO_UTRECHT = "0344010000123456"
FORMER = "0064010000000001"  # Bolsward (0064), merged into Súdwest-Fryslân in 2011: still a valid issuer


# --- the rule, pure ---------------------------------------------------------------------------------------
def test_an_id_is_sixteen_digits_a_municipality_code_and_a_verblijfsobject_or_pand():
    assert [bag_ids.problem(i) for i in (VBO, PAND, FORMER)] == [None, None, None]
    assert (bag_ids.object_type(VBO), bag_ids.object_type(PAND)) == ("verblijfsobject", "pand")
    assert "16 cijfers" in bag_ids.problem("022101000033022")  # 15 digits
    assert "16 cijfers" in bag_ids.problem("02210100003302x6")
    assert "16 cijfers" in bag_ids.problem("０２２１０１００００３３０２２６")  # full-width digits are not ASCII
    assert "9999 is geen CBS-gemeentecode" in bag_ids.problem("9999010000000001")
    assert "objecttype 20" in bag_ids.problem("0221200000000001")  # a nummeraanduiding


def test_a_cell_splits_on_every_separator_and_keeps_each_id_once():
    found, errors, warnings = bag_ids.parse(f" {VBO};{PAND}, {VBO_UTRECHT} |{FORMER}\n{VBO}")
    assert found == (VBO, PAND, VBO_UTRECHT, FORMER) and errors == []
    assert warnings == [f"BAG-id {VBO} staat er meer dan eens in; één keer opgeslagen."]
    assert bag_ids.parse(f"NL.IMBAG.Verblijfsobject.{VBO}") == ((VBO,), [], [])
    assert bag_ids.parse(None) == ((), [], [])


def test_a_spreadsheet_number_gets_its_leading_zeros_back_with_a_warning():
    found, errors, warnings = bag_ids.parse(221010000330226)
    assert found == (VBO,) and errors == [] and "voorloopnullen" in warnings[0]
    assert bag_ids.parse(221010000330226.0)[0] == (VBO,)
    assert bag_ids.parse(12.5)[1] and bag_ids.parse(True)[1]


@settings(max_examples=80, deadline=None)
@given(
    ids=st.lists(st.tuples(st.sampled_from(["0221", "0344", "0363", "0064"]), st.sampled_from(["01", "10"]),
                           st.integers(0, 10**10 - 1)).map(lambda t: f"{t[0]}{t[1]}{t[2]:010d}"), max_size=12),
    separators=st.lists(st.sampled_from([";", ",", "|", " ", "\n", " ; ", ",\t", " | "]), min_size=12, max_size=12),
)  # fmt: skip
def test_any_list_of_valid_ids_written_with_any_separators_reads_back_as_written(ids, separators):
    text = "".join(f"{i}{sep}" for i, sep in zip(ids, separators, strict=False))
    found, errors, warnings = bag_ids.parse(text)
    assert found == tuple(dict.fromkeys(ids)) and errors == []
    assert len(warnings) == len(ids) - len(set(ids))  # one per repeat
    assert bag_ids.parse(";".join(found)) == (found, [], [])  # the export's own spelling


# --- import → version → export → re-import -----------------------------------------------------------
HEADER = "extern_id;projectnaam;gemeentecode;sociale_huur_gestapeld;BAG-id's"


def plan_list(tmp_path, *rows, header=HEADER, name="planlijst.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def stored(code):
    project = Project.objects.get(code=code)
    return services.current_data([project.id])[project.id][1]


def test_ids_travel_from_a_planlijst_to_a_version_to_an_export_and_back(db, tmp_path):
    build_world()
    run = run_import(plan_list(tmp_path, f"A-1;Kloosterhof;GM0221;12;{PAND} | {VBO}", "A-2;Zonder;GM0221;5;"),
                     ImportOptions(source="Gemeente Doesburg")).run  # fmt: skip
    assert run.status == ImportRun.Status.GESLAAGD and run.counts["new"] == 2, run.problems
    with_ids = ProjectVersion.objects.get(name="Kloosterhof")
    assert with_ids.bag_ids == [VBO, PAND]  # stored sorted, each once
    assert ProjectVersion.objects.get(name="Zonder").bag_ids == []

    export = tmp_path / "export.csv"
    call_command("export", "--format", "csv", "--output", str(export))
    with open(export, encoding="utf-8-sig", newline="") as f:
        rows = {r["projectnaam"]: r for r in csv.DictReader(f, delimiter=";")}
    assert rows["Kloosterhof"]["bag_ids"] == f"{VBO};{PAND}" and rows["Zonder"]["bag_ids"] == ""

    versions = ProjectVersion.objects.count()
    again = run_import(export, ImportOptions(source="export")).run
    assert again.counts["unchanged"] == again.counts["rows"] and again.counts["changed"] == 0, again.counts
    assert ProjectVersion.objects.count() == versions


def test_an_empty_cell_keeps_the_ids_and_leeg_clears_them(db, tmp_path):
    build_world()
    run_import(plan_list(tmp_path, f"A-1;Kloosterhof;GM0221;12;{VBO}"), ImportOptions(source="Doesburg"))
    code = Project.objects.get(external_ids__external_id="A-1").code
    run_import(plan_list(tmp_path, "A-1;Kloosterhof;GM0221;14;"), ImportOptions(source="Doesburg"))
    assert stored(code).bag_ids == (VBO,) and ProjectVersion.objects.filter(project__code=code).count() == 2
    run_import(plan_list(tmp_path, "A-1;Kloosterhof;GM0221;14;#LEEG"), ImportOptions(source="Doesburg"))
    assert stored(code).bag_ids == () and ProjectVersion.objects.filter(project__code=code).count() == 3


def test_a_bad_id_refuses_its_row_naming_row_column_and_value_and_writes_nothing(db, tmp_path):
    build_world()
    before = ProjectVersion.objects.count()
    path = plan_list(tmp_path, f"A-1;Kloosterhof;GM0221;12;{VBO}", "A-2;Fout;GM0221;5;0221200000000001, 12345")
    run = run_import(path, ImportOptions(source="Doesburg")).run
    assert run.status == ImportRun.Status.GEWEIGERD and ProjectVersion.objects.count() == before
    errors = [(p["row"], p["column"], p["value"], p["reason"]) for p in run.problems if p["severity"] == "fout"]
    assert errors == [
        (3, "BAG-id's", "0221200000000001, 12345", "BAG-id '0221200000000001' heeft objecttype 20; alleen "
         "verblijfsobjecten (01) en panden (10) horen bij een project."),
        (3, "BAG-id's", "0221200000000001, 12345", "BAG-id '12345' is geen identificatie van 16 cijfers."),
    ]  # fmt: skip


@pytest.mark.parametrize("column", ["bag_ids", "BAG-ids", "verblijfsobjecten", "BAG-identificaties"])
def test_the_provincial_layout_knows_the_column_by_its_usual_names(db, tmp_path, column):
    build_world()
    header = f"plan_id;plannaam;gemeente;restcapaciteit;{column}"
    run = run_import(plan_list(tmp_path, f"P-1;Kloosterhof;Doesburg;12;{VBO},{PAND}", header=header),
                     ImportOptions(source="Provincie Gelderland", profile="provinciaal")).run  # fmt: skip
    assert run.counts["new"] == 1, run.problems
    assert ProjectVersion.objects.get(name="Kloosterhof").bag_ids == [VBO, PAND]


# --- web and API ----------------------------------------------------------------------------------------
@pytest.fixture
def world(db):
    return build_world()


def test_the_gemeente_edits_the_ids_in_the_browser_and_sees_them_on_the_project_page(client, world):
    code = world["utrecht"]
    client.force_login(world["users"]["gemeente_utrecht"])
    assert "geen; koppeling op de ligging van het project" in _text(client.get(f"/projecten/{code}"))
    bad = client.post(f"/projecten/{code}/bewerken", _form(bag_ids=f"{VBO_UTRECHT}\n0344990000000001"))
    assert bad.status_code == 400 and "objecttype 99" in _text(bad) and VBO_UTRECHT in _text(bad)
    assert ProjectVersion.objects.filter(project__code=code).count() == 1
    done = client.post(f"/projecten/{code}/bewerken", _form(bag_ids=f"{VBO_UTRECHT}\n{PAND}"))
    assert done.status_code == 302
    page = _text(client.get(f"/projecten/{code}"))
    assert f"{PAND} (pand), {VBO_UTRECHT} (verblijfsobject)" in page and "BAG-id's" in page
    assert stored(code).bag_ids == (PAND, VBO_UTRECHT)
    form = client.get(f"/projecten/{code}/bewerken").content.decode()
    assert f">{PAND}\n{VBO_UTRECHT}</textarea>" in form
    kept = client.post(f"/projecten/{code}/bewerken", _form(versie="2", plan_status="2A"))  # no bag_ids field at all
    assert kept.status_code == 302 and stored(code).bag_ids == (PAND, VBO_UTRECHT)
    cleared = client.post(f"/projecten/{code}/bewerken", _form(versie="3", bag_ids=" "))
    assert cleared.status_code == 302 and stored(code).bag_ids == ()


def test_the_api_patches_reads_and_clears_the_ids_and_refuses_a_bad_one(client, world):
    url = f"/api/v1/projects/{world['utrecht']}"
    done = send(client, world, "gemeente_utrecht", "patch", url, {"reason": "BAG", "bag_ids": [VBO_UTRECHT, PAND]})
    assert done.status_code == 200 and done.json()["bag_ids"] == [PAND, VBO_UTRECHT] and done.json()["version"] == 2
    assert get(client, world, "rijk", url).json()["bag_ids"] == [PAND, VBO_UTRECHT]
    bad = send(client, world, "gemeente_utrecht", "patch", url, {"reason": "typo", "bag_ids": ["0344010000"]})
    assert bad.status_code == 400 and bad.json()["invalidParams"][0]["name"] == "bag_ids"
    assert "'0344010000' is geen identificatie van 16 cijfers" in bad.json()["invalidParams"][0]["reason"]
    untouched = send(client, world, "gemeente_utrecht", "patch", url, {"reason": "planstatus", "plan_status": "1B"})
    assert untouched.json()["bag_ids"] == [PAND, VBO_UTRECHT]  # left out: kept
    cleared = send(client, world, "gemeente_utrecht", "patch", url, {"reason": "weg", "bag_ids": []})
    assert cleared.json()["bag_ids"] == [] and cleared.json()["version"] == 4
