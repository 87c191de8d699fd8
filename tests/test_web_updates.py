"""The quarterly update in the browser (issue #5): upload a plan list, preview, confirm or cancel, as a
background job; close a peiling; the delays and alternatives pages. Through the real views and the real
importer, with the same world and roles as tests/test_web.py."""

import html
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bouwregie.ingest.models import ImportRun
from bouwregie.jobs import runner
from bouwregie.jobs.models import Job
from bouwregie.projects import services
from bouwregie.projects.models import Peiling, Project, ProjectVersion
from bouwregie.projects.rules import MilestoneData as M

from .planlijsten import PROVINCIAL_HEADER, PROVINCIAL_ROWS, write_csv
from .roles import build_world

UTRECHT_ROWS = [r for r in PROVINCIAL_ROWS if r[0] in ("P-008", "P-010")]  # both in gemeente Utrecht (GM0344)


@pytest.fixture
def world(db):
    return build_world()


def _upload(client, tmp_path, rows, name="planlijst.csv", **fields):
    path = write_csv(tmp_path / name, PROVINCIAL_HEADER, rows)
    data = {"file": SimpleUploadedFile(name, path.read_bytes()), "source": "Provincie Utrecht", "profile": "",
            "sheet": "", "peiling": "2025-Q3", **fields}  # fmt: skip
    return client.post("/planlijsten", data)


def _follow_job(client, response):
    """The upload answers with the job's page; the (inline) job is done, so the page sends us on."""
    assert response.status_code == 302 and re.fullmatch(r"/taken/\d+", response.url), response
    job_page = client.get(response.url)
    assert job_page.status_code == 302, job_page.content.decode()[:500]
    return job_page.url, client.get(job_page.url)


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_upload_shows_a_preview_that_writes_nothing_then_confirm_writes_the_new_projects(client, world, tmp_path):
    client.force_login(world["users"]["provincie_utrecht"])
    before = Project.objects.count()
    url, preview = _follow_job(client, _upload(client, tmp_path, UTRECHT_ROWS))
    text = _text(preview)
    assert "Voorbeeld: dit zou de import veranderen. Er is nog niets opgeslagen." in text
    assert "2 nieuwe projecten" in text and "Oude School" in text and "Werf" in text
    assert "Bevestigen en opslaan" in text
    assert Project.objects.count() == before  # a preview writes nothing
    run = ImportRun.objects.get(pk=int(url.rsplit("/", 1)[1]))
    assert run.dry_run and Path(run.upload_path).is_file()

    confirmed = client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "bevestigen"})
    outcome_url, outcome = _follow_job(client, confirmed)
    assert "Opgeslagen" in _text(outcome)
    assert Project.objects.count() == before + 2
    assert set(ProjectVersion.objects.filter(project__external_ids__external_id__in=["P-008", "P-010"])
               .values_list("municipality_id", flat=True)) == {"GM0344"}  # fmt: skip
    run.refresh_from_db()
    applied = ImportRun.objects.get(pk=int(outcome_url.rsplit("/", 1)[1]))
    assert run.decision == "bevestigd" and run.decided_by == "provincie_utrecht" and run.applied_as == applied
    assert applied.status == "geslaagd" and applied.author == "provincie_utrecht" and applied.counts["new"] == 2
    assert not Path(tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())  # upload removed
    assert client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "bevestigen"}).status_code == 403  # once


def test_cancelling_a_preview_writes_nothing_and_deletes_the_upload(client, world, tmp_path):
    client.force_login(world["users"]["provincie_utrecht"])
    url, _preview = _follow_job(client, _upload(client, tmp_path, UTRECHT_ROWS))
    run = ImportRun.objects.get(pk=int(url.rsplit("/", 1)[1]))
    upload = Path(run.upload_path)
    response = client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "annuleren"})
    assert response.status_code == 302 and response.url == url
    assert "Geannuleerd door provincie_utrecht" in _text(client.get(url))
    assert not upload.exists() and Project.objects.filter(external_ids__external_id="P-008").count() == 0


