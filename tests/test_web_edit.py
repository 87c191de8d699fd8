"""Editing a project in the browser (issue #5): a new version with a reason, refused for those the policy
refuses; market parties at a project update its private milestones only (web and API alike) and read
its open book; the history says which milestone moved."""

import html
import re

import pytest
from django.contrib.auth import get_user_model

from bouwregie.accounts import tokens
from bouwregie.accounts.models import Membership, Organisation, ProjectParty
from bouwregie.projects.models import Project, ProjectVersion

from .roles import build_world


@pytest.fixture
def world(db):
    return build_world()


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _form(**changes) -> dict:
    """The edit form as the Utrecht project of the world fills it (version 1), with changes."""
    form = {
        "versie": "1", "name": "Merwedekanaalzone", "plan_status": "1A", "plan_type": "onbekend",
        "lifecycle": "actief", "woningen_sociale_huur_gestapeld": "40", "werkelijk_start_bouw": "2025-03-01",
        "gepland_oplevering": "2027-06-01", "reden": "Kwartaalupdate gemeente",
    }  # fmt: skip
    return {k: v for k, v in {**form, **changes}.items() if v is not None}


def _versions(code) -> int:
    return ProjectVersion.objects.filter(project__code=code).count()


def test_the_gemeente_edits_its_project_as_a_new_version_with_reason_and_history(client, world):
    code = world["utrecht"]
    client.force_login(world["users"]["gemeente_utrecht"])
    assert "Project bewerken" in _text(client.get(f"/projecten/{code}"))
    assert client.get(f"/projecten/{code}/bewerken").status_code == 200
    response = client.post(f"/projecten/{code}/bewerken", _form(name="Merwedekanaalzone fase 2", plan_status="2A",
                                                                 gepland_oplevering="2027-09-01"))  # fmt: skip
    assert response.status_code == 302 and response.url == f"/projecten/{code}"
    page = _text(client.get(response.url))
    assert "Opgeslagen als versie 2." in page and "Merwedekanaalzone fase 2" in page
    assert "naam, planstatus" in page and "Oplevering: gepland 1-6-2027 → 1-9-2027" in page
    latest = ProjectVersion.objects.filter(project__code=code).order_by("-number").first()
    assert (latest.number, latest.author, latest.source, latest.reason) == (2, "gemeente_utrecht", "edit",
                                                                          "Kwartaalupdate gemeente")  # fmt: skip


def test_an_unchanged_form_makes_no_version(client, world):
    client.force_login(world["users"]["gemeente_utrecht"])
    response = client.post(f"/projecten/{world['utrecht']}/bewerken", _form())
    assert response.status_code == 302 and _versions(world["utrecht"]) == 1
    assert "Niets gewijzigd" in _text(client.get(response.url))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reden": ""}, "Geef een reden voor deze wijziging."),
        ({"versie": "0", "name": "X"}, "Iemand anders heeft dit project intussen gewijzigd (nu versie 1)."),
        ({"woningen_sociale_huur_gestapeld": "veertig"}, "'veertig' is geen aantal woningen"),
        ({"plan_status": "9Z"}, "Kies een waarde uit de lijst."),
        ({"name": ""}, "Projectnaam ontbreekt."),
        ({"gepland_oplevering": "1-6-2027"}, "Een datum is niet te lezen"),
    ],
)
def test_invalid_edits_say_why_and_write_nothing(client, world, changes, message):
    client.force_login(world["users"]["gemeente_utrecht"])
    response = client.post(f"/projecten/{world['utrecht']}/bewerken", _form(**changes))
    assert response.status_code == 400 and message.lower() in _text(response).lower()
    assert _versions(world["utrecht"]) == 1


