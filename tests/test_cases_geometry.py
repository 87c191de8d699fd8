"""Geometries as delivered, stored and exported again (ingest cases 05 and 06, /work/shared/cases/ingest/README.md).

Case 05: a plan outline that make_valid repairs, and that rounding to 6 decimals (what is stored) made
self-intersecting again: stored invalid, and an export imported again counted as changed. Case 06: a GeoJSON
without a `crs` member whose coordinates are RD New; GDAL reports such files as WGS84 (RFC 7946's default), and
the import refused it as lying outside the Netherlands, against docs/import.md ("Zonder CRS: coördinaten die als
RD New of WGS84 in Nederland herkenbaar zijn, worden met een waarschuwing zo gelezen").
"""

import json
from io import StringIO

import pytest
import shapely
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import mapping, shape

from bouwregie.geo.geojson import GRID, repaired, rounded
from bouwregie.geo.reference import municipality_geometries
from bouwregie.ingest.models import ImportRun
from bouwregie.ingest.readers import ImportRefused, read_table
from bouwregie.projects import services
from bouwregie.projects.models import Project

pytestmark = pytest.mark.django_db

# The case files, re-serialised compactly (a real municipal outline; neutral plan names).
CASE_05 = (
    '{"type":"FeatureCollection","name":"kapelle","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:'
    '1.3:CRS84"}},"features":[{"type":"Feature","properties":{"plan_id":"K1","plannaam":"Voorbeeldlocatie","gemee'
    'nte":"Kapelle","restcapaciteit":10},"geometry":{"type":"MultiPolygon","coordinates":[[[[3.97700082033697,51.'
    '5280038129507],[4.00337269974124,51.5226176039903],[4.00596355961961,51.5145708786125],[4.00464260372932,51.'
    '5224020156283],[4.01385205711869,51.5206413257511],[4.01436689359184,51.5173919081015],[4.01451266382146,51.'
    '5172571780102],[4.01510148685184,51.5162084920203],[4.01524609764071,51.515980225297],[4.01603299592578,51.5'
    '151230104912],[4.01589760897743,51.5149512607024],[4.01624707451284,51.51471494265],[4.01622130062783,51.514'
    '6445478313],[4.01730672408407,51.5137394928025],[4.01734303987765,51.5137068598455],[4.01748850824419,51.513'
    '5680677877],[4.01762181688199,51.5133933226168],[4.01762722048536,51.5133603269097],[4.01758865528394,51.513'
    '3213040082],[4.01696855846867,51.5129476348644],[4.01635866904458,51.5120892182248],[4.01544355664092,51.511'
    '8360409169],[4.01451896477906,51.5092658997667],[4.01383140065673,51.508497470366],[4.00661475567084,51.5054'
    '900335777],[4.00496851055513,51.5057522326741],[4.00756089824766,51.4595377426457],[3.99323706857232,51.4522'
    '444387024],[3.97531076434582,51.4632851393821],[3.93408846296338,51.4492576809],[3.92873689412634,51.4596939'
    '605925],[3.90796532340615,51.4703934542481],[3.90797222198714,51.4705014245978],[3.90892931308094,51.4715452'
    '628994],[3.90921045223188,51.4720512771783],[3.9091872552277,51.4724715726376],[3.90910818469919,51.47251334'
    '10095],[3.90868055055891,51.4725919701093],[3.90866804745039,51.4729001035973],[3.90874668561897,51.47296427'
    '982],[3.90907339458105,51.4730848348308],[3.9093044524041,51.4732035928689],[3.90991203604185,51.47362790312'
    '31],[3.91117630862329,51.4750968024778],[3.91305623487845,51.4780401475586],[3.91363901994331,51.47852586511'
    '66],[3.91310189817681,51.4800272175607],[3.91498246176396,51.4813457866125],[3.91698919335778,51.48250253921'
    '75],[3.91524305232325,51.4857059091057],[3.91852198885782,51.4861517907081],[3.92114377005308,51.48702091820'
    '44],[3.92457265381988,51.4860607720061],[3.92502071784321,51.486331188771],[3.92502383340167,51.488565514864'
    '8],[3.92610209108633,51.4900083112052],[3.92595161687494,51.4927318166618],[3.94041261188781,51.494050544958'
    '1],[3.96529645022004,51.5071790709246],[3.96546210569267,51.5073781685809],[3.96421883481794,51.512207120278'
    '9],[3.96418868970044,51.5126084648404],[3.96405386880634,51.5133293275373],[3.96369596837841,51.516222001455'
    '],[3.96382506478112,51.5217344365402],[3.97700082033697,51.5280038129507]],[[3.97192449624716,51.52925681138'
    '14],[3.97163633883408,51.5292768834309],[3.97152975098326,51.5294026246863],[3.97195734543031,51.52931743020'
    '61],[3.97192449624716,51.5292568113814]],[[3.96919559076068,51.529897127516],[3.96918110615725,51.5298935917'
    '377],[3.96870119107685,51.5299337266627],[3.96931139003582,51.5300538865764],[3.96919559076068,51.5298971275'
    '16]],[[3.9684690893733,51.5300387853932],[3.96832699588502,51.5299865186134],[3.96809857519487,51.5300187442'
    '024],[3.9684217316259,51.530175929144],[3.9684690893733,51.5300387853932]],[[3.96585199605429,51.53048648674'
    '59],[3.96526239222248,51.530510682947],[3.96506194850298,51.5305552182377],[3.96533560597401,51.530562769299'
    '1],[3.96585199605429,51.5304864867459]],[[3.96541253981677,51.5308430339614],[3.9665902360121,51.53059025741'
    '75],[3.96661188928199,51.5305044603985],[3.96533736790313,51.5307450344937],[3.96477351553275,51.53061930371'
    '1],[3.96413999867607,51.5306853575191],[3.96541253981677,51.5308430339614]],[[3.96202207776705,51.5309725757'
    '792],[3.96231643400943,51.5308503238386],[3.96169392144005,51.5309220847365],[3.96086283823365,51.5310459970'
    '619],[3.96202207776705,51.5309725757792]],[[3.96061468619169,51.5310943475382],[3.96061609058429,51.53109396'
    '90977],[3.9580074379721,51.5316010986924],[3.95838888538402,51.5315672866757],[3.96061468619169,51.531094347'
    '5382]]]]}}]}'
)  # fmt: skip
CASE_06 = (
    '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"plan_id":"R1","plannaam":"Voorbeeld'
    'locatie","gemeente":"Utrecht","restcapaciteit":10},"geometry":{"type":"Polygon","coordinates":[[[136000,4550'
    '00],[137000,455000],[137000,456000],[136000,456000],[136000,455000]]]}}]}'
)  # fmt: skip


