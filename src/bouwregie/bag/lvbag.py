"""Streaming reader of LV-BAG 2.0 extracts (Kadaster, "BAG 2.0 Extract", XML schema
BagvsExtractDeelbestandExtractLvc-2.1.0): every voorkomen of every Pand, Verblijfsobject and Nummeraanduiding.

Accepted inputs, read without unpacking anything to disk:
- one XML part (`0221VBO15092020-000001.xml`);
- a per-municipality zip of XML parts (`0221PND15092020.zip`);
- the national package, a zip of per-object-type zips (`lvbag-extract-nl.zip` holding `9999VBO08102020.zip`).
  Inner zips stored without compression are opened in place; compressed ones are read front to back from
  their local headers (`_stream_zip`), because seeking backwards in a compressed member means decompressing
  it again from its start, once per part.

lxml's `iterparse` is told which elements to report (the objects and the few header elements); each object
is turned into plain `Voorkomen` records and then cleared together with the `sl:stand` elements before it,
so memory stays flat however large the file. XML safety as defusedxml gives it: no entity is resolved, no
DTD loaded, nothing fetched from the network, and a document with a DOCTYPE is refused outright (LV-BAG
files never have one).

Element names follow the LV-BAG 2.0 XSDs (namespaces `www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601`
and `.../historie/v20200601`): `Objecten:identificatie`, `Objecten:status`, `Objecten:voorkomen/
Historie:Voorkomen` (voorkomenidentificatie, beginGeldigheid, eindGeldigheid, tijdstipRegistratie,
eindRegistratie, tijdstipInactief), `Objecten:documentdatum`, `Objecten:documentnummer`; Pand
`oorspronkelijkBouwjaar` (9999 = unknown); Verblijfsobject `gebruiksdoel` (repeated), `oppervlakte`,
`maaktDeelUitVan/PandRef` (repeated), `heeftAlsHoofdadres/NummeraanduidingRef`, `geometrie/punt/gml:Point`
or `geometrie/vlak/gml:Polygon`; Nummeraanduiding `huisnummer`, `huisletter`, `huisnummertoevoeging`,
`postcode`.
"""

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

OBJ = "{www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601}"
HIST = "{www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601}"
REF = "{www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601}"
GML = "{http://www.opengis.net/gml/3.2}"
SEL = "{http://www.kadaster.nl/schemas/lvbag/extract-selecties/v20200601}"
SL = "{http://www.kadaster.nl/schemas/standlevering-generiek/1.0}"

TYPES = {OBJ + "Pand": "PND", OBJ + "Verblijfsobject": "VBO", OBJ + "Nummeraanduiding": "NUM"}
_HEADER = {SEL + "StandTechnischeDatum": "stand", SEL + "GemeenteIdentificatie": "gemeente",
           SL + "gebied": "gebied", SL + "objectType": "object_type"}  # fmt: skip
# Object types we read; the others in a national package (LIG, STA, OPR, WPL) are skipped unopened.
READ_TYPES = ("PND", "VBO", "NUM")
# 0221PND15092020.zip, 0221VBO15092020-000001.xml, 9999VBO08102020.zip: gemeente (9999 = NL), type, date.
PART_NAME = re.compile(r"(?P<area>\d{4})(?P<type>[A-Z]{3})(?P<date>\d{8})(?:-\d+)?\.(?:xml|zip)$", re.IGNORECASE)
UNKNOWN_BOUWJAAR = 9999  # Catalogus BAG 2018, oorspronkelijk bouwjaar: 9999 when the year is not known
NAMESPACE_HINT = b"www.kadaster.nl/schemas/lvbag"
CLEAR_EVERY = 256


class BagFileError(ValueError):
    """A file that is not a readable LV-BAG extract; the message names the file, the line and the value."""


@dataclass(slots=True)
class Voorkomen:
    """One voorkomen of one BAG object, as in the file (dates as ISO text, registration timestamps verbatim)."""

    object_type: str
    identificatie: str
    voorkomen: int
    status: str
    begin: str
    eind: str | None = None
    registratie: str = ""
    eind_registratie: str = ""
    inactief: str = ""
    documentdatum: str | None = None
    documentnummer: str = ""
    bouwjaar: int | None = None
    gebruiksdoelen: tuple = ()
    oppervlakte: int | None = None
    pand_ids: tuple = ()
    hoofdadres: str = ""
    x: float | None = None
    y: float | None = None
    postcode: str = ""
    huisnummer: int | None = None
    huisletter: str = ""
    toevoeging: str = ""
    regel: int | None = None  # the element's line in its part, for error messages


