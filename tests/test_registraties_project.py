"""Per project, the registration beside the monitor through the stored links (issue #18; registraties.project,
GET /api/v1/projects/{code}/registraties, the project page): every flag kind hand-computed from a hand-made
LV-BAG extract (panden and verblijfsobjecten in Doesburg), loaded through the real importer and linked by pand
id. Reference date 30 June 2025, tolerance one quarter (92 days): 30 June 2025 − 92 days = 30 March 2025."""

import re
from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from bouwregie.bag import importer, writer
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.registraties import project
from tests import builders
from tests.roles import build_world
from tests.test_api import get
from tests.test_bag import pnd, vbo

REFERENCE = date(2025, 6, 30)
PANDEN = {key: f"022110000090000{i}" for i, key in enumerate("ABCD", 1)}


def homes(n):
    return {"sociale_huur": {"gestapeld": n}}


def extract(tmp_path):
    """Panden and verblijfsobjecten (stand 2025-07-01): A built 2022, two of three in use 1 September 2024;
    B built 2022, both in use 1 November 2024; C 'bouw gestart' since 1 May 2019; D two in use 1 January 2023."""
    P = PANDEN
    panden = [
        step
        for key, (permit, start) in {"A": ("2021-06-01", "2022-03-01"), "B": ("2021-01-01", "2022-01-10"),
                                     "C": ("2018-01-01", "2019-05-01"), "D": ("2021-01-01", "2022-01-01")}.items()
        for step in (pnd(P[key], 1, "Bouwvergunning verleend", permit, start), pnd(P[key], 2, "Bouw gestart", start))
    ]  # fmt: skip

    def built(ident, pand, formed, in_use=None):
        if in_use is None:
            return [vbo(ident, 1, "Verblijfsobject gevormd", formed, pand=pand)]
        return [vbo(ident, 1, "Verblijfsobject gevormd", formed, in_use, pand=pand),
                vbo(ident, 2, "Verblijfsobject in gebruik", in_use, pand=pand)]  # fmt: skip

    objects = [
        *built("0221010000910001", P["A"], "2021-06-01", "2024-09-01"),
        *built("0221010000910002", P["A"], "2021-06-01", "2024-09-01"),
        *built("0221010000910003", P["A"], "2021-06-01"),
        *built("0221010000920001", P["B"], "2021-01-01", "2024-11-01"),
        *built("0221010000920002", P["B"], "2021-01-01", "2024-11-01"),
        *built("0221010000930001", P["C"], "2018-01-01"),
        *built("0221010000940001", P["D"], "2021-01-01", "2023-01-01"),
        *built("0221010000940002", P["D"], "2021-01-01", "2023-01-01"),
    ]
    pnd_file = tmp_path / "0221PND01072025-000001.xml"
    pnd_file.write_text(writer.part("PND", panden, "2025-07-01", ("0221",), "GEMEENTE"), encoding="utf-8")
    vbo_file = tmp_path / "0221VBO01072025-000001.xml"
    vbo_file.write_text(writer.part("VBO", objects, "2025-07-01", ("0221",), "GEMEENTE"), encoding="utf-8")
    return pnd_file, vbo_file


def projects():
    when = datetime(2025, 6, 1, tzinfo=UTC)
    make = builders.create
    return {
        "A": make("Delivered, not in BAG", "GM0221", when, homes=homes(3), bag_ids=(PANDEN["A"],), milestones=(
            M("start_bouw", actual=date(2022, 3, 1)), M("oplevering", actual=date(2024, 6, 30)))),
        "B": make("In use, monitor behind", "GM0221", when, homes=homes(2), bag_ids=(PANDEN["B"],), milestones=(
            M("start_bouw", actual=date(2022, 1, 10)), M("oplevering", planned=date(2025, 12, 31)))),
        "C": make("Long construction", "GM0221", when, homes=homes(1), bag_ids=(PANDEN["C"],), milestones=(
            M("start_bouw", actual=date(2019, 5, 1)), M("oplevering", planned=date(2026, 6, 30)))),
        "D": make("More in BAG", "GM0221", when, homes=homes(1), bag_ids=(PANDEN["D"],), milestones=(
            M("start_bouw", actual=date(2022, 1, 1)), M("oplevering", actual=date(2023, 1, 1)))),
        "none": make("Without geometry", "GM0221", when, homes=homes(5)),
    }  # fmt: skip


@pytest.fixture
def loaded(db, tmp_path):
    made = projects()
    for path in extract(tmp_path):
        importer.import_file(path)
    return made


def flags(project_id):
    return {f["code"]: f["numbers"] for f in project.registrations(project_id, REFERENCE)["flags"]}


