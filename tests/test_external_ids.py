"""Finding projects again by the id they have in a plan list (issue 15): external ids on the project page, in the
project list's search box, in the REST API (free text and an explicit filter), and the import preview and result
that link their projects and show, per changed project, every field that would change, old → new.

The projects and their ids are made up for these tests; every expected answer follows from the fixture below."""

import html
import re
from datetime import UTC, datetime

import pytest

from bouwregie.ingest.models import ImportRun
from bouwregie.projects import search, services
from bouwregie.projects.rules import ProjectData
from bouwregie.projects.services import VersionMeta

from .roles import build_world

PU, GU, PNH = "Provincie Utrecht", "Gemeente Utrecht", "Provincie Noord-Holland"


def _project(name, municipality, external_ids):
    meta = VersionMeta(author="test", source="edit", reason="fixture", created_at=datetime(2025, 6, 1, tzinfo=UTC))
    data = ProjectData(name=name, municipality=municipality, homes={"sociale_huur": {"gestapeld": 10}})
    return services.create_project(data, meta, external_ids=external_ids).project.code


@pytest.fixture
def world(db):
    """build_world's two projects (no external ids) and four more: 'Kade' listed as P-001 by the province and
    the municipality alike (a join on external ids would give it twice), 'Werf' P-001 in another province's list,
    'Oude School' P-0010 (P-001 is a prefix of it, not the same id), 'Haven' with an id of its own."""
    w = build_world()
    w["kade"] = _project("Kade", "GM0344", [(PU, "P-001"), (GU, "P-001")])
    w["werf"] = _project("Werf", "GM0363", [(PNH, "P-001")])
    w["school"] = _project("Oude School", "GM0344", [(PU, "P-0010")])
    w["haven"] = _project("Haven", "GM0344", [(GU, "UTR-17")])
    return w


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _listed(response) -> list[str]:
    """The project codes the list page links to, in order (one link per row)."""
    return re.findall(r'href="/projecten/(BR-[^"/?]+)"', response.content.decode())


# --- project page ----------------------------------------------------------------------------------
def test_the_project_page_shows_every_external_id_with_its_source(client, world):
    client.force_login(world["users"]["gemeente_utrecht"])
    text = _text(client.get(f"/projecten/{world['kade']}"))
    assert "Externe ids P-001 (Gemeente Utrecht), P-001 (Provincie Utrecht)" in text  # sorted by source
    assert "Externe ids – " in _text(client.get(f"/projecten/{world['utrecht']}"))  # none recorded


# --- the list's search box -------------------------------------------------------------------------
def test_the_list_search_finds_a_project_by_its_external_id_exactly_and_in_any_case(client, world):
    client.force_login(world["users"]["rijk"])
    found = _listed(client.get("/projecten", {"zoek": "p-001"}))
    assert sorted(found) == sorted([world["kade"], world["werf"]])  # each once, from any source; not P-0010
    assert _listed(client.get("/projecten", {"zoek": "P-0010"})) == [world["school"]]
    assert _listed(client.get("/projecten", {"zoek": "utr-17"})) == [world["haven"]]
    assert _listed(client.get("/projecten", {"zoek": "P-00"})) == []  # an id is matched whole, not in part
    # the name and the projectcode are still found as before
    assert _listed(client.get("/projecten", {"zoek": "oude"})) == [world["school"]]
    assert _listed(client.get("/projecten", {"zoek": world["werf"].lower()})) == [world["werf"]]


def test_an_external_id_filter_never_takes_the_plain_sql_path_that_knows_only_area_and_lifecycle(world):
    """summary_page answers area+lifecycle questions in plain SQL; with an id it must go through find()."""
    for q, expected in (
        (search.ProjectQuery(area="NL", external_id="p-001"), [world["kade"], world["werf"]]),
        (search.ProjectQuery(area="GM0363", external_id="P-001"), [world["werf"]]),
        (search.ProjectQuery(external_id="P-001", external_source="provincie utrecht"), [world["kade"]]),
        (search.ProjectQuery(external_source=PU), [world["kade"], world["school"]]),
        (search.ProjectQuery(area="GM0344", search="P-001"), [world["kade"]]),
    ):
        total, rows = search.summary_page(q, 0, 25)
        assert (total, sorted(r[0] for r in rows)) == (len(expected), sorted(expected)), q
        assert search.count(q) == total


# --- REST API --------------------------------------------------------------------------------------
def _api(client, world, url):
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {world['keys']['rijk']}")
    assert response.status_code == 200, response.content
    return response.json()


def _codes(client, world, url) -> list[str]:
    body = _api(client, world, url)
    codes = sorted(r["code"] for r in body["results"])
    assert body["count"] == len(codes)
    return codes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=P-001", ["kade", "werf"]),
        ("search=p-001", ["kade", "werf"]),
        ("q=P-0010", ["school"]),
        ("external_id=p-001", ["kade", "werf"]),
        ("external_id=P-001&source=Provincie%20Utrecht", ["kade"]),
        ("external_id=P-001&source=provincie%20noord-holland", ["werf"]),
        ("external_id=P-001&source=Provincie%20Zeeland", []),
        ("source=Gemeente%20Utrecht", ["kade", "haven"]),
        ("external_id=P-001&area=GM0344", ["kade"]),
        ("external_id=P-00", []),
    ],
)
def test_the_api_finds_projects_by_external_id(client, world, query, expected):
    assert _codes(client, world, f"/api/v1/projects?{query}") == sorted(world[k] for k in expected)


def test_the_api_refuses_two_different_search_texts(client, world):
    response = client.get("/api/v1/projects?q=P-001&search=Kade", HTTP_AUTHORIZATION=f"Bearer {world['keys']['rijk']}")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


