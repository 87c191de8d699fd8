"""What makes the main pages cheap (issue #19: no page slower than 1 s p95 with 10 clients on the demo) must keep
them right: a closed peiling's realisatiestimulans and entry count are computed once and equal the computation,
an open peiling stays live, and no page asks more of the database when there are more projects."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bouwregie.geo.models import Municipality
from bouwregie.instruments import api
from bouwregie.projects import services
from bouwregie.projects.models import Peiling
from bouwregie.projects.rules import MilestoneData as M

from .builders import create
from .roles import seat_user

pytestmark = pytest.mark.django_db


def realised(name, municipality, homes, day=date(2025, 3, 1)):
    """A project of `homes` sociale huur homes delivered on `day` (recorded two weeks later)."""
    when = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=14)
    return create(name, municipality, when, lifecycle="gerealiseerd", homes={"sociale_huur": {"gestapeld": homes}},
                  milestones=(M("oplevering", planned=day, actual=day),))  # fmt: skip


def claim(result, variant="realisatie", code="GM0344", year=2025) -> int:
    found = [m for m in result["variants"][variant]["municipalities"] if m["code"] == code]
    return found[0]["years"][year]["claim_cents"] if found else 0


def test_a_closed_peilings_realisatiestimulans_is_computed_once_equal_to_the_computation():
    """10 sociale huurwoningen realised in Utrecht in 2025 × € 7.000 (regulation 2025-01) = € 70.000 claimed."""
    realised("A", "GM0344", 10)
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 1, tzinfo=UTC))
    first = api.realisatiestimulans("2025-Q2")
    assert claim(first) == 7_000_000
    names = dict(Municipality.objects.values_list("code", "name"))
    computed = api._computed("2025-Q2", names, list(api.VARIANTS))
    with CaptureQueriesContext(connection) as asked:
        again = api.realisatiestimulans("2025-Q2")
    assert not any("projects_milestone" in q["sql"] for q in asked.captured_queries)  # not computed again
    for variant in api.VARIANTS:
        for answer in (first, again):
            years = {
                y: {k: v for k, v in t.items() if k != "complete"}
                for y, t in answer["variants"][variant]["years"].items()
            }
            assert years == computed["variants"][variant]["years"]
            assert answer["variants"][variant]["municipalities"] == computed["variants"][variant]["municipalities"]
    # Every call has its own copy: what one caller changes (the pages filter, the CLI adds flags) no other sees.
    first["variants"]["realisatie"]["municipalities"].clear()
    again["variants"]["startbouw"]["years"].clear()
    fresh = api.realisatiestimulans("2025-Q2")
    startbouw = api._computed("2025-Q2", names, ["startbouw"])["variants"]["startbouw"]
    assert claim(fresh) == 7_000_000 and fresh["variants"]["startbouw"]["municipalities"] == startbouw["municipalities"]


def test_an_open_peilings_realisatiestimulans_stays_live_and_the_closed_one_does_not_move():
    realised("A", "GM0344", 10)
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 1, tzinfo=UTC))
    Peiling.objects.create(code="2025-Q3", year=2025, quarter=3)
    assert claim(api.realisatiestimulans("2025-Q3")) == 7_000_000
    realised("B", "GM0344", 5, day=date(2025, 8, 1))
    assert claim(api.realisatiestimulans("2025-Q3")) == 15 * 700_000  # the open peiling: what it would hold now
    assert claim(api.realisatiestimulans("2025-Q2")) == 7_000_000  # the closed one never changes


def test_a_changed_regulation_file_is_not_answered_from_the_kept_result(settings, tmp_path):
    """The kept result is keyed by the regulation versions found: a new version file (from 2025, € 8.000 per
    sociale huurwoning) counts at once for a peiling closed before it."""
    from .test_instruments import write_version

    realised("A", "GM0344", 10)
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 1, tzinfo=UTC))
    assert claim(api.realisatiestimulans("2025-Q2")) == 7_000_000
    settings.REGULATION_DIRS = [tmp_path]
    write_version(tmp_path, "2025-09", "2025-06-01", rate=800000)
    assert claim(api.realisatiestimulans("2025-Q2")) == 8_000_000


def test_the_peilingen_page_counts_a_closed_peilings_projects_once(client):
    client.force_login(seat_user("lezer", "Ministerie", "rijk", None, None, "lezer"))
    for name in ("A", "B", "C"):
        create(name, "GM0344")
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 1, tzinfo=UTC))
    Peiling.objects.create(code="2025-Q3", year=2025, quarter=3)
    body = client.get("/peilingen").content.decode()
    assert ">3</td>" in body and ">–</td>" in body  # closed: its 3 projects; open: none yet
    with CaptureQueriesContext(connection) as asked:
        client.get("/peilingen")
    assert not any("projects_peilingentry" in q["sql"] for q in asked.captured_queries)


PAGES = [
    "/",
    "/gebied/PV26",
    "/gebied/GM0344",
    "/projecten",
    "/projecten?status=alle&sorteer=-oplevering",
    "/projecten?zoek=P-&status=alle",
    "/projecten?vertraagd=ja",
    "/peilingen",
    "/vertragingen",
    "/alternatieven?gebied=GM0344&jaar=2027&tekort=50",
    "/instrumenten/realisatiestimulans",
    "/instrumenten/gemeente/GM0344",
    "/woondeals",
]


def _queries(client, path: str) -> int:
    assert client.get(path).status_code == 200, path  # the first view fills what a process keeps
    with CaptureQueriesContext(connection) as asked:
        assert client.get(path).status_code == 200
    return len(asked.captured_queries)


def _projects(start: int, n: int):
    for i in range(start, start + n):
        code = ("GM0344", "GM0363", "GM0307")[i % 3]
        create(f"P-{i}", code, homes={"sociale_huur": {"gestapeld": 10 + i}},
               milestones=(M("oplevering", planned=date(2027 + i % 3, 6, 1)),))  # fmt: skip


def test_no_main_page_asks_more_queries_for_more_projects(client):
    """Each main page as the benchmark asks it, with 6 projects and then with 18 (a new closed peiling each
    time): the same number of queries (no query per project, per row or per version)."""
    client.force_login(seat_user("lezer", "Ministerie", "rijk", None, None, "lezer"))
    _projects(0, 6)
    services.close_peiling("2025-Q1", author="test", now=datetime(2025, 4, 1, tzinfo=UTC))
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 1, tzinfo=UTC))
    few = {path: _queries(client, path) for path in PAGES}
    _projects(6, 12)
    services.close_peiling("2025-Q3", author="test", now=datetime(2025, 10, 1, tzinfo=UTC))
    many = {path: _queries(client, path) for path in PAGES}
    assert many == few


def _deal(code: str, members: list[str], total: int, valid_from: str, now: datetime):
    from bouwregie.woondeals import store

    store.record(code, {
        "name": f"Woondeal {code}", "provinces": ["PV27"], "signatories": [], "source": "test",
        "members": [{"code": m, "from": None, "until": None} for m in members],
        "taakstelling_total": total, "taakstelling_segments": {}, "jaarschijven": {}, "corporation_homes": None,
        "programming": {}, "valid_from": valid_from,
    }, "test", "test", now=now)  # fmt: skip


def test_regions_resolved_together_equal_each_resolved_alone_as_agreed_on_the_date():
    """The provincial dashboard resolves all its regions at once (issue #19); each must be the area resolve_area
    gives: a woondeal region's members as agreed on the date (a later version not yet in force), a plain region's
    own municipalities and projects."""
    from bouwregie.geo.areas import resolve_area, resolve_regions
    from bouwregie.geo.models import Region

    _deal("WD-01", ["GM0363"], 900, "2022-10-01", datetime(2023, 1, 5, tzinfo=UTC))
    _deal("WD-01", ["GM0363", "GM0358"], 1000, "2024-07-01", datetime(2024, 8, 1, tzinfo=UTC))
    _deal("WD-02", ["GM0358"], 500, "2026-01-01", datetime(2024, 8, 1, tzinfo=UTC))  # not yet in force below
    plain = Region.objects.create(code="mra-test", name="Testregio", kind="overig", province_id="PV27")
    plain.municipalities.set(["GM0363", "GM0384"])
    plain.projects.set([create("R-1", "GM0363").id])
    codes = ["woondeal-wd-01", "woondeal-wd-02", "mra-test"]
    for on in (date(2023, 12, 31), date(2024, 9, 30), None):
        together = resolve_regions(codes, on)
        assert together == {c: resolve_area(c, on) for c in codes}, on
    assert resolve_regions(codes, date(2023, 12, 31))["woondeal-wd-01"].municipalities == {"GM0363"}
    assert resolve_regions(codes, date(2024, 9, 30))["woondeal-wd-01"].municipalities == {"GM0363", "GM0358"}
    with CaptureQueriesContext(connection) as asked:
        resolve_regions(codes, date(2024, 9, 30))
    with CaptureQueriesContext(connection) as asked_one:
        resolve_regions(codes[:1], date(2024, 9, 30))
    assert len(asked.captured_queries) == len(asked_one.captured_queries)  # not a query per region


def test_a_closed_peilings_convenant_records_are_kept_equal_to_the_computation_and_a_new_one_counts():
    """The dashboard's convenant figures read a closed peiling's records once per process (issue #19); the kept
    result equals records_at, and a record added later (append-only, so the count and highest id change) is seen
    when it was recorded before the peiling closed."""
    from bouwregie.convenant import store
    from bouwregie.convenant.models import ProjectRecord

    project = create("C-1", "GM0344", datetime(2025, 3, 1, tzinfo=UTC), homes={"sociale_huur": {"gestapeld": 10}})
    services.close_peiling("2025-Q1", author="test", now=datetime(2025, 4, 1, tzinfo=UTC))
    closed_at = Peiling.objects.get(code="2025-Q1").closed_at
    assert store.latest_records("2025-Q1") == store.records_at(closed_at) == {}
    before = store.area_figures("GM0344", "2025-Q1")["pipeline"]
    assert (before["projects"], before["projects_under"]) == (1, 0)
    ProjectRecord.objects.create(project=project, number=1, under_convenant=True, convenant_version="2.0",
                                 framework="ctb 2.0", values={}, recorded_at=closed_at - timedelta(days=1),
                                 author="test", reason="nagekomen")  # fmt: skip
    kept = store.latest_records("2025-Q1")
    assert kept == store.records_at(closed_at) and list(kept) == [project.id]
    assert store.latest_records("2025-Q1") is kept  # the second read is the kept one
    after = store.area_figures("GM0344", "2025-Q1")
    assert (after["pipeline"]["projects"], after["pipeline"]["projects_under"]) == (1, 1)
    assert (
        after
        == store.area_figures("GM0344", "2025-Q1")
        == {  # kept, equal to the computation
            **after,
            "pipeline": {**after["pipeline"], "homes_under": after["pipeline"]["homes"], "share": 1.0},
        }
    )


def test_a_municipalitys_woondeals_are_kept_per_day_equal_to_the_computation_and_a_new_version_counts():
    """Alternatives and the dashboard ask which woondeals a municipality belongs to (issue #19: every version read
    twice per request): kept per day and woondeal versions, equal to the computation, and a version recorded
    later (append-only, so the versions' count and highest id change) is seen at once."""
    from bouwregie.monitor import shortfall

    _deal("WD-01", ["GM0363"], 900, "2022-10-01", datetime(2023, 1, 5, tzinfo=UTC))
    _deal("WD-02", ["GM0363", "GM0358"], 500, "2022-10-01", datetime(2023, 1, 5, tzinfo=UTC))
    on = date(2024, 9, 30)
    kept = shortfall.woondeals_of("GM0363", on)
    assert [(v.woondeal.code, list(m)) for v, m in kept] == [("WD-01", ["GM0363"]), ("WD-02", ["GM0358", "GM0363"])]
    assert kept == shortfall.woondeals_by_member(on)["GM0363"] and shortfall.woondeals_of("GM0363", on) is kept
    assert shortfall.woondeals_of("GM0358", on) == [kept[1]] and shortfall.woondeals_of("GM0344", on) == []
    _deal("WD-01", ["GM0363", "GM0358"], 1000, "2024-07-01", datetime(2024, 8, 1, tzinfo=UTC))
    assert [v.woondeal.code for v, _m in shortfall.woondeals_of("GM0358", on)] == ["WD-01", "WD-02"]
    assert shortfall.woondeals_of("GM0358", on) == shortfall.woondeals_by_member(on)["GM0358"]
