"""One peiling as numpy arrays: every figure of the monitor is a masked or grouped sum over these.

A closed peiling never changes (docs/decisions/0002), so its snapshot is cached per process; an open
peiling (or the current state) is always read afresh.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import orjson
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Func, IntegerField, Max, Min

from bouwregie.geo import reference
from bouwregie.geo.areas import Area
from bouwregie.projects import services
from bouwregie.projects.enums import (
    AFFORDABLE_SEGMENTS,
    HARD_STATUSES,
    SOFT_STATUSES,
    Bottleneck,
    Lifecycle,
    PlanType,
    Segment,
    TargetGroup,
)
from bouwregie.projects.milestones import MILESTONE_CODES
from bouwregie.projects.models import Milestone, Peiling, PeilingEntry, Project, ProjectVersion
from bouwregie.projects.rules import MilestoneData, deliveries

if TYPE_CHECKING:
    from bouwregie.monitor.dates import PhaseDates

FIRST_YEAR, LAST_YEAR = 2010, 2050
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
PHASES = ("", *MILESTONE_CODES)
HARDNESS = ("hard", "zacht", "onbekend")
SEGMENTS = tuple(Segment.values)
GROUPS = tuple(TargetGroup.values)
PLAN_TYPES = tuple(PlanType.values)
LIFECYCLES = tuple(Lifecycle.values)
BOTTLENECKS = tuple(Bottleneck.values)
# The two generic statuses come last, so the index of every IPO code stays what it was.
STATUSES = ("1A", "1B", "1C", "2A", "2B", "2C", "3", "4A", "4B", "onbekend", "hard", "zacht")
AFFORDABLE_COLUMNS = np.array([s in AFFORDABLE_SEGMENTS for s in SEGMENTS])  # masks over Snapshot.segments
SOCIAL_COLUMNS = np.array([s == "sociale_huur" for s in SEGMENTS])
KNOWN_COLUMNS = np.array([s != "onbekend" for s in SEGMENTS])
# All hard ones alike, soft apart; a soft plan whose IPO code the list does not give is scored as the
# least certain soft status (4B optie), not better than what is known of it.
STATUS_CLASS = tuple("hard" if s in HARD_STATUSES else "4B" if s == "zacht" else s for s in STATUSES)


@dataclass(frozen=True)
class MilestoneDates:
    """Every milestone of a snapshot's versions, one row each, ordered by project: its date is the actual one,
    else the planned one (NaT when neither), as delays compare them. Materialised snapshots carry them
    (monitor/materialised.py), so comparing two closed peilingen reads no milestone row from the database."""

    project_ids: np.ndarray  # (m,) int64
    kind: np.ndarray  # (m,) int16, index into kinds
    sequence: np.ndarray  # (m,) int32
    date: np.ndarray  # (m,) datetime64[D]
    kinds: tuple  # milestone kinds, sorted


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
    bottlenecks: np.ndarray  # (n, len(BOTTLENECKS)) bool: registered knelpunten
    parallel_plannen: np.ndarray  # (n,) bool
    municipality_codes: tuple
    municipality_province: np.ndarray  # province index per municipality
    province_codes: tuple
    milestones: MilestoneDates | None = None  # of a materialised (closed) peiling; None: read them when needed
    dates: "PhaseDates | None" = None  # likewise: the forecast's days per project (monitor/dates.py)

    @property
    def active(self) -> np.ndarray:
        return self.lifecycle == LIFECYCLES.index(Lifecycle.ACTIEF)


def load(peiling_code: str) -> Snapshot:
    """The peiling's snapshot: every project. A closed peiling's is read from its materialised parts (built at
    close, rebuilt when missing: monitor/materialised.py) and kept per process; an open one is computed."""
    peiling = Peiling.objects.get(code=peiling_code)
    if peiling.is_closed:
        return _cached(connection.alias, peiling.id, peiling.closed_at, peiling.code)
    return _read(peiling.id, peiling.code)


def load_area(peiling_code: str, area: Area) -> Snapshot:
    """A snapshot holding at least every member of `area` (members() over it selects them): for a closed peiling
    not yet read in this process, only the parts of the area's municipalities (issue #21: a question about one
    municipality reads that municipality); otherwise the whole peiling, as load()."""
    peiling = Peiling.objects.get(code=peiling_code)
    key = (connection.alias, peiling.id, peiling.closed_at, peiling.code)
    if not peiling.is_closed or area.kind == "nl" or area.projects or _is_cached(key):
        return load(peiling_code)
    from bouwregie.monitor import materialised

    return materialised.snapshot_of(peiling, area.municipalities)


_KEPT: dict[tuple, Snapshot] = {}  # closed peilingen read in this process: (alias, id, closed_at, code) → Snapshot
_KEEP = 8


def _cached(alias, peiling_id, closed_at, code) -> Snapshot:
    key = (alias, peiling_id, closed_at, code)
    if key not in _KEPT:
        from bouwregie.monitor import materialised

        while len(_KEPT) >= _KEEP:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[key] = materialised.snapshot_of(Peiling.objects.get(pk=peiling_id))
    return _KEPT[key]


def _is_cached(key: tuple) -> bool:
    return key in _KEPT


def forget_kept() -> None:
    """Drop the snapshots kept (tests: their databases roll back and reuse ids and closing times)."""
    _KEPT.clear()


def warm_latest(how_many: int = 2) -> list[str]:
    """Read the latest closed peilingen before the server forks its workers, so that no request pays
    for the first read (monitor and delays are then always warm). Never stops the server from starting."""
    import logging

    from django.db import DatabaseError, connections

    try:
        codes = [p.code for p in Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter")]
        for code in codes[:how_many]:
            load(code)
        return codes[:how_many]
    except DatabaseError as error:  # e.g. a database that `bouwregie init` has not created yet
        logging.getLogger(__name__).warning("Momentopnamen niet vooraf geladen: %s", error)
        return []
    finally:
        connections.close_all()  # workers must not share the parent's database connection


def versions_of(s: Snapshot):
    """The snapshot's versions as a subquery (the peiling's entries), for reading more of them from the database
    without sending tens of thousands of ids back as parameters."""
    return entry_versions(Peiling.objects.get(code=s.peiling))


def entry_versions(peiling: Peiling):
    """The ids of the versions that count for a peiling, as a subquery.

    A closed peiling has its frozen entries. An open one has none yet ("while open it collects nothing",
    `Peiling`): its figures are those it would have if it closed now, so the same selection as
    `services.close_peiling` — the newest version of every project, without projects that had already
    left the pipeline (vervallen, niet meer in planlijst) before the previous close (`services.GONE`)."""
    if peiling.is_closed:
        return PeilingEntry.objects.filter(peiling_id=peiling.id).values("version_id")
    previous = Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").first()
    current = services.current_versions()
    if previous is not None:
        current = current.exclude(lifecycle__in=services.GONE, created_at__lte=previous.closed_at)
    return current.values("id")


@dataclass(frozen=True)
class Codes:
    """The reference lists a snapshot's indexes point into: every municipality since 1970 and its province."""

    municipality_codes: tuple
    municipality_province: np.ndarray  # province index per municipality
    province_codes: tuple

    @property
    def municipality_index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.municipality_codes)}


