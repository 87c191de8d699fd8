"""One peiling as numpy arrays: every figure of the monitor is a masked or grouped sum over these.

A closed peiling never changes (docs/decisions/0002), so its snapshot is cached per process; an open
peiling (or the current state) is always read afresh.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import connection

from bouwregie.geo import reference
from bouwregie.projects.enums import HARD_STATUSES, SOFT_STATUSES, Lifecycle, PlanType, Segment, TargetGroup
from bouwregie.projects.milestones import MILESTONE_CODES
from bouwregie.projects.models import Milestone, Peiling, PeilingEntry, ProjectVersion
from bouwregie.projects.rules import MilestoneData, deliveries

FIRST_YEAR, LAST_YEAR = 2010, 2050
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
PHASES = ("", *MILESTONE_CODES)
HARDNESS = ("hard", "zacht", "onbekend")
SEGMENTS = tuple(Segment.values)
GROUPS = tuple(TargetGroup.values)
PLAN_TYPES = tuple(PlanType.values)
LIFECYCLES = tuple(Lifecycle.values)
STATUSES = ("1A", "1B", "1C", "2A", "2B", "2C", "3", "4A", "4B", "onbekend")


@dataclass(frozen=True)
class Snapshot:
    peiling: str
    project_ids: np.ndarray
    municipality: np.ndarray  # index into municipality_codes
    lifecycle: np.ndarray  # index into LIFECYCLES
    hardness: np.ndarray  # index into HARDNESS
    status: np.ndarray  # index into STATUSES (IPO order 1A … 4B, then onbekend)
    version_ids: np.ndarray
    phase: np.ndarray  # index into PHASES
    plan_type: np.ndarray  # index into PLAN_TYPES
    homes: np.ndarray
    remaining: np.ndarray  # homes not yet realised: what counts as plan capacity
    segments: np.ndarray  # (n, len(SEGMENTS))
    groups: np.ndarray  # (n, len(GROUPS))
    realised: np.ndarray  # (n, len(YEARS)) homes delivered (actual oplevering) per year
    planned: np.ndarray  # (n, len(YEARS)) homes still planned per year
    municipality_codes: tuple
    municipality_province: np.ndarray  # province index per municipality
    province_codes: tuple

    @property
    def active(self) -> np.ndarray:
        return self.lifecycle == LIFECYCLES.index(Lifecycle.ACTIEF)


def load(peiling_code: str) -> Snapshot:
    peiling = Peiling.objects.get(code=peiling_code)
    if peiling.is_closed:
        return _cached(connection.alias, peiling.id, peiling.closed_at, peiling.code)
    return _read(peiling.id, peiling.code)


@lru_cache(maxsize=8)
def _cached(alias, peiling_id, closed_at, code) -> Snapshot:
    return _read(peiling_id, code)


def _read(peiling_id: int, code: str) -> Snapshot:
    municipalities = reference.read_municipalities()
    province_codes = tuple(r["provinciecode"] for r in reference.read_provinces())
    municipality_codes = tuple(m["gemeentecode"] for m in municipalities)
    m_index = {c: i for i, c in enumerate(municipality_codes)}
    version_ids = PeilingEntry.objects.filter(peiling_id=peiling_id).values("version_id")
    rows = list(ProjectVersion.objects.filter(id__in=version_ids).order_by("project_id").values_list(
        "id", "project_id", "municipality_id", "lifecycle", "plan_status", "phase", "plan_type", "homes_total",
        "homes_sociale_huur", "homes_middenhuur", "homes_betaalbare_koop", "homes_vrije_sector_huur",
        "homes_dure_koop", "homes_onbekend", "target_groups", "phasing",
    ))  # fmt: skip
    n = len(rows)
    stones: dict[int, list] = {}
    for vid, seq, planned, actual, homes in Milestone.objects.filter(
        version_id__in=version_ids, kind="oplevering"
    ).values_list("version_id", "sequence", "planned", "actual", "homes"):
        stones.setdefault(vid, []).append(MilestoneData("oplevering", planned, actual, homes, seq))
    realised = np.zeros((n, len(YEARS)), dtype=np.int64)
    planned = np.zeros((n, len(YEARS)), dtype=np.int64)
    for i, row in enumerate(rows):
        done, todo = deliveries(stones.get(row[0], ()), row[15] or {}, row[7])
        for year, homes in done.items():
            realised[i, min(max(year, FIRST_YEAR), LAST_YEAR) - FIRST_YEAR] += homes
        for year, homes in todo.items():
            planned[i, min(max(year, FIRST_YEAR), LAST_YEAR) - FIRST_YEAR] += homes
    statuses = [r[4] for r in rows]
    homes = np.array([r[7] for r in rows], dtype=np.int64)
    return Snapshot(
        peiling=code,
        project_ids=np.array([r[1] for r in rows], dtype=np.int64),
        municipality=np.array([m_index[r[2]] for r in rows], dtype=np.int32),
        lifecycle=np.array([LIFECYCLES.index(r[3]) for r in rows], dtype=np.int8),
        hardness=np.array([0 if s in HARD_STATUSES else 1 if s in SOFT_STATUSES else 2 for s in statuses], np.int8),
        status=np.array([STATUSES.index(s) for s in statuses], dtype=np.int8),
        version_ids=np.array([r[0] for r in rows], dtype=np.int64),
        phase=np.array([PHASES.index(r[5]) if r[5] in PHASES else 0 for r in rows], dtype=np.int8),
        plan_type=np.array([PLAN_TYPES.index(r[6]) for r in rows], dtype=np.int8),
        homes=homes,
        remaining=np.maximum(homes - realised.sum(axis=1), 0),
        segments=np.array([r[8:14] for r in rows], dtype=np.int64).reshape(n, len(SEGMENTS)),
        groups=np.array([[(r[14] or {}).get(g, 0) for g in GROUPS] for r in rows], dtype=np.int64).reshape(
            n, len(GROUPS)
        ),
        realised=realised,
        planned=planned,
        municipality_codes=municipality_codes,
        municipality_province=np.array([province_codes.index(m["provinciecode"]) for m in municipalities]),
        province_codes=province_codes,
    )
