"""Versioned regulation configurations: every parameter of a financial instrument with its citation.

A version is a TOML file (shipped in instruments/regelingen/, or added in settings.REGULATION_DIRS without
code) with `regeling`, `versie`, `geldig_vanaf` and `bron`, and one table per parameter holding its
value(s) and a `bron` (document, afspraak) — `aanname = true` where the source leaves the number open.
A rule change is a new version with a later start date; every result names the version it used.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

SHIPPED = Path(__file__).with_name("regelingen")


class RegulationError(ValueError):
    pass


@dataclass(frozen=True)
class Regulation:
    name: str
    version: str
    valid_from: date
    source: str
    parameters: dict  # name -> table (values, "bron", optional "aanname")
    path: str

    def __getitem__(self, name: str) -> dict:
        try:
            return self.parameters[name]
        except KeyError:
            raise RegulationError(
                _("Regeling %(name)s versie %(version)s mist de parameter '%(parameter)s'.")
                % {"name": self.name, "version": self.version, "parameter": name}
            ) from None

    def value(self, name: str, key: str = "waarde"):
        return self[name][key]

    def citation(self, name: str) -> str:
        table = self[name]
        return table["bron"] + (" " + _("(aanname)") if table.get("aanname") else "")

    def label(self) -> str:
        return f"{self.name} {self.version} (geldig vanaf {self.valid_from.isoformat()})"


def load(path: Path) -> Regulation:
    """One version file, read once for as long as it is unchanged (every amount looks its version up)."""
    try:
        stat = path.stat()
    except OSError as error:
        message = _("Regelingbestand %(path)s is onleesbaar: %(error)s") % {"path": path, "error": error}
        raise RegulationError(message) from None
    return _load(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _load(path: Path, _mtime_ns: int, _size: int) -> Regulation:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        message = _("Regelingbestand %(path)s is onleesbaar: %(error)s") % {"path": path, "error": error}
        raise RegulationError(message) from None
    missing = [k for k in ("regeling", "versie", "geldig_vanaf", "bron") if k not in data]
    if missing:
        raise RegulationError(
            _("Regelingbestand %(path)s mist: %(keys)s.") % {"path": path, "keys": ", ".join(missing)}
        )
    if not isinstance(data["geldig_vanaf"], date):
        raise RegulationError(_("In %s moet geldig_vanaf een datum zijn (2025-01-01).") % path)
    parameters = {k: v for k, v in data.items() if isinstance(v, dict)}
    unsourced = [k for k, v in parameters.items() if not str(v.get("bron", "")).strip()]
    if unsourced:
        raise RegulationError(
            _("In %(path)s heeft elke parameter een bron nodig; zonder bron: %(keys)s.")
            % {"path": path, "keys": ", ".join(unsourced)}
        )
    return Regulation(data["regeling"], str(data["versie"]), data["geldig_vanaf"], data["bron"], parameters, str(path))


def all_versions(name: str | None = None) -> list[Regulation]:
    """Every version found (shipped first, then the configured folders), oldest first per regulation."""
    files = sorted(SHIPPED.glob("*.toml"))
    for folder in settings.REGULATION_DIRS:
        if folder.is_dir():
            files += sorted(folder.glob("*.toml"))
    found = [load(f) for f in files]
    seen: dict[tuple, str] = {}
    for r in found:
        key = (r.name, r.version)
        if key in seen:
            raise RegulationError(
                _("Regeling %(name)s versie %(version)s staat twee keer: %(a)s en %(b)s.")
                % {"name": r.name, "version": r.version, "a": seen[key], "b": r.path}
            )
        seen[key] = r.path
    found = [r for r in found if name is None or r.name == name]
    return sorted(found, key=lambda r: (r.name, r.valid_from, r.version))


def in_force(name: str, on: date) -> Regulation:
    """The version of `name` that applies on `on`: the latest that started on or before that day."""
    versions = [r for r in all_versions(name) if r.valid_from <= on]
    if not versions:
        raise RegulationError(
            _("Geen versie van regeling '%(name)s' geldig op %(day)s.") % {"name": name, "day": on.isoformat()}
        )
    return versions[-1]


def fingerprint(name: str) -> tuple:
    """What identifies the versions of `name` now found (their files and contents): a result computed from them
    may be kept under this key and is stale once a version file is added, changed or removed."""
    return tuple((r.path, r.version, r.valid_from, repr(r.parameters)) for r in all_versions(name))
