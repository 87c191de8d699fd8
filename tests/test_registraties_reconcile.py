"""Per project the BAG beside the monitor (issue #18; registraties.reconcile, docs/registraties-koppeling.md):
registered starts and deliveries per year next to the milestones, and the four flags with their numbers.
Hand-computed fixtures: a project of 40 homes, reference date 30 June 2025, tolerance one quarter (92 days)."""

from datetime import date, timedelta

from django.utils import translation

from bouwregie.projects.rules import MilestoneData as M
from bouwregie.projects.rules import ProjectData
from bouwregie.registraties.reconcile import (
    BOUW_GESTART_LANG,
    IN_GEBRUIK_BAG_MONITOR_NIET,
    MEER_IN_BAG_DAN_PROJECT,
    OPGELEVERD_MONITOR_NIET_BAG,
    TOLERANCE,
    ObjectEvents,
    YearRow,
    reconcile,
)

REFERENCE = date(2025, 6, 30)
POLYGON = {"type": "Polygon", "coordinates": [[[6.0, 52.0], [6.1, 52.0], [6.1, 52.1], [6.0, 52.0]]]}


def project(*milestones, lifecycle="actief", geometry=POLYGON, bag_ids=()) -> ProjectData:
    return ProjectData(name="Kloosterhof", municipality="GM0221", homes={"sociale_huur": {"gestapeld": 40}},
                       lifecycle=lifecycle, milestones=milestones, geometry=geometry, bag_ids=bag_ids)  # fmt: skip


def objects(n, first=0, **events) -> list[ObjectEvents]:
    return [ObjectEvents(f"0221010000{first + i:06d}", **events) for i in range(n)]


def flags(result) -> dict:
    return {f.code: f.numbers for f in result.flags}


def test_tolerance_is_one_quarter():
    assert TOLERANCE == timedelta(days=92)


def test_delivered_in_the_monitor_but_fewer_in_use_in_the_bag():
    data = project(M("start_bouw", actual=date(2021, 3, 1)), M("oplevering", actual=date(2024, 6, 30)))
    events = (objects(25, start_date=date(2021, 3, 1), delivery_date=date(2024, 9, 1))
              + objects(1, 25, start_date=date(2021, 3, 1), delivery_date=date(2024, 10, 1))  # a day too late
              + objects(14, 26, start_date=date(2021, 3, 1), status_now="Bouw gestart"))  # fmt: skip
    result = reconcile(data, events, REFERENCE)
    # 40 delivered in the monitor on 30-6-2024; by 30-6-2024 + 92 days = 30-9-2024 the BAG had 25 in use.
    assert flags(result) == {OPGELEVERD_MONITOR_NIET_BAG: {"monitor": 40, "bag": 25, "deadline": date(2024, 9, 30),
                                                           "last": date(2024, 6, 30)}}  # fmt: skip
    assert result.years == (YearRow(2021, 40, 0, 40, 0, 0, 0), YearRow(2024, 0, 0, 0, 40, 0, 26))
    assert result.linkable and result.linked == 40
    with translation.override("nl"):
        assert result.flags[0].title == "Opgeleverd in monitor, niet in BAG"
        assert result.flags[0].message == ("De monitor meldt 40 woningen opgeleverd (laatste werkelijke oplevering 30 "
                                           "juni 2024); in de BAG waren op 30 september 2024 25 gekoppelde woningen in "
                                           "gebruik.")  # fmt: skip


def test_a_recent_delivery_gets_a_quarter_before_it_is_flagged():
    data = project(M("start_bouw", actual=date(2023, 3, 1)), M("oplevering", actual=date(2025, 5, 1)))
    assert flags(reconcile(data, objects(40, start_date=date(2023, 3, 1)), REFERENCE)) == {}
    # realised by status without a date: counted by the reference date itself
    realised = project(lifecycle="gerealiseerd")
    assert flags(reconcile(realised, objects(30, delivery_date=date(2025, 6, 1)), REFERENCE)) == {
        OPGELEVERD_MONITOR_NIET_BAG: {"monitor": 40, "bag": 30, "deadline": REFERENCE, "last": "onbekend"}
    }


def test_in_use_in_the_bag_but_the_monitor_not_updated():
    data = project(M("start_bouw", actual=date(2022, 9, 1)), M("oplevering", planned=date(2026, 3, 1)))
    events = objects(30, start_date=date(2022, 9, 1), delivery_date=date(2025, 1, 15)) + objects(
        5, 30, start_date=date(2022, 9, 1), delivery_date=date(2025, 5, 1)
    )  # within the quarter
    result = reconcile(data, events, REFERENCE)
    assert flags(result) == {IN_GEBRUIK_BAG_MONITOR_NIET: {"bag": 30, "monitor": 0, "first": date(2025, 1, 15),
                                                           "until": date(2025, 3, 30)}}  # fmt: skip
    assert result.years == (YearRow(2022, 40, 0, 35, 0, 0, 0), YearRow(2025, 0, 0, 0, 0, 0, 35),
                            YearRow(2026, 0, 0, 0, 0, 40, 0))  # fmt: skip
    with translation.override("nl"):
        assert result.flags[0].message == ("In de BAG zijn 30 gekoppelde woningen in gebruik sinds uiterlijk 30 maart "
                                           "2025 (de eerste op 15 januari 2025); de monitor meldt 0 woningen "
                                           "opgeleverd.")  # fmt: skip


