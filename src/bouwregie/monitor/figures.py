"""Monitor figures: grouped sums over distinct projects of one snapshot, then ratios per area.

Every area is a group of distinct projects. Municipalities are summed in one pass; provinces and NL
are sums of their municipalities, so children add up to their parents exactly. A region is its own
group (a mask over projects), never the sum of other areas, so overlapping regions never double count.
"""

from dataclasses import dataclass

import numpy as np

from bouwregie.monitor.snapshot import (
    AFFORDABLE_COLUMNS,
    GROUPS,
    HARDNESS,
    KNOWN_COLUMNS,
    PHASES,
    PLAN_TYPES,
    SEGMENTS,
    SOCIAL_COLUMNS,
    YEARS,
    Snapshot,
)
from bouwregie.projects.enums import ELDERLY_GROUPS

# Customary planning norm: plan capacity 130% of the remaining task (issue #4; configurable per call).
CAPACITY_NORM = 1.3
# Woontop 11 Dec 2024, Afspraak 1: two thirds of new build affordable.
AFFORDABLE_NORM = 2 / 3
# Provincial norm: at least one third sociale huur of new build, half the affordable share (DOMAIN.md §2).
SOCIAL_NORM = 1 / 3


@dataclass
class Sums:
    projects: np.ndarray  # (G,) active projects
    homes: np.ndarray  # (G,) active pipeline homes
    hardness: np.ndarray  # (G, 3)
    phase: np.ndarray  # (G, phases)
    plan_type: np.ndarray  # (G, types)
    segments: np.ndarray  # (G, 6) active pipeline
    groups: np.ndarray  # (G, 5) active pipeline
    realised: np.ndarray  # (G, Y)
    planned: np.ndarray  # (G, Y) active projects only
    affordable_by_year: np.ndarray  # (G, Y) deliveries (realised + planned) in affordable segments
    social_by_year: np.ndarray  # (G, Y)
    known_by_year: np.ndarray  # (G, Y) deliveries with a known segment

    def __add__(self, other):
        return Sums(**{k: getattr(self, k) + getattr(other, k) for k in self.__dataclass_fields__})

    def take(self, index) -> "Sums":
        return Sums(**{k: getattr(self, k)[index] for k in self.__dataclass_fields__})

    def sum_by(self, parent: np.ndarray, n_parents: int) -> "Sums":
        """Children (rows) added up into parents: parent[i] is the parent of child i."""
        return Sums(**{k: _grouped(getattr(self, k), parent, n_parents) for k in self.__dataclass_fields__})


