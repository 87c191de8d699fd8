"""Closed peilingen materialised once, per municipality (issue #21: "a province asking about one municipality
should not pay for the country").

A closed peiling never changes (docs/decisions/0002), so what is derived from it is computed once — when it
closes (projects.services.PEILING_CLOSED_LISTENERS) — and stored in `SnapshotPart` rows, one per municipality
that has projects in it:

- `projects`: that municipality's rows of the snapshot (snapshot.Snapshot, every per-project array), in project
  order, with every milestone date of their versions and the forecast's three days per project (monitor/dates.py);
- `sums`: that municipality's monitor sums (figures.group_sums over the whole peiling, taken for it), so the
  monitor of a municipality, a province or NL needs no project row at all;

and a last part with municipality "" that closes the set: it names every municipality part and its row count.
A set without it, or whose parts do not match it, is incomplete and is rebuilt from the peiling's frozen entries
(`_read`), as is a set computed by other code (`FORMAT`: a fingerprint of the modules that compute it). Deleting
parts therefore only costs time; changing them is refused at the database (apps.py).

Each blob is self-describing: a 4-byte header length, a JSON header of (name, numpy dtype, shape) per array,
then the arrays' bytes compressed with zlib (level 1: the rows are mostly zeros). Read back, the arrays are
exactly the ones written (same dtype, shape and values), so every figure computed from a part equals the figure
computed from a fresh read (tests/test_materialised.py).
"""

import hashlib
import zlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import orjson
from django.db import DatabaseError, IntegrityError, transaction

from bouwregie.monitor import dates, figures, snapshot
from bouwregie.monitor.models import SnapshotPart
from bouwregie.projects import enums, milestones, rules
from bouwregie.projects.models import Milestone, Peiling

HEADER = ""  # the municipality of the part that closes a complete set
PROJECT_FIELDS = (
    "project_ids", "lifecycle", "hardness", "status", "version_ids", "phase", "plan_type", "homes", "remaining",
    "segments", "groups", "realised", "planned", "bottlenecks", "parallel_plannen",
)  # fmt: skip  # every per-project array of Snapshot but `municipality`, which is the part's own
DATE_FIELDS = ("reached_day", "planned_day", "first_seen_day")  # of dates.PhaseDates, stored as "pd_<name>"


def _fingerprint() -> str:
    """The code that computes a part: a set stored by other code (another release) is not read, but rebuilt."""
    digest = hashlib.sha256()
    for module in (snapshot, dates, figures, rules, enums, milestones):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


FORMAT = _fingerprint()


def on_close(peiling: Peiling) -> None:
    """Materialise a peiling that has just closed, inside its closing transaction."""
    _write(peiling, snapshot._read(peiling.id, peiling.code))


def snapshot_of(peiling: Peiling, municipalities=None) -> snapshot.Snapshot:
    """The closed `peiling`'s snapshot from its parts: every project, or those of `municipalities` (codes) only.
    Rebuilt first when the set is missing or incomplete (the whole peiling is read then, and returned whole)."""
    parts = _parts(peiling, municipalities, "projects")
    if parts is None:
        return _rebuild(peiling)
    codes = snapshot.reference_codes()
    index = codes.municipality_index
    unpacked = [(code, rows, _unpack(blob)) for code, rows, blob in parts]
    if not unpacked:  # an area without projects in this peiling: empty arrays of the right shapes
        return _empty(peiling, codes)
    order = np.argsort(np.concatenate([arrays["project_ids"] for _c, _n, arrays in unpacked]), kind="stable")
    return snapshot.Snapshot(
        peiling=peiling.code,
        municipality=np.concatenate([np.full(n, index[code], dtype=np.int32) for code, n, _a in unpacked])[order],
        **{name: np.concatenate([arrays[name] for _c, _n, arrays in unpacked])[order] for name in PROJECT_FIELDS},
        municipality_codes=codes.municipality_codes,
        municipality_province=codes.municipality_province,
        province_codes=codes.province_codes,
        milestones=_milestones([arrays for _c, _n, arrays in unpacked]),
        dates=dates.PhaseDates(
            *(np.concatenate([arrays[f"pd_{name}"] for _c, _n, arrays in unpacked])[order] for name in DATE_FIELDS)
        ),  # fmt: skip
    )


def _milestones(parts: list[dict]) -> snapshot.MilestoneDates:
    """The parts' milestone rows as one MilestoneDates: each part names its kinds itself (`ms_kinds`); here they
    are renumbered into the sorted union of all of them, and the rows ordered by project (stable: within a
    project as stored, by kind and sequence)."""
    kinds = np.unique(np.concatenate([part["ms_kinds"] for part in parts]))
    kind = [np.searchsorted(kinds, part["ms_kinds"]).astype(np.int16)[part["ms_kind"]] for part in parts]
    project_ids = np.concatenate([part["ms_project"] for part in parts])
    order = _by_project(project_ids)
    return snapshot.MilestoneDates(
        project_ids=project_ids[order],
        kind=np.concatenate(kind)[order],
        sequence=np.concatenate([part["ms_sequence"] for part in parts])[order],
        date=np.concatenate([part["ms_date"] for part in parts])[order],
        kinds=tuple(kinds.tolist()),
    )


