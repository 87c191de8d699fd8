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


# --- fault 12: an import killed mid-write -----------------------------------------------------------------------
def _preview(client, world, tmp_path):
    client.force_login(world["users"]["provincie_utrecht"])
    content = write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, UTRECHT_ROWS).read_bytes()
    job = _web_upload(client, "lijst.csv", content, peiling="2025-Q3")
    run = ImportRun.objects.get(pk=job.result["import"])
    assert run.status == "proef" and Path(run.upload_path).is_file()
    return run


def _confirm_and_kill(client, run, settings):
    """Confirm, but the job never runs (its worker process is gone): the job row stays queued."""
    settings.JOBS_INLINE = False  # submit() then leaves the job to a thread started on commit: never, here
    response = client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "bevestigen"})
    settings.JOBS_INLINE = True
    assert response.status_code == 302
    job = Job.objects.get(handler="bouwregie.ingest.uploads.apply_job")
    assert job.status == "wachtrij"
    return job


def _age(job, minutes=3):
    from datetime import timedelta

    from django.utils import timezone

    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=minutes), heartbeat_at=None)


def test_a_confirmed_import_whose_worker_died_can_be_cancelled_and_its_file_goes(client, world, tmp_path, settings):
    from bouwregie.projects.models import Project

    run = _preview(client, world, tmp_path)
    before = Project.objects.count()
    job = _confirm_and_kill(client, run, settings)
    # While the job may still be alive (within runner.STALE_AFTER), nobody decides again.
    assert client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "annuleren"}).status_code == 403
    _age(job)
    page = _text(client.get(f"/planlijsten/{run.pk}"))
    assert "niet afgerond" in page and "Annuleren" in page and "Bevestigen" in page
    cancelled = client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "annuleren"})
    assert cancelled.status_code == 302 and cancelled.url == f"/planlijsten/{run.pk}"
    run.refresh_from_db()
    job.refresh_from_db()
    assert run.decision == "geannuleerd" and run.upload_path == "" and _uploads(settings) == []
    assert job.status == "mislukt" and "Onderbroken" in job.error
    assert Project.objects.count() == before  # nothing was written


def test_a_confirmed_import_whose_worker_died_can_be_confirmed_again(client, world, tmp_path, settings):
    from bouwregie.projects.models import Project

    run = _preview(client, world, tmp_path)
    before = Project.objects.count()
    _age(_confirm_and_kill(client, run, settings))
    again = client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "bevestigen"})
    assert again.status_code == 302
    run.refresh_from_db()
    assert run.decision == "bevestigd" and run.applied_as and run.applied_as.status == "geslaagd"
    assert Project.objects.count() == before + 2 and _uploads(settings) == []
    assert client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "annuleren"}).status_code == 403  # done now


def test_an_import_that_fails_inside_the_write_leaves_a_decidable_preview(client, world, tmp_path, settings,
                                                                          monkeypatch):  # fmt: skip
    from bouwregie.projects import services
    from bouwregie.projects.models import Project

    run = _preview(client, world, tmp_path)
    before = Project.objects.count()

    def dies(*args, **kwargs):
        raise RuntimeError("verbinding verbroken midden in het schrijven")

    monkeypatch.setattr(services, "write_import", dies)
    client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "bevestigen"})
    job = Job.objects.get(handler="bouwregie.ingest.uploads.apply_job")
    assert job.status == "mislukt" and Project.objects.count() == before
    monkeypatch.undo()
    # The API can decide again too: cancelling answers 200 and removes the file.
    cancelled = client.post(f"/api/v1/imports/{run.pk}/decision", {"decision": "annuleren"},
                            content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {world['keys']['provincie_utrecht']}")  # fmt: skip
    assert cancelled.status_code == 200, cancelled.content
    run.refresh_from_db()
    assert run.decision == "geannuleerd" and _uploads(settings) == []


def test_stale_uploads_and_orphaned_folders_are_removed_by_the_cleanup(client, world, tmp_path, settings):
    import os
    import time
    from datetime import timedelta

    from django.utils import timezone

    from bouwregie.ingest import uploads

    run = _preview(client, world, tmp_path)
    _age(_confirm_and_kill(client, run, settings))
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=8))
    orphan = Path(settings.UPLOAD_DIR) / "ffffffffffffffffffffffffffffffff"  # a dry run that died before its log
    orphan.mkdir()
    (orphan / "lijst.csv").write_bytes(b"a;b;c\n")
    fresh = Path(settings.UPLOAD_DIR) / "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"  # a dry run still busy
    fresh.mkdir()
    day_ago = time.time() - (uploads.ORPHAN_HOURS + 1) * 3600
    os.utime(orphan, (day_ago, day_ago))
    out = io.StringIO()
    call_command("imports", "cleanup", stdout=out)
    assert "2 geüploade bestanden verwijderd" in out.getvalue()
    run.refresh_from_db()
    assert run.upload_path == "" and not orphan.exists() and fresh.exists()
    assert client.get("/planlijsten").status_code == 200  # the page runs the same cleanup


