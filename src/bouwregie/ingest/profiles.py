"""Column profiles: declarative TOML files that say which column of a delivered list means what.

Shipped: `standaard` (our own template, what `bouwregie export` writes) and `provinciaal` (the
common provincial plancapaciteit layout). Users add profiles without code: a `.toml` file passed with
`--profile path/to/file.toml`, or dropped in a directory of BOUWREGIE_PROFILE_DIRS (default
var/profiles). Column names match ignoring case, accents, spaces, hyphens and underscores.
"""

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bouwregie.ingest.normalise import simplify
from bouwregie.ingest.readers import ImportRefused
from bouwregie.projects.enums import HousingType, Segment, TargetGroup
from bouwregie.projects.milestones import MILESTONE_CODES
from bouwregie.projects.rules import TENURES

SHIPPED = Path(__file__).parent / "profiles"

# Every field a profile may map, with what the importer does with it (translated where shown: the column guide,
# a missing column's message).
FIELDS = {
    "projectcode": gettext_noop("Bouwregie-projectcode (BR-…); koppelt aan een bestaand project"),
    "external_id": gettext_noop("id van het project in de bron; koppelt volgende leveringen"),
    "name": gettext_noop("projectnaam"),
    "municipality": gettext_noop("gemeente (code, naam, variant of voormalige gemeente)"),
    "province": gettext_noop("provincie van de gemeente (onderscheidt Bergen NH van Bergen L)"),
    "place": gettext_noop("woonplaats (kiest de opvolger van een gesplitste voormalige gemeente)"),
    "plan_status_legend": gettext_noop("numerieke legenda van de planstatus (IPO: 1 onherroepelijk … 5 onbekend)"),
    "plan_type": gettext_noop("plantype"),
    "plan_status": gettext_noop("planstatus (IPO 1A–4B)"),
    "lifecycle": gettext_noop("projectstatus (actief, gerealiseerd, vervallen, niet meer in planlijst)"),
    "homes_total": gettext_noop("aantal woningen (restcapaciteit)"),
    "homes_gross": gettext_noop("bruto plancapaciteit (vóór sloop); sloop = bruto − netto"),
    "demolitions": gettext_noop("te slopen woningen"),
    "bottlenecks": gettext_noop("knelpunten, gescheiden door ;"),
    "bag_ids": gettext_noop("BAG-id's (16 cijfers: verblijfsobjecten of panden), gescheiden door ; , | of spaties"),
    "parallel_plannen": gettext_noop("parallel plannen (ja/nee)"),
    "phasing": gettext_noop("fasering 'jaar:aantal;jaar:aantal'"),
    "remark": gettext_noop("opmerking van de bron"),
    "reference_date": gettext_noop("peildatum van de bron"),
    "oplevering_homes": gettext_noop("woningen van de (eerste) oplevering"),
    "deelopleveringen": gettext_noop("verdere deelopleveringen 'volgnr|gepland|werkelijk|woningen;…'"),
    "geometry_wkt": gettext_noop("geometrie als WKT"),
    "source_crs": gettext_noop("coördinatenstelsel van de oorspronkelijke levering"),
    "x": gettext_noop("x-coördinaat"),
    "y": gettext_noop("y-coördinaat"),
}


@dataclass(frozen=True)
class Period:
    label: str
    columns: tuple[str, ...]
    first: int | None = None
    last: int | None = None


