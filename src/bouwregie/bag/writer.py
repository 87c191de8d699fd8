"""Writes LV-BAG 2.0 extract XML exactly as Kadaster's (same namespaces, header, element order and layout as
the Doesburg sample in shared/data/bag), from plain `lvbag.Voorkomen` records: for hand-made test extracts
and the benchmark's synthetic million-VBO extract. Nothing here is used when loading real data."""

from collections.abc import Iterable
from xml.sax.saxutils import escape

NAMESPACES = (
    'xmlns:DatatypenNEN3610="www.kadaster.nl/schemas/lvbag/imbag/datatypennen3610/v20200601" '
    'xmlns:Objecten="www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601" '
    'xmlns:gml="http://www.opengis.net/gml/3.2" '
    'xmlns:Historie="www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601" '
    'xmlns:Objecten-ref="www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601" '
    'xmlns:nen5825="www.kadaster.nl/schemas/lvbag/imbag/nen5825/v20200601" '
    'xmlns:KenmerkInOnderzoek="www.kadaster.nl/schemas/lvbag/imbag/kenmerkinonderzoek/v20200601" '
    'xmlns:selecties-extract="http://www.kadaster.nl/schemas/lvbag/extract-selecties/v20200601" '
    'xmlns:sl-bag-extract="http://www.kadaster.nl/schemas/lvbag/extract-deelbestand-lvc/v20200601" '
    'xmlns:sl="http://www.kadaster.nl/schemas/standlevering-generiek/1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema"'
)


def header(object_type: str, stand: str, gemeenten: Iterable[str] = ("0221",), gebied: str = "GEMEENTE") -> str:
    """The start of one part up to the first object (an NL extract: gebied "NL", no gemeenten)."""
    if gemeenten:
        codes = "".join(
            "<selecties-extract:Gemeente><selecties-extract:GemeenteIdentificatie>"
            f"{code}</selecties-extract:GemeenteIdentificatie></selecties-extract:Gemeente>"
            for code in gemeenten
        )
        area = (f"<selecties-extract:Gebied-Registratief><selecties-extract:Gebied-GEM><selecties-extract:"
                f"GemeenteCollectie>{codes}</selecties-extract:GemeenteCollectie></selecties-extract:Gebied-GEM>"
                "</selecties-extract:Gebied-Registratief>")  # fmt: skip
    else:
        area = (
            "<selecties-extract:Gebied-Registratief><selecties-extract:Gebied-NLD/>"
            "</selecties-extract:Gebied-Registratief>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sl-bag-extract:bagStand {NAMESPACES}>\n'
        f"    <sl-bag-extract:bagInfo>{area}<selecties-extract:LVC-Extract><selecties-extract:StandTechnischeDatum>"
        f"{stand}</selecties-extract:StandTechnischeDatum></selecties-extract:LVC-Extract></sl-bag-extract:bagInfo>\n"
        f"    <sl:standBestand><sl:dataset>LVBAG</sl:dataset><sl:inhoud><sl:gebied>{gebied}</sl:gebied>"
        f"<sl:leveringsId>0000000001</sl:leveringsId><sl:objectTypen><sl:objectType>{object_type}</sl:objectType>"
        "</sl:objectTypen></sl:inhoud>\n"
    )


FOOTER = "    </sl:standBestand>\n</sl-bag-extract:bagStand>\n"
I5, I6, I7, I8 = " " * 20, " " * 24, " " * 28, " " * 32  # Kadaster's indentation


def _history(v) -> str:
    parts = [f"<Historie:voorkomenidentificatie>{v.voorkomen}</Historie:voorkomenidentificatie>\n"
             f"{I7}<Historie:beginGeldigheid>{v.begin}</Historie:beginGeldigheid>\n"]  # fmt: skip
    if v.eind:
        parts.append(f"{I7}<Historie:eindGeldigheid>{v.eind}</Historie:eindGeldigheid>\n")
    parts.append(f"{I7}<Historie:tijdstipRegistratie>{v.registratie or v.begin + 'T09:00:00.000'}"
                 "</Historie:tijdstipRegistratie>\n")  # fmt: skip
    if v.eind_registratie:
        parts.append(f"{I7}<Historie:eindRegistratie>{v.eind_registratie}"
                     "</Historie:eindRegistratie>\n")  # fmt: skip
    if v.inactief:
        parts.append(f"{I7}<Historie:tijdstipInactief>{v.inactief}</Historie:tijdstipInactief>\n")
    available = v.registratie or v.begin + "T09:00:01.000"
    parts.append(f"{I7}<Historie:BeschikbaarLV>\n{I8}<Historie:tijdstipRegistratieLV>{available}"
                 f"</Historie:tijdstipRegistratieLV>\n{I7}</Historie:BeschikbaarLV>\n")  # fmt: skip
    return ("                    <Objecten:voorkomen>\n                        <Historie:Voorkomen>\n"
            "                            " + "".join(parts)
            + "                        </Historie:Voorkomen>\n                    </Objecten:voorkomen>\n")  # fmt: skip


