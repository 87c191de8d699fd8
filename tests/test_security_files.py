"""Issue 16, the faults of an uploaded or imported file (11–15, and the upload part of 9): every reproduction
through the real entry points — the upload page (test client), the REST API and `bouwregie import` — on
SQLite and PostgreSQL alike.

11 malformed Excel XML, 12 an import killed mid-write, 13 one bad byte in a CSV, 14 limits checked late,
15 GDAL's English message with a server path, 9 an upload with a 220-character file name.
"""

import html
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from bouwregie.ingest.models import ImportRun
from bouwregie.ingest.readers import ImportRefused, read_table
from bouwregie.jobs.models import Job

from .planlijsten import PROVINCIAL_HEADER, PROVINCIAL_ROWS, write_csv
from .roles import build_world

UTRECHT_ROWS = [r for r in PROVINCIAL_ROWS if r[0] in ("P-008", "P-010")]  # both in gemeente Utrecht (GM0344)


@pytest.fixture
def world(db):
    return build_world()


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _uploads(settings) -> list[Path]:
    root = Path(settings.UPLOAD_DIR)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _web_upload(client, name: str, content: bytes, **fields):
    data = {"file": SimpleUploadedFile(name, content), "source": "Provincie Utrecht", "profile": "", "sheet": "",
            "peiling": "", **fields}  # fmt: skip
    response = client.post("/planlijsten", data)
    assert response.status_code == 302 and re.fullmatch(r"/taken/\d+", response.url), response
    return Job.objects.get(pk=int(response.url.rsplit("/", 1)[1]))


def _api_upload(client, world, name: str, content: bytes, role="provincie_utrecht"):
    return client.post("/api/v1/imports", {"file": SimpleUploadedFile(name, content), "source": "Provincie Utrecht"},
                       HTTP_AUTHORIZATION=f"Bearer {world['keys'][role]}")  # fmt: skip


