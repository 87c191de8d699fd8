"""Closed peilingen materialised per municipality (issue #21, monitor/materialised.py).

"A materialised snapshot equals the live computation for every area kind (hypothesis over generated histories),
and deleting it only costs time." The histories are the demo generator's (every version, milestone and close of
a real history, small), written through the one real writer; the live computation is a fresh read of the frozen
entries (snapshot._read) and the figures national() gives every municipality, province and NL from it."""

from datetime import UTC, datetime

import numpy as np
import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bouwregie.demo.generator import generate
from bouwregie.demo.parameters import DemoParameters
from bouwregie.geo.areas import Area, resolve_area
from bouwregie.geo.models import Region
from bouwregie.monitor import api, dates, delays, figures, materialised, snapshot
from bouwregie.monitor.models import SnapshotPart
from bouwregie.projects import services
from bouwregie.projects.models import Milestone, Peiling
from bouwregie.woondeals.demo import create_demo_woondeals

from .builders import create

FIELDS = (*materialised.PROJECT_FIELDS, "municipality", "municipality_codes", "municipality_province",
          "province_codes")  # fmt: skip


def assert_same_snapshot(found: snapshot.Snapshot, expected: snapshot.Snapshot) -> None:
    for name in FIELDS:
        a, b = getattr(found, name), getattr(expected, name)
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), name
        else:
            assert a == b, name


def forget() -> None:
    snapshot.forget_kept()
    delays.forget_kept()
    api.forget_kept()


def live_national(code: str) -> dict:
    """national() computed from a fresh read of the entries, not from the parts."""
    peiling = Peiling.objects.get(code=code)
    fresh = snapshot._read(peiling.id, code)
    return api._national(figures.group_sums(fresh, fresh.municipality, len(fresh.municipality_codes)), code, 1.3)


def load_history(projects: int, seed: int) -> list[str]:
    history, closes, entries = generate(DemoParameters(projects=projects, seed=seed))
    services.write_history(history, closes, entries, author="demo")
    return list(closes)


