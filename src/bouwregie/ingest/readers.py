"""Read plan lists in the formats provinces and municipalities deliver into one plain `Table`.

CSV (`,` `;` or tab; UTF-8 or Windows-1252), Excel (.xlsx, a chosen sheet), GeoPackage, Shapefile
(loose or zipped, with .dbf/.shx/.prj) and GeoJSON. Geometries come back in WGS84, reprojected from
the file's CRS. Anything that cannot be read is refused with `ImportRefused` and a specific message,
before a single row is interpreted.
"""

import codecs
import csv
import io
import json
import logging
import re
import shutil
import tempfile
import threading
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer

from bouwregie import cells
from bouwregie.geo.geojson import NL_WGS84, check_geometries
from bouwregie.ingest import read_errors

log = logging.getLogger(__name__)

SUPPORTED = (".csv", ".xlsx", ".gpkg", ".shp", ".zip", ".geojson", ".json")
GIS = (".gpkg", ".shp", ".zip", ".geojson", ".json")
GEOJSON = (".geojson", ".json")
GIS_DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".zip": "ESRI Shapefile", ".geojson": "GeoJSON",
               ".json": "GeoJSON"}  # fmt: skip  # the format label of a report (pyogrio's read() names no driver)
# Plausible extent of the Netherlands incl. territorial waters in RD New (EPSG:28992); WGS84: geo.geojson.
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
    # The label of a group row above the header, per column (carried over the blank cells a merged
    # cell leaves): "Harde plancapaciteit" above "2021-2029". Empty when the file has none.
    groups: list[str] = field(default_factory=list)


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def read_table(path: Path, sheet: str | None = None, header_row: int | None = None) -> Table:
    """The file as one Table. header_row: the 1-based line of the header in a CSV or sheet, for files
    whose header the detection below does not find (`--header-row`, or `header_row` in a profile).

    Whatever a reader library raises (zip, XML, GDAL, decoding, csv) becomes ImportRefused with a Dutch
    message naming the file, never a server path (read_errors); the full exception is logged at INFO
    (logger bouwregie.ingest.readers): a damaged file is the user's to fix, not a server error."""
    path = Path(path)
    try:
        return _read_table(path, sheet, header_row)
    except ImportRefused as refused:
        raise ImportRefused(read_errors.scrubbed(str(refused), path)) from None
    except Exception as error:
        log.info("Planlijst %s niet leesbaar: %r", path, error, exc_info=True)  # user input, not a server error
        raise ImportRefused(read_errors.message(error, path)) from None


def _read_table(path: Path, sheet: str | None, header_row: int | None) -> Table:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ImportRefused(
            _("Bestandstype '%(suffix)s' wordt niet ondersteund; gebruik %(supported)s.")
            % {"suffix": suffix or _("(geen)"), "supported": ", ".join(SUPPORTED)}
        )
    if not path.exists():
        raise ImportRefused(_("Bestand '%s' bestaat niet.") % path.name)
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused(_("Het bestand is leeg."))
    if size > max_bytes():
        raise ImportRefused(
            _("Het bestand is %(size).1f MB; de grens is %(limit).0f MB.")
            % {"size": size / 1e6, "limit": max_bytes() / 1e6}
        )
    if suffix == ".csv":
        table = _read_csv(path, header_row)
    elif suffix == ".xlsx":
        _check_zip(path, _("Excel-bestand"))
        _check_xlsx_xml(path)
        table = _read_xlsx(path, sheet, header_row)
    else:
        from bouwregie.ingest.diwi import is_diwi, read_diwi  # DIWI's nested GeoJSON (issue 15); imports readers

        table = read_diwi(path) if is_diwi(path) else _read_gis(path, sheet)
    if not table.rows:
        raise ImportRefused(_("Het bestand bevat geen regels met gegevens (alleen een kopregel of niets)."))
    if suffix in (".csv", ".xlsx"):  # spreadsheets: take off the apostrophe an export put before a formula-like text
        table.rows = [[cells.restored(value) for value in row] for row in table.rows]
    return table


