"""The convenant's indicator framework as versioned data: themes, indicators, norms for 2030 and 2035, each with
its source (a TOML file per version in convenant/kaders/, or in a directory of settings.CONVENANT_KADER_DIRS,
environment BOUWREGIE_CONVENANT_KADER_DIRS, without code).

A file never changes: the national framework (seed 001, Bijlage 2, activiteit 5: "vijf thema's en waarschijnlijk
acht indicatoren ... een norm voor in ieder geval 2030 ... een doorkijk naar 2035") will be a new file with a later
`geldig_vanaf`. Every project record names the version it was recorded under, so earlier results keep naming the
version they used.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import dateformat
from django.utils.translation import gettext as _

SHIPPED = Path(__file__).with_name("kaders")
DIRECTIONS = ("hoogstens", "minstens")  # the value must stay at or below the norm / reach at least the norm


class FrameworkError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    theme: str
    unit: str
    direction: str | None  # None: the framework names none (ctb 2.0), so no norm can be scored (issue #23)
    norm_2030: float | None
    norm_2035: float | None
    source: str
    minimum: float | None = None  # the range a value must lie in (`minimum`/`maximum` in the file; "%": 0-100)
    maximum: float | None = None


@dataclass(frozen=True)
class Framework:
    name: str
    version: str
    valid_from: date
    source: str
    note: str
    themes: tuple[dict, ...]
    indicators: tuple[Indicator, ...]
    path: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def as_dict(self) -> dict:
        return {
            "kader": self.name,
            "versie": self.version,
            "geldig_vanaf": self.valid_from.isoformat(),
            "bron": self.source,
            "toelichting": self.note,
            "themas": list(self.themes),
            "indicatoren": [
                {
                    "code": i.code,
                    "naam": i.name,
                    "thema": i.theme,
                    "eenheid": i.unit,
                    "richting": i.direction,
                    "norm_2030": i.norm_2030,
                    "norm_2035": i.norm_2035,
                    "minimum": i.minimum,
                    "maximum": i.maximum,
                    "bron": i.source,
                }
                for i in self.indicators
            ],
        }


def parse(data: dict, path: str) -> Framework:
    """One framework version from its TOML data; FrameworkError naming the file and the field that is wrong."""
    missing = [k for k in ("kader", "versie", "geldig_vanaf", "bron") if k not in data]
    if missing:
        raise FrameworkError(_("Kaderbestand %(path)s mist: %(keys)s.") % {"path": path, "keys": ", ".join(missing)})
    if not isinstance(data["geldig_vanaf"], date):
        raise FrameworkError(_("In %s moet geldig_vanaf een datum zijn (2025-01-01).") % path)
    themes = tuple(
        {"code": str(t.get("code", "")), "naam": str(t.get("naam", "")), "bron": str(t.get("bron", ""))}
        for t in data.get("thema", [])
    )
    theme_codes = {t["code"] for t in themes}
    indicators, seen = [], set()
    for n, raw in enumerate(data.get("indicator", []), start=1):
        code = str(raw.get("code", "")).strip()
        where = {"path": path, "n": n, "code": code or "?"}
        if not code or code in seen:
            raise FrameworkError(_("%(path)s, indicator %(n)d: code '%(code)s' ontbreekt of staat dubbel.") % where)
        if not str(raw.get("bron", "")).strip():
            raise FrameworkError(_("%(path)s, indicator %(n)d (%(code)s): een bron is verplicht.") % where)
        if raw.get("thema", "") not in theme_codes:
            raise FrameworkError(_("%(path)s, indicator %(n)d (%(code)s): onbekend thema.") % where)
        direction = raw.get("richting")  # absent: the framework names no direction; none is assumed (issue #23)
        if direction is not None and direction not in DIRECTIONS:
            raise FrameworkError(_("%(path)s, indicator %(n)d (%(code)s): richting is hoogstens of minstens.") % where)
        norms = []
        for key in ("norm_2030", "norm_2035", "minimum", "maximum"):
            value = raw.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise FrameworkError(
                    _("%(path)s, indicator %(n)d (%(code)s): %(key)s is geen getal.") % {**where, "key": key}
                )
            norms.append(None if value is None else float(value))
        norm_2030, norm_2035, minimum, maximum = norms
        unit = str(raw.get("eenheid", ""))
        if unit.strip() == "%":  # a percentage lies between 0 and 100 unless the file says otherwise
            minimum = 0.0 if minimum is None else minimum
            maximum = 100.0 if maximum is None else maximum
        if minimum is not None and maximum is not None and minimum > maximum:
            raise FrameworkError(_("%(path)s, indicator %(n)d (%(code)s): minimum is groter dan maximum.") % where)
        seen.add(code)
        indicators.append(
            Indicator(
                code,
                str(raw.get("naam", code)),
                raw["thema"],
                unit,
                direction,
                norm_2030,
                norm_2035,
                str(raw["bron"]),
                minimum,
                maximum,
            )
        )
    return Framework(
        str(data["kader"]),
        str(data["versie"]),
        data["geldig_vanaf"],
        str(data["bron"]),
        str(data.get("toelichting", "")),
        themes,
        tuple(indicators),
        path,
    )


@lru_cache(maxsize=64)
def _load(path: Path, _mtime_ns: int) -> Framework:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise FrameworkError(
            _("Kaderbestand %(path)s is onleesbaar: %(error)s") % {"path": path, "error": error}
        ) from None
    return parse(data, str(path))


def folders() -> list[Path]:
    return [SHIPPED, *(Path(f) for f in settings.CONVENANT_KADER_DIRS)]


def all_versions() -> list[Framework]:
    """Every version found, oldest first; the same name and version twice is an error."""
    found = []
    for folder in folders():
        if folder.is_dir():
            found += [_load(f, f.stat().st_mtime_ns) for f in sorted(folder.glob("*.toml"))]
    seen: dict[tuple, str] = {}
    for f in found:
        if (f.name, f.version) in seen:
            raise FrameworkError(
                _("Kader %(label)s staat twee keer: %(a)s en %(b)s.")
                % {"label": f.label, "a": seen[(f.name, f.version)], "b": f.path}
            )
        seen[(f.name, f.version)] = f.path
    return sorted(found, key=lambda f: (f.valid_from, f.version))


def in_force(on: date) -> Framework:
    """The version that applies on `on`: the latest that started on or before that day."""
    versions = [f for f in all_versions() if f.valid_from <= on]
    if not versions:
        raise FrameworkError(_("Geen indicatorkader geldig op %s.") % on.isoformat())
    return versions[-1]


def convenant_version(version: str, on: date) -> Framework:
    """The framework version a project record names (its `convenant_version`, e.g. "2.0"): it must exist and be
    valid on the record's date — started on or before that day (a version agreed later cannot have been built
    under). FrameworkError in Dutch naming the value otherwise."""
    named = [f for f in all_versions() if f.version == version.strip()]
    if not named:
        known = ", ".join(dict.fromkeys(f.version for f in all_versions()))
        raise FrameworkError(
            _("Convenantversie '%(version)s' bestaat niet; bekende versies: %(known)s.")
            % {"version": version, "known": known}
        )
    valid = [f for f in named if f.valid_from <= on]
    if not valid:
        raise FrameworkError(
            _("Convenantversie '%(version)s' geldt pas vanaf %(start)s; de registratie is van %(date)s.")
            % {
                "version": version,
                "start": dateformat.format(min(f.valid_from for f in named), "j-n-Y"),
                "date": dateformat.format(on, "j-n-Y"),
            }
        )
    return valid[-1]


def by_label(label: str) -> Framework | None:
    return next((f for f in all_versions() if f.label == label), None)
