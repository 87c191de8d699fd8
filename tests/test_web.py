"""The web application (issue #5): dashboard and drill-down, project list/page/export, sign-in with
throttling, English — and every page for every role, refused where the policy says so (a matrix, the
same world and roles as the API's)."""

import csv
import html
import io
import json
import re
from datetime import timedelta

import openpyxl
import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command

from bouwregie.convenant.models import Partner, ProjectRecord
from bouwregie.monitor import api as monitor_api
from bouwregie.woontop.models import Mijlpaal, Status

from .builders import create
from .roles import ROLES, SOK_WRITES, build_world, seat_user, sok_written


@pytest.fixture
def world(db):
    return build_world()


def as_role(client, world, role):
    if role != "anoniem":
        client.force_login(world["users"][role])
    return client


@pytest.mark.django_db
def test_home_page_without_a_closed_peiling_says_what_to_do(client):
    page = client.get("/").content.decode()
    assert "Nog geen gesloten peiling" in page and "12 provincies en 342 gemeenten" in page
    assert 'href="/planlijsten"' in page and 'href="/peilingen"' in page
    assert "bouwregie " not in page  # the page says what to do in the browser, not on a command line (#17)


PAGES = {
    "/": dict.fromkeys(ROLES, 200),
    "/gebied/PV26": dict.fromkeys(ROLES, 200),
    "/gebied/GM0344": dict.fromkeys(ROLES, 200),
    "/projecten": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/projecten?gebied=GM0344": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/projecten/export.csv": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/projecten/export.xlsx": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/projecten/{utrecht}": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/planlijsten": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/peilingen": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/vertragingen?gebied=PV26": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/alternatieven?gebied=GM0344&jaar=2027&tekort=10": {
        **dict.fromkeys(ROLES, 200),
        "anoniem": 302,
        "zonder_organisatie": 403,
    },
    "/instrumenten/realisatiestimulans": dict.fromkeys(ROLES, 200),
    "/instrumenten/woningbouwimpuls": {**dict.fromkeys(ROLES, 403), "anoniem": 302, "rijk": 200, "beheerder": 200},
    "/instrumenten/gemeente/GM0344": dict.fromkeys(ROLES, 200),  # open figures for all; applications for some
    "/instrumenten/woningbouwimpuls/aanvragen": {
        **dict.fromkeys(ROLES, 403),
        "anoniem": 302,
        "gemeente_utrecht": 200,
        "gemeente_amsterdam": 200,
        "beheerder": 200,
    },  # fmt: skip
    "/instrumenten/gebiedsbudget": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/prognose": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/convenant": dict.fromkeys(ROLES, 200),  # issue #23: open data (SOK art. 8.1)
    "/convenant/projecten/{utrecht}": {**dict.fromkeys(ROLES, 200), "anoniem": 302, "zonder_organisatie": 403},
    "/sok": {**dict.fromkeys(ROLES, 302)},  # to the latest year; anonymous to the sign-in page
    "/sok/2024": {**dict.fromkeys(ROLES, 403), "anoniem": 302, "provincie_utrecht": 200, "beheerder": 200},
    "/sok/2024?vergadering=begroting&formaat=xlsx": {
        **dict.fromkeys(ROLES, 403),
        "anoniem": 302,
        "provincie_utrecht": 200,
        "beheerder": 200,
    },
    "/woontop": dict.fromkeys(ROLES, 200),
    "/rapport": {**dict.fromkeys(ROLES, 200), "anoniem": 302},  # issue #20: the public report for all signed in
    "/ppm-gebruik": {**dict.fromkeys(ROLES, 200), "anoniem": 302},
    "/inloggen": dict.fromkeys(ROLES, 200) | {r: 302 for r in ROLES if r != "anoniem"},  # signed in: onwards
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_pages(client, world, role):
    as_role(client, world, role)
    seen = {url: client.get(url.format(**world)).status_code for url in PAGES}
    assert seen == {url: expected[role] for url, expected in PAGES.items()}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_sok_writes(client, world, role):
    """Issue #23: every form of the SOK page posts to /sok/2024; only the penvoerder's editors and the beheerder
    book (302 back to the page, a row more), anyone else is refused with nothing written (anonymous: to the
    sign-in page). PUT and DELETE are 405 on both SOK pages."""
    as_role(client, world, role)
    for _path, _body, form in SOK_WRITES:
        before = sok_written()
        response = client.post("/sok/2024", form)
        if role == "beheerder":
            assert (response.status_code, response["Location"]) == (302, "/sok/2024"), form["actie"]
            assert sok_written() != before, form["actie"]
            continue
        assert response.status_code == (302 if role == "anoniem" else 403), (form["actie"], role)
        assert role != "anoniem" or response["Location"].startswith("/inloggen"), form["actie"]
        assert sok_written() == before, (form["actie"], role)
    before = sok_written()
    for url in ("/sok", "/sok/2024"):
        for method in (client.put, client.delete, client.patch):
            assert method(url).status_code == 405, (url, role)
    assert sok_written() == before


# The forms that write for issue #23 (convenant, Woontop), per role: "ok" = written and sent back to the page
# (302 to itself), "login" = sent to sign in, 403 = refused; a refusal writes nothing. PUT and DELETE: 405 on
# every page, and a POST on the open convenant page (nothing there writes) too.
# "rijk_bewerker": a Rijk seat that edits (the Rijk in build_world is a lezer).
PAGE_WRITE_ROLES = (*ROLES, "rijk_bewerker")
PAGE_WRITES = [
    (
        "/convenant/projecten/{utrecht}",
        {"onder_convenant": "1", "waarde_drinkwaterbesparing": "", "reden": "CTB-eisen in de tender"},
        "records",
        {**dict.fromkeys(PAGE_WRITE_ROLES, 403), "anoniem": "login", "gemeente_utrecht": "ok",
         "provincie_utrecht": "ok", "beheerder": "ok"},
    ),
    (
        "/woontop",
        {"mijlpaal": "4-shortlist-doorbraaklocaties", "kwartaal": "2025-Q1", "status": "gereed"},
        "statuses",
        {**dict.fromkeys(PAGE_WRITE_ROLES, 403), "rijk_bewerker": "ok", "beheerder": "ok"},
    ),
    ("/convenant", {"gebied": "NL"}, None, dict.fromkeys(PAGE_WRITE_ROLES, 405)),
]  # fmt: skip


def written() -> dict[str, int]:
    return {"partners": Partner.objects.count(), "records": ProjectRecord.objects.count(),
            "milestones": Mijlpaal.objects.count(), "statuses": Status.objects.count()}  # fmt: skip


@pytest.mark.parametrize("role", PAGE_WRITE_ROLES)
def test_permission_matrix_for_the_forms_of_convenant_and_woontop(client, world, role):
    if role == "rijk_bewerker":
        world["users"][role] = seat_user(role, "Ministerie BZK", "rijk", None, None, "bewerker")
    as_role(client, world, role)
    for url, form, table, expected in PAGE_WRITES:
        url = url.format(**world)
        before = written()
        response = client.post(url, form)
        seen = response.status_code
        if seen == 302:
            seen = "login" if response["Location"].startswith("/inloggen") else "ok"
            assert seen == "login" or response["Location"].split("?")[0] == url, (url, role, response["Location"])
        assert seen == expected[role], (url, role, response.status_code)
        after = written()
        assert after == ({**before, table: before[table] + 1} if seen == "ok" else before), (url, role)
        for method in (client.put, client.delete):
            assert method(url).status_code == 405 and written() == after, (url, role, method)


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, world):
    response = client.get("/projecten?gebied=GM0344")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen?next=/projecten")


