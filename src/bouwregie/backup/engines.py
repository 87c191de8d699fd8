"""Backup and restore per database, each with the tool made for it.

SQLite: `sqlite3.Connection.backup` (SQLite's online backup API) copies the database in one step, a
consistent snapshot even while the application writes (WAL); a restore is unpacked to a temporary file
next to the database, checked, and renamed over it, so a failed restore leaves the database untouched.

PostgreSQL: `pg_dump --format=custom` under an exported snapshot, so the dump and the manifest see the
same committed state; `pg_restore --single-transaction` (all or nothing), `--clean` only with --force.
Connection parameters come from DATABASE_URL and reach the client programs through the PG* environment
variables: the password is never on a command line.
"""

import glob
import importlib.metadata
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from bouwregie.backup import archive, facts
from bouwregie.backup.archive import BackupError

# Where Debian and Ubuntu put the client programs of each PostgreSQL version besides the one on PATH.
CLIENT_DIRS = "/usr/lib/postgresql/*/bin"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class CheckFailed(BackupError):
    """The restored database differs from the manifest."""

    def __init__(self, problems: list[str], restored: bool):
        self.problems, self.restored = problems, restored
        lead = (
            _("De database is teruggezet, maar wijkt af van de backup:")
            if restored
            else _("De controle van de backup faalt; er is niets teruggezet:")
        )
        super().__init__("\n".join([lead, *(f"  - {p}" for p in problems)]))


def app_version() -> str:
    try:
        return importlib.metadata.version("bouwregie")
    except importlib.metadata.PackageNotFoundError:
        return "onbekend"


def vendor() -> str:
    if connection.vendor not in archive.DATABASE:
        raise BackupError(_("Backup is er alleen voor SQLite en PostgreSQL, niet voor %s.") % connection.vendor)
    return connection.vendor


