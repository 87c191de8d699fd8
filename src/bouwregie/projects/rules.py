"""Validation and derived values for one project version: pure functions over plain data, so they
can be tested without a database and reused by the importer, the API and the demo generator."""

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bouwregie.geo.geojson import rounded
from bouwregie.projects import bag_ids
from bouwregie.projects.enums import (
    Bottleneck,
    HousingType,
    Lifecycle,
    PlanStatus,
    PlanType,
    Segment,
    TargetGroup,
)
from bouwregie.projects.milestones import MILESTONE_CODES, MILESTONE_ORDER, PRIVATE_MILESTONES

VALID = {
    "segment": frozenset(Segment.values),
    "housing_type": frozenset(HousingType.values),
    "plan_type": frozenset(PlanType.values),
    "plan_status": frozenset(PlanStatus.values),
    "lifecycle": frozenset(Lifecycle.values),
    "target_group": frozenset(TargetGroup.values),
    "bottleneck": frozenset(Bottleneck.values),
}
SEGMENTS = tuple(Segment.values)

# A single plan of more than 100,000 homes is a data error, not a plan (issue #3: "absurd counts").
MAX_HOMES_PER_PROJECT = 100_000


@dataclass(frozen=True)
class MilestoneData:
    kind: str
    planned: date | None = None
    actual: date | None = None
    homes: int | None = None
    sequence: int = 1

    @property
    def date(self) -> date | None:
        """The date that counts now: what happened, else what is planned."""
        return self.actual or self.planned


@dataclass(frozen=True)
class ProjectData:
    name: str
    municipality: str
    homes: dict = field(default_factory=dict)  # {segment: {housing type: count}}
    plan_type: str = PlanType.ONBEKEND
    plan_status: str = PlanStatus.ONBEKEND
    lifecycle: str = Lifecycle.ACTIEF
    target_groups: dict = field(default_factory=dict)
    tenure: dict = field(default_factory=dict)  # {huur|koop|onbekend: count}, when a list gives only tenure
    demolitions: int = 0
    phasing: dict = field(default_factory=dict)  # {year: homes}; used when there are no dated opleveringen
    bottlenecks: tuple = ()
    parallel_plannen: bool = False
    subsidies: tuple = ()
    open_book: dict = field(default_factory=dict)
    geometry: dict | None = None
    source_crs: str = ""
    milestones: tuple = ()
    source_info: dict = field(default_factory=dict)
    bag_ids: tuple = ()  # explicit BAG verblijfsobject/pand identificaties (projects.bag_ids)


@cache
def column_limits() -> dict:
    """What the columns hold (bouwregie.limits, from the models): checked here, where every write passes, so a
    300-character name or 2^40 demolitions is a clear problem on SQLite and PostgreSQL alike (issue #16).
    Read on first use: the models import this module."""
    from bouwregie.limits import int_range, max_length
    from bouwregie.projects.models import Milestone, ProjectVersion

    return {
        "name": max_length(ProjectVersion, "name"),
        "source_crs": max_length(ProjectVersion, "source_crs"),
        "demolitions": int_range(ProjectVersion, "demolitions"),
        "sequence": (1, int_range(Milestone, "sequence")[1]),
        "milestone_homes": int_range(Milestone, "homes"),
    }


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _nothing_to_report(counts: dict, allowed: frozenset) -> bool:
    """Every key allowed and every count a plain non-negative int: the common case, decided without
    the per-item checks below (an import validates 25,000 versions). Anything else goes through the
    checks that say what is wrong."""
    values = counts.values()
    return allowed.issuperset(counts) and all(type(v) is int for v in values) and (not values or min(values) >= 0)


def total_homes(data: ProjectData) -> int:
    return sum(sum(by_type.values()) for by_type in data.homes.values())


def segment_totals(data: ProjectData) -> dict[str, int]:
    totals = dict.fromkeys(SEGMENTS, 0)
    for segment, by_type in data.homes.items():
        totals[segment] += sum(by_type.values())
    return totals


def phase(milestones) -> str:
    """The last standard milestone actually reached, in PPM order ('' before initiatief)."""
    reached = [m.kind for m in milestones if m.actual is not None and m.kind in MILESTONE_ORDER]
    return max(reached, key=MILESTONE_ORDER.__getitem__, default="")


def quarter_end(year: int, quarter: int) -> date:
    """The reference date of a peiling: the last day of its quarter."""
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