def test_a_user_without_organisation_is_told_why_in_dutch(client, world):
    as_role(client, world, "zonder_organisatie")
    page = client.get("/projecten").content.decode()
    assert "Uw account hoort bij geen organisatie met inzage in projecten." in page


def test_open_book_figures_only_on_the_page_for_the_parties_at_the_table(client, world):
    shown = {}
    for role in ROLES[2:]:
        client.force_login(world["users"][role])
        shown[role] = "grondexploitatie" in client.get(f"/projecten/{world['utrecht']}").content.decode()
    assert shown == {"rijk": False, "provincie_utrecht": True, "gemeente_utrecht": True, "gemeente_amsterdam": False,
                     "corporatie": False, "beheerder": True}  # fmt: skip


def test_the_dashboard_shows_the_monitor_figures_and_drills_down(client, world):
    national = client.get("/").content.decode()
    figures = monitor_api.monitor("NL", "2025-Q2")
    assert "Peiling" in national and 'value="2025-Q2" selected' in national
    cards = dict(re.findall(r"<span>([^<]+)</span>\s*<span class=\"br-value\">([^<]+)</span>", national))
    assert cards["Projecten in de pijplijn"] == str(figures["pipeline"]["projects"]) == "2"
    assert cards["Plancapaciteit (woningen)"] == "130"  # 40 + 90, by hand
    assert cards["Betaalbaar aandeel"] == "31%"  # 40 sociale huur of 130 known homes
    assert 'href="/gebied/PV26?peiling=2025-Q2">Utrecht</a>' in national  # the provinces to drill into
    province = client.get("/gebied/PV26").content.decode()
    assert 'href="/gebied/GM0344?peiling=2025-Q2">Utrecht</a>' in province and "<h1" in province
    municipality = client.get("/gebied/GM0344").content.decode()
    assert ">Nederland</a>" in municipality and 'href="/gebied/PV26">Utrecht</a>' in municipality  # breadcrumb
    assert 'id="grafiek-jaren"' in municipality and "<details>" in municipality  # chart data and its table


