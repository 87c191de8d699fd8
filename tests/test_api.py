"""REST API v1 (issue #5, first part): NL API Design Rules, problem+json, keys, and the permission policy
applied the same way for every role (a matrix)."""

import re

import pytest

from bouwregie.accounts import policy, tokens
from bouwregie.accounts.models import ApiToken
from bouwregie.convenant.models import Partner, ProjectRecord
from bouwregie.woontop.models import Afspraak, Mijlpaal, Status

from .roles import ROLES, SOK_WRITES, build_world, seat_user, sok_written


@pytest.fixture
def world(db):
    return build_world()


def get(client, world, role, url):
    headers = {} if role == "anoniem" else {"HTTP_AUTHORIZATION": f"Bearer {world['keys'][role]}"}
    return client.get(url, **headers)


def test_the_openapi_document_follows_the_nl_design_rules(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.") and doc["info"]["version"] == "1.0.0"
    for path in doc["paths"]:
        assert path.startswith("/api/v1/") and not path.endswith("/"), path
        for segment in path.removeprefix("/api/v1/").split("/"):
            assert re.fullmatch(r"[a-z]+(-[a-z]+)*|\{[a-z_]+\}", segment), path  # kebab-case or a parameter
    assert "bearer" in str(doc["components"]["securitySchemes"]).lower()
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/ninja/" in docs  # works offline


def test_open_data_needs_no_key(client, world):
    areas = client.get("/api/v1/areas").json()
    assert len([a for a in areas if a["kind"] == "gemeente"]) == 342 and areas[0]["code"] == "NL"
    assert [a["code"] for a in client.get("/api/v1/areas?kind=provincie").json()][:2] == ["PV20", "PV21"]
    figures = client.get("/api/v1/monitor-figures?area=PV26&peiling=2025-Q2").json()
    assert figures["pipeline"]["homes"] == 40 and figures["area"]["name"] == "Utrecht"
    assert client.get("/api/v1/peilingen").json()[0]["code"] == "2025-Q2"


# Expected HTTP status per role for each endpoint (the permission matrix).
MATRIX = {
    "/api/v1/monitor-figures?area=NL": dict.fromkeys(ROLES, 200),
    "/api/v1/projects": {**dict.fromkeys(ROLES, 200), "anoniem": 401, "zonder_organisatie": 403},
    "/api/v1/projects/{utrecht}": {**dict.fromkeys(ROLES, 200), "anoniem": 401, "zonder_organisatie": 403},
    "/api/v1/projects/{utrecht}/versions": {**dict.fromkeys(ROLES, 200), "anoniem": 401, "zonder_organisatie": 403},
    "/api/v1/delays?van=2025-Q2&tot=2025-Q2": {**dict.fromkeys(ROLES, 400), "anoniem": 401, "zonder_organisatie": 403},
    "/api/v1/kansrijk-scores?area=GM0344": {**dict.fromkeys(ROLES, 200), "anoniem": 401, "zonder_organisatie": 403},
    "/api/v1/imports": {**dict.fromkeys(ROLES, 200), "anoniem": 401, "zonder_organisatie": 403},
    "/api/v1/realisatiestimulans?gemeente=GM0344": dict.fromkeys(ROLES, 200),
    "/api/v1/regelingen": dict.fromkeys(ROLES, 200),
    "/api/v1/wbi-applications": {**dict.fromkeys(ROLES, 200), "anoniem": 401},
    "/api/v1/wbi-assessment?tijdvak=2025-1&budget=1000": {
        **dict.fromkeys(ROLES, 403),
        "anoniem": 401,
        "rijk": 400,
        "beheerder": 400,
    },  # no applications: 400
    "/api/v1/forecasts": {**dict.fromkeys(ROLES, 200), "anoniem": 401, "zonder_organisatie": 403},
    "/api/v1/forecast-calibration": {**dict.fromkeys(ROLES, 200), "anoniem": 401, "zonder_organisatie": 403},
    # issue #23: the convenant's data and the Woontop table are open; SOK for its parties (Utrecht is one)
    "/api/v1/convenant/partners": dict.fromkeys(ROLES, 200),
    "/api/v1/convenant/frameworks": dict.fromkeys(ROLES, 200),
    "/api/v1/convenant/figures?area=PV26&peiling=2025-Q2": dict.fromkeys(ROLES, 200),
    "/api/v1/convenant/projects/{utrecht}/records": {
        **dict.fromkeys(ROLES, 200),
        "anoniem": 401,
        "zonder_organisatie": 403,
    },
    "/api/v1/sok/years/2024": {**dict.fromkeys(ROLES, 403), "anoniem": 401, "provincie_utrecht": 200, "beheerder": 200},
    "/api/v1/sok/years/2024/export?meeting=begroting": {
        **dict.fromkeys(ROLES, 403),
        "anoniem": 401,
        "provincie_utrecht": 200,
        "beheerder": 200,
    },
    "/api/v1/woontop/afspraken": dict.fromkeys(ROLES, 200),
    "/api/v1/rapport/999999": {**dict.fromkeys(ROLES, 404), "anoniem": 401},  # issue #20: no such report
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role):
    for url, expected in MATRIX.items():
        response = get(client, world, role, url.format(**world))
        assert response.status_code == expected[role], (url, role, response.content)
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json"
            assert response.json()["status"] == response.status_code and response.json()["title"]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_sok_writes(client, world, role):
    """Issue #23: every write endpoint of the SOK administration — refused with nothing written for every role but
    the penvoerder's editors and the beheerder (here: the beheerder; the penvoerder in test_sok.py); PUT and
    DELETE exist on none of them (405)."""
    headers = {} if role == "anoniem" else {"HTTP_AUTHORIZATION": f"Bearer {world['keys'][role]}"}
    expected = {"anoniem": 401, "beheerder": 201}.get(role, 403)
    for path, body, _form in SOK_WRITES:
        url = f"/api/v1/sok/years/2024/{path}"
        before = sok_written()
        response = client.post(url, body, content_type="application/json", **headers)
        assert response.status_code == expected, (url, role, response.content)
        if expected == 201:
            assert sok_written() != before, url
        else:
            assert sok_written() == before and response["Content-Type"] == "application/problem+json", url
        before = sok_written()
        for method in (client.put, client.delete):
            assert method(url, body, content_type="application/json", **headers).status_code == 405, (url, role)
        assert sok_written() == before


def test_open_book_only_for_the_parties_at_the_table(client, world):
    seen = {role: get(client, world, role, f"/api/v1/projects/{world['utrecht']}").json().get("open_book")
            for role in ROLES if role not in ("anoniem", "zonder_organisatie")}  # fmt: skip
    assert seen == {"rijk": None, "provincie_utrecht": {"grondexploitatie": -1_200_000},
                    "gemeente_utrecht": {"grondexploitatie": -1_200_000}, "gemeente_amsterdam": None,
                    "corporatie": None, "beheerder": {"grondexploitatie": -1_200_000}}  # fmt: skip


def test_the_report_for_the_table_only_for_its_parties(client, world, settings, tmp_path):
    """Issue #20: the report's version with open books only for the parties at the area's table (its gemeente,
    its provincie, the beheerder); the public version for everyone signed in (rapport.jobs.check)."""
    settings.REPORT_DIR = tmp_path
    statuses = {}
    for audience in ("tafel", "publiek"):
        body = {"area": "GM0344", "peiling": "2025-Q2", "audience": audience, "format": "xlsx"}
        statuses[audience] = {role: send(client, world, role, "post", "/api/v1/rapport", body).status_code
                              for role in ROLES}  # fmt: skip
    assert statuses["tafel"] == {**dict.fromkeys(ROLES, 403), "anoniem": 401, "provincie_utrecht": 202,
                                 "gemeente_utrecht": 202, "beheerder": 202}  # fmt: skip
    assert statuses["publiek"] == {**dict.fromkeys(ROLES, 202), "anoniem": 401}


def test_project_list_filters_and_pages(client, world):
    def codes(query):
        return [p["code"] for p in get(client, world, "rijk", f"/api/v1/projects?{query}").json()["results"]]

    assert len(codes("")) == 2 and codes("area=GM0344") == [world["utrecht"]]
    assert codes("plan_status=zacht") != codes("plan_status=hard") and codes("search=merwede") == [world["utrecht"]]
    page = get(client, world, "rijk", "/api/v1/projects?page_size=1&page=2").json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["links"]["next"] is None
    assert page["links"]["prev"] == "/api/v1/projects?page_size=1&page=1"
    detail = get(client, world, "rijk", f"/api/v1/projects/{world['utrecht']}").json()
    assert [m["kind"] for m in detail["milestones"]] == ["start_bouw", "oplevering"] and detail["phase"] == "start_bouw"


@pytest.mark.parametrize(
    "url, status, title",
    [
        ("/api/v1/projects?page_size=1000", 400, "Ongeldige invoer"),
        ("/api/v1/projects?area=Atlantis", 400, "Onbekend gebied"),
        ("/api/v1/projects/BR-9999999", 404, "Niet gevonden"),
        ("/api/v1/monitor-figures?peiling=2031-Q1", 404, "Onbekende peiling"),
        ("/api/v1/alternatives?area=GM0344&year=volgend", 400, "Ongeldige invoer"),
        ("/api/v1/kansrijk-scores?area=GM0344&uren=-5", 400, "Ongeldige invoer"),
        ("/api/v1/alternatives?area=GM0344&year=2024&peiling=2025-Q2", 400, "Vraag niet te beantwoorden"),
    ],
)
def test_bad_requests_are_problems_in_dutch(client, world, url, status, title):
    response = get(client, world, "beheerder", url)
    assert response.status_code == status and response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == title


def test_keys_can_be_revoked(client, world):
    assert get(client, world, "rijk", "/api/v1/projects").status_code == 200
    ApiToken.objects.filter(user__username="rijk").update(revoked=True)
    assert get(client, world, "rijk", "/api/v1/projects").status_code == 401
    assert client.get("/api/v1/projects", HTTP_AUTHORIZATION="Bearer br_made-up").status_code == 401
    assert (
        ApiToken.objects.filter(user__username="beheerder").values_list("key_hash", flat=True)[0]
        != world["keys"]["beheerder"]
    )  # only the hash is stored


def test_the_policy_as_plain_rules():
    gemeente = policy.Principal("g", seats=(policy.Seat("gemeente", "bewerker", "PV26", "GM0344"),))
    lezer = policy.Principal("l", seats=(policy.Seat("gemeente", "lezer", "PV26", "GM0344"),))
    provincie = policy.Principal("p", seats=(policy.Seat("provincie", "tafelbeheerder", "PV26"),))
    assert policy.can_edit_project(gemeente, "GM0344", "PV26") and not policy.can_edit_project(
        gemeente, "GM0355", "PV26"
    )
    assert not policy.can_edit_project(lezer, "GM0344", "PV26") and policy.can_edit_project(provincie, "GM0355", "PV26")
    assert policy.can_manage_peilingen(provincie, "PV26") and not policy.can_manage_peilingen(provincie, "PV27")
    assert not policy.can_manage_peilingen(gemeente) and not policy.can_read_projects(policy.ANONYMOUS)
    assert policy.can_read_aggregates(policy.ANONYMOUS)
    # The quarterly report's version for the table (issue #20): the area's gemeenten and provincies only.
    region, provinces = frozenset({"GM0344", "GM0355"}), frozenset({"PV26"})
    assert policy.can_read_tafel_report(gemeente, region, provinces) and policy.can_read_tafel_report(
        provincie, region, provinces
    )
    assert not policy.can_read_tafel_report(gemeente, frozenset({"GM0363"}), frozenset({"PV27"}))
    assert not policy.can_read_tafel_report(provincie, frozenset(), frozenset())  # NL: the beheerder's alone
    assert policy.can_read_report(lezer) and not policy.can_read_report(policy.ANONYMOUS)


def send(client, world, role, method, url, body):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['keys'][role]}"} if role != "anoniem" else {}
    return getattr(client, method)(url, data=body, content_type="application/json", **headers)