def _by_project(project_ids: np.ndarray) -> np.ndarray:
    """The stable order by project of rows that come in one block per project (each part's milestones are in project
    order, and a project is in one part): the blocks are ordered, not the rows, so 250,000 keys are sorted instead
    of 3.5 million (issue #21: a cold delays question at 10x). Equal to np.argsort(project_ids, kind="stable")."""
    if not len(project_ids):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, project_ids[1:] != project_ids[:-1]])
    lengths = np.diff(np.r_[starts, len(project_ids)])
    blocks = np.argsort(project_ids[starts], kind="stable")
    lengths, starts = lengths[blocks], starts[blocks]
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(len(project_ids))


def sums_of(peiling: Peiling, municipalities=None) -> figures.Sums:
    """The monitor sums of the closed `peiling` per municipality of the reference list (rows in
    snapshot.reference_codes() order; municipalities without projects, or not in `municipalities`, are zero):
    exactly figures.group_sums(s, s.municipality, n) of the whole snapshot, for those municipalities."""
    codes = snapshot.reference_codes()
    parts = _parts(peiling, municipalities, "sums")
    if parts is None:
        s = _rebuild(peiling)
        whole = figures.group_sums(s, s.municipality, len(codes.municipality_codes))
        if municipalities is None:
            return whole
        keep = np.isin(np.array(codes.municipality_codes), list(municipalities))
        return figures.Sums(**{k: v * _rows(keep, v) for k, v in vars(whole).items()})
    template = figures.group_sums(_empty(peiling, codes), np.zeros(0, dtype=np.int64), len(codes.municipality_codes))
    index = codes.municipality_index
    for code, _count, blob in parts:
        unpacked = _unpack(blob)
        for name, values in unpacked.items():
            getattr(template, name)[index[code]] = values[0]
    return template


def _rows(keep: np.ndarray, values: np.ndarray) -> np.ndarray:
    return keep.reshape(len(keep), *([1] * (values.ndim - 1)))


def _empty(peiling: Peiling, codes: snapshot.Codes) -> snapshot.Snapshot:
    widths = {"segments": len(snapshot.SEGMENTS), "groups": len(snapshot.GROUPS), "realised": len(snapshot.YEARS),
              "planned": len(snapshot.YEARS), "bottlenecks": len(snapshot.BOTTLENECKS)}  # fmt: skip
    dtypes = {"lifecycle": np.int8, "hardness": np.int8, "status": np.int8, "phase": np.int8, "plan_type": np.int8,
              "bottlenecks": bool, "parallel_plannen": bool}  # fmt: skip
    return snapshot.Snapshot(
        peiling=peiling.code,
        municipality=np.zeros(0, dtype=np.int32),
        **{
            name: np.zeros((0, widths[name]) if name in widths else 0, dtype=dtypes.get(name, np.int64))
            for name in PROJECT_FIELDS
        },  # fmt: skip
        municipality_codes=codes.municipality_codes,
        municipality_province=codes.municipality_province,
        province_codes=codes.province_codes,
        milestones=snapshot.MilestoneDates(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int16),
                                           np.zeros(0, dtype=np.int32), np.zeros(0, dtype="datetime64[D]"), ()),
        dates=dates.PhaseDates(*(np.zeros(0, dtype=np.int64) for _name in DATE_FIELDS)),
    )  # fmt: skip


def _parts(peiling: Peiling, municipalities, column: str) -> list[tuple] | None:
    """(municipality, rows, blob) of `column` for the wanted municipalities (all when None); None when the set is
    missing or does not match its closing part (a part deleted: the caller rebuilds)."""
    if not peiling.is_closed:
        raise ValueError(f"Peiling {peiling.code} is open: only a closed peiling is materialised.")
    stored = SnapshotPart.objects.filter(peiling=peiling, format=FORMAT)
    header = stored.filter(municipality=HEADER).values_list("projects", flat=True).first()
    if header is None:
        return None
    listed = orjson.loads(bytes(header))  # municipality → rows
    wanted = listed if municipalities is None else {c: n for c, n in listed.items() if c in municipalities}
    rows = list(stored.filter(municipality__in=list(wanted)).values_list("municipality", "rows", column))
    if {code: n for code, n, _blob in rows} != wanted:
        return None
    return rows


def _rebuild(peiling: Peiling) -> snapshot.Snapshot:
    """Read the peiling from its entries and store it again (old or partial parts of this format first removed).
    When storing fails — another process is storing it at the same moment, or the database is read-only — the
    snapshot read is still returned: materialising only saves time."""
    s = snapshot._read(peiling.id, peiling.code)
    try:
        with transaction.atomic():
            SnapshotPart.objects.filter(peiling=peiling, format=FORMAT).delete()
            return _write(peiling, s)  # as it will be read back
    except (IntegrityError, DatabaseError):
        return s