def _grouped(values: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    """Sum rows of `values` per group (np.bincount per column: far faster than np.add.at)."""
    integer = values.dtype.kind in "iub"
    columns = values.reshape(len(values), int(np.prod(values.shape[1:], dtype=np.int64)))
    out = np.empty((n, columns.shape[1]), dtype=np.int64 if integer else np.float64)
    for j in range(columns.shape[1]):
        summed = np.bincount(group, weights=columns[:, j], minlength=n)
        out[:, j] = np.rint(summed) if integer else summed  # integer sums are exact in float64 below 2**53
    return out.reshape((n, *values.shape[1:]))


def group_sums(s: Snapshot, group: np.ndarray, n: int, include: np.ndarray | None = None) -> Sums:
    """Sums per group; `group` gives each project's group, `include` optionally leaves projects out.

    Pipeline figures count the homes of active projects that are not yet realised; a project's
    segment and target-group mix applies pro rata to those homes and to its deliveries per year."""
    keep = np.ones(len(group), dtype=bool) if include is None else include
    active = keep & s.active
    g_all, g_active = group[keep], group[active]
    left = s.remaining[active]
    share_left = (left / np.maximum(s.homes[active], 1))[:, None]
    delivered = (s.realised + s.planned * s.active[:, None])[keep]
    fraction = s.segments[keep] / np.maximum(s.homes[keep], 1)[:, None]

    def one_hot(codes, width):
        return np.eye(width, dtype=np.int64)[codes] * left[:, None]

    return Sums(
        projects=np.bincount(g_active, minlength=n),
        homes=np.bincount(g_active, weights=left, minlength=n).astype(np.int64),
        hardness=_grouped(one_hot(s.hardness[active], len(HARDNESS)), g_active, n),
        phase=_grouped(one_hot(s.phase[active], len(PHASES)), g_active, n),
        plan_type=_grouped(one_hot(s.plan_type[active], len(PLAN_TYPES)), g_active, n),
        segments=_grouped(s.segments[active] * share_left, g_active, n),
        groups=_grouped(s.groups[active] * share_left, g_active, n),
        realised=_grouped(s.realised[keep], g_all, n),
        planned=_grouped((s.planned * s.active[:, None])[keep], g_all, n),
        affordable_by_year=_grouped(delivered * fraction[:, AFFORDABLE_COLUMNS].sum(axis=1)[:, None], g_all, n),
        social_by_year=_grouped(delivered * fraction[:, SOCIAL_COLUMNS].sum(axis=1)[:, None], g_all, n),
        known_by_year=_grouped(delivered * fraction[:, KNOWN_COLUMNS].sum(axis=1)[:, None], g_all, n),
    )


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _years(values: np.ndarray) -> dict[str, int]:
    return {str(y): int(v) for y, v in zip(YEARS, values, strict=True) if v}


def report(area: dict, sums: Sums, targets: list, peiling: str, norm: float = CAPACITY_NORM) -> dict:
    """All figures of one area (a Sums of a single group) against its agreements."""
    homes = int(sums.homes)
    segments = {seg: round(float(v)) for seg, v in zip(SEGMENTS, sums.segments, strict=True)}
    known = float(sums.segments.sum() - sums.segments[SEGMENTS.index("onbekend")])
    affordable = float(sums.segments[AFFORDABLE_COLUMNS].sum())
    hard = int(sums.hardness[0])
    progress = [_progress(t, sums) for t in targets]
    main = next((p for p in progress if p["indicator"] == "bruto_woningen" and p["remaining"] is not None), None)
    remaining = main["remaining"] if main else None
    with np.errstate(divide="ignore", invalid="ignore"):
        affordable_by_year = np.round(sums.affordable_by_year / sums.known_by_year, 4).tolist()
        social_by_year = np.round(sums.social_by_year / sums.known_by_year, 4).tolist()
    years = {str(YEARS[i]): {"affordable_share": affordable_by_year[i], "social_share": social_by_year[i]}
             for i in np.flatnonzero(sums.known_by_year).tolist()}  # fmt: skip
    return {
        "area": area,
        "peiling": peiling,
        "realised": _years(sums.realised),
        "planned": _years(sums.planned),
        "agreements": progress,
        "pipeline": {
            "projects": int(sums.projects),
            "homes": homes,
            "by_plan_status": {h: int(v) for h, v in zip(HARDNESS, sums.hardness, strict=True)},
            "by_phase": {p or "voor_initiatief": int(v) for p, v in zip(PHASES, sums.phase, strict=True) if v},
        },
        "capacity": {
            "plan_capacity": homes,
            "hard": hard,
            "remaining_task": remaining,
            "ratio": _share(homes, remaining) if remaining else None,
            "norm": norm,
            "meets_norm": (homes >= norm * remaining) if remaining else None,
            "hard_share": _share(hard, homes),
            "hard_ratio": _share(hard, remaining) if remaining else None,
        },
        "segments": {
            "pipeline": segments,
            "affordable_share": _share(affordable, known),
            "affordable_norm": round(AFFORDABLE_NORM, 4),
            "social_share": _share(float(sums.segments[SOCIAL_COLUMNS].sum()), known),
            "social_norm": round(SOCIAL_NORM, 4),
            "unknown_segment_homes": segments["onbekend"],
            "by_delivery_year": years,
        },
        "target_groups": {
            **{g: round(float(v)) for g, v in zip(GROUPS, sums.groups, strict=True)},
            "ouderen_totaal": round(
                float(sum(v for g, v in zip(GROUPS, sums.groups, strict=True) if g in ELDERLY_GROUPS))
            ),
        },
        "plan_types": {t: int(v) for t, v in zip(PLAN_TYPES, sums.plan_type, strict=True) if v},
    }


def _progress(target, sums: Sums) -> dict:
    first, last = target.first_year - YEARS[0], target.last_year - YEARS[0]
    realised = int(sums.realised[first : last + 1].sum())
    planned = int(sums.planned[first : last + 1].sum())
    result = {"indicator": target.metric, "period": f"{target.first_year}-{target.last_year}", "source": target.source}
    if target.share is not None:
        known = float(sums.known_by_year[first : last + 1].sum())
        part = sums.affordable_by_year if target.metric == "aandeel_betaalbaar" else sums.social_by_year
        result.update(target_share=float(target.share), share=_share(float(part[first : last + 1].sum()), known),
                      remaining=None)  # fmt: skip
        return result
    if target.metric != "bruto_woningen":
        result.update(total=target.total, remaining=None)
        return result
    result.update(
        total=target.total, realised=realised, planned=planned, remaining=max(0, target.total - realised),
        expected_shortfall=max(0, target.total - realised - planned),
        yearly={y: {"target": n, "realised": int(sums.realised[int(y) - YEARS[0]]),
                    "planned": int(sums.planned[int(y) - YEARS[0]])} for y, n in sorted(target.yearly.items())},
    )  # fmt: skip
    return result