TENURES = ("huur", "koop", "onbekend")
_TENURE_KEYS = frozenset(TENURES)
TENURE_LABEL = gettext_lazy("Eigendom")  # translated only when a message needs it (25,000 rows per import)


def delivery_phasing(data: ProjectData) -> dict[str, int]:
    """Homes per delivery year from the oplevering milestones (actual date, else planned date).

    A single oplevering without a home count delivers the whole project. Without dated opleveringen
    the phasing the source gave (e.g. homes per period in a provincial list) is used as is.
    """
    deliveries = [m for m in data.milestones if m.kind == "oplevering" and m.date is not None]
    if not deliveries:
        return {str(year): count for year, count in sorted(data.phasing.items()) if count}
    per_year: dict[str, int] = defaultdict(int)
    if len(deliveries) == 1 and deliveries[0].homes is None:
        per_year[str(deliveries[0].date.year)] = total_homes(data)
    else:
        for m in deliveries:
            per_year[str(m.date.year)] += m.homes or 0
    return dict(sorted(per_year.items()))


def deliveries(milestones, phasing: dict, total: int) -> tuple[dict[int, int], dict[int, int]]:
    """(realised, planned) homes per year. Realised counts only opleveringen with an actual date
    (bruto, Woontop 2024 Afspraak 19.1 footnote 12); planned are dated but not yet delivered ones.
    Without dated opleveringen the source's phasing counts as planned."""
    if not any(m.kind == "oplevering" and (m.actual or m.planned) for m in milestones):
        planned: dict[int, int] = defaultdict(int)
        for year, homes in phasing.items():
            planned[int(year)] += homes
        return {}, dict(planned)
    return homes_per_year(milestones, "oplevering", total)


def homes_per_year(milestones, kind: str, total: int) -> tuple[dict[int, int], dict[int, int]]:
    """(actual, planned) homes per year of the dated milestones of one kind: a single one without a home count
    stands for the whole project, else each counts its own homes."""
    stones = [m for m in milestones if m.kind == kind and (m.actual or m.planned)]
    realised: dict[int, int] = defaultdict(int)
    planned: dict[int, int] = defaultdict(int)
    for m in stones:
        homes = total if (len(stones) == 1 and m.homes is None) else (m.homes or 0)
        if m.actual:
            realised[m.actual.year] += homes
        else:
            planned[m.planned.year] += homes
    return dict(realised), dict(planned)


