"""Why a file could not be read, for the person who delivered it: every exception a reader library raises
(zip, XML, GDAL/pyogrio, text decoding, csv) becomes one specific Dutch message that names the user's own
file name and nothing of the server (issue 16, faults 11 and 15).

Reader libraries speak English and put the full server path in their messages ("/…/var/uploads/<uuid>/x.gpkg
not recognized as being in a supported file format"); the import log that carries the message is readable by
every signed-in user. So: known errors get a Dutch sentence, the technical remainder (if any) is scrubbed of
paths, and the full exception is logged (INFO, bouwregie.ingest.readers) for whoever needs to dig.
"""

import csv
import re
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

# A directory part of an absolute path ("/srv/var/uploads/3f…/", "C:\\tmp\\", "/vsizip//tmp/x/"): removed, so
# only the last name (the file) remains. Not preceded by a word character, so "20/5/2020" is no path.
_DIRECTORIES = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?(?:[/\\][^/\\\s'\"()]*)+[/\\]")


def scrubbed(text: str, path: Path | None = None) -> str:
    """`text` without server paths: the full path of the file becomes its name, any other absolute path its
    last part."""
    if path is not None:
        text = text.replace(str(path), path.name)
    return _DIRECTORIES.sub("", text)


def _defused(error: BaseException) -> bool:
    """Whether defusedxml refused a DTD, an entity or an external reference anywhere in the cause chain."""
    from defusedxml import DefusedXmlException

    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DefusedXmlException):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _parse_error(error: BaseException) -> ParseError | None:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, ParseError):
            return error
        error, seen = error.__cause__ or error.__context__, seen + 1
    return None


GDAL_FORMATS = {".gpkg": "GeoPackage", ".shp": "Shapefile", ".zip": "Shapefile (zip)", ".geojson": "GeoJSON",
                ".json": "GeoJSON"}  # fmt: skip


def message(error: BaseException, path: Path, name: str | None = None) -> str:
    """The user's message for an exception raised while reading `path` (shown as `name`, default its name)."""
    name = name or path.name
    suffix = path.suffix.lower()
    detail = scrubbed(str(error), path).strip().rstrip(".")
    if suffix == ".xlsx":
        if _defused(error):
            return _(
                "Het Excel-bestand '%(name)s' is beschadigd of bevat niet-toegestane XML (een DOCTYPE- of "
                "ENTITY-declaratie; die komen in echte Excel-bestanden niet voor)."
            ) % {"name": name}
        parse_error = _parse_error(error)
        if parse_error is not None:
            line, column = getattr(parse_error, "position", (0, 0))
            return _(
                "Het Excel-bestand '%(name)s' is beschadigd of bevat niet-toegestane XML (onvolledige of ongeldige "
                "XML, regel %(line)d, kolom %(column)d); sla het opnieuw op in Excel."
            ) % {"name": name, "line": line, "column": column}
    if isinstance(error, (zipfile.BadZipFile, zlib.error, EOFError)) or "zip" in type(error).__name__.lower():
        return _("Het bestand '%(name)s' is beschadigd: het (ingepakte) bestand is onvolledig of ongeldig.") % {
            "name": name
        }
    if isinstance(error, UnicodeDecodeError):
        return _(
            "Het bestand '%(name)s' bevat bytes die geen tekst zijn in %(encoding)s (0x%(byte)s op positie "
            "%(position)d); sla het op als UTF-8."
        ) % {"name": name, "encoding": error.encoding, "byte": error.object[error.start : error.end].hex().upper(),
             "position": error.start}  # fmt: skip
    if isinstance(error, csv.Error):
        if "field larger than field limit" in detail:
            detail = _("een cel is langer dan %d tekens") % csv.field_size_limit()
        return _("De CSV '%(name)s' kan niet gelezen worden: %(detail)s.") % {"name": name, "detail": detail}
    if type(error).__module__.startswith("pyogrio") or suffix in GDAL_FORMATS:
        kind = GDAL_FORMATS.get(suffix, _("GIS-bestand"))
        if "not recognized as" in detail or "not a supported" in detail or "unable to open" in detail.lower():
            return _("'%(name)s' is geen geldig %(kind)s-bestand: het formaat wordt niet herkend.") % {
                "name": name, "kind": kind}  # fmt: skip
        if "no such file" in detail.lower() or "does not exist" in detail.lower():
            return _("'%(name)s' kan niet gelezen worden: een onderdeel van het %(kind)s-bestand ontbreekt.") % {
                "name": name, "kind": kind}  # fmt: skip
        return _("Het %(kind)s-bestand '%(name)s' kan niet gelezen worden (GDAL: %(detail)s).") % {
            "kind": kind, "name": name, "detail": detail or type(error).__name__}  # fmt: skip
    if isinstance(error, MemoryError):
        return _("Het bestand '%(name)s' is te groot om te lezen.") % {"name": name}
    if isinstance(error, OSError):
        return _("Het bestand '%(name)s' kan niet gelezen worden (%(detail)s).") % {
            "name": name, "detail": scrubbed(error.strerror or type(error).__name__)}  # fmt: skip
    if suffix == ".xlsx":
        return _("Het Excel-bestand '%(name)s' is beschadigd of onleesbaar (%(detail)s).") % {
            "name": name, "detail": detail or type(error).__name__}  # fmt: skip
    return _("Het bestand '%(name)s' kan niet gelezen worden (%(detail)s).") % {
        "name": name, "detail": detail or type(error).__name__}  # fmt: skip