def import_file(path, *options) -> ImportRun:
    call_command("import", str(path), "--source", "c05", *options, stdout=StringIO())
    return ImportRun.objects.latest("id")


def stored():
    """The only project's current data."""
    (project_id,) = Project.objects.values_list("id", flat=True)
    return services.current_data([project_id])[project_id][1]


def stored_geometry() -> dict:
    return stored().geometry


@pytest.fixture
def case_05(tmp_path):
    path = tmp_path / "05-invalid-after-repair.geojson"
    path.write_text(CASE_05, encoding="utf-8")
    run = import_file(path)
    assert run.counts["new"] == 1
    assert any("hersteld" in p["reason"] for p in run.problems)  # the delivered outline is invalid
    return tmp_path


def test_case_05_the_stored_outline_is_valid_and_on_the_grid(case_05):
    geometry = stored_geometry()
    assert shapely.is_valid(shape(geometry)), shapely.is_valid_reason(shape(geometry))
    assert rounded(geometry) == geometry  # rounding what is stored changes nothing


@pytest.mark.parametrize(
    "fmt, crs",
    [
        ("geojson", "EPSG:4326"),
        ("gpkg", "EPSG:4326"),
        ("gpkg", "EPSG:28992"),  # GeoJSON is WGS84 only (export refuses --crs for it)
        ("xlsx", "EPSG:4326"),
        ("csv", "EPSG:4326"),  # the quoted WKT's commas do not make ',' the delimiter
    ],
)
def test_case_05_export_then_import_is_unchanged(case_05, fmt, crs):
    export = case_05 / f"export.{fmt}"
    call_command("export", "--format", fmt, "--output", str(export), "--crs", crs, stdout=StringIO())
    run = import_file(export, "--dry-run")
    assert (run.counts["new"], run.counts["changed"], run.counts["unchanged"]) == (0, 0, 1)
    assert not any("hersteld" in p["reason"] for p in run.problems)  # nothing left to repair


def notched(depth: float) -> dict:
    """A square (~70 × 110 m near Utrecht) whose top edge dips down to `depth` degrees above its bottom edge: valid,
    but rounded to 6 decimals the dip (< 0.5e-6) lands on the bottom edge and the ring touches itself."""
    x, y = 5.1, 52.09
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 0.001, y], [x + 0.001, y + 0.001],
                                                [x + 0.0005, y + depth], [x, y + 0.001], [x, y]]]}  # fmt: skip


