"""Issue #16, the REST API's faults: geometry checked like the import's (3), Woningbouwimpuls open books only
for whom the policy allows (8), the model's limits at the door instead of a PostgreSQL error (9), and the
smaller gaps — non-finite numbers, unknown filter values, an unbounded seed, a body too large (16). Every
reproduction of the issue is a test here, on SQLite and PostgreSQL alike."""

import json
import re

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
        body = json.dumps(body) if extra["content_type"] == "application/json" and not isinstance(body, str) else body
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
        # the id as a table cell's text: a bare "W1" also turns up in a random CSRF token now and then
        shown = re.search(r">\s*W1\s*<", page.content.decode()) is not None
        assert shown == bool(WBI_READERS[role]), role


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


# --- 16: the smaller gaps --------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "Infinity", "1e400"])
def test_non_finite_numbers_are_refused_in_every_float_parameter(client, world, value):
    for url in (f"/api/v1/delays?van=2025-Q1&tot=2025-Q2&months={value}",
                f"/api/v1/kansrijk-scores?area=GM0344&drempel={value}"):  # fmt: skip
        body = problem_of(call(client, world, "beheerder", "get", url), 400)
        assert body["invalidParams"][0]["name"] in ("months", "drempel"), body


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused_in_json_bodies(client, world, number):
    body = '{"woningen": {"A": 10}, "per_woning": NUMBER}'.replace("NUMBER", number)
    answer = problem_of(call(client, world, "beheerder", "post", "/api/v1/nplv-contributions", body), 400)
    assert "geen geldige JSON" in answer["detail"]


def test_delays_with_van_after_tot_is_refused(client, world):
    from bouwregie.projects import services

    services.get_or_open_peiling("2025-Q1")
    body = problem_of(call(client, world, "rijk", "get", "/api/v1/delays?van=2025-Q2&tot=2025-Q1"), 400)
    assert "2025-Q2 ligt na 2025-Q1" in body["detail"]


@pytest.mark.parametrize(("name", "value"), [("plan_status", "9Z"), ("phase", "verhuisd"), ("lifecycle", "weg"),
                                             ("segment", "kasteel"), ("bottleneck", "draak")])  # fmt: skip
def test_unknown_enum_filters_are_400_with_the_allowed_values(client, world, name, value):
    body = problem_of(call(client, world, "rijk", "get", f"/api/v1/projects?{name}={value}"), 400)
    (param,) = body["invalidParams"]
    assert param["name"] == name and value not in param["reason"] or "toegestaan" in param["reason"]
    allowed = {"plan_status": "1A", "phase": "start_bouw", "lifecycle": "gerealiseerd", "segment": "middenhuur",
               "bottleneck": "netcongestie"}[name]  # fmt: skip
    assert allowed in param["reason"], param


def test_known_enum_filters_still_answer(client, world):
    for query in ("plan_status=1A", "plan_status=hard", "phase=start_bouw", "phase=", "lifecycle=alle",
                  "bottleneck=stikstof"):  # fmt: skip
        answer = call(client, world, "rijk", "get", f"/api/v1/projects?{query}")
        assert answer.status_code == 200, (query, answer.content)
    assert call(client, world, "rijk", "get", "/api/v1/projects?plan_status=1A").json()["count"] == 1
    assert call(client, world, "rijk", "get", "/api/v1/projects?lifecycle=alle").json()["count"] == 2


def test_areas_kind_is_an_enum(client, db):
    assert problem_of(client.get("/api/v1/areas?kind=planeet"), 400)["invalidParams"][0]["name"] == "kind"


