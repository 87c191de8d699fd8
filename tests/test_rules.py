"""Validation and derived values of one project version (pure, no database)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouwregie.projects.rules import (
    _DELIVERY_YEARS,
    MilestoneData,
    ProjectData,
    _is_count,
    _nothing_to_report,
    delivery_phasing,
    phase,
    segment_totals,
    total_homes,
    validate,
)

TODAY = date(2025, 10, 1)


def project(**changes) -> ProjectData:
    base = dict(
        name="Havenkwartier",
        municipality="GM0363",
        homes={"sociale_huur": {"gestapeld": 40}, "dure_koop": {"grondgebonden": 20}},
        milestones=(
            MilestoneData("initiatief", actual=date(2020, 5, 1)),
            MilestoneData("start_bouw", planned=date(2026, 3, 1)),
            MilestoneData("oplevering", planned=date(2027, 9, 1)),
        ),
    )
    return ProjectData(**{**base, **changes})


def messages(data) -> list[str]:
    return [p.message for p in validate(data, TODAY)]


def test_a_sound_project_has_no_problems():
    assert messages(project()) == []


def test_negative_counts_are_refused_with_the_cell_named():
    assert messages(project(homes={"sociale_huur": {"gestapeld": -3}})) == [
        "Aantal woningen mag niet negatief zijn (sociale_huur/gestapeld: -3)."
    ]


def test_an_actual_date_in_the_future_is_refused():
    data = project(milestones=(MilestoneData("start_bouw", actual=date(2025, 10, 2)),))
    assert messages(data) == ["Mijlpaal 'start_bouw' heeft een werkelijke datum in de toekomst (2025-10-02)."]


def test_delivery_before_start_of_construction_is_refused():
    data = project(
        milestones=(
            MilestoneData("start_bouw", planned=date(2026, 6, 1)),
            MilestoneData("oplevering", planned=date(2026, 1, 1)),
        )
    )
    assert messages(data) == ["Oplevering (2026-01-01) ligt vóór start bouw (2026-06-01)."]


def test_absurd_and_unknown_values():
    assert messages(project(homes={"dure_koop": {"gestapeld": 100_001}})) == [
        "100001 woningen in één plan is onwaarschijnlijk (maximum 100000)."
    ]
    assert messages(project(plan_status="5Z")) == ["Onbekende waarde '5Z' voor plan_status."]
    assert messages(project(homes={"luxe": {"gestapeld": 1}})) == ["Onbekend segment 'luxe'."]
    assert messages(project(target_groups={"nultreden": 61})) == [
        "Doelgroep nultreden (61) is groter dan het project (60)."
    ]
    assert messages(project(milestones=(MilestoneData("feestje"),))) == ["Onbekende mijlpaal 'feestje'."]


def test_phase_is_the_last_milestone_actually_reached_in_ppm_order():
    milestones = (
        MilestoneData("initiatief", actual=date(2019, 1, 1)),
        MilestoneData("omgevingsplan_vastgesteld", actual=date(2023, 1, 1)),
        MilestoneData("principebesluit", actual=date(2024, 1, 1)),  # late registration
        MilestoneData("start_bouw", planned=date(2026, 1, 1)),
    )
    assert phase(milestones) == "omgevingsplan_vastgesteld"
    assert phase(()) == ""


def test_delivery_phasing_hand_computed():
    # One oplevering without a count delivers all 60 homes in its year.
    assert delivery_phasing(project()) == {"2027": 60}
    # Phased: 25 in 2026 (actual), 20 + 15 in 2027 (planned).
    data = project(
        milestones=(
            MilestoneData("start_bouw", actual=date(2025, 1, 10)),
            MilestoneData("oplevering", sequence=1, actual=date(2025, 9, 30), homes=25),
            MilestoneData("oplevering", sequence=2, planned=date(2027, 2, 1), homes=20),
            MilestoneData("oplevering", sequence=3, planned=date(2027, 11, 1), homes=15),
        )
    )
    assert delivery_phasing(data) == {"2025": 25, "2027": 35}
    assert validate(data, TODAY) == []


def test_partial_deliveries_cannot_exceed_the_project():
    data = project(
        milestones=(
            MilestoneData("oplevering", sequence=1, planned=date(2027, 1, 1), homes=50),
            MilestoneData("oplevering", sequence=2, planned=date(2028, 1, 1), homes=11),
        )
    )
    assert messages(data) == ["Deelopleveringen (61 woningen) zijn meer dan het project (60)."]


segments = st.sampled_from(
    ["sociale_huur", "middenhuur", "betaalbare_koop", "vrije_sector_huur", "dure_koop", "onbekend"]
)
housing = st.sampled_from(["grondgebonden", "gestapeld", "onbekend"])
matrices = st.dictionaries(segments, st.dictionaries(housing, st.integers(0, 5000), max_size=3), max_size=6)


@given(matrices)
def test_segment_totals_add_up_to_the_project_total(homes):
    data = project(homes=homes)
    assert sum(segment_totals(data).values()) == total_homes(data)
    assert validate(data, TODAY) == []


@given(st.dictionaries(segments, st.dictionaries(housing, st.integers(-(10**6), 10**6), max_size=3), max_size=6))
def test_validation_never_crashes_and_refuses_every_negative(homes):
    problems = validate(project(homes=homes, milestones=()), TODAY)
    has_negative = any(v < 0 for by_type in homes.values() for v in by_type.values())
    assert has_negative == any("negatief" in p.message for p in problems)


def test_lead_times_from_each_phase():
    from bouwregie.projects.leadtimes import fastest_years_to_delivery, usual_years_to_delivery, years_left_in

    assert usual_years_to_delivery("initiatief") == pytest.approx(10.0)  # Afspraak 15: ~10 years
    assert usual_years_to_delivery("") == pytest.approx(11.0)
    assert usual_years_to_delivery("start_bouw") == pytest.approx(1.7)
    # Preparation at a third of the usual pace (Afspraak 15.1), building as usual: (10 − 1.7) / 3 + 1.7.
    assert fastest_years_to_delivery("initiatief") == pytest.approx(8.3 / 3 + 1.7, abs=1e-4)
    assert fastest_years_to_delivery("start_bouw") == pytest.approx(0.85)
    assert fastest_years_to_delivery("oplevering") == 0.0
    assert years_left_in(2025, date(2025, 12, 31)) == pytest.approx(1 / 365.25)
    assert years_left_in(2024, date(2025, 6, 30)) < 0


_ANY_COUNT = st.one_of(st.integers(-5, 10**6), st.booleans(), st.floats(allow_nan=True), st.text(max_size=3), st.none())


@given(
    st.dictionaries(
        st.one_of(st.sampled_from(["2025", "2031", "1999", "2101", "x"]), st.integers(1990, 2110)), _ANY_COUNT
    )
)
def test_the_fast_path_of_validation_only_passes_what_the_item_checks_would_pass(phasing):
    """validate() skips its item-by-item checks when _nothing_to_report says so; that must never hide a problem."""
    if _nothing_to_report(phasing, _DELIVERY_YEARS):
        for year, count in phasing.items():
            assert str(year).isdigit() and 2000 <= int(year) <= 2100
            assert _is_count(count) and count >= 0
    total = sum(c for c in phasing.values() if _is_count(c))
    data = ProjectData(
        name="P", municipality="GM0344", homes={"onbekend": {"onbekend": max(total, 0)}}, phasing=phasing
    )
    items_ok = all(str(y).isdigit() and 2000 <= int(y) <= 2100 and _is_count(c) and c >= 0 for y, c in phasing.items())
    assert items_ok == (not [p for p in validate(data, date(2025, 1, 1)) if p.field == "phasing"])