@pytest.mark.django_db
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])  # fmt: skip
@given(projects=st.integers(1, 120), seed=st.integers(0, 10_000), pick=st.randoms(use_true_random=False))
def test_a_materialised_peiling_equals_the_live_computation_for_every_area_kind(projects, seed, pick):
    with transaction.atomic():
        codes = load_history(projects, seed)
        create_demo_woondeals()
        latest = [p.code for p in Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter")[:2]]
        materialised_now = SnapshotPart.objects.filter(format=materialised.FORMAT, municipality="")
        assert sorted(materialised_now.values_list("peiling__code", flat=True)) == sorted(latest)  # older: when asked
        code = pick.choice(codes)
        peiling = Peiling.objects.get(code=code)
        fresh = snapshot._read(peiling.id, code)
        forget()
        materialised_ = materialised.snapshot_of(peiling)
        assert_same_snapshot(materialised_, fresh)
        stored = materialised_.milestones
        expected_stones = sorted(
            (m.version.project_id, m.kind, m.sequence, m.actual or m.planned)
            for m in Milestone.objects.filter(version_id__in=fresh.version_ids.tolist()).select_related("version")
        )  # every milestone of the peiling's versions, its actual date else its planned one, asked one by one
        columns = (stored.project_ids.tolist(), stored.kind, stored.sequence.tolist(), stored.date)
        assert [
            (p, stored.kinds[k], s, None if np.isnat(d) else d.astype(object))
            for p, k, s, d in zip(*columns, strict=True)
        ] == expected_stones  # fmt: skip
        live_days = dates.read(peiling, fresh.version_ids, fresh.project_ids)
        for name in materialised.DATE_FIELDS:
            found, expected_days = getattr(materialised_.dates, name), getattr(live_days, name)
            assert found.dtype == expected_days.dtype and np.array_equal(found, expected_days), name
        expected = live_national(code)
        for area_code in pick.sample(sorted(expected), min(12, len(expected))) + ["NL"]:
            forget()  # cold: as a new process asks it
            assert api.monitor(area_code, code) == expected[area_code], area_code
            part = resolve_area(area_code, peiling.reference_date)
            members = materialised.snapshot_of(peiling, None if part.kind == "nl" else part.municipalities)
            assert set(members.project_ids.tolist()) == set(
                fresh.project_ids[snapshot.members(fresh, part)].tolist()
            ), area_code
            at = np.searchsorted(fresh.project_ids, members.project_ids)  # the members' rows in the fresh read
            for name in materialised.DATE_FIELDS:
                assert np.array_equal(getattr(members.dates, name), getattr(live_days, name)[at]), (area_code, name)
        regions = list(Region.objects.order_by("code"))
        for region in pick.sample(regions, min(3, len(regions))):
            area = resolve_area(region.code, peiling.reference_date)
            forget()
            cold = api.monitor(region.code, code)
            forget()
            api.load_area = lambda *args: fresh  # the region's figures from the fresh read
            try:
                assert cold == api._monitor(area, code, 1.3), region.code
            finally:
                api.load_area = snapshot.load_area
        if codes.index(code) > 0:
            first = codes[codes.index(code) - 1]
            for area_code in ["NL", *pick.sample(sorted(expected), min(6, len(expected)))]:
                assert cold_delays(area_code, first, code) == live_delays(area_code, first, code), area_code
        transaction.set_rollback(True)


def cold_delays(area: str, first: str, second: str) -> dict:
    forget()
    found = delays.delays(area, first, second, months=0)
    assert snapshot._KEPT == {} or all(s.milestones is not None for s in snapshot._KEPT.values())
    return found


def live_delays(area: str, first: str, second: str) -> dict:
    """The delays from fresh reads of the entries, milestones read from the database."""
    forget()
    fresh = {code: snapshot._read(Peiling.objects.get(code=code).id, code) for code in (first, second)}
    original = delays.load_area, delays.load
    delays.load_area, delays.load = (lambda code, _area: fresh[code]), (lambda code: fresh[code])
    try:
        return delays.delays(area, first, second, months=0)
    finally:
        delays.load_area, delays.load = original
        forget()


@pytest.fixture
def closed(db):
    create("A", "GM0344", plan_status="1A", homes={"sociale_huur": {"gestapeld": 40}}, phasing={"2027": 40})
    create("B", "Amsterdam", plan_status="2A", homes={"dure_koop": {"gestapeld": 60}}, phasing={"2028": 60})
    create("C", "Zeist", plan_status="4A", homes={"middenhuur": {"gestapeld": 25}}, phasing={"2029": 25})
    return services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))


def test_closing_materialises_one_part_per_municipality_and_a_closing_part(closed):
    parts = dict(SnapshotPart.objects.filter(peiling=closed).values_list("municipality", "rows"))
    assert parts == {"GM0344": 1, "GM0363": 1, "GM0355": 1, "": 3}


@pytest.mark.parametrize("deleted", ["all", "one municipality", "the closing part"])
def test_deleting_the_parts_only_costs_time(closed, deleted):
    expected = live_national("2025-Q2")
    parts = SnapshotPart.objects.filter(peiling=closed)
    {"all": parts, "one municipality": parts.filter(municipality="GM0363"),
     "the closing part": parts.filter(municipality="")}[deleted].delete()  # fmt: skip
    forget()
    assert api.monitor("GM0363", "2025-Q2") == expected["GM0363"]
    assert api.monitor("NL", "2025-Q2") == expected["NL"]
    assert SnapshotPart.objects.filter(peiling=closed, municipality="").exists()  # rebuilt
    assert dict(SnapshotPart.objects.filter(peiling=closed).values_list("municipality", "rows"))["GM0363"] == 1


def test_parts_of_other_code_are_ignored_and_rebuilt(closed):
    SnapshotPart.objects.filter(peiling=closed).delete()
    SnapshotPart.objects.create(peiling=closed, format="anders", municipality="", rows=0, projects=b"{}", sums=b"")
    forget()
    assert api.monitor("NL", "2025-Q2")["pipeline"]["homes"] == 125
    assert SnapshotPart.objects.filter(peiling=closed, format=materialised.FORMAT).count() == 4


