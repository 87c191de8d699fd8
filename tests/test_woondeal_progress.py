"""Woondeal progress (issue #17; monitor/woondeal_progress.py), with figures computed by hand.

The region WD-A has three member municipalities on the peiling's date: Amsterdam (GM0363, also listed as
Weesp GM0457, merged into Amsterdam on 24 March 2022), Aalsmeer (GM0358) and Amstelveen (GM0362). WD-B
overlaps it in Amsterdam and adds Utrecht (GM0344). Peiling 2025-Q2 (reference date 2025-06-30):

    A1 Amsterdam   100 sociale huur           delivered 2023
    A2 Amsterdam   200 dure koop, 1A (hard)   planned 2027
    B1 Aalsmeer     60 middenhuur + 40 betaalbare koop, 3 (zacht), planned 2028
    C1 Amstelveen   50 sociale huur           delivered 2024
    U1 Utrecht      70 sociale huur, 1A       planned 2026

WD-A: taakstelling 900 (300 per segment), jaarschijven 100 a year 2022–2030, corporations 250.
Realised 150, planned 300; remaining task 900 − 150 = 750; plan capacity 300 (hard 200, zacht 100) = 40%.
Segments 2022–2030: sociale huur 150, middenhuur/betaalbare koop 100, duur 200 (of 450 known).
Per member by pipeline (Aalsmeer 100, Amstelveen 0, Amsterdam 200): taakstelling 300 / 0 / 600; each
jaarschijf of 100: 33 / 0 / 67 (the odd home to the largest remainder, Amsterdam's 200/300).
"""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from bouwregie.monitor import api as monitor_api
from bouwregie.monitor import woondeal_progress as wp
from bouwregie.projects import services
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.woondeals import store

from .builders import create

A_MEMBERS = [
    {"code": "GM0457", "until": "2022-03-24"},
    {"code": "GM0363", "from": "2022-03-24"},
    {"code": "GM0358"},
    {"code": "GM0362"},
]


def deal(name, members, total, slices, **extra):
    return {
        "name": name,
        "provinces": ["PV27"],
        "members": members,
        "signatories": [],
        "taakstelling_total": total,
        "jaarschijven": slices,
        "source": "Testdata, fictief",
        "valid_from": "2022-01-01",
        **extra,
    }


@pytest.fixture
def region(db):
    when = datetime(2025, 1, 1, tzinfo=UTC)
    store.record(
        "WD-A",
        deal(
            "Woondeal A",
            A_MEMBERS,
            900,
            {str(y): 100 for y in range(2022, 2031)},
            taakstelling_segments={"sociale_huur": 300, "middenhuur_betaalbare_koop": 300, "duur": 300},
            corporation_homes=250,
        ),
        author="test",
        reason="start",
        now=when,
    )
    # A later agreement (from 2026) must not count for peiling 2025-Q2: "as agreed on the peiling's date".
    store.record(
        "WD-A",
        {**store.data_of(store.as_agreed_on("WD-A")), "taakstelling_total": 1800, "valid_from": "2026-01-01"},
        author="test",
        reason="verhoogd",
        now=when,
    )
    store.record(
        "WD-B",
        deal(
            "Woondeal B",
            [{"code": "GM0363"}, {"code": "GM0344"}],
            500,
            {str(y): 100 for y in range(2025, 2030)},
            provinces=["PV27", "PV26"],
        ),
        author="test",
        reason="start",
        now=when,
    )
    create(
        "A1",
        "GM0363",
        homes={"sociale_huur": {"gestapeld": 100}},
        milestones=(M("oplevering", actual=date(2023, 5, 1)),),
    )
    create(
        "A2",
        "GM0363",
        plan_status="1A",
        homes={"dure_koop": {"gestapeld": 200}},
        milestones=(M("oplevering", planned=date(2027, 6, 1)),),
    )
    create(
        "B1",
        "GM0358",
        plan_status="3",
        homes={"middenhuur": {"gestapeld": 60}, "betaalbare_koop": {"gestapeld": 40}},
        milestones=(M("oplevering", planned=date(2028, 6, 1)),),
    )
    create(
        "C1",
        "GM0362",
        homes={"sociale_huur": {"gestapeld": 50}},
        milestones=(M("oplevering", actual=date(2024, 3, 1)),),
    )
    create(
        "U1",
        "GM0344",
        plan_status="1A",
        homes={"sociale_huur": {"gestapeld": 70}},
        milestones=(M("oplevering", planned=date(2026, 6, 1)),),
    )
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    wp._cached.cache_clear()
    yield
    wp._cached.cache_clear()


