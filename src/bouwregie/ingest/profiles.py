"""Column profiles: declarative TOML files that say which column of a delivered list means what.

Shipped: `standaard` (our own template, what `bouwregie export` writes) and `provinciaal` (the
common provincial plancapaciteit layout). Users add profiles without code: a `.toml` file passed with
`--profile path/to/file.toml`, or dropped in a directory of BOUWREGIE_PROFILE_DIRS (default
var/profiles). Column names match ignoring case, accents, spaces, hyphens and underscores.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from bouwregie.ingest.normalise import simplify
from bouwregie.ingest.readers import ImportRefused
from bouwregie.projects.enums import HousingType, Segment, TargetGroup
from bouwregie.projects.milestones import MILESTONE_CODES
from bouwregie.projects.rules import TENURES

SHIPPED = Path(__file__).parent / "profiles"

# Every field a profile may map, with what the importer does with it.
FIELDS = {
    "projectcode": "Bouwregie-projectcode (BR-…); koppelt aan een bestaand project",
    "external_id": "id van het project in de bron; koppelt volgende leveringen",
    "name": "projectnaam",
    "municipality": "gemeente (code, naam, variant of voormalige gemeente)",
    "plan_type": "plantype",
    "plan_status": "planstatus (IPO 1A–4B)",
    "lifecycle": "projectstatus (actief, gerealiseerd, vervallen, niet meer in planlijst)",
    "homes_total": "aantal woningen (restcapaciteit)",
    "demolitions": "te slopen woningen",
    "bottlenecks": "knelpunten, gescheiden door ;",
    "parallel_plannen": "parallel plannen (ja/nee)",
    "phasing": "fasering 'jaar:aantal;jaar:aantal'",
    "remark": "opmerking van de bron",
    "reference_date": "peildatum van de bron",
    "oplevering_homes": "woningen van de (eerste) oplevering",
    "deelopleveringen": "verdere deelopleveringen 'volgnr|gepland|werkelijk|woningen;…'",
    "geometry_wkt": "geometrie als WKT",
    "source_crs": "coördinatenstelsel van de oorspronkelijke levering",
    "x": "x-coördinaat",
    "y": "y-coördinaat",
}


@dataclass(frozen=True)
class Period:
    label: str
    columns: tuple[str, ...]
    first: int | None = None
    last: int | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    description: str
    fields: dict
    informational: tuple = ()
    homes_matrix: str | None = None
    target_groups: str | None = None
    milestones_planned: str | None = None
    milestones_actual: str | None = None
    housing_types: dict = field(default_factory=dict)
    tenure: dict = field(default_factory=dict)
    periods: tuple = ()
    coordinates_crs: str = "EPSG:28992"
    wkt_crs: str = "EPSG:4326"

    def bind(self, columns: list[str]) -> "Binding":
        return Binding.make(self, columns)


@dataclass
class Binding:
    """Where each meaning sits in one particular file (column indexes)."""

    profile: Profile
    columns: list[str]
    fields: dict = field(default_factory=dict)  # target -> index
    matrix: dict = field(default_factory=dict)  # (segment, housing type) -> index
    groups: dict = field(default_factory=dict)  # target group -> index
    milestones: dict = field(default_factory=dict)  # (kind, 'planned'|'actual') -> index
    housing_types: dict = field(default_factory=dict)
    tenure: dict = field(default_factory=dict)
    periods: list = field(default_factory=list)  # (Period, index)
    unused: list = field(default_factory=list)

    @classmethod
    def make(cls, profile: Profile, columns: list[str]) -> "Binding":
        index = {}
        for i, column in enumerate(columns):
            index.setdefault(simplify(column), i)
        binding = cls(profile, columns)
        used = set()

        def find(aliases):
            for alias in aliases:
                if simplify(alias) in index:
                    used.add(index[simplify(alias)])
                    return index[simplify(alias)]
            return None

        for target, aliases in profile.fields.items():
            if (i := find(aliases)) is not None:
                binding.fields[target] = i
        if profile.homes_matrix:
            for segment in Segment.values:
                for housing in HousingType.values:
                    name = profile.homes_matrix.format(segment=segment, housing_type=housing)
                    if (i := find([name])) is not None:
                        binding.matrix[(segment, housing)] = i
        if profile.target_groups:
            for group in TargetGroup.values:
                if (i := find([profile.target_groups.format(group=group)])) is not None:
                    binding.groups[group] = i
        for kind in MILESTONE_CODES:
            for key, pattern in (
                ("planned", profile.milestones_planned),
                ("actual", profile.milestones_actual),
            ):
                if pattern and (i := find([pattern.format(kind=kind)])) is not None:
                    binding.milestones[(kind, key)] = i
        for kind, aliases in profile.housing_types.items():
            if (i := find(aliases)) is not None:
                binding.housing_types[kind] = i
        for kind, aliases in profile.tenure.items():
            if (i := find(aliases)) is not None:
                binding.tenure[kind] = i
        for period in profile.periods:
            if (i := find(period.columns)) is not None:
                binding.periods.append((period, i))
        informational = {simplify(c) for c in profile.informational}
        binding.unused = [
            c for i, c in enumerate(columns) if i not in used and simplify(c) not in informational and c.strip()
        ]
        return binding

    def missing(self) -> list[str]:
        """Required meanings this file does not provide, in words a user recognises."""
        missing = []
        if "external_id" not in self.fields and "projectcode" not in self.fields:
            missing.append(self._expect("external_id"))
        for target in ("name", "municipality"):
            if target not in self.fields:
                missing.append(self._expect(target))
        if not (self.matrix or self.housing_types or "homes_total" in self.fields):
            missing.append(
                self._expect("homes_total")
                if "homes_total" in self.profile.fields
                else _("aantallen woningen per segment en woningtype")
            )
        return missing

    def _expect(self, target) -> str:
        aliases = self.profile.fields.get(target, ())
        return f"{FIELDS[target]} ({' / '.join(aliases[:3]) or target})"

    def score(self) -> int:
        return (
            len(self.fields)
            + len(self.matrix)
            + len(self.milestones)
            + len(self.housing_types)
            + len(self.tenure)
            + len(self.periods)
            + len(self.groups)
        )

    def column_of(self, target: str) -> str:
        i = self.fields.get(target)
        return self.columns[i] if i is not None else target


def _parse(path: Path) -> Profile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ImportRefused(
            _("Profiel %(path)s is geen geldig TOML: %(error)s") % {"path": path, "error": error}
        ) from None
    unknown = set(raw.get("fields", {})) - set(FIELDS)
    if unknown:
        raise ImportRefused(
            _("Profiel %(name)s noemt onbekende velden: %(fields)s. Bekend: %(known)s.")
            % {"name": path.name, "fields": ", ".join(sorted(unknown)), "known": ", ".join(FIELDS)}
        )
    for key, allowed in (("housing_types", HousingType.values), ("tenure", TENURES)):
        wrong = set(raw.get(key, {})) - set(allowed)
        if wrong:
            raise ImportRefused(
                _("Profiel %(name)s: onbekende %(key)s %(wrong)s.")
                % {"name": path.name, "key": key, "wrong": ", ".join(sorted(wrong))}
            )
    milestones = raw.get("milestones", {})
    return Profile(
        name=raw.get("name", path.stem),
        title=raw.get("title", path.stem),
        description=raw.get("description", ""),
        fields={k: tuple(v) for k, v in raw.get("fields", {}).items()},
        informational=tuple(raw.get("informational", ())),
        homes_matrix=raw.get("homes_matrix", {}).get("pattern"),
        target_groups=raw.get("target_groups", {}).get("pattern"),
        milestones_planned=milestones.get("planned"),
        milestones_actual=milestones.get("actual"),
        housing_types={k: tuple(v) for k, v in raw.get("housing_types", {}).items()},
        tenure={k: tuple(v) for k, v in raw.get("tenure", {}).items()},
        periods=tuple(
            Period(p["label"], tuple(p["columns"]), p.get("first"), p.get("last")) for p in raw.get("periods", ())
        ),
        coordinates_crs=raw.get("coordinates_crs", "EPSG:28992"),
        wkt_crs=raw.get("wkt_crs", "EPSG:4326"),
    )


def profile_paths() -> dict[str, Path]:
    found = {p.stem: p for p in sorted(SHIPPED.glob("*.toml"))}
    for directory in settings.IMPORT_PROFILE_DIRS:
        found.update({p.stem: p for p in sorted(Path(directory).glob("*.toml"))})
    return found


def load_profile(name_or_path: str) -> Profile:
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.exists():
        return _parse(path)
    available = profile_paths()
    if name_or_path not in available:
        raise ImportRefused(
            _("Onbekend profiel '%(name)s'; beschikbaar: %(available)s (of een pad naar een .toml-bestand).")
            % {"name": name_or_path, "available": ", ".join(available)}
        )
    return _parse(available[name_or_path])


def choose_profile(columns: list[str], requested: str | None) -> Binding:
    """The requested profile, or the best-fitting one; refuses when required columns are missing."""
    candidates = [load_profile(requested)] if requested else [_parse(p) for p in profile_paths().values()]
    bindings = sorted((p.bind(columns) for p in candidates), key=lambda b: (not b.missing(), b.score()), reverse=True)
    best = bindings[0]
    if best.missing():
        raise ImportRefused(
            _("Verplichte kolommen ontbreken voor profiel '%(profile)s': %(missing)s. Gevonden kolommen: %(found)s.")
            % {
                "profile": best.profile.name,
                "missing": "; ".join(best.missing()),
                "found": ", ".join(c for c in columns if c) or _("geen"),
            }
        )
    return best