# --- fault 13: the encoding of a CSV, decided per file -----------------------------------------------------------
DUTCH = [["Plan ID", "Plannaam", "Gemeente", "Restcapaciteit"], ["P-1", "Café de Zon", "Utrecht", "10"],
         ["P-2", "Reünie", "Zeist", "5"], ["P-3", "Naïef plan", "Zeist", "3"]]  # fmt: skip


def _csv_bytes(rows=DUTCH, encoding="utf-8", newline="\r\n") -> bytes:
    return newline.join(";".join(r) for r in rows).encode(encoding) + newline.encode(encoding)


def test_one_invalid_byte_in_a_utf8_file_garbles_nothing_else_and_its_line_is_reported(tmp_path):
    rows = [*DUTCH, ["P-4", "CAF-E9 Noord", "Utrecht", "7"]]  # line 5: a lone 0xE9 (Latin-1 é) in a UTF-8 file
    path = tmp_path / "lijst.csv"
    path.write_bytes(_csv_bytes(rows, "utf-8").replace(b"CAF-E9", b"Caf\xe9"))
    assert b"\xe9" in path.read_bytes() and "Café".encode() in path.read_bytes()
    table = read_table(path)
    assert "UTF-8" in table.format
    assert [r[1] for r in table.rows] == ["Café de Zon", "Reünie", "Naïef plan", "Caf\ufffd Noord"]
    [notice] = [n for n in table.notices if "0xE9" in n.reason]
    assert notice.row == 5 and notice.column == "Plannaam" and notice.value == "Caf\ufffd Noord"
    assert "regel 5" in notice.reason and notice.severity == "waarschuwing"


@pytest.mark.parametrize("encoding, label", [("cp1252", "Windows-1252"), ("utf-8-sig", "UTF-8"),
                                             ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                             ("mac_roman", "Mac Roman")])  # fmt: skip
def test_real_windows_1252_bom_utf8_and_utf16_files_read_correctly(tmp_path, encoding, label):
    path = tmp_path / "lijst.csv"
    path.write_bytes(_csv_bytes(DUTCH, encoding))
    table = read_table(path)
    assert label in table.format and table.columns == DUTCH[0]
    assert [r[1] for r in table.rows] == ["Café de Zon", "Reünie", "Naïef plan"]
    assert not any("0x" in n.reason for n in table.notices)


def test_a_binary_file_named_csv_is_still_refused_as_binary(tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ImportRefused, match="geen tekstbestand"):
        read_table(path)


