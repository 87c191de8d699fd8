"""Read plan lists in the formats provinces and municipalities deliver into one plain `Table`.

CSV (`,` `;` or tab; UTF-8 or Windows-1252), Excel (.xlsx, a chosen sheet), GeoPackage, Shapefile
(loose or zipped, with .dbf/.shx/.prj) and GeoJSON. Geometries come back in WGS84, reprojected from
the file's CRS. Anything that cannot be read is refused with `ImportRefused` and a specific message,
before a single row is interpreted.
"""

import csv
import io
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer

SUPPORTED = (".csv", ".xlsx", ".gpkg", ".shp", ".zip", ".geojson", ".json")
GIS = (".gpkg", ".shp", ".zip", ".geojson", ".json")
# Plausible extent of the Netherlands incl. territorial waters, WGS84 and RD New (EPSG:28992).
NL_WGS84 = (3.0, 50.6, 7.4, 53.8)
NL_RD = (-10_000, 280_000, 310_000, 640_000)
MAX_ZIP_RATIO = 100  # compressed → uncompressed; far beyond any real spreadsheet or shapefile


class ImportRefused(ValueError):
    """The file as a whole cannot be imported; the message says why, for the user."""


@dataclass
class Notice:
    row: int | None
    column: str
    value: str
    reason: str
    severity: str = "waarschuwing"  # or "fout"


@dataclass
class Table:
    columns: list[str]
    rows: list[list]
    row_numbers: list[int]
    geometries: list | None = None  # shapely geometry (WGS84) or None per row
    crs: str | None = None
    notices: list[Notice] = field(default_factory=list)
    format: str = ""


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def read_table(path: Path, sheet: str | None = None) -> Table:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ImportRefused(
            _("Bestandstype '%(suffix)s' wordt niet ondersteund; gebruik %(supported)s.")
            % {"suffix": suffix or _("(geen)"), "supported": ", ".join(SUPPORTED)}
        )
    if not path.exists():
        raise ImportRefused(_("Bestand '%s' bestaat niet.") % path)
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused(_("Het bestand is leeg."))
    if size > max_bytes():
        raise ImportRefused(
            _("Het bestand is %(size).1f MB; de grens is %(limit).0f MB.")
            % {"size": size / 1e6, "limit": max_bytes() / 1e6}
        )
    if suffix == ".csv":
        table = _read_csv(path)
    elif suffix == ".xlsx":
        _check_zip(path, _("Excel-bestand"))
        table = _read_xlsx(path, sheet)
    else:
        table = _read_gis(path, sheet)
    if not table.rows:
        raise ImportRefused(_("Het bestand bevat geen regels met gegevens (alleen een kopregel of niets)."))
    return table


