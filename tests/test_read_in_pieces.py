"""Large reads in pieces (issue #21: "peak memory independent of the number of projects").

A peiling's snapshot (snapshot._read) is read a range of IN_CHUNK project ids at a time, the forecast's history
(forecast.history.read) fetches CHUNK rows at a time and asks for the milestones of IN_CHUNK versions at a time.
At the demo's sizes one piece holds everything; here the pieces are made tiny, so every boundary case occurs (a
range with no project of the peiling, a project's rows split over two fetches), and the result must be exactly
what one piece gives: the same arrays, dtypes and calibration."""

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
