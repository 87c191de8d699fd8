"""Delays between two peilingen (issue #4), computed by hand from a small history."""

from datetime import UTC, date, datetime

import pytest

from bouwregie.monitor.delays import delays
from bouwregie.projects import services
from bouwregie.projects.models import Project
from bouwregie.projects.rules import MilestoneData, ProjectData
from bouwregie.projects.services import VersionMeta

Q1_CLOSE, Q2_CLOSE = datetime(2025, 4, 15, tzinfo=UTC), datetime(2025, 7, 15, tzinfo=UTC)


def version(project, when, **fields):
    data = ProjectData(**fields)
    meta = VersionMeta(author="test", source="edit", reason="fixture", created_at=when)
    return (
        services.create_project(data, meta).project if project is None else services.create_version(project, data, meta)
    )


def plan(start, delivery, homes=100, status="1A", lifecycle="actief", municipality="GM0344", name="P"):
    stones = (MilestoneData("start_bouw", planned=start), MilestoneData("oplevering", planned=delivery))
    return dict(name=name, municipality=municipality, plan_status=status, lifecycle=lifecycle,
                homes={"sociale_huur": {"gestapeld": homes}}, milestones=stones)  # fmt: skip


@pytest.fixture
def history(db):
    q1 = datetime(2025, 3, 1, tzinfo=UTC)
    q2 = datetime(2025, 6, 1, tzinfo=UTC)
    p = {
        "slipped": version(None, q1, **plan(date(2025, 3, 1), date(2026, 6, 1), name="Slipped")),
        "regressed": version(None, q1, **plan(date(2026, 1, 1), date(2027, 6, 1), homes=50, status="2A", name="Terug")),
        "dropped": version(None, q1, **plan(date(2026, 1, 1), date(2027, 6, 1), homes=30, name="Weg")),
        "unchanged": version(None, q1, **plan(date(2026, 1, 1), date(2027, 6, 1), homes=20, name="Stil")),
        "small": version(None, q1, **plan(date(2026, 1, 1), date(2027, 6, 1), homes=10, name="Klein")),
        "elsewhere": version(None, q1, **plan(date(2025, 3, 1), date(2026, 6, 1), municipality="GM0363", name="Adam")),
    }  # fmt: skip
    services.close_peiling("2025-Q1", author="test", now=Q1_CLOSE)
    version(p["slipped"], q2, **plan(date(2025, 9, 1), date(2027, 1, 1), name="Slipped"))  # +6 and +7 months
    version(p["regressed"], q2, **plan(date(2026, 1, 1), date(2027, 6, 1), homes=50, status="3", name="Terug"))
    version(p["dropped"], q2, **plan(date(2026, 1, 1), date(2027, 6, 1), homes=30, lifecycle="vervallen", name="Weg"))
    version(p["small"], q2, **plan(date(2026, 3, 1), date(2027, 6, 1), homes=10, name="Klein"))  # +2 months only
    version(p["elsewhere"], q2, **plan(date(2025, 9, 1), date(2027, 1, 1), municipality="GM0363", name="Adam"))
    services.close_peiling("2025-Q2", author="test", now=Q2_CLOSE)
    return {k: v.code for k, v in p.items()}


def test_delays_by_hand(history):
    r = delays("PV26", "2025-Q1", "2025-Q2")
    assert r["totals"] == {"projects_delayed": 3, "milestone_slips": 2, "homes_moved_later": 100,
                           "status_regressions": 1, "disappeared_projects": 1, "disappeared_homes": 30}  # fmt: skip
    assert r["moved_out_of_year"] == {"2026": 100}
    assert [p["code"] for p in r["projects"]] == [history["slipped"], history["regressed"], history["dropped"]]
    slipped = r["projects"][0]["reasons"]
    assert {"soort": "oplevering", "van_jaar": 2026.0, "naar_jaar": 2027.0, "woningen": 100} in slipped
    start = next(x for x in slipped if x.get("mijlpaal") == "start_bouw")
    assert (start["van"], start["naar"], start["maanden"]) == ("2025-03-01", "2025-09-01", 6.0)
    assert r["projects"][1]["reasons"] == [{"soort": "planstatus", "van": "2A", "naar": "3"}]
    assert r["projects"][2]["reasons"] == [{"soort": "verdwenen", "status": "vervallen"}]


def test_the_threshold_and_the_area_are_respected(history):
    assert delays("PV26", "2025-Q1", "2025-Q2", months=1)["totals"]["milestone_slips"] == 3  # 'small' now counts
    amsterdam = delays("GM0363", "2025-Q1", "2025-Q2")
    assert [p["code"] for p in amsterdam["projects"]] == [history["elsewhere"]]
    assert delays("NL", "2025-Q1", "2025-Q2")["totals"]["projects_delayed"] == 4
    assert Project.objects.count() == 6


def test_the_same_peiling_twice_is_refused(history):
    with pytest.raises(ValueError, match="twee verschillende peilingen"):
        delays("NL", "2025-Q1", "2025-Q1")