def test_the_figures_by_hand(region):
    f = wp.woondeal_progress("WD-A", "2025-Q2")
    assert f["members"] == ["GM0358", "GM0362", "GM0363"] and f["version"] == 1 and f["taakstelling"] == 900
    assert (f["realised"], f["planned"], f["realised_and_planned"]) == (150, 300, 450)
    assert (f["progress"], f["expected"]) == (0.1667, 0.5)
    years = {r["year"]: r for r in f["years"]}
    assert years[2022] == {
        "year": 2022,
        "jaarschijf": 100,
        "realised": 0,
        "planned": 0,
        "difference": -100,
        "cumulative_jaarschijf": 100,
        "cumulative": 0,
    }
    assert (years[2023]["realised"], years[2023]["difference"]) == (100, 0)
    assert (years[2027]["planned"], years[2027]["difference"]) == (200, 100)
    assert (years[2030]["cumulative_jaarschijf"], years[2030]["cumulative"]) == (900, 450)
    capacity = f["capacity"]
    assert (capacity["hard"], capacity["zacht"], capacity["onbekend"]) == (200, 100, 0)
    assert (capacity["remaining_task"], capacity["ratio"], capacity["meets_norm"]) == (750, 0.4, False)
    segments = {r["segment"]: r for r in f["segments"]["rows"]}
    assert {s: r["homes"] for s, r in segments.items()} == {
        "sociale_huur": 150,
        "middenhuur_betaalbare_koop": 100,
        "duur": 200,
    }
    assert {s: r["share"] for s, r in segments.items()} == {
        "sociale_huur": 0.3333,
        "middenhuur_betaalbare_koop": 0.2222,
        "duur": 0.4444,
    }
    assert segments["sociale_huur"]["agreed_share"] == 0.3333 and segments["sociale_huur"]["progress"] == 0.5
    assert f["corporations"] == {
        "agreed": 250,
        "homes": 150,
        "share": 0.1667,
        "agreed_share": 0.2778,
        "progress": 0.6,
        "basis": "sociale_huur",
        "projects_with_parties": 0,
    }


def test_corporation_homes_come_from_the_project_parties(client, region):
    """Once parties are recorded: a corporation at A1 (100 delivered 2023) and at U1 (Utrecht, not in WD-A), a
    developer at B1 (100 planned 2028). WD-A's corporation homes = A1's 100 by hand (250 agreed: 40%); 2 of its
    projects have parties. A party recorded after the peiling closed does not change the closed peiling."""
    from datetime import timedelta

    from bouwregie.accounts.models import Organisation, ProjectParty
    from bouwregie.projects.models import Peiling, Project

    corp = Organisation.objects.create(name="Woonstichting Test", kind="corporatie")
    dev = Organisation.objects.create(name="Ontwikkelaar Test", kind="ontwikkelaar")
    closed = Peiling.objects.get(code="2025-Q2").closed_at
    for code, org, when in (("A1", corp, closed), ("U1", corp, closed), ("B1", dev, closed),
                            ("C1", corp, closed + timedelta(days=1))):  # fmt: skip
        project = Project.objects.get(versions__name=code)
        party = ProjectParty.objects.create(project=project, organisation=org, role=org.kind)
        ProjectParty.objects.filter(pk=party.pk).update(added_at=when - timedelta(seconds=1))
    wp._cached.cache_clear()
    c = wp.woondeal_progress("WD-A", "2025-Q2")["corporations"]
    assert (c["homes"], c["progress"], c["basis"], c["projects_with_parties"]) == (100, 0.4, "projectpartijen", 2)
    html = client.get("/woondeals/WD-A/voortgang").content.decode()
    assert "onder hun projectpartijen (2 projecten" in html


