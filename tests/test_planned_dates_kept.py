"""Recording an actual date keeps the planned one (issue #19: the planned date was blanked, so "Afwijking"
never showed) — in the demo generator, a web edit, an API write and an import that brings only actual dates.
Both databases."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from bouwregie.demo.generator import generate
from bouwregie.demo.parameters import DemoParameters
from bouwregie.projects import services
from bouwregie.projects.models import Project
from bouwregie.projects.rules import MilestoneData as M

from .roles import build_world
from .test_web_edit import _form


def test_the_demo_generator_keeps_the_planned_date_of_every_reached_milestone():
    projects, _closes, _entries = generate(DemoParameters(projects=400, seed=3))
    reached = [m for p in projects for data, _meta in p.versions for m in data.milestones if m.actual]
    assert len(reached) > 1000
    assert all(m.planned is not None for m in reached)
    # Each reached milestone's planned date is the one the version before it was reached had planned.
    for p in projects:
        for (before, _m1), (after, _m2) in zip(p.versions, p.versions[1:], strict=False):
            planned_before = {(m.kind, m.sequence): m.planned for m in before.milestones if m.actual is None}
            for m in after.milestones:
                if m.actual and (m.kind, m.sequence) in planned_before:
                    assert m.planned == planned_before[m.kind, m.sequence]


def test_the_demo_keeps_its_home_counts_when_planned_dates_come_back():
    """Realised counts only actual dates and planned only undelivered ones (rules.deliveries): a reached oplevering
    with its planned date kept counts as realised, once."""
    projects, _closes, _entries = generate(DemoParameters(projects=400, seed=3))
    from bouwregie.projects.rules import deliveries, total_homes

    for p in projects[:200]:
        data = p.versions[-1][0]
        realised, planned = deliveries(data.milestones, data.phasing, total_homes(data))
        blanked = tuple(M(m.kind, None if m.actual else m.planned, m.actual, m.homes, m.sequence)
                        for m in data.milestones)  # fmt: skip
        assert (realised, planned) == deliveries(blanked, data.phasing, total_homes(data))


@pytest.fixture
def world(db):
    world = build_world()  # Utrecht: start bouw actual 1-3-2025, oplevering planned 1-6-2027
    return world


def _stones(code):
    project = Project.objects.get(code=code)
    return {(m.kind, m.sequence): m for m in services.current_data([project.id])[project.id][1].milestones}


def test_an_api_write_with_only_the_actual_date_keeps_the_planned_one(client, world):
    key = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['gemeente_utrecht']}"}
    url = f"/api/v1/projects/{world['utrecht']}/milestones/oplevering"

    def put(body):
        return client.put(url, json.dumps(body), content_type="application/json", **key)

    response = put({"reason": "opgeleverd", "actual": "2025-10-01"})
    assert response.status_code == 200, response.content
    assert _stones(world["utrecht"])["oplevering", 1] == M("oplevering", date(2027, 6, 1), date(2025, 10, 1))
    # null clears a field explicitly
    response = put({"reason": "datum onbekend", "planned": None})
    assert response.status_code == 200, response.content
    assert _stones(world["utrecht"])["oplevering", 1] == M("oplevering", None, date(2025, 10, 1))


def test_a_web_edit_that_fills_in_the_actual_date_keeps_the_planned_one(client, world):
    client.force_login(world["users"]["gemeente_utrecht"])
    form = client.get(f"/projecten/{world['utrecht']}/bewerken").content.decode()
    assert 'name="gepland_oplevering" value="2027-06-01"' in form  # the planned date stands in the form
    response = client.post(f"/projecten/{world['utrecht']}/bewerken", _form(werkelijk_oplevering="2025-10-01"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert _stones(world["utrecht"])["oplevering", 1] == M("oplevering", date(2027, 6, 1), date(2025, 10, 1))
    page = client.get(f"/projecten/{world['utrecht']}").content.decode()
    assert "1-6-2027" in page and "1-10-2025" in page  # planned and actual side by side


def test_an_import_with_only_actual_dates_keeps_the_planned_ones(world, tmp_path):
    path = tmp_path / "alleen-werkelijk.csv"
    path.write_text(f"projectcode;oplevering_werkelijk\n{world['utrecht']};2025-10-01\n", encoding="utf-8")
    call_command("import", str(path), "--source", "kwartaal")
    stones = _stones(world["utrecht"])
    assert stones["oplevering", 1] == M("oplevering", date(2027, 6, 1), date(2025, 10, 1))
    assert stones["start_bouw", 1] == M("start_bouw", None, date(2025, 3, 1))  # untouched
