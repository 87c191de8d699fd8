"""Monitor figures (issue #4): hand-computed fixtures, and invariants as properties."""

from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouwregie.geo.areas import UnknownArea, resolve_area
from bouwregie.geo.models import Municipality, Region
from bouwregie.monitor import api, figures
from bouwregie.monitor.snapshot import BOTTLENECKS, HARDNESS, LIFECYCLES, PHASES, PLAN_TYPES, SEGMENTS, YEARS, Snapshot
from bouwregie.projects import services
from bouwregie.projects.rules import MilestoneData

from .builders import create


@pytest.fixture
def fixture_peiling(db):
    """Four active projects and one dropped one; figures below are computed by hand from these."""
    projects = {
        "A": create("A", "GM0344", plan_status="1A",  # Utrecht: 60 delivered in 2024, 40 planned in 2026
                    homes={"sociale_huur": {"gestapeld": 40}, "middenhuur": {"gestapeld": 20},
                           "dure_koop": {"grondgebonden": 40}},
                    target_groups={"nultreden": 10},
                    milestones=(MilestoneData("start_bouw", actual=date(2023, 3, 1)),
                                MilestoneData("oplevering", actual=date(2024, 6, 1), homes=60, sequence=1),
                                MilestoneData("oplevering", planned=date(2026, 5, 1), homes=40, sequence=2))),
        "B": create("B", "GM0344", plan_status="4A", homes={"onbekend": {"onbekend": 50}},
                    phasing={"2027": 30, "2028": 20}),
        "C": create("C", "Zeist", plan_status="2A", plan_type="transformatie",
                    homes={"betaalbare_koop": {"gestapeld": 30}},
                    milestones=(MilestoneData("oplevering", planned=date(2027, 1, 1)),)),
        "D": create("D", "Amsterdam", plan_status="3", homes={"vrije_sector_huur": {"gestapeld": 200}},
                    milestones=(MilestoneData("oplevering", planned=date(2029, 3, 1)),)),
        "E": create("E", "GM0344", plan_status="4B", lifecycle="vervallen", homes={"dure_koop": {"gestapeld": 80}}),
    }  # fmt: skip
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    return {k: p.code for k, p in projects.items()}


def test_province_figures_by_hand(fixture_peiling):
    r = api.monitor("PV26", "2025-Q2")
    assert r["realised"] == {"2024": 60}
    assert r["planned"] == {"2026": 40, "2027": 60, "2028": 20}  # A's 2nd phase; B 30 + C 30; B 20
    # Plan capacity = homes not yet realised: A 40 (1A), B 50 (4A), C 30 (2A); E dropped.
    assert r["pipeline"]["projects"] == 3 and r["pipeline"]["homes"] == 120
    assert r["pipeline"]["by_plan_status"] == {"hard": 70, "zacht": 50, "onbekend": 0}
    # A's remaining 40 homes keep its mix 40/20/40: sociale 16, midden 8, dure koop 16; C 30 betaalbare koop.
    assert r["segments"]["pipeline"] == {"sociale_huur": 16, "middenhuur": 8, "betaalbare_koop": 30,
                                         "vrije_sector_huur": 0, "dure_koop": 16, "onbekend": 50}  # fmt: skip
    assert r["segments"]["affordable_share"] == round(54 / 70, 4)
    assert r["segments"]["social_share"] == round(16 / 70, 4)
    assert r["segments"]["by_delivery_year"]["2024"] == {"affordable_share": 0.6, "social_share": 0.4}
    assert r["segments"]["by_delivery_year"]["2027"] == {"affordable_share": 1.0, "social_share": 0.0}
    assert r["target_groups"]["nultreden"] == 4 and r["target_groups"]["ouderen_totaal"] == 4  # 10 × 40/100
    agreement = next(a for a in r["agreements"] if a["period"] == "2022-2030")
    assert (agreement["total"], agreement["realised"], agreement["planned"]) == (83_500, 60, 120)
    assert agreement["remaining"] == 83_440 and agreement["expected_shortfall"] == 83_320
    assert r["capacity"]["remaining_task"] == 83_440 and r["capacity"]["ratio"] == round(120 / 83_440, 4)
    assert r["capacity"]["meets_norm"] is False and r["capacity"]["hard_share"] == round(70 / 120, 4)