@pytest.mark.parametrize("seed", [2**32, 2**70, -1])
def test_a_forecast_seed_is_bounded_everywhere(client, world, seed):
    from django.core.management import call_command

    from bouwregie.forecast import api as forecast_api
    from bouwregie.forecast.models import Forecast

    body = {"area": "GM0344", "peiling": "2025-Q2", "runs": 10, "horizon": 2030, "seed": seed}
    problem_of(call(client, world, "beheerder", "post", "/api/v1/forecasts", body), 400)
    with pytest.raises(ValueError, match="Seed moet tussen 0 en 4294967295"):
        forecast_api.Request("GM0344", "2025-Q2", 10, 2030, (), seed).checked()
    with pytest.raises(Exception, match="Seed moet tussen 0 en 4294967295"):
        call_command("forecast", "--area", "GM0344", "--peiling", "2025-Q2", "--runs", "10", "--seed", str(seed))
    client.force_login(world["users"]["beheerder"])
    page = client.post("/prognose", {"gebied": "GM0344", "peiling": "2025-Q2", "runs": "10", "horizon": "2030",
                                     "seed": str(seed)})  # fmt: skip
    assert page.status_code == 400 and not Forecast.objects.exists()
    assert seed < 0 or "Seed moet tussen 0 en 4294967295" in page.content.decode()  # -1: "geen geheel getal ≥ 0"


def test_the_largest_seed_is_accepted(world):
    from bouwregie.forecast import api as forecast_api

    assert forecast_api.Request("GM0344", "2025-Q2", 10, 2030, (), 2**32 - 1).checked().seed == 2**32 - 1


def test_a_body_too_large_is_a_413_problem(client, world, settings):
    body = '{"reason": "x", "name": "%s"}' % ("a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10))
    answer = problem_of(call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}", body), 413)
    assert "groter dan" in answer["detail"]


def test_unknown_api_paths_and_methods_are_problems(client, world):
    problem_of(client.get("/api/v1/bestaat-niet"), 404)
    problem_of(client.get("/api/bestaat-niet"), 404)
    answer = call(client, world, "beheerder", "delete", f"/api/v1/projects/{world['utrecht']}")
    problem_of(answer, 405)
    assert "PATCH" in answer["Allow"]


# --- 9: the model's limits at the door, the same on both databases ---------------------------------------
def _versions(code: str) -> int:
    from bouwregie.projects.models import ProjectVersion

    return ProjectVersion.objects.filter(project__code=code).count()


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("patch", "/api/v1/projects/{utrecht}", {"reason": "x", "name": "n" * 201}, "name"),
        ("post", "/api/v1/projects", {"reason": "x", "name": "n" * 201, "municipality": "GM0344"}, "name"),
        ("patch", "/api/v1/projects/{utrecht}", {"reason": "x", "demolitions": 2**40}, "demolitions"),
        ("patch", "/api/v1/projects/{utrecht}", {"reason": "x", "milestones": [{"kind": "oplevering",
                                                "sequence": 40000, "planned": "2028-01-01"}]}, "milestones"),
        ("put", "/api/v1/projects/{utrecht}/milestones/oplevering?sequence=40000",
         {"reason": "x", "planned": "2028-01-01"}, "sequence"),
        ("put", "/api/v1/projects/{utrecht}/milestones/oplevering", {"reason": "x", "homes": 2**40}, "homes"),
    ],
)  # fmt: skip
def test_values_beyond_the_columns_are_400_naming_the_field(client, world, method, url, body, field):
    before = _versions(world["utrecht"])
    answer = problem_of(call(client, world, "beheerder", method, url.format(**world), body), 400)
    assert any(field in p["name"] for p in answer["invalidParams"]), answer
    assert _versions(world["utrecht"]) == before


def test_every_write_path_checks_the_limits_from_the_model(world):
    """rules.validate is what imports, the web form and the API all pass: the same limits, from the model."""
    from datetime import date

    from bouwregie.projects.models import Milestone, ProjectVersion
    from bouwregie.projects.rules import MilestoneData, ProjectData, validate

    assert ProjectVersion._meta.get_field("name").max_length == 200
    assert Milestone._meta.get_field("sequence").get_internal_type() == "PositiveSmallIntegerField"
    too_much = ProjectData("n" * 201, "GM0344", demolitions=2**40, source_crs="EPSG:" + "9" * 30,
                           milestones=(MilestoneData("oplevering", date(2028, 1, 1), sequence=40000),
                                       MilestoneData("start_bouw", date(2027, 1, 1), homes=2**40)))  # fmt: skip
    fields = sorted({p.field for p in validate(too_much, date(2026, 1, 1))})
    assert fields == ["demolitions", "milestones", "name", "source_crs"]
    assert not validate(ProjectData("n" * 200, "GM0344", demolitions=2**31 - 1), date(2026, 1, 1))


