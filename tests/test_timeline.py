"""The project page's timeline (issue #19): planned against actual per milestone, the slip since the first
version and since the last closed peiling — the pure functions of projects.timeline by hand, then the page
(through the Django test client, both databases) on a project whose start of construction slipped twice."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouwregie.projects import services
from bouwregie.projects import timeline as tl
from bouwregie.projects.milestones import MILESTONE_CODES
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.projects.rules import ProjectData
from bouwregie.projects.services import VersionMeta
from bouwregie.web.project_pages import slip_text

from .roles import seat_user

TODAY = date(2026, 1, 10)


def test_first_dates_take_each_milestone_from_the_earliest_version_that_dated_it():
    history = [
        (M("initiatief", actual=date(2023, 1, 5)), M("start_bouw")),  # start bouw without a date yet
        (M("initiatief", actual=date(2023, 1, 5)), M("start_bouw", planned=date(2025, 3, 1))),
        (M("initiatief", actual=date(2023, 1, 5)), M("start_bouw", planned=date(2025, 9, 1))),
    ]
    assert tl.first_dates(history) == {("initiatief", 1): date(2023, 1, 5), ("start_bouw", 1): date(2025, 3, 1)}


def test_slips_since_the_first_version_and_the_peiling_by_hand():
    current = (
        M("oplevering", planned=date(2027, 6, 1)),  # not reached; listed out of order on purpose
        M("start_bouw", planned=date(2025, 9, 1), actual=date(2025, 11, 15)),
        M("initiatief", actual=date(2023, 1, 5)),
        M("vergunning_verleend", planned=date(2025, 12, 1)),  # passed without an actual date: overdue
    )
    first = {("initiatief", 1): date(2023, 1, 5), ("start_bouw", 1): date(2025, 3, 1),
             ("oplevering", 1): date(2027, 1, 1)}  # fmt: skip
    at_peiling = {("initiatief", 1): date(2023, 1, 5), ("start_bouw", 1): date(2025, 9, 1),
                  ("oplevering", 1): date(2027, 6, 1)}  # fmt: skip
    rows = tl.timeline(current, first, at_peiling, TODAY)
    assert [r.kind for r in rows] == ["initiatief", "vergunning_verleend", "start_bouw", "oplevering"]
    start = rows[2]
    assert start.late_days == 75  # 1-9 → 15-11: 29 + 31 + 15
    assert start.slip_since_first == 259  # 1-3-2025 → 15-11-2025
    assert start.slip_since_peiling == 75
    assert rows[3].slip_since_first == 151 and rows[3].slip_since_peiling == 0  # 1-1 → 1-6-2027
    assert rows[1].overdue and rows[1].slip_since_first is None and rows[1].slip_since_peiling is None
    assert rows[0].slip_since_first == 0 and rows[0].late_days is None and not rows[0].overdue
    assert tl.timeline(current, first, None, TODAY)[2].slip_since_peiling is None  # no closed peiling holds it


def test_an_earlier_actual_date_is_not_late_and_slips_back():
    rows = tl.timeline((M("start_bouw", planned=date(2025, 9, 1), actual=date(2025, 8, 20)),),
                       {("start_bouw", 1): date(2025, 10, 1)}, None, TODAY)  # fmt: skip
    assert rows[0].late_days is None and rows[0].slip_since_first == -42


@pytest.mark.parametrize(
    ("days", "text"),
    [(None, "–"), (0, "op schema"), (1, "1 dag later"), (42, "42 dagen later"), (43, "1 maand later"),
     (75, "2 maanden later"), (259, "9 maanden later"), (-42, "42 dagen eerder"), (-400, "13 maanden eerder")],
)  # fmt: skip
def test_slips_in_dutch_words(days, text):
    assert slip_text(days) == text


def test_the_scale_runs_from_the_first_to_the_last_whole_year_and_bars_are_phases():
    rows = tl.timeline(
        (M("initiatief", planned=date(2024, 1, 1), actual=date(2024, 1, 1)),
         M("start_bouw", planned=date(2025, 1, 1), actual=date(2025, 7, 2))),
        {("initiatief", 1): date(2024, 1, 1), ("start_bouw", 1): date(2024, 7, 1)}, None, date(2025, 12, 31),
    )  # fmt: skip
    scale = tl.scale_for(rows, date(2025, 12, 31))
    assert (scale.start, scale.end) == (date(2024, 1, 1), date(2026, 1, 1))  # 731 days over 1000 units
    assert scale.years() == [(2024, 0.0), (2025, 500.7)]  # 366 / 731 × 1000
    bars = tl.bars(rows, scale)
    assert bars[0].planned == (0.0, 6.0) and bars[0].actual == (0.0, 6.0)  # a mark of its own, at least MIN_BAR
    assert bars[1].planned == (0.0, 500.7)  # from the initiative to 1-1-2025
    assert bars[1].actual == (0.0, 749.7)  # to 2-7-2025: 548 / 731 × 1000 — longer than planned
    assert bars[1].first == 249.0  # 1-7-2024 (182 days), where the first version had it


@given(st.lists(st.tuples(st.dates(date(2000, 1, 1), date(2040, 1, 1)), st.dates(date(2000, 1, 1), date(2040, 1, 1))),
                min_size=1, max_size=12))  # fmt: skip
def test_every_bar_lies_on_the_axis(pairs):
    current = tuple(M(kind, planned=p, actual=a) for kind, (p, a) in zip(MILESTONE_CODES, pairs, strict=False))
    rows = tl.timeline(current, tl.first_dates([current]), None, TODAY)
    scale = tl.scale_for(rows, TODAY)
    for bar in tl.bars(rows, scale):
        for begin, width in filter(None, (bar.planned, bar.actual)):
            assert 0 <= begin and width >= tl.MIN_BAR - 0.1 and begin + width <= scale.width + 0.1


def _version(project, when, reason, *milestones):
    data = ProjectData(name="Kanaalkwartier", municipality="GM0344", plan_status="1A",
                       homes={"sociale_huur": {"gestapeld": 30}}, milestones=milestones)  # fmt: skip
    meta = VersionMeta(author="test", source="edit", reason=reason, created_at=when)
    if project is None:
        return services.create_project(data, meta).project
    services.create_version(project, data, meta)
    return project


@pytest.fixture
def slipped(db):
    """Start bouw planned 1-3-2025 (first version), moved to 1-9-2025 before peiling 2025-Q2 closed, then
    reached on 15-11-2025 with the planned date kept."""
    delivery = M("oplevering", planned=date(2027, 6, 1))
    project = _version(None, datetime(2025, 1, 10, tzinfo=UTC), "eerste", M("start_bouw", planned=date(2025, 3, 1)),
                       delivery)  # fmt: skip
    _version(project, datetime(2025, 5, 10, tzinfo=UTC), "verschoven", M("start_bouw", planned=date(2025, 9, 1)),
             delivery)  # fmt: skip
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    _version(project, datetime(2025, 11, 20, tzinfo=UTC), "gestart",
             M("start_bouw", planned=date(2025, 9, 1), actual=date(2025, 11, 15)), delivery)  # fmt: skip
    return project.code


def test_the_project_page_shows_the_slipped_milestone_in_the_table_and_the_chart(client, slipped):
    client.force_login(seat_user("lezer", "Ministerie", "rijk", None, None, "lezer"))
    body = html.unescape(client.get(f"/projecten/{slipped}").content.decode())
    row = re.search(r'scope="row">Start bouw</th>(.*?)</tr>', body, re.S).group(1)
    cells = [c.strip() for c in re.findall(r'<td class="utrecht-table__cell[^"]*">([^<]*)</td>', row)]
    assert cells == ["1-9-2025", "15-11-2025", "75 dagen later", "1-3-2025", "9 maanden later", "2 maanden later"]
    assert "Verschoven sinds peiling 2025-Q2" in body
    chart = re.search(r'<figure class="br-tl".*?</figure>', body, re.S).group(0)
    start = re.search(r'br-tl-row--slipped"><span class="br-tl-label">Start bouw</span>(.*?)</svg>', chart, re.S)
    assert start, "the slipped milestone's row is marked"
    assert 'class="br-tl-actual br-tl-late"' in start.group(1) and 'class="br-tl-first"' in start.group(1)
    assert "<script" not in chart  # drawn on the server: works without JavaScript
