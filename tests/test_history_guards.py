"""The database itself keeps history append-only (issue #16, faults 4 and 5; docs/decisions/0002):

- a version's milestones are fixed once the version exists: a milestone added later to a version frozen in a
  closed peiling (realised 2026 of GM0344 went 156 → 5,156) is refused by the ORM path and raw SQL alike;
- SQLite's REPLACE conflict resolution (`INSERT OR REPLACE`, `REPLACE INTO`, `UPDATE OR REPLACE`) and UPSERT's
  `ON CONFLICT DO UPDATE` (both databases) cannot rewrite a row of history or reopen a closed peiling.

Every test runs on SQLite and PostgreSQL (DATABASE_URL)."""

from datetime import UTC, date, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from bouwregie.projects import services
from bouwregie.projects.models import Milestone, PeilingEntry, ProjectVersion, VersionSeal
from bouwregie.projects.rules import MilestoneData as M

from .builders import create

pytestmark = pytest.mark.django_db

HISTORY = ["projects_project", "projects_externalid", "projects_projectversion", "projects_milestone",
           "projects_peilingentry", "projects_versionseal", "projects_peiling"]  # fmt: skip


@pytest.fixture
def frozen():
    """A project in gemeente Utrecht with a delivery of 156 homes in 2026, frozen in closed peiling 2025-Q2,
    and a later version of it in the open quarter; an open peiling 2025-Q3."""
    project = create("Merwedekanaalzone", "GM0344", homes={"sociale_huur": {"gestapeld": 156}},
                     milestones=(M("start_bouw", actual=date(2025, 3, 1)),
                                 M("oplevering", planned=date(2026, 6, 1), homes=156)))  # fmt: skip
    meta = services.VersionMeta(author="test", source="edit", reason="extern id",
                                created_at=datetime(2025, 6, 2, tzinfo=UTC))  # fmt: skip
    services.create_project(services.current_data([project.id])[project.id][1], meta,
                            external_ids=[("Gemeente Utrecht", "U-1")])  # fmt: skip
    peiling = services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    services.get_or_open_peiling("2025-Q3")
    data = services.current_data([project.id])[project.id][1]
    later = services.create_version(
        project, data.__class__(**{**data.__dict__, "name": "Merwedekanaalzone fase 2"}),
        services.VersionMeta(author="test", source="edit", reason="nieuwe naam"),
    )  # fmt: skip
    first = PeilingEntry.objects.get(peiling=peiling, project=project).version
    return {"project": project, "peiling": peiling, "first": first, "later": later}


def snapshot() -> dict:
    rows = {}
    with connection.cursor() as cursor:
        for table in HISTORY:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            rows[table] = cursor.fetchall()
    return rows


def realised_2026(code: str, project) -> int:
    """The project's homes delivered in 2026 as peiling `code` froze them (its version's milestones)."""
    _number, data = services.peiling_data(code)[project.id]
    return sum(m.homes or 0 for m in data.milestones if m.kind == "oplevering" and m.date and m.date.year == 2026)


def refused(sql: str, params=()) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- fault 4: a version's milestones are fixed once it exists ---------------------------------------------
def test_a_milestone_cannot_be_added_to_a_version_frozen_in_a_closed_peiling(frozen):
    before, figure = snapshot(), realised_2026("2025-Q2", frozen["project"])
    assert figure == 156
    with pytest.raises(DatabaseError), transaction.atomic():
        Milestone.objects.create(version=frozen["first"], kind="oplevering", sequence=2, homes=5000,
                                 planned=date(2026, 9, 1))  # fmt: skip
    refused("INSERT INTO projects_milestone (version_id, kind, sequence, planned, homes) VALUES (%s, %s, %s, %s, %s)",
            [frozen["first"].id, "oplevering", 3, date(2026, 9, 1), 5000])  # fmt: skip
    assert snapshot() == before and realised_2026("2025-Q2", frozen["project"]) == 156


@pytest.mark.parametrize("which", ["first", "later"])
def test_no_version_gains_a_milestone_after_it_was_written_frozen_or_current(frozen, which):
    version = frozen[which]
    assert VersionSeal.objects.filter(version=version).exists()
    before = snapshot()
    with pytest.raises(DatabaseError), transaction.atomic():
        Milestone.objects.create(version=version, kind="initiatief", planned=date(2024, 1, 1))
    with pytest.raises(DatabaseError), transaction.atomic():  # many at once (COPY on PostgreSQL) as well
        Milestone.objects.bulk_create([Milestone(version=version, kind=k) for k in ("initiatief", "principebesluit")])
    assert snapshot() == before


def test_the_writers_still_write_versions_with_their_milestones(frozen):
    project = frozen["project"]
    data = services.current_data([project.id])[project.id][1]
    stones = (*data.milestones, M("initiatief", actual=date(2020, 1, 1)))
    meta = services.VersionMeta(author="t", source="edit", reason="mijlpaal erbij")
    version = services.create_version(project, data.__class__(**{**data.__dict__, "milestones": stones}), meta)
    assert version.milestones.count() == 3 and VersionSeal.objects.filter(version=version).exists()
    new = create("Nieuw", "GM0344", milestones=(M("initiatief", actual=date(2020, 1, 1)),))
    assert Milestone.objects.filter(version__project=new).count() == 1


def test_the_migration_sealed_every_version_and_no_version_is_left_open(frozen):
    assert set(VersionSeal.objects.values_list("version_id", flat=True)) == set(
        ProjectVersion.objects.values_list("id", flat=True)
    )


