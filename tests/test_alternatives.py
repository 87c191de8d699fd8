"""Alternatives for a shortfall (issue #4): a ranking computed by hand, point by point.

Peiling 2025-Q2 has reference date 2025-06-30; the end of 2028 is 1,281 days later = 3.50719 years.
Fastest time to a first oplevering (projects/leadtimes.py): vergunning verleend (3.4 − 1.7)/3 + 1.7 =
2.26667; vergunning aangevraagd (4.0 − 1.7)/3 + 1.7 = 2.46667; omgevingsplan vastgesteld (5.8 − 1.7)/3 +
1.7 = 3.06667; start bouw 1.7/2 = 0.85; initiatief (10 − 1.7)/3 + 1.7 = 4.46667 (too late for 2028).
"""

from datetime import UTC, date, datetime

import pytest

from bouwregie.geo.models import Municipality, Region
from bouwregie.monitor.alternatives import alternatives, needed_affordable_share
from bouwregie.projects import services
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.targets.models import Target

from .builders import create

YEARS_LEFT = 1281 / 365.25


def points(fastest, status, fit, movable, pull, deduction=0):
    """The score as the module documents it: 35 feasibility, 20 status, 25 segment, 15 size, 5 pull."""
    spare = min(1.0, (YEARS_LEFT - fastest) / 2)
    sprong = 5 * max(0.0, 1 - (pull - 1) / 4) if pull else 0
    return round(35 * spare + 20 * status + 25 * fit + 15 * min(1.0, movable / 400) + sprong - deduction, 1)


@pytest.fixture
def table(db):
    Target.objects.create(area="GM0344", metric="bruto_woningen", first_year=2025, last_year=2030, total=3000,
                          yearly={"2028": 600}, source="Woondeal regio Utrecht (test)")  # fmt: skip
    deal = Region.objects.create(code="woondeal-u16", name="Woondeal U16", kind="woondeal")
    deal.municipalities.add(*Municipality.objects.filter(code__in=["GM0344", "GM0355"]))
    social = {"sociale_huur": {"gestapeld": 100}, "dure_koop": {"gestapeld": 100}}
    projects = {
        # Delivers 200 homes in 2028 (100 affordable): counts for the year, is no candidate.
        "D": create("Oplevering 2028", "GM0344", plan_status="1A", homes=social,
                    milestones=(M("start_bouw", actual=date(2025, 3, 1)), M("oplevering", planned=date(2028, 6, 1)))),
        "V": create("Vergund", "GM0344", plan_status="1A", homes={"sociale_huur": {"gestapeld": 120}},
                    milestones=(M("vergunning_verleend", actual=date(2025, 1, 1)),
                                M("oplevering", planned=date(2029, 6, 1)))),
        "S": create("In aanbouw", "GM0344", plan_status="2A", bottlenecks=("netcongestie",),
                    homes={"middenhuur": {"gestapeld": 40}, "dure_koop": {"grondgebonden": 40}},
                    milestones=(M("start_bouw", actual=date(2025, 3, 1)), M("oplevering", planned=date(2029, 3, 1)))),
        "Z": create("Zachte capaciteit", "GM0344", plan_status="3", homes={"onbekend": {"onbekend": 300}},
                    milestones=(M("omgevingsplan_vastgesteld", actual=date(2025, 2, 1)),)),
        "L": create("Te laat", "GM0344", plan_status="4A", homes={"dure_koop": {"grondgebonden": 500}},
                    milestones=(M("initiatief", actual=date(2024, 1, 1)), M("oplevering", planned=date(2032, 1, 1)))),
        "F": create("Ver weg", "GM0344", plan_status="2A", homes={"betaalbare_koop": {"gestapeld": 60}},
                    milestones=(M("vergunning_aangevraagd", actual=date(2025, 4, 1)),
                                M("oplevering", planned=date(2031, 3, 1), homes=30, sequence=1),
                                M("oplevering", planned=date(2032, 3, 1), homes=30, sequence=2))),
        "O": create("Buurgemeente", "GM0355", plan_status="1A", homes={"sociale_huur": {"gestapeld": 50}},
                    milestones=(M("start_bouw", actual=date(2025, 5, 1)), M("oplevering", planned=date(2030, 1, 1)))),
        "X": create("Buiten de woondeal", "GM0363", plan_status="1A", homes={"sociale_huur": {"gestapeld": 90}},
                    milestones=(M("start_bouw", actual=date(2025, 5, 1)), M("oplevering", planned=date(2029, 1, 1)))),
    }  # fmt: skip
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    return {k: p.code for k, p in projects.items()}