def test_rounding_never_makes_an_area_invalid():
    original = notched(0.0000004)
    assert shape(original).is_valid
    naive = {"type": "Polygon", "coordinates": [[[round(v, 6) for v in p] for p in original["coordinates"][0]]]}
    assert not shape(naive).is_valid  # the fault: rounding alone breaks it
    stored = rounded(original)
    assert shape(stored).is_valid and rounded(stored) == stored
    assert shape(stored).symmetric_difference(shape(original)).area < 1e-9  # the same area, within the grid


def test_a_repaired_polygon_stays_a_polygon():
    """make_valid turns a spike into a stray line (a GeometryCollection); the repair keeps the area only."""
    spike = shapely.Polygon([(4, 52), (4.002, 52), (4.002, 52.001), (4.003, 52.001), (4.002, 52.001),
                             (4.002, 52.002), (4, 52.002), (4, 52)])  # fmt: skip
    assert shapely.make_valid(spike).geom_type == "GeometryCollection"
    fixed = repaired(spike)
    assert fixed.geom_type == "Polygon" and fixed.is_valid and fixed.area == pytest.approx(0.002 * 0.002)
    assert shape(rounded(mapping(fixed))).is_valid


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=3, max_size=12))
def test_every_stored_area_is_valid(points):
    """Any outline (valid or not) in a box of a few metres, with vertices off the grid: repaired and rounded, it is
    valid, and rounding it again changes nothing (so an export re-imports unchanged)."""
    ring = [(5.1 + i * GRID * 0.37, 52.09 + j * GRID * 0.41) for i, j in points]
    polygon = shapely.Polygon([*ring, ring[0]])
    area = polygon if polygon.is_valid else repaired(polygon)
    if area.is_empty or shapely.get_dimensions(area) < 2:
        return
    stored = rounded(mapping(area))
    if stored is None:
        return  # nothing left at 0.1 m
    assert shape(stored).is_valid, (shape(stored).wkt, shapely.is_valid_reason(shape(stored)))
    assert rounded(stored) == stored


@pytest.fixture
def case_06(tmp_path):
    path = tmp_path / "06-rd-geojson-no-crs.geojson"
    path.write_text(CASE_06, encoding="utf-8")
    return path


def test_case_06_rd_new_geojson_without_crs_is_read_as_rd_new_with_a_warning(case_06):
    call_command("import", str(case_06), "--source", "c06", "--dry-run", stdout=StringIO())
    run = ImportRun.objects.latest("id")
    assert run.status == ImportRun.Status.PROEF
    assert (run.counts["rows"], run.counts["homes"]) == (1, 10)
    assert [p["reason"] for p in run.problems if "RD New" in p["reason"]]  # the warning


def test_case_06_the_plan_lies_in_utrecht(case_06):
    call_command("import", str(case_06), "--source", "c06", stdout=StringIO())
    geometry = shape(stored_geometry())
    centroid = geometry.centroid
    # RD (136,500, 455,500) is the centre of Utrecht: 5.117 E, 52.087 N (PROJ; RD's origin is Amersfoort).
    assert 5.05 < centroid.x < 5.15 and 52.05 < centroid.y < 52.12
    assert shape(municipality_geometries()["GM0344"]).contains(centroid)
    assert stored().source_crs == "EPSG:28992"


def test_a_declared_crs_is_trusted_even_when_the_coordinates_disagree(tmp_path):
    """Only the format's default is overruled; a file that says CRS84 and holds RD New is refused."""
    document = json.loads(CASE_06)
    document["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    path = tmp_path / "rd-met-crs84.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ImportRefused, match="buiten Nederland"):
        read_table(path)


def test_geojson_without_crs_in_wgs84_is_read_silently_and_a_property_named_crs_is_no_crs(tmp_path):
    document = json.loads(CASE_06)
    document["features"][0]["geometry"] = {"type": "Point", "coordinates": [5.1173, 52.0875]}
    document["features"][0]["properties"]["crs"] = "RD"  # a column, not the file's crs member
    path = tmp_path / "wgs84.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    table = read_table(path)
    assert table.crs == "EPSG:4326" and table.notices == [] and table.format == "GeoJSON"
    document["features"][0]["geometry"] = json.loads(CASE_06)["features"][0]["geometry"]
    path.write_text(json.dumps(document), encoding="utf-8")
    table = read_table(path)
    assert table.crs == "EPSG:28992" and len(table.notices) == 1
    assert table.geometries[0].centroid.x == pytest.approx(5.1173, abs=1e-3)


def test_geojson_without_crs_and_neither_rd_nor_wgs84_is_refused(tmp_path):
    document = json.loads(CASE_06)
    document["features"][0]["geometry"] = {"type": "Point", "coordinates": [569_000, 6_817_000]}  # Web Mercator
    path = tmp_path / "mercator.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ImportRefused, match="niet herkenbaar als RD New of WGS84"):
        read_table(path)