# --- files that break a reader ----------------------------------------------------------------------------------
def _xlsx(rows=(("Plan ID", "Plannaam", "Gemeente", "Restcapaciteit"), ("P-1", "Werf", "Utrecht", 10))) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(content: bytes, change) -> bytes:
    """The workbook with xl/worksheets/sheet1.xml changed by `change` (bytes → bytes)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            target.writestr(member, change(data) if member.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def doctype_xlsx() -> bytes:
    """A sheet with a DOCTYPE declaring an entity that a cell uses (the billion-laughs family)."""
    return _rewrite_sheet(_xlsx(), lambda d: b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x "boom">]>'
                          + d.replace(b"<v>10</v>", b"<v>&x;</v>"))  # fmt: skip


def truncated_xlsx() -> bytes:
    """A valid zip whose sheet XML stops halfway (a download cut off, a writer that crashed)."""
    return _rewrite_sheet(_xlsx(), lambda d: d[: len(d) // 2])


def fake_gpkg() -> bytes:
    return b"Dit is geen GeoPackage maar een tekstbestand.\n" * 3


BROKEN = [
    ("kapot-doctype.xlsx", doctype_xlsx, "niet-toegestane XML"),
    ("kapot-afgebroken.xlsx", truncated_xlsx, "niet-toegestane XML"),
    ("nep.gpkg", fake_gpkg, "geen geldig GeoPackage"),
    ("nep.geojson", lambda: b'{"type": "FeatureCollection", "features": [', "GeoJSON"),
    ("nep.zip", lambda: b"PK\x03\x04 afgebroken", "beschadigd"),
]


@pytest.mark.parametrize("name, make, expected", BROKEN)
def test_every_reader_error_is_a_specific_dutch_refusal_without_server_paths(tmp_path, settings, name, make,
                                                                             expected):  # fmt: skip
    path = Path(settings.UPLOAD_DIR) / "0123abcd" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(make())
    with pytest.raises(ImportRefused) as refused:
        read_table(path)
    text = str(refused.value)
    assert expected in text and name in text, text
    assert str(settings.UPLOAD_DIR) not in text and "0123abcd" not in text and "/" not in text.replace(name, "")


@pytest.mark.parametrize("name, make, expected", BROKEN)
def test_a_broken_web_upload_is_logged_refused_and_removed(client, world, settings, name, make, expected):
    client.force_login(world["users"]["provincie_utrecht"])
    job = _web_upload(client, name, make())
    assert job.status == "klaar", job.error  # not "Onverwachte fout"
    run = ImportRun.objects.get(pk=job.result["import"])
    assert run.status == "geweigerd" and expected in run.message and name in run.message
    assert str(settings.UPLOAD_DIR) not in run.message and "/" not in run.message.replace(name, "")
    assert _uploads(settings) == []  # nothing left on disk
    page = _text(client.get(f"/planlijsten/{run.pk}"))
    assert expected in page and str(settings.UPLOAD_DIR) not in page and "Bevestigen" not in page


def test_a_broken_api_upload_is_logged_refused_and_removed(client, world, settings):
    started = _api_upload(client, world, "nep.gpkg", fake_gpkg())
    assert started.status_code == 202, started.content
    job = started.json()
    assert job["status"] == "klaar" and not job["error"]
    detail = client.get(f"/api/v1/imports/{job['import_id']}",
                        HTTP_AUTHORIZATION=f"Bearer {world['keys']['gemeente_utrecht']}").json()  # fmt: skip
    assert detail["status"] == "geweigerd" and "nep.gpkg" in detail["message"]
    assert str(settings.UPLOAD_DIR) not in str(detail) and _uploads(settings) == []


@pytest.mark.parametrize("name, make, expected", BROKEN[:3])
def test_the_cli_refuses_a_broken_file_with_a_message_and_no_traceback(db, tmp_path, name, make, expected):
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(CommandError) as refused:  # bouwregie prints "CommandError: …" and exits 1, no traceback
        call_command("import", str(path), "--source", "Provincie Utrecht")
    assert expected in str(refused.value) and str(tmp_path) not in str(refused.value)
    run = ImportRun.objects.get()
    assert run.status == "geweigerd" and expected in run.message


def test_excel_is_read_through_defusedxml():
    import openpyxl.xml.functions

    assert openpyxl.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")


# --- fault 9: a long file name -------------------------------------------------------------------------------------
def test_an_upload_with_a_220_character_name_is_stored_under_a_shortened_name(client, world, settings, tmp_path):
    from bouwregie.ingest.uploads import STORED_NAME_CHARS

    name = "planlijst-" + "é" * 100 + "x" * 106 + ".csv"  # 220 characters, 320 bytes in UTF-8
    assert len(name) == 220
    client.force_login(world["users"]["provincie_utrecht"])
    content = write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, UTRECHT_ROWS).read_bytes()
    job = _web_upload(client, name, content, peiling="2025-Q3")
    assert job.status == "klaar", job.error
    run = ImportRun.objects.get(pk=job.result["import"])
    assert run.status == "proef" and run.file_name.startswith("planlijst-é") and run.file_name.endswith(".csv")
    assert len(run.file_name) <= STORED_NAME_CHARS and Path(run.upload_path).is_file()
    cancelled = client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "annuleren"})
    assert cancelled.status_code == 302 and _uploads(settings) == []


def test_an_api_upload_with_a_long_name_works_too(client, world, settings):
    started = _api_upload(client, world, "l" * 250 + ".csv", b"a;b;c\n1;2;3\n")
    assert started.status_code == 202, started.content
    assert started.json()["import_id"] and _uploads(settings) == []  # refused (no valid rows) and removed


def test_an_upload_that_cannot_start_its_job_leaves_no_file(client, world, settings, monkeypatch):
    from bouwregie.jobs import runner

    def broken_submit(*args, **kwargs):
        raise RuntimeError("database weg")

    monkeypatch.setattr(runner, "submit", broken_submit)
    client.raise_request_exception = False
    client.force_login(world["users"]["provincie_utrecht"])
    response = client.post("/planlijsten", {"file": SimpleUploadedFile("a.csv", b"a;b;c\n1;2;3\n"), "source": "P"})
    assert response.status_code == 500 and _uploads(settings) == []