def test_the_invalid_byte_warning_reaches_the_preview(client, world, tmp_path):
    rows = [PROVINCIAL_HEADER, *UTRECHT_ROWS]
    rows[1] = [rows[1][0], "CAF-E9 " + rows[1][1], *rows[1][2:]]
    rows[2] = [rows[2][0], "Café " + rows[2][1], *rows[2][2:]]  # real UTF-8 elsewhere in the file
    content = _csv_bytes(rows).replace(b"CAF-E9", b"Caf\xe9")
    client.force_login(world["users"]["provincie_utrecht"])
    job = _web_upload(client, "lijst.csv", content, peiling="2025-Q3")
    run = ImportRun.objects.get(pk=job.result["import"])
    assert "UTF-8" in run.file_format and run.status == "proef"
    [problem] = [p for p in run.problems if "0xE9" in p["reason"]]
    assert problem["row"] == 2 and problem["column"] == "Plannaam" and "regel 2" in problem["reason"]
    assert "0xE9" in _text(client.get(f"/planlijsten/{run.pk}"))


# --- fault 14: limits checked early --------------------------------------------------------------------------------
def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(client, world, settings):
    settings.IMPORT_MAX_BYTES = 1000
    client.force_login(world["users"]["provincie_utrecht"])
    big = SimpleUploadedFile("groot.csv", b"a;b;c\n" + b"1;2;3\n" * 200_000)  # 1.2 MB: over limit + form margin
    response = client.post("/planlijsten", {"file": big, "source": "P"})
    assert response.status_code == 413 and "de grens is 0.001 MB" in _text(response)
    api = client.post("/api/v1/imports", {"file": SimpleUploadedFile("groot.csv", big.file.getvalue()),
                                          "source": "P"},
                      HTTP_AUTHORIZATION=f"Bearer {world['keys']['provincie_utrecht']}")  # fmt: skip
    assert api.status_code == 413 and api["Content-Type"] == "application/problem+json"
    assert "de grens is 0.001 MB" in api.json()["detail"]
    assert not Job.objects.exists() and not ImportRun.objects.exists() and _uploads(settings) == []


def test_a_200_mb_request_is_refused_on_its_content_length_alone(client, world):
    client.force_login(world["users"]["provincie_utrecht"])
    response = client.post("/planlijsten", {"source": "P"}, CONTENT_LENGTH=str(200_000_000))
    assert response.status_code == 413 and "200.0 MB" in _text(response) and "50 MB" in _text(response)


def _numbered_rows(n: int) -> list[list[str]]:
    return [[f"P-{i}", f"Plan {i}", "Utrecht", "10"] for i in range(n)]


def test_a_csv_over_the_row_limit_is_refused_while_it_is_read(tmp_path, settings):
    from bouwregie.ingest.readers import LINES_ABOVE_HEADER

    settings.IMPORT_MAX_ROWS = 50
    path = tmp_path / "lang.csv"
    path.write_bytes(_csv_bytes([DUTCH[0], *_numbered_rows(51)]))
    with pytest.raises(ImportRefused, match="meer dan 50 regels met gegevens; de grens is 50"):
        read_table(path)
    path.write_bytes(_csv_bytes([DUTCH[0], *_numbered_rows(50)]))
    assert len(read_table(path).rows) == 50
    # Reading stops early: a broken line past the limit (a cell over csv's field limit) is never reached.
    rows = [DUTCH[0], *_numbered_rows(50 + LINES_ABOVE_HEADER + 1), ["x", "y" * 200_000, "z", "1"]]
    path.write_bytes(_csv_bytes(rows))
    with pytest.raises(ImportRefused, match="meer dan 50 regels"):
        read_table(path)


def test_excel_and_gis_files_over_the_row_limit_are_refused(tmp_path, settings):
    import json

    settings.IMPORT_MAX_ROWS = 20
    xlsx = tmp_path / "lang.xlsx"
    xlsx.write_bytes(_xlsx([DUTCH[0], *_numbered_rows(21)]))
    with pytest.raises(ImportRefused, match="meer dan 20 regels"):
        read_table(xlsx)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.1, 52.1]},
                 "properties": {"Plan ID": f"P-{i}", "Plannaam": "x", "Gemeente": "Utrecht", "Restcapaciteit": 1}}
                for i in range(21)]  # fmt: skip
    geojson = tmp_path / "lang.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(ImportRefused, match="meer dan 20 regels"):
        read_table(geojson)
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features[:20]}))
    assert len(read_table(geojson).rows) == 20