def test_rows_outside_the_users_municipality_are_errors_and_only_the_valid_rows_can_be_saved(client, world, tmp_path):
    client.force_login(world["users"]["gemeente_utrecht"])
    url, preview = _follow_job(client, _upload(client, tmp_path, PROVINCIAL_ROWS))
    text = _text(preview)
    assert "U mag geen projecten in gemeente GM0363 wijzigen." in text
    assert "Bevestigen en opslaan" not in text and "Alleen de 2 geldige regels opslaan" in text
    run = ImportRun.objects.get(pk=int(url.rsplit("/", 1)[1]))
    _url, outcome = _follow_job(client, client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "gedeeltelijk"}))
    assert "Gedeeltelijk opgeslagen" in _text(outcome)
    assert set(Project.objects.filter(external_ids__source="Provincie Utrecht")
               .values_list("external_ids__external_id", flat=True)) == {"P-008", "P-010"}  # fmt: skip


def test_a_changed_list_previews_which_projects_change_and_which_are_missing(client, world, tmp_path):
    client.force_login(world["users"]["provincie_utrecht"])
    first, _ = _follow_job(client, _upload(client, tmp_path, UTRECHT_ROWS))
    _follow_job(client, client.post(f"/planlijsten/{first.rsplit('/', 1)[1]}/besluit", {"besluit": "bevestigen"}))
    changed = [r[:6] + ["45"] + r[7:] for r in UTRECHT_ROWS if r[0] == "P-008"]  # P-008 30 → 45 homes; P-010 gone
    _url, preview = _follow_job(client, _upload(client, tmp_path, changed, name="update.csv"))
    text = _text(preview)
    assert "1 gewijzigd project" in text and "30 → 45" in text and "woningen" in text
    assert "1 project niet meer in de planlijst" in text and "Werf" in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lijst.pdf", b"%PDF-1.4", "Bestandstype '.pdf' wordt niet ondersteund"),
        ("leeg.csv", b"", "Het verstuurde bestand is leeg."),  # Django's own check, in Dutch
    ],
)
def test_bad_uploads_are_refused_in_the_form_with_a_clear_message(client, world, name, content, message):
    client.force_login(world["users"]["provincie_utrecht"])
    response = client.post("/planlijsten", {"file": SimpleUploadedFile(name, content), "source": "P"})
    assert response.status_code == 400 and message in _text(response)
    assert not Job.objects.exists() and not ImportRun.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(client, world, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(world["users"]["provincie_utrecht"])
    response = _upload(client, tmp_path, UTRECHT_ROWS)
    assert response.status_code == 400 and "de grens is 0.0001 MB" in _text(response)


def test_a_corrupt_file_gives_a_refused_preview_with_the_reason_and_nothing_to_confirm(client, world, tmp_path):
    client.force_login(world["users"]["provincie_utrecht"])
    response = client.post("/planlijsten", {"file": SimpleUploadedFile("lijst.xlsx", b"not a zip"), "source": "P"})
    _url, preview = _follow_job(client, response)
    text = _text(preview)
    assert "Geweigerd, er is niets opgeslagen:" in text
    assert "xlsx" in text.lower() and "Bevestigen" not in text and "Annuleren" not in text
    assert not any((tmp_path / "uploads").iterdir())  # nothing left to confirm: the upload is gone


def test_who_may_upload_decide_and_follow_a_job(client, world, tmp_path):
    client.force_login(world["users"]["rijk"])  # reads the log, may not upload
    assert client.get("/planlijsten").status_code == 200 and "Uploaden" not in _text(client.get("/planlijsten"))
    assert _upload(client, tmp_path, UTRECHT_ROWS).status_code == 403
    client.force_login(world["users"]["provincie_utrecht"])
    response = _upload(client, tmp_path, UTRECHT_ROWS)
    job_url = response.url
    preview_url, _ = _follow_job(client, response)
    run_id = preview_url.rsplit("/", 1)[1]
    client.force_login(world["users"]["gemeente_utrecht"])  # may import, but did not upload this one
    assert client.post(f"/planlijsten/{run_id}/besluit", {"besluit": "bevestigen"}).status_code == 403
    assert client.get(job_url).status_code == 403 and client.get(job_url + ".json").status_code == 403
    client.force_login(world["users"]["corporatie"])
    assert _upload(client, tmp_path, UTRECHT_ROWS).status_code == 403


def test_a_job_reports_progress_as_json_and_an_interrupted_one_says_so(client, world, settings):
    client.force_login(world["users"]["beheerder"])
    job = Job.objects.create(handler="tests.test_web_updates.done_handler", title="t", params={"n": 3},
                             created_by=world["users"]["beheerder"], status="bezig", progress=40,
                             stage="Regels controleren", heartbeat_at=datetime.now(UTC), started_at=datetime.now(UTC),
                             worker="elders-77", worker_host="een-andere-machine", worker_pid=77)  # fmt: skip
    state = client.get(f"/taken/{job.pk}.json").json()
    assert state | {"label": ""} == {"status": "bezig", "label": "", "progress": 40, "stage": "Regels controleren",
                                     "error": "", "url": None, "done": False, "retryable": False}  # fmt: skip
    assert client.post(f"/taken/{job.pk}/opnieuw").status_code == 302  # refused while alive: back to the job
    assert Job.objects.count() == 1
    # Its worker (on another machine) stopped beating: interrupted, and it can be started again.
    long_ago = datetime.now(UTC) - runner.STALE_AFTER * 2
    Job.objects.filter(pk=job.pk).update(heartbeat_at=long_ago, started_at=long_ago)
    state = client.get(f"/taken/{job.pk}.json").json()
    assert state["status"] == "onderbroken" and state["done"] and "niets opgeslagen" in state["label"]
    assert state["retryable"] and "Opnieuw starten" in _text(client.get(f"/taken/{job.pk}?blijf"))
    again = client.post(f"/taken/{job.pk}/opnieuw")
    new = Job.objects.exclude(pk=job.pk).get()
    assert again.url == f"/taken/{new.pk}" and new.retry_of_id == job.pk and new.params["n"] == 3
    assert new.status == "klaar" and new.result == {"url": "/", "n": 3}
    job.refresh_from_db()
    assert job.status == "mislukt" and "Onderbroken" in job.error  # a late worker cannot revive it


def done_handler(params, progress):
    return {"url": "/", "n": params["n"]}


def test_a_failing_job_shows_its_message(client, world):
    client.force_login(world["users"]["beheerder"])
    job = runner.submit("tests.test_web_updates.failing_handler", "faalt", {}, world["users"]["beheerder"])
    assert job.status == "mislukt" and job.error == "Het bestand is weg."
    page = _text(client.get(f"/taken/{job.pk}"))
    assert "Mislukt" in page and "Het bestand is weg." in page


def failing_handler(params, progress):
    progress(10, "begin")
    raise runner.JobFailed("Het bestand is weg.")


def test_only_the_beheerder_closes_a_peiling_after_saying_it_is_irreversible(client, world):
    client.force_login(world["users"]["provincie_utrecht"])
    assert "Peiling sluiten" not in _text(client.get("/peilingen"))
    assert client.post("/peilingen", {"peiling": "2025-Q3", "zeker": "ja"}).status_code == 403
    client.force_login(world["users"]["beheerder"])
    page = _text(client.get("/peilingen"))
    assert "Peiling sluiten" in page and "2025-Q3" in page  # the quarter after the last closed one
    client.post("/peilingen", {"peiling": "2025-Q3"})
    assert not Peiling.objects.filter(code="2025-Q3", closed_at__isnull=False).exists()
    assert "onomkeerbaar" in _text(client.get("/peilingen"))
    response = client.post("/peilingen", {"peiling": "2025-Q3", "zeker": "ja"})
    assert response.status_code == 302 and response.url == "/?peiling=2025-Q3"
    page = _text(client.get(response.url))
    assert "Peiling 2025-Q3 is gesloten met 2 projecten." in page
    # The forecast's calibration follows as a background job (inline in tests), stored with the peiling.
    from bouwregie.forecast.models import StoredCalibration
    from bouwregie.jobs.models import Job

    job = Job.objects.get(handler="bouwregie.forecast.jobs.calibration_job")
    assert f"op de achtergrond gekalibreerd op peiling 2025-Q3 (taak /taken/{job.pk})" in page
    assert job.status == Job.Status.KLAAR and StoredCalibration.objects.filter(peiling__code="2025-Q3").exists()
    client.post("/peilingen", {"peiling": "2025-Q2", "zeker": "ja"})
    assert "Peiling 2025-Q2 is al gesloten." in _text(client.get("/peilingen"))


def _postpone_the_utrecht_delivery(world) -> None:
    """A new version (1 August 2025) moves the Utrecht project's delivery from June 2027 to June 2028."""
    project = Project.objects.get(code=world["utrecht"])
    later = (M("start_bouw", actual=date(2025, 3, 1)), M("oplevering", planned=date(2028, 6, 1)))
    current = services.current_data([project.id])[project.id][1]
    meta = services.VersionMeta("t", "web", "later", created_at=datetime(2025, 8, 1, tzinfo=UTC))
    services.create_version(project, replace(current, milestones=later), meta)


def test_delays_and_alternatives_pages_show_the_monitors_findings(client, world):
    _postpone_the_utrecht_delivery(world)
    services.close_peiling("2025-Q3", author="t", now=datetime(2025, 10, 15, tzinfo=UTC))
    client.force_login(world["users"]["gemeente_utrecht"])
    text = _text(client.get("/vertragingen?gebied=GM0344&van=2025-Q2&tot=2025-Q3"))
    assert "Merwedekanaalzone" in text and "Oplevering: 1-6-2027 → 1-6-2028 (12,0 maanden later)" in text
    assert "40 woningen later opgeleverd (gemiddeld jaar 2027,0 → 2028,0)" in text
    assert "1 projecten vertraagd" in text
    response = client.get("/alternatieven?gebied=GM0344&jaar=2027&peiling=2025-Q3&tekort=50")
    assert response.status_code == 200 and "tekort" in _text(response)
    bad = client.get("/alternatieven?gebied=GM0344&jaar=twintig&peiling=2025-Q3")
    assert bad.status_code == 400 and "Het jaar moet een heel getal van 0 of meer zijn, niet 'twintig'." in _text(bad)
    assert client.get("/vertragingen?gebied=XX99&van=2025-Q2&tot=2025-Q3").status_code == 400


def test_the_import_log_lists_cli_imports_too(client, world, tmp_path):
    from bouwregie.ingest.importer import ImportOptions, run_import

    run_import(write_csv(tmp_path / "cli.csv", PROVINCIAL_HEADER, UTRECHT_ROWS), ImportOptions(source="CLI-bron"))
    client.force_login(world["users"]["rijk"])
    assert "CLI-bron — cli.csv" in _text(client.get("/planlijsten"))


def test_the_validation_report_downloads_as_csv(client, world, tmp_path):
    client.force_login(world["users"]["gemeente_utrecht"])
    url, _ = _follow_job(client, _upload(client, tmp_path, PROVINCIAL_ROWS))
    report = client.get(url + "/rapport.csv")
    assert report["Content-Type"].startswith("text/csv")
    assert "U mag geen projecten in gemeente GM0363 wijzigen." in report.content.decode("utf-8-sig")


def test_the_delayed_filter_lists_the_projects_that_slipped_in_web_and_api(client, world):
    _postpone_the_utrecht_delivery(world)
    client.force_login(world["users"]["rijk"])
    assert "0 projecten gevonden" in _text(client.get("/projecten?vertraagd=ja"))  # one closed peiling: none yet
    services.close_peiling("2025-Q3", author="t", now=datetime(2025, 10, 15, tzinfo=UTC))
    text = _text(client.get("/projecten?vertraagd=ja"))
    assert "1 project gevonden" in text and "Merwedekanaalzone" in text and "Sluisbuurt" not in text
    assert "0 projecten gevonden" in _text(client.get("/projecten?vertraagd=ja&gebied=GM0363"))
    api = client.get("/api/v1/projects?delayed=true", HTTP_AUTHORIZATION=f"Bearer {world['keys']['rijk']}").json()
    assert [p["code"] for p in api["results"]] == [world["utrecht"]]


def test_the_new_pages_speak_english_on_request(client, world, tmp_path):
    client.force_login(world["users"]["provincie_utrecht"])
    client.cookies["django_language"] = "en"
    assert "Upload a new plan list" in _text(client.get("/planlijsten"))
    url, preview = _follow_job(client, _upload(client, tmp_path, UTRECHT_ROWS))
    text = _text(preview)
    assert "Preview: this is what the import would change. Nothing has been saved yet." in text
    assert "2 new projects" in text and "Confirm and save" in text
    _url, refused = _follow_job(client, _upload(client, tmp_path, PROVINCIAL_ROWS, name="alle.csv"))
    assert "You may not change projects in municipality GM0363." in _text(refused)  # the importer's own messages
    assert "Delays between two peilingen" in _text(client.get("/vertragingen"))
    assert "Colour municipalities by" in _text(client.get("/kaart"))


def test_the_api_uploads_previews_and_confirms_a_plan_list_with_the_same_steps(client, world, tmp_path):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['provincie_utrecht']}"}
    csv_file = write_csv(tmp_path / "api.csv", PROVINCIAL_HEADER, UTRECHT_ROWS)
    with open(csv_file, "rb") as f:
        started = client.post("/api/v1/imports", {"file": f, "source": "Provincie Utrecht", "peiling": "2025-Q3"},
                              **auth)  # fmt: skip
    assert started.status_code == 202, started.content
    job = started.json()
    assert job["status"] == "klaar" and job["done"] and job["import_id"]
    assert client.get(f"/api/v1/jobs/{job['id']}", **auth).json() == job
    preview = client.get(f"/api/v1/imports/{job['import_id']}", **auth).json()
    assert preview["dry_run"] and preview["status"] == "proef" and Project.objects.filter(
        external_ids__external_id="P-008").count() == 0  # fmt: skip
    confirmed = client.post(f"/api/v1/imports/{job['import_id']}/decision", {"decision": "bevestigen"},
                            content_type="application/json", **auth)  # fmt: skip
    assert confirmed.status_code == 202
    applied = client.get(f"/api/v1/imports/{confirmed.json()['import_id']}", **auth).json()
    assert applied["status"] == "geslaagd" and not applied["dry_run"]
    assert Project.objects.filter(external_ids__external_id__in=["P-008", "P-010"]).count() == 2
    again = client.post(f"/api/v1/imports/{job['import_id']}/decision", {"decision": "annuleren"},
                        content_type="application/json", **auth)  # fmt: skip
    assert again.status_code == 403 and again["Content-Type"] == "application/problem+json"