def _check_zip(path: Path, what: str) -> None:
    """Refuse corrupt archives and zip bombs before anything unpacks them."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise ImportRefused(_("Het %s is beschadigd of geen geldig bestand van dit type.") % what) from None
    total = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if total > max_bytes() or total / packed > MAX_ZIP_RATIO:
        raise ImportRefused(
            _("Het %(what)s pakt uit tot %(size).0f MB (verhouding %(ratio).0f:1); geweigerd als mogelijke zipbom.")
            % {"what": what, "size": total / 1e6, "ratio": total / packed}
        )


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise ImportRefused(_("Dit is geen tekstbestand (CSV); bevat binaire gegevens."))
    try:
        text, encoding = raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252", errors="replace"), "Windows-1252"
    head = text.lstrip("\ufeff").split("\n", 10)[:10]  # a title line may precede the header
    delimiter = max((";", ",", "\t"), key=lambda d: max(line.count(d) for line in head))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as error:
        raise ImportRefused(_("De CSV kan niet gelezen worden: %s.") % error) from None
    header_at = _header_row([[c.strip() for c in line] for line in lines])
    if header_at is None:
        raise ImportRefused(_("Het bestand is leeg."))
    columns = [c.strip() for c in lines[header_at]]
    rows, numbers = [], []
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if any(c.strip() for c in line):
            rows.append([c.strip() for c in line] + [""] * (len(columns) - len(line)))
            numbers.append(number)
    table = Table(columns, rows, numbers, format=f"CSV ({encoding}, scheidingsteken '{delimiter}')")
    if encoding == "Windows-1252":
        table.notices.append(Notice(None, "", "", _("Bestand gelezen als Windows-1252 (geen UTF-8).")))
    return table


def _header_row(lines) -> int | None:
    """The header is the first row with at least three filled cells: title lines above it are skipped."""
    filled = [sum(v not in (None, "") for v in line) for line in lines]
    return next((i for i, n in enumerate(filled) if n >= 3), next((i for i, n in enumerate(filled) if n), None))


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise ImportRefused(_("Het Excel-bestand is beschadigd of onleesbaar (%s).") % type(error).__name__) from None
    try:
        if sheet:
            if sheet not in workbook.sheetnames:
                raise ImportRefused(
                    _("Werkblad '%(sheet)s' bestaat niet; wel: %(sheets)s.")
                    % {"sheet": sheet, "sheets": ", ".join(workbook.sheetnames)}
                )
            worksheet = workbook[sheet]
        else:
            worksheet = workbook.worksheets[0]
        lines = [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    header_at = _header_row(lines)
    if header_at is None:
        raise ImportRefused(_("Werkblad '%s' is leeg.") % worksheet.title)
    header = lines[header_at]
    width = max(i + 1 for i, v in enumerate(header) if v not in (None, ""))
    columns = ["" if v is None else str(v).strip() for v in header[:width]]
    rows, numbers = [], []
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        values = [v.strip() if isinstance(v, str) else v for v in (list(line) + [None] * width)[:width]]
        if any(v not in (None, "") for v in values):
            rows.append(values)
            numbers.append(number)
    return Table(columns, rows, numbers, format=f"Excel (werkblad '{worksheet.title}')")


def _read_gis(path: Path, layer: str | None) -> Table:
    import pyogrio
    import pyogrio.raw

    suffix = path.suffix.lower()
    workdir = None
    try:
        if suffix == ".zip":
            _check_zip(path, _("zipbestand"))
            workdir = Path(tempfile.mkdtemp(prefix="bouwregie-import-"))
            path = _unpack_shapefile(path, workdir)
        elif suffix == ".shp":
            _check_shapefile_parts(path, [p.name for p in path.parent.iterdir()])
        try:
            info = pyogrio.list_layers(path)
            layers = [str(name) for name in info[:, 0]]
            if layer and layer not in layers:
                raise ImportRefused(
                    _("Laag '%(layer)s' bestaat niet; wel: %(layers)s.") % {"layer": layer, "layers": ", ".join(layers)}
                )
            meta, _fids, wkb, field_data = pyogrio.raw.read(path, layer=layer or layers[0])
        except ImportRefused:
            raise
        except Exception as error:
            raise ImportRefused(_("Het GIS-bestand kan niet gelezen worden: %s") % str(error).strip()) from None
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    columns = [str(c) for c in meta["fields"]]
    as_lists = [_plain(values) for values in field_data]
    rows = [list(r) for r in zip(*as_lists, strict=True)] if as_lists else [[] for _ in range(len(wkb))]
    table = Table(columns, rows, list(range(1, len(rows) + 1)), format=f"{meta.get('driver', 'GIS')}")
    table.geometries, table.crs = _to_wgs84(wkb, meta.get("crs"), table.notices, table.row_numbers)
    if len(layers) > 1 and not layer:
        table.notices.append(
            Notice(
                None,
                "",
                "",
                _("Meerdere lagen (%(layers)s); gelezen: %(first)s.")
                % {"layers": ", ".join(layers), "first": layers[0]},
            )
        )
    return table


def _plain(values: np.ndarray) -> list:
    """numpy column → Python values; missing numbers (NaN) become None."""
    if values.dtype.kind == "f":
        return [None if v != v else v for v in values.tolist()]
    if values.dtype.kind == "M":
        return [None if np.isnat(v) else v.astype("datetime64[D]").item() for v in values]
    return values.tolist()


def _check_shapefile_parts(shp: Path, names: list[str]) -> None:
    lower = {n.lower() for n in names}
    stem = shp.stem.lower()
    for part, label in ((".dbf", _("de attributen (.dbf)")), (".shx", _("de index (.shx)"))):
        if stem + part not in lower:
            raise ImportRefused(
                _("Shapefile '%(name)s' mist %(part)s; lever .shp, .shx, .dbf en .prj samen aan (bij voorkeur gezipt).")
                % {"name": shp.name, "part": label}
            )


def _unpack_shapefile(archive_path: Path, workdir: Path) -> Path:
    with zipfile.ZipFile(archive_path) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        shapefiles = [n for n in names if n.lower().endswith(".shp")]
        if len(shapefiles) != 1:
            raise ImportRefused(
                _("Het zipbestand moet precies één shapefile (.shp) bevatten; gevonden: %d.") % len(shapefiles)
            )
        stem = shapefiles[0][:-4]
        parts = [n for n in names if n[: len(stem)] == stem and "." not in n[len(stem) + 1 :]]
        _check_shapefile_parts(Path(shapefiles[0]), [Path(n).name for n in parts])
        for name in parts:  # extract by basename only: no paths from the archive reach the disk
            target = workdir / Path(name).name
            with archive.open(name) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
    return workdir / Path(shapefiles[0]).name


def _inside(bounds, box) -> bool:
    return bounds[0] >= box[0] and bounds[1] >= box[1] and bounds[2] <= box[2] and bounds[3] <= box[3]


def _to_wgs84(wkb, declared_crs, notices, row_numbers):
    geometries = shapely.from_wkb(np.asarray(wkb, dtype=object))
    present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
    if not present.any():
        return [None] * len(geometries), declared_crs
    bounds = shapely.total_bounds(geometries[present])
    if declared_crs:
        crs = CRS.from_user_input(declared_crs)
    elif _inside(bounds, NL_RD):
        crs = CRS.from_epsg(28992)
        notices.append(Notice(None, "", "", _("Geen coördinatenstelsel opgegeven; RD New (EPSG:28992) aangenomen.")))
    elif _inside(bounds, NL_WGS84):
        crs = CRS.from_epsg(4326)
        notices.append(Notice(None, "", "", _("Geen coördinatenstelsel opgegeven; WGS84 (EPSG:4326) aangenomen.")))
    else:
        raise ImportRefused(
            _(
                "Het bestand heeft geen coördinatenstelsel en de coördinaten zijn niet herkenbaar als RD New of WGS84 "
                "in Nederland; lever het .prj-bestand mee of geef het CRS op."
            )
        )
    if not crs.equals(CRS.from_epsg(4326)):
        transformer = Transformer.from_crs(crs, 4326, always_xy=True)
        geometries = shapely.transform(
            geometries, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
    wgs_bounds = shapely.total_bounds(geometries[present])
    if not _inside(wgs_bounds, NL_WGS84):
        raise ImportRefused(
            _(
                "De coördinaten liggen (deels) buiten Nederland (%(bounds)s in WGS84); klopt het coördinatenstelsel "
                "%(crs)s?"
            )
            % {"bounds": ", ".join(f"{v:.3f}" for v in wgs_bounds), "crs": crs.to_string()}
        )
    invalid = present & ~shapely.is_valid(geometries)
    for index in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geometries[index])
        geometries[index] = shapely.make_valid(geometries[index])
        notices.append(Notice(row_numbers[index], "geometrie", reason, _("Ongeldige geometrie hersteld (make_valid).")))
    return [g if ok else None for g, ok in zip(geometries, present, strict=True)], crs.to_string()
