"""`bouwregie export`: current projects (or those of a peiling) in the standard template.

The template is what the `standaard` profile reads, so exporting and importing reproduces the same
projects (round trip, tested). Confidential open-book figures and subsidies are not exported.
Geometry: a column in GeoPackage/GeoJSON, WKT (WGS84) in CSV/Excel. CSV and Excel cells pass
`bouwregie.cells` (text that a spreadsheet would run gets an apostrophe; the reader takes it off again);
GeoPackage and GeoJSON carry the text as it is.

Every project is written (no cap), read and written CHUNK projects at a time so that memory stays flat whatever
the number of projects (issue #21): the rows are a generator, CSV and Excel (write-only) are written row by row,
GeoPackage and GeoJSON are appended chunk by chunk.
"""

import itertools
from pathlib import Path

import numpy as np
import shapely
from django.utils.translation import gettext as _
from pyproj import Transformer
from shapely.geometry import shape

from bouwregie import cells
from bouwregie.geo.geojson import readable
from bouwregie.geo.models import Municipality
from bouwregie.projects import services
from bouwregie.projects.enums import HousingType, Segment, TargetGroup
from bouwregie.projects.milestones import MILESTONE_CODES
from bouwregie.projects.models import ExternalId, PeilingEntry, Project
from bouwregie.projects.rules import TENURES, phase, total_homes

FORMATS = ("csv", "xlsx", "gpkg", "geojson")
MATRIX = [(s, h) for s in Segment.values for h in HousingType.values]
COUNT_COLUMNS = (
    ["woningen_totaal"] + [f"{s}_{h}" for s, h in MATRIX] + [f"eigendom_{t}" for t in TENURES]
    + [f"doelgroep_{g}" for g in TargetGroup.values] + ["sloop", "oplevering_woningen"]
)  # fmt: skip
COLUMNS = (
    ["projectcode", "extern_id", "projectnaam", "gemeentecode", "gemeente", "provincie", "plantype", "planstatus",
     "status_project", "fase", "woningen_totaal"]
    + [f"{s}_{h}" for s, h in MATRIX] + [f"eigendom_{t}" for t in TENURES]
    + [f"doelgroep_{g}" for g in TargetGroup.values]
    + ["sloop", "fasering", "knelpunten", "parallel_plannen", "opmerking", "peildatum", "bron_crs"]
    + [f"{k}_{w}" for k in MILESTONE_CODES for w in ("gepland", "werkelijk")]
    + ["oplevering_woningen", "deelopleveringen", "bag_ids"]
)  # fmt: skip
CHUNK = 2_000  # projects read from the database (and, for GeoPackage/GeoJSON, written) at a time
# What a CSV or Excel export (and the empty import template) has: the columns, then the geometry as WKT.
TEMPLATE_COLUMNS = (*COLUMNS, "geometrie_wkt")


def _iso(day) -> str:
    return day.isoformat() if day else ""


def rows(peiling: str | None = None, project_ids=None):
    """(template row dict, GeoJSON geometry or None) for every project to export, by projectcode; or for those of
    `project_ids` (their current versions, or their versions in `peiling`), in that order. Read CHUNK projects at
    a time: a generator whose memory does not grow with the number of projects."""
    municipalities = {m.code: m for m in Municipality.objects.select_related("province")}
    codes = None
    if project_ids is None:
        scope = PeilingEntry.objects.filter(peiling__code=peiling).values("project_id") if peiling else None
        found = Project.objects.all() if scope is None else Project.objects.filter(id__in=scope)
        codes = dict(found.values_list("id", "code"))
        project_ids = sorted(codes, key=codes.__getitem__)
    project_ids = iter(project_ids)
    while chunk := list(itertools.islice(project_ids, CHUNK)):
        yield from _chunk_rows(chunk, peiling, codes, municipalities)