@dataclass(frozen=True)
class Record:
    """One of several records a row is split into (an aggregated list's hard and soft part)."""

    label: str
    constants: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    periods: tuple = ()


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    description: str
    fields: dict
    informational: tuple = ()
    header_row: int | None = None  # 1-based line of the header, when detection does not find it
    constants: dict = field(default_factory=dict)  # field -> the value every row has
    round_fractions: bool = False  # round 12.5 homes (with a warning) instead of refusing the row
    records: tuple = ()  # Record: split every row into these records
    aggregated: bool = False  # records and periods found from the column names (see aggregated_records)
    homes_matrix: str | None = None
    target_groups: str | None = None
    milestones_planned: str | None = None
    milestones_actual: str | None = None
    housing_types: dict = field(default_factory=dict)
    tenure: dict = field(default_factory=dict)
    segments: dict = field(default_factory=dict)  # segment (or huur_onbekend/koop_onbekend) -> aliases
    periods: tuple = ()
    coordinates_crs: str = "EPSG:28992"
    wkt_crs: str = "EPSG:4326"

    def bind(self, columns: list[str], groups: list[str] | None = None) -> "Binding":
        return Binding.make(self, columns, groups or [])

    def for_record(self, record: Record) -> "Profile":
        """This profile as it reads one record of a split row."""
        return replace(
            self,
            fields={**self.fields, **record.fields},
            constants={**self.constants, **record.constants},
            periods=record.periods or self.periods,
            records=(),
            aggregated=False,
        )


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
    segments: dict = field(default_factory=dict)
    periods: list = field(default_factory=list)  # (Period, index)
    unused: list = field(default_factory=list)
    id_candidates: list = field(default_factory=list)  # every external_id column found, in alias order
    municipality_candidates: list = field(default_factory=list)  # likewise for the municipality (code, then name)
    conflicts: list = field(default_factory=list)  # a column counted twice within one breakdown
    groups_above: list = field(default_factory=list)  # group label per column (a row above the header)
    parts: list = field(default_factory=list)  # (record label, Binding) when rows are split
    used: set = field(default_factory=set)  # indexes of the columns that have a meaning (or are known)

    @classmethod
    def make(cls, profile: Profile, columns: list[str], groups_above: list[str] = ()) -> "Binding":
        index = {}
        for i, column in enumerate(columns):
            index.setdefault(simplify(column), i)
        for i, column in enumerate(columns):  # "Harde plancapaciteit 2021-2029": group label + header
            if i < len(groups_above) and groups_above[i]:
                index.setdefault(simplify(f"{groups_above[i]} {column}"), i)
        binding = cls(profile, columns, groups_above=list(groups_above))
        used = set()
        claims: dict[tuple[str, int], list[str]] = {}

        def find(aliases, breakdown=None, meaning=""):
            for alias in aliases:
                if simplify(alias) in index:
                    i = index[simplify(alias)]
                    used.add(i)
                    if breakdown:
                        claims.setdefault((breakdown, i), []).append(meaning)
                    return i
            return None

        for target, aliases in profile.fields.items():
            if (i := find(aliases)) is not None:
                binding.fields[target] = i
        binding.id_candidates = [
            index[simplify(a)] for a in profile.fields.get("external_id", ()) if simplify(a) in index
        ]
        binding.id_candidates = list(dict.fromkeys(binding.id_candidates))
        used.update(binding.id_candidates)
        binding.municipality_candidates = list(
            dict.fromkeys(index[simplify(a)] for a in profile.fields.get("municipality", ()) if simplify(a) in index)
        )
        used.update(binding.municipality_candidates)
        if profile.homes_matrix:
            pattern = profile.homes_matrix
            segments = Segment.values if "{segment}" in pattern else ["onbekend"]
            housings = HousingType.values if "{housing_type}" in pattern else ["onbekend"]
            for segment in segments:
                for housing in housings:
                    name = pattern.format(segment=segment, housing_type=housing)
                    if (i := find([name], "homes_matrix", f"{segment}/{housing}")) is not None:
                        binding.matrix[(segment, housing)] = i
        if profile.target_groups:
            for group in TargetGroup.values:
                if (i := find([profile.target_groups.format(group=group)], "target_groups", group)) is not None:
                    binding.groups[group] = i
        for kind in MILESTONE_CODES:
            for key, pattern in (
                ("planned", profile.milestones_planned),
                ("actual", profile.milestones_actual),
            ):
                if pattern and (i := find([pattern.format(kind=kind)])) is not None:
                    binding.milestones[(kind, key)] = i
        for kind, aliases in profile.housing_types.items():
            if (i := find(aliases, "housing_types", kind)) is not None:
                binding.housing_types[kind] = i
        for kind, aliases in profile.tenure.items():
            if (i := find(aliases, "tenure", kind)) is not None:
                binding.tenure[kind] = i
        for kind, aliases in profile.segments.items():
            if (i := find(aliases, "segments", kind)) is not None:
                binding.segments[kind] = i
        for period in profile.periods:
            if (i := find(period.columns, "periods", period.label)) is not None:
                binding.periods.append((period, i))
        binding.conflicts = [
            (columns[i], breakdown, meanings) for (breakdown, i), meanings in claims.items() if len(meanings) > 1
        ]
        records = profile.records
        if profile.aggregated:
            records = aggregated_records(columns, groups_above)
            used.update(
                i for i, c in enumerate(columns) if c.strip() and _aggregated_column(c, _group(groups_above, i))
            )
        for record in records:
            part = profile.for_record(record).bind(columns, list(groups_above))
            binding.parts.append((record.label, part))
            used.update(part.used)
            binding.conflicts += part.conflicts
        informational = {simplify(c) for c in profile.informational}
        binding.used = used | {i for i, c in enumerate(columns) if simplify(c) in informational}
        binding.unused = [  # named with their group label, so that two columns '2021-2029' can be told apart
            f"{groups_above[i]} / {c}" if i < len(groups_above) and groups_above[i] else c
            for i, c in enumerate(columns)
            if i not in binding.used and c.strip()
        ]
        return binding

    def missing(self) -> list[str]:
        """Required meanings this file does not provide, in words a user recognises."""
        if self.profile.aggregated and not self.parts:
            return [_("plancapaciteit per periode, hard en zacht (bijv. 'Harde plancapaciteit 2021-2029')")]
        if self.parts:
            return list(dict.fromkeys(m for _label, part in self.parts for m in part.missing()))
        missing = []
        provided = set(self.fields) | set(self.profile.constants)
        if "projectcode" in provided:  # an update of known projects: a new row's name etc. are checked per row
            return missing
        if "external_id" not in provided and "projectcode" not in provided:
            missing.append(self._expect("external_id"))
        for target in ("name", "municipality"):
            if target not in provided:
                missing.append(self._expect(target))
        if not (self.matrix or self.housing_types or self.segments or self.periods or "homes_total" in provided):
            missing.append(
                self._expect("homes_total")
                if "homes_total" in self.profile.fields
                else _("aantallen woningen per segment en woningtype")
            )
        return missing

    def _expect(self, target) -> str:
        aliases = self.profile.fields.get(target, ())
        return f"{_(FIELDS[target])} ({' / '.join(aliases[:3]) or target})"

    def recognised(self) -> list[str]:
        """The file's columns this binding gives a meaning, in file order."""
        return [c for i, c in enumerate(self.columns) if c.strip() and i in self.used]

    def score(self) -> int:
        if self.parts:
            return max(part.score() for _label, part in self.parts)
        return (
            len(self.fields)
            + len(self.matrix)
            + len(self.milestones)
            + len(self.housing_types)
            + len(self.tenure)
            + len(self.segments)
            + len(self.periods)
            + len(self.groups)
        )

    def column_of(self, target: str) -> str:
        i = self.fields.get(target)
        return self.columns[i] if i is not None else target