def make_backup(destination: Path, force: bool = False) -> dict:
    """Write a backup of the database behind DATABASE_URL to `destination`; returns the manifest."""
    kind = vendor()
    with tempfile.TemporaryDirectory(prefix="bouwregie-backup-") as folder:
        copy = Path(folder) / archive.DATABASE[kind]
        found, extra = (_sqlite_backup if kind == "sqlite" else _postgresql_backup)(copy)
        manifest = {
            "format": archive.FORMAT,
            "format_version": archive.FORMAT_VERSION,
            "app_version": app_version(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": kind,
            **extra,
            **found,
        }
        archive.write(destination, manifest, copy, force=force)
    return manifest


def check_compatible(manifest: dict) -> None:
    """Refuse a backup of the other kind of database, or from a newer version of Bouwregie."""
    kind = vendor()
    if manifest["database"] != kind:
        names = {"backup": NAMES.get(manifest["database"], manifest["database"]), "target": NAMES[kind]}
        raise BackupError(
            _("Deze backup is van een %(backup)s-database en DATABASE_URL wijst naar %(target)s; zet een backup terug "
              "in hetzelfde soort database.") % names
        )  # fmt: skip
    unknown = facts.unknown_migrations(manifest.get("migrations", {}))
    if unknown:
        raise BackupError(
            _(
                "Deze backup komt van een nieuwere versie van Bouwregie (%(version)s) met migraties die deze versie "
                "(%(ours)s) niet kent: %(names)s. Werk Bouwregie eerst bij."
            )
            % {"version": manifest.get("app_version", "?"), "ours": app_version(), "names": ", ".join(unknown[:5])}
        )


def verify(manifest: dict) -> tuple[dict, list[str]]:
    """The facts of the database behind the default connection and how they differ from the manifest."""
    found = facts.collect(with_figures=True)
    found["accepted_updates"] = facts.guards_refusing()
    found["figures_compared"] = manifest.get("app_version") == app_version()
    return found, facts.differences(manifest, found, same_version=found["figures_compared"])


def restore(path: Path, manifest: dict, force: bool = False, trial: bool = False) -> dict:
    """Restore `path` into the database behind DATABASE_URL, or with `trial` into a scratch database that is
    removed afterwards (the check of a backup). Returns the facts found; raises CheckFailed on a difference."""
    check_compatible(manifest)
    if vendor() == "sqlite":
        return _sqlite_restore(path, manifest, force, trial)
    return _postgresql_restore(path, manifest, force, trial)


# --- SQLite ---------------------------------------------------------------------------------------------


def _sqlite_file() -> Path:
    return Path(connection.settings_dict["NAME"])


def _sqlite_backup(copy: Path) -> tuple[dict, dict]:
    source_path = _sqlite_file()
    if not source_path.is_file():
        raise BackupError(_("Database %(path)s niet gevonden; is 'bouwregie init' gedraaid?") % {"path": source_path})
    source, target = sqlite3.connect(source_path, timeout=20), sqlite3.connect(copy)
    try:
        source.backup(target)  # all pages in one step: one consistent snapshot, writers are not blocked (WAL)
    finally:
        source.close()
        target.close()
    with facts.database_named(copy):
        found = facts.collect()
    _settle(copy)
    return found, {"server_version": sqlite3.sqlite_version}


def _settle(path: Path) -> None:
    """Leave the file self-contained (no -wal beside it) before it is archived or renamed into place."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.close()


def _sqlite_tables(path: Path) -> tuple[int, int | None]:
    """(tables, projects) in an SQLite file; (0, None) for a file that does not exist or is empty."""
    if not path.is_file() or path.stat().st_size == 0:
        return 0, None
    db = sqlite3.connect(path)
    try:
        tables = {
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        }
        projects = (
            db.execute("SELECT COUNT(*) FROM projects_project").fetchone()[0] if "projects_project" in tables else None
        )
        return len(tables), projects
    except sqlite3.DatabaseError as error:
        raise BackupError(
            _("%(path)s is geen leesbare SQLite-database: %(error)s") % {"path": path, "error": error}
        ) from None
    finally:
        db.close()


def _sqlite_restore(path: Path, manifest: dict, force: bool, trial: bool) -> dict:
    target = _sqlite_file()
    if trial:
        with tempfile.TemporaryDirectory(prefix="bouwregie-check-") as scratch:
            return _checked_copy(path, manifest, Path(scratch))[1]
    _refuse_non_empty(*_sqlite_tables(target), force=force)
    target.parent.mkdir(parents=True, exist_ok=True)
    copy, found = _checked_copy(path, manifest, target.parent)  # next to the target: the rename stays atomic
    try:
        if target.exists():
            _quiesce(target)
            os.chmod(copy, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(copy, 0o666 & ~umask)  # as if SQLite had created it, not mkstemp's 0600
        os.replace(copy, target)  # atomic: the old database or the restored one, never half of each
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    finally:
        copy.unlink(missing_ok=True)
    return found


def _checked_copy(path: Path, manifest: dict, folder: Path) -> tuple[Path, dict]:
    """The backup's database unpacked into `folder` and checked against the manifest; removed if it fails."""
    copy = archive.extract_database(path, manifest, folder)
    try:
        with facts.database_named(copy):
            found, problems = verify(manifest)
        if problems:
            raise CheckFailed(problems, restored=False)
        _settle(copy)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy, found


def _quiesce(target: Path) -> None:
    """Fold the target's write-ahead log into it and make sure nobody has it open: a -wal file left beside
    the renamed database would be replayed into it."""
    busy = BackupError(
        _("Database %(path)s is in gebruik; stop de applicatie (bouwregie serve en achtergrondtaken) en probeer het "
          "opnieuw.") % {"path": target}
    )  # fmt: skip
    db = sqlite3.connect(target, timeout=1)
    try:
        mode = db.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError:
        raise busy from None
    finally:
        db.close()
    if mode.lower() != "delete":
        raise busy


def _refuse_non_empty(tables: int, projects: int | None, force: bool) -> None:
    if tables and not force:
        raise BackupError(
            _(
                "De doeldatabase is niet leeg (%(tables)d tabellen, %(projects)s projecten). Zet terug in een nieuwe, "
                "lege database, of gebruik --force om deze te overschrijven."
            )
            % {"tables": tables, "projects": "?" if projects is None else projects}
        )


# --- PostgreSQL -----------------------------------------------------------------------------------------


def _client_env() -> dict[str, str]:
    """libpq's environment for pg_dump/pg_restore, from DATABASE_URL: the password stays off the command line."""
    s = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                          ("NAME", "PGDATABASE")):  # fmt: skip
        if s.get(key):
            env[variable] = str(s[key])
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                             ("sslkey", "PGSSLKEY"), ("passfile", "PGPASSFILE"), ("service", "PGSERVICE")):  # fmt: skip
        if s.get("OPTIONS", {}).get(option):
            env[variable] = str(s["OPTIONS"][option])
    return env


