"""A project's milestones as a timeline (issue #19): planned against actual per milestone, and how far each
has slipped since the project's first version and since the last closed peiling. Pure functions over the
plain data of the versions (projects.rules.MilestoneData); the project page draws the result.

Which date counts is the rule of the whole monitor (rules.MilestoneData.date, monitor.delays): what happened
(actual), else what is planned. A slip compares that date now with the same milestone's date then:

- since the first version: the date the milestone had in the earliest version that gave it one — its
  original plan ("oorspronkelijk gepland");
- since the last closed peiling: its date in the version that peiling froze for the project (DESIGN.md:
  a peiling freezes which version counts for the quarter; projects.models.PeilingEntry).

Positive days are later, negative earlier. A milestone without a date then (or now) has no slip.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bouwregie.projects.milestones import MILESTONE_ORDER
from bouwregie.projects.rules import MilestoneData

Key = tuple[str, int]  # (kind, sequence)


@dataclass(frozen=True)
class TimelineRow:
    kind: str
    sequence: int
    homes: int | None
    planned: date | None
    actual: date | None
    first: date | None  # its date in the first version that dated it
    at_peiling: date | None  # its date in the version of the last closed peiling
    late_days: int | None  # actual after planned, in days (None: not both known, or not late)
    overdue: bool  # planned date passed, no actual date yet
    slip_since_first: int | None
    slip_since_peiling: int | None

    @property
    def date(self) -> date | None:
        return self.actual or self.planned


def first_dates(history: Iterable[Sequence[MilestoneData]]) -> dict[Key, date]:
    """Per milestone, its date (actual, else planned) in the earliest version that had one; `history` oldest
    version first."""
    result: dict[Key, date] = {}
    for milestones in history:
        for m in milestones:
            if (m.kind, m.sequence) not in result and m.date:
                result[m.kind, m.sequence] = m.date
    return result


def dates_of(milestones: Sequence[MilestoneData]) -> dict[Key, date]:
    """Per milestone of one version, the date that counts (actual, else planned)."""
    return {(m.kind, m.sequence): m.date for m in milestones if m.date}


def _days(now: date | None, then: date | None) -> int | None:
    return (now - then).days if now and then else None


def timeline(current: Sequence[MilestoneData], first: dict[Key, date], at_peiling: dict[Key, date] | None,
             today: date) -> list[TimelineRow]:  # fmt: skip
    """The current version's milestones in PPM order (a table's own kinds after the standard ones), each with
    its slips. at_peiling None: no closed peiling holds the project (then no slip since a peiling)."""
    rows = []
    for m in sorted(current, key=lambda m: (MILESTONE_ORDER.get(m.kind, 999), m.kind, m.sequence)):
        if not (m.planned or m.actual):
            continue
        key = (m.kind, m.sequence)
        late = _days(m.actual, m.planned)
        then = (at_peiling or {}).get(key)
        rows.append(TimelineRow(
            kind=m.kind, sequence=m.sequence, homes=m.homes, planned=m.planned, actual=m.actual,
            first=first.get(key), at_peiling=then, late_days=late if late and late > 0 else None,
            overdue=m.actual is None and m.planned is not None and m.planned < today,
            slip_since_first=_days(m.date, first.get(key)), slip_since_peiling=_days(m.date, then),
        ))  # fmt: skip
    return rows


@dataclass(frozen=True)
class Scale:
    """Dates on a horizontal axis of `width` units, from the 1st of January of the first year to the 1st of
    January after the last."""

    start: date
    end: date
    width: int = 1000

    def x(self, day: date | None) -> float | None:
        if day is None:
            return None
        return round((day - self.start).days / max((self.end - self.start).days, 1) * self.width, 1)

    def years(self) -> list[tuple[int, float]]:
        return [(y, self.x(date(y, 1, 1))) for y in range(self.start.year, self.end.year)]


def scale_for(rows: Sequence[TimelineRow], today: date, width: int = 1000) -> Scale | None:
    """The axis that holds every date of the rows and today; None without any dated milestone."""
    days = [d for r in rows for d in (r.planned, r.actual, r.first, r.at_peiling) if d]
    if not days:
        return None
    days.append(today)
    return Scale(date(min(days).year, 1, 1), date(max(days).year + 1, 1, 1), width)


@dataclass(frozen=True)
class Bars:
    """One row of the chart, in axis units: the planned and the actual phase (from the previous milestone's
    planned, resp. actual, date to this one's; a milestone without an earlier one is a mark of its own), and
    where the first version had it."""

    planned: tuple[float, float] | None
    actual: tuple[float, float] | None
    first: float | None


MIN_BAR = 6.0  # units: a phase of a few days (or a milestone on its own) still shows


def bars(rows: Sequence[TimelineRow], scale: Scale) -> list[Bars]:
    """Gantt-like phases: each bar runs from the previous milestone's date of the same kind (planned, or
    actual) to this milestone's, so a phase that took longer than planned is a longer actual bar that ends
    right of the planned one."""
    result, previous = [], {"planned": None, "actual": None}
    for r in rows:
        row = {}
        for what in ("planned", "actual"):
            day = getattr(r, what)
            end = scale.x(day)
            if end is None:
                row[what] = None
                continue
            begin = previous[what] if previous[what] is not None and previous[what] <= end else end
            previous[what] = end
            if end - begin < MIN_BAR:  # ends at its date, unless that is too close to the axis's start
                begin, end = max(0.0, end - MIN_BAR), max(end, MIN_BAR)
            row[what] = (begin, round(end - begin, 1))
        result.append(Bars(row["planned"], row["actual"], scale.x(r.first) if r.first != r.date else None))
    return result