def reference_codes() -> Codes:
    municipalities = reference.read_municipalities()
    province_codes = tuple(r["provinciecode"] for r in reference.read_provinces())
    return Codes(
        municipality_codes=tuple(m["gemeentecode"] for m in municipalities),
        municipality_province=np.array([province_codes.index(m["provinciecode"]) for m in municipalities]),
        province_codes=province_codes,
    )


def _read(peiling_id: int, code: str) -> Snapshot:
    """Every project of the peiling as arrays; any number of them, also none (an empty or new peiling).

    Read a range of IN_CHUNK project ids at a time, in project order, each piece made into arrays before
    the next is read: the rows of 250,000 projects as Python tuples took 700 MB (issue #21: memory must not grow
    with the projects)."""
    codes = reference_codes()
    versions = ProjectVersion.objects.filter(id__in=entry_versions(Peiling.objects.get(pk=peiling_id)))
    first, last = Project.objects.aggregate(first=Min("id"), last=Max("id")).values()
    if first is None or last - first < IN_CHUNK:
        pieces = [_piece(versions, codes)]
    else:  # projects are never deleted (append-only): a range of IN_CHUNK ids holds at most IN_CHUNK of them
        pieces = [_piece(versions.filter(project_id__gte=lo, project_id__lt=lo + IN_CHUNK), codes)
                  for lo in range(first, last + 1, IN_CHUNK)]  # fmt: skip
    return Snapshot(
        peiling=code,
        **{name: np.concatenate([piece[name] for piece in pieces]) for name in pieces[0]},
        municipality_codes=codes.municipality_codes,
        municipality_province=codes.municipality_province,
        province_codes=codes.province_codes,
    )