# --- aggregated lists: one row per municipality, capacity per hardness and period ----------------------
_PART_WORDS = {"hard": "hard", "harde": "hard", "zacht": "zacht", "zachte": "zacht", "totaal": "totaal",
               "totale": "totaal"}  # fmt: skip
_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:t\s*m|tot en met|tm)?\s*((?:19|20)\d\d)\b")
_FROM = re.compile(r"\b(?:vanaf |na )?((?:19|20)\d\d)\s*(?:\+|en later|e v|ev|en verder)")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


def _group(groups: list[str], i: int) -> str:
    return groups[i] if i < len(groups) else ""


def _aggregated_column(column: str, group: str) -> tuple | None:
    """(part, first, last) for a column of an aggregated list: its hardness word (hard, zacht, totaal)
    and its period, from the header and the group label above it: "Harde plancapaciteit" over
    "2021-2029" → ("hard", 2021, 2029). "2030+" / "2030 en later" count as 2030–2034 (docs/import.md);
    no year → (part, None, None), the part's total."""
    raw = f"{group} {column}"
    text = simplify(raw.replace("+", " en later "))
    words = text.split()
    part = next((_PART_WORDS[w] for w in words if w in _PART_WORDS), None)
    if part is None:
        return None
    if match := _RANGE.search(text):
        return part, int(match.group(1)), int(match.group(2))
    if match := _FROM.search(text):
        return part, int(match.group(1)), int(match.group(1)) + 4
    if match := _YEAR.search(text):
        return part, int(match.group(1)), int(match.group(1))
    return part, None, None


