"""BAG extracts (issue #18): the streaming LV-BAG reader on the real Doesburg extract (shared/data/bag, counts
from its SOURCE.md), every voorkomen stored, woning events derived by hand, loads all-or-nothing and once."""

import io
import shutil
import zipfile
from collections import Counter
from datetime import date as _date
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.db.models import Count
from hypothesis import given, settings
from hypothesis import strategies as st

from bouwregie.bag import events, importer, lvbag, queries, store, writer
from bouwregie.bag.lvbag import Voorkomen
from bouwregie.bag.models import BagExtract, BagVoorkomen, BagWoning
from tests.test_cli_end_to_end import bouwregie, environment  # noqa: F401 (the fixture)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "bag"
if not DATA.exists():
    DATA = Path("/work/shared/data/bag")
PND_ZIP = DATA / "0221PND15092020.zip"
VBO_XML = DATA / "0221VBO15092020-000001.xml"

# SOURCE.md: status counts over all voorkomens of all Doesburg panden.
DOESBURG_PAND_STATUSES = {
    "Pand in gebruik": 11_191, "Bouwvergunning verleend": 562, "Bouw gestart": 222, "Pand gesloopt": 389,
    "Sloopvergunning verleend": 255, "Pand in gebruik (niet ingemeten)": 451, "Verbouwing pand": 15,
    "Niet gerealiseerd pand": 12, "Pand ten onrechte opgevoerd": 1,
}  # fmt: skip


def vbo(ident, number, status, begin, eind=None, doel="woonfunctie", pand="0221100000311520", inactief=""):
    return Voorkomen("VBO", ident, number, status, begin, eind, inactief=inactief,
                     gebruiksdoelen=(doel,), pand_ids=(pand,), x=206300.0 + number, y=447500.0)  # fmt: skip


def pnd(ident, number, status, begin, eind=None, inactief=""):
    return Voorkomen("PND", ident, number, status, begin, eind, inactief=inactief)


# Hand-made verblijfsobjecten in real Doesburg panden (histories of those panden in the comments, as read from
# 0221PND15092020.zip by test_pand_histories).
HAND_MADE = [
    # A: pand 311520 Bouwvergunning 2009-05-19, Bouw gestart 2011-05-25, in gebruik (niet ingemeten) 2011-11-15
    vbo("0221010000900001", 1, "Verblijfsobject gevormd", "2009-05-19", "2011-11-15", pand="0221100000311520"),
    vbo("0221010000900001", 2, "Verblijfsobject in gebruik (niet ingemeten)", "2011-11-15", "2015-10-05",
        pand="0221100000311520"),
    vbo("0221010000900001", 3, "Verblijfsobject in gebruik", "2015-10-05", pand="0221100000311520"),
    # B: pand 311549 Bouwvergunning 2010-01-20, Niet gerealiseerd pand 2018-02-12
    vbo("0221010000900002", 1, "Verblijfsobject gevormd", "2010-01-20", "2018-02-12", pand="0221100000311549"),
    vbo("0221010000900002", 2, "Niet gerealiseerd verblijfsobject", "2018-02-12", pand="0221100000311549"),
    # C: pand 330288 Bouwvergunning 2012-02-28, Bouw gestart 2012-08-22, in gebruik (n.i.) 2013-04-23,
    # gesloopt 2017-07-31; voorkomen 4 was withdrawn by a correction (tijdstipInactief) and must not count.
    vbo("0221010000900003", 1, "Verblijfsobject gevormd", "2012-02-28", "2013-04-23", pand="0221100000330288"),
    vbo("0221010000900003", 2, "Verblijfsobject in gebruik", "2013-04-23", "2017-07-31", pand="0221100000330288"),
    vbo("0221010000900003", 3, "Verblijfsobject ingetrokken", "2017-07-31", pand="0221100000330288"),
    vbo("0221010000900003", 4, "Verblijfsobject in gebruik", "2012-12-01", "2013-04-23", pand="0221100000330288",
        inactief="2013-05-01T10:00:00.000"),
    # D: pand 318331 ends "Pand ten onrechte opgevoerd" (2019-12-14)
    vbo("0221010000900004", 1, "Verblijfsobject in gebruik", "2010-09-28", pand="0221100000318331"),
    # E: transformation in pand 312938 (in use since 1995-01-18): office, rebuilt, a home from 2019-01-10
    vbo("0221010000900005", 1, "Verblijfsobject in gebruik", "2011-09-06", "2018-03-01", doel="kantoorfunctie",
        pand="0221100000312938"),
    vbo("0221010000900005", 2, "Verbouwing verblijfsobject", "2018-03-01", "2019-01-10", pand="0221100000312938"),
    vbo("0221010000900005", 3, "Verblijfsobject in gebruik", "2019-01-10", pand="0221100000312938"),
]  # fmt: skip


