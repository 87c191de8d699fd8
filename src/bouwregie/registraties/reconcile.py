"""Per project: what the BAG registered beside what the monitor says, and the differences worth a question
(issue #18, "Per project: registered starts and deliveries next to the monitor's milestones, with flags").

Input: the project's current version (plain `ProjectData`: homes, lifecycle, milestones, phasing, geometry,
bag_ids) and the events of the BAG objects linked to it (registraties.linking): start of construction (pand
"Bouw gestart"), delivery ("Verblijfsobject in gebruik" / "Pand in gebruik"), demolition, "niet gerealiseerd",
and the status now. Everything is counted up to the reference date (a peiling's last day, or today).

The flags (docs/registraties-koppeling.md), each with the numbers behind it:

- OPGELEVERD_MONITOR_NIET_BAG — "opgeleverd in monitor, niet in BAG": the monitor has opleveringen with an actual
  date at least TOLERANCE before the reference date (or the project is 'gerealiseerd' without a dated one), and
  fewer linked objects were in use by the last of those dates + TOLERANCE than the monitor delivered homes.
- IN_GEBRUIK_BAG_MONITOR_NIET — "in gebruik in BAG, monitor niet bijgewerkt": more linked objects came into use
  at least TOLERANCE before the reference date than the monitor records as delivered (actual opleveringen).
- BOUW_GESTART_LANG — "Bouw gestart in BAG langer dan 5 jaar": linked objects whose construction started more
  than LONG_CONSTRUCTION_YEARS before the reference date and that are neither in use, demolished nor withdrawn.
- MEER_IN_BAG_DAN_PROJECT — "meer woningen opgeleverd in BAG dan het project telt": more linked objects in use
  than the project's homes.

TOLERANCE is one quarter (92 days): the BAG registers "in gebruik" after the municipality's inspection, the
monitor is updated once a quarter (DESIGN.md, quarterly peilingen); a difference smaller than that is the two
registrations catching up, not a question. LONG_CONSTRUCTION_YEARS = 5 is the limit of issue #18 ("'Bouw
gestart' in the BAG for more than 5 years"). Homes of the monitor per milestone as rules.deliveries counts them (a
single oplevering without a home count delivers the whole project). A project without a polygon and without
BAG ids cannot be linked (`linkable` False): it gets no flags, the table says so.

A BAG extract speaks only up to its stand date (`bag_until`): the BAG side of every check is taken at the
earlier of the reference date and that date, so no flag checks a date the extract cannot know, and the BAG
columns of the years after the extract's year are None ("–", not comparable). Without a linkable project or
without a loaded extract the BAG columns are None too: missing, not 0 (issue #18, reviewer's points 1 and 2).
"""

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bouwregie.formatting import number
from bouwregie.projects.enums import Lifecycle
from bouwregie.projects.rules import ProjectData, deliveries, homes_per_year, total_homes

TOLERANCE = timedelta(days=92)
LONG_CONSTRUCTION_YEARS = 5

OPGELEVERD_MONITOR_NIET_BAG = "opgeleverd_monitor_niet_bag"
IN_GEBRUIK_BAG_MONITOR_NIET = "in_gebruik_bag_monitor_niet"
BOUW_GESTART_LANG = "bouw_gestart_lang"
MEER_IN_BAG_DAN_PROJECT = "meer_in_bag_dan_project"

# A status now that ends a construction without a date in the events (LV-BAG status values).
ENDED = ("in gebruik", "niet gerealiseerd", "gesloopt", "ingetrokken", "buiten gebruik")


@dataclass(frozen=True)
class ObjectEvents:
    """What the BAG says of one linked verblijfsobject (BagWoning)."""

    identificatie: str
    start_date: date | None = None
    delivery_date: date | None = None
    status_now: str = ""
    demolition_date: date | None = None
    not_realised_date: date | None = None


