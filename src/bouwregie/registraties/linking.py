"""Which project each BAG verblijfsobject belongs to (issue #18), and on what basis.

The rule (docs/registraties-koppeling.md):

1. An explicit id on a project wins. A verblijfsobject id (objecttype 01, projects.bag_ids) links that
   verblijfsobject; a pand id (10) links every verblijfsobject that lies in the pand (its pand_ids). A
   verblijfsobject id is more specific than a pand id: when a project names the verblijfsobject and another
   names its pand, the verblijfsobject's project wins. Basis "id".
2. Otherwise its point (WGS84) within a project polygon. A point on the boundary counts as within (the
   closed polygon: a verblijfsobject on the edge of a plan area belongs to it). Basis "geometrie".
3. Several candidates at the deciding level (a point within two overlapping project polygons, an id named by
   two projects): the smallest polygon wins (the most specific plan; area in degrees², which ranks polygons
   that overlap as their area in m² does), then the lowest project id; the link is flagged ambiguous
   (basis "geometrie, meerdere projecten" / "id, meerdere projecten") and keeps every candidate.
4. A project without a polygon (a point, or no geometry) links only by id. An object that matches nothing is
   not linked.

So each object links to at most one project. Pure and vectorised: the objects come as numpy columns (a
million verblijfsobjecten in one call), the points are queried all at once against the prepared project
polygons with a shapely 2 STRtree (bench/bench_baglink.py measures it against a bare STRtree query).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import orjson
import shapely

from bouwregie.projects import bag_ids as ids
from bouwregie.registraties.basis import BASIS

BY_ID, BY_ID_AMBIGUOUS, BY_GEOMETRY, BY_GEOMETRY_AMBIGUOUS = 0, 1, 2, 3


@dataclass(frozen=True)
class Objects:
    """BAG verblijfsobjecten as columns: identificatie (int64; the 16 digits as a number), lon/lat (WGS84), and
    the panden each lies in as a flat array `pand_ids` with `pand_offsets` (object i lies in
    pand_ids[pand_offsets[i]:pand_offsets[i + 1]])."""

    identificatie: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    pand_ids: np.ndarray
    pand_offsets: np.ndarray

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, float | None, float | None, Iterable[str]]]) -> "Objects":
        """From (identificatie, lon, lat, pand ids) tuples; a missing point is NaN (links only by id)."""
        rows = list(records)
        pands = [[int(p) for p in row[3]] for row in rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in pands], out=offsets[1:])
        return cls(
            identificatie=np.array([int(row[0]) for row in rows], dtype=np.int64),
            lon=np.array([np.nan if row[1] is None else row[1] for row in rows], dtype=np.float64),
            lat=np.array([np.nan if row[2] is None else row[2] for row in rows], dtype=np.float64),
            pand_ids=np.array([p for ps in pands for p in ps], dtype=np.int64),
            pand_offsets=offsets,
        )

    def __len__(self) -> int:
        return len(self.identificatie)


@dataclass(frozen=True)
class ProjectArea:
    """What linking needs of a project's current version: its id, explicit BAG ids, geometry (GeoJSON dict in
    WGS84 as stored, a GeoJSON text, or a shapely geometry; None for none)."""

    project_id: int
    bag_ids: tuple = ()
    geometry: object = None


@dataclass(frozen=True)
class Link:
    identificatie: str  # 16 digits
    project_id: int
    basis: str  # one of BASIS
    candidates: tuple  # project ids that qualified at the deciding level, the chosen one first

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


class Links(Sequence):
    """The result of `link`: a sequence of Link, kept as columns (object index, project index, basis code) so
    that a million links cost no million Python objects until they are read one by one."""

    def __init__(self, objects: Objects, projects: Sequence[ProjectArea], obj, proj, basis, candidates):
        self.objects, self.projects = objects, projects
        self.object_index, self.project_index, self.basis_code = obj, proj, basis
        self._candidates = candidates  # {object index: project indexes} of the ambiguous links

    def __len__(self) -> int:
        return len(self.object_index)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        o, p = int(self.object_index[i]), int(self.project_index[i])
        found = self._candidates.get(o, (p,))
        return Link(
            identificatie=f"{int(self.objects.identificatie[o]):016d}",
            project_id=self.projects[p].project_id,
            basis=BASIS[int(self.basis_code[i])],
            candidates=tuple(self.projects[c].project_id for c in found),
        )

    def project_ids(self) -> np.ndarray:
        """The linked project id per link (a column, for bulk writes)."""
        return np.array([p.project_id for p in self.projects], dtype=np.int64)[self.project_index]


def polygons(projects: Sequence[ProjectArea]) -> tuple[np.ndarray, np.ndarray]:
    """(geometry array, area array) of the projects: None and area +inf for a project that has no polygon."""
    geometries = np.full(len(projects), None, dtype=object)
    as_text = [(i, p.geometry) for i, p in enumerate(projects) if isinstance(p.geometry, dict | str | bytes)]
    if as_text:
        texts = [g if isinstance(g, str) else orjson.dumps(g).decode() if isinstance(g, dict) else g.decode()
                 for _i, g in as_text]  # fmt: skip
        geometries[[i for i, _g in as_text]] = shapely.from_geojson(texts, on_invalid="ignore")
    for i, p in enumerate(projects):
        if isinstance(p.geometry, shapely.Geometry):
            geometries[i] = p.geometry
    present = ~shapely.is_missing(geometries)
    invalid = present & ~shapely.is_valid(geometries)
    if invalid.any():
        geometries[invalid] = shapely.make_valid(geometries[invalid])
    area = np.where(present, shapely.area(geometries), 0.0)
    area = np.nan_to_num(area, nan=0.0)
    surface = area > 0
    geometries[~surface] = None
    return geometries, np.where(surface, area, np.inf)


def _choose(obj: np.ndarray, proj: np.ndarray, area: np.ndarray, project_ids: np.ndarray):
    """Per object among candidate pairs: (objects, chosen project index, number of candidates, order, starts)."""
    order = np.lexsort((project_ids[proj], area[proj], obj))
    obj, proj = obj[order], proj[order]
    once = np.ones(len(obj), dtype=bool)  # a pair found twice (an object in two panden of one project) counts once
    once[1:] = (obj[1:] != obj[:-1]) | (proj[1:] != proj[:-1])
    obj, proj = obj[once], proj[once]
    first = np.ones(len(obj), dtype=bool)
    first[1:] = obj[1:] != obj[:-1]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(obj)))
    return obj[starts], proj[starts], counts, (obj, proj), starts


def _explicit(objects: Objects, projects: Sequence[ProjectArea], kind: str):
    """Candidate (object index, project index) pairs from the projects' explicit ids of one object type."""
    claim_id, claim_project = [], []
    for p, project in enumerate(projects):
        for bag_id in project.bag_ids:
            if ids.problem(bag_id) is None and ids.object_type(bag_id) == kind:
                claim_id.append(int(bag_id))
                claim_project.append(p)
    if not claim_id:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    claim_id, claim_project = np.array(claim_id, dtype=np.int64), np.array(claim_project, dtype=np.int64)
    order = np.argsort(claim_id, kind="stable")
    claim_id, claim_project = claim_id[order], claim_project[order]
    if kind == ids.OBJECT_TYPES[ids.VERBLIJFSOBJECT]:
        keys, owner = objects.identificatie, np.arange(len(objects), dtype=np.int64)
    else:
        keys = objects.pand_ids
        owner = np.repeat(np.arange(len(objects), dtype=np.int64), np.diff(objects.pand_offsets))
    left = np.searchsorted(claim_id, keys, side="left")
    right = np.searchsorted(claim_id, keys, side="right")
    hits = np.flatnonzero(right > left)
    if not len(hits):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    per_hit = right[hits] - left[hits]  # an id named by several projects: a pair for each
    which = np.repeat(hits, per_hit)
    offsets = np.arange(per_hit.sum()) - np.repeat(np.cumsum(per_hit) - per_hit, per_hit)
    return owner[which], claim_project[left[which] + offsets]