def test_the_api_refuses_bad_uploads_and_other_peoples_jobs(client, world, tmp_path):
    def upload(role, name, content):
        return client.post("/api/v1/imports", {"file": SimpleUploadedFile(name, content), "source": "x"},
                           HTTP_AUTHORIZATION=f"Bearer {world['keys'][role]}")  # fmt: skip

    wrong = upload("provincie_utrecht", "lijst.pdf", b"%PDF-1.4")
    assert wrong.status_code == 400 and "Bestandstype '.pdf' wordt niet ondersteund" in wrong.json()["detail"]
    assert upload("corporatie", "lijst.csv", b"a;b\n1;2\n").status_code == 403
    job = upload("provincie_utrecht", "lijst.csv", b"a;b\n1;2\n").json()
    other = client.get(f"/api/v1/jobs/{job['id']}", HTTP_AUTHORIZATION=f"Bearer {world['keys']['gemeente_utrecht']}")
    assert other.status_code == 403
    assert (
        client.get("/api/v1/jobs/999999", HTTP_AUTHORIZATION=f"Bearer {world['keys']['beheerder']}").status_code == 404
    )


def test_uploads_nobody_decided_on_are_deleted_after_a_week(client, world, tmp_path):
    from datetime import timedelta

    from bouwregie.ingest import uploads

    client.force_login(world["users"]["provincie_utrecht"])
    url, _ = _follow_job(client, _upload(client, tmp_path, UTRECHT_ROWS))
    run = ImportRun.objects.get(pk=int(url.rsplit("/", 1)[1]))
    assert uploads.forget_stale_uploads() == 0 and Path(run.upload_path).is_file()  # still within the week
    later = run.created_at + timedelta(days=uploads.KEEP_UNDECIDED_DAYS, minutes=1)
    path = Path(run.upload_path)
    assert uploads.forget_stale_uploads(now=later) == 1
    run.refresh_from_db()
    assert not path.exists() and run.upload_path == "" and not run.decision
    assert "Bevestigen" not in _text(client.get(url))  # nothing left to confirm