def write_vbo_part(path: Path, voorkomens, stand="2020-09-15", gemeenten=("0221",), gebied="GEMEENTE") -> Path:
    path.write_text(writer.part("VBO", voorkomens, stand, gemeenten, gebied), encoding="utf-8")
    return path


# -- the reader, without a database --------------------------------------------------------------------------
def test_doesburg_pand_status_counts_as_in_source_md():
    statuses = Counter(v.status for _part, _header, v in lvbag.read(PND_ZIP))
    assert dict(statuses) == DOESBURG_PAND_STATUSES


def test_pand_histories():
    history = {}
    for _part, header, v in lvbag.read(PND_ZIP):  # noqa: B007 (the last header is checked)
        if v.identificatie in ("0221100000311520", "0221100000330288", "0221100000318331"):
            history.setdefault(v.identificatie, []).append((v.voorkomen, v.status, v.begin, v.eind, v.bouwjaar))
    assert header.stand == "2020-09-15" and header.gemeenten == ["0221"] and header.object_types == ["PND"]
    assert history["0221100000311520"] == [
        (1, "Bouwvergunning verleend", "2009-05-19", "2011-05-25", 2011),
        (2, "Bouw gestart", "2011-05-25", "2011-11-15", 2011),
        (3, "Pand in gebruik (niet ingemeten)", "2011-11-15", "2015-10-05", 2011),
        (4, "Pand in gebruik", "2015-10-05", None, 2011),
    ]
    assert history["0221100000330288"] == [
        (1, "Bouwvergunning verleend", "2012-02-28", "2012-08-22", 2012),
        (2, "Bouw gestart", "2012-08-22", "2013-04-23", 2012),
        (3, "Pand in gebruik (niet ingemeten)", "2013-04-23", "2015-08-27", 2013),
        (4, "Pand in gebruik", "2015-08-27", "2017-07-31", 2013),
        (5, "Pand gesloopt", "2017-07-31", None, 2013),
    ]
    # oorspronkelijkBouwjaar 9999 (unknown) in the first voorkomen → None
    assert history["0221100000318331"][0] == (1, "Pand in gebruik", "2010-09-28", "2011-09-06", None)
    assert history["0221100000318331"][-1][1] == "Pand ten onrechte opgevoerd"


def test_verblijfsobject_sample_fields():
    records = [v for _p, _h, v in lvbag.read(VBO_XML)]
    assert [(v.identificatie, v.voorkomen, v.status) for v in records] == [
        ("0221010000330226", 1, "Verblijfsobject in gebruik"),
        ("0221010000330226", 2, "Verblijfsobject in gebruik"),
        ("0221010000330226", 3, "Verblijfsobject in gebruik (niet ingemeten)"),
        ("0221010000330226", 4, "Verbouwing verblijfsobject"),
        ("0221010000330999", 1, "Verblijfsobject in gebruik"),
    ]
    first = records[0]
    assert (first.begin, first.eind, first.registratie, first.eind_registratie) == (
        "2011-09-06",
        "2019-01-15",
        "2011-09-06T15:49:09.000",
        "2019-01-15T15:18:40.000",
    )
    assert (first.gebruiksdoelen, first.oppervlakte, first.pand_ids, first.hoofdadres) == (
        ("woonfunctie",),
        306,
        ("0221100000312938",),
        "0221200000330227",
    )
    assert (first.x, first.y, first.documentdatum, first.documentnummer) == (
        206335.699,
        447529.842,
        "2011-03-08",
        "BAG/PVC2010UP0004",
    )
    assert records[4].gebruiksdoelen == ("overige gebruiksfunctie",)


def test_a_verblijfsobject_registered_as_a_surface_gets_a_point_inside_it(tmp_path):
    text = VBO_XML.read_text(encoding="utf-8")
    square = ("<Objecten:vlak><gml:Polygon srsName=\"urn:ogc:def:crs:EPSG::28992\" srsDimension=\"3\"><gml:exterior>"
              "<gml:LinearRing><gml:posList>100 200 0 110 200 0 110 210 0 100 210 0 100 200 0</gml:posList>"
              "</gml:LinearRing></gml:exterior></gml:Polygon></Objecten:vlak>")  # fmt: skip
    start = text.index("<Objecten:punt>")
    end = text.index("</Objecten:punt>") + len("</Objecten:punt>")
    (tmp_path / "0221VBO15092020-000001.xml").write_text(text[:start] + square + text[end:], encoding="utf-8")
    first = next(lvbag.read(tmp_path / "0221VBO15092020-000001.xml"))[2]
    assert 100 < first.x < 110 and 200 < first.y < 210