def _piece(versions, codes: "Codes") -> dict[str, np.ndarray]:
    """The per-project arrays of these versions (a queryset, one version per project), in project order."""
    m_index = codes.municipality_index
    columns = _columns(versions.order_by("project_id").values_list(
        "id", "project_id", "municipality_id", "lifecycle", "plan_status", "phase", "plan_type", "homes_total",
        "homes_sociale_huur", "homes_middenhuur", "homes_betaalbare_koop", "homes_vrije_sector_huur",
        "homes_dure_koop", "homes_onbekend", "target_groups", "phasing", "bottlenecks", "parallel_plannen",
    ))  # fmt: skip
    vids, pids, gms, lifecycles, statuses, phases, plan_types, totals = columns[:8]
    segments, groups, phasings, bottlenecks, parallel = columns[8:14], *map(_json, columns[14:17]), columns[17]
    n = len(vids)
    stones: dict[int, list] = {}
    for vid, seq, planned, actual, homes in _columns(
        Milestone.objects.filter(version_id__in=versions.values("id"), kind="oplevering").values_list(
            "version_id", "sequence", "planned", "actual", "homes"
        ),
        rows=True,
    ):
        stones.setdefault(vid, []).append(MilestoneData("oplevering", as_date(planned), as_date(actual), homes, seq))
    realised = np.zeros((n, len(YEARS)), dtype=np.int64)
    planned = np.zeros((n, len(YEARS)), dtype=np.int64)
    for i, (vid, phasing, total) in enumerate(zip(vids, phasings, totals, strict=True)):
        done, todo = deliveries(stones.get(vid, ()), phasing or {}, total)
        for year, homes in done.items():
            realised[i, min(max(year, FIRST_YEAR), LAST_YEAR) - FIRST_YEAR] += homes
        for year, homes in todo.items():
            planned[i, min(max(year, FIRST_YEAR), LAST_YEAR) - FIRST_YEAR] += homes
    homes = np.array(totals, dtype=np.int64)
    index = {name: {v: i for i, v in enumerate(values)} for name, values in
             (("status", STATUSES), ("phase", PHASES), ("type", PLAN_TYPES), ("life", LIFECYCLES))}  # fmt: skip
    hardness = {s: 0 if s in HARD_STATUSES else 1 if s in SOFT_STATUSES else 2 for s in STATUSES}
    return dict(
        project_ids=np.array(pids, dtype=np.int64),
        municipality=np.array([m_index[g] for g in gms], dtype=np.int32),
        lifecycle=np.array([index["life"][x] for x in lifecycles], dtype=np.int8),
        hardness=np.array([hardness[x] for x in statuses], dtype=np.int8),
        status=np.array([index["status"][x] for x in statuses], dtype=np.int8),
        version_ids=np.array(vids, dtype=np.int64),
        phase=np.array([index["phase"].get(x, 0) for x in phases], dtype=np.int8),
        plan_type=np.array([index["type"][x] for x in plan_types], dtype=np.int8),
        homes=homes,
        remaining=np.maximum(homes - realised.sum(axis=1), 0),
        segments=np.array(segments, dtype=np.int64).reshape(len(SEGMENTS), n).T.copy(),
        groups=np.array([[(g or {}).get(x, 0) for x in GROUPS] for g in groups], dtype=np.int64).reshape(
            n, len(GROUPS)
        ),
        realised=realised,
        planned=planned,
        bottlenecks=np.array([[b in (x or ()) for b in BOTTLENECKS] for x in bottlenecks], dtype=bool).reshape(
            n, len(BOTTLENECKS)
        ),
        parallel_plannen=np.array(parallel, dtype=bool),
    )