@pytest.mark.parametrize("role", ["gemeente_amsterdam", "rijk", "corporatie"])
def test_others_may_not_edit(client, world, role):
    client.force_login(world["users"][role])
    assert "bewerken" not in _text(client.get(f"/projecten/{world['utrecht']}")).lower()
    assert client.get(f"/projecten/{world['utrecht']}/bewerken").status_code == 403
    assert client.post(f"/projecten/{world['utrecht']}/bewerken", _form(name="X")).status_code == 403
    assert _versions(world["utrecht"]) == 1


@pytest.fixture
def developer(world):
    """A developer at the Utrecht project, with an editing member."""
    organisation = Organisation.objects.create(name="Ontwikkelaar BV", kind="ontwikkelaar")
    user = get_user_model().objects.create_user("ontwikkelaar")
    Membership.objects.create(user=user, organisation=organisation, role="bewerker")
    ProjectParty.objects.create(project=Project.objects.get(code=world["utrecht"]), organisation=organisation,
                                role="ontwikkelaar")  # fmt: skip
    return {"user": user, "key": tokens.issue(user, "test")}


def test_a_market_party_updates_only_the_private_milestones_of_its_project(client, world, developer):
    code = world["utrecht"]
    client.force_login(developer["user"])
    page = _text(client.get(f"/projecten/{code}"))
    assert "Private mijlpalen bijwerken" in page and "Ontwikkelaar BV (ontwikkelaar)" in page
    assert "Open boek (vertrouwelijk)" in page  # a party at the table reads the open book
    form = _text(client.get(f"/projecten/{code}/bewerken"))
    assert "u kunt de private mijlpalen bijwerken" in form
    posted = {"versie": "1", "gepland_oplevering": "2027-12-01", "werkelijk_start_bouw": "2025-03-01",
              "name": "Andere naam", "reden": "Planning aannemer"}  # fmt: skip
    response = client.post(f"/projecten/{code}/bewerken", posted)
    assert response.status_code == 302
    latest = ProjectVersion.objects.filter(project__code=code).order_by("-number").first()
    assert latest.number == 2 and latest.name == "Merwedekanaalzone"  # the name was not the party's to change
    assert "Oplevering: gepland 1-6-2027 → 1-12-2027" in _text(client.get(f"/projecten/{code}"))


def test_the_api_applies_the_same_rule_to_a_market_party(client, world, developer):
    code, auth = world["utrecht"], {"HTTP_AUTHORIZATION": f"Bearer {developer['key']}"}
    private = {"reason": "planning", "milestones": [{"kind": "start_bouw", "actual": "2025-03-01"},
                                                     {"kind": "oplevering", "planned": "2028-01-01"}]}  # fmt: skip
    assert client.patch(f"/api/v1/projects/{code}", private, content_type="application/json", **auth).status_code == 200
    public = {"reason": "x", "milestones": [{"kind": "start_bouw", "actual": "2025-03-01"},
                                            {"kind": "oplevering", "planned": "2028-01-01"},
                                            {"kind": "omgevingsplan_vastgesteld", "actual": "2024-01-01"}]}  # fmt: skip
    refused = client.patch(f"/api/v1/projects/{code}", public, content_type="application/json", **auth)
    assert refused.status_code == 403 and "alleen de private mijlpalen" in refused.json()["detail"]
    renamed = client.patch(f"/api/v1/projects/{code}", {"reason": "x", "name": "Y"}, content_type="application/json",
                           **auth)  # fmt: skip
    assert renamed.status_code == 403 and _versions(code) == 2
    assert client.get(f"/api/v1/projects/{code}", **auth).json()["open_book"] == {"grondexploitatie": -1_200_000}


def test_a_market_party_not_at_the_project_neither_edits_nor_reads_the_open_book(client, world, developer):
    client.force_login(developer["user"])
    assert client.get(f"/projecten/{world['amsterdam']}/bewerken").status_code == 403
    client.force_login(world["users"]["corporatie"])  # a market party, but not at the Utrecht project
    assert "Open boek" not in _text(client.get(f"/projecten/{world['utrecht']}"))