def test_unknown_areas_and_peilingen_are_404_in_dutch(client, world):
    assert "Onbekend gebied 'Atlantis'" in html.unescape(client.get("/gebied/Atlantis").content.decode())
    response = client.get("/?peiling=2031-Q1")
    assert response.status_code == 404 and "Peiling '2031-Q1' bestaat niet" in html.unescape(response.content.decode())


def test_project_list_filters_sorts_pages_and_exports_the_same_projects(client, world):
    as_role(client, world, "rijk")

    def codes(query):
        page = client.get(f"/projecten?{query}").content.decode()
        return re.findall(r'href="/projecten/([A-Z0-9-]+)"', page)

    assert codes("") == sorted([world["utrecht"], world["amsterdam"]])
    assert codes("gebied=GM0344") == [world["utrecht"]] and codes("zoek=sluis") == [world["amsterdam"]]
    assert codes("segment=sociale_huur") == [world["utrecht"]] and codes("planstatus=zacht") == [world["amsterdam"]]
    assert codes("sorteer=-woningen") == [world["amsterdam"], world["utrecht"]]  # 90 before 40
    assert codes("fase=start_bouw") == [world["utrecht"]] and codes("knelpunt=stikstof") == []
    bad = client.get("/projecten?gebied=Atlantis")
    assert bad.status_code == 400 and "Onbekend gebied" in bad.content.decode()
    exported = client.get("/projecten/export.csv?gebied=GM0344").getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    # the import template's columns (issue #19): the download goes back in through the upload
    assert rows[0][:3] == ["projectcode", "extern_id", "projectnaam"] and [r[0] for r in rows[1:]] == [world["utrecht"]]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/projecten/export.xlsx?sorteer=naam").getvalue())).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Merwedekanaalzone", "Sluisbuurt"]
    api = client.get("/api/v1/projects?segment=sociale_huur").json()  # the API answers the same question the same
    assert [p["code"] for p in api["results"]] == codes("segment=sociale_huur")


def test_the_project_page_shows_milestones_planned_against_actual_and_its_history(client, world):
    as_role(client, world, "gemeente_utrecht")
    page = client.get(f"/projecten/{world['utrecht']}").content.decode()
    assert "Merwedekanaalzone" in page and "1-3-2025" in page and "1-6-2027" in page
    assert "eerste versie" in page and "fixture" in page  # the version's reason