def _major(version: str) -> int:
    return int(version.split(".")[0])


def client(name: str, at_least: int) -> tuple[str, str]:
    """(path, version) of the newest `name` (pg_dump, pg_restore) on PATH or in /usr/lib/postgresql/*/bin;
    it must be at least version `at_least` (pg_dump refuses a newer server, pg_restore a newer dump)."""
    found = []
    for path in dict.fromkeys(filter(None, [shutil.which(name), *sorted(glob.glob(f"{CLIENT_DIRS}/{name}"))])):
        try:
            output = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
        except OSError:
            continue
        match = re.search(r"\d+(?:\.\d+)*", output)
        if match:
            found.append((_major(match.group(0)), match.group(0), path))
    if not found:
        raise BackupError(
            _("%(name)s niet gevonden: installeer de PostgreSQL-clientprogramma's (Debian/Ubuntu: postgresql-client) "
              "of zet hun map in PATH.") % {"name": name}
        )  # fmt: skip
    major, version, path = max(found)
    if major < at_least:
        raise BackupError(
            _("%(name)s %(version)s is te oud: versie %(needed)d of nieuwer is nodig (%(path)s).")
            % {"name": name, "version": version, "needed": at_least, "path": path}
        )
    return path, version


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(_("%(program)s mislukte:\n%(detail)s") % {"program": Path(command[0]).name, "detail": detail})


def _server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _postgresql_backup(dump: Path) -> tuple[dict, dict]:
    pg_dump, version = client("pg_dump", _server_major())
    env = _client_env()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # One snapshot for pg_dump and for the manifest: both see the same committed state.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"], env)
        found = facts.collect()
    server = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    return found, {"server_version": server, "pg_dump_version": version}


def _postgresql_tables() -> tuple[int, int | None]:
    tables = connection.introspection.table_names()
    if "projects_project" not in tables:
        return len(tables), None
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM projects_project")
        return len(tables), cursor.fetchone()[0]


def _postgresql_restore(path: Path, manifest: dict, force: bool, trial: bool) -> dict:
    pg_restore, _version = client("pg_restore", _major(manifest.get("pg_dump_version", "0")))
    if not trial:
        _refuse_non_empty(*_postgresql_tables(), force=force)
    env = _client_env()
    with tempfile.TemporaryDirectory(prefix="bouwregie-restore-") as folder:
        dump = archive.extract_database(path, manifest, Path(folder))
        command = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl"]
        if force and not trial:
            command += ["--clean", "--if-exists"]
        if trial:
            with _scratch_database() as name:
                _run([*command, f"--dbname={name}", str(dump)], env)
                with facts.database_named(name):
                    found, problems = verify(manifest)
            if problems:
                raise CheckFailed(problems, restored=False)
            return found
        connection.close()
        _run([*command, f"--dbname={connection.settings_dict['NAME']}", str(dump)], env)
    facts.forget_cached_figures()
    found, problems = verify(manifest)
    if problems:
        raise CheckFailed(problems, restored=True)
    return found


@contextmanager
def _scratch_database():
    """A temporary database on the same server for checking a backup; dropped afterwards."""
    name = f"{connection.settings_dict['NAME'][:40]}_controle_{os.getpid()}"
    quoted = connection.ops.quote_name(name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quoted}")
    except DatabaseError as error:
        raise BackupError(
            _("Voor de controle is een tijdelijke database nodig, maar die kon niet worden "
              "aangemaakt (recht CREATEDB?): %(error)s") % {"error": error}
        ) from None  # fmt: skip
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