def test_per_member_split_follows_the_pipeline(region):
    rows = {m["code"]: m for m in wp.woondeal_progress("WD-A", "2025-Q2")["per_member"]}
    assert {c: m["pipeline"] for c, m in rows.items()} == {"GM0358": 100, "GM0362": 0, "GM0363": 200}
    assert {c: m["taakstelling"] for c, m in rows.items()} == {"GM0358": 300, "GM0362": 0, "GM0363": 600}
    assert {c: m["years"][0]["jaarschijf"] for c, m in rows.items()} == {"GM0358": 33, "GM0362": 0, "GM0363": 67}
    assert {c: m["difference"] for c, m in rows.items()} == {"GM0358": -200, "GM0362": 50, "GM0363": -300}
    assert sum(m["realised"] + m["planned"] for m in rows.values()) == 450


def test_a_municipality_in_two_woondeals_is_not_counted_twice_in_nl(region):
    a, b = wp.woondeal_progress("WD-A", "2025-Q2"), wp.woondeal_progress("WD-B", "2025-Q2")
    assert b["members"] == ["GM0344", "GM0363"] and (b["realised"], b["planned"]) == (100, 270)
    nl = monitor_api.monitor("NL", "2025-Q2")
    nl_total = sum(nl["realised"].values()) + sum(nl["planned"].values())
    assert nl_total == 520  # A1 + A2 + B1 + C1 + U1, each once
    assert a["realised_and_planned"] + b["realised_and_planned"] == 820  # regions overlap: never added up


def test_a_merger_keeps_the_totals(region):
    """Listing Weesp until the merger and Amsterdam from it gives the figures of listing Amsterdam alone."""
    plain = [{"code": "GM0363"}, {"code": "GM0358"}, {"code": "GM0362"}]
    store.record(
        "WD-C", deal("Woondeal C", plain, 900, {str(y): 100 for y in range(2022, 2031)}), author="test", reason="start"
    )
    open_ended = [{"code": "GM0457"}, {"code": "GM0363"}, {"code": "GM0358"}, {"code": "GM0362"}]
    store.record(
        "WD-D",
        deal("Woondeal D", open_ended, 900, {str(y): 100 for y in range(2022, 2031)}),
        author="test",
        reason="start",
    )
    a, c, d = (wp.woondeal_progress(code, "2025-Q2") for code in ("WD-A", "WD-C", "WD-D"))
    for key in ("members", "realised", "planned", "years", "capacity", "per_member"):
        assert a[key] == c[key] == d[key]


def test_progress_is_pure_numbers():
    m = wp.MemberFigures(
        [10] + [0] * 8, [0, 5] + [0] * 7, {"sociale_huur": 10.0, "duur": 5.0}, {"hard": 5, "zacht": 0, "onbekend": 0}
    )
    f = wp.progress({"taakstelling_total": 30, "jaarschijven": {"2022": 10, "2023": 20}}, {"GM0001": m}, 2022)
    assert (f["realised"], f["planned"], f["capacity"]["remaining_task"], f["capacity"]["ratio"]) == (10, 5, 20, 0.25)
    assert f["per_member"][0]["taakstelling"] == 30 and f["per_member"][0]["difference"] == -15
    assert f["corporations"]["agreed"] is None and f["corporations"]["progress"] is None


def test_page_and_api_show_the_same_figures(client, region):
    page = client.get("/woondeals/WD-A/voortgang")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Woondeal A" in html and "Per gemeente" in html and "Jaarschijf" in html and "<script>" not in html
    assert 'id="grafiek-jaren"' in html and "Amstelveen" in html
    api = client.get("/api/v1/woondeals/WD-A/voortgang?peiling=2025-Q2")
    assert api.status_code == 200
    assert api.json() == {**wp.woondeal_progress("WD-A", "2025-Q2"), "as_agreed_on": "2025-06-30"}
    assert page.context["f"]["years"] == api.json()["years"]
    assert page.context["f"]["per_member"] == api.json()["per_member"]
    client.post("/taal/setlang/", {"language": "en", "next": "/"})
    english = client.get("/woondeals/WD-A/voortgang?peiling=2025-Q2")
    assert english.status_code == 200 and 'lang="en"' in english.content.decode()
    client.post("/taal/setlang/", {"language": "nl", "next": "/"})