def test_a_change_is_a_new_version_by_whom_may_make_it(client, world):
    url = f"/api/v1/projects/{world['utrecht']}"
    body = {"reason": "Planning na overleg aan de versnellingstafel", "plan_status": "1B",
            "bottlenecks": ["netcongestie"]}  # fmt: skip
    assert send(client, world, "anoniem", "patch", url, body).status_code == 401
    refused = send(client, world, "gemeente_amsterdam", "patch", url, body)
    assert refused.status_code == 403 and "Utrecht" in refused.json()["detail"]
    done = send(client, world, "gemeente_utrecht", "patch", url, body).json()
    assert (done["version"], done["plan_status"], done["bottlenecks"]) == (2, "1B", ["netcongestie"])
    assert done["homes_total"] == 40 and [m["kind"] for m in done["milestones"]] == ["start_bouw", "oplevering"]
    history = get(client, world, "rijk", f"{url}/versions").json()
    assert [(v["version"], v["author"], v["source"]) for v in history] == [
        (1, "test", "edit"),
        (2, "gemeente_utrecht", "api"),
    ]
    same = send(client, world, "provincie_utrecht", "patch", url, body).json()
    assert same["version"] == 2  # nothing changed, so no new version


def test_an_invalid_change_writes_nothing_and_says_why(client, world):
    url = f"/api/v1/projects/{world['utrecht']}"
    bad = send(client, world, "gemeente_utrecht", "patch", url,
               {"reason": "typo", "homes": {"sociale_huur": {"gestapeld": -4}}})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["title"] == "Project niet opgeslagen"
    assert bad.json()["invalidParams"][0]["name"] == "homes" and "negatief" in bad.json()["invalidParams"][0]["reason"]
    assert send(client, world, "gemeente_utrecht", "patch", url, {"plan_status": "1B"}).status_code == 400  # no reason
    assert len(get(client, world, "rijk", f"{url}/versions").json()) == 1