def _write(peiling: Peiling, s: snapshot.Snapshot) -> snapshot.Snapshot:
    """Store `s` as parts (one per municipality with projects, then the closing part); returns `s` with the
    milestones and the forecast's days stored with it."""
    n = len(s.municipality_codes)
    sums = figures.group_sums(s, s.municipality, n)
    stones, days = _milestone_rows(peiling, s)
    stone_municipality = s.municipality[np.searchsorted(s.project_ids, stones.project_ids)]
    listed = {}
    parts = []
    for m in np.unique(s.municipality).tolist():
        rows = np.flatnonzero(s.municipality == m)
        own = np.flatnonzero(stone_municipality == m)
        used, kind = np.unique(stones.kind[own], return_inverse=True)
        code = s.municipality_codes[m]
        listed[code] = len(rows)
        parts.append(SnapshotPart(
            peiling=peiling, format=FORMAT, municipality=code, rows=len(rows),
            projects=_pack({name: getattr(s, name)[rows] for name in PROJECT_FIELDS} | {
                "ms_project": stones.project_ids[own], "ms_kind": kind.astype(np.int16),
                "ms_sequence": stones.sequence[own], "ms_date": stones.date[own],
                "ms_kinds": np.array([stones.kinds[k] for k in used.tolist()], dtype=str),
            } | {f"pd_{name}": getattr(days, name)[rows] for name in DATE_FIELDS}),
            sums=_pack({name: values[m : m + 1] for name, values in vars(sums).items()}),
        ))  # fmt: skip
    parts.append(SnapshotPart(peiling=peiling, format=FORMAT, municipality=HEADER, rows=len(s.project_ids),
                              projects=orjson.dumps(listed), sums=b""))  # fmt: skip
    SnapshotPart.objects.bulk_create(parts, batch_size=200)
    return replace(s, milestones=stones, dates=days)


def _milestone_rows(peiling: Peiling, s: snapshot.Snapshot) -> tuple[snapshot.MilestoneDates, dates.PhaseDates]:
    """Every milestone of the peiling's frozen versions, read once (at close) for all of them, in chunks straight
    into arrays (millions of rows at 250,000 projects), ordered by project, kind and sequence; and the forecast's
    days of the same projects, taken from those rows (dates.of_milestones) rather than read again."""
    numbered: dict[str, int] = {}
    version, kind, sequence, actual, planned = snapshot.arrays(
        Milestone.objects.filter(version_id__in=snapshot.entry_versions(peiling)).order_by()
        .annotate(actual_day=snapshot.OrdinalDay("actual"), planned_day=snapshot.OrdinalDay("planned"))
        .values_list("version_id", "kind", "sequence", "actual_day", "planned_day"),
        snapshot.integers,
        lambda values: [numbered.setdefault(k, len(numbered)) for k in values],
        snapshot.integers, snapshot.integers, snapshot.integers,
        dtypes=(np.int64, np.int16, np.int32, np.int64, np.int64),  # 3.5 million rows at 250,000 projects
    )  # fmt: skip
    kinds = sorted(numbered)
    kind = np.array([kinds.index(k) for k in numbered], dtype=np.int16)[kind] if len(kind) else kind.astype(np.int16)
    by_version = np.argsort(s.version_ids)
    rows = by_version[np.searchsorted(s.version_ids, version, sorter=by_version)]
    days = dates.of_milestones(peiling, s.project_ids, s.phase, dates.MilestoneRows(
        rows=rows, kind=kind, kinds=tuple(kinds), sequence=sequence, actual=actual, planned=planned))  # fmt: skip
    project_ids = s.project_ids[rows]
    order = np.lexsort((sequence, kind, project_ids))
    day = np.where(actual != dates.NOT_SEEN, actual, planned)[order]  # the actual date, else the planned one
    when = np.where(day != dates.NOT_SEEN, day - EPOCH, NO_DATE).astype("datetime64[D]")  # NO_DATE is NaT
    return snapshot.MilestoneDates(
        project_ids=project_ids[order], kind=kind[order], sequence=sequence[order].astype(np.int32),
        date=when, kinds=tuple(kinds),
    ), days  # fmt: skip


EPOCH = date(1970, 1, 1).toordinal()  # datetime64[D] counts days from here
NO_DATE = np.iinfo(np.int64).min  # as datetime64: NaT (neither an actual nor a planned date)


def _pack(arrays: dict[str, np.ndarray]) -> bytes:
    header = orjson.dumps([[name, a.dtype.str, list(a.shape)] for name, a in arrays.items()])
    body = b"".join(np.ascontiguousarray(a).tobytes() for a in arrays.values())
    return len(header).to_bytes(4, "little") + header + zlib.compress(body, 1)


def _unpack(blob) -> dict[str, np.ndarray]:
    blob = bytes(blob)  # PostgreSQL hands a memoryview
    length = int.from_bytes(blob[:4], "little")
    body = bytearray(zlib.decompress(blob[4 + length :]))  # writable, as a freshly read snapshot's arrays are
    arrays, at = {}, 0
    for name, dtype, shape in orjson.loads(blob[4 : 4 + length]):
        dtype = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        arrays[name] = np.frombuffer(body, dtype=dtype, count=count, offset=at).reshape(shape)
        at += count * dtype.itemsize
    return arrays