def test_the_web_form_refuses_a_name_too_long(client, world):
    client.force_login(world["users"]["gemeente_utrecht"])
    form = {"versie": "1", "name": "n" * 201, "plan_status": "1A", "plan_type": "onbekend", "lifecycle": "actief",
            "woningen_sociale_huur_gestapeld": "40", "werkelijk_start_bouw": "2025-03-01",
            "gepland_oplevering": "2027-06-01", "reden": "lang"}  # fmt: skip
    answer = client.post(f"/projecten/{world['utrecht']}/bewerken", form)
    assert answer.status_code == 400 and "Projectnaam is te lang: 201 tekens, hooguit 200." in answer.content.decode()
    assert _versions(world["utrecht"]) == 1


def test_a_nul_byte_in_a_form_post_or_a_text_body_is_refused(client, world):
    client.force_login(world["users"]["gemeente_utrecht"])
    url = f"/projecten/{world['utrecht']}/bewerken"
    encoded = client.post(url, "versie=1&name=a%00b&reden=x", content_type="application/x-www-form-urlencoded")
    assert encoded.status_code == 400 and "NUL" in encoded.content.decode()
    form = {"versie": "1", "name": "a\x00b", "plan_status": "1A", "plan_type": "onbekend", "lifecycle": "actief",
            "woningen_sociale_huur_gestapeld": "40", "werkelijk_start_bouw": "2025-03-01", "reden": "x"}  # fmt: skip
    multipart = client.post(url, form)  # the test client's default, as a browser's form with a file field
    assert multipart.status_code == 400
    assert "Projectnaam bevat een stuurteken (0x00) op positie 2" in multipart.content.decode()
    multipart = client.post(url, {**form, "name": "Merwedekanaalzone", "reden": "a\x00b"})
    assert multipart.status_code == 400 and "De reden bevat een NUL-teken" in multipart.content.decode()
    text = call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}",
                '{"reason": "x", "name": "a\\u0000b"}', content_type="text/plain")  # fmt: skip
    problem_of(text, 400)
    raw = call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}",
               '{"reason": "x", "name": "a\x00b"}', content_type="text/plain")  # fmt: skip
    problem_of(raw, 400)
    assert _versions(world["utrecht"]) == 1


@pytest.mark.parametrize(("column", "value"), [("id", "W" * 51), ("tijdvak", "2025-" + "1" * 16)])
def test_wbi_fields_beyond_the_columns_are_refused(client, world, column, value):
    from bouwregie.instruments.models import WbiApplication

    answer = call(client, world, "gemeente_utrecht", "post", "/api/v1/wbi-applications",
                  {**WBI_ROWS[0], column: value})  # fmt: skip
    assert f"Kolom {column} is te lang" in problem_of(answer, 400)["detail"]
    assert not WbiApplication.objects.exists()


def test_an_upload_source_beyond_the_column_is_refused_at_the_door(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bouwregie.ingest.models import ImportRun
    from bouwregie.jobs.models import Job

    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['beheerder']}"}
    for field, value in (("source", "s" * 101), ("sheet", "b" * 101), ("header_row", str(2**40)),
                         ("source", "a\x00b")):  # fmt: skip
        upload = SimpleUploadedFile("lijst.csv", b"Projectnaam;Gemeente\nA;Utrecht\n")
        data = {"file": upload, "source": "Provincie", field: value}
        answer = client.post("/api/v1/imports", data, **headers)
        assert problem_of(answer, 400)["invalidParams"][0]["name"] == field, answer.content
    assert not Job.objects.exists() and not ImportRun.objects.exists()


def test_request_errors_reach_the_server_log(client, world, caplog, settings):
    import logging

    assert settings.LOGGING["loggers"]["django.request"]["handlers"] == ["stderr"]
    assert settings.LOGGING["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}", {"name": "x"})
    assert any(r.name == "django.request" and r.status_code == 400 for r in caplog.records)


# --- 3: one check for every geometry written: API and import alike ---------------------------------------
UTRECHT_POINT = {"type": "Point", "coordinates": [5.1214, 52.0907]}