def test_the_api_project_shows_its_external_ids(client, world):
    assert _api(client, world, f"/api/v1/projects/{world['kade']}")["external_ids"] == [
        {"source": "Gemeente Utrecht", "external_id": "P-001"},
        {"source": "Provincie Utrecht", "external_id": "P-001"},
    ]
    assert _api(client, world, f"/api/v1/projects/{world['utrecht']}")["external_ids"] == []


# --- import preview and result ---------------------------------------------------------------------
LONG_DIFF = [
    {"field": "naam", "old": "Werf", "new": "Werf-Oost"},
    {"field": "sociale huur, gestapeld", "old": "10", "new": "0"},
    {"field": "middenhuur, gestapeld", "old": "", "new": "10"},
    {"field": "Start bouw gepland", "old": "1-3-2027", "new": "1-6-2027"},
    {"field": "Oplevering werkelijk", "old": "1-2-2025", "new": ""},
]


def _run(world, dry_run: bool, status: str, new_code: str = "") -> ImportRun:
    """An import as the importer records it (issue 15: 'code' on new projects once written, 'diff' on changed
    ones), with one changed entry from an older run that has no 'diff'."""
    changes = {
        "new": [{"code": new_code, "external_id": "P-020", "name": "Nieuwbouw Zuid", "municipality": "GM0344",
                 "homes": 30}],
        "changed": [
            {"code": world["kade"], "external_id": "P-001", "name": "Kade", "municipality": "GM0344", "homes": 10,
             "before": 10, "fields": ["milestones"],
             "diff": [{"field": "Start bouw gepland", "old": "1-3-2027", "new": "1-6-2027"}]},
            {"code": world["werf"], "external_id": "P-001", "name": "Werf-Oost", "municipality": "GM0363",
             "homes": 10, "before": 10, "fields": ["name", "homes", "milestones"], "diff": LONG_DIFF},
            {"code": world["haven"], "external_id": "UTR-17", "name": "Haven", "municipality": "GM0344",
             "homes": 10, "before": 8, "fields": ["name", "homes"]},
        ],
        "missing": [],
    }  # fmt: skip
    counts = {"rows": 4, "valid": 4, "rejected": 0, "new": 1, "changed": 3, "unchanged": 0, "missing": 0,
              "homes": 60, "hard": 0, "soft": 60}  # fmt: skip
    return ImportRun.objects.create(
        created_at=datetime(2025, 10, 1, tzinfo=UTC), author="provincie_utrecht", source=PU, file_name="lijst.csv",
        dry_run=dry_run, status=status, counts=counts, changes=changes, peiling_code="2025-Q3",
    )  # fmt: skip


def _rows(response) -> dict[str, str]:
    """The HTML of each project row of the page, by the project's name."""
    page = response.content.decode()
    rows = re.findall(r'<tr class="utrecht-table__row">\s*<th[^>]*scope="row">(.*?)</tr>', page, re.S)
    return {_text_of(row).split(" ")[0]: row for row in rows}


def _text_of(fragment: str) -> str:
    """The text as read: table cells and list items apart, inline markup (a field's name, a value) joined."""
    spaced = re.sub(r"</(td|th|li|summary)>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", spaced))).strip()


def test_the_preview_shows_every_changing_field_old_to_new_and_links_the_changed_projects(client, world):
    client.force_login(world["users"]["provincie_utrecht"])
    response = client.get(f"/planlijsten/{_run(world, dry_run=True, status='proef').pk}")
    assert response.status_code == 200
    rows = _rows(response)

    kade = rows["Kade"]  # one change: shown as it is, not folded
    assert f'href="/projecten/{world["kade"]}"' in kade and "<details" not in kade
    assert "Start bouw gepland: 1-3-2027 → 1-6-2027" in _text_of(kade)
    assert "extern id P-001" in _text_of(kade)

    werf = rows["Werf-Oost"]  # five changes: folded under a summary that says how many and which
    assert f'href="/projecten/{world["werf"]}"' in werf and '<details class="br-diff">' in werf
    text = _text_of(werf)
    assert "5 velden veranderen: naam, woningen, mijlpalen" in text
    for line in ("naam: Werf → Werf-Oost", "sociale huur, gestapeld: 10 → 0", "middenhuur, gestapeld: – → 10",
                 "Start bouw gepland: 1-3-2027 → 1-6-2027", "Oplevering werkelijk: 1-2-2025 → –"):  # fmt: skip
        assert line in text, line

    haven = rows["Haven"]  # a run from before the diff: the changed fields, as before
    assert f'href="/projecten/{world["haven"]}"' in haven and "8 → 10" in _text_of(haven)
    assert "naam, woningen" in _text_of(haven) and "→ –" not in _text_of(haven)

    new = rows["Nieuwbouw"]  # not written yet: no project page to link to
    assert "href=" not in new and "extern id P-020" in _text_of(new)


def test_the_result_of_an_import_links_the_new_projects_it_wrote(client, world):
    client.force_login(world["users"]["provincie_utrecht"])
    done = _run(world, dry_run=False, status="geslaagd", new_code=world["school"])
    rows = _rows(client.get(f"/planlijsten/{done.pk}"))
    assert f'href="/projecten/{world["school"]}"' in rows["Nieuwbouw"]
    assert f'href="/projecten/{world["kade"]}"' in rows["Kade"]
    assert "Start bouw gepland: 1-3-2027 → 1-6-2027" in _text_of(rows["Kade"])
    # a refused run wrote nothing: its new projects have no page even when the list gave them a code
    refused = _run(world, dry_run=False, status="geweigerd", new_code="BR-2025-9999")
    assert "href=" not in _rows(client.get(f"/planlijsten/{refused.pk}"))["Nieuwbouw"]