def test_a_part_cannot_be_changed_at_the_database(closed):
    with pytest.raises(DatabaseError, match="alleen-toevoegen"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE monitor_snapshotpart SET rows = rows + 1 WHERE municipality = 'GM0344'")
    assert SnapshotPart.objects.get(peiling=closed, municipality="GM0344").rows == 1


def test_a_cold_question_about_one_municipality_reads_only_its_part(closed):
    forget()
    with CaptureQueriesContext(connection) as queries:
        figures = api.monitor("GM0344", "2025-Q2")
    assert figures["pipeline"]["homes"] == 40
    read = [q["sql"] for q in queries.captured_queries if "monitor_snapshotpart" in q["sql"]]
    assert read and all("GM0363" not in sql and "GM0355" not in sql for sql in read)
    assert not [q for q in queries.captured_queries if "projects_milestone" in q["sql"]]  # no project re-read
    forget()
    with CaptureQueriesContext(connection) as queries:
        assert api.projects_behind("GM0344", "2025-Q2", "planned:2027") == [services.project_code(
            snapshot.load("2025-Q2").project_ids[0].item())]  # fmt: skip
    assert not [q for q in queries.captured_queries if "projects_milestone" in q["sql"]]


def test_the_cold_national_figures_read_the_sums_and_no_project_row(closed):
    expected = live_national("2025-Q2")
    forget()
    with CaptureQueriesContext(connection) as queries:
        found = api.national("2025-Q2")
    assert found == expected and found["NL"]["pipeline"]["homes"] == 125
    parts = [q["sql"] for q in queries.captured_queries if "monitor_snapshotpart" in q["sql"]]
    assert parts and not [sql for sql in parts if '"projects"' in sql.split("FROM")[0] and "= ''" not in sql]
    assert not [q for q in queries.captured_queries if "projects_projectversion" in q["sql"]]
    assert api.monitor("PV26", "2025-Q2") is found["PV26"]  # monitors() takes a computed area from it


def test_an_open_peiling_is_computed_live_and_not_materialised(closed):
    create("D", "GM0344", plan_status="1A", homes={"sociale_huur": {"gestapeld": 10}}, phasing={"2027": 10},
           when=datetime(2025, 8, 1, tzinfo=UTC))  # fmt: skip
    services.get_or_open_peiling("2025-Q3")
    assert api.monitor("GM0344", "2025-Q3")["pipeline"]["homes"] == 50
    assert not SnapshotPart.objects.filter(peiling__code="2025-Q3").exists()
    with pytest.raises(ValueError, match="open"):
        materialised.snapshot_of(Peiling.objects.get(code="2025-Q3"))


def test_an_area_without_projects_gives_empty_figures(closed):
    forget()
    empty = Area("gemeente", "GM0014", "Groningen", frozenset({"GM0014"}))
    s = materialised.snapshot_of(closed, empty.municipalities)
    assert len(s.project_ids) == 0 and s.realised.shape == (0, len(snapshot.YEARS))
    assert api.monitor("GM0014", "2025-Q2")["pipeline"]["homes"] == 0


def test_a_project_that_left_the_area_is_named_with_its_state_in_the_second_peiling(closed):
    from bouwregie.projects.models import Project
    from bouwregie.projects.rules import ProjectData
    from bouwregie.projects.services import VersionMeta

    moved = Project.objects.get(code=services.project_code(snapshot.load("2025-Q2").project_ids[0].item()))
    data = ProjectData(name="A", municipality="Amsterdam", plan_status="1A", homes={"sociale_huur": {"gestapeld": 40}},
                       phasing={"2027": 40})  # fmt: skip
    services.create_version(moved, data, VersionMeta(author="test", source="edit", reason="verhuisd",
                                                     created_at=datetime(2025, 8, 1, tzinfo=UTC)))  # fmt: skip
    services.close_peiling("2025-Q3", author="test", now=datetime(2025, 10, 15, tzinfo=UTC))
    cold = cold_delays("GM0344", "2025-Q2", "2025-Q3")
    assert [r for p in cold["projects"] for r in p["reasons"]] == [{"soort": "verdwenen", "status": "actief"}]
    assert cold == live_delays("GM0344", "2025-Q2", "2025-Q3")
