"""Large reads in pieces (issue #21: "peak memory independent of the number of projects").

A peiling's snapshot (snapshot._read) is read a range of IN_CHUNK project ids at a time, the forecast's history
(forecast.history.read) fetches CHUNK rows at a time and asks for the milestones of IN_CHUNK versions at a time.
At the demo's sizes one piece holds everything; here the pieces are made tiny, so every boundary case occurs (a
range with no project of the peiling, a project's rows split over two fetches), and the result must be exactly
what one piece gives: the same arrays, dtypes and calibration."""

from datetime import date

import numpy as np
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bouwregie.demo.generator import generate
from bouwregie.demo.parameters import DemoParameters
from bouwregie.forecast import calibration
from bouwregie.forecast import history as hist
from bouwregie.monitor import snapshot
from bouwregie.projects import services
from bouwregie.projects.models import Peiling


def in_pieces(read, piece: int, fetch: int):
    """`read()` with snapshot.IN_CHUNK = piece and snapshot.CHUNK = fetch, then both as they were."""
    kept = snapshot.IN_CHUNK, snapshot.CHUNK
    snapshot.IN_CHUNK, snapshot.CHUNK = piece, fetch
    try:
        return read()
    finally:
        snapshot.IN_CHUNK, snapshot.CHUNK = kept


def assert_same_arrays(found, expected) -> None:
    for name, b in vars(expected).items():
        a = getattr(found, name)
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), name
        else:
            assert a == b, name


@pytest.mark.django_db
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])  # fmt: skip
@given(projects=st.integers(1, 60), seed=st.integers(0, 10_000), piece=st.integers(1, 25), fetch=st.integers(1, 40))
def test_a_peiling_and_its_history_read_in_pieces_equal_them_read_whole(projects, seed, piece, fetch):
    with transaction.atomic():
        history, closes, entries = generate(DemoParameters(projects=projects, seed=seed))
        services.write_history(history, closes, entries, author="demo")
        for code in list(closes)[-2:]:
            peiling = Peiling.objects.get(code=code)
            whole = snapshot._read(peiling.id, code)
            assert len(whole.project_ids) and np.all(np.diff(whole.project_ids) > 0)  # one row per project, in order
            assert_same_arrays(in_pieces(lambda p=peiling: snapshot._read(p.id, p.code), piece, fetch), whole)
            whole_history = hist.read(code)
            pieces_history = in_pieces(lambda c=code: hist.read(c), piece, fetch)
            assert_same_arrays(pieces_history, whole_history)
            assert calibration.fit(pieces_history, code) == calibration.fit(whole_history, code)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_an_open_peiling_without_projects_reads_as_empty_arrays():
    peiling = services.get_or_open_peiling("2030-Q1")
    empty = snapshot._read(peiling.id, peiling.code)
    assert len(empty.project_ids) == 0 and empty.realised.shape == (0, len(snapshot.YEARS))
    assert in_pieces(lambda: snapshot._read(peiling.id, peiling.code), 1, 1).segments.shape == empty.segments.shape


@pytest.mark.django_db
def test_arrays_in_asks_for_every_id_once_and_gives_the_dtypes_asked():
    history, closes, entries = generate(DemoParameters(projects=12, seed=3))
    services.write_history(history, closes, entries, author="demo")
    from bouwregie.projects.models import Milestone

    ids = list(Milestone.objects.order_by().values_list("version_id", flat=True).distinct())
    whole = Milestone.objects.filter(version_id__in=ids).count()
    version, sequence = in_pieces(lambda: snapshot.arrays_in(
        Milestone.objects.values_list("version_id", "sequence"), "version_id", ids, snapshot.integers,
        snapshot.integers, dtypes=(np.int64, np.int16)), 5, 7)  # fmt: skip
    assert len(version) == whole and sorted(set(version.tolist())) == sorted(ids)
    assert version.dtype == np.int64 and sequence.dtype == np.int16
    assert [len(a) for a in snapshot.arrays_in(Milestone.objects.values_list("version_id"), "version_id", [],
                                               snapshot.integers)] == [0]  # fmt: skip


def current_one_by_one(peiling: Peiling, version_ids, project_ids) -> hist.Current:
    """What forecast.history.current must give, asked per version and per project through the ORM."""
    from bouwregie.projects.models import Milestone, PeilingEntry, ProjectVersion
    from bouwregie.projects.rules import quarter_end

    def day(value):
        return value.toordinal() if value is not None else hist.NOT_SEEN

    reached, planned, first = [], [], []
    for vid in version_ids.tolist():
        phase = ProjectVersion.objects.get(pk=vid).phase
        stone = Milestone.objects.filter(version_id=vid, kind=phase, sequence=1).first()
        reached.append(day(stone.actual if stone else None))
        plan = Milestone.objects.filter(version_id=vid, kind="oplevering", sequence=1).first()
        planned.append(day(plan.planned if plan else None))
    closed = hist.closed_until(peiling)
    for pid in project_ids.tolist():
        entry = (
            PeilingEntry.objects.filter(project_id=pid, peiling__in=closed)
            .order_by("peiling__year", "peiling__quarter")
            .first()
        )
        first.append(quarter_end(entry.peiling.year, entry.peiling.quarter).toordinal() if entry
                     else peiling.reference_date.toordinal())  # fmt: skip
    return hist.Current(*(np.array(a, dtype=np.int64) for a in (reached, planned, first)))