@dataclass
class Header:
    """The `bagInfo`/`standBestand` header of one XML part."""

    stand: str | None = None
    gemeenten: list = field(default_factory=list)
    gebied: str = ""
    object_types: list = field(default_factory=list)


def is_bag_file(path) -> bool:
    """Whether `path` looks like an LV-BAG extract (XML part, zip of parts or national package), judged by
    part names and the LV-BAG namespace in the first bytes; nothing is parsed."""
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
            return any(PART_NAME.search(n.rsplit("/", 1)[-1]) for n in names) or any(
                "lvbag" in n.lower() for n in names
            )
        with open(path, "rb") as handle:
            return NAMESPACE_HINT in handle.read(8192)
    except OSError:
        return False


def _part_type(name: str) -> str | None:
    match = PART_NAME.search(name.rsplit("/", 1)[-1])
    return match["type"].upper() if match else None


_ORDER = {"PND": 0, "VBO": 1, "NUM": 2}


def _ordered(names: list[str]) -> list[str]:
    """Parts in reading order: panden before verblijfsobjecten (whose derivation needs them), then addresses;
    within a type, by name (the parts' own numbering)."""
    return sorted(names, key=lambda n: (_ORDER.get(_part_type(n) or "", 9), n))


def parts(path) -> Iterator[tuple[str, object]]:
    """Every XML part in `path` as (display name, binary file object), in reading order; nested zips are read
    in place. Parts of other object types than PND/VBO/NUM are skipped."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as handle:
            if handle.read(4) == b"PK\x03\x04" or path.suffix.lower() == ".zip":
                raise BagFileError(
                    _("Het bestand '%(name)s' is beschadigd: het is geen volledig zip-bestand (de inhoudsopgave aan "
                      "het eind ontbreekt; is de download afgebroken?). Er is niets geladen.") % {"name": path.name}
                )  # fmt: skip
            handle.seek(0)
            yield path.name, handle
        return
    try:
        with zipfile.ZipFile(path) as archive:
            yield from _zip_parts(archive, path.name)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise BagFileError(
            _("Het bestand '%(name)s' is beschadigd: het (ingepakte) bestand is onvolledig of ongeldig (%(detail)s).")
            % {"name": path.name, "detail": error}
        ) from None


def _wanted(name: str) -> bool:
    kind = _part_type(name)
    return kind is None or kind in READ_TYPES


def _zip_parts(archive: zipfile.ZipFile, label: str) -> Iterator[tuple[str, object]]:
    names = [i.filename for i in archive.infolist() if not i.is_dir() and _wanted(i.filename)]
    for name in _ordered(names):
        shown = f"{label} › {name}"
        lower = name.lower()
        if lower.endswith(".zip"):
            info = archive.getinfo(name)
            with archive.open(info) as inner:
                if info.compress_type == zipfile.ZIP_STORED:
                    with zipfile.ZipFile(inner) as nested:
                        yield from _zip_parts(nested, shown)
                else:
                    yield from _stream_zip(inner, shown)
        elif lower.endswith(".xml"):
            with archive.open(name) as handle:
                yield shown, handle


_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_AFTER_MEMBERS = (b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06", b"")  # central directory, end records
_NEXT = (_LOCAL_SIGNATURE, *_AFTER_MEMBERS[:3])


class _Inflating:
    """A read()-able view of one deflated zip member inside a forward-only stream; leftover bytes after the
    member's end are kept for the next header."""

    def __init__(self, stream, pending: bytes):
        self.stream, self.pending = stream, pending
        self.inflater = zlib.decompressobj(-15)
        self.buffer = b""

    def read(self, size: int = -1) -> bytes:
        while not self.inflater.eof and (size < 0 or len(self.buffer) < size):
            chunk = self.pending or self.stream.read(1 << 20)
            self.pending = b""
            if not chunk:
                raise zipfile.BadZipFile(_("ingepakt deel eindigt te vroeg"))
            self.buffer += self.inflater.decompress(chunk)
        if size < 0:
            out, self.buffer = self.buffer, b""
        else:
            out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out

    def rest(self) -> bytes:
        """Bytes after the member: the data descriptor (if any) and what follows."""
        while not self.inflater.eof:
            self.read(1 << 20)
        return self.inflater.unused_data