def test_pages_paginate(client, db):
    call_command("demo", projects=120, seed=3)
    client.force_login(get_user_model().objects.get(username="demo"))
    first = client.get("/projecten").content.decode()
    assert "Pagina 1 van" in first and 'rel="next"' in first
    second = client.get("/projecten?pagina=2").content.decode()
    assert 'rel="prev"' in second and set(re.findall(r'href="/projecten/([A-Z0-9-]+)"', first)).isdisjoint(
        re.findall(r'href="/projecten/([A-Z0-9-]+)"', second)
    )


def test_sign_in_is_throttled_after_repeated_failures(client, db, settings):
    """django-axes (issue #16): the failure that reaches the limit already answers 429 with the minutes to wait."""
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    get_user_model().objects.create_user("anna", password="juist-wachtwoord")
    for _attempt in range(2):
        assert client.post("/inloggen", {"username": "anna", "password": "fout"}).status_code == 200
    locked = client.post("/inloggen", {"username": "anna", "password": "fout"})
    assert locked.status_code == 429 and "Probeer het over 15 minuten opnieuw" in locked.content.decode()
    refused = client.post("/inloggen", {"username": "anna", "password": "juist-wachtwoord"})
    assert refused.status_code == 429 and "Te veel mislukte pogingen" in refused.content.decode()
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    response = client.post("/inloggen", {"username": "anna", "password": "juist-wachtwoord"})
    assert response.status_code == 302 and not AccessAttempt.objects.filter(username="anna").exists()


def test_the_pages_speak_english_on_request(client, world):
    client.post("/taal/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en"' in page and "Key figures" in page and "Sign in" in page
    client.post("/taal/setlang/", {"language": "nl", "next": "/"})
    assert "Kerncijfers" in client.get("/").content.decode()


def test_every_asset_is_served_from_the_app_itself(client, world):
    page = client.get("/gebied/PV26").content.decode()
    for url in re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', page):
        assert url.startswith("/static/"), url  # no CDN


def test_the_map_colours_municipalities_by_the_chosen_figure_for_everyone(client, world):
    assert client.get("/kaart?gebied=PV26").status_code == 200  # open data: anonymous too
    data = client.get("/kaart/gemeenten.json?metriek=plancapaciteit").json()
    assert data["peiling"] == "2025-Q2" and data["metric"]["kind"] == "count" and len(data["features"]) == 342
    values = {f["id"]: f["properties"]["value"] for f in data["features"]}
    assert values["GM0344"] == 40 and values["GM0363"] == 90 and values["GM0014"] == 0  # the two projects, by hand
    shares = {
        f["id"]: f["properties"]["value"]
        for f in client.get("/kaart/gemeenten.json?metriek=betaalbaar").json()["features"]
    }
    assert shares["GM0344"] == 1.0 and shares["GM0363"] == 0.0 and shares["GM0014"] is None
    assert client.get("/kaart/gemeenten.json?metriek=onzin").status_code == 404
    assert client.get("/kaart?peiling=1999-Q1").status_code == 404


def test_the_map_shows_projects_only_to_those_who_may_read_them(client, world):
    assert client.get("/kaart/projecten.json?gebied=GM0344").status_code == 302  # anonymous: sign in first
    assert "data-projects=" not in client.get("/kaart?gebied=GM0344").content.decode()
    client.force_login(world["users"]["corporatie"])
    assert 'data-projects="/kaart/projecten.json?gebied=GM0344"' in client.get("/kaart?gebied=GM0344").content.decode()
    located = create("Cereolfabriek", "GM0344", homes={"dure_koop": {"gestapeld": 12}},
                     geometry={"type": "Point", "coordinates": [5.1, 52.09]})  # fmt: skip
    features = json.loads(client.get("/kaart/projecten.json?gebied=GM0344").getvalue())["features"]
    assert features == [
        {
            "type": "Feature",
            "id": located.code,
            "geometry": {"type": "Point", "coordinates": [5.1, 52.09]},
            "properties": {"code": located.code, "name": "Cereolfabriek", "homes": 12, "plan_status": "onbekend"},
        }
    ]  # the world's two projects have no location
    assert client.get("/kaart/projecten.json?gebied=NL").status_code == 400
    assert client.get("/kaart/projecten.json?gebied=Atlantis").status_code == 400
