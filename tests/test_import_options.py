"""Issue #16, fault 9 for the import's own options: a source, profile, sheet or peiling longer than the import
log's column, or a header row beyond its range, is refused with the column's limit — through the CLI, the web
form and the API alike, the same on SQLite and PostgreSQL — and the refusal itself is logged."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from bouwregie.ingest.models import ImportRun
from bouwregie.projects.models import ProjectVersion

from .planlijsten import PROVINCIAL_HEADER, PROVINCIAL_ROWS, write_csv
from .roles import build_world

LONG_SOURCE = "Provincie " + "U" * 91  # 101 characters; the column holds 100


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--source", LONG_SOURCE, "De bron is te lang: 101 tekens, hooguit 100."),
        ("--sheet", "b" * 101, "Het werkblad is te lang: 101 tekens, hooguit 100."),
        ("--header-row", "3000000000", "De kopregel moet tussen 0 en 2147483647 liggen, niet 3000000000."),
        ("--header-row", "0", "De kopregel is een regelnummer vanaf 1, niet 0."),
    ],
)
def test_the_cli_refuses_options_longer_than_the_log_holds(world, tmp_path, option, value, expected):
    path = write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS)
    before = ProjectVersion.objects.count()
    arguments = [str(path), "--source", "Provincie Utrecht", option, value]
    with pytest.raises(CommandError, match=re.escape(expected)):
        call_command("import", *arguments)
    run = ImportRun.objects.get()
    assert run.status == "geweigerd" and expected in run.message
    assert ProjectVersion.objects.count() == before


def test_the_web_form_and_the_api_refuse_a_source_longer_than_the_log_holds(client, world, tmp_path):
    path = write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS)
    client.force_login(world["users"]["provincie_utrecht"])
    page = client.post("/planlijsten", {"file": SimpleUploadedFile("lijst.csv", path.read_bytes()),
                                        "source": LONG_SOURCE, "profile": "", "sheet": "", "peiling": ""})  # fmt: skip
    assert page.status_code == 400 and "101" in page.content.decode()  # the form names the length
    huge_row = client.post("/planlijsten", {"file": SimpleUploadedFile("lijst.csv", path.read_bytes()),
                                            "source": "Provincie Utrecht", "header_row": "3000000000"})  # fmt: skip
    assert huge_row.status_code == 400 and "2147483647" in huge_row.content.decode().replace(".", "")
    api = client.post("/api/v1/imports", {"file": SimpleUploadedFile("lijst.csv", path.read_bytes()),
                                          "source": LONG_SOURCE},
                      HTTP_AUTHORIZATION=f"Bearer {world['keys']['provincie_utrecht']}")  # fmt: skip
    assert api.status_code in (400, 422) and api["Content-Type"] == "application/problem+json"