def link(objects: Objects, projects: Sequence[ProjectArea]) -> Links:
    """Link every verblijfsobject to at most one project (the rule in the module docstring)."""
    projects = list(projects)
    n = len(objects)
    project_ids = np.array([p.project_id for p in projects], dtype=np.int64)
    geometries, area = polygons(projects)
    linked = np.zeros(n, dtype=bool)
    out_obj, out_proj, out_basis, candidates = [], [], [], {}

    def take(obj, proj, exact, ambiguous):
        chosen_obj, chosen_proj, counts, (all_obj, all_proj), starts = _choose(obj, proj, area, project_ids)
        keep = ~linked[chosen_obj]
        several = keep & (counts > 1)
        for k in np.flatnonzero(several):
            candidates[int(chosen_obj[k])] = tuple(int(x) for x in all_proj[starts[k] : starts[k] + counts[k]])
        out_obj.append(chosen_obj[keep])
        out_proj.append(chosen_proj[keep])
        out_basis.append(np.where(counts[keep] > 1, ambiguous, exact).astype(np.int8))
        linked[chosen_obj[keep]] = True

    for kind in (ids.OBJECT_TYPES[ids.VERBLIJFSOBJECT], ids.OBJECT_TYPES[ids.PAND]):
        obj, proj = _explicit(objects, projects, kind)
        if len(obj):
            take(obj, proj, BY_ID, BY_ID_AMBIGUOUS)

    with_polygon = np.flatnonzero(~shapely.is_missing(geometries))
    free = np.flatnonzero(~linked & np.isfinite(objects.lon) & np.isfinite(objects.lat))
    if len(with_polygon) and len(free):
        shapes = geometries[with_polygon]
        shapely.prepare(shapes)
        points = shapely.points(objects.lon[free], objects.lat[free])
        # The points in the tree, the prepared polygons as the query: one bulk call, and a point-in-polygon test
        # against a prepared polygon is GEOS's fastest predicate. 'intersects' of a point = within or on the edge.
        polygon_at, point_at = shapely.STRtree(points).query(shapes, predicate="intersects")
        if len(point_at):
            take(free[point_at], with_polygon[polygon_at], BY_GEOMETRY, BY_GEOMETRY_AMBIGUOUS)

    def joined(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

    obj, proj, basis = joined(out_obj, np.int64), joined(out_proj, np.int64), joined(out_basis, np.int8)
    order = np.argsort(obj, kind="stable")
    return Links(objects, projects, obj[order], proj[order], basis[order], candidates)