# C0 control characters other than tab, line feed and carriage return (XML 1.0 and PostgreSQL text refuse them).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def validate(data: ProjectData, today: date, extra_milestone_kinds=frozenset()) -> list[Problem]:
    """Every reason this version may not be stored, in the user's words. Empty list: valid."""
    problems: list[Problem] = []

    def add(field_name, message):
        problems.append(Problem(field_name, message))

    limits = column_limits()
    if not str(data.name or "").strip():
        add("name", _("Projectnaam ontbreekt."))
    elif control := CONTROL_CHARACTERS.search(str(data.name)):
        # PostgreSQL cannot store NUL (SQLite does), and no spreadsheet holds the other C0 control characters
        # (the Excel export would fail): issue #16. Tab and line ends are text and stay.
        add("name", _("Projectnaam bevat een stuurteken (0x%(code)02X) op positie %(position)d.")
            % {"code": ord(control.group()), "position": control.start() + 1})  # fmt: skip
    elif len(str(data.name).strip()) > limits["name"]:
        add("name", _("Projectnaam is te lang: %(n)d tekens, hooguit %(max)d.")
            % {"n": len(str(data.name).strip()), "max": limits["name"]})  # fmt: skip
    if len(data.source_crs or "") > limits["source_crs"]:
        add("source_crs", _("Bron-CRS is te lang: %(n)d tekens, hooguit %(max)d.")
            % {"n": len(data.source_crs), "max": limits["source_crs"]})  # fmt: skip
    for field_name, value, allowed in (
        ("plan_type", data.plan_type, VALID["plan_type"]),
        ("plan_status", data.plan_status, VALID["plan_status"]),
        ("lifecycle", data.lifecycle, VALID["lifecycle"]),
    ):
        if value not in allowed:
            add(
                field_name,
                _("Onbekende waarde '%(value)s' voor %(field)s.") % {"value": value, "field": field_name},
            )

    for segment, by_type in data.homes.items():
        if segment in VALID["segment"] and _nothing_to_report(by_type, VALID["housing_type"]):
            continue
        if segment not in VALID["segment"]:
            add("homes", _("Onbekend segment '%s'.") % segment)
            continue
        for housing_type, count in by_type.items():
            if housing_type not in VALID["housing_type"]:
                add("homes", _("Onbekend woningtype '%s'.") % housing_type)
            elif not _is_count(count):
                add(
                    "homes",
                    _("Aantal woningen %(segment)s/%(type)s is geen geheel getal: %(count)r.")
                    % {"segment": segment, "type": housing_type, "count": count},
                )
            elif count < 0:
                add(
                    "homes",
                    _("Aantal woningen mag niet negatief zijn (%(segment)s/%(type)s: %(count)d).")
                    % {"segment": segment, "type": housing_type, "count": count},
                )
    if not any(p.field == "homes" for p in problems):  # totals only make sense for valid counts
        total = total_homes(data)
        if total > MAX_HOMES_PER_PROJECT:
            add(
                "homes",
                _("%(total)d woningen in één plan is onwaarschijnlijk (maximum %(max)d).")
                % {"total": total, "max": MAX_HOMES_PER_PROJECT},
            )
        for group, count in data.target_groups.items():
            if group not in VALID["target_group"]:
                add("target_groups", _("Onbekende doelgroep '%s'.") % group)
            elif not _is_count(count) or count < 0:
                add(
                    "target_groups",
                    _("Aantal voor doelgroep %(group)s mag niet negatief zijn: %(count)r.")
                    % {"group": group, "count": count},
                )
            elif count > total:
                add(
                    "target_groups",
                    _("Doelgroep %(group)s (%(count)d) is groter dan het project (%(total)d).")
                    % {"group": group, "count": count, "total": total},
                )
        _validate_breakdown(add, "tenure", TENURE_LABEL, data.tenure, _TENURE_KEYS, total)
        if data.phasing:
            _validate_phasing(add, data.phasing, total)
    if not _is_count(data.demolitions) or data.demolitions < 0:
        add("demolitions", _("Aantal te slopen woningen mag niet negatief zijn: %r.") % (data.demolitions,))
    elif data.demolitions > limits["demolitions"][1]:
        add("demolitions", _("Aantal te slopen woningen is te groot: %(n)d (hooguit %(max)d).")
            % {"n": data.demolitions, "max": limits["demolitions"][1]})  # fmt: skip
    for bottleneck in data.bottlenecks:
        if bottleneck not in VALID["bottleneck"]:
            add("bottlenecks", _("Onbekend knelpunt '%s'.") % bottleneck)
    for bag_id in data.bag_ids:
        if (reason := bag_ids.problem(bag_id)) is not None:
            add("bag_ids", reason)

    problems.extend(_validate_milestones(data, today, extra_milestone_kinds))
    return problems


def _validate_breakdown(add, field_name, label, counts: dict, allowed, total: int) -> None:
    plain = _nothing_to_report(counts, allowed)
    for key, count in () if plain else counts.items():
        if key not in allowed:
            add(field_name, _("%(label)s: onbekende categorie '%(key)s'.") % {"label": label, "key": key})
        elif not _is_count(count) or count < 0:
            add(
                field_name,
                _("%(label)s %(key)s mag niet negatief zijn: %(count)r.")
                % {"label": label, "key": key, "count": count},
            )
    if (plain or all(_is_count(c) for c in counts.values())) and sum(counts.values()) > total:
        add(
            field_name,
            _("%(label)s (%(sum)d woningen) is meer dan het project (%(total)d).")
            % {"label": label, "sum": sum(counts.values()), "total": total},
        )


_DELIVERY_YEARS = frozenset([*(str(y) for y in range(2000, 2101)), *range(2000, 2101)])


def _validate_phasing(add, phasing: dict, total: int) -> None:
    plain = _nothing_to_report(phasing, _DELIVERY_YEARS)
    for year, count in () if plain else phasing.items():
        if not (str(year).isdigit() and 2000 <= int(year) <= 2100):
            add("phasing", _("Ongeldig opleverjaar '%s'.") % year)
        elif not _is_count(count) or count < 0:
            add(
                "phasing",
                _("Aantal woningen in %(year)s mag niet negatief zijn: %(count)r.") % {"year": year, "count": count},
            )
    if (plain or all(_is_count(c) for c in phasing.values())) and sum(phasing.values()) > total:
        add(
            "phasing",
            _("Fasering (%(sum)d woningen) is meer dan het project (%(total)d).")
            % {"sum": sum(phasing.values()), "total": total},
        )