def test_a_new_project_through_the_api(client, world):
    body = {
        "reason": "Nieuw initiatief",
        "name": "Kanaaleiland",
        "municipality": "Utrecht",
        "homes": {"middenhuur": {"gestapeld": 60}},
        "milestones": [{"kind": "initiatief", "actual": "2025-05-01"}],
    }
    made = send(client, world, "gemeente_utrecht", "post", "/api/v1/projects", body)
    assert made.status_code == 201 and made.json()["code"].startswith("BR-") and made.json()["phase"] == "initiatief"
    elsewhere = send(client, world, "gemeente_utrecht", "post", "/api/v1/projects", {**body, "municipality": "Zaandam"})
    assert elsewhere.status_code == 400 and "Zaandam" in elsewhere.json()["detail"]  # a former name, now Zaanstad
    other = send(client, world, "gemeente_utrecht", "post", "/api/v1/projects", {**body, "municipality": "Zaanstad"})
    assert other.status_code == 403


def test_nul_characters_are_refused_at_the_door(client, world):
    response = get(client, world, "rijk", "/api/v1/projects?search=a%00b")
    assert response.status_code == 400 and "NUL-teken" in response.json()["detail"]
    body = {"reason": "x\u0000", "plan_status": "1B"}
    assert (
        send(client, world, "gemeente_utrecht", "patch", f"/api/v1/projects/{world['utrecht']}", body).status_code
        == 400
    )
    assert client.get("/?x=%00").status_code == 400


