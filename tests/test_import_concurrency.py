"""One import per source at a time (issue #16, fault 6). Two imports of the same source at once both wrote: each
project got two identical consecutive versions, and with a new source the second crashed with a raw
UniqueViolation and no log entry. Now the second one is told, in the import log (CLI, web, API), and writes
nothing, or it comes after the first and finds nothing to change.

In one process, the other import is slipped in between this one's check and its write (deterministic); with two
real `bouwregie import` processes on a fresh database, whatever the interleaving. SQLite and PostgreSQL."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bouwregie.ingest import importer
from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.ingest.models import ImportRun
from bouwregie.projects import services
from bouwregie.projects.models import ExternalId, ProjectVersion
from bouwregie.projects.rules import canonical

from .roles import build_world

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pgtemp import create_database, drop_database  # noqa: E402

SOURCE = "Gemeente Utrecht"
HEADER = "extern_id;projectnaam;gemeentecode;sociale_huur_gestapeld;dure_koop_grondgebonden"
MUNICIPALITIES = ["GM0344", "GM0363", "GM0599", "GM0518"]


def plan_list(path: Path, rows: int, homes: int = 10) -> Path:
    lines = [HEADER] + [
        f"U-{i};Plan {i};{MUNICIPALITIES[i % len(MUNICIPALITIES)]};{homes + i % 7};{i % 5}" for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def identical_consecutive_versions() -> list[str]:
    """Projects whose history has two consecutive versions with the same content."""
    found = []
    versions = ProjectVersion.objects.order_by("project_id", "number").values_list("project_id", "id", "number")
    previous = {}
    for project_id, version_id, _number in versions:
        (_n, data), = services._data_of(ProjectVersion.objects.filter(id=version_id)).values()  # fmt: skip
        if project_id in previous and canonical(previous[project_id]) == canonical(data):
            found.append(str(project_id))
        previous[project_id] = data
    return found


@pytest.fixture
def rival(monkeypatch):
    """Runs another import of the same file and source right after this import has made its plan, as a second
    process would that was a moment quicker."""
    original, state = importer._plan, {"done": False}

    def plan_then_rival(table, binding, options, now):
        plan = original(table, binding, options, now)
        if "path" in state and not state["done"] and not options.dry_run:
            state["done"] = True
            state["run"] = run_import(state["path"], ImportOptions(source=options.source, author="collega")).run
        return plan

    monkeypatch.setattr(importer, "_plan", plan_then_rival)
    return state


@pytest.mark.django_db
@pytest.mark.parametrize("known_source", [False, True], ids=["new source", "known source"])
def test_an_import_saved_meanwhile_refuses_the_second_with_a_clear_message(rival, tmp_path, known_source):
    path = plan_list(tmp_path / "planlijst.csv", 12)
    if known_source:
        run_import(path, ImportOptions(source=SOURCE))
        path = plan_list(tmp_path / "planlijst.csv", 12, homes=20)  # every project changes
    rival["path"] = path
    versions_before = ProjectVersion.objects.count()
    result = run_import(path, ImportOptions(source=SOURCE))  # no raw IntegrityError
    assert rival["run"].status == ImportRun.Status.GESLAAGD
    assert result.refused and ImportRun.objects.filter(pk=result.run.pk).exists()  # logged
    assert "Tegelijk met deze import is een andere import van bron 'Gemeente Utrecht' opgeslagen" in result.run.message
    assert ProjectVersion.objects.count() == versions_before + 12  # the rival's versions only
    assert ExternalId.objects.filter(source=SOURCE).count() == 12
    assert identical_consecutive_versions() == []
    # once the other import is done, this one can run again and finds nothing to change
    again = run_import(path, ImportOptions(source=SOURCE)).run
    assert again.status == ImportRun.Status.GESLAAGD and again.counts["unchanged"] == 12
    assert ProjectVersion.objects.count() == versions_before + 12


@pytest.mark.django_db
def test_the_cli_the_web_page_and_the_api_say_why(rival, tmp_path, client):
    world = build_world()
    rival["path"] = path = plan_list(tmp_path / "planlijst.csv", 3)
    with pytest.raises(CommandError, match="Tegelijk met deze import is een andere import van bron"):
        call_command("import", str(path), "--source", SOURCE, "--report", str(tmp_path / "r.csv"))
    refused = ImportRun.objects.filter(status=ImportRun.Status.GEWEIGERD).get()
    client.force_login(world["users"]["gemeente_utrecht"])
    assert "één import per bron tegelijk" in client.get(f"/planlijsten/{refused.pk}").content.decode()
    answer = client.get(f"/api/v1/imports/{refused.pk}", HTTP_AUTHORIZATION=f"Bearer {world['keys']['rijk']}")
    assert answer.status_code == 200 and "één import per bron tegelijk" in answer.json()["message"]


# --- two real processes ------------------------------------------------------------------------------------
@pytest.fixture
def fresh_database(tmp_path):
    """A database of its own, initialised by `bouwregie init` (SQLite file, or a new PostgreSQL database)."""
    env = {**os.environ, "BOUWREGIE_VAR_DIR": str(tmp_path / "var")}
    url = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"] = url = create_database("concurrency")
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bouwregie.sqlite3'}"
    bouwregie(env, "init")
    yield env
    if url:
        drop_database(url)


def bouwregie(env, *args):
    return subprocess.run([sys.executable, "-m", "bouwregie", *args], env=env, capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip


def started(env, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bouwregie", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def query(env, sql: str) -> list[tuple]:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(url) as db:
        return db.execute(sql).fetchall()


def import_twice_at_once(env, path: Path) -> list[tuple[int, str, str]]:
    processes = [started(env, "import", str(path), "--source", SOURCE, "--door", f"p{i}") for i in range(2)]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert "Traceback" not in err, err
        outcomes.append((process.returncode, out, err))
    return outcomes


def test_two_processes_importing_the_same_list_at_once_never_write_it_twice(fresh_database, tmp_path):
    env = fresh_database
    rows = 1500
    for homes in (10, 20):  # a new source, then a change to every project of it
        outcomes = import_twice_at_once(env, plan_list(tmp_path / f"planlijst-{homes}.csv", rows, homes))
        assert any(code == 0 for code, _out, _err in outcomes), outcomes
        for code, _out, err in outcomes:  # the other one either found nothing left to change, or was told why
            assert code == 0 or "Tegelijk met deze import is een andere import van bron" in err, err
    per_project = query(env, "SELECT project_id, COUNT(*) FROM projects_projectversion GROUP BY project_id")
    assert len(per_project) == rows and {n for _p, n in per_project} == {2}  # one version per list, never two
    assert query(env, f"SELECT COUNT(*) FROM projects_externalid WHERE source = '{SOURCE}'") == [(rows,)]
    logged = query(env, "SELECT COUNT(*) FROM ingest_importrun WHERE dry_run = false")
    assert logged == [(4,)]  # every attempt in the import log
