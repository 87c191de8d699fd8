"""Nothing from a rejected row is written (issue #16, fault 7). With "gedeeltelijk", a row pointing an external id
at another municipality's project was refused, yet the external-id link was stored; every later full import of
that source was then refused, naming internal id 21 instead of the project code.

Here every way a row can point at a project the importer may not touch is refused without any trace in
projects_* (no version, milestone, project, external id), and the messages name project codes. SQLite and
PostgreSQL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.ingest.models import ImportRun
from bouwregie.projects.models import ExternalId, Project

from .roles import build_world
from .test_web_updates import _follow_job

pytestmark = pytest.mark.django_db

SOURCE = "Gemeente Utrecht"
HEADER = "projectcode;extern_id;projectnaam;gemeentecode;sociale_huur_gestapeld"
TABLES = ["projects_project", "projects_externalid", "projects_projectversion", "projects_milestone",
          "projects_peilingentry", "projects_versionseal"]  # fmt: skip


def utrecht_only(code: str) -> bool:
    """The rights of a gemeente Utrecht bewerker (the web upload's row check)."""
    return code == "GM0344"


def history() -> dict:
    with connection.cursor() as cursor:
        rows = {}
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            rows[table] = cursor.fetchall()
        return rows


def plan_list(tmp_path, *rows, name="planlijst.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def world():
    w = build_world()
    w["ams"] = Project.objects.get(code=w["amsterdam"])
    return w


REFUSED_ROWS = {  # each points an external id at the Amsterdam project, or makes one in Amsterdam
    "projectcode of another municipality's project": "{ams};X-1;Sluisbuurt;GM0363;90",
    "the same, the row claiming our municipality": "{ams};X-1;Sluisbuurt;GM0344;90",
    "a new project in another municipality": ";X-1;Elders;GM0363;10",
}


@pytest.mark.parametrize("row", list(REFUSED_ROWS.values()), ids=list(REFUSED_ROWS))
def test_a_refused_row_leaves_no_link_and_no_version(world, tmp_path, row):
    before = history()
    path = plan_list(tmp_path, row.format(ams=world["amsterdam"]), ";U-1;Nieuw in Utrecht;GM0344;40")
    run = run_import(path, ImportOptions(source=SOURCE, allow_partial=True, may_write=utrecht_only)).run
    assert run.status == ImportRun.Status.GEDEELTELIJK and run.counts["rejected"] == 1
    assert [p["reason"] for p in run.problems if p["severity"] == "fout"] == [
        "U mag geen projecten in gemeente GM0363 wijzigen."
    ]
    assert list(ExternalId.objects.filter(source=SOURCE).values_list("external_id", flat=True)) == ["U-1"]
    after = history()
    for table in TABLES:  # only the valid row's project was added; nothing else changed or appeared
        assert after[table][: len(before[table])] == before[table]
    assert len(after["projects_project"]) == len(before["projects_project"]) + 1
    assert len(after["projects_projectversion"]) == len(before["projects_projectversion"]) + 1


def test_an_external_id_of_another_project_in_this_source_is_refused_without_a_second_link(world, tmp_path):
    run_import(plan_list(tmp_path, f"{world['amsterdam']};X-1;Sluisbuurt;GM0363;90"), ImportOptions(source=SOURCE))
    before = history()
    path = plan_list(tmp_path, f"{world['utrecht']};X-1;Merwedekanaalzone;GM0344;40", name="tweede.csv")
    run = run_import(path, ImportOptions(source=SOURCE, allow_partial=True, may_write=utrecht_only)).run
    assert run.status == ImportRun.Status.GEWEIGERD  # its only row refused: nothing valid
    assert history() == before


def test_a_partial_web_import_stores_no_link_for_its_refused_row(world, tmp_path, client):
    client.force_login(world["users"]["gemeente_utrecht"])
    path = plan_list(tmp_path, f"{world['amsterdam']};X-1;Sluisbuurt;GM0363;90", ";U-1;Nieuw in Utrecht;GM0344;40")
    form = {"file": SimpleUploadedFile("planlijst.csv", path.read_bytes()), "source": SOURCE, "profile": "",
            "sheet": "", "peiling": ""}  # fmt: skip
    url, _page = _follow_job(client, client.post("/planlijsten", form))
    preview = int(url.rsplit("/", 1)[1])
    _follow_job(client, client.post(f"/planlijsten/{preview}/besluit", {"besluit": "gedeeltelijk"}))
    assert list(ExternalId.objects.filter(source=SOURCE).values_list("external_id", flat=True)) == ["U-1"]
    assert not ExternalId.objects.filter(project=world["ams"]).exists()
    # and the next full import of the source goes through
    path = plan_list(tmp_path, ";U-1;Nieuw in Utrecht;GM0344;41", name="volgende.csv")
    full = run_import(path, ImportOptions(source=SOURCE, may_write=utrecht_only)).run
    assert full.status == ImportRun.Status.GESLAAGD and full.counts["changed"] == 1


def test_a_project_of_another_municipality_linked_to_the_source_never_blocks_its_imports(world, tmp_path):
    """A link made earlier (an operator's import, or the fault itself) to a project the importer may not change:
    missing from the list, it stays as it is with a warning that names its projectcode, not our internal id."""
    run_import(plan_list(tmp_path, f"{world['amsterdam']};X-1;Sluisbuurt;GM0363;90"), ImportOptions(source=SOURCE))
    versions = world["ams"].versions.count()
    path = plan_list(tmp_path, ";U-1;Nieuw in Utrecht;GM0344;40", name="volledig.csv")
    run = run_import(path, ImportOptions(source=SOURCE, may_write=utrecht_only)).run
    assert run.status == ImportRun.Status.GESLAAGD, run.message
    (warning,) = [p for p in run.problems if p["value"] == world["amsterdam"]]
    assert warning["severity"] == "waarschuwing" and warning["reason"] == (
        f"Project {world['amsterdam']} ontbreekt in de lijst, maar u mag geen projecten in gemeente GM0363 "
        "wijzigen; het blijft ongewijzigd."
    )
    assert str(world["ams"].id) not in {p["value"] for p in run.problems}
    assert world["ams"].versions.count() == versions and run.counts["missing"] == 0


SPLIT_PROFILE = """name = "gemeentelijst"
[fields]
external_id = ["nr"]
name = ["locatie"]
municipality = ["gemeente"]
[[records]]
label = "hard"
constants = { plan_status = "hard" }
[[records.periods]]
label = "2025-2029"
columns = ["hard 2025-2029"]
first = 2025
last = 2029
[[records]]
label = "zacht"
constants = { plan_status = "zacht" }
[[records.periods]]
label = "2025-2029"
columns = ["zacht 2025-2029"]
first = 2025
last = 2029
"""


def test_a_split_row_refused_in_one_part_writes_nothing_of_either_part(world, tmp_path):
    """A row read as a hard and a soft record is one unit: its valid part leaves no project and no link either."""
    profile = tmp_path / "gemeentelijst.toml"
    profile.write_text(SPLIT_PROFILE, encoding="utf-8")
    path = tmp_path / "lijst.csv"
    path.write_text("nr;locatie;gemeente;hard 2025-2029;zacht 2025-2029\n1;Noorderhaven;Utrecht;12;veel\n"
                    "2;Brede school;Utrecht;4;3\n", encoding="utf-8")  # fmt: skip
    before = history()
    options = ImportOptions(source=SOURCE, profile=str(profile), allow_partial=True, may_write=utrecht_only)
    run = run_import(path, options).run
    assert run.status == ImportRun.Status.GEDEELTELIJK and run.counts["rejected"] == 1, run.problems
    assert sorted(ExternalId.objects.filter(source=SOURCE).values_list("external_id", flat=True)) == [
        "2-hard", "2-zacht"
    ]  # fmt: skip
    after = history()
    assert len(after["projects_project"]) == len(before["projects_project"]) + 2
