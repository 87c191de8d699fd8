"""Whatever goes in through the write paths, history stays as it was (issue #16, "How we will check"): after any
sequence of imports (importer and CLI rights, all-or-nothing and partial, into an open or a closed peiling), API
PATCH and POST and web edits, by any role and with any input, every row of projects, versions, milestones, external
ids, peiling entries and seals that existed before is byte-for-byte the same, only new rows were added, and every
closed peiling is unchanged. Raw SQL rows compared as tuples, on SQLite and PostgreSQL."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.projects import services
from bouwregie.projects.models import Project, ProjectVersion

from .roles import build_world

APPEND_ONLY = ["projects_project", "projects_externalid", "projects_projectversion", "projects_milestone",
               "projects_peilingentry", "projects_versionseal"]  # fmt: skip
ROLES = ["gemeente_utrecht", "gemeente_utrecht", "provincie_utrecht", "beheerder", "gemeente_amsterdam", "corporatie"]
CODES = ["utrecht", "amsterdam"]


@pytest.fixture
def world(db):
    w = build_world()
    project = Project.objects.get(code=w["utrecht"])
    data = services.current_data([project.id])[project.id][1]
    services.create_version(project, data.__class__(**{**data.__dict__, "name": "Merwedekanaalzone 2"}),
                            services.VersionMeta(author="test", source="edit", reason="tweede versie",
                                                 created_at=datetime(2025, 8, 1, tzinfo=UTC)))  # fmt: skip
    services.get_or_open_peiling("2025-Q3")
    return w


def snapshot() -> dict:
    rows = {}
    with connection.cursor() as cursor:
        for table in APPEND_ONLY:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            rows[table] = cursor.fetchall()
        cursor.execute("SELECT * FROM projects_peiling WHERE closed_at IS NOT NULL ORDER BY 1")
        rows["closed peilingen"] = cursor.fetchall()
    return rows


def assert_only_added(before: dict, after: dict) -> None:
    for table in APPEND_ONLY:
        assert after[table][: len(before[table])] == before[table], f"{table}: an earlier row changed or vanished"
    closed_after = {row[0]: row for row in after["closed peilingen"]}
    for row in before["closed peilingen"]:
        assert closed_after.get(row[0]) == row, "a closed peiling changed"


# --- inputs -------------------------------------------------------------------------------------------------
# Mostly valid (so that most writes are written), sometimes not (so that refusals are exercised too).
names = st.text(alphabet="abcdefghij klmnopqrstuvwxyzé'-", min_size=1, max_size=40).filter(str.strip)
counts = st.one_of(
    st.integers(0, 400).map(str), st.integers(0, 400).map(str), st.sampled_from(["", "-3", "veel", "1.250"])
)
dates = st.sampled_from(["", "2024-01-15", "2026-06-30", "2026-09-30", "2023-05-01", "2031-02-30", "gisteren", "2027"])
statuses = st.sampled_from(["1A", "2B", "3", "4A", "hard", "", "9Z"])
municipalities = st.sampled_from(["GM0344", "GM0344", "GM0363", "Utrecht", "GM9999", ""])
HEADER = ["projectcode", "extern_id", "projectnaam", "gemeentecode", "planstatus", "sociale_huur_gestapeld",
          "start_bouw_werkelijk", "oplevering_gepland", "oplevering_woningen"]  # fmt: skip
rows = st.tuples(st.sampled_from(["utrecht", "amsterdam", "", "BR-9999999"]),
                 st.sampled_from(["", "E-1", "E-2", "E-3"]), names, municipalities, statuses, counts, dates, dates,
                 counts)  # fmt: skip

imports = st.fixed_dictionaries({
    "kind": st.just("import"), "rows": st.lists(rows, min_size=1, max_size=5),
    "source": st.sampled_from(["Gemeente Utrecht", "Provincie Utrecht"]), "partial": st.booleans(),
    "rights": st.sampled_from([None, "GM0344"]), "peiling": st.sampled_from([None, "2025-Q2", "2025-Q3"]),
})  # fmt: skip
milestones = st.lists(
    st.fixed_dictionaries({"kind": st.sampled_from(["start_bouw", "oplevering", "initiatief", "principebesluit",
                                                    "vliegen"]),
                           "planned": st.sampled_from([None, "2024-02-01", "2030-01-01"]),
                           "actual": st.sampled_from([None, "2025-01-01", "2099-01-01"]),
                           "homes": st.sampled_from([None, None, 5, 5000, -1])}),
    max_size=3,
)  # fmt: skip
changes = st.fixed_dictionaries(
    {"reason": st.sampled_from(["Kwartaalupdate", "Kwartaalupdate", "x", ""])},
    optional={"name": names, "plan_status": statuses, "municipality": municipalities,
              "homes": st.dictionaries(st.sampled_from(["sociale_huur", "dure_koop", "vliegen"]),
                                       st.fixed_dictionaries({"gestapeld": st.integers(-3, 5000)}), max_size=2),
              "milestones": milestones, "demolitions": st.integers(-1, 100)},
)  # fmt: skip
api_patches = st.fixed_dictionaries({"kind": st.just("api patch"), "role": st.sampled_from(ROLES),
                                     "code": st.sampled_from(CODES), "body": changes})  # fmt: skip
api_posts = st.fixed_dictionaries({"kind": st.just("api post"), "role": st.sampled_from(ROLES), "body": changes})
web_edits = st.fixed_dictionaries({
    "kind": st.just("web edit"), "role": st.sampled_from(ROLES), "code": st.sampled_from(CODES),
    "stale": st.sampled_from([False, False, False, True]),
    "form": st.fixed_dictionaries({"reden": st.sampled_from(["Kwartaalupdate", "Kwartaalupdate", ""])},
                                  optional={"name": names, "plan_status": statuses,
                                            "woningen_sociale_huur_gestapeld": counts,
                                            "werkelijk_start_bouw": dates, "gepland_oplevering": dates}),
})  # fmt: skip
writes = st.lists(st.one_of(imports, api_patches, api_posts, web_edits), min_size=1, max_size=4)


# --- the real entry points ----------------------------------------------------------------------------------
def apply(write: dict, world: dict, tmp_path, client: Client) -> None:
    code = world.get(write.get("code"))
    if write["kind"] == "import":
        text = io.StringIO()
        out = csv.writer(text, delimiter=";")
        out.writerow(HEADER)
        for projectcode, *rest in write["rows"]:
            out.writerow([world.get(projectcode, projectcode), *rest])
        path = tmp_path / "planlijst.csv"
        path.write_text(text.getvalue(), encoding="utf-8")
        rights = write["rights"]
        may_write = (lambda municipality: municipality == rights) if rights else None
        run_import(path, ImportOptions(source=write["source"], allow_partial=write["partial"], may_write=may_write,
                                       peiling=write["peiling"], report_path=tmp_path / "rapport.csv"))  # fmt: skip
        return
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world['keys'][write['role']]}"}
    if write["kind"] == "api patch":
        client.patch(f"/api/v1/projects/{code}", data=write["body"], content_type="application/json", **auth)
    elif write["kind"] == "api post":
        body = {"name": "Nieuw", "municipality": "GM0344", **write["body"]}
        client.post("/api/v1/projects", data=body, content_type="application/json", **auth)
    else:
        current = ProjectVersion.objects.filter(project__code=code).order_by("-number").first().number
        form = {"versie": str(current - 1 if write["stale"] else current), "name": "Merwedekanaalzone",
                "plan_status": "1A", "plan_type": "onbekend", "lifecycle": "actief",
                "woningen_sociale_huur_gestapeld": "40", **write["form"]}  # fmt: skip
        client.force_login(world["users"][write["role"]])
        client.post(f"/projecten/{code}/bewerken", form)
        client.logout()


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])  # fmt: skip
@given(sequence=writes)
def test_no_write_path_changes_history_whatever_the_input(world, tmp_path, sequence):
    client = Client(raise_request_exception=False)  # a server error is not this test's subject; history is
    before = snapshot()
    for write in sequence:
        apply(write, world, tmp_path, client)
    assert_only_added(before, snapshot())