def test_the_progress_tables_download_with_the_page_columns(client, region):
    """Issue #19: the years and per-municipality tables as CSV and Excel, the same rows as the page."""
    import csv
    import io

    import openpyxl

    figures = wp.woondeal_progress("WD-A", "2025-Q2")
    page = client.get("/woondeals/WD-A/voortgang?peiling=2025-Q2").content.decode()
    assert "tabel=jaren&amp;formaat=csv" in page and "tabel=gemeenten&amp;formaat=xlsx" in page
    years = client.get("/woondeals/WD-A/voortgang?peiling=2025-Q2&tabel=jaren&formaat=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(years), delimiter=";"))
    assert rows[0][:3] == ["Jaar", "Jaarschijf", "Gerealiseerd"] and len(rows) == len(figures["years"]) + 1
    assert [int(r[2]) for r in rows[1:]] == [r["realised"] for r in figures["years"]]
    members = client.get("/woondeals/WD-A/voortgang?peiling=2025-Q2&tabel=gemeenten&formaat=xlsx").content
    sheet = list(openpyxl.load_workbook(io.BytesIO(members)).active.iter_rows(values_only=True))
    assert sheet[0][:2] == ("Gemeente", "Code") and [r[1] for r in sheet[1:]] == [
        m["code"] for m in figures["per_member"]
    ]


def test_errors_are_clear(client, region):
    assert client.get("/woondeals/WD-X/voortgang").status_code == 404
    assert client.get("/woondeals/WD-A/voortgang?peiling=1999-Q1").status_code == 404
    missing = client.get("/api/v1/woondeals/WD-X/voortgang")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/woondeals/WD-A/voortgang?peiling=1999-Q1").status_code == 404


def test_municipality_dashboard_links_to_its_woondeals(client, region):
    html = client.get("/gebied/GM0363").content.decode()
    assert "/woondeals/WD-A/voortgang" in html and "/woondeals/WD-B/voortgang" in html
    assert "/woondeals/WD-B/voortgang" not in client.get("/gebied/GM0358").content.decode()


def test_every_recorded_woondeal_is_an_area_of_the_monitor(region):
    """store.record keeps a geo.Region per woondeal: members as agreed today (Weesp → Amsterdam), so the
    dashboard, monitor and forecast take `woondeal-wd-a` like any other area, with the woondeal's agreements."""
    from bouwregie.geo.models import Region
    from bouwregie.woondeals import regions

    r = Region.objects.get(code="woondeal-wd-a")
    assert (r.kind, r.name, r.province_id) == ("woondeal", "Woondeal A", "PV27")
    assert set(r.municipalities.values_list("code", flat=True)) == {"GM0363", "GM0358", "GM0362"}
    # As agreed on the peiling's date (2025-06-30): 900 with its jaarschijven; today: the raised 1800.
    then = {t.metric: t for t in monitor_api.targets_by_area(date(2025, 6, 30))["woondeal-wd-a"]}
    assert (then["bruto_woningen"].total, then["bruto_woningen"].yearly["2027"]) == (900, 100)
    assert (then["sociale_huur"].total, then["betaalbaar"].total) == (300, 600)
    assert {t.metric: t.total for t in monitor_api.targets_by_area()["woondeal-wd-a"]}["bruto_woningen"] == 1800
    assert regions.woondeal_code("woondeal-wd-a") == "WD-A" and regions.woondeal_code("GM0363") is None
    report = monitor_api.monitor("woondeal-wd-a", "2025-Q2")
    assert report["area"]["code"] == "woondeal-wd-a"
    assert "900" in str(report) and "1800" not in str(report)
    # A version agreed from a later day changes the region only from that day (`bouwregie woondeals sync`).
    store.record("WD-A", {**store.data_of(store.as_agreed_on("WD-A")), "members": [{"code": "GM0363"}],
                          "valid_from": "2099-01-01"}, author="test", reason="kleiner")  # fmt: skip
    assert r.municipalities.count() == 3
    regions.sync_region("WD-A", date(2099, 1, 1))
    assert list(r.municipalities.values_list("code", flat=True)) == ["GM0363"]
    out = StringIO()
    call_command("woondeals", "sync", stdout=out)
    assert r.municipalities.count() == 3 and "2 woondealregio's bijgewerkt" in out.getvalue()


def test_forecast_p_met_is_counted_against_the_agreement_of_the_peiling(client, region):
    """A real forecast of the region: its runs can deliver at most the 450 homes the region's projects hold
    (150 realised + 300 planned), so P(taakstelling 900 met) is 0 by hand, with an expected shortfall of at
    least 450. The page shows it; before any forecast it links to the form for the region."""
    from bouwregie.forecast import jobs

    assert wp.woondeal_progress("WD-A", "2025-Q2")["forecast"] is None
    assert "gebied=woondeal-wd-a" in client.get("/woondeals/WD-A/voortgang").content.decode()
    saved = jobs.forecast_job({"area": "woondeal-wd-a", "peiling": "2025-Q2", "runs": 400, "horizon": 2035,
                               "scenarios": [], "seed": 7}, lambda *a: None)  # fmt: skip
    f = wp.woondeal_progress("WD-A", "2025-Q2")["forecast"]
    assert f["forecast_id"] == saved["forecast"] and f["probability"] == 0.0
    assert f["expected_shortfall"] >= 450 and f["verdict"] == "unlikely"
    assert f["yearly"]["2026"]["target"] == 100  # jaarschijven from the peiling's year on
    # The spread is of 2022–2030 like the taakstelling: the 150 realised before 2025 are in every run.
    assert 150 <= f["spread"]["p10"] <= f["spread"]["p90"] <= 450
    html = client.get("/woondeals/WD-A/voortgang").content.decode()
    assert f"/prognose/{saved['forecast']}" in html and "0%" in html and "Kans jaarschijf gehaald" in html


def test_an_older_forecast_without_the_agreement_shows_its_spread(client, region):
    from bouwregie.forecast.models import Forecast

    def stored(p10, p90):
        spread = {"p10": p10, "p50": (p10 + p90) // 2, "p90": p90, "mean": (p10 + p90) / 2}
        result = {"series": {"totaal": {"cumulative": {"2030": spread}}}}
        return Forecast.objects.create(area="woondeal-wd-a", area_name="Woondeal A", peiling="2025-Q2", runs=10,
                                       horizon=2035, seed=1, result=result)  # fmt: skip

    stored(400, 800)
    assert wp.woondeal_progress("WD-A", "2025-Q2")["forecast"]["verdict"] == "unlikely"  # P90 800 < 900
    latest = stored(950, 1200)  # seen at once: the forecast is read apart from the cached figures
    f = wp.woondeal_progress("WD-A", "2025-Q2")["forecast"]
    assert (f["forecast_id"], f["verdict"], f["probability"]) == (latest.id, "likely", None)
    assert f"/prognose/{latest.id}" in client.get("/woondeals/WD-A/voortgang").content.decode()


def test_a_woondeal_region_is_taken_as_agreed_on_the_peilings_date_everywhere(region):
    """The monitor, the alternatives and the forecast of `woondeal-wd-a` at 2025-Q2 use WD-A as agreed on
    2025-06-30 — members and jaarschijf — whatever the Region's own member list says today."""
    from bouwregie.geo.models import Region
    from bouwregie.monitor.alternatives import alternatives

    Region.objects.get(code="woondeal-wd-a").municipalities.set(["GM0363"])  # as if a later version were synced
    report = monitor_api.monitor("woondeal-wd-a", "2025-Q2")
    assert report == monitor_api._monitor(monitor_api.resolve_area("woondeal-wd-a", date(2025, 6, 30)), "2025-Q2",
                                          monitor_api.figures.CAPACITY_NORM)  # fmt: skip
    by_hand = wp.woondeal_progress("WD-A", "2025-Q2")
    assert sum(report["realised"].values()) == by_hand["realised"] == 150  # A1 100 + C1 50 (Amstelveen counts)
    # Alternatives for the region: its own jaarschijf 2027 (100), minus the 200 of A2 planned → no shortfall.
    answer = alternatives("woondeal-wd-a", "2025-Q2", 2027)
    assert answer["target"]["homes"] == 100 and "jaarschijf van de woondeal" in answer["target"]["basis"]
    assert answer["shortfall"] == 0


def test_the_dashboard_of_a_woondeal_region_links_to_its_progress(client, region):
    html = client.get("/gebied/woondeal-wd-a?peiling=2025-Q2").content.decode()
    assert "/woondeals/WD-A/voortgang?peiling=2025-Q2" in html
