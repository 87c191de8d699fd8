"""Reading every delivered format, and refusing what cannot be read with a specific message."""

import zipfile

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bouwregie.ingest.readers import ImportRefused, read_table

from .planlijsten import PROVINCIAL_HEADER, PROVINCIAL_ROWS, write_csv, write_gis, write_xlsx, zip_files

HEADER = ["id", "naam", "gemeente", "woningen"]
# The origin of RD New: the Onze Lieve Vrouwetoren, Amersfoort (5.38720621 E, 52.15517440 N by definition).
AMERSFOORT_RD = shapely.Point(155_000, 463_000)


def test_csv_semicolon_windows_1252(tmp_path):
    table = read_table(write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS, ";", "cp1252"))
    assert table.columns == PROVINCIAL_HEADER and len(table.rows) == 10
    assert table.rows[4][2] == "Súdwest-Fryslân" and table.row_numbers[:2] == [2, 3]
    assert "Windows-1252" in table.format and table.notices


def test_csv_comma_utf8_with_bom_skips_blank_and_title_lines(tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_text("Planlijst gemeente X\n\nid,naam,gemeente,woningen\n1,A,Utrecht,10\n\n2,B,Utrecht,5\n",
                    encoding="utf-8-sig")  # fmt: skip
    table = read_table(path)
    assert table.columns == HEADER and table.rows == [["1", "A", "Utrecht", "10"], ["2", "B", "Utrecht", "5"]]
    assert table.row_numbers == [4, 6]


def test_xlsx_chosen_sheet_below_a_title(tmp_path):
    path = write_xlsx(tmp_path / "lijst.xlsx", PROVINCIAL_HEADER, PROVINCIAL_ROWS, title="Plancapaciteit 2025-Q3")
    table = read_table(path, sheet="Plancapaciteit")
    assert table.columns == PROVINCIAL_HEADER and len(table.rows) == 10 and table.rows[0][6] == 120
    with pytest.raises(ImportRefused, match="Werkblad 'Blad9' bestaat niet; wel: Toelichting, Plancapaciteit"):
        read_table(path, sheet="Blad9")


def test_geopackage_in_rd_new_is_reprojected_to_wgs84(tmp_path):
    bowtie = shapely.Polygon([(120_000, 480_000), (121_000, 481_000), (121_000, 480_000), (120_000, 481_000)])
    path = write_gis(
        tmp_path / "plannen.gpkg",
        [AMERSFOORT_RD, bowtie, None],
        HEADER,
        [["1", "A", "Amersfoort", 10], ["2", "B", "Amersfoort", 5], ["3", "C", "Amersfoort", 1]],
    )
    table = read_table(path)
    assert table.crs == "EPSG:28992"
    tower = table.geometries[0]
    # Without the RDNAPTRANS grid (not shipped with pyproj) PROJ's Helmert transformation is within ~0.2 m.
    assert tower.x == pytest.approx(5.38720621, abs=1e-5) and tower.y == pytest.approx(52.15517440, abs=1e-5)
    assert table.geometries[1].is_valid and table.geometries[2] is None
    assert [n.row for n in table.notices] == [2] and "hersteld" in table.notices[0].reason


def test_zipped_shapefile_with_prj(tmp_path):
    write_gis(tmp_path / "plannen.shp", [AMERSFOORT_RD], HEADER, [["1", "A", "Amersfoort", 10]])
    parts = [tmp_path / f"plannen.{ext}" for ext in ("shp", "shx", "dbf", "prj")]
    table = read_table(zip_files(tmp_path / "plannen.zip", parts))
    assert table.crs == "EPSG:28992" and table.rows == [["1", "A", "Amersfoort", "10"]]


def test_shapefile_without_dbf_is_refused(tmp_path):
    write_gis(tmp_path / "plannen.shp", [AMERSFOORT_RD], HEADER, [["1", "A", "Amersfoort", 10]])
    (tmp_path / "plannen.dbf").unlink()
    with pytest.raises(ImportRefused, match=r"mist de attributen \(\.dbf\)"):
        read_table(tmp_path / "plannen.shp")
    zipped = zip_files(tmp_path / "z.zip", [tmp_path / f"plannen.{e}" for e in ("shp", "shx", "prj")])
    with pytest.raises(ImportRefused, match=r"mist de attributen \(\.dbf\)"):
        read_table(zipped)


def test_geojson_in_wgs84(tmp_path):
    path = write_gis(
        tmp_path / "plannen.geojson",
        [shapely.Point(5.1214, 52.0907)],
        HEADER,
        [["1", "A", "Utrecht", 10]],
        crs="EPSG:4326",
        driver="GeoJSON",
    )
    table = read_table(path)
    assert table.geometries[0].x == pytest.approx(5.1214)


def test_no_crs_and_implausible_coordinates_is_refused(tmp_path):
    path = write_gis(
        tmp_path / "plannen.shp", [shapely.Point(2_000_000, 9_000_000)], HEADER, [["1", "A", "Utrecht", 10]]
    )
    (tmp_path / "plannen.prj").unlink()
    with pytest.raises(ImportRefused, match="geen coördinatenstelsel"):
        read_table(path)


def test_no_crs_but_rd_coordinates_is_read_with_a_warning(tmp_path):
    path = write_gis(tmp_path / "plannen.shp", [AMERSFOORT_RD], HEADER, [["1", "A", "Amersfoort", 10]])
    (tmp_path / "plannen.prj").unlink()
    table = read_table(path)
    assert "RD New (EPSG:28992) aangenomen" in table.notices[0].reason


def test_coordinates_outside_the_netherlands_are_refused(tmp_path):
    path = write_gis(
        tmp_path / "p.gpkg", [shapely.Point(2.35, 48.85)], HEADER, [["1", "Parijs", "Utrecht", 1]], crs="EPSG:4326"
    )
    with pytest.raises(ImportRefused, match="buiten Nederland"):
        read_table(path)


@pytest.mark.parametrize("name, content, message", [
    ("leeg.csv", b"", "Het bestand is leeg."),
    ("kop.csv", b"id;naam;gemeente;woningen\n", "geen regels met gegevens"),
    ("lijst.txt", b"id;naam\n1;a\n", "Bestandstype '.txt' wordt niet ondersteund"),
    ("lijst.pdf", b"%PDF-1.4", "Bestandstype '.pdf' wordt niet ondersteund"),
    ("kapot.xlsx", b"dit is geen excel", "Excel-bestand is beschadigd"),
    ("kapot.zip", b"PK\x03\x04 kapot", "zipbestand is beschadigd"),
    ("binair.csv", b"id\x00naam", "geen tekstbestand"),
])  # fmt: skip
def test_unreadable_files_are_refused_with_a_specific_message(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportRefused, match=message):
        read_table(path)


def test_zip_bombs_and_oversized_files_are_refused(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1_000_000
    bomb = tmp_path / "bom.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plannen.shp", b"\0" * 3_000_000)
    with pytest.raises(ImportRefused, match="mogelijke zipbom"):
        read_table(bomb)
    big = tmp_path / "groot.csv"
    big.write_bytes(b"id;naam;gemeente;woningen\n" + b"1;a;Utrecht;1\n" * 100_000)
    with pytest.raises(ImportRefused, match=r"Het bestand is 1\.\d MB; de grens is 1 MB"):
        read_table(big)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_the_csv_reader_never_crashes(tmp_path, content):
    path = tmp_path / "willekeurig.csv"
    path.write_bytes(content)
    try:
        table = read_table(path)
    except ImportRefused as refusal:
        assert str(refusal)
    else:
        assert all(len(row) >= len(table.columns) for row in table.rows)