@dataclass(frozen=True)
class Flag:
    code: str
    numbers: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return {
            OPGELEVERD_MONITOR_NIET_BAG: _("Opgeleverd in monitor, niet in BAG"),
            IN_GEBRUIK_BAG_MONITOR_NIET: _("In gebruik in BAG, monitor niet bijgewerkt"),
            BOUW_GESTART_LANG: _("Bouw gestart in BAG langer dan 5 jaar"),
            MEER_IN_BAG_DAN_PROJECT: _("Meer woningen opgeleverd in BAG dan het project telt"),
        }[self.code]

    @property
    def message(self) -> str:
        """The flag with its numbers, in the user's language (Dutch numbers and dates)."""
        n = {k: date_format(v, "j F Y") if isinstance(v, date) else number(v) if isinstance(v, int) else str(v)
             for k, v in self.numbers.items()}  # fmt: skip
        bag = self.numbers.get("bag", 0)
        if self.code == OPGELEVERD_MONITOR_NIET_BAG:
            return (
                ngettext(
                    "De monitor meldt %(monitor)s woningen opgeleverd (laatste werkelijke oplevering %(last)s); in de "
                    "BAG was op %(deadline)s %(bag)s gekoppelde woning in gebruik.",
                    "De monitor meldt %(monitor)s woningen opgeleverd (laatste werkelijke oplevering %(last)s); in de "
                    "BAG waren op %(deadline)s %(bag)s gekoppelde woningen in gebruik.",
                    bag,
                )
                % n
            )
        if self.code == IN_GEBRUIK_BAG_MONITOR_NIET:
            return (
                ngettext(
                    "In de BAG is %(bag)s gekoppelde woning in gebruik sinds uiterlijk %(until)s (de eerste op "
                    "%(first)s); de monitor meldt %(monitor)s woningen opgeleverd.",
                    "In de BAG zijn %(bag)s gekoppelde woningen in gebruik sinds uiterlijk %(until)s (de eerste op "
                    "%(first)s); de monitor meldt %(monitor)s woningen opgeleverd.",
                    bag,
                )
                % n
            )
        if self.code == BOUW_GESTART_LANG:
            return (
                ngettext(
                    "%(bag)s gekoppelde woning staat in de BAG op 'bouw gestart' sinds %(oldest)s, langer dan "
                    "%(years)s jaar voor %(reference)s, en is niet in gebruik.",
                    "%(bag)s gekoppelde woningen staan in de BAG op 'bouw gestart' sinds %(oldest)s, langer dan "
                    "%(years)s jaar voor %(reference)s, en zijn niet in gebruik.",
                    bag,
                )
                % n
            )
        return (
            ngettext(
                "In de BAG is %(bag)s gekoppelde woning in gebruik; het project telt %(project)s woningen "
                "(%(surplus)s meer).",
                "In de BAG zijn %(bag)s gekoppelde woningen in gebruik; het project telt %(project)s woningen "
                "(%(surplus)s meer).",
                bag,
            )
            % n
        )


@dataclass(frozen=True)
class YearRow:
    year: int
    monitor_starts: int  # homes with an actual start bouw in the year
    monitor_starts_planned: int
    bag_starts: int | None  # linked objects whose construction started in the year; None: BAG cannot tell
    monitor_deliveries: int  # homes with an actual oplevering in the year
    monitor_deliveries_planned: int
    bag_deliveries: int | None  # linked objects that came into use in the year; None: BAG cannot tell


@dataclass(frozen=True)
class Reconciliation:
    reference_date: date
    linkable: bool
    linked: int
    years: tuple
    flags: tuple


def linkable(data: ProjectData) -> bool:
    """Whether BAG objects can be linked to the project at all: explicit ids, or a polygon (linking)."""
    return can_link(data.bag_ids, data.geometry)


def can_link(bag_ids, geometry) -> bool:
    """linkable on a version's stored fields (bag_ids, GeoJSON geometry): a point links nothing (linking rule 4)."""
    geometry = geometry if isinstance(geometry, dict) else {}
    parts = geometry.get("geometries", ()) if geometry.get("type") == "GeometryCollection" else (geometry,)
    return bool(bag_ids) or any(part.get("type") in ("Polygon", "MultiPolygon") for part in parts)


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _delivered_homes(data: ProjectData, total: int) -> list[tuple[date, int]]:
    """(actual date, homes) of each oplevering the monitor records as done."""
    stones = [m for m in data.milestones if m.kind == "oplevering" and (m.actual or m.planned)]
    return [(m.actual, total if (len(stones) == 1 and m.homes is None) else (m.homes or 0))
            for m in stones if m.actual]  # fmt: skip