def _stream_zip(stream, label: str) -> Iterator[tuple[str, object]]:
    """The XML members of a zip read front to back (a compressed member of an outer zip cannot seek cheaply).
    Deflated members are inflated to their end marker, so members with a data descriptor (general purpose
    bit 3, as in Kadaster's own zips) are fine; stored members need their size in the local header."""
    pending = b""

    def take(n: int) -> bytes:
        nonlocal pending
        while len(pending) < n:
            chunk = stream.read(max(n - len(pending), 1 << 16))
            if not chunk:
                break
            pending += chunk
        out, pending = pending[:n], pending[n:]
        return out

    while True:
        head = take(4)
        if head in _AFTER_MEMBERS:
            return  # central directory or end record: every member has been read
        if head != _LOCAL_SIGNATURE:
            raise zipfile.BadZipFile(_("onverwachte gegevens na een deel van %(name)s") % {"name": label})
        fixed = head + take(_LOCAL.size - 4)
        if len(fixed) < _LOCAL.size:
            raise zipfile.BadZipFile(_("onvolledige kop in %(name)s") % {"name": label})
        _sig, _ver, flags, method, _t, _d, _crc, size, _usize, name_len, extra_len = _LOCAL.unpack(fixed)
        name = take(name_len).decode("utf-8" if flags & 0x800 else "cp437")
        take(extra_len)
        shown = f"{label} › {name}"
        if method == zipfile.ZIP_DEFLATED:
            member = _Inflating(stream, pending)
            pending = b""
            if name.lower().endswith(".xml") and _wanted(name):
                yield shown, member
            pending = member.rest() + member.pending
        elif method == zipfile.ZIP_STORED and not flags & 0x08:
            data = take(size)  # a stored part in a compressed zip: read whole (rare; parts are deflated)
            if name.lower().endswith(".xml") and _wanted(name):
                yield shown, io.BytesIO(data)
        else:
            raise zipfile.BadZipFile(_("niet ondersteunde compressie in %(name)s") % {"name": shown})
        if flags & 0x08:  # data descriptor: optional signature, crc, then sizes of 4 bytes (8 in zip64)
            if take(4) == b"PK\x07\x08":
                take(4)
            while len(pending) < 20:
                chunk = stream.read(1 << 16)
                if not chunk:
                    break
                pending += chunk
            size = 8 if pending[8:12] in _NEXT else 16 if pending[16:20] in _NEXT else None
            if size is None:
                raise zipfile.BadZipFile(_("onverwachte gegevens na een deel van %(name)s") % {"name": label})
            take(size)


def read(path, *, types=READ_TYPES) -> Iterator[tuple[str, Header, list[Voorkomen]]]:
    """Stream (part name, header, voorkomens of one object element) over every part of `path`.

    One object element of the extract holds one voorkomen; consecutive elements with the same identificatie
    are the object's history (the extract is sorted by identificatie)."""
    for name, handle in parts(path):
        yield from read_part(handle, name, types=types)


def _fail(name: str, line, text: str) -> BagFileError:
    return BagFileError(
        _("%(name)s, regel %(line)s: %(problem)s") % {"name": name, "line": line if line else "?", "problem": text}
    )


def read_part(handle, name: str, *, types=READ_TYPES) -> Iterator[tuple[str, Header, list[Voorkomen]]]:
    """As `read`, for one XML part (binary file object `handle`, shown to users as `name`)."""
    wanted = [tag for tag, kind in TYPES.items() if kind in types]
    context = etree.iterparse(handle, events=("end",), tag=[*wanted, *_HEADER], resolve_entities=False,
                              no_network=True, load_dtd=False, huge_tree=True, remove_comments=True)  # fmt: skip
    header = Header()
    checked = False
    seen, bestand = 0, None
    try:
        for _event, element in context:
            if not checked:
                checked = True
                if element.getroottree().docinfo.doctype:
                    raise _fail(name, 1, _("het bestand bevat een DOCTYPE-declaratie; LV-BAG-bestanden hebben die "
                                           "niet en om veiligheidsredenen lezen we die niet."))  # fmt: skip
            tag = element.tag
            kind = TYPES.get(tag)
            if kind is None:
                key = _HEADER[tag]
                text = (element.text or "").strip()
                if key == "stand":
                    _date(text, name, element, "StandTechnischeDatum")
                    header.stand = text
                elif key == "gemeente":
                    header.gemeenten.append(text)
                elif key == "gebied":
                    header.gebied = text
                else:
                    header.object_types.append(text)
                continue
            record = _object(kind, element, name)
            # Free what was read: iterparse keeps the tree it built so far. Every CLEAR_EVERY objects, all
            # sl:stand elements before the current one go at once (one call, not one per object).
            seen += 1
            if seen % CLEAR_EVERY == 0 or bestand is None:
                stand = element.getparent()
                stand = stand.getparent() if stand is not None else None
                bestand = stand.getparent() if stand is not None else None
                if bestand is not None:
                    del bestand[: bestand.index(stand)]
            yield name, header, record
    except etree.XMLSyntaxError as error:
        _check_crc(handle, name)  # a zip member damaged in transport: say so, not 'invalid XML' at a garbled line
        line = error.lineno or (error.position[0] if error.position else None)
        raise _fail(name, line, _("ongeldige XML (%(detail)s).") % {"detail": error.msg}) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise BagFileError(
            _("Het bestand '%(name)s' is beschadigd: het (ingepakte) bestand is onvolledig of ongeldig (%(detail)s).")
            % {"name": name, "detail": error}
        ) from None