class _Unseekable(io.RawIOBase):
    def __init__(self, target):
        self.target = target

    def writable(self):
        return True

    def write(self, data):
        return self.target.write(data)


def test_national_package_with_nested_zips_reads_the_same(tmp_path):
    """lvbag-extract-nl.zip holding a stored per-type zip and a deflated one (read front to back)."""
    inner_pnd = io.BytesIO()
    with zipfile.ZipFile(PND_ZIP) as source, zipfile.ZipFile(inner_pnd, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name.replace("0221", "9999", 1), source.read(name))
    inner_vbo = io.BytesIO()
    # Written to a stream that cannot seek, as Kadaster's own zips: members with a data descriptor (bit 3).
    with zipfile.ZipFile(_Unseekable(inner_vbo), "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("9999VBO15092020-000001.xml", VBO_XML.read_bytes())
        target.writestr("9999VBO15092020-000002.xml", VBO_XML.read_bytes().replace(b"0221010000330", b"0221010000331"))
    assert all(info.flag_bits & 0x08 for info in zipfile.ZipFile(io.BytesIO(inner_vbo.getvalue())).infolist())
    package = tmp_path / "lvbag-extract-nl.zip"
    with zipfile.ZipFile(package, "w") as outer:
        outer.writestr("9999VBO15092020.zip", inner_vbo.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
        outer.writestr("9999PND15092020.zip", inner_pnd.getvalue(), compress_type=zipfile.ZIP_STORED)
        outer.writestr("9999LIG15092020.zip", b"not read")
    assert lvbag.is_bag_file(package)
    seen = Counter()
    names = []
    for part, _header, v in lvbag.read(package):
        seen[(v.object_type, v.status)] += 1
        if not names or names[-1] != part:
            names.append(part)
    assert names == ["lvbag-extract-nl.zip › 9999PND15092020.zip › 9999PND15092020-000001.xml",
                     "lvbag-extract-nl.zip › 9999PND15092020.zip › 9999PND15092020-000002.xml",
                     "lvbag-extract-nl.zip › 9999VBO15092020.zip › 9999VBO15092020-000001.xml",
                     "lvbag-extract-nl.zip › 9999VBO15092020.zip › 9999VBO15092020-000002.xml"]  # fmt: skip
    assert {s: n for (t, s), n in seen.items() if t == "PND"} == DOESBURG_PAND_STATUSES
    assert sum(n for (t, _s), n in seen.items() if t == "VBO") == 10
    # Cut short inside the compressed inner zip: a Dutch error naming the package, never a silent end.
    damaged = tmp_path / "damaged" / "lvbag-extract-nl.zip"
    damaged.parent.mkdir()
    with zipfile.ZipFile(damaged, "w") as outer:
        outer.writestr("9999VBO15092020.zip", inner_vbo.getvalue()[:-900], compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(lvbag.BagFileError, match="lvbag-extract-nl.zip"):
        list(lvbag.read(damaged))


def test_is_bag_file(tmp_path):
    assert lvbag.is_bag_file(PND_ZIP) and lvbag.is_bag_file(VBO_XML)
    other = tmp_path / "81955NED.csv"
    other.write_text("ID;Gebruiksfunctie;RegioS;Perioden\n")
    assert not lvbag.is_bag_file(other)
    assert not lvbag.is_bag_file(tmp_path / "missing.xml")


def test_doctype_is_refused(tmp_path):
    text = VBO_XML.read_text(encoding="utf-8").replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY boom "boom">]>', 1)  # fmt: skip
    bad = tmp_path / "0221VBO15092020-000001.xml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(lvbag.BagFileError, match="DOCTYPE"):
        list(lvbag.read(bad))


# -- events, by hand ------------------------------------------------------------------------------------------
def pand_table():
    groups = {}
    for _p, _h, v in lvbag.read(PND_ZIP):
        groups.setdefault(v.identificatie, []).append(v)
    return {k: events.pand_events(g) for k, g in groups.items()}


def derived(voorkomens, panden):
    by_id = {}
    for v in voorkomens:
        by_id.setdefault(v.identificatie, []).append(v)
    return {k: events.woning(g, panden) for k, g in by_id.items()}


def test_woning_events_by_hand():
    panden = pand_table()
    found = derived(HAND_MADE + [v for _p, _h, v in lvbag.read(VBO_XML)], panden)
    a = found["0221010000900001"]
    # Pand first in use 2011-11-15, the VBO registered 2009-05-19 (before): the pand's permit and start count.
    assert (a.permit_date, a.start_date, a.delivery_date, a.demolition_date, a.not_realised_date, a.origin,
            a.status_now) == ("2009-05-19", "2011-05-25", "2011-11-15", None, None, "nieuwbouw",
                              "Verblijfsobject in gebruik")  # fmt: skip
    b = found["0221010000900002"]
    assert (b.permit_date, b.start_date, b.delivery_date, b.not_realised_date, b.origin, b.status_now) == (
        "2010-01-20",
        None,
        None,
        "2018-02-12",
        "",
        "Niet gerealiseerd verblijfsobject",
    )
    c = found["0221010000900003"]
    # The inactive voorkomen 4 (in gebruik from 2012-12-01) is ignored: delivery is voorkomen 2's begin.
    assert (c.permit_date, c.start_date, c.delivery_date, c.demolition_date, c.origin, c.status_now) == (
        "2012-02-28",
        "2012-08-22",
        "2013-04-23",
        "2017-07-31",
        "nieuwbouw",
        "Verblijfsobject ingetrokken",
    )
    d = found["0221010000900004"]  # its pand was "ten onrechte opgevoerd": no events
    assert (d.permit_date, d.start_date, d.delivery_date, d.origin) == (None, None, None, "")
    e = found["0221010000900005"]
    # Office in a pand in use since 1995; a home (woonfunctie, in gebruik) from 2019-01-10: a transformation,
    # and the pand's own construction (before the VBO existed) is not this home's.
    assert (e.permit_date, e.start_date, e.delivery_date, e.origin) == (None, None, "2019-01-10", "toevoeging")
    real = found["0221010000330226"]
    # The real sample VBO: first registered already in use on 2011-09-06 (the BAG's initial fill), in pand
    # 312938 in use since 1995-01-18 → delivery 2011-09-06 but origin "bestaand", no permit or start.
    assert (real.permit_date, real.start_date, real.delivery_date, real.origin, real.status_now, real.pand_ids) == (
        None,
        None,
        "2011-09-06",
        "bestaand",
        "Verbouwing verblijfsobject",
        ("0221100000312938",),
    )
    assert (real.x, real.y) == (206335.699, 447529.842)
    assert found["0221010000330999"] is None  # overige gebruiksfunctie: not a woning


def test_pand_delivery_when_the_vbo_history_has_no_use():
    panden = {"0221100000311520": events.pand_events([
        pnd("0221100000311520", 1, "Bouwvergunning verleend", "2009-05-19", "2011-05-25"),
        pnd("0221100000311520", 2, "Bouw gestart", "2011-05-25", "2011-11-15"),
        pnd("0221100000311520", 3, "Pand in gebruik", "2011-11-15")])}  # fmt: skip
    lagging = events.woning([vbo("0221010000900009", 1, "Verblijfsobject gevormd", "2009-06-01")], panden)
    assert (lagging.permit_date, lagging.start_date, lagging.delivery_date, lagging.origin) == (
        "2009-05-19",
        "2011-05-25",
        "2011-11-15",
        "nieuwbouw",
    )


def test_wrongly_registered_vbo_has_no_events():
    found = events.woning([
        vbo("0221010000900010", 1, "Verblijfsobject gevormd", "2015-01-01", "2016-01-01"),
        vbo("0221010000900010", 2, "Verblijfsobject in gebruik", "2016-01-01", "2016-06-01"),
        vbo("0221010000900010", 3, "Verblijfsobject ten onrechte opgevoerd", "2016-06-01")], {})  # fmt: skip
    assert (found.delivery_date, found.permit_date, found.status_now) == (
        None,
        None,
        "Verblijfsobject ten onrechte opgevoerd",
    )


# -- storage --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_doesburg_load_keeps_every_voorkomen_and_loads_once():
    report = importer.import_file(PND_ZIP, author="tester")
    extract = BagExtract.objects.get()
    assert (report.extract_id, extract.stand_date.isoformat(), extract.gebied, extract.gemeenten,
            extract.object_types, extract.loaded_by) == (extract.id, "2020-09-15", "GEMEENTE", ["0221"], ["PND"],
                                                         "tester")  # fmt: skip
    stored = dict(BagVoorkomen.objects.filter(object_type="PND").values_list("status").annotate(n=Count("id")))
    assert stored == DOESBURG_PAND_STATUSES
    assert extract.counts["voorkomens"] == {"PND": 13_098}
    history = list(BagVoorkomen.objects.filter(identificatie="0221100000330288").order_by("voorkomen")
                   .values_list("status", "begin_geldigheid", "bouwjaar"))  # fmt: skip
    assert [(s, d.isoformat(), y) for s, d, y in history] == [
        ("Bouwvergunning verleend", "2012-02-28", 2012), ("Bouw gestart", "2012-08-22", 2012),
        ("Pand in gebruik (niet ingemeten)", "2013-04-23", 2013), ("Pand in gebruik", "2015-08-27", 2013),
        ("Pand gesloopt", "2017-07-31", 2013)]  # fmt: skip
    again = importer.import_file(PND_ZIP)
    assert again.already_loaded and again.extract_id == extract.id
    assert BagExtract.objects.count() == 1 and BagVoorkomen.objects.count() == 13_098


@pytest.mark.django_db
def test_woningen_materialised_and_rebuilt_when_the_panden_arrive(tmp_path):
    vbo_file = write_vbo_part(tmp_path / "0221VBO15092020-000002.xml", HAND_MADE)
    first = importer.import_file(vbo_file)
    assert any("geen panden" in w for w in first.warnings)
    a = BagWoning.objects.get(identificatie="0221010000900001")
    assert (a.start_date, a.delivery_date.isoformat(), a.municipality) == (None, "2011-11-15", "GM0221")
    importer.import_file(PND_ZIP)
    a = BagWoning.objects.get(identificatie="0221010000900001")
    assert (a.permit_date.isoformat(), a.start_date.isoformat(), a.origin) == ("2009-05-19", "2011-05-25",
                                                                               "nieuwbouw")  # fmt: skip
    assert a.pand_ids == ["0221100000311520"] and a.status_now == "Verblijfsobject in gebruik"
    # RD (206301, 447500) lies in Doesburg: lon/lat by pyproj
    assert 6.12 < a.lon < 6.15 and 52.00 < a.lat < 52.03
    assert BagWoning.objects.count() == 5  # D has no events but is a woning; B never realised; all kept


@pytest.mark.django_db
def test_deliveries_and_starts_per_area_use_the_newest_extract(tmp_path):
    importer.import_file(PND_ZIP)
    importer.import_file(write_vbo_part(tmp_path / "0221VBO15092020-000002.xml", HAND_MADE))
    # A nieuwbouw 2011 (start 2011), C nieuwbouw 2013 (start 2012); E transformation; the rest no delivery.
    assert queries.deliveries("GM0221", [2011, 2012, 2013]) == {2011: 1, 2012: 0, 2013: 1}
    assert queries.starts("Doesburg") == {2011: 1, 2012: 1}
    assert queries.deliveries("PV25") == {2011: 1, 2013: 1} == queries.deliveries("NL")
    assert queries.deliveries("GM0221", origins=("toevoeging",)) == {2019: 1}
    assert queries.deliveries("GM0363") == {}
    # A newer extract of Doesburg (stand 2021) holding only A: C no longer counts, nothing is added up.
    newer = write_vbo_part(tmp_path / "0221VBO01012021-000001.xml", HAND_MADE[:3], stand="2021-01-01")
    importer.import_file(newer)
    assert queries.deliveries("NL") == {2011: 1}
    assert BagExtract.objects.count() == 3  # both VBO extracts kept


@pytest.mark.django_db
def test_unsorted_file_is_derived_from_the_stored_voorkomens(tmp_path):
    importer.import_file(PND_ZIP)
    shuffled = HAND_MADE[3:5] + HAND_MADE[:3] + HAND_MADE[5:]
    shuffled = [shuffled[0], *shuffled[2:5], shuffled[1], *shuffled[5:]]  # B's two voorkomens apart
    report = importer.import_file(write_vbo_part(tmp_path / "0221VBO15092020-000003.xml", shuffled))
    assert any("niet op identificatie gesorteerd" in w for w in report.warnings)
    b = BagWoning.objects.get(identificatie="0221010000900002")
    assert (b.not_realised_date.isoformat(), b.status_now) == ("2018-02-12", "Niet gerealiseerd verblijfsobject")
    assert BagWoning.objects.count() == 5


@pytest.mark.django_db
def test_malformed_xml_names_file_and_line_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "BATCH", 3)  # several batches are written before the error: all rolled back
    text = writer.part("VBO", HAND_MADE, "2020-09-15")
    broken_at = text.index("<Objecten:status>Verblijfsobject ingetrokken</Objecten:status>")
    line = text.count("\n", 0, broken_at) + 1
    text = text.replace("ingetrokken</Objecten:status>", "ingetrokken</Objecten:statu>", 1)
    bad = tmp_path / "0221VBO15092020-000004.xml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(lvbag.BagFileError) as refused:
        importer.import_file(bad)
    assert f"0221VBO15092020-000004.xml, regel {line}: ongeldige XML" in str(refused.value)
    assert not BagExtract.objects.exists() and not BagVoorkomen.objects.exists() and not BagWoning.objects.exists()


@pytest.mark.django_db
def test_bad_value_names_file_line_and_value(tmp_path):
    text = writer.part("VBO", HAND_MADE[:2], "2020-09-15").replace(
        "<Historie:beginGeldigheid>2011-11-15<", "<Historie:beginGeldigheid>15-11-2011<", 1)  # fmt: skip
    line = text[: text.index("15-11-2011")].count("\n") + 1
    bad = tmp_path / "0221VBO15092020-000005.xml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(lvbag.BagFileError) as refused:
        importer.import_file(bad)
    assert str(refused.value) == (f"0221VBO15092020-000005.xml, regel {line}: beginGeldigheid '15-11-2011' is geen "
                                  "datum (JJJJ-MM-DD).")  # fmt: skip
    assert not BagVoorkomen.objects.exists()


@pytest.mark.django_db
def test_voorkomens_cannot_be_changed_or_deleted():
    importer.import_file(VBO_XML)
    with pytest.raises(DatabaseError), transaction.atomic():
        BagVoorkomen.objects.filter(voorkomen=1).update(status="Verblijfsobject gevormd")
    with pytest.raises(DatabaseError), transaction.atomic():
        BagVoorkomen.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        BagExtract.objects.update(sha256="0" * 64)
    assert BagVoorkomen.objects.count() == 5


# -- command line -------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_command_import_dry_run_and_figures(tmp_path, capsys):
    call_command("bag", "import", str(PND_ZIP), "--dry-run")
    out = capsys.readouterr().out
    assert "PND: 7.797 objecten, 13.098 voorkomens." in out and "Pand in gebruik: 11.191" in out
    assert "Proefdraaien: er is niets opgeslagen." in out and not BagExtract.objects.exists()
    call_command("bag", "import", str(PND_ZIP))
    call_command("bag", "import", str(write_vbo_part(tmp_path / "0221VBO15092020-000002.xml", HAND_MADE)))
    out = capsys.readouterr().out
    assert "Woningen (verblijfsobjecten met woonfunctie): 5; nieuwbouw 2, toevoeging 1" in out
    assert "Opgeleverd (nieuwbouw) 2011: NL 1 (GM0221 1)" in out and "Bouw gestart 2012: NL 1 (GM0221 1)" in out
    call_command("bag", "opleveringen", "--gebied", "Doesburg")
    assert capsys.readouterr().out.splitlines() == ["jaar;opgeleverd;bouw gestart", "2011;1;1", "2012;0;1",
                                                    "2013;1;0"]  # fmt: skip
    with pytest.raises(CommandError, match="regel"):
        broken = tmp_path / "0221VBO15092020-000009.xml"
        broken.write_text(VBO_XML.read_text(encoding="utf-8")[:5000], encoding="utf-8")
        call_command("bag", "import", str(broken))


def test_cli_end_to_end(environment, tmp_path):  # noqa: F811 (the imported fixture)
    """`bouwregie bag import` in a fresh database through the real entry point (PostgreSQL when the suite
    runs with DATABASE_URL)."""
    bouwregie(environment, "init")
    shutil.copy(PND_ZIP, tmp_path / PND_ZIP.name)
    done = bouwregie(environment, "bag", "import", str(tmp_path / PND_ZIP.name))
    assert "PND: 7.797 objecten, 13.098 voorkomens." in done.stdout
    again = bouwregie(environment, "bag", "import", str(tmp_path / PND_ZIP.name))
    assert "is al geladen" in again.stdout
    refused = bouwregie(environment, "bag", "import", str(tmp_path / "missing.zip"), check=False)
    assert refused.returncode == 1 and "missing.zip" in refused.stderr


# -- invariants of the derivation (hypothesis) ---------------------------------------------------------------
PAND_ID = "0221100000311520"


@st.composite
def histories(draw):
    """A VBO and its pand, each a chain of voorkomens with increasing begin dates and random statuses."""
    start = _date(2005, 1, 1) + timedelta(days=draw(st.integers(0, 5000)))

    def chain(kind, ident, statuses, extra):
        n = draw(st.integers(1, 5))
        day, out = start, []
        for number in range(1, n + 1):
            day += timedelta(days=draw(st.integers(0, 900)))
            status = draw(st.sampled_from(statuses))
            out.append(Voorkomen(kind, ident, number, status, day.isoformat(), **extra(number)))
        return out

    vbo_history = chain("VBO", "0221010000900100", events.VBO_STATUSES, lambda n: {
        "gebruiksdoelen": (draw(st.sampled_from(["woonfunctie", "woonfunctie", "kantoorfunctie"])),),
        "pand_ids": (PAND_ID,), "x": 206000.0, "y": 447000.0})  # fmt: skip
    pand_history = chain("PND", PAND_ID, events.PAND_STATUSES, lambda n: {})
    return vbo_history, pand_history


def _inactive(kind, ident, number, status, begin):
    extra = {"pand_ids": (PAND_ID,), "gebruiksdoelen": ("woonfunctie",)} if kind == "VBO" else {}
    return Voorkomen(kind, ident, number, status, begin, inactief="2024-01-01T00:00:00.000", **extra)


@settings(max_examples=300, deadline=None)
@given(
    histories(),
    st.randoms(use_true_random=False),
    st.lists(st.tuples(st.booleans(), st.integers(0, 9), st.integers(0, 8000)), max_size=4),
)
def test_derivation_ignores_order_and_inactive_voorkomens(history, rng, withdrawn):
    vbo_history, pand_history = history
    expected = events.woning(vbo_history, {PAND_ID: events.pand_events(pand_history)})
    shuffled_vbo, shuffled_pand = list(vbo_history), list(pand_history)
    for is_vbo, pick, offset in withdrawn:
        day = (_date(2000, 1, 1) + timedelta(days=offset)).isoformat()
        if is_vbo:
            shuffled_vbo.append(_inactive("VBO", "0221010000900100", 100 + pick, events.VBO_STATUSES[pick % 8], day))
        else:
            shuffled_pand.append(_inactive("PND", PAND_ID, 100 + pick, events.PAND_STATUSES[pick % 10], day))
    rng.shuffle(shuffled_vbo)
    rng.shuffle(shuffled_pand)
    assert events.woning(shuffled_vbo, {PAND_ID: events.pand_events(shuffled_pand)}) == expected


@settings(max_examples=300, deadline=None)
@given(histories())
def test_every_derived_date_is_a_begin_of_the_history(history):
    vbo_history, pand_history = history
    found = events.woning(vbo_history, {PAND_ID: events.pand_events(pand_history)})
    if not any("woonfunctie" in v.gebruiksdoelen for v in vbo_history):
        assert found is None
        return
    begins = {v.begin for v in vbo_history + pand_history}
    dates = [found.permit_date, found.start_date, found.delivery_date, found.demolition_date, found.not_realised_date]
    assert all(d is None or d in begins for d in dates)
    assert found.status_now == max(vbo_history, key=lambda v: (v.begin, v.voorkomen)).status
    if found.origin == "nieuwbouw":
        assert any(d and d <= found.delivery_date for d in (found.permit_date, found.start_date)) or any(
            v.status == events.VBO_FORMED and v.begin <= found.delivery_date for v in vbo_history
        )
    assert (found.origin == "") == (found.delivery_date is None)


@pytest.mark.django_db
def test_registraties_import_takes_a_bag_extract_too():
    """`bouwregie registraties import` is one entry for CBS and BAG files (registraties.dispatch)."""
    from io import StringIO

    from django.core.management import call_command

    from bouwregie.bag.models import BagExtract

    out = StringIO()
    call_command("registraties", "import", str(DATA / "0221PND15092020-000001.xml"), "--dry-run", stdout=out)
    assert "PND" in out.getvalue() and not BagExtract.objects.exists()
    call_command("registraties", "import", str(DATA / "0221PND15092020-000001.xml"), stdout=StringIO())
    assert BagExtract.objects.count() == 1


# -- issue #18 fresh-eyes check (h18): a damaged zip, a voorkomen twice apart, a database before `init` --------
@pytest.mark.django_db
def test_a_truncated_zip_is_refused_as_damaged_not_as_xml(tmp_path):
    """A download broken off: the zip's table of contents (at its end) is missing, so zipfile does not know it
    as a zip; it used to be parsed as XML ('regel 1: ongeldige XML')."""
    broken = tmp_path / "0221PND15092020.zip"
    broken.write_bytes(PND_ZIP.read_bytes()[:3000])
    for path in (broken, shutil.copy(broken, tmp_path / "extract.bin")):
        with pytest.raises(lvbag.BagFileError) as refused:
            importer.import_file(path)
        assert str(refused.value) == (
            f"Het bestand '{Path(path).name}' is beschadigd: het is geen volledig zip-bestand (de inhoudsopgave aan "
            "het eind ontbreekt; is de download afgebroken?). Er is niets geladen."
        )
    assert not BagExtract.objects.exists() and not BagVoorkomen.objects.exists()


@pytest.mark.django_db
def test_a_voorkomen_twice_names_both_lines_and_writes_nothing(tmp_path):
    """Object A's voorkomen 1 twice with object B in between (as the shared sample's 0221NUM15092020-000001.xml
    has for nummeraanduiding 0221200000330998): the store's unique key refuses it; the message names both
    places instead of the database's constraint. Adjacent (the extract's order) the reader sees it itself."""
    a1, b1 = HAND_MADE[9], HAND_MADE[10]  # D voorkomen 1, E voorkomen 1
    text = writer.part("VBO", [a1, b1, a1], "2020-09-15")
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if "<Objecten:Verblijfsobject>" in line]
    path = tmp_path / "0221VBO15092020-000009.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(lvbag.BagFileError) as refused:
        importer.import_file(path)
    assert str(refused.value) == (
        f"0221VBO15092020-000009.xml, regel {lines[2]}: object 0221010000900004 heeft voorkomen 1 al eerder "
        f"(0221VBO15092020-000009.xml, regel {lines[0]}); een voorkomenidentificatie hoort per object één keer voor "
        "te komen. Er is niets geladen."
    )
    assert not BagExtract.objects.exists() and not BagVoorkomen.objects.exists()
    adjacent = tmp_path / "0221VBO15092020-000010.xml"
    adjacent.write_text(writer.part("VBO", [a1, a1], "2020-09-15"), encoding="utf-8")
    with pytest.raises(lvbag.BagFileError, match=r"-000010.xml, regel \d+: object 0221010000900004 heeft voorkomen 1"):
        importer.import_file(adjacent)


