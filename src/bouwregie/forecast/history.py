"""What the peiling history says about each project, as numpy arrays: the data the calibration learns
from. Read straight from the closed peilingen up to and including the forecast's peiling, never from
later ones (so a backtest from an earlier peiling cannot peek ahead)."""

from dataclasses import dataclass

import numpy as np

from bouwregie.forecast.priors import PHASES, status_group
from bouwregie.monitor import dates
from bouwregie.monitor.dates import NOT_SEEN, aligned, closed_until
from bouwregie.monitor.dates import PhaseDates as Current
from bouwregie.monitor.snapshot import OrdinalDay, arrays, arrays_in, integers
from bouwregie.projects.enums import Lifecycle, PlanStatus
from bouwregie.projects.models import Milestone, Peiling, PeilingEntry

GROUPS = ("zacht", "3", "hard", "onbekend")
GONE = (Lifecycle.VERVALLEN, Lifecycle.NIET_MEER_IN_PLANLIJST)


@dataclass(frozen=True)
class History:
    peilingen: tuple[str, ...]  # closed peilingen up to the forecast's, oldest first
    reference_days: np.ndarray  # (Q,) ordinal day of each peiling's reference date
    project_ids: np.ndarray  # (P,)
    reached: np.ndarray  # (P, phases) ordinal day each milestone was reached (first oplevering), or NOT_SEEN
    first_seen: np.ndarray  # (P,) index of the first peiling the project is in
    last_seen: np.ndarray  # (P,) index of the last peiling the project is in
    dropped: np.ndarray  # (P,) bool: its last entry says vervallen / niet meer in planlijst
    # One row per project per peiling in which it was active (and not yet building): the exposure to
    # drop-out. `dropped_next` tells whether the next peiling had it gone.
    exposure_group: np.ndarray  # index into GROUPS
    dropped_next: np.ndarray  # bool
    # One row per project per peiling in which it was active, not yet delivering and had a planned date
    # for its first oplevering: how far ahead it planned, to compare with when it really came.
    plan_project: np.ndarray  # row in the per-project arrays
    plan_phase: np.ndarray  # its phase then (index into PHASES)
    plan_made: np.ndarray  # ordinal day: the peiling's reference date
    plan_date: np.ndarray  # ordinal day: the planned first oplevering
    planned_now: np.ndarray  # (P,) the planned first oplevering in its latest version, or NOT_SEEN


def read(peiling_code: str) -> History:
    upto = Peiling.objects.get(code=peiling_code)
    peilingen = list(closed_until(upto).order_by("year", "quarter"))
    if upto not in peilingen:
        peilingen.append(upto)
    q_index = {p.id: i for i, p in enumerate(peilingen)}
    entries = PeilingEntry.objects.filter(peiling_id__in=q_index).order_by()
    groups = {s: GROUPS.index(status_group(s)) for s in PLAN_STATUSES}
    unknown = GROUPS.index("onbekend")  # what status_group says of any other value
    phase_index = {code: i for i, code in enumerate(PHASES)}
    pid, quarter, version, life, group, phase_at = arrays(
        entries.values_list("project_id", "peiling_id", "version_id", "version__lifecycle", "version__plan_status",
                            "version__phase"),
        integers,
        lambda values: [q_index[p] for p in values],
        integers,
        lambda values: [LIFE.get(x, len(LIFE)) for x in values],
        lambda values: [groups.get(x, unknown) for x in values],
        lambda values: [phase_index.get(x, 0) for x in values],
        dtypes=(np.int64, np.int16, np.int64, np.int8, np.int8, np.int8),  # 3 million entries at 250,000 projects
    )  # fmt: skip
    if not len(pid):
        raise ValueError(f"Peiling {peiling_code} heeft geen projecten.")
    order = np.lexsort((quarter, pid))  # per project, oldest peiling first
    pid, quarter, version, life = pid[order], quarter[order], version[order], life[order]
    group, phase_at = group[order].astype(np.int8), phase_at[order]
    gone = life >= LIFE[Lifecycle.VERVALLEN]
    gone &= life < len(LIFE)
    active = life == LIFE[Lifecycle.ACTIEF]
    building = phase_at >= PHASES.index("start_bouw")

    starts = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]])
    ends = np.r_[starts[1:], len(pid)] - 1
    same_next = np.r_[pid[1:] == pid[:-1], False]
    next_quarter_is_adjacent = np.r_[quarter[1:] == quarter[:-1] + 1, False]
    at_risk = active & ~building & same_next & next_quarter_is_adjacent
    dropped_next = np.r_[gone[1:], False]

    last_versions = version[ends]
    project_ids = pid[starts]
    reached = np.full((len(project_ids), len(PHASES)), NOT_SEEN, dtype=np.int64)
    # The day each milestone of a project's last version was reached: read in pieces of ids, as arrays (at 250,000
    # projects a million rows, which as Python tuples took most of a gigabyte; issue #21).
    vid, k, sequence, actual = arrays_in(
        Milestone.objects.filter(actual__isnull=False)
        .values_list("version_id", "kind", "sequence", OrdinalDay("actual")),
        "version_id", last_versions.tolist(),
        integers, lambda values: [phase_index.get(kind, -1) for kind in values], integers, integers,
        dtypes=(np.int64, np.int8, np.int32, np.int64),
    )  # fmt: skip
    counts = (k >= 0) & ((k != phase_index["oplevering"]) | (sequence == 1))
    by_version = np.argsort(last_versions)
    rows = by_version[np.searchsorted(last_versions, vid[counts], sorter=by_version)]
    reached[rows, k[counts]] = actual[counts]
    with_plan, plan_day = arrays(
        Milestone.objects.filter(version_id__in=entries.values("version_id"), kind="oplevering", sequence=1,
                                 planned__isnull=False).values_list("version_id", OrdinalDay("planned")),
        integers, integers,
    )  # fmt: skip
    planned = aligned(version, with_plan, plan_day, missing=NOT_SEEN)
    project_row = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(pid)]))
    made = np.array([p.reference_date.toordinal() for p in peilingen], dtype=np.int64)[quarter]
    plans = active & (phase_at < PHASES.index("oplevering")) & (planned != NOT_SEEN)
    return History(
        peilingen=tuple(p.code for p in peilingen),
        reference_days=np.array([p.reference_date.toordinal() for p in peilingen], dtype=np.int64),
        project_ids=project_ids,
        reached=reached,
        first_seen=quarter[starts],
        last_seen=quarter[ends],
        dropped=gone[ends],
        exposure_group=group[at_risk],
        dropped_next=dropped_next[at_risk],
        plan_project=project_row[plans],
        plan_phase=phase_at[plans],
        plan_made=made[plans],
        plan_date=planned[plans],
        planned_now=planned[ends],
    )


# Lifecycles as small codes: the active one, then the two that mean gone (GONE), then any other.
LIFE = {Lifecycle.ACTIEF: 0, Lifecycle.VERVALLEN: 1, Lifecycle.NIET_MEER_IN_PLANLIJST: 2}
PLAN_STATUSES = tuple(PlanStatus.values)


def current(peiling_code: str, version_ids: np.ndarray, project_ids: np.ndarray) -> Current:
    """The forecast's three days per project (monitor/dates.py), aligned with `version_ids` / `project_ids` (rows of
    the peiling's snapshot), read from the database. The full history is the calibration's (`read`)."""
    return dates.read(Peiling.objects.get(code=peiling_code), version_ids, project_ids)
