"""`bouwregie backup` / `bouwregie restore` end to end through the real entry point (issue #16, fault 17).

Each database is a fresh one of the kind the suite runs on: an SQLite file under a temporary directory, or a
new PostgreSQL database when the suite runs with DATABASE_URL (dropped afterwards). Data from the demo
generator (with closed peilingen); a restore must give back every history row, the triggers that guard it
and the monitor figures, and a backup whose history was altered must be caught by the check.
"""

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from bouwregie.backup import engines  # noqa: E402
from bouwregie.backup.archive import BackupError  # noqa: E402
from bouwregie.backup.facts import HISTORY  # noqa: E402
from pgtemp import create_database, drop_database  # noqa: E402

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")
PROFILE = 'name = "eigen"\n'
FIRST_VERSION = "SELECT MIN(id) FROM projects_projectversion"
LAST_VERSION = "SELECT MAX(id) FROM projects_projectversion"


def bouwregie(env, *args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "bouwregie", *args], env=env, capture_output=True, text=True, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(f"bouwregie {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


class Databases:
    """Fresh, empty databases (with their own var/ directory) of the kind the suite runs on."""

    def __init__(self, root: Path):
        self.root, self.urls = root, []

    def new(self, name: str) -> dict:
        folder = self.root / name
        folder.mkdir()
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env["BOUWREGIE_VAR_DIR"] = str(folder)
        if ON_POSTGRESQL:
            url = create_database("bouwregie_restore")
            self.urls.append(url)
            env["DATABASE_URL"] = url
        return env

    def drop(self):
        for url in self.urls:
            drop_database(url)


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    places = Databases(tmp_path_factory.mktemp("backup"))
    yield places
    places.drop()


@pytest.fixture(scope="module")
def source(databases):
    """A database with demo data (15 closed peilingen), an own import profile, and a checked backup of it."""
    env = databases.new("source")
    bouwregie(env, "init")
    bouwregie(env, "demo", "--projects", "40", "--seed", "3")
    profiles = Path(env["BOUWREGIE_VAR_DIR"]) / "profiles"
    profiles.mkdir()
    (profiles / "eigen.toml").write_text(PROFILE)
    file = Path(env["BOUWREGIE_VAR_DIR"]).parent / "source.zip"
    made = bouwregie(env, "backup", str(file), "--check")
    assert "Backup geschreven naar" in made.stdout and "40 projecten, 148 versies" in made.stdout
    assert "Controle geslaagd" in made.stdout and "monitorcijfers van 15 gesloten peilingen gelijk" in made.stdout
    return env, file


def connect(env):
    if "DATABASE_URL" in env:
        import psycopg

        return psycopg.connect(env["DATABASE_URL"])
    return sqlite3.connect(Path(env["BOUWREGIE_VAR_DIR"]) / "bouwregie.sqlite3")


def query(env, sql) -> list[tuple]:
    db = connect(env)
    try:
        return [tuple(row) for row in db.execute(sql).fetchall()]
    finally:
        db.close()  # an open SQLite connection would keep `restore --force` out, as a running app does


def history(env) -> dict[str, list]:
    return {table: query(env, f"SELECT * FROM {table} {where} ORDER BY 1") for table, where in HISTORY.items()}


def trigger_names(env) -> set[str]:
    if "DATABASE_URL" in env:
        return {row[0] for row in query(env, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    return {row[0] for row in query(env, "SELECT name FROM sqlite_master WHERE type = 'trigger'")}


def update_refused(env) -> bool:
    db = connect(env)
    try:
        db.execute(f"UPDATE projects_projectversion SET name = 'Vervalst' WHERE id = ({FIRST_VERSION})")
    except Exception:  # noqa: BLE001 - sqlite3 and psycopg raise their own errors
        return True
    finally:
        db.rollback()
        db.close()
    return False


def monitor(env, area, peiling):
    return json.loads(bouwregie(env, "monitor", "--area", area, "--peiling", peiling, "--format", "json").stdout)


def test_restore_into_a_fresh_database_gives_back_the_whole_history(databases, source):
    env, file = source
    target = databases.new("fresh")
    restored = bouwregie(target, "restore", str(file))
    assert "Teruggezet uit" in restored.stdout and "Controle geslaagd" in restored.stdout
    assert "monitorcijfers van 15 gesloten peilingen gelijk" in restored.stdout

    before, after = history(env), history(target)
    assert {t: len(rows) for t, rows in after.items()} == {
        "projects_project": 40, "projects_externalid": 40, "projects_projectversion": 148,
        "projects_milestone": 1776, "projects_peilingentry": 507, "projects_peiling": 15,
        "projects_versionseal": 148,  # one seal per version (its milestones are fixed)
        "woondeals_woondeal": 35, "woondeals_woondealversion": 35,  # the demo's fictitious woondeals
        # issue #23: the four provinces, one in eight demo projects under the convenant (ids 8, 16, 24, 32, 40),
        # the SOK 2024 (4 parties, 6 budget lines, 4 contributions; the jaarplannen's 5 + 7 activities) and the
        # Woontop list (25 afspraken, 79 mijlpalen)
        "convenant_partner": 4, "convenant_projectrecord": 5, "sok_agreement": 1, "sok_party": 4, "sok_jaarplan": 1,
        "sok_activity": 12,
        "sok_budgetline": 6, "sok_contribution": 4, "sok_invoice": 0, "sok_expenditure": 0, "sok_budgetchange": 0,
        "sok_annualaccount": 0, "woontop_afspraak": 25, "woontop_mijlpaal": 79, "woontop_status": 0,
    }  # fmt: skip
    assert after == before
    assert trigger_names(target) == trigger_names(env) and len(trigger_names(target)) >= 12
    assert update_refused(target)
    assert monitor(target, "NL", "2025-Q1") == monitor(env, "NL", "2025-Q1")
    assert (Path(target["BOUWREGIE_VAR_DIR"]) / "profiles" / "eigen.toml").read_text() == PROFILE
    assert "eigen.toml" in restored.stdout


def test_backup_while_the_application_writes(source):
    """A write transaction still open during the backup does not block it and is not in it: the backup is
    one committed state (SQLite's backup API under WAL, pg_dump under an exported snapshot)."""
    env, _file = source
    (committed,) = query(env, "SELECT COUNT(*) FROM django_session")[0]
    writer = connect(env)
    try:
        if "DATABASE_URL" not in env:
            writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) "
            "VALUES ('onvoltooid', 'x', '2099-01-01 00:00:00+00:00')"
        )
        file = Path(env["BOUWREGIE_VAR_DIR"]).parent / "during-write.zip"
        bouwregie(env, "backup", str(file))
    finally:
        writer.rollback()
        writer.close()
    assert json.loads(zipfile.ZipFile(file).read("manifest.json"))["tables"]["django_session"] == committed


def _tamper(env, statements: list[str]) -> None:
    """Change history behind the triggers' back, as a damaged or forged backup would carry it."""
    db = connect(env)
    try:
        if "DATABASE_URL" in env:
            db.execute("SET session_replication_role = replica")  # no triggers for this session (superuser)
            for sql in statements:
                db.execute(sql)
        else:
            triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
            for name, _sql in triggers:
                db.execute(f"DROP TRIGGER {name}")
            for sql in statements:
                db.execute(sql)
            for _name, sql in triggers:
                db.execute(sql)
        db.commit()
    finally:
        db.close()


def _forged(databases, source, name: str, statements: list[str]) -> Path:
    """The backup of a tampered copy of the source, carrying the source's own manifest."""
    env, file = source
    copy = databases.new(name)
    bouwregie(copy, "restore", str(file))
    _tamper(copy, statements)
    tampered = Path(copy["BOUWREGIE_VAR_DIR"]).parent / f"{name}-own.zip"
    bouwregie(copy, "backup", str(tampered))
    forged = Path(copy["BOUWREGIE_VAR_DIR"]).parent / f"{name}.zip"
    with zipfile.ZipFile(file) as original, zipfile.ZipFile(tampered) as bad, zipfile.ZipFile(forged, "w") as out:
        for member in original.namelist():
            source_archive = bad if member.startswith("database.") else original
            out.writestr(member, source_archive.read(member))
    return forged


ALTERED = "De historie in projects_projectversion wijkt af van de backup (controlesom)."
REMOVED = "De historie in projects_milestone heeft 1775 rijen, de backup 1776."


def test_a_tampered_backup_is_caught_by_the_check(databases, source):
    forged = _forged(
        databases,
        source,
        "tampered",
        [
            f"UPDATE projects_projectversion SET name = 'Vervalst' WHERE id = ({LAST_VERSION})",
            "DELETE FROM projects_milestone WHERE id = (SELECT MAX(id) FROM projects_milestone)",
        ],
    )
    target = databases.new("tampered-target")

    trial = bouwregie(target, "restore", str(forged), "--dry-run", check=False)
    assert trial.returncode != 0 and "er is niets teruggezet" in trial.stderr
    assert ALTERED in trial.stderr and REMOVED in trial.stderr

    real = bouwregie(target, "restore", str(forged), check=False)
    assert real.returncode != 0 and ALTERED in real.stderr and REMOVED in real.stderr
    if ON_POSTGRESQL:  # pg_restore has committed; the check says so and fails the command
        assert "De database is teruggezet, maar wijkt af van de backup" in real.stderr
    else:  # checked before the rename: the target is untouched
        assert not (Path(target["BOUWREGIE_VAR_DIR"]) / "bouwregie.sqlite3").exists()
        assert not [p for p in Path(target["BOUWREGIE_VAR_DIR"]).iterdir() if p.name.startswith(".bouwregie")]


def restore_error(*args) -> str:
    """The message of a refused restore, run in this process: refusals happen before any database is touched."""
    with pytest.raises(CommandError) as refused:
        call_command("restore", *map(str, args))
    return str(refused.value)


def test_restore_refuses_a_file_that_is_no_usable_backup(source, tmp_path):
    _env, file = source
    assert "niet gevonden" in restore_error(tmp_path / "weg.zip")
    text = tmp_path / "notities.txt"
    text.write_text("geen backup")
    assert "is geen Bouwregie-backup" in restore_error(text)
    assert "is geen Bouwregie-backup" in restore_error(_zip(tmp_path / "ander.zip", {"iets.txt": "x"}))

    manifest = json.loads(zipfile.ZipFile(file).read("manifest.json"))
    newer = {**manifest, "migrations": {**manifest["migrations"], "projects": ["9999_uit_de_toekomst"]}}
    message = restore_error(_zip(tmp_path / "nieuwer.zip", {"manifest.json": json.dumps(newer), _member(newer): "x"}))
    assert "nieuwere versie van Bouwregie" in message and "projects.9999_uit_de_toekomst" in message

    wrong = {**manifest, "database": "postgresql" if manifest["database"] == "sqlite" else "sqlite"}
    message = restore_error(_zip(tmp_path / "soort.zip", {"manifest.json": json.dumps(wrong), _member(wrong): "x"}))
    assert "zet een backup terug in hetzelfde soort database" in message


def test_a_database_with_data_is_only_overwritten_on_request(source):
    env, file = source
    refused = bouwregie(env, "restore", str(file), check=False)
    assert refused.returncode != 0 and "De doeldatabase is niet leeg" in refused.stderr and "--force" in refused.stderr
    forced = bouwregie(env, "restore", str(file), "--force")
    assert "Controle geslaagd" in forced.stdout
    exists = bouwregie(env, "backup", str(file), check=False)
    assert exists.returncode != 0 and "bestaat al" in exists.stderr


def _member(manifest):
    return {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[manifest["database"]]


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_pg_dump_missing_or_too_old_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(engines.shutil, "which", lambda name: None)
    monkeypatch.setattr(engines, "CLIENT_DIRS", str(tmp_path / "*" / "bin"))
    with pytest.raises(BackupError, match="pg_dump niet gevonden: installeer de PostgreSQL-clientprogramma's"):
        engines.client("pg_dump", 15)

    old = tmp_path / "9.6" / "bin" / "pg_dump"
    old.parent.mkdir(parents=True)
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    with pytest.raises(BackupError, match=r"pg_dump 9.6.24 is te oud: versie 15 of nieuwer is nodig"):
        engines.client("pg_dump", 15)
    assert engines.client("pg_dump", 9) == (str(old), "9.6.24")


def test_the_password_reaches_pg_dump_through_the_environment(monkeypatch):
    """DATABASE_URL's parts become libpq's PG* variables (pg_dump and pg_restore get no password argument)."""
    from django.db import connection

    parts = {"HOST": "db.example", "PORT": "6543", "USER": "beheer", "PASSWORD": "geheim", "NAME": "bouwregie"}
    for key, value in parts.items():
        monkeypatch.setitem(connection.settings_dict, key, value)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"sslmode": "require"})
    env = engines._client_env()
    assert [env[v] for v in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE")] == [
        "db.example", "6543", "beheer", "geheim", "bouwregie", "require",
    ]  # fmt: skip