def reconcile(
    data: ProjectData, events: list[ObjectEvents], reference: date, bag_until: date | None = None, bag_loaded=True
) -> Reconciliation:
    """The registered starts and deliveries per year beside the monitor's, and the flags (module docstring).
    `bag_until`: the stand date of the extract the links come from (None: the reference date); `bag_loaded`
    False: no extract for the project's municipality, so the BAG columns are unknown and there are no flags."""
    total = total_homes(data)
    can_link = linkable(data)
    monitor_reference = reference
    known = can_link and bag_loaded
    reference = min(reference, bag_until) if bag_until else reference

    def bag_count(counts, year):
        return counts.get(year, 0) if known and (bag_until is None or year <= bag_until.year) else None

    started = [e for e in events if e.start_date and e.start_date <= reference]
    in_use = sorted(e.delivery_date for e in events if e.delivery_date and e.delivery_date <= reference)
    bag_starts = Counter(e.start_date.year for e in started)
    bag_deliveries = Counter(d.year for d in in_use)
    monitor_starts, monitor_starts_planned = homes_per_year(data.milestones, "start_bouw", total)
    realised, planned = deliveries(data.milestones, data.phasing, total)
    years = sorted(set(bag_starts) | set(bag_deliveries) | set(monitor_starts) | set(monitor_starts_planned)
                   | set(realised) | set(planned))  # fmt: skip
    rows = tuple(
        YearRow(y, monitor_starts.get(y, 0), monitor_starts_planned.get(y, 0), bag_count(bag_starts, y),
                realised.get(y, 0), planned.get(y, 0), bag_count(bag_deliveries, y))
        for y in years
    )  # fmt: skip
    flags = []
    delivered = [(day, homes) for day, homes in _delivered_homes(data, total) if day <= monitor_reference]
    if known:
        due = [(day, homes) for day, homes in delivered if day + TOLERANCE <= reference]
        if due:
            last = max(day for day, _homes in due)
            deadline, monitor = last + TOLERANCE, sum(homes for _day, homes in due)
        elif data.lifecycle == Lifecycle.GEREALISEERD and not delivered:  # realised, but no date: by now
            last, deadline, monitor = None, reference, total
        else:
            last, deadline, monitor = None, None, 0
        bag = sum(1 for d in in_use if deadline and d <= deadline)
        if monitor > 0 and bag < monitor:
            numbers = {"monitor": monitor, "bag": bag, "deadline": deadline, "last": last or _("onbekend")}
            flags.append(Flag(OPGELEVERD_MONITOR_NIET_BAG, numbers))
        settled = [d for d in in_use if d + TOLERANCE <= reference]
        monitor_done = sum(homes for _day, homes in delivered)
        if data.lifecycle == Lifecycle.GEREALISEERD and not delivered:
            monitor_done = total
        if len(settled) > monitor_done:
            numbers = {
                "bag": len(settled),
                "monitor": monitor_done,
                "first": settled[0],
                "until": reference - TOLERANCE,
            }
            flags.append(Flag(IN_GEBRUIK_BAG_MONITOR_NIET, numbers))
        limit = _years_before(reference, LONG_CONSTRUCTION_YEARS)
        waiting = sorted(e.start_date for e in started if e.start_date < limit and _still_building(e, reference))
        if waiting:
            numbers = {
                "bag": len(waiting),
                "oldest": waiting[0],
                "years": LONG_CONSTRUCTION_YEARS,
                "reference": reference,
            }
            flags.append(Flag(BOUW_GESTART_LANG, numbers))
        if len(in_use) > total:
            numbers = {"bag": len(in_use), "project": total, "surplus": len(in_use) - total}
            flags.append(Flag(MEER_IN_BAG_DAN_PROJECT, numbers))
    return Reconciliation(monitor_reference, can_link, len(events), rows, tuple(flags))


def _still_building(e: ObjectEvents, reference: date) -> bool:
    """Started and not (yet, at the reference date) in use, demolished or withdrawn."""
    for day in (e.delivery_date, e.demolition_date, e.not_realised_date):
        if day and day <= reference:
            return False
    if not any((e.delivery_date, e.demolition_date, e.not_realised_date)):
        status = e.status_now.lower()
        return not any(word in status for word in ENDED)
    return True