def _check_crc(handle, name: str) -> None:
    """Read a zip member to its end, where zipfile compares its CRC-32; a mismatch is a damaged file."""
    if not isinstance(handle, zipfile.ZipExtFile):
        return
    try:
        while handle.read(1 << 20):
            pass
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise BagFileError(
            _("Het bestand '%(name)s' is beschadigd: het (ingepakte) bestand is onvolledig of ongeldig (%(detail)s).")
            % {"name": name, "detail": error}
        ) from None


def _date(text: str, name: str, element, what: str) -> str:
    try:
        date.fromisoformat(text)
    except ValueError:
        raise _fail(name, element.sourceline,
                    _("%(element)s '%(value)s' is geen datum (JJJJ-MM-DD).") % {"element": what, "value": text}
                    ) from None  # fmt: skip
    if len(text) != 10:
        raise _fail(
            name,
            element.sourceline,
            _("%(element)s '%(value)s' is geen datum (JJJJ-MM-DD).") % {"element": what, "value": text},
        )
    return text


_I = OBJ + "identificatie"
_STATUS = OBJ + "status"
_VOORKOMEN = OBJ + "voorkomen"
_DOCDATUM = OBJ + "documentdatum"
_DOCNR = OBJ + "documentnummer"
_BOUWJAAR = OBJ + "oorspronkelijkBouwjaar"
_DOEL = OBJ + "gebruiksdoel"
_OPP = OBJ + "oppervlakte"
_DEEL = OBJ + "maaktDeelUitVan"
_HOOFD = OBJ + "heeftAlsHoofdadres"
_GEO = OBJ + "geometrie"
_POSTCODE = OBJ + "postcode"
_HUISNR = OBJ + "huisnummer"
_LETTER = OBJ + "huisletter"
_TOEV = OBJ + "huisnummertoevoeging"
_H_ID = HIST + "voorkomenidentificatie"
_H_BEGIN = HIST + "beginGeldigheid"
_H_EIND = HIST + "eindGeldigheid"
_H_REG = HIST + "tijdstipRegistratie"
_H_EINDREG = HIST + "eindRegistratie"
_H_INACTIEF = HIST + "tijdstipInactief"
_POS = GML + "pos"
_POINT = GML + "Point"
_POSLIST = GML + "posList"


_TEXT = {_I: "identificatie", _STATUS: "status", _DOCNR: "documentnummer", _POSTCODE: "postcode",
         _LETTER: "huisletter", _TOEV: "toevoeging", _H_REG: "registratie", _H_EINDREG: "eind_registratie",
         _H_INACTIEF: "inactief"}  # fmt: skip
_DATES = {_H_BEGIN: "begin", _H_EIND: "eind", _DOCDATUM: "documentdatum"}
_INTS = {_H_ID: "voorkomen", _OPP: "oppervlakte", _HUISNR: "huisnummer", _BOUWJAAR: "bouwjaar"}
_XML_NAMES = {_H_ID: "voorkomenidentificatie", _H_BEGIN: "beginGeldigheid", _H_EIND: "eindGeldigheid",
              _DOCDATUM: "documentdatum", _OPP: "oppervlakte", _HUISNR: "huisnummer",
              _BOUWJAAR: "oorspronkelijkBouwjaar"}  # fmt: skip


