"""Never a silently shortened answer (issue #21): the map's projects layer stopped at 20,000 features and the
project export at 100,000 projects without a word. Now both write every project of the area, streamed in
chunks; here the chunk is lowered to 2 so that five projects cross several chunk borders. An API list that
gives part of its rows says how many there are (X-Total-Count) and where the rest is (Link rel="next").
Through the Django test client, on SQLite and PostgreSQL."""

import csv
import io
import json
from datetime import UTC, datetime

import openpyxl
import pyogrio
import pyogrio.raw
import pytest

from bouwregie.ingest import export
from bouwregie.ingest.models import ImportRun
from bouwregie.web import map_pages

from .builders import create
from .roles import seat_user

N = 5  # projects in Utrecht (GM0344), more than two chunks of 2


@pytest.fixture
def located(db, monkeypatch):
    monkeypatch.setattr(map_pages, "CHUNK", 2)
    monkeypatch.setattr(export, "CHUNK", 2)
    made = [
        create(f"Plan {i}", "GM0344", homes={"dure_koop": {"gestapeld": 10 + i}},
               geometry={"type": "Point", "coordinates": [5.1 + i / 100, 52.09]})
        for i in range(N)
    ]  # fmt: skip
    create(
        "Elders",
        "GM0363",
        homes={"dure_koop": {"gestapeld": 3}},
        geometry={"type": "Point", "coordinates": [4.9, 52.37]},
    )
    return sorted(p.code for p in made)


@pytest.fixture
def reader(client, db):
    client.force_login(seat_user("lezer", "Ministerie", "rijk", None, None, "lezer"))
    return client


def test_the_map_layer_holds_every_project_of_the_area(reader, located):
    response = reader.get("/kaart/projecten.json", {"gebied": "GM0344"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    collection = json.loads(response.getvalue())
    assert collection["type"] == "FeatureCollection"
    assert sorted(f["id"] for f in collection["features"]) == located  # all five, not the one in Amsterdam
    homes = sorted(f["properties"]["homes"] for f in collection["features"])
    assert homes == [10, 11, 12, 13, 14]
    province = json.loads(reader.get("/kaart/projecten.json", {"gebied": "PV26"}).getvalue())
    assert sorted(f["id"] for f in province["features"]) == located


def test_an_area_without_projects_is_an_empty_collection(reader, db):
    response = reader.get("/kaart/projecten.json", {"gebied": "GM0344"})
    assert json.loads(response.getvalue()) == {"type": "FeatureCollection", "features": []}


def test_the_project_export_writes_every_project_as_csv_and_excel(reader, located):
    response = reader.get("/projecten/export.csv", {"gebied": "GM0344"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="projecten-')
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeffprojectcode;")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == located  # sorted by code, every one
    workbook = openpyxl.load_workbook(io.BytesIO(reader.get("/projecten/export.xlsx", {"gebied": "GM0344"}).getvalue()))
    codes = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert codes == located
    everyone = reader.get("/projecten/export.csv").getvalue().decode("utf-8-sig").splitlines()
    assert len(everyone) == 1 + N + 1  # the header, Utrecht's five and Amsterdam's one


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg", "geojson"])
def test_bouwregie_export_writes_every_project_chunk_by_chunk(located, tmp_path, fmt):
    path = tmp_path / f"projecten.{fmt}"
    assert export.export(path, fmt) == N + 1
    if fmt in ("gpkg", "geojson"):
        assert pyogrio.read_info(path)["features"] == N + 1
        meta, _fids, _geometry, fields = pyogrio.raw.read(path, read_geometry=False)
        codes = fields[list(meta["fields"]).index("projectcode")].tolist()
    elif fmt == "csv":
        codes = [r[0] for r in list(csv.reader(open(path, encoding="utf-8-sig"), delimiter=";"))[1:]]
    else:
        codes = [r[0] for r in openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert codes[:N] == located and len(codes) == N + 1


def test_an_empty_database_exports_an_empty_layer(db, tmp_path):
    path = tmp_path / "leeg.gpkg"
    assert export.export(path, "gpkg") == 0
    assert pyogrio.read_info(path)["features"] == 0


def test_an_api_list_beyond_its_limit_says_how_many_and_where_the_rest_is(reader, db):
    for day in (1, 2, 3):
        ImportRun.objects.create(created_at=datetime(2025, 10, day, tzinfo=UTC), author="t", source="bron",
                                 file_name=f"lijst-{day}.csv", status="geslaagd")  # fmt: skip
    first = reader.get("/api/v1/imports", {"limit": 2})
    assert first.status_code == 200
    assert [r["file_name"] for r in first.json()] == ["lijst-3.csv", "lijst-2.csv"]  # newest first
    assert first["X-Total-Count"] == "3"
    link = first["Link"]
    assert link == '</api/v1/imports?limit=2&offset=2>; rel="next"'
    rest = reader.get(link[1 : link.index(">")])
    assert [r["file_name"] for r in rest.json()] == ["lijst-1.csv"]
    assert rest["X-Total-Count"] == "3" and "Link" not in rest  # nothing follows
    whole = reader.get("/api/v1/imports")
    assert len(whole.json()) == 3 and "Link" not in whole