def test_construction_started_in_the_bag_more_than_five_years_ago():
    data = project(M("start_bouw", actual=date(2020, 6, 1)))
    events = (
        objects(3, start_date=date(2020, 6, 29), status_now="Bouw gestart")  # 5 years and a day: flagged
        + objects(1, 3, start_date=date(2020, 6, 30), status_now="Bouw gestart")  # exactly 5 years: not more
        + objects(1, 4, start_date=date(2019, 1, 1), delivery_date=date(2026, 1, 1))  # in use only after the reference
        + objects(1, 5, start_date=date(2019, 1, 1), not_realised_date=date(2022, 1, 1))  # withdrawn
        + objects(1, 6, start_date=date(2019, 1, 1), status_now="Pand in gebruik")  # in use, date unknown
    )
    result = reconcile(data, events, REFERENCE)
    assert flags(result) == {BOUW_GESTART_LANG: {"bag": 4, "oldest": date(2019, 1, 1), "years": 5,
                                                 "reference": REFERENCE}}  # fmt: skip
    with translation.override("nl"):
        assert result.flags[0].message == (
            "4 gekoppelde woningen staan in de BAG op 'bouw gestart' sinds 1 januari 2019, langer dan 5 jaar voor "
            "30 juni 2025, en zijn niet in gebruik."
        )


def test_more_homes_in_use_in_the_bag_than_the_project_counts():
    data = project(M("start_bouw", actual=date(2021, 5, 1)), M("oplevering", actual=date(2023, 3, 1)))
    result = reconcile(data, objects(44, start_date=date(2021, 5, 1), delivery_date=date(2023, 3, 1)), REFERENCE)
    # 44 in use against 40 homes; the 4 beyond the monitor's 40 are also "monitor niet bijgewerkt"
    assert flags(result) == {
        MEER_IN_BAG_DAN_PROJECT: {"bag": 44, "project": 40, "surplus": 4},
        IN_GEBRUIK_BAG_MONITOR_NIET: {"bag": 44, "monitor": 40, "first": date(2023, 3, 1), "until": date(2025, 3, 30)},
    }
    with translation.override("nl"):
        (surplus,) = [f for f in result.flags if f.code == MEER_IN_BAG_DAN_PROJECT]
        assert (
            surplus.message
            == "In de BAG zijn 44 gekoppelde woningen in gebruik; het project telt 40 woningen (4 meer)."
        )


def test_partial_deliveries_count_their_own_homes():
    data = project(M("start_bouw", actual=date(2021, 1, 1)), M("oplevering", actual=date(2023, 1, 10), homes=24),
                   M("oplevering", actual=date(2024, 2, 1), homes=16, sequence=2))  # fmt: skip
    events = (objects(24, start_date=date(2021, 1, 1), delivery_date=date(2023, 2, 1))
              + objects(16, 24, start_date=date(2021, 1, 1), delivery_date=date(2024, 3, 1)))  # fmt: skip
    result = reconcile(data, events, REFERENCE)
    assert flags(result) == {}
    assert result.years == (YearRow(2021, 40, 0, 40, 0, 0, 0), YearRow(2023, 0, 0, 0, 24, 0, 24),
                            YearRow(2024, 0, 0, 0, 16, 0, 16))  # fmt: skip


def test_a_project_that_cannot_be_linked_gets_no_flags():
    point = {"type": "Point", "coordinates": [6.05, 52.05]}
    data = project(M("oplevering", actual=date(2023, 1, 1)), geometry=point)
    result = reconcile(data, [], REFERENCE)
    assert (
        not result.linkable and result.flags == () and result.years == (YearRow(2023, 0, 0, None, 40, 0, None),)
    )  # missing, not 0
    with_ids = project(M("oplevering", actual=date(2023, 1, 1)), geometry=point, bag_ids=("0221100000000001",))
    assert flags(reconcile(with_ids, [], REFERENCE)) == {OPGELEVERD_MONITOR_NIET_BAG: {
        "monitor": 40, "bag": 0, "deadline": date(2023, 4, 3), "last": date(2023, 1, 1)}}  # fmt: skip


def test_the_bag_speaks_only_up_to_its_extract_date():
    # Doesburg, reviewer's point 1: 40 delivered 25-2-2023; an extract of 15-9-2020 cannot say they are not in use.
    data = project(M("start_bouw", actual=date(2019, 3, 1)), M("oplevering", actual=date(2023, 2, 25)))
    events = objects(40, start_date=date(2019, 3, 1), status_now="Bouw gestart")
    result = reconcile(data, events, REFERENCE, bag_until=date(2020, 9, 15))
    assert flags(result) == {} and result.reference_date == REFERENCE
    assert result.years == (YearRow(2019, 40, 0, 40, 0, 0, 0), YearRow(2023, 0, 0, None, 40, 0, None))
    # Without an extract for the municipality the BAG columns are unknown and there are no flags.
    unloaded = reconcile(data, [], REFERENCE, bag_loaded=False)
    assert flags(unloaded) == {} and unloaded.years[0] == YearRow(2019, 40, 0, None, 0, 0, None)


def test_one_linked_home_is_singular():
    data = project(M("oplevering", actual=date(2024, 1, 1)))
    result = reconcile(data, objects(1, delivery_date=date(2024, 3, 1)), REFERENCE)
    with translation.override("nl"):
        assert result.flags[0].message == (
            "De monitor meldt 40 woningen opgeleverd (laatste werkelijke oplevering 1 januari 2024); in de BAG was op "
            "2 april 2024 1 gekoppelde woning in gebruik."
        )