def canonical(data: ProjectData) -> ProjectData:
    """One spelling of the same facts, so that two versions compare equal exactly when nothing
    changed: zero counts dropped, keys sorted, milestones in PPM order, coordinates at 6 decimals."""
    from dataclasses import replace

    def counts(d):
        return {k: d[k] for k in sorted(d) if d[k]}

    return replace(
        data,
        name=str(data.name).strip(),
        homes={s: counts(t) for s, t in sorted(data.homes.items()) if any(t.values())},
        target_groups=counts(data.target_groups),
        tenure=counts(data.tenure),
        phasing={str(y): c for y, c in sorted(data.phasing.items()) if c},
        bottlenecks=tuple(sorted(set(data.bottlenecks))),
        subsidies=tuple(data.subsidies),
        milestones=tuple(
            sorted(
                (m for m in data.milestones if m.planned or m.actual or m.homes),
                key=lambda m: (MILESTONE_ORDER.get(m.kind, 999), m.kind, m.sequence),
            )
        ),
        geometry=rounded(data.geometry),
        source_info={k: v for k, v in sorted(data.source_info.items()) if v not in (None, "")},
        bag_ids=bag_ids.canonical(data.bag_ids),
    )


def changed_milestone_kinds(old: ProjectData, new: ProjectData) -> set[str]:
    """The milestone kinds whose dates or homes differ between two versions."""
    before, after = set(canonical(old).milestones), set(canonical(new).milestones)
    return {m.kind for m in before ^ after}


def only_private_milestones_changed(old: ProjectData, new: ProjectData) -> bool:
    """What a market party may change (accounts.policy.edit_scope): its own (private) milestones, nothing else."""
    from dataclasses import replace

    same_otherwise = replace(canonical(old), milestones=()) == replace(canonical(new), milestones=())
    return same_otherwise and changed_milestone_kinds(old, new) <= PRIVATE_MILESTONES


def _validate_milestones(data: ProjectData, today: date, extra_kinds) -> list[Problem]:
    problems = []
    seen = set()
    lowest, highest = column_limits()["sequence"]
    most_homes = column_limits()["milestone_homes"][1]
    for m in data.milestones:
        if not _is_count(m.sequence) or not lowest <= m.sequence <= highest:
            message = _("Volgnummer van mijlpaal '%(kind)s' moet tussen %(low)d en %(high)d liggen, niet %(value)r.")
            values = {"kind": m.kind, "low": lowest, "high": highest, "value": m.sequence}
            problems.append(Problem("milestones", message % values))
        if _is_count(m.homes) and m.homes > most_homes:
            problems.append(Problem("milestones", _("Aantal woningen bij mijlpaal '%(kind)s' is te groot: %(n)d.")
                                    % {"kind": m.kind, "n": m.homes}))  # fmt: skip
        if m.kind not in MILESTONE_CODES and m.kind not in extra_kinds:
            problems.append(Problem("milestones", _("Onbekende mijlpaal '%s'.") % m.kind))
        if (m.kind, m.sequence) in seen:
            problems.append(Problem("milestones", _("Mijlpaal '%s' komt dubbel voor.") % m.kind))
        seen.add((m.kind, m.sequence))
        if m.actual is not None and m.actual > today:
            problems.append(
                Problem(
                    "milestones",
                    _("Mijlpaal '%(kind)s' heeft een werkelijke datum in de toekomst (%(date)s).")
                    % {"kind": m.kind, "date": m.actual.isoformat()},
                )
            )
        if m.homes is not None and (not _is_count(m.homes) or m.homes < 0):
            problems.append(
                Problem("milestones", _("Aantal woningen bij mijlpaal '%s' mag niet negatief zijn.") % m.kind)
            )
    start = [m.date for m in data.milestones if m.kind == "start_bouw" and m.date]
    deliveries = [m.date for m in data.milestones if m.kind == "oplevering" and m.date]
    if start and deliveries and min(deliveries) < min(start):
        problems.append(
            Problem(
                "milestones",
                _("Oplevering (%(delivery)s) ligt vóór start bouw (%(start)s).")
                % {"delivery": min(deliveries).isoformat(), "start": min(start).isoformat()},
            )
        )
    partial = [m.homes for m in data.milestones if m.kind == "oplevering" and m.homes]
    if partial and sum(partial) > total_homes(data):
        problems.append(
            Problem(
                "milestones",
                _("Deelopleveringen (%(delivered)d woningen) zijn meer dan het project (%(total)d).")
                % {"delivered": sum(partial), "total": total_homes(data)},
            )
        )
    return problems