def _columns(queryset, rows: bool = False):
    """The query's rows (or columns) as the database driver returns them, without Django's per-value
    converters: decoding 70,000 small JSON values one by one was half the time of a cold snapshot."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    if rows:
        return result
    width = len(queryset.query.values_select)
    return list(zip(*result, strict=True)) if result else [()] * width


CHUNK = 50_000


def integers(values) -> list:
    return values


def arrays(queryset, *columns, dtypes=()) -> list[np.ndarray]:
    """The query's columns as arrays (int64, or `dtypes[i]` for column i), read CHUNK rows at a time through a
    server-side cursor on PostgreSQL, each chunk turned into arrays before the next is fetched: a forecast's
    history, or a peiling's milestones, is millions of rows at 250,000 projects, and as Python tuples it took
    gigabytes (issue #21: memory must not grow with the rows). `columns[i]` maps chunk column i (a tuple of
    database values) to a list of integers. A small dtype (a code, a quarter's index) keeps a column of 3 million
    rows at 3 MB instead of 24. A query that cannot match (an empty IN list) gives empty arrays."""
    types = [dtypes[i] if i < len(dtypes) else np.int64 for i in range(len(columns))]
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return [np.zeros(0, dtype=t) for t in types]
    parts: list[list[np.ndarray]] = [[] for _ in columns]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            for part, convert, dtype, values in zip(parts, columns, types, zip(*rows, strict=True), strict=True):
                part.append(np.array(convert(values), dtype=dtype))
    return [np.concatenate(part) if part else np.zeros(0, dtype=t) for part, t in zip(parts, types, strict=True)]


def arrays_in(queryset, field: str, ids, *columns, dtypes=()) -> list[np.ndarray]:
    """`arrays` of `queryset` filtered on `field` in `ids`, asked IN_CHUNK ids at a time: hundreds of thousands of
    ids in one IN list is a statement of megabytes (and over SQLite's limit on variables); the rows of each piece
    come back in their own order, concatenated."""
    ids = list(ids)
    starts = range(0, len(ids), IN_CHUNK) if ids else [0]  # no id: one piece that matches nothing
    pieces = [arrays(queryset.filter(**{f"{field}__in": ids[start : start + IN_CHUNK]}), *columns, dtypes=dtypes)
              for start in starts]  # fmt: skip
    return [np.concatenate(column) for column in zip(*pieces, strict=True)]


IN_CHUNK = 20_000


def _json(values) -> list:
    """JSON columns arrive as text on both backends (psycopg through Django's TextLoader)."""
    loads = orjson.loads
    return [loads(v) if isinstance(v, str | bytes) else v for v in values]


def as_date(value):
    """SQLite hands dates over as text when Django's converters are bypassed."""
    return date.fromisoformat(value) if isinstance(value, str) else value


class OrdinalDay(Func):
    """A date column as its day number, date.toordinal() (1 for 1 January of year 1), or -1 where it is empty,
    computed by the database: a peiling's milestones at close are 3.5 million rows of two dates each at 250,000
    projects, and turning each into a Python date (the driver's converter) and back into a number took a fifth
    of materialising it (issue #21). SQLite: julianday() of 1 January of year 1 is 1721425.5; PostgreSQL: the
    difference of two dates is whole days."""

    EMPTY = -1
    output_field = IntegerField()
    template = f"COALESCE(%(expressions)s - DATE '0001-01-01' + 1, {EMPTY})"

    def as_sqlite(self, compiler, connection, **extra):
        template = f"COALESCE(CAST(julianday(%(expressions)s) - 1721424.5 AS INTEGER), {self.EMPTY})"
        return self.as_sql(compiler, connection, template=template, **extra)


def members(snapshot: Snapshot, area: Area) -> np.ndarray:
    """The distinct projects of an area, as a mask over the snapshot."""
    if area.kind == "nl":
        return np.ones(len(snapshot.project_ids), dtype=bool)
    codes = [i for i, c in enumerate(snapshot.municipality_codes) if c in area.municipalities]
    mask = np.isin(snapshot.municipality, codes)
    if area.projects:
        mask |= np.isin(snapshot.project_ids, list(area.projects))
    return mask


def segment_share(s: Snapshot, columns: np.ndarray, idx=slice(None)) -> tuple[np.ndarray, np.ndarray]:
    """(share of the homes with a known segment that fall in `columns`, whether any segment is known)."""
    known = s.segments[idx][:, KNOWN_COLUMNS].sum(axis=1)
    part = s.segments[idx][:, columns].sum(axis=1)
    return np.divide(part, known, out=np.zeros(len(known)), where=known > 0), known > 0


def segment_mix(s: Snapshot, rows) -> np.ndarray:
    """Each project's homes per segment as fractions that add up to 1 (a project without homes counts as
    'onbekend'): how its homes are split pro rata, e.g. what it delivers in a year."""
    mix = s.segments[rows].astype(np.float64)
    total = mix.sum(axis=1)
    mix[total == 0, SEGMENTS.index("onbekend")] = 1.0
    return mix / mix.sum(axis=1, keepdims=True)


def bottleneck_labels(s: Snapshot, i: int) -> list[str]:
    """The registered knelpunten of project `i`, as users read them."""
    return [str(Bottleneck(b).label) for b, on in zip(BOTTLENECKS, s.bottlenecks[i], strict=True) if on]


def describe_versions(version_ids: list[int]) -> dict[int, dict]:
    """Code, name and municipality as they stood in the peiling (the frozen version, not the latest)."""
    rows = ProjectVersion.objects.filter(id__in=version_ids).values_list(
        "id", "project__code", "name", "municipality__code", "municipality__name", "homes_total"
    )
    return {vid: {"code": code, "name": name, "municipality_code": gm, "municipality": gm_name, "homes": homes}
            for vid, code, name, gm, gm_name, homes in rows}  # fmt: skip