def test_nl_adds_the_other_province_and_municipalities_add_up(fixture_peiling):
    everything = api.national("2025-Q2")
    nl = everything["NL"]
    assert nl["pipeline"]["homes"] == 320 and nl["pipeline"]["by_plan_status"]["zacht"] == 250
    assert everything["GM0344"]["pipeline"]["homes"] == 90 and everything["GM0355"]["pipeline"]["homes"] == 30
    assert everything["PV26"]["pipeline"] == api.monitor("PV26", "2025-Q2")["pipeline"]
    assert nl["agreements"][0]["indicator"] in ("bruto_woningen", "aandeel_betaalbaar")


def test_every_number_can_be_traced_to_its_projects(fixture_peiling):
    codes = fixture_peiling
    assert api.projects_behind("PV26", "2025-Q2", "hard") == sorted([codes["A"], codes["C"]])
    assert api.projects_behind("PV26", "2025-Q2", "realised:2024") == [codes["A"]]
    assert api.projects_behind("PV26", "2025-Q2", "planned:2027") == sorted([codes["B"], codes["C"]])
    assert api.projects_behind("NL", "2025-Q2", "type:transformatie") == [codes["C"]]
    with pytest.raises(ValueError, match="Onbekend cijfer 'kleur:rood'"):
        api.projects_behind("NL", "2025-Q2", "kleur:rood")


def test_overlapping_regions_count_each_project_once(fixture_peiling):
    utrecht = Region.objects.create(code="r-utrecht", name="Stad Utrecht", kind="custom")
    utrecht.municipalities.set(Municipality.objects.filter(code="GM0344"))
    wide = Region.objects.create(code="r-breed", name="Breed", kind="woondeal")
    wide.municipalities.set(Municipality.objects.filter(code__in=["GM0344", "GM0355"]))
    wide.projects.add(services.current_versions().get(name="D").project)  # a project member outside it
    assert api.monitor("r-utrecht", "2025-Q2")["pipeline"]["homes"] == 90
    assert api.monitor("r-breed", "2025-Q2")["pipeline"]["homes"] == 90 + 30 + 200


def test_unknown_areas_are_refused_with_advice(fixture_peiling):
    with pytest.raises(UnknownArea, match="gebruik NL, een provincie"):
        api.monitor("Atlantis", "2025-Q2")
    with pytest.raises(UnknownArea, match="zowel een provincie als een gemeente; schrijf PV20"):
        api.monitor("Groningen", "2025-Q2")
    assert resolve_area("provincie Groningen").code == "PV20" and resolve_area("gemeente Groningen").code == "GM0014"