def aggregated_records(columns: list[str], groups: list[str]) -> tuple:
    """The records an aggregated row splits into: its hard and its soft part (plan status hard / zacht),
    each with its own period columns; a list with only totals gives one record of unknown status."""
    found: dict[str, list] = {}
    for i, column in enumerate(columns):
        if column.strip() and (parsed := _aggregated_column(column, _group(groups, i))):
            found.setdefault(parsed[0], []).append((i, column, parsed[1], parsed[2]))
    parts = [p for p in ("hard", "zacht") if p in found] or [p for p in ("totaal",) if p in found]
    records = []
    for part in parts:
        periods = tuple(
            Period(f"{_group(groups, i)} {c}".strip(), (f"{_group(groups, i)} {c}".strip(),), first, last)
            for i, c, first, last in found[part]
            if first is not None
        )
        totals = [f"{_group(groups, i)} {c}".strip() for i, c, first, _last in found[part] if first is None]
        records.append(
            Record(
                label={"hard": "hard", "zacht": "zacht"}.get(part, "totaal"),
                constants={"plan_status": part} if part != "totaal" else {},
                fields={"homes_total": tuple(totals)} if totals else {},
                periods=periods,
            )
        )
    return tuple(records)


def _parse(path: Path) -> Profile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ImportRefused(
            _("Profiel %(path)s is geen geldig TOML: %(error)s") % {"path": path, "error": error}
        ) from None
    records = raw.get("records", ())
    for where, names in (
        ("fields", raw.get("fields", {})),
        ("constants", raw.get("constants", {})),
        *((f"records.{r.get('label', '?')}", {**r.get("fields", {}), **r.get("constants", {})}) for r in records),
    ):
        unknown = set(names) - set(FIELDS)
        if unknown:
            raise ImportRefused(
                _("Profiel %(name)s noemt onbekende velden in %(where)s: %(fields)s. Bekend: %(known)s.")
                % {"name": path.name, "where": where, "fields": ", ".join(sorted(unknown)), "known": ", ".join(FIELDS)}
            )
    for key, allowed in (
        ("housing_types", HousingType.values),
        ("tenure", TENURES),
        ("segments", [*Segment.values, "huur_onbekend", "koop_onbekend"]),
    ):
        wrong = set(raw.get(key, {})) - set(allowed)
        if wrong:
            raise ImportRefused(
                _("Profiel %(name)s: onbekende %(key)s %(wrong)s.")
                % {"name": path.name, "key": key, "wrong": ", ".join(sorted(wrong))}
            )
    if any(not str(r.get("label", "")).strip() for r in records):
        raise ImportRefused(_("Profiel %s: elk [[records]]-blok heeft een label nodig.") % path.name)
    header_row = raw.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise ImportRefused(_("Profiel %s: header_row is een regelnummer vanaf 1.") % path.name)
    milestones = raw.get("milestones", {})
    return Profile(
        name=raw.get("name", path.stem),
        title=raw.get("title", path.stem),
        description=raw.get("description", ""),
        fields={k: _aliases(v) for k, v in raw.get("fields", {}).items()},
        informational=tuple(raw.get("informational", ())),
        header_row=header_row,
        constants={k: str(v) for k, v in raw.get("constants", {}).items()},
        round_fractions=bool(raw.get("round_fractions", False)),
        aggregated=bool(raw.get("aggregated", False)),
        records=tuple(
            Record(
                label=str(r["label"]).strip(),
                constants={k: str(v) for k, v in r.get("constants", {}).items()},
                fields={k: _aliases(v) for k, v in r.get("fields", {}).items()},
                periods=_periods(r.get("periods", ())),
            )
            for r in records
        ),
        homes_matrix=raw.get("homes_matrix", {}).get("pattern"),
        target_groups=raw.get("target_groups", {}).get("pattern"),
        milestones_planned=milestones.get("planned"),
        milestones_actual=milestones.get("actual"),
        housing_types={k: _aliases(v) for k, v in raw.get("housing_types", {}).items()},
        tenure={k: _aliases(v) for k, v in raw.get("tenure", {}).items()},
        segments={k: _aliases(v) for k, v in raw.get("segments", {}).items()},
        periods=_periods(raw.get("periods", ())),
        coordinates_crs=raw.get("coordinates_crs", "EPSG:28992"),
        wkt_crs=raw.get("wkt_crs", "EPSG:4326"),
    )