def _chunk_rows(chunk: list[int], peiling: str | None, codes: dict | None, municipalities: dict):
    current = services.peiling_data(peiling, chunk) if peiling else services.current_data(chunk)
    if codes is None:
        codes = dict(Project.objects.filter(id__in=chunk).values_list("id", "code"))
    externals: dict[int, str] = {}
    for pid, ext in (
        ExternalId.objects.filter(project_id__in=chunk).order_by("id").values_list("project_id", "external_id")
    ):
        externals.setdefault(pid, ext)
    order = [p for p in chunk if p in current]
    for pid in order:
        _number, d = current[pid]
        m = municipalities[d.municipality]
        first = {k: None for k in MILESTONE_CODES}
        later = []
        for stone in d.milestones:
            if stone.sequence == 1:
                first[stone.kind] = stone
            else:
                later.append(stone)
        delivery = first.get("oplevering")
        row = {
            "projectcode": codes[pid], "extern_id": externals.get(pid, ""), "projectnaam": d.name,
            "gemeentecode": m.code, "gemeente": m.name, "provincie": m.province.name, "plantype": d.plan_type,
            "planstatus": d.plan_status, "status_project": d.lifecycle,
            "fase": phase(d.milestones), "woningen_totaal": total_homes(d),
            **{f"{s}_{h}": d.homes.get(s, {}).get(h, 0) for s, h in MATRIX},
            **{f"eigendom_{t}": d.tenure.get(t, 0) for t in TENURES},
            **{f"doelgroep_{g}": d.target_groups.get(g, 0) for g in TargetGroup.values},
            "sloop": d.demolitions,
            "fasering": ";".join(f"{y}:{n}" for y, n in d.phasing.items() if n),
            "knelpunten": ";".join(d.bottlenecks), "parallel_plannen": "ja" if d.parallel_plannen else "nee",
            "opmerking": d.source_info.get("opmerking", ""), "peildatum": d.source_info.get("peildatum", ""),
            "bron_crs": d.source_crs,
            **{f"{k}_gepland": _iso(first[k].planned if first[k] else None) for k in MILESTONE_CODES},
            **{f"{k}_werkelijk": _iso(first[k].actual if first[k] else None) for k in MILESTONE_CODES},
            "oplevering_woningen": delivery.homes if delivery and delivery.homes is not None else "",
            "deelopleveringen": ";".join(
                f"{s.sequence}|{_iso(s.planned)}|{_iso(s.actual)}|{'' if s.homes is None else s.homes}"
                for s in sorted(later, key=lambda s: s.sequence)
            ),
            "bag_ids": ";".join(d.bag_ids),
        }  # fmt: skip
        yield row, readable(d.geometry)  # one stored before the geometry check (#16) is left out, not fatal


def export(path: Path, fmt: str, peiling: str | None = None, crs: str = "EPSG:4326") -> int:
    if fmt not in FORMATS:
        raise ValueError(
            _("Onbekend formaat '%(fmt)s'; kies uit %(formats)s.") % {"fmt": fmt, "formats": ", ".join(FORMATS)}
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("gpkg", "geojson"):
        if path.exists():
            path.unlink()
        written = 0
        for chunk in _chunks(rows(peiling)):  # the first (perhaps empty) creates the layer, the others append
            _write_gis(path, fmt, chunk, crs, append=written > 0)
            written += len(chunk)
        return written
    counted = _Counted(rows(peiling))
    lines = table(counted)
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8-sig") as f:
            cells.csv_writer(f, delimiter=";").writerows(lines)
    else:
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("projecten")
        for values in lines:
            cells.xlsx_append(sheet, values)
        workbook.save(path)
    return counted.n


def _chunks(data):
    """Lists of CHUNK rows of `data`; one empty list if there is none."""
    chunk = list(itertools.islice(data, CHUNK))
    yield chunk
    while chunk := list(itertools.islice(data, CHUNK)):
        yield chunk


class _Counted:
    """An iterable passed through once, counting its items (the projects written)."""

    def __init__(self, items):
        self.items, self.n = items, 0

    def __iter__(self):
        for item in self.items:
            self.n += 1
            yield item


def table(data):
    """The rows of `rows()` as a spreadsheet: the template's header, then one list of values per project."""
    yield list(TEMPLATE_COLUMNS)
    for row, geometry in data:
        yield [row[c] for c in COLUMNS] + [_wkt(geometry)]


def _wkt(geometry) -> str:
    return shapely.to_wkt(shape(geometry), rounding_precision=6, trim=True) if geometry else ""


def _write_gis(path: Path, fmt: str, data: list, crs: str, append: bool = False) -> None:
    from pyogrio.raw import write

    geometries = np.array([shape(g) if g else None for _row, g in data], dtype=object)
    if crs not in ("EPSG:4326", "OGC:CRS84"):
        transformer = Transformer.from_crs(4326, crs, always_xy=True)
        geometries = shapely.transform(
            geometries, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
    fields = [_gis_column(c, [row[c] for row, _g in data]) for c in COLUMNS]
    write(
        str(path), shapely.to_wkb(geometries), fields, COLUMNS, layer="projecten",
        driver="GPKG" if fmt == "gpkg" else "GeoJSON", geometry_type="Unknown", crs=crs, append=append,
    )  # fmt: skip


def _gis_column(column: str, values: list) -> np.ndarray:
    """Counts as integer fields; everything else (incl. the optional oplevering_woningen) as text."""
    if column in COUNT_COLUMNS and column != "oplevering_woningen":
        return np.array(values, dtype=np.int64)
    return np.array([str(v) for v in values], dtype=object)
