"""The only writer: versions are append-only, peilingen freeze history, bad input writes nothing."""

from datetime import UTC, date, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from bouwregie.projects import services
from bouwregie.projects.models import (
    AppendOnlyError,
    Milestone,
    Peiling,
    PeilingEntry,
    Project,
    ProjectVersion,
)
from bouwregie.projects.rules import MilestoneData, ProjectData
from bouwregie.projects.services import PeilingClosedError, ProjectValidationError, VersionMeta

pytestmark = pytest.mark.django_db


def at(y, m, d) -> datetime:
    return datetime(y, m, d, 12, tzinfo=UTC)


def data(**changes) -> ProjectData:
    base = dict(
        name="Stationskwartier",
        municipality="Weesp",
        homes={"sociale_huur": {"gestapeld": 30}, "middenhuur": {"gestapeld": 20}},
        plan_status="3",
        milestones=(
            MilestoneData("initiatief", actual=date(2022, 3, 1)),
            MilestoneData("start_bouw", planned=date(2026, 1, 1)),
        ),
    )
    return ProjectData(**{**base, **changes})


def meta(when: datetime, reason="Kwartaalactualisatie", peiling=None) -> VersionMeta:
    return VersionMeta(author="tester", source="edit", reason=reason, created_at=when, peiling=peiling)


def test_create_project_and_versions_keeps_history():
    v1 = services.create_project(data(), meta(at(2025, 2, 1), "Nieuw"), external_ids=[("planlijst NH", "W-1")])
    assert (v1.number, v1.municipality_id, v1.homes_total, v1.homes_sociale_huur) == (1, "GM0363", 50, 30)
    assert v1.phase == "initiatief" and v1.project.code.startswith("BR-")
    v2 = services.create_version(v1.project, data(plan_status="2A"), meta(at(2025, 5, 1)))
    assert v2.number == 2
    assert list(v1.project.versions.values_list("number", "plan_status")) == [(1, "3"), (2, "2A")]
    assert list(services.current_versions().values_list("id", flat=True)) == [v2.id]
    assert v2.milestones.count() == 2 and v1.milestones.count() == 2


def test_invalid_input_is_refused_with_every_reason_and_writes_nothing():
    counts = (Project.objects.count(), ProjectVersion.objects.count(), Milestone.objects.count())
    bad = data(
        municipality="Amsterdm",
        homes={"sociale_huur": {"gestapeld": -5}},
        milestones=(
            MilestoneData("start_bouw", planned=date(2026, 6, 1)),
            MilestoneData("oplevering", actual=date(2030, 1, 1)),
        ),
    )
    with pytest.raises(ProjectValidationError) as error:
        services.create_project(bad, meta(at(2025, 2, 1)))
    text = str(error.value)
    assert "Onbekende gemeente 'Amsterdm'. Bedoelde u: Amsterdam" in text
    assert "negatief" in text and "in de toekomst (2030-01-01)" in text
    assert [p.field for p in error.value.problems] == ["municipality", "homes", "milestones"]
    assert (Project.objects.count(), ProjectVersion.objects.count(), Milestone.objects.count()) == counts


def test_delivery_before_start_and_missing_reason_are_refused():
    v1 = services.create_project(data(), meta(at(2025, 2, 1)))
    with pytest.raises(ProjectValidationError, match="ligt vóór start bouw"):
        services.create_version(
            v1.project,
            data(
                milestones=(
                    MilestoneData("start_bouw", planned=date(2026, 6, 1)),
                    MilestoneData("oplevering", planned=date(2026, 2, 1)),
                )
            ),
            meta(at(2025, 3, 1)),
        )
    with pytest.raises(ProjectValidationError, match="Geef een reden"):
        services.create_version(v1.project, data(), meta(at(2025, 3, 1), reason=" "))
    assert v1.project.versions.count() == 1


def test_the_orm_refuses_to_change_or_delete_history():
    version = services.create_project(data(), meta(at(2025, 2, 1)))
    version.name = "Anders"
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        version.delete()
    with pytest.raises(AppendOnlyError):
        ProjectVersion.objects.filter(pk=version.pk).update(name="Anders")
    with pytest.raises(AppendOnlyError):
        Milestone.objects.filter(version=version).delete()
    with pytest.raises(AppendOnlyError):
        Project.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE projects_projectversion SET name = 'Anders'",
        "DELETE FROM projects_projectversion",
        "UPDATE projects_milestone SET actual = NULL",
        "DELETE FROM projects_milestone",
        "DELETE FROM projects_project",
    ],
)
def test_the_database_refuses_raw_sql_that_rewrites_history(sql):
    services.create_project(data(), meta(at(2025, 2, 1)))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert ProjectVersion.objects.get().name == "Stationskwartier"


def test_a_peiling_shows_each_project_as_it_was_at_its_close():
    v1 = services.create_project(data(), meta(at(2025, 2, 1)))
    q1 = services.close_peiling("2025-Q1", author="provincie", now=at(2025, 4, 15))
    v2 = services.create_version(v1.project, data(plan_status="2A"), meta(at(2025, 5, 1)))
    q2 = services.close_peiling("2025-Q2", author="provincie", now=at(2025, 7, 15))
    assert list(q1.entries.values_list("version_id", flat=True)) == [v1.id]
    assert list(q2.entries.values_list("version_id", flat=True)) == [v2.id]
    # A version written after a close does not leak into that peiling.
    assert PeilingEntry.objects.get(peiling=q1).version.plan_status == "3"


def test_closed_peilingen_cannot_change():
    v1 = services.create_project(data(), meta(at(2025, 2, 1)))
    q1 = services.close_peiling("2025-Q1", author="provincie", now=at(2025, 4, 15))
    with pytest.raises(PeilingClosedError, match="Peiling 2025-Q1 is gesloten"):
        services.create_version(v1.project, data(), meta(at(2025, 4, 20), peiling="2025-Q1"))
    with pytest.raises(PeilingClosedError, match="al gesloten"):
        services.close_peiling("2025-Q1", author="provincie")
    services.close_peiling("2025-Q3", author="provincie", now=at(2025, 10, 15))
    with pytest.raises(PeilingClosedError, match="2025-Q3 is al gesloten"):
        services.close_peiling("2025-Q2", author="provincie")
    for sql in (
        "UPDATE projects_peiling SET closed_by = 'x'",
        "DELETE FROM projects_peiling",
        "DELETE FROM projects_peilingentry",
        f"INSERT INTO projects_peilingentry (peiling_id, project_id, version_id) "
        f"VALUES ({q1.id}, {v1.project_id}, {v1.id})",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Peiling.objects.get(pk=q1.pk).closed_by == "provincie"


def test_a_dropped_project_is_reported_once_then_leaves_the_peilingen():
    v1 = services.create_project(data(), meta(at(2025, 2, 1)))
    services.close_peiling("2025-Q1", author="p", now=at(2025, 4, 15))
    services.create_version(v1.project, data(lifecycle="vervallen"), meta(at(2025, 5, 1), "Vervallen"))
    q2 = services.close_peiling("2025-Q2", author="p", now=at(2025, 7, 15))
    q3 = services.close_peiling("2025-Q3", author="p", now=at(2025, 10, 15))
    assert q2.entries.get().version.lifecycle == "vervallen"
    assert q3.entries.count() == 0


@pytest.mark.parametrize("code", ["2025Q3", "2025-Q5", "1999-Q1", "Q3-2025", ""])
def test_malformed_peiling_codes_are_refused(code):
    with pytest.raises(ValueError, match="gebruik de vorm 2025-Q3"):
        services.parse_peiling_code(code)
