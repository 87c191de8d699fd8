"""The backup file: one zip archive, the same for both databases.

    manifest.json            what was backed up and the facts a restore must reproduce (facts.py)
    database.sqlite3         SQLite: a copy made with SQLite's online backup API
    database.pgdump          PostgreSQL: pg_dump --format=custom (readable with pg_restore after unzipping)
    config/profiles/…        the user's own import profiles (BOUWREGIE_PROFILE_DIRS)
    config/regelingen/…      the user's own regeling versions (BOUWREGIE_REGELING_DIRS)
    config/convenantkaders/… the user's own convenant framework versions (BOUWREGIE_CONVENANT_KADER_DIRS)

Written to a temporary file next to the destination and renamed when complete, so a backup file is
either whole or absent.
"""

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

FORMAT = "bouwregie-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CONFIG = {"profiles": "IMPORT_PROFILE_DIRS", "regelingen": "REGULATION_DIRS", "convenantkaders": "CONVENANT_KADER_DIRS"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message (Dutch) says why and what to do."""


def config_files() -> dict[str, Path]:
    """Archive name -> file, for every file in the configured profile, regeling and convenant framework
    directories (the first directory wins when two hold the same name)."""
    files: dict[str, Path] = {}
    for kind, setting in CONFIG.items():
        for folder in getattr(settings, setting, []):
            folder = Path(folder)
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                files.setdefault(f"config/{kind}/{path.relative_to(folder).as_posix()}", path)
    return files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write(destination: Path, manifest: dict, database: Path, force: bool = False) -> None:
    destination = Path(destination)
    if destination.exists() and not force:
        raise BackupError(_("%(path)s bestaat al; kies een andere naam of gebruik --force.") % {"path": destination})
    if not destination.parent.is_dir():
        raise BackupError(_("Map %(path)s bestaat niet.") % {"path": destination.parent})
    files = config_files()
    manifest = {**manifest, "config": {name: sha256_of(path) for name, path in files.items()}}
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", allowZip64=True) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2), zipfile.ZIP_DEFLATED)
            compression = zipfile.ZIP_STORED if manifest["database"] == "postgresql" else zipfile.ZIP_DEFLATED
            archive.write(database, DATABASE[manifest["database"]], compress_type=compression)
            for name, path in files.items():
                archive.write(path, name, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_manifest(path: Path) -> dict:
    """The manifest of a backup file; a clear error for a missing file, a file that is no backup, or a backup
    from a newer format."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("Bestand %(path)s niet gevonden.") % {"path": path})
    not_a_backup = _("%(path)s is geen Bouwregie-backup (gemaakt met 'bouwregie backup').") % {"path": path}
    if not zipfile.is_zipfile(path):
        raise BackupError(not_a_backup)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            names = set(archive.namelist())
    except (KeyError, ValueError, zipfile.BadZipFile):
        raise BackupError(not_a_backup) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(not_a_backup)
    if not isinstance(manifest.get("format_version"), int):
        raise BackupError(not_a_backup)
    if manifest["format_version"] > FORMAT_VERSION:
        raise BackupError(
            _("%(path)s is gemaakt met een nieuwere versie van Bouwregie (%(version)s); werk Bouwregie eerst bij.")
            % {"path": path, "version": manifest.get("app_version", "?")}
        )
    if DATABASE.get(manifest.get("database")) not in names or not all(
        isinstance(manifest.get(key), dict) for key in ("migrations", "tables", "history")
    ):
        raise BackupError(not_a_backup)
    return manifest


def extract_database(path: Path, manifest: dict, folder: Path) -> Path:
    """Unpack the database member into `folder` (a temporary file there); the caller removes it."""
    handle, target = tempfile.mkstemp(dir=folder, prefix=".bouwregie-restore-", suffix=".tmp")
    os.close(handle)
    try:
        with zipfile.ZipFile(path) as archive, archive.open(DATABASE[manifest["database"]]) as source:
            with open(target, "wb") as out:
                while block := source.read(1 << 20):
                    out.write(block)
    except (zipfile.BadZipFile, OSError) as error:
        Path(target).unlink(missing_ok=True)
        raise BackupError(_("%(path)s is beschadigd: %(error)s") % {"path": path, "error": error}) from None
    return Path(target)


def restore_config(path: Path, manifest: dict, force: bool) -> tuple[list[str], list[str]]:
    """Put the backed-up profiles, regelingen and convenant frameworks back into the first configured directory
    of each kind.
    A file that is already there with other content is kept unless `force`. Returns (written, kept)."""
    written, kept = [], []
    with zipfile.ZipFile(path) as archive:
        for name, digest in sorted(manifest.get("config", {}).items()):
            parts = PurePosixPath(name).parts
            if len(parts) < 3 or parts[0] != "config" or parts[1] not in CONFIG or ".." in parts:
                continue
            folders = getattr(settings, CONFIG[parts[1]], [])
            if not folders:
                continue
            target = Path(folders[0]).joinpath(*parts[2:])
            if target.is_file() and sha256_of(target) == digest:
                continue
            if target.exists() and not force:
                kept.append(str(target))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
            written.append(str(target))
    return written, kept