# --- fault 5: REPLACE and UPSERT cannot rewrite history ---------------------------------------------------
def _row(table: str, where: str = "1=1", params=()) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY 1 LIMIT 1", params)
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def _insert(verb: str, table: str, row: dict, tail: str = "") -> None:
    columns = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    refused(f"{verb} INTO {table} ({columns}) VALUES ({marks}) {tail}", list(row.values()))


CHANGED = {  # per table of history: the row a REPLACE would rewrite, and what it would change
    "projects_project": ("1=1", {"created_at": datetime(2000, 1, 1, tzinfo=UTC)}),
    "projects_externalid": ("1=1", {"external_id": "GEKAAPT"}),
    "projects_projectversion": ("1=1", {"name": "Herschreven"}),
    "projects_milestone": ("kind = 'oplevering'", {"homes": 5156}),
    "projects_peilingentry": ("1=1", {}),  # would point at another version: the whole row is the change
    "projects_versionseal": ("1=1", {}),
}


def _changed_row(table: str, frozen) -> dict:
    where, changes = CHANGED[table]
    row = {**_row(table, where), **changes}
    if table == "projects_peilingentry":
        row["version_id"] = frozen["later"].id
    if connection.vendor == "sqlite":  # raw parameters: SQLite stores datetimes as naive UTC text
        row = {k: v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) else v for k, v in row.items()}
    return row


def _key(table: str) -> str:
    return "version_id" if table == "projects_versionseal" else "id"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="REPLACE is SQLite's; PostgreSQL has no such statement")
@pytest.mark.parametrize("table", list(CHANGED))
@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE"])
@pytest.mark.parametrize("recursive_triggers", ["ON", "OFF"])
def test_sqlite_replace_cannot_rewrite_a_row_of_history(frozen, table, verb, recursive_triggers):
    """With recursive_triggers ON (our connections) the DELETE triggers fire; OFF (a plain sqlite3 shell) the
    insert guards refuse the colliding row before it is written."""
    before = snapshot()
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA recursive_triggers={recursive_triggers}")
    try:
        _insert(verb, table, _changed_row(table, frozen))
        if table == "projects_projectversion":  # a collision on the (project, number) key, under a fresh id
            row = {**_changed_row(table, frozen), "id": 10_000}
            _insert(verb, table, row)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers=ON")
    assert snapshot() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="UPDATE OR REPLACE is SQLite's")
@pytest.mark.parametrize("recursive_triggers", ["ON", "OFF"])
def test_sqlite_replace_cannot_reopen_a_closed_peiling(frozen, recursive_triggers):
    before = snapshot()
    closed = _row("projects_peiling", "code = %s", ["2025-Q2"])
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA recursive_triggers={recursive_triggers}")
    try:
        for verb in ("INSERT OR REPLACE", "REPLACE"):
            _insert(verb, "projects_peiling", {**closed, "closed_at": None, "closed_by": ""})
            _insert(verb, "projects_peiling", {**closed, "id": 999, "closed_at": None, "closed_by": ""})  # by code
        # an open peiling renamed onto the closed one's code or id: REPLACE would delete the closed one
        refused("UPDATE OR REPLACE projects_peiling SET code = '2025-Q2' WHERE code = '2025-Q3'")
        refused("UPDATE OR REPLACE projects_peiling SET id = %s WHERE code = '2025-Q3'", [closed["id"]])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers=ON")
    assert snapshot() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="UPDATE OR REPLACE is SQLite's")
def test_sqlite_update_or_replace_of_history_is_refused(frozen):
    before = snapshot()
    refused("UPDATE OR REPLACE projects_projectversion SET name = 'Herschreven'")
    refused("UPDATE OR REPLACE projects_projectversion SET number = 1 WHERE id = %s", [frozen["later"].id])
    refused("UPDATE OR REPLACE projects_milestone SET homes = 5156")
    assert snapshot() == before


@pytest.mark.parametrize("table", list(CHANGED))
def test_upsert_cannot_rewrite_a_row_of_history(frozen, table):
    """INSERT ... ON CONFLICT DO UPDATE (both databases) fires the UPDATE triggers; DO NOTHING changes nothing."""
    before = snapshot()
    row = _changed_row(table, frozen)
    key = _key(table)
    assignments = ", ".join(f"{c} = excluded.{c}" for c in row if c != key) or f"{key} = excluded.{key}"
    _insert("INSERT", table, row, f"ON CONFLICT ({key}) DO UPDATE SET {assignments}")
    columns, marks = ", ".join(row), ", ".join(["%s"] * len(row))
    try:  # does nothing, or refused outright (SQLite's insert guard; an entry into a closed peiling)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", list(row.values())
            )
    except DatabaseError:
        pass
    assert snapshot() == before


def test_upsert_cannot_reopen_a_closed_peiling(frozen):
    before = snapshot()
    closed = _row("projects_peiling", "code = %s", ["2025-Q2"])
    _insert("INSERT", "projects_peiling", {**closed, "closed_at": None, "closed_by": ""},
            "ON CONFLICT (id) DO UPDATE SET closed_at = excluded.closed_at, closed_by = ''")  # fmt: skip
    _insert("INSERT", "projects_peiling", {**closed, "id": 999, "closed_at": None, "closed_by": ""},
            "ON CONFLICT (code) DO UPDATE SET closed_at = excluded.closed_at")  # fmt: skip
    assert snapshot() == before
    assert services.get_or_open_peiling("2025-Q2").is_closed


def test_an_open_peiling_still_closes_and_the_guards_leave_normal_writes_alone(frozen):
    peiling = services.close_peiling("2025-Q3", author="test")
    assert peiling.is_closed and PeilingEntry.objects.filter(peiling=peiling).count() == 2