# --- invariants on synthetic snapshots (no database) --------------------------------------------
def snapshot(seed: int, n: int) -> Snapshot:
    rng = np.random.default_rng(seed)
    n_m, n_p = 30, 4
    homes = rng.integers(1, 500, n)
    realised = np.zeros((n, len(YEARS)), dtype=np.int64)
    done = rng.integers(0, 2, n).astype(bool)
    realised[done, 12] = homes[done] // 2
    planned = np.zeros((n, len(YEARS)), dtype=np.int64)
    planned[:, 16] = homes - realised.sum(axis=1)
    segments = np.zeros((n, len(SEGMENTS)), dtype=np.int64)
    segments[np.arange(n), rng.integers(0, len(SEGMENTS), n)] = homes
    return Snapshot(
        peiling="x", project_ids=np.arange(n), municipality=rng.integers(0, n_m, n),
        lifecycle=rng.choice([0, 0, 0, 1, 2], n).astype(np.int8), hardness=rng.integers(0, 3, n).astype(np.int8),
        status=rng.integers(0, 10, n).astype(np.int8), version_ids=np.arange(n),
        phase=rng.integers(0, len(PHASES), n).astype(np.int8),
        plan_type=rng.integers(0, len(PLAN_TYPES), n).astype(np.int8), homes=homes,
        remaining=np.maximum(homes - realised.sum(axis=1), 0), segments=segments,
        groups=(rng.integers(0, 2, (n, 5)) * homes[:, None] // 4), realised=realised, planned=planned,
        bottlenecks=rng.random((n, len(BOTTLENECKS))) < 0.1, parallel_plannen=rng.random(n) < 0.1,
        municipality_codes=tuple(f"GM{i:04d}" for i in range(n_m)),
        municipality_province=np.arange(n_m) % n_p, province_codes=tuple(f"PV{20 + i}" for i in range(n_p)),
    )  # fmt: skip


INTEGER_FIELDS = ("projects", "homes", "hardness", "phase", "plan_type", "realised", "planned")


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 300))
def test_municipalities_sum_to_provinces_and_provinces_to_nl(seed, n):
    s = snapshot(seed, n)
    per_m = figures.group_sums(s, s.municipality, 30)
    per_p = per_m.sum_by(s.municipality_province, 4)
    direct_p = figures.group_sums(s, s.municipality_province[s.municipality], 4)
    nl = figures.group_sums(s, np.zeros(n, dtype=np.int64), 1)
    for name in INTEGER_FIELDS:
        assert np.array_equal(getattr(per_p, name), getattr(direct_p, name)), name
        assert np.array_equal(getattr(per_p, name).sum(axis=0), getattr(nl, name)[0]), name
    assert np.allclose(per_p.segments, direct_p.segments) and np.allclose(per_p.segments.sum(axis=0), nl.segments[0])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 300), st.integers(0, 10_000))
def test_overlapping_regions_never_double_count(seed, n, mask_seed):
    s = snapshot(seed, n)
    rng = np.random.default_rng(mask_seed)
    a, b = rng.random(n) < 0.5, rng.random(n) < 0.5
    zero = np.zeros(n, dtype=np.int64)

    def sums(mask):
        return figures.group_sums(s, zero, 1, include=mask).take(0)

    union, both, only_a, only_b = sums(a | b), sums(a & b), sums(a), sums(b)
    for name in INTEGER_FIELDS:  # inclusion–exclusion: |A ∪ B| + |A ∩ B| = |A| + |B|
        assert np.array_equal(getattr(union, name) + getattr(both, name), getattr(only_a, name) + getattr(only_b, name))
        assert np.all(getattr(union, name) <= getattr(only_a, name) + getattr(only_b, name))


def test_plan_capacity_never_counts_delivered_homes():
    s = snapshot(3, 200)
    total = figures.group_sums(s, np.zeros(200, dtype=np.int64), 1).take(0)
    active = s.lifecycle == LIFECYCLES.index("actief")
    assert total.homes == s.remaining[active].sum() < s.homes[active].sum()
    assert total.hardness.sum() == total.homes and HARDNESS == ("hard", "zacht", "onbekend")


def test_the_server_warms_the_latest_peilingen_before_forking(fixture_peiling, monkeypatch):
    from django.db import connections

    from bouwregie.monitor import snapshot

    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))  # keep the test's transaction
    services.close_peiling("2025-Q3", author="test", now=datetime(2025, 10, 15, tzinfo=UTC))
    assert snapshot.warm_latest() == ["2025-Q3", "2025-Q2"] and closed == [True]
    assert len(snapshot._KEPT) == 2
    kept = dict(snapshot._KEPT)
    api.national("2025-Q2")
    assert snapshot._KEPT == kept  # no new read