def _document(v) -> str:
    return (f"                    <Objecten:status>{escape(v.status)}</Objecten:status>\n"
            "                    <Objecten:geconstateerd>N</Objecten:geconstateerd>\n"
            f"                    <Objecten:documentdatum>{v.documentdatum or v.begin}</Objecten:documentdatum>\n"
            f"                    <Objecten:documentnummer>{escape(v.documentnummer or 'D' + v.begin)}"
            "</Objecten:documentnummer>\n")  # fmt: skip


def pand(v, square: tuple[float, float] = (206000.0, 447000.0)) -> str:
    """One Pand voorkomen (a 10 m square footprint at `square`)."""
    x, y = square
    ring = " ".join(f"{a:.3f} {b:.3f} 0.0" for a, b in ((x, y), (x + 10, y), (x + 10, y + 10), (x, y + 10), (x, y)))
    return (
        "        <sl:stand>\n            <sl-bag-extract:bagObject>\n                <Objecten:Pand>\n"
        f'{I5}<Objecten:identificatie domein="NL.IMBAG.Pand">{v.identificatie}</Objecten:identificatie>\n'
        "                    <Objecten:geometrie>\n"
        f'                        <gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" srsDimension="3" '
        f'gml:id="PND_{v.identificatie}_{v.voorkomen}">\n'
        "                            <gml:exterior><gml:LinearRing>\n"
        f'                                <gml:posList count="5">{ring}</gml:posList>\n'
        "                            </gml:LinearRing></gml:exterior>\n                        </gml:Polygon>\n"
        "                    </Objecten:geometrie>\n"
        f"                    <Objecten:oorspronkelijkBouwjaar>{v.bouwjaar or 9999}</Objecten:oorspronkelijkBouwjaar>\n"
        + _document(v) + _history(v)
        + "                </Objecten:Pand>\n            </sl-bag-extract:bagObject>\n        </sl:stand>\n"
    )  # fmt: skip


def verblijfsobject(v) -> str:
    """One Verblijfsobject voorkomen (point geometry, as almost all are)."""
    hoofd = v.hoofdadres or "0221200000" + v.identificatie[-6:]
    doelen = "".join(f"                    <Objecten:gebruiksdoel>{escape(d)}</Objecten:gebruiksdoel>\n"
                     for d in v.gebruiksdoelen)  # fmt: skip
    panden = "".join(f'{I6}<Objecten-ref:PandRef domein="NL.IMBAG.Pand">{p}</Objecten-ref:PandRef>\n'
                     for p in v.pand_ids)  # fmt: skip
    return (
        "        <sl:stand>\n            <sl-bag-extract:bagObject>\n                <Objecten:Verblijfsobject>\n"
        "                    <Objecten:heeftAlsHoofdadres>\n"
        f'                        <Objecten-ref:NummeraanduidingRef domein="NL.IMBAG.Nummeraanduiding">{hoofd}'
        "</Objecten-ref:NummeraanduidingRef>\n                    </Objecten:heeftAlsHoofdadres>\n"
        + _history(v)
        + f'                    <Objecten:identificatie domein="NL.IMBAG.Verblijfsobject">{v.identificatie}'
        "</Objecten:identificatie>\n                    <Objecten:geometrie>\n                        <Objecten:punt>\n"
        f'                            <gml:Point srsName="urn:ogc:def:crs:EPSG::28992" srsDimension="3" '
        f'gml:id="VBO_{v.identificatie}_{v.voorkomen}">\n'
        f"                                <gml:pos>{v.x:.3f} {v.y:.3f} 0.0</gml:pos>\n"
        "                            </gml:Point>\n                        </Objecten:punt>\n"
        "                    </Objecten:geometrie>\n" + doelen
        + f"                    <Objecten:oppervlakte>{v.oppervlakte or 80}</Objecten:oppervlakte>\n"
        + _document(v)
        + "                    <Objecten:maaktDeelUitVan>\n" + panden
        + "                    </Objecten:maaktDeelUitVan>\n                </Objecten:Verblijfsobject>\n"
        "            </sl-bag-extract:bagObject>\n        </sl:stand>\n"
    )  # fmt: skip


def part(object_type: str, voorkomens: Iterable, stand: str, gemeenten=("0221",), gebied="GEMEENTE") -> str:
    """A whole part (XML text) holding `voorkomens` (all of `object_type`, sorted by identificatie)."""
    render = pand if object_type == "PND" else verblijfsobject
    return header(object_type, stand, gemeenten, gebied) + "".join(render(v) for v in voorkomens) + FOOTER