@pytest.mark.django_db
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])  # fmt: skip
@given(projects=st.integers(1, 40), seed=st.integers(0, 10_000), fetch=st.integers(1, 30))
def test_a_forecasts_current_dates_equal_them_asked_one_by_one(projects, seed, fetch):
    """history.current reads over the peiling's versions as a subquery and aligns with numpy (issue #21); it must
    equal the dates asked per version, for a closed peiling and for the open one (whose versions are the newest,
    and whose new projects were first seen on its own reference date)."""
    from bouwregie.forecast import api as forecast_api
    from bouwregie.forecast import model
    from bouwregie.geo.areas import resolve_area
    from bouwregie.projects.rules import MilestoneData, ProjectData
    from bouwregie.projects.services import VersionMeta

    with transaction.atomic():
        history, closes, entries = generate(DemoParameters(projects=projects, seed=seed))
        services.write_history(history, closes, entries, author="demo")
        year, quarter = services.parse_peiling_code(list(closes)[-1])
        following = f"{year + quarter // 4}-Q{quarter % 4 + 1}"
        open_code = services.get_or_open_peiling(following).code
        # New in the open peiling (first seen on its reference date), in two tranches: only each milestone's first
        # counts, and the second tranche's dates differ from the first's.
        tranches = (
            MilestoneData("start_bouw", actual=date(year, 2, 1)),  # whichever order the rows come back in, the
            MilestoneData("start_bouw", actual=date(year, 3, 1), sequence=2),  # first counts: stored after it here,
            MilestoneData("oplevering", planned=date(year + 2, 1, 31), homes=20, sequence=2),  # before it here
            MilestoneData("oplevering", planned=date(year + 3, 6, 30), homes=20),
            # an earlier phase's milestone stored after the current phase's (start_bouw): only the current counts
            MilestoneData("vergunning_verleend", actual=date(year - 1, 11, 1)),
        )
        data = ProjectData(name="Nieuw", municipality="Amsterdam", homes={"sociale_huur": {"gestapeld": 40}},
                           plan_status="1A", milestones=tranches)  # fmt: skip
        services.create_project(data, VersionMeta(author="test", source="edit", reason="nieuw", peiling=open_code))
        for code in [list(closes)[-1], open_code, "close it"]:
            if code == "close it":  # and ask again: now materialised, its days taken from the milestone rows
                code = services.close_peiling(open_code, author="test", allow_running=True).code
                snapshot.forget_kept()
            peiling = Peiling.objects.get(code=code)
            s = snapshot.load(code)
            rows = model.to_forecast(s, resolve_area("NL"))
            found = in_pieces(lambda c=code, r=rows, s=s: hist.current(c, s.version_ids[r], s.project_ids[r]), 1, fetch)
            expected = current_one_by_one(peiling, s.version_ids[rows], s.project_ids[rows])
            assert_same_arrays(found, expected)
            # A closed peiling's days are stored with its snapshot (monitor/dates.py), and what the forecast takes
            # from there is the same; an open peiling has none stored.
            assert (s.dates is not None) == peiling.is_closed
            if peiling.is_closed:
                assert_same_arrays(s.dates.take(rows), expected)
                assert_same_arrays(forecast_api._current(resolve_area("NL"), code), expected)
        snapshot.forget_kept()
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(days=st.lists(st.one_of(st.none(), st.dates(date(1, 1, 1), date(9999, 12, 31))), min_size=1, max_size=20))
def test_the_database_s_day_number_of_a_date_is_python_s(days):
    """snapshot.OrdinalDay (the database turns a date into date.toordinal(), EMPTY where there is none) is what
    materialising and the forecast read their millions of dates with: it must be Python's own day number, on
    both databases, from year 1 to 9999 (leap days, centuries) and for an empty date."""
    from django.db.models import DateField, Value

    from bouwregie.geo.models import Province

    found = list(Province.objects.order_by()[:1].values_list(
        *(snapshot.OrdinalDay(Value(day, output_field=DateField())) for day in days)).get())  # fmt: skip
    assert found == [snapshot.OrdinalDay.EMPTY if day is None else day.toordinal() for day in days]