@pytest.mark.django_db
def test_the_shared_num_sample_is_refused_with_the_places_of_its_double_voorkomen():
    with pytest.raises(lvbag.BagFileError) as refused:
        importer.import_file(DATA / "0221NUM15092020-000001.xml")
    assert "regel 258: object 0221200000330998 heeft voorkomen 1 al eerder (0221NUM15092020-000001.xml, regel 143)" in (
        str(refused.value)
    )


@pytest.mark.django_db
def test_a_load_before_the_reference_data_maps_municipalities_from_the_shipped_files(tmp_path):
    """`bouwregie migrate` without `init`: no municipalities in the database. The load crashed
    (AttributeError: '_Municipalities' object has no attribute 'unknown'); it maps from the reference files."""
    from bouwregie.geo.models import Municipality, MunicipalityMerger

    MunicipalityMerger.objects.all().delete()
    Municipality.objects.all().delete()
    report = importer.import_file(write_vbo_part(tmp_path / "0221VBO15092020-000002.xml", HAND_MADE))
    assert not any("onbekende gemeentecodes" in w for w in report.warnings)
    assert set(BagWoning.objects.values_list("municipality", flat=True)) == {"GM0221"}


@pytest.mark.django_db
def test_a_zip_damaged_inside_a_part_is_named_damaged_not_invalid_xml(tmp_path):
    """50 bytes garbled in the middle of the first part: it inflates to garbage, which lxml called 'ongeldige XML'
    at line 28389; the part's CRC-32 says what happened."""
    damaged = bytearray(PND_ZIP.read_bytes())
    for i in range(400_000, 400_050):
        damaged[i] ^= 0x5A
    path = tmp_path / "0221PND15092020.zip"
    path.write_bytes(bytes(damaged))
    with pytest.raises(lvbag.BagFileError) as refused:
        importer.import_file(path)
    assert str(refused.value) == (
        "Het bestand '0221PND15092020.zip › 0221PND15092020-000001.xml' is beschadigd: het (ingepakte) bestand is "
        "onvolledig of ongeldig (Bad CRC-32 for file '0221PND15092020-000001.xml')."
    )
    assert not BagExtract.objects.exists() and not BagVoorkomen.objects.exists()


@pytest.mark.django_db
def test_a_part_of_a_loaded_extract_is_no_newer_extract():
    """Reviewer's point 6 of issue #18: 0221PND15092020-000001.xml after the full 0221PND15092020.zip (its parts
    -000001 and -000002) would have become "the newest extract" of Doesburg. Refused, nothing written."""
    first = importer.import_file(PND_ZIP)
    with pytest.raises(lvbag.BagFileError) as refused:
        importer.import_file(DATA / "0221PND15092020-000001.xml")
    assert str(refused.value) == (
        "0221PND15092020-000001.xml: PND met stand 15-09-2020 van dit gebied is al geladen als extract "
        f"{first.extract_id} (0221PND15092020.zip). Een deel van een levering is geen nieuwer extract: laad de hele "
        "levering (de zip met alle delen) in één keer. Er is niets geladen."
    )
    assert list(BagExtract.objects.values_list("id", flat=True)) == [first.extract_id]
    # Another object type of the same stand and area is part of the same delivery and loads beside it.
    assert importer.import_file(VBO_XML).extract_id != first.extract_id