def test_the_ranking_by_hand(table):
    r = alternatives("GM0344", "2025-Q2", 2028)
    assert r["target"]["homes"] == 600 and r["target"]["basis"] == "jaarschijf"
    assert (r["delivered"], r["shortfall"]) == (200, 400)
    # 2/3 of (200 + 400) = 400 affordable needed; 100 already there, so 300 of the 400 extra: 75%.
    assert r["needed_affordable_share"] == 0.75
    assert [c["code"] for c in r["candidates"]] == [table[k] for k in "OVSFZ"]
    scores = {c["code"]: c["score"] for c in r["candidates"]}
    assert scores[table["O"]] == points(0.85, 1, 1, 50, pull=2) == 85.6
    assert scores[table["V"]] == points(3.4 / 3 - 1.7 / 3 + 1.7, 1, 1, 120, pull=1) == 76.2
    assert scores[table["S"]] == points(0.85, 1, 0.5 / 0.75, 80, pull=1, deduction=10) == 69.7
    assert scores[table["F"]] == points(2.3 / 3 + 1.7, 1, 1, 30, pull=3) == 66.8
    assert scores[table["Z"]] == points(4.1 / 3 + 1.7, 0.5, 0.5, 300, pull=0) == 41.5
    assert [c["homes_movable"] for c in r["candidates"]] == [50, 120, 80, 30, 300]
    assert [c["cumulative_homes"] for c in r["candidates"]] == [50, 170, 250, 280, 580]
    assert r["totals"] == {"candidates": 5, "candidate_homes": 580, "too_late": 1, "too_late_homes": 500,
                           "projects_to_cover": 5}  # fmt: skip
    assert [c["from_year"] for c in r["candidates"]] == [2030, 2029, 2029, 2031, None]


def test_every_point_has_its_reason(table):
    r = alternatives("GM0344", "2025-Q2", 2028)
    by_code = {c["code"]: c for c in r["candidates"]}
    s = by_code[table["S"]]
    assert s["points"] == {"haalbaarheid": 35.0, "planstatus": 20.0, "segment": 16.7, "bijdrage": 3.0,
                           "sprong": 5.0, "knelpunten": -10.0}  # fmt: skip
    assert s["reasons"][2] == "50,0% betaalbaar; nodig voor 2/3 in 2028: 75,0%"
    assert s["reasons"][3] == "80 woningen uit 2029 naar 2028: 20,0% van het tekort"
    assert s["reasons"][-1] == "knelpunt: Netcongestie (-10 punten)"
    assert "zachte capaciteit" in by_code[table["Z"]]["reasons"][3]
    assert by_code[table["Z"]]["reasons"][2] == "segment onbekend"
    assert by_code[table["O"]]["in_area"] is False
    assert by_code[table["O"]]["reasons"][-1] == "andere gemeente in woondeal Woondeal U16"
    assert r["woondeal"] == [{"kind": "regio", "code": "woondeal-u16", "name": "Woondeal U16"}]


def test_shortfall_from_an_even_spread_or_given_by_hand(table):
    Target.objects.filter(area="GM0344").update(yearly={})
    spread = alternatives("GM0344", "2025-Q2", 2028, limit=2)
    assert spread["target"]["homes"] == 500 and "gelijk verdeeld over 6 jaar" in spread["target"]["basis"]
    assert spread["shortfall"] == 300 and len(spread["candidates"]) == 2
    given = alternatives("GM0344", "2025-Q2", 2028, shortfall=100)
    assert given["shortfall"] == 100 and given["totals"]["projects_to_cover"] == 2  # 50 + 120 ≥ 100


def test_a_province_has_no_woondeal_but_all_its_municipalities(table):
    Target.objects.create(area="PV26", metric="bruto_woningen", first_year=2028, last_year=2028, total=1000,
                          source="test")  # fmt: skip
    r = alternatives("PV26", "2025-Q2", 2028)
    assert r["woondeal"] == [] and {c["code"] for c in r["candidates"]} == {table[k] for k in "OVSFZ"}
    assert all(c["in_area"] for c in r["candidates"])


def test_impossible_questions_get_a_clear_answer(table):
    with pytest.raises(ValueError, match="Geen bruto-afspraak voor Amsterdam die 2028 dekt"):
        alternatives("GM0363", "2025-Q2", 2028)
    with pytest.raises(ValueError, match="ligt voor peiling 2025-Q2; kies 2025 of later"):
        alternatives("GM0344", "2025-Q2", 2024)
    with pytest.raises(ValueError, match="valt buiten"):
        alternatives("GM0344", "2025-Q2", 2090)


def test_needed_share_stays_a_share():
    assert needed_affordable_share(affordable=0, known=0, shortfall=300) == 0.6667
    assert needed_affordable_share(affordable=1000, known=1000, shortfall=100) == 0.0  # already all affordable
    assert needed_affordable_share(affordable=0, known=1000, shortfall=100) == 1.0  # cannot reach 2/3 anyway