def test_the_import_log_is_readable(client, world, tmp_path):
    from bouwregie.ingest.importer import ImportOptions, run_import

    from .planlijsten import PROVINCIAL_HEADER, PROVINCIAL_ROWS, write_csv

    path = write_csv(tmp_path / "planlijst.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS)
    run = run_import(path, ImportOptions(source="provincie", profile="provinciaal", dry_run=True)).run
    listed = get(client, world, "rijk", "/api/v1/imports").json()
    assert [(r["id"], r["status"], r["file_name"]) for r in listed] == [(run.pk, "proef", "planlijst.csv")]
    detail = get(client, world, "rijk", f"/api/v1/imports/{run.pk}").json()
    assert detail["counts"] == run.counts and detail["problems"] == run.problems
    assert get(client, world, "anoniem", "/api/v1/imports").status_code == 401
    assert get(client, world, "rijk", "/api/v1/imports/999999").status_code == 404


def test_milestones_as_a_resource_each_change_a_version_within_the_policy(client, world):
    """The Utrecht project: start bouw actual 2025-03-01, oplevering planned 2027-06-01 (roles.build_world)."""
    from bouwregie.accounts.models import Membership, Organisation, ProjectParty
    from bouwregie.projects.models import Project

    url = f"/api/v1/projects/{world['utrecht']}/milestones"
    assert [(m["kind"], m["actual"], m["planned"]) for m in get(client, world, "rijk", url).json()] == [
        ("start_bouw", "2025-03-01", None), ("oplevering", None, "2027-06-01")]  # fmt: skip
    moved = send(client, world, "gemeente_utrecht", "put", f"{url}/oplevering",
                 {"reason": "Aannemer meldt vertraging", "planned": "2027-11-01"})  # fmt: skip
    assert moved.status_code == 200, moved.content
    assert [(m["kind"], m["planned"]) for m in moved.json()][-1] == ("oplevering", "2027-11-01")
    assert len(get(client, world, "rijk", f"/api/v1/projects/{world['utrecht']}/versions").json()) == 2
    # A developer at the project's table sets a private milestone, but not a public one.
    developer = Organisation.objects.create(name="Ontwikkelaar BV", kind="ontwikkelaar")
    user = world["users"]["corporatie"]
    Membership.objects.create(user=user, organisation=developer, role="bewerker")
    ProjectParty.objects.create(project=Project.objects.get(code=world["utrecht"]), organisation=developer,
                                role="ontwikkelaar")  # fmt: skip
    private = send(client, world, "corporatie", "put", f"{url}/financiering_rond",
                   {"reason": "Financiering rond", "actual": "2025-01-15"})  # fmt: skip
    assert private.status_code == 200 and ("financiering_rond", 1) in [
        (m["kind"], m["sequence"]) for m in private.json()
    ]
    public = send(client, world, "corporatie", "put", f"{url}/omgevingsplan_vastgesteld",
                  {"reason": "x", "actual": "2024-01-15"})  # fmt: skip
    assert public.status_code == 403
    refused = send(
        client, world, "gemeente_amsterdam", "put", f"{url}/oplevering", {"reason": "x", "planned": "2028-01-01"}
    )
    assert refused.status_code == 403
    unknown = send(client, world, "gemeente_utrecht", "put", f"{url}/feestje", {"reason": "x", "planned": "2028-01-01"})
    assert unknown.status_code == 400 and unknown.json()["invalidParams"][0]["name"] == "milestones"
    assert len(get(client, world, "rijk", f"/api/v1/projects/{world['utrecht']}/versions").json()) == 3
    assert get(client, world, "rijk", "/api/v1/projects/BR-9999999/milestones").status_code == 404


def test_the_beheerder_closes_a_peiling_through_the_api(client, world):
    from bouwregie.jobs.models import Job

    url = "/api/v1/peilingen/2025-q3/closure"
    assert send(client, world, "anoniem", "post", url, {}).status_code == 401
    assert send(client, world, "provincie_utrecht", "post", url, {}).status_code == 403
    closed = send(client, world, "beheerder", "post", url, {})
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert (body["code"], body["closed"], body["projects"]) == ("2025-Q3", True, 2)
    assert Job.objects.get(pk=body["calibration_job_id"]).status == Job.Status.KLAAR  # inline in tests
    again = send(client, world, "beheerder", "post", url, {})
    assert again.status_code == 400 and "al gesloten" in again.json()["detail"]
    earlier = send(client, world, "beheerder", "post", "/api/v1/peilingen/2025-Q1/closure", {})
    assert earlier.status_code == 400 and "kan niet meer gesloten worden: 2025-Q2" in earlier.json()["detail"]
    assert send(client, world, "beheerder", "post", "/api/v1/peilingen/morgen/closure", {}).status_code == 400


# The write paths of issue #23 (convenant, Woontop): every POST per role — refused (401 without a key, 403 without
# the right) with nothing written, accepted (201) for the roles that may; PUT and DELETE exist on none of them.
# "rijk_bewerker": a Rijk seat that edits (the Rijk in build_world is a lezer and may not keep the Woontop table).
WRITE_ROLES = (*ROLES, "rijk_bewerker")
REFUSED = {**dict.fromkeys(WRITE_ROLES, 403), "anoniem": 401}
WRITE_MATRIX = [
    (
        "/api/v1/convenant/partners",
        {"organisation": "Gemeente X", "sector": "gemeente", "convenant_version": "2.0", "source": "brief"},
        "partners",
        {**REFUSED, "beheerder": 201},  # accounts.policy.can_edit_convenant_register
    ),
    (
        "/api/v1/convenant/projects/{utrecht}/records",
        {"under_convenant": True, "values": {}, "reason": "CTB-eisen in de tender"},
        "records",
        {**REFUSED, "gemeente_utrecht": 201, "provincie_utrecht": 201, "beheerder": 201},  # can_edit_project
    ),
    (
        "/api/v1/woontop/milestones",
        {"afspraak": "3", "code": "3-test", "deadline": "2025-09-30", "term": "Q3", "text": "t", "source": "brief"},
        "milestones",
        {**REFUSED, "rijk_bewerker": 201, "beheerder": 201},  # can_edit_woontop
    ),
    (
        "/api/v1/woontop/milestones/4-shortlist-doorbraaklocaties/statuses",
        {"quarter": "2025-Q1", "status": "gereed"},
        "statuses",
        {**REFUSED, "rijk_bewerker": 201, "beheerder": 201},
    ),
]


def written() -> dict[str, int]:
    return {
        "partners": Partner.objects.count(),
        "records": ProjectRecord.objects.count(),
        "afspraken": Afspraak.objects.count(),
        "milestones": Mijlpaal.objects.count(),
        "statuses": Status.objects.count(),
    }


@pytest.mark.parametrize("role", WRITE_ROLES)
def test_permission_matrix_for_the_write_paths_of_convenant_and_woontop(client, world, role):
    if role == "rijk_bewerker":
        world["keys"][role] = tokens.issue(seat_user(role, "Ministerie BZK", "rijk", None, None, "bewerker"), "test")
    headers = {} if role == "anoniem" else {"HTTP_AUTHORIZATION": f"Bearer {world['keys'][role]}"}
    for url, body, table, expected in WRITE_MATRIX:
        url = url.format(**world)
        before = written()
        response = client.post(url, body, content_type="application/json", **headers)
        assert response.status_code == expected[role], (url, role, response.content)
        after = written()
        if expected[role] == 201:
            assert after == {**before, table: before[table] + 1}, (url, role)  # exactly the one row
        else:
            assert after == before, (url, role)  # a refusal writes nothing
            assert response["Content-Type"] == "application/problem+json"
        for method in (client.put, client.delete):
            other = method(url, body, content_type="application/json", **headers)
            assert other.status_code == 405 and written() == after, (url, role, method)
