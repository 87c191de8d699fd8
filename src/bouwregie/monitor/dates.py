"""Per project of a peiling, the three days a forecast starts it from (forecast/model.py): the day it reached its
current phase, its planned first oplevering, and the reference date of the first closed peiling it was in.

Read over the peiling's own versions (three queries, as arrays, aligned with numpy), and for a closed peiling
materialised with its snapshot when it closes (monitor/materialised.py), so that a cold forecast from a closed
peiling reads none of them again (issue #21: at 250,000 projects the three queries took 2.7 to 3.2 s of each
cold forecast). They are fixed once the peiling is closed: its versions are frozen, and no earlier peiling can
close after it (services.close_peiling refuses that), so the first closed peiling of each project is fixed too.
"""

from dataclasses import dataclass

import numpy as np
from django.db.models import F, Min

from bouwregie.monitor.snapshot import PHASES, OrdinalDay, arrays, entry_versions, integers
from bouwregie.projects.models import Milestone, Peiling, PeilingEntry
from bouwregie.projects.rules import quarter_end

NOT_SEEN = OrdinalDay.EMPTY  # no such date


@dataclass(frozen=True)
class PhaseDates:
    """Ordinal days (int64, NOT_SEEN where there is none), one per project, aligned with the rows asked for."""

    reached_day: np.ndarray  # the actual date of the milestone of its current phase (the first, for a phased one)
    planned_day: np.ndarray  # the planned date of its first oplevering (the first tranche's)
    first_seen_day: np.ndarray  # the end of the quarter of the first closed peiling it was in, else the peiling's
    # own reference date (a project new in an open peiling)

    def take(self, rows) -> "PhaseDates":
        return PhaseDates(self.reached_day[rows], self.planned_day[rows], self.first_seen_day[rows])


def closed_until(upto: Peiling):
    """The closed peilingen up to and including `upto`: the history a forecast from it may use."""
    return Peiling.objects.filter(closed_at__isnull=False, year__lte=upto.year).exclude(
        year=upto.year, quarter__gt=upto.quarter
    )


def read(upto: Peiling, version_ids: np.ndarray, project_ids: np.ndarray) -> PhaseDates:
    """The dates of the given versions (int64) and projects (int64, the same rows) of the peiling `upto`.

    Each query runs over the peiling's versions as a subquery (`entry_versions`) rather than the ids as
    parameters: at 250,000 projects a forecast asks for 165,000 versions, and IN lists of that many ids with a
    dict per query took seconds (issue #21)."""
    stones = Milestone.objects.filter(version_id__in=entry_versions(upto), sequence=1).order_by()
    reached = arrays(
        stones.filter(kind=F("version__phase"), actual__isnull=False).values_list("version_id", OrdinalDay("actual")),
        integers, integers,
    )  # fmt: skip
    planned = arrays(
        stones.filter(kind="oplevering", planned__isnull=False).values_list("version_id", OrdinalDay("planned")),
        integers, integers,
    )  # fmt: skip
    return PhaseDates(
        reached_day=aligned(version_ids, *reached, missing=NOT_SEEN),
        planned_day=aligned(version_ids, *planned, missing=NOT_SEEN),
        first_seen_day=first_seen(upto, project_ids),
    )


def of_milestones(upto: Peiling, project_ids: np.ndarray, phase: np.ndarray, stones: "MilestoneRows") -> PhaseDates:
    """The same days as `read`, taken from milestone rows already read: materialising a peiling at close reads
    every milestone of its versions anyway, and reading the first ones again cost 1 to 3 s of it at 250,000
    projects (A/B, bench_stress.MATERIALISE).

    `project_ids` and `phase` (index into snapshot.PHASES) per project of the snapshot; `stones` the milestones
    of the same versions. A version has each (kind, sequence) once (unique_milestone_per_version), so each project
    gets at most one value of each day."""
    phase_kind = np.array([stones.kinds.index(p) if p in stones.kinds else -1 for p in PHASES], dtype=np.int64)
    oplevering = stones.kinds.index("oplevering") if "oplevering" in stones.kinds else -1
    first, rows = stones.sequence == 1, stones.rows
    reached_day = np.full(len(project_ids), NOT_SEEN, dtype=np.int64)
    hit = first & (stones.actual != NOT_SEEN) & (stones.kind == phase_kind[phase[rows]])
    reached_day[rows[hit]] = stones.actual[hit]
    planned_day = np.full(len(project_ids), NOT_SEEN, dtype=np.int64)
    hit = first & (stones.planned != NOT_SEEN) & (stones.kind == oplevering)
    planned_day[rows[hit]] = stones.planned[hit]
    return PhaseDates(reached_day, planned_day, first_seen(upto, project_ids))


@dataclass(frozen=True)
class MilestoneRows:
    """Milestones of a snapshot's versions, one per row, in any order."""

    rows: np.ndarray  # (m,) int64: the row of its project in the snapshot
    kind: np.ndarray  # (m,) int16: index into kinds
    kinds: tuple  # milestone kind names
    sequence: np.ndarray  # (m,) int32
    actual: np.ndarray  # (m,) int64 ordinal day, NOT_SEEN when empty
    planned: np.ndarray  # (m,) int64 ordinal day, NOT_SEEN when empty


def first_seen(upto: Peiling, project_ids: np.ndarray) -> np.ndarray:
    """Per project (int64): the end of the quarter of the first closed peiling up to `upto` it was in, as an
    ordinal day; `upto`'s own reference date for a project in none of them (new in an open peiling)."""
    quarter = F("peiling__year") * 4 + F("peiling__quarter") - 1
    seen_pid, seen_q = arrays(
        PeilingEntry.objects.filter(peiling__in=closed_until(upto)).order_by().values("project_id")
        .annotate(first=Min(quarter)).values_list("project_id", "first"),
        integers, integers,
    )  # fmt: skip
    quarters = np.unique(seen_q)
    ends = np.array([quarter_end(int(q) // 4, int(q) % 4 + 1).toordinal() for q in quarters], dtype=np.int64)
    return aligned(project_ids, seen_pid, ends[np.searchsorted(quarters, seen_q)],
                   missing=upto.reference_date.toordinal())  # fmt: skip


def aligned(keys: np.ndarray, found: np.ndarray, values: np.ndarray, missing: int) -> np.ndarray:
    """values[i] of the `found[i]` equal to each key (int64), `missing` where no found key equals it. `found` holds
    each key at most once, in any order."""
    out = np.full(len(keys), missing, dtype=np.int64)
    if len(found):
        order = np.argsort(found, kind="stable")
        found, values = found[order], values[order]
        at = np.minimum(np.searchsorted(found, keys), len(found) - 1)
        hit = found[at] == keys
        out[hit] = values[at[hit]]
    return out