@pytest.mark.parametrize(
    ("geometry", "says"),
    [
        ({"type": "Point", "coordinates": "abc"}, "geen geldige GeoJSON"),
        ({"type": "Circle", "coordinates": [5.1, 52.1]}, "toegestaan: Point"),
        ({"type": "Feature", "geometry": UTRECHT_POINT}, "toegestaan: Point"),
        ({"coordinates": [5.1, 52.1]}, "toegestaan: Point"),
        ({"type": "Point", "coordinates": [100, 10]}, "buiten Nederland"),
        ({"type": "Point", "coordinates": [52.09, 5.12]}, "buiten Nederland"),  # lat/lon swapped
        ({"type": "Point", "coordinates": [136_000, 455_000]}, "buiten Nederland"),  # RD New, not WGS84
        ({"type": "Point", "coordinates": [5.1, 1e400]}, "geen geldige JSON"),
        ({"type": "LineString", "coordinates": [[5.1, 52.1]]}, "geen geldige GeoJSON"),
        ({"type": "GeometryCollection", "geometries": [{"type": "GeometryCollection", "geometries": [UTRECHT_POINT]}]},
         "GeometryCollection wordt niet ondersteund"),
        ({"type": "LineString", "coordinates": [[5.1 + i * 1e-6, 52.1] for i in range(50_001)]}, "hooguit 50000"),
    ],
)  # fmt: skip
def test_a_geometry_the_import_would_refuse_is_a_400_naming_the_field(client, world, geometry, says):
    body = json.dumps({"reason": "kaart", "geometry": geometry}).replace("Infinity", "1e400")
    answer = call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}", body)
    problem = problem_of(answer, 400)
    assert says in json.dumps(problem, ensure_ascii=False), problem
    if problem.get("invalidParams") and "JSON" not in says:
        assert problem["invalidParams"][0]["name"] == "geometry"
    assert _versions(world["utrecht"]) == 1


def test_valid_geometries_are_stored_as_the_import_stores_them_and_export_reads_them(client, world, tmp_path):
    from bouwregie.ingest.export import export
    from bouwregie.projects.models import ProjectVersion

    square = [[5.12, 52.09], [5.13, 52.09], [5.13, 52.10], [5.12, 52.10], [5.12, 52.09]]
    bowtie = [[5.12, 52.09], [5.13, 52.10], [5.13, 52.09], [5.12, 52.10], [5.12, 52.09]]
    collection = {
        "type": "GeometryCollection",
        "geometries": [UTRECHT_POINT, {"type": "Polygon", "coordinates": [square]}],
    }
    for geometry in (UTRECHT_POINT, {"type": "Polygon", "coordinates": [bowtie]}, collection,
                     {"type": "Point", "coordinates": ["5.1214", "52.0907"]}):  # fmt: skip
        answer = call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}",
                      {"reason": "kaart", "geometry": geometry})  # fmt: skip
        assert answer.status_code == 200, answer.content
        stored = ProjectVersion.objects.filter(project__code=world["utrecht"]).order_by("-number").first()
        assert stored.bbox and 5.1 < stored.bbox[0] < 5.2, stored.bbox
        if geometry["type"] == "Polygon":  # the bow tie is repaired, as the import repairs it
            assert stored.geometry["type"] in ("Polygon", "MultiPolygon")
            import shapely
            from shapely.geometry import shape

            assert shapely.is_valid(shape(stored.geometry))
        for fmt in ("csv", "xlsx", "gpkg", "geojson"):
            assert export(tmp_path / f"uit.{fmt}", fmt) == 2
    answer = call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}",
                  {"reason": "kaart weg", "geometry": None})  # fmt: skip
    assert answer.status_code == 200 and answer.json()["geometry"] is None