def test_the_row_limit_reaches_the_upload_and_the_cli(client, world, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 10
    content = _csv_bytes([DUTCH[0], *_numbered_rows(11)])
    client.force_login(world["users"]["provincie_utrecht"])
    job = _web_upload(client, "lang.csv", content)
    run = ImportRun.objects.get(pk=job.result["import"])
    assert run.status == "geweigerd" and "de grens is 10" in run.message and _uploads(settings) == []
    path = tmp_path / "lang.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="de grens is 10"):
        call_command("import", str(path), "--source", "Provincie Utrecht")


def test_a_broken_shapefile_in_a_zip_names_no_temporary_folder(tmp_path, settings):
    path = Path(settings.UPLOAD_DIR) / "0123abcd" / "wijken.zip"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as archive:
        for part in ("wijken.shp", "wijken.shx", "wijken.dbf"):
            archive.writestr(part, b"geen shapefile " * 20)
    with pytest.raises(ImportRefused) as refused:
        read_table(path)
    text = str(refused.value)
    assert "wijken" in text and "bouwregie-import-" not in text and "/tmp" not in text and "0123abcd" not in text


def test_a_job_title_longer_than_the_model_allows_is_shortened(db):
    from bouwregie.jobs import runner

    job = runner.submit("bouwregie.nergens.handler", "Planlijst controleren: " + "x" * 300, {})
    assert len(job.title) == 200 and job.title.endswith("…")


def test_scrubbed_keeps_dates_and_ratios_and_drops_directories():
    from bouwregie.ingest.read_errors import scrubbed

    path = Path("/srv/var/uploads/3f2a/lijst.gpkg")
    assert scrubbed(f"'{path}' not recognized", path) == "'lijst.gpkg' not recognized"
    assert scrubbed("/vsizip//tmp/bouwregie-import-x/a.shp: bad", None) == "a.shp: bad"
    assert scrubbed("C:\\Users\\x\\lijst.csv kapot") == "lijst.csv kapot"
    assert scrubbed("datum 20/5/2020, 1/2 hard / zacht") == "datum 20/5/2020, 1/2 hard / zacht"


def test_an_unreadable_wbi_application_file_is_a_clear_400_naming_the_users_file(client, db):
    from .roles import seat_user

    client.force_login(seat_user("gem-utrecht", "Gemeente Utrecht", "gemeente", "PV26", "GM0344", "bewerker"))
    cases = ((b"id\nW1\n", "geen scheidingsteken"), (b"id;naam\nW1;Caf\xe9\n", "sla het op als UTF-8"))
    for content, expected in cases:
        upload = SimpleUploadedFile("mijn aanvragen.csv", content)
        response = client.post("/instrumenten/woningbouwimpuls/aanvragen", {"bestand": upload})
        text = _text(response)
        assert response.status_code == 400 and expected in text and "mijn_aanvragen.csv" in text, text[-600:]
        assert "bouwregie-upload-" not in text and "/tmp" not in text


def test_the_real_cli_prints_the_message_and_no_traceback(tmp_path):
    """`bouwregie import` in its own process (with its own SQLite database): exit code 1, the Dutch message on
    stderr, no traceback."""
    import os
    import subprocess
    import sys

    import bouwregie

    env = {**os.environ, "BOUWREGIE_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
           "PYTHONPATH": str(Path(bouwregie.__file__).resolve().parents[1])}  # the code under test  # fmt: skip
    subprocess.run([sys.executable, "-m", "bouwregie", "migrate", "-v0"], env=env, check=True, timeout=300)
    (tmp_path / "kapot.xlsx").write_bytes(truncated_xlsx())
    done = subprocess.run([sys.executable, "-m", "bouwregie", "import", str(tmp_path / "kapot.xlsx"), "--source", "X"],
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 1 and "niet-toegestane XML" in done.stderr and "Traceback" not in done.stderr