def _aliases(value) -> tuple:
    """A field's column names: a list, or one name as a plain string."""
    return (value,) if isinstance(value, str) else tuple(value)


def _periods(raw) -> tuple:
    return tuple(Period(p["label"], _aliases(p["columns"]), p.get("first"), p.get("last")) for p in raw)


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


def shipped_profiles() -> list[Profile]:
    return [_parse(p) for p in profile_paths().values()]


def choose_profile(columns: list[str], requested: str | Profile | None, groups: list[str] | None = None) -> Binding:
    """The requested profile, or the best-fitting one; refuses when required columns are missing or
    when the profile counts one column twice (case 04: a pattern that binds a column to three cells)."""
    if isinstance(requested, Profile):
        candidates = [requested]
    else:
        candidates = [load_profile(requested)] if requested else shipped_profiles()
    bindings = sorted(
        (p.bind(columns, groups) for p in candidates),
        key=lambda b: (not b.missing(), not b.conflicts, b.score()),
        reverse=True,
    )
    best = bindings[0]
    if best.conflicts:
        raise ImportRefused(
            _("Profiel '%(profile)s' telt een kolom meer dan eens mee: %(conflicts)s. Geef elke kolom één betekenis.")
            % {
                "profile": best.profile.name,
                "conflicts": "; ".join(
                    _("kolom '%(column)s' als %(meanings)s") % {"column": c, "meanings": ", ".join(m)}
                    for c, _breakdown, m in best.conflicts
                ),
            }
        )
    if best.missing():
        message = _(
            "Verplichte kolommen ontbreken voor profiel '%(profile)s': %(missing)s. Gevonden kolommen: %(found)s."
        ) % {
            "profile": best.profile.name,
            "missing": "; ".join(best.missing()),
            "found": ", ".join(c for c in columns if c) or _("geen"),
        }
        if not requested:  # no layout fits: say how to describe this one
            message += " " + _(
                "Geen bekende indeling herkend; maak een profiel met 'bouwregie import BESTAND --suggest-profile' "
                "(docs/profielen.md)."
            )
        raise ImportRefused(message)
    return best


def recognition(binding: Binding) -> str:
    """Which layout was recognised and why, for the summary: the profile and the columns it knew."""
    known = binding.recognised()
    shown = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
    return _("%(title)s (profiel %(name)s): %(known)d van %(total)d kolommen herkend (%(columns)s)") % {
        "title": binding.profile.title,
        "name": binding.profile.name,
        "known": len(known),
        "total": len([c for c in binding.columns if c.strip()]),
        "columns": shown,
    }