def test_the_import_uses_the_same_check(tmp_path, world):
    """A WKT column and a GeoJSON file: the same refusals, by the same function, as the API's."""
    from bouwregie.geo.geojson import MAX_VERTICES
    from bouwregie.ingest.importer import ImportOptions, run_import

    path = tmp_path / "lijst.csv"
    rows = [("A1", "Ver weg", "POINT (100 10)"), ("A3", "Oneindig", "POINT (inf 52)"),
            ("A4", "Goed", "POINT (5.12 52.09)")]  # fmt: skip
    text = "extern_id,projectnaam,gemeentecode,sociale_huur_gestapeld,bron_crs,geometrie_wkt\n"
    text += "".join(f'{i},{n},GM0344,10,EPSG:4326,"{w}"\n' for i, n, w in rows)
    path.write_text(text, encoding="utf-8")
    result = run_import(
        path,
        ImportOptions(source="test", author="t", profile="standaard", header_row=1, dry_run=True, allow_partial=True),
    )
    reasons = " | ".join(str(p) for p in result.run.problems) + result.run.message
    assert "buiten Nederland" in reasons and "eindige getallen" in reasons, reasons
    line = {"type": "LineString", "coordinates": [[5.1 + i * 1e-6, 52.1] for i in range(MAX_VERTICES + 1)]}

    def feature(code, name, geometry):
        properties = {"extern_id": code, "projectnaam": name, "gemeentecode": "GM0344", "sociale_huur_gestapeld": 10}
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    features = [feature("B1", "Te groot", line), feature("B2", "Goed", UTRECHT_POINT)]
    path = tmp_path / "lijst.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    result = run_import(path, ImportOptions(source="gis", author="t", profile="standaard", dry_run=True,
                                            allow_partial=True))  # fmt: skip
    reasons = " | ".join(str(p) for p in result.run.problems) + result.run.message
    assert "hooguit 50000" in reasons, reasons


def test_an_export_survives_a_geometry_stored_before_the_check(world, tmp_path):
    """Versions written before every writer checked geometry stay forever (a closed peiling can no longer be
    corrected): the export leaves such a geometry out instead of crashing, in all four formats."""
    from dataclasses import replace
    from unittest import mock

    from bouwregie.ingest.export import export
    from bouwregie.projects import services

    real = services.current_data
    broken = {"type": "Point", "coordinates": "abc"}

    def as_stored_before(ids):  # the append-only triggers allow no UPDATE to plant it in the table
        return {pid: (n, replace(d, geometry=broken)) for pid, (n, d) in real(ids).items()}

    with mock.patch.object(services, "current_data", as_stored_before):
        for fmt in ("csv", "xlsx", "gpkg", "geojson"):
            assert export(tmp_path / f"uit.{fmt}", fmt) == 2


@pytest.mark.parametrize("character", ["\x01", "\x08", "\x0b", "\x1f"])
def test_a_control_character_in_a_name_is_refused_with_its_code(client, world, character):
    """No spreadsheet holds a C0 control character: stored, it would make every later Excel export fail."""
    answer = call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}",
                  {"reason": "x", "name": f"Kanaal{character}eiland"})  # fmt: skip
    body = problem_of(answer, 400)
    assert f"stuurteken (0x{ord(character):02X}) op positie 7" in json.dumps(body, ensure_ascii=False)
    assert _versions(world["utrecht"]) == 1


def test_tab_and_line_ends_stay_part_of_a_name(client, world):
    answer = call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}",
                  {"reason": "x", "name": "Kanaal\teiland\nfase 2"})  # fmt: skip
    assert answer.status_code == 200, answer.content[:300]


def test_an_unknown_field_is_refused_by_name_not_ignored(client, world):
    """A misspelt field used to answer 200 and change nothing; now the door names it, in Dutch."""
    url = f"/api/v1/projects/{world['utrecht']}"
    body = problem_of(call(client, world, "beheerder", "patch", url, {"reason": "x", "homes_total": 2**31}), 400)
    assert body["invalidParams"] == [
        {"name": "change.homes_total", "reason": "Onbekend veld; zie het OpenAPI-document voor de velden."}
    ]
    wrong_type = problem_of(call(client, world, "beheerder", "patch", url, {"reason": 5, "homes": {"koop": 3}}), 400)
    reasons = {p["name"]: p["reason"] for p in wrong_type["invalidParams"]}
    assert reasons["change.reason"] == "Verwacht tekst." and "object" in reasons["change.homes.koop"]
    assert _versions(world["utrecht"]) == 1


def test_a_truncated_json_body_is_called_what_it_is(client, world):
    answer = call(client, world, "beheerder", "patch", f"/api/v1/projects/{world['utrecht']}", '{"reason": "x", "na')
    assert "onvolledig of onjuist opgebouwd" in problem_of(answer, 400)["detail"]
