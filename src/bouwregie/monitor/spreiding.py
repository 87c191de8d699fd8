"""Evenwichtige verdeling: the share of sociale huur per municipality of a woondeal region (issue #17).

Seed 003 (the minister's letter to the provinces): "Provincies hebben een belangrijke rol bij de evenwichtige
verdeling van sociale huurwoningen tussen gemeenten in de regio". This module answers, with numbers in and
numbers out (no database), how far each member municipality is from the region's agreed norm:

- per project: the homes realised since 1 January 2022 (`new_build`) and the homes still in the pipeline
  (`pipeline`: active projects, not yet delivered), each with the part in sociale huur and the part with a
  known segment — the project's segment mix applied pro rata, as everywhere in the monitor (figures.py);
- share = sociale huur / homes with a known segment (homes without a segment are shown, not counted; the
  monitor's rule for every segment share), for new build, pipeline, and both together;
- the regional share is taken over the region's distinct projects (each project once), never averaged over
  municipalities;
- a municipality is flagged 'ver onder' when its share of new build and pipeline together lies more than
  `threshold` (default 10 percentage points) below the norm, 'ver boven' when more than that above it;
- for a flagged municipality, the homes that would have to change to reach the norm exactly:
  below: ceil(norm × known − sociale huur) more sociale huur; above: ceil(sociale huur − norm × known)
  fewer, the total kept the same. Those homes are placed on its pipeline projects, the project with the most
  room first (below: pipeline homes not yet sociale huur; above: pipeline homes in sociale huur), then the
  project code, until the gap is closed. Realised homes cannot move, so only the pipeline is offered.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

BELOW, ABOVE = "ver_onder", "ver_boven"
DEFAULT_THRESHOLD = 0.10


@dataclass(frozen=True)
class ProjectHomes:
    """One project's homes in the peiling. Fractions are allowed (pro rata segment mix)."""

    code: str
    name: str
    municipality: str
    new_build: float = 0.0  # realised since 2022
    new_build_social: float = 0.0
    new_build_known: float = 0.0
    pipeline: float = 0.0  # active, not yet delivered
    pipeline_social: float = 0.0
    pipeline_known: float = 0.0


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _figures(projects: list[ProjectHomes]) -> dict:
    nb = sum(p.new_build for p in projects)
    nb_social = sum(p.new_build_social for p in projects)
    nb_known = sum(p.new_build_known for p in projects)
    pl = sum(p.pipeline for p in projects)
    pl_social = sum(p.pipeline_social for p in projects)
    pl_known = sum(p.pipeline_known for p in projects)
    return {
        "projects": len(projects),
        "new_build": {"homes": nb, "social": nb_social, "known": nb_known, "share": _share(nb_social, nb_known)},
        "pipeline": {"homes": pl, "social": pl_social, "known": pl_known, "share": _share(pl_social, pl_known)},
        "total": {
            "homes": nb + pl,
            "social": nb_social + pl_social,
            "known": nb_known + pl_known,
            "share": _share(nb_social + pl_social, nb_known + pl_known),
        },
    }


def flag(share: float | None, norm: float, threshold: float = DEFAULT_THRESHOLD) -> str | None:
    """'ver_onder', 'ver_boven' or None (within the band, or no homes with a known segment)."""
    if share is None:
        return None
    if share < norm - threshold - 1e-12:
        return BELOW
    if share > norm + threshold + 1e-12:
        return ABOVE
    return None


def homes_to_norm(social: float, known: float, norm: float, direction: str) -> int:
    """Whole homes that must become (below) or stop being (above) sociale huur to reach the norm exactly."""
    gap = norm * known - social if direction == BELOW else social - norm * known
    return max(0, math.ceil(round(gap, 9)))


def movers(projects: list[ProjectHomes], needed: int, direction: str) -> list[dict]:
    """The pipeline projects that would close `needed` homes of gap, most room first (then project code)."""
    rooms = []
    for p in projects:
        room = p.pipeline_known - p.pipeline_social if direction == BELOW else p.pipeline_social
        room = math.floor(round(room, 9))
        if room > 0:
            rooms.append((room, p))
    rooms.sort(key=lambda r: (-r[0], r[1].code))
    left, out = needed, []
    for room, p in rooms:
        if left <= 0:
            break
        change = min(room, left)
        left -= change
        out.append({"code": p.code, "name": p.name, "pipeline": p.pipeline, "room": room, "change": change,
                    "cumulative": needed - left})  # fmt: skip
    return out


def distribution(
    members: Iterable[str],
    projects: Iterable[ProjectHomes],
    norm: float,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict:
    """The balanced-distribution figures of a region: per member municipality and for the region (distinct
    projects), the flags against `norm` ± `threshold`, and for each flagged municipality the projects that would
    move it. Projects outside `members` are left out."""
    members = sorted(set(members))
    distinct = {p.code: p for p in projects if p.municipality in members}
    regional = list(distinct.values())
    rows = []
    for code in members:
        own = sorted((p for p in regional if p.municipality == code), key=lambda p: p.code)
        figures = _figures(own)
        total = figures["total"]
        which = flag(total["share"], norm, threshold)
        needed = homes_to_norm(total["social"], total["known"], norm, which) if which else 0
        chosen = movers(own, needed, which) if which else []
        rows.append({
            "municipality": code, **figures, "flag": which,
            "difference": None if total["share"] is None else total["share"] - norm,
            "needed": needed, "movers": chosen, "closed_by_pipeline": sum(m["change"] for m in chosen) >= needed,
        })  # fmt: skip
    return {"norm": norm, "threshold": threshold, "region": _figures(regional), "municipalities": rows}
