"""`bouwregie export`: current projects (or those of a peiling) in the standard template.

The template is what the `standaard` profile reads, so exporting and importing reproduces the same
projects (round trip, tested). Confidential open-book figures and subsidies are not exported.
Geometry: a column in GeoPackage/GeoJSON, WKT (WGS84) in CSV/Excel. CSV and Excel cells pass
`bouwregie.cells` (text that a spreadsheet would run gets an apostrophe; the reader takes it off again);
GeoPackage and GeoJSON carry the text as it is.
"""

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
from bouwregie.projects.models import ExternalId, Project
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
# What a CSV or Excel export (and the empty import template) has: the columns, then the geometry as WKT.
TEMPLATE_COLUMNS = (*COLUMNS, "geometrie_wkt")


def _iso(day) -> str:
    return day.isoformat() if day else ""


def rows(peiling: str | None = None, project_ids=None):
    """(template row dict, GeoJSON geometry or None) for every project to export, by projectcode; or for those of
    `project_ids` (their current versions), in that order."""
    wanted = None if project_ids is None else list(project_ids)
    if peiling:
        current = services.peiling_data(peiling)
    else:
        current = services.current_data(Project.objects.values_list("id", flat=True) if wanted is None else wanted)
    project_ids = list(current)
    codes = dict(Project.objects.filter(id__in=project_ids).values_list("id", "code"))
    externals: dict[int, str] = {}
    for pid, ext in (
        ExternalId.objects.filter(project_id__in=project_ids).order_by("id").values_list("project_id", "external_id")
    ):
        externals.setdefault(pid, ext)
    municipalities = {m.code: m for m in Municipality.objects.select_related("province")}
    order = sorted(current, key=lambda p: codes[p]) if wanted is None else [p for p in wanted if p in current]
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
    data = list(rows(peiling))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8-sig") as f:
            cells.csv_writer(f, delimiter=";").writerows(table(data))
    elif fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("projecten")
        for values in table(data):
            cells.xlsx_append(sheet, values)
        workbook.save(path)
    else:
        _write_gis(path, fmt, data, crs)
    return len(data)


def table(data):
    """The rows of `rows()` as a spreadsheet: the template's header, then one list of values per project."""
    yield list(TEMPLATE_COLUMNS)
    for row, geometry in data:
        yield [row[c] for c in COLUMNS] + [_wkt(geometry)]


def _wkt(geometry) -> str:
    return shapely.to_wkt(shape(geometry), rounding_precision=6, trim=True) if geometry else ""


def _write_gis(path: Path, fmt: str, data, crs: str) -> None:
    from pyogrio.raw import write

    geometries = np.array([shape(g) if g else None for _row, g in data], dtype=object)
    if crs not in ("EPSG:4326", "OGC:CRS84"):
        transformer = Transformer.from_crs(4326, crs, always_xy=True)
        geometries = shapely.transform(
            geometries, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
    fields = [_gis_column(c, [row[c] for row, _g in data]) for c in COLUMNS]
    if path.exists():
        path.unlink()
    write(
        str(path), shapely.to_wkb(geometries), fields, COLUMNS, layer="projecten",
        driver="GPKG" if fmt == "gpkg" else "GeoJSON", geometry_type="Unknown", crs=crs,
    )  # fmt: skip


def _gis_column(column: str, values: list) -> np.ndarray:
    """Counts as integer fields; everything else (incl. the optional oplevering_woningen) as text."""
    if column in COUNT_COLUMNS and column != "oplevering_woningen":
        return np.array(values, dtype=np.int64)
    return np.array([str(v) for v in values], dtype=object)