def test_delivered_in_the_monitor_but_fewer_in_use_in_the_bag(loaded):
    # 3 delivered on 30-6-2024; by 30-6-2024 + 92 days = 30-9-2024 two of the three objects were in use.
    assert flags(loaded["A"].id) == {"opgeleverd_monitor_niet_bag": {
        "monitor": 3, "bag": 2, "deadline": date(2024, 9, 30), "last": date(2024, 6, 30)}}  # fmt: skip
    found = project.registrations(loaded["A"].id, REFERENCE)
    assert (found["linked"], found["by_basis"][0]["basis"], found["by_basis"][0]["count"]) == (3, "id", 3)
    assert [(y["year"], y["monitor_starts"], y["bag_starts"], y["monitor_deliveries"], y["bag_deliveries"])
            for y in found["years"]] == [(2022, 3, 3, 0, 0), (2024, 0, 0, 3, 2)]  # fmt: skip


def test_in_use_in_the_bag_but_the_monitor_not_updated(loaded):
    # Both in use on 1-11-2024, settled by 30-3-2025; the monitor records no oplevering.
    assert flags(loaded["B"].id) == {"in_gebruik_bag_monitor_niet": {
        "bag": 2, "monitor": 0, "first": date(2024, 11, 1), "until": date(2025, 3, 30)}}  # fmt: skip


def test_construction_started_more_than_five_years_ago(loaded):
    assert flags(loaded["C"].id) == {"bouw_gestart_lang": {
        "bag": 1, "oldest": date(2019, 5, 1), "years": 5, "reference": REFERENCE}}  # fmt: skip
    # On 1 May 2024 it had been building exactly 5 years: not yet longer.
    assert project.registrations(loaded["C"].id, date(2024, 5, 1))["flags"] == []


def test_more_in_use_in_the_bag_than_the_project_counts(loaded):
    # 2 in use (1-1-2023, settled) against 1 home delivered and 1 home in the project.
    assert flags(loaded["D"].id) == {
        "in_gebruik_bag_monitor_niet": {"bag": 2, "monitor": 1, "first": date(2023, 1, 1), "until": date(2025, 3, 30)},
        "meer_in_bag_dan_project": {"bag": 2, "project": 1, "surplus": 1},
    }


def test_a_project_that_cannot_be_linked_says_so(loaded):
    found = project.registrations(loaded["none"].id, REFERENCE)
    assert (found["linkable"], found["linked"], found["flags"]) == (False, 0, [])


def test_api_and_project_page(client, loaded):
    world = build_world()
    code = loaded["D"].code
    answer = get(client, world, "rijk", f"/api/v1/projects/{code}/registraties?peildatum=2025-06-30")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["linked"] == 2 and body["extracts"][0]["stand_date"] == "2025-07-01"
    assert body["flags"][1] | {"message": ""} == {"code": "meer_in_bag_dan_project", "message": "",
        "title": "Meer woningen opgeleverd in BAG dan het project telt",
        "numbers": {"bag": 2, "project": 1, "surplus": 1}}  # fmt: skip
    assert body["flags"][0]["numbers"]["first"] == "2023-01-01"
    assert get(client, world, "rijk", f"/api/v1/projects/{code}/registraties?jaar=2025").status_code == 400
    assert get(client, world, "rijk", "/api/v1/projects/NOPE/registraties").status_code == 404
    assert get(client, world, "anoniem", f"/api/v1/projects/{code}/registraties").status_code == 401
    client.force_login(world["users"]["rijk"])
    with translation.override("nl"):
        page = re.sub(r"\s+", " ", client.get(f"/projecten/{code}").content.decode())
    assert "2 BAG-woningen gekoppeld" in page and "0221VBO01072025-000001.xml" in page
    assert "In de BAG zijn 2 gekoppelde woningen in gebruik; het project telt 1 woningen (1 meer)." in page
    assert "Niet te koppelen" in client.get(f"/projecten/{loaded['none'].code}").content.decode()


def test_without_link_or_extract_the_bag_is_missing_not_zero(client, loaded):
    # Reviewer's point 2: "Start BAG 0 / In gebruik BAG 0" for a project that cannot be linked; now "–".
    made = builders.create("Point", "GM0221", homes=homes(2), geometry={"type": "Point", "coordinates": [6.14, 52.0]},
                           milestones=(M("start_bouw", actual=date(2022, 1, 1)),))  # fmt: skip
    assert project.registrations(made.id, REFERENCE)["years"][0] | {"year": 0} == {
        "year": 0, "monitor_starts": 2, "monitor_starts_planned": 0, "bag_starts": None, "monitor_deliveries": 0,
        "monitor_deliveries_planned": 0, "bag_deliveries": None}  # fmt: skip
    world = build_world()
    client.force_login(world["users"]["rijk"])
    page = re.sub(r"\s+", " ", client.get(f"/projecten/{made.code}").content.decode())
    assert '<td class="utrecht-table__cell br-number">–</td>' in page
