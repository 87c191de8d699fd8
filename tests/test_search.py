"""The API's list of projects takes a short path in plain SQL for the usual question (area and lifecycle);
every other question goes through the ORM query the web list uses. Both must give the same projects in the
same order, the same count and the same values, on SQLite and PostgreSQL."""

import itertools

import pytest

from bouwregie.geo.models import Municipality, Region
from bouwregie.projects import search
from bouwregie.projects.models import CurrentVersion


@pytest.fixture
def demo(db):
    from bouwregie.demo.loader import load_demo
    from bouwregie.demo.parameters import DemoParameters

    load_demo(DemoParameters(projects=800, seed=5), progress=lambda *_: None)
    # A region of one municipality plus one project elsewhere, and one of only a project (areas.Area.projects).
    outside = CurrentVersion.objects.exclude(municipality_id="GM0363").order_by("project_id").first()
    mixed = Region.objects.create(code="test-mixed", name="Gemengd", kind=Region.Kind.CUSTOM)
    mixed.municipalities.set(Municipality.objects.filter(code="GM0363"))
    mixed.projects.set([outside.project_id])
    only = Region.objects.create(code="test-project", name="Eén project", kind=Region.Kind.CUSTOM)
    only.projects.set([outside.project_id])


def the_orm_answer(q: search.ProjectQuery, offset: int, limit: int):
    return search.count(q), list(search.find(q).values_list(*search.SUMMARY_COLUMNS)[offset : offset + limit])


def test_the_sql_path_gives_what_the_orm_gives_for_every_sort_area_and_lifecycle(demo):
    areas = ["NL", "PV27", "GM0363", "GM0344", "test-mixed", "test-project", None]
    sorts = [f"{d}{s}" for s in search.SORTS for d in ("", "-")]
    compared = 0
    for area, lifecycle, sort in itertools.product(areas, ["actief", None, "vervallen"], sorts):
        q = search.ProjectQuery(area=area, lifecycle=lifecycle, sort=sort)
        for offset, limit in ((0, 25), (25, 25), (0, 100), (10_000, 25)):
            expected = the_orm_answer(q, offset, limit)
            assert search.summary_page(q, offset, limit) == expected, (area, lifecycle, sort, offset)
            compared += bool(expected[1])
    assert compared > 400  # most questions have rows to compare, not only empty pages


def test_other_filters_take_the_orm_path_with_the_same_columns(demo):
    q = search.ProjectQuery(area="PV27", plan_status="hard", sort="-woningen")
    total, rows = search.summary_page(q, 0, 25)
    assert (total, rows) == the_orm_answer(q, 0, 25) and 0 < len(rows) <= 25 < total
    assert all(r[9] in {"1A", "1B", "1C", "2A", "2B", "2C"} for r in rows)  # plan_status column


def test_an_external_id_takes_the_orm_path_and_finds_its_project_in_any_lifecycle_and_case(demo):
    """Issue 15: an id filter is not an area-and-lifecycle question; the plain SQL would ignore it."""
    from bouwregie.projects.models import ExternalId

    link = ExternalId.objects.select_related("project").order_by("id")[123]
    for q in (search.ProjectQuery(area="NL", lifecycle=None, external_id=link.external_id.lower()),
              search.ProjectQuery(lifecycle=None, external_id=link.external_id, external_source=link.source.upper()),
              search.ProjectQuery(lifecycle=None, search=link.external_id)):  # fmt: skip
        total, rows = search.summary_page(q, 0, 25)
        assert (total, rows) == the_orm_answer(q, 0, 25)
        assert total == 1 and rows[0][0] == link.project.code
    elsewhere = search.ProjectQuery(lifecycle=None, external_id=link.external_id, external_source="een andere bron")
    assert search.summary_page(elsewhere, 0, 25) == (0, [])