def _check_zip(path: Path, what: str) -> None:
    """Refuse corrupt archives and zip bombs before anything unpacks them."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise ImportRefused(
            _("Het %(what)s is beschadigd of geen geldig bestand van dit type ('%(name)s').")
            % {"what": what, "name": path.name}
        ) from None
    total = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if total > max_bytes() or total / packed > MAX_ZIP_RATIO:
        raise ImportRefused(
            _("Het %(what)s pakt uit tot %(size).0f MB (verhouding %(ratio).0f:1); geweigerd als mogelijke zipbom.")
            % {"what": what, "size": total / 1e6, "ratio": total / packed}
        )


def _check_xlsx_xml(path: Path) -> None:
    """An .xlsx holds XML parts without a DTD (ECMA-376 forbids one); a DOCTYPE or ENTITY declaration is an
    attack or a broken writer, refused before openpyxl parses anything. openpyxl itself parses through
    defusedxml (its DEFUSEDXML flag, on when defusedxml is installed and OPENPYXL_DEFUSEDXML is not 'False'):
    reading Excel without it is refused rather than done unprotected."""
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        raise ImportRefused(
            _("Excel-bestanden kunnen op deze server niet veilig gelezen worden (defusedxml staat uit); meld dit aan "
              "de beheerder.")
        )  # fmt: skip
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                with archive.open(member) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                    raise ImportRefused(
                        _(
                            "Het Excel-bestand '%(name)s' is beschadigd of bevat niet-toegestane XML (een DOCTYPE- "
                            "of ENTITY-declaratie in %(part)s; die komen in echte Excel-bestanden niet voor)."
                        )
                        % {"name": path.name, "part": Path(member.filename).name}
                    )


def _widest(head: str, delimiter: str) -> tuple[int, int]:
    """How well a delimiter splits the first lines: (lines sharing the most common width above one
    cell, that width), quotes respected. Header and rows of a real table agree on their width; a
    quoted WKT polygon full of commas in a ';' file splits on ',' into widths that agree with nothing."""
    try:
        widths = [len(row) for row in csv.reader(io.StringIO(head), delimiter=delimiter) if any(row)]
    except csv.Error:
        return 0, 0
    counts = Counter(w for w in widths if w > 1)
    if not counts:
        return 0, 0
    width, lines = max(counts.items(), key=lambda item: (item[1], item[0]))
    return lines, width


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


# Lines a CSV may have beyond the row limit while it is read (title lines, a group row, blank lines): the
# reader stops at max_rows() + this many lines, the exact limit is checked on the data rows once the header
# is known. So a 300,000-row file is refused after reading about max_rows() lines, not all of them.
LINES_ABOVE_HEADER = 100
INVALID_BYTES_SHOWN = 50  # notices naming a line with invalid UTF-8; more are counted in one notice


def too_many_rows() -> ImportRefused:
    limit = f"{max_rows():,}".replace(",", ".")
    return ImportRefused(
        _(
            "Het bestand heeft meer dan %(limit)s regels met gegevens; de grens is %(limit)s "
            "(BOUWREGIE_IMPORT_MAX_ROWS). Splits de lijst, bijvoorbeeld per gemeente."
        )
        % {"limit": limit}
    )


def _read_csv(path: Path, header_row: int | None = None) -> Table:
    raw = path.read_bytes()
    text, encoding, invalid = _decoded(raw)
    del raw
    head = "\n".join(text.split("\n", 10)[:10])  # a title line may precede the header
    delimiter = max((";", ",", "\t"), key=lambda d: _widest(head, d))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    lines, last_line, ends = [], max_rows() + LINES_ABOVE_HEADER, []
    try:
        for line in reader:  # counted while read: a list far over the limit is refused without reading it all
            lines.append([c.strip() for c in line])
            ends.append(reader.line_num)  # the physical line a record ends on (a quoted cell may span lines)
            if len(lines) > last_line:
                raise too_many_rows()
    except csv.Error as error:
        raise ImportRefused(_("De CSV kan niet gelezen worden: %s.") % error) from None
    del text
    header_at, groups, notices = _locate_header(lines, header_row)
    if header_at is None:
        raise ImportRefused(_("Het bestand is leeg."))
    columns = lines[header_at]
    rows, numbers = [], []
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if any(line):
            rows.append(line + [""] * (len(columns) - len(line)))
            numbers.append(number)
    if len(rows) > max_rows():
        raise too_many_rows()
    table = Table(columns, rows, numbers, format=f"CSV ({encoding}, scheidingsteken '{delimiter}')", groups=groups)
    table.notices.extend(notices)
    table.notices.extend(_invalid_byte_notices(invalid, lines, ends, columns, header_at))
    if encoding == "Windows-1252":
        table.notices.append(Notice(None, "", "", _("Bestand gelezen als Windows-1252 (geen UTF-8).")))
    elif encoding == "Mac Roman":
        table.notices.append(Notice(None, "", "", _("Bestand gelezen als Mac Roman (geen UTF-8; Excel voor Mac).")))
    return table


def _decoded(raw: bytes) -> tuple[str, str, dict[int, list[bytes]]]:
    """(text, encoding, {physical line: its invalid bytes}) of a CSV, decided per file (issue 16, fault 13):

    - a byte-order mark says it: UTF-8 or UTF-16 (Excel's "Unicode text");
    - valid UTF-8 is UTF-8;
    - UTF-8 apart from a few invalid bytes — the file has valid multi-byte UTF-8 characters elsewhere, which a
      Windows-1252 file practically never has — is read as UTF-8; each invalid byte becomes '�' and its line is
      reported (`_invalid_byte_notices`), instead of the whole file being read as Windows-1252 ("CafÃ©");
    - anything else is detected by charset-normalizer: BOM-less UTF-16 (zero bytes), else Windows-1252 or Mac
      Roman (LEGACY); what it cannot place is read as Windows-1252 with '�' for the five bytes it leaves undefined.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not raw.startswith(codecs.BOM_UTF32_LE):
        return _text(raw.decode("utf-16")), "UTF-16", {}  # strict: an odd byte is read_errors' message
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8) :] if bom else raw
    try:
        return _text(body.decode("utf-8")), "UTF-8", {}
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", errors="replace")
    if bom or re.search("[^\x00-\x7f\ufffd]", text):
        invalid = {}
        for number, line in enumerate(body.split(b"\n"), start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                invalid[number] = _invalid_bytes(line)
        return _text(text), "UTF-8", invalid
    from charset_normalizer import from_bytes

    if b"\x00" in raw:  # BOM-less UTF-16 has a zero in every other byte of Latin text; anything else is binary
        zeros = max(raw[0::2].count(0), raw[1::2].count(0)) / max(1, len(raw) // 2)
        best = from_bytes(raw, cp_isolation=["utf_16_le", "utf_16_be"]).best() if zeros > 0.4 else None
        if best is None:
            raise ImportRefused(_("Dit is geen tekstbestand (CSV); bevat binaire gegevens."))
        return _text(str(best)), "UTF-16", {}
    best = from_bytes(raw, cp_isolation=list(LEGACY)).best()
    if best is not None:
        return _text(str(best)), LEGACY[best.encoding], {}
    return _text(raw.decode("cp1252", errors="replace")), "Windows-1252", {}


# The 8-bit encodings a Dutch plan list comes in when it is not UTF-8: Excel for Windows' "CSV", and Excel for
# Mac's (Mac Roman: é is 0x8E, which Windows-1252 reads as Ž). charset-normalizer picks the one whose text reads
# as language; Windows-1252 wins every tie.
LEGACY = {"cp1252": "Windows-1252", "mac_roman": "Mac Roman"}


def _text(text: str) -> str:
    if "\x00" in text:
        raise ImportRefused(_("Dit is geen tekstbestand (CSV); bevat binaire gegevens."))
    return text.lstrip("\ufeff")


def _invalid_bytes(line: bytes) -> list[bytes]:
    """The byte sequences of a line that are not UTF-8, in order."""
    found, start = [], 0
    while True:
        try:
            line[start:].decode("utf-8")
            return found
        except UnicodeDecodeError as error:
            found.append(line[start + error.start : start + error.end])
            start += error.end


def _invalid_byte_notices(invalid: dict[int, list[bytes]], lines, ends, columns, header_at) -> list[Notice]:
    """A warning per line with invalid UTF-8, naming the row, the column, the value as read and the bytes."""
    notices = []
    record = 0
    for line_number, found in sorted(invalid.items()):
        if len(notices) == INVALID_BYTES_SHOWN:
            notices.append(Notice(None, "", "", _("Nog %d regels met ongeldige bytes voor UTF-8 (zie hierboven).")
                                  % (len(invalid) - INVALID_BYTES_SHOWN)))  # fmt: skip
            break
        while record < len(ends) - 1 and ends[record] < line_number:
            record += 1
        cells = lines[record] if record < len(lines) else []
        shown = [i for i, v in enumerate(cells) if "\ufffd" in v] or [None]
        bytes_text = " ".join(f"0x{b.hex().upper()}" for b in found)
        for i in shown:
            column = columns[i] if i is not None and record > header_at and i < len(columns) else ""
            notices.append(
                Notice(
                    record + 1,
                    column,
                    cells[i] if i is not None else "",
                    _(
                        "Ongeldige byte(s) %(bytes)s voor UTF-8 op regel %(line)d vervangen door '�' (de rest "
                        "van het bestand is UTF-8); controleer de waarde en sla het bestand op als UTF-8."
                    )
                    % {"bytes": bytes_text, "line": line_number},
                )
            )
    return notices


def _filled(line) -> int:
    return sum(v not in (None, "") for v in line)


def _header_row(lines) -> int | None:
    """The header is the first row with at least three filled cells that is not a group row: title
    lines above it are skipped, and so is a row of group labels ("Harde plancapaciteit" over two period
    columns), recognised by the next row having more filled cells than it."""
    filled = [_filled(line) for line in lines]
    candidates = [i for i, n in enumerate(filled) if n >= 3]
    for i in candidates:
        following = next((n for n in filled[i + 1 :] if n), 0)
        if following <= filled[i]:
            return i
    return candidates[0] if candidates else next((i for i, n in enumerate(filled) if n), None)


def _locate_header(lines, header_row: int | None) -> tuple[int | None, list[str], list[Notice]]:
    """(index of the header line, group label per column, notices). A chosen header_row (1-based) wins;
    otherwise `_header_row` finds it. The line right above the header is taken as group labels when it
    has at least one label over a column and fewer filled cells than the header (a merged group cell)."""
    notices = []
    if header_row is not None:
        if not 1 <= header_row <= len(lines) or not _filled(lines[header_row - 1]):
            raise ImportRefused(
                _("Kopregel %(row)d bestaat niet of is leeg (het bestand heeft %(n)d regels).")
                % {"row": header_row, "n": len(lines)}
            )
        at = header_row - 1
    else:
        at = _header_row(lines)
        if at is None:
            return None, [], notices
    groups: list[str] = []
    above = lines[at - 1] if at > 0 else []
    width = len(lines[at])
    if above and 2 <= _filled(above) < _filled(lines[at]):  # one cell is a title, not a group row
        label = ""
        for i in range(width):
            value = above[i] if i < len(above) else None
            if value not in (None, ""):
                label = str(value).strip()
            groups.append(label)
        if header_row is None:
            notices.append(
                Notice(
                    None,
                    "",
                    "",
                    _(
                        "Kopregel gevonden op regel %(row)d, met groepskoppen uit regel %(above)d "
                        "(%(groups)s); kies zo nodig een andere kopregel met --header-row."
                    )
                    % {"row": at + 1, "above": at, "groups": ", ".join(dict.fromkeys(g for g in groups if g))},
                )
            )
    return at, groups, notices


def _read_xlsx(path: Path, sheet: str | None, header_row: int | None = None) -> Table:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)  # errors: read_table → read_errors
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
        lines, last_line = [], max_rows() + LINES_ABOVE_HEADER
        for row in worksheet.iter_rows(values_only=True):  # counted while read, as for a CSV
            lines.append(list(row))
            if len(lines) > last_line:
                raise too_many_rows()
    finally:
        workbook.close()
    header_at, groups, notices = _locate_header(lines, header_row)
    if header_at is None:
        raise ImportRefused(_("Werkblad '%s' is leeg.") % worksheet.title)
    header = lines[header_at]
    width = max(i + 1 for i, v in enumerate(header) if v not in (None, ""))
    columns = ["" if v is None else _header_text(v) for v in header[:width]]
    rows, numbers = [], []
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        values = [v.strip() if isinstance(v, str) else v for v in (list(line) + [None] * width)[:width]]
        if any(v not in (None, "") for v in values):
            rows.append(values)
            numbers.append(number)
    if len(rows) > max_rows():
        raise too_many_rows()
    table = Table(columns, rows, numbers, format=f"Excel (werkblad '{worksheet.title}')", groups=groups[:width])
    table.notices.extend(notices)
    return table


def _header_text(value) -> str:
    """A header cell as text: a year typed as a number (2025.0) is the column '2025'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_gis(path: Path, layer: str | None) -> Table:
    import pyogrio
    import pyogrio.raw

    suffix = path.suffix.lower()
    original, workdir = path, None
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
            features = pyogrio.read_info(path, layer=layer or layers[0]).get("features", -1)
            if features > max_rows():  # GDAL counts them without reading (-1: unknown, read at most one more)
                raise too_many_rows()
            meta, _fids, wkb, field_data = pyogrio.raw.read(path, layer=layer or layers[0],
                                                            max_features=max_rows() + 1)  # fmt: skip
            if len(wkb) > max_rows():
                raise too_many_rows()
        except ImportRefused:
            raise
        except Exception as error:  # GDAL's English, with the server path: a Dutch message naming the file
            log.info("GIS-bestand %s niet leesbaar: %r", original, error, exc_info=True)
            raise ImportRefused(read_errors.message(error, original)) from None
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    columns = [str(c) for c in meta["fields"]]
    as_lists = [_plain(values) for values in field_data]
    rows = [list(r) for r in zip(*as_lists, strict=True)] if as_lists else [[] for _ in range(len(wkb))]
    table = Table(columns, rows, list(range(1, len(rows) + 1)), format=meta.get("driver") or GIS_DRIVERS[suffix])
    declared, default = meta.get("crs"), None
    if suffix in GEOJSON and not _geojson_declares_crs(path):
        declared, default = None, declared  # GDAL's EPSG:4326 is only the format's default (RFC 7946 §4)
    table.geometries, table.crs = _to_wgs84(wkb, declared, table.notices, table.row_numbers, default)
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


def to_wgs84(crs_wkt: str) -> Transformer:
    """A transformer from this CRS to WGS84, built once per CRS and thread (PROJ takes ~30 ms to build one;
    a batch of provincial lists all arrive in RD New)."""
    return _transformer(crs_wkt, threading.get_ident())


@lru_cache(maxsize=32)
def _transformer(crs_wkt: str, _thread: int) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(crs_wkt), 4326, always_xy=True)


def _inside(bounds, box) -> bool:
    return bounds[0] >= box[0] and bounds[1] >= box[1] and bounds[2] <= box[2] and bounds[3] <= box[3]


def _geojson_declares_crs(path: Path) -> bool:
    """Whether a GeoJSON file has a top-level `crs` member (GeoJSON 2008; RFC 7946 dropped it, so WGS84 is
    only the default). GDAL reports EPSG:4326 either way. Parsed only when the text mentions "crs" at all."""
    raw = path.read_bytes()
    if b'"crs"' not in raw:
        return False
    try:
        document = json.loads(raw)
    except ValueError:
        return True  # GDAL read it; never guess against a member we cannot see
    return isinstance(document, dict) and "crs" in document


def _to_wgs84(wkb, declared_crs, notices, row_numbers, default_crs=None):
    """Shapely geometries in WGS84 and the CRS they were read in. `declared_crs` is the file's own CRS;
    `default_crs` the one its format assumes when it declares none (GeoJSON: WGS84). docs/import.md: without
    a declared CRS, coordinates recognisable as RD New or WGS84 in the Netherlands are read so, with a warning."""
    geometries = shapely.from_wkb(np.asarray(wkb, dtype=object))
    present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
    if not present.any():
        return [None] * len(geometries), declared_crs or default_crs
    bounds = shapely.total_bounds(geometries[present])
    if declared_crs:
        crs = CRS.from_user_input(declared_crs)
    elif default_crs and _inside(bounds, NL_RD):  # y ≥ 280,000: no latitude, so not the default WGS84
        crs = CRS.from_epsg(28992)
        notices.append(
            Notice(
                None,
                "",
                "",
                _(
                    "Geen coördinatenstelsel in het bestand (standaard WGS84), maar de coördinaten zijn RD New; "
                    "RD New (EPSG:28992) aangenomen."
                ),
            )
        )
    elif default_crs and _inside(bounds, (-180.0, -90.0, 180.0, 90.0)):
        crs = CRS.from_user_input(default_crs)  # the format's own default, e.g. WGS84 for GeoJSON: no warning
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
        transformer = to_wgs84(crs.to_wkt())
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
    # The one check of every geometry written (geo.geojson, also the REST API's): repaired with a warning (stored
    # rounded, and still valid: geo.geojson.rounded); a type, size or coordinate it cannot store leaves the row
    # without geometry, with the reason.
    kept = []
    for index, (geometry, repair, refused) in enumerate(check_geometries(geometries)):
        if refused is not None:
            notices.append(Notice(row_numbers[index], "geometrie", refused.value, refused.reason, "fout"))
        elif repair is not None:
            notices.append(
                Notice(row_numbers[index], "geometrie", repair, _("Ongeldige geometrie hersteld (make_valid)."))
            )
        kept.append(geometry)
    return kept, crs.to_string()