def _object(kind: str, element, name: str) -> Voorkomen:
    """The voorkomen in one object element; a missing or malformed required value is an error naming the
    file, line and value. Direct children and the Historie:Voorkomen's children only: no Python object is made
    for the rest of the tree (that is what costs)."""
    values = {}
    doelen, panden = [], []
    for child in element:
        tag = child.tag
        if tag == _VOORKOMEN:
            for history in child:
                for sub in history:
                    _value(sub, sub.tag, values, name)
        elif tag == _DOEL:
            doelen.append((child.text or "").strip())
        elif tag == _DEEL:
            panden.extend((ref.text or "").strip() for ref in child)
        elif tag == _HOOFD:
            for ref in child:
                values["hoofdadres"] = (ref.text or "").strip()
        elif tag == _GEO:
            if kind == "VBO":
                values["x"], values["y"] = _point(child, name)
        else:
            _value(child, tag, values, name)
    if values.get("bouwjaar") == UNKNOWN_BOUWJAAR:
        values["bouwjaar"] = None
    identificatie = values.get("identificatie", "")
    if len(identificatie) != 16 or not identificatie.isdigit():
        raise _fail(name, element.sourceline, _("identificatie '%(value)s' is geen BAG-identificatie van 16 cijfers.")
                    % {"value": identificatie})  # fmt: skip
    for key, label in (("voorkomen", "voorkomenidentificatie"), ("begin", "beginGeldigheid"), ("status", "status")):
        if not values.get(key):
            raise _fail(name, element.sourceline, _("object %(id)s mist %(element)s.")
                        % {"id": identificatie, "element": label})  # fmt: skip
    if doelen:
        values["gebruiksdoelen"] = tuple(doelen)
    if panden:
        values["pand_ids"] = tuple(panden)
    return Voorkomen(object_type=kind, regel=element.sourceline, **values)


_fromiso = date.fromisoformat


def _value(element, tag: str, values: dict, name: str) -> None:
    """One leaf value into `values` (text as is; dates checked; whole numbers as int)."""
    key = _TEXT.get(tag)
    if key is not None:
        values[key] = (element.text or "").strip()
        return
    key = _DATES.get(tag)
    if key is not None:
        text = (element.text or "").strip()
        try:
            _fromiso(text)
            if len(text) != 10:
                raise ValueError(text)
        except ValueError:
            raise _fail(name, element.sourceline, _("%(element)s '%(value)s' is geen datum (JJJJ-MM-DD).")
                        % {"element": _XML_NAMES[tag], "value": text}) from None  # fmt: skip
        values[key] = text
        return
    key = _INTS.get(tag)
    if key is not None:
        text = (element.text or "").strip()
        if not text.isdigit():
            raise _fail(name, element.sourceline, _("%(element)s '%(value)s' is geen geheel getal.")
                        % {"element": _XML_NAMES[tag], "value": text})  # fmt: skip
        values[key] = int(text)


def _point(geometrie, name: str) -> tuple[float | None, float | None]:
    """The RD point of a verblijfsobject: its gml:pos, or, for a VBO registered as a surface (vlak), a point
    guaranteed inside that polygon (shapely's representative point)."""
    for wrapper in geometrie:  # Objecten:punt or Objecten:vlak
        for shape in wrapper:
            if shape.tag == _POINT:
                for pos in shape:
                    if pos.tag == _POS:
                        numbers = (pos.text or "").split()
                        try:
                            return float(numbers[0]), float(numbers[1])
                        except (ValueError, IndexError):
                            raise _fail(name, pos.sourceline, _("coördinaten '%(value)s' zijn geen getallen.")
                                        % {"value": " ".join(numbers)[:60]}) from None  # fmt: skip
            else:
                return _surface_point(shape, name)
    return None, None


def _surface_point(shape, name: str) -> tuple[float | None, float | None]:
    from shapely.geometry import Polygon

    for element in shape.iter(_POSLIST):
        dimension = next((int(e.get("srsDimension")) for e in element.iterancestors() if e.get("srsDimension")), 3)
        dimension = int(element.get("srsDimension") or dimension)
        try:
            values = [float(v) for v in (element.text or "").split()]
        except ValueError:
            raise _fail(name, element.sourceline, _("coördinaten '%(value)s' zijn geen getallen.")
                        % {"value": (element.text or "").strip()[:60]}) from None  # fmt: skip
        if len(values) >= 3 * dimension:
            ring = [(values[i], values[i + 1]) for i in range(0, len(values) - dimension + 1, dimension)]
            point = Polygon(ring).representative_point()
            return point.x, point.y
    return None, None
