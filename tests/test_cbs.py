"""CBS StatLine new-build figures as versioned registrations (issue #18, part 1; docs/registraties.md).

The fixtures in tests/data/cbs are made by hand; every expected number below is computed by hand from them:

81955NED v1 (…_29112024_…csv), nieuwbouw of Woningen (A045364):
  2018JJ00  NL01 6270 · PV27 6240 · PV30 30 · GM0363 5000 · GM0393 40 · GM0394 1200 · GM0788 30
            (and GM0363 120 for gebruiksfunctie A045365, not Woningen: left out)
  2019JJ00  NL01 7500 · GM0363 6000 · GM0394 1500 · GM0788 '.'
  2019KW01-04 GM0363 1000+1500+1500+2000 · 2019MM07 GM0363 500
  2020KW01-04 GM0363 1200+1300+1400+1600 = 5500 (no year row: the year is its four quarters)
  GM0393 Haarlemmerliede en Spaarnwoude → GM0394 Haarlemmermeer (2019); GM0788 Haaren split 2021 over
  Boxtel, Oisterwijk, Tilburg, Vught (stays under GM0788, counts for PV30 and NL only).
81955NED v2 (…_15032025_…csv): the same, revised 2019: GM0394 1520, NL01 7520.
86098NED (…_01102025_…csv): 2024JJ00 NL01 7000 · GM0363 7000; 2025MM01 GM0363 400 · GM0394 100.
"""

import io
import json
import shutil
import urllib.error
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bouwregie.cbs import figures, importer, statline
from bouwregie.cbs.models import CbsFigure, CbsRelease
from bouwregie.formatting import number
from bouwregie.projects.models import AppendOnlyError
from bouwregie.registraties import dispatch as registraties

DATA = Path(__file__).parent / "data" / "cbs"
V1 = DATA / "81955NED_UntypedDataSet_29112024_101500.csv"
V2 = DATA / "81955NED_UntypedDataSet_15032025_090000.csv"
NEW_TABLE = DATA / "86098NED_UntypedDataSet_01102025_080000.csv"
LABELS = DATA / "81955NED_labels.csv"
RECORDED = DATA / "81955NED_api_recorded.json"
HEADER = (
    '"ID";"Gebruiksfunctie";"RegioS";"Perioden";"BeginstandVoorraad_1";"Nieuwbouw_2";"OverigeToevoeging_3";'
    '"Sloop_4";"OverigeOnttrekking_5";"Correctie_6";"SaldoVoorraad_7";"EindstandVoorraad_8"'
)


def run(*args) -> str:
    out = io.StringIO()
    call_command("registraties", *args, *(["--door", "tester"] if args[0] != "releases" else []), stdout=out)
    return out.getvalue()


def write(tmp_path, name, lines) -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join([HEADER, *lines]) + "\r\n", encoding="utf-8")
    return path


def row(n, region, period, nieuwbouw, kind="A045364"):
    return f'"{n}";"{kind}";"{region}";"{period}";"100";"{nieuwbouw}";"0";"0";"0";"0";"0";"100"'


# --- pure readers ------------------------------------------------------------------------------------------------
def test_period_codes():
    assert statline.parse_period("2020JJ00") == ("JJ", 2020, None)
    assert statline.parse_period("2024KW03") == ("KW", 2024, 3)
    assert statline.parse_period("2024MM07") == ("MM", 2024, 7)
    for wrong in ("2020JJ01", "2024KW05", "2024MM13", "2024", "2024HJ01", "2024kw03"):
        assert statline.parse_period(wrong) is None, wrong
    assert statline.period_from_label("2020") == "2020JJ00"
    assert statline.period_from_label("2019 3e kwartaal") == "2019KW03"
    assert statline.period_from_label("2019 juli") == "2019MM07"
    assert statline.period_from_label("juli 2019") is None


def test_values_and_column_stems():
    values = ("12", " -3 ", ".", "", "x", 7, 7.0, None)
    assert [statline.parse_value(v) for v in values] == [12, -3, None, None, None, 7, 7, None]
    for wrong in ("1.234", "12a", "1,5", 1.5, True):
        with pytest.raises(ValueError):
            statline.parse_value(wrong)
    assert statline.stem("Nieuwbouw_2") == "nieuwbouw"
    assert statline.stem("NieuwbouwTotaal_6") == "nieuwbouwtotaal"
    assert statline.stem("Beginstand voorraad (aantal)") == "beginstandvoorraad"
    assert statline.release_date_from_name(V1.name).isoformat() == "2024-11-29"
    assert statline.release_date_from_name("cbs 2025-03-15.csv").isoformat() == "2025-03-15"
    assert statline.release_date_from_name("export.csv") is None


def test_reading_the_81955ned_csv_maps_former_and_keeps_split_municipalities(db):
    reading = statline.read_file(V1)
    assert (reading.table_id, reading.variant, len(reading.figures), reading.other_rows) == ("81955NED", "codes", 20, 1)
    assert reading.release_date.isoformat() == "2024-11-29" and reading.release_date_basis == "bestandsnaam"
    amsterdam = next(f for f in reading.figures if f.region == "GM0363" and f.period == "2018JJ00")
    assert amsterdam.values["nieuwbouw"] == 5000 and amsterdam.values["correctie"] is None  # '.' is unknown
    summary = importer.summarise(reading)
    assert summary.years == {
        2018: {"gemeenten": 6270, "nl": 6270, "unknown": 0, "absent": 0},
        2019: {"gemeenten": 7500, "nl": 7500, "unknown": 1, "absent": 0},  # Haaren existed until 2021: '.' unknown
        2020: {"gemeenten": 5500, "nl": None, "unknown": 0, "absent": 0},
    }
    assert summary.municipalities == {
        "GM0363": {2018: 5000, 2019: 6000, 2020: 5500},
        "GM0394": {2018: 1240, 2019: 1500},
        "GM0788": {2018: 30},
    }
    haarlemmerliede, haaren = summary.mapping
    assert haarlemmerliede == {
        "voormalig": "GM0393",
        "naam": "Haarlemmerliede en Spaarnwoude",
        "opvolgers": [{"code": "GM0394", "naam": "Haarlemmermeer"}],
        "gesplitst": False,
        "verplaatst": {"2018": 40},
        "totaal": 40,
    }
    assert (haaren["verplaatst"], haaren["totaal"]) == ({"2018": 30}, 30)
    assert haaren["gesplitst"] and [s["code"] for s in haaren["opvolgers"]] == ["GM0757", "GM0824", "GM0855", "GM0865"]


def test_the_successor_table_86098ned_by_its_renamed_measures(db):
    reading = statline.read_file(NEW_TABLE)
    assert reading.table_id == "86098NED" and reading.columns["nieuwbouw"] == "NieuwbouwTotaal_6"
    assert reading.columns["saldo"] == "SaldoVoorraad_21" and "overige_toevoeging" not in reading.columns
    assert reading.ignored_columns == ["VergundeNieuwbouw_2", "BouwGestart_3"]
    renamed = (tmp := NEW_TABLE.read_text()).replace("86098NED", "x")  # no table in the name: the columns tell
    assert statline.read_csv(renamed.encode(), "download.csv").table_id == "86098NED" and tmp


def test_the_labels_csv_by_names(db):
    reading = statline.read_file(LABELS)
    assert reading.variant == "labels" and reading.table_id == "81955NED"
    found = {(f.region, f.period): f.values["nieuwbouw"] for f in reading.figures}
    assert found == {
        ("NL01", "2018JJ00"): 6270,
        ("PV27", "2018JJ00"): 6240,
        ("GM0363", "2018JJ00"): 5000,
        ("GM0393", "2018JJ00"): 40,
        ("GM0394", "2018JJ00"): 1200,
        ("GM0788", "2018JJ00"): 30,
        ("GM0363", "2019KW01"): 1000,
        ("GM0363", "2019MM07"): 500,
        ("GM0344", "2024JJ00"): 4000,
    }
    assert any("voorlopige" in n for n in reading.notices)  # "2024*"
    ambiguous = LABELS.read_text(encoding="utf-8").replace("Utrecht (gemeente)", "Utrecht")
    with pytest.raises(statline.CbsFileError) as refused:
        statline.read_csv(ambiguous.encode(), "labels.csv")
    assert "rij 11, kolom Regio's" in str(refused.value) and "(PV)" in str(refused.value)


def test_windows_1252_and_comma_separated_files_are_read(db, tmp_path):
    text = V1.read_text(encoding="utf-8").replace(";", ",")
    reading = statline.read_csv(text.encode("cp1252"), V1.name)
    assert len(reading.figures) == 20


# --- import: CLI end to end, versions, no-ops, all-or-nothing -------------------------------------------------------
def test_import_prints_what_it_read_and_stores_a_dated_release(db, tmp_path):
    out = run("import", str(V1), "--csv", str(tmp_path / "gemeenten.csv"))
    assert "CBS 81955NED (codes): 20 cijfers voor Woningen gelezen, 1 rijen" in out
    assert "  2018      6.270   NL01     6.270  klopt" in out
    assert "  2020      5.500" in out
    assert "GM0393 Haarlemmerliede en Spaarnwoude → GM0394 Haarlemmermeer" in out
    assert "GM0788 Haaren: gesplitst over GM0757 Boxtel, GM0824 Oisterwijk, GM0855 Tilburg, GM0865 Vught" in out
    assert "GM0363 Amsterdam" in out and "totaal 16.500" in out  # 5000 + 6000 + 5500
    assert "als 81955NED versie 1 (publicatie van 29-11-2024)" in out
    release = CbsRelease.objects.get()
    assert (release.number, release.source, release.variant, release.imported_by) == (1, "csv", "codes", "tester")
    assert release.release_date.isoformat() == "2024-11-29" and release.counts["cijfers"] == 20
    assert [m["voormalig"] for m in release.mapping] == ["GM0393", "GM0788"]
    assert CbsFigure.objects.filter(release=release).count() == 20
    haaren = CbsFigure.objects.get(region="GM0788", period="2018JJ00")
    assert (haaren.municipality, haaren.province, haaren.split) == ("GM0788", "PV30", True)
    former = CbsFigure.objects.get(region="GM0393")
    assert (former.municipality, former.province, former.split) == ("GM0394", "PV27", False)
    written = (tmp_path / "gemeenten.csv").read_text(encoding="utf-8").splitlines()
    assert written[0] == "gemeentecode;gemeente;2018;2019;2020" and "GM0394;Haarlemmermeer;1240;1500;" in written
    assert "81955NED v1  29-11-2024 (bestandsnaam)  20 cijfers  csv" in run("releases")


def test_new_build_per_area_in_the_2025_division(db):
    importer.import_file(V1)
    assert figures.new_build("GM0394", [2018, 2019]) == {2018: 1240, 2019: 1500}  # incl. Haarlemmerliede 40
    assert figures.new_build("Amsterdam", range(2018, 2021)) == {2018: 5000, 2019: 6000, 2020: 5500}
    assert figures.new_build("PV27", [2018]) == {2018: 6240}
    assert figures.new_build("PV30", [2018, 2019]) == {2018: 30, 2019: 0}  # Haaren counts for its province
    assert figures.new_build("GM0824", [2018]) == {}  # … but for none of its successors
    assert figures.new_build("NL", [2018, 2019, 2020, 2021]) == {2018: 6270, 2019: 7500, 2020: 5500}
    assert figures.new_build_by_municipality(2018) == {"GM0363": 5000, "GM0394": 1240, "GM0788": 30}


def test_a_region_counts_its_members(db):
    from bouwregie.geo.models import Municipality, Region

    region = Region.objects.create(code="cbs-test", name="Test", kind="custom")
    region.municipalities.set(Municipality.objects.filter(code__in=["GM0363", "GM0394", "GM0757"]))
    importer.import_file(V1)
    assert figures.new_build("cbs-test", [2018, 2019]) == {2018: 6240, 2019: 7500}


def test_a_revised_release_is_version_2_and_version_1_stays(db):
    run("import", str(V1))
    out = run("import", str(V2))
    assert "als 81955NED versie 2 (publicatie van 15-03-2025)" in out
    v1, v2 = CbsRelease.objects.order_by("number")
    assert (v1.number, v2.number) == (1, 2) and CbsFigure.objects.count() == 40
    assert figures.new_build("GM0394", [2019]) == {2019: 1520}  # the newest release answers
    assert figures.new_build("GM0394", [2019], release=v1) == {2019: 1500}  # the old one is still there
    detail = figures.new_build_detail("NL", [2019])
    assert detail["years"] == {2019: 7520} and [r["number"] for r in detail["releases"][2019]] == [2]
    run("import", str(NEW_TABLE))
    both = figures.new_build_detail("GM0363", [2019, 2024])
    assert both["years"] == {2019: 6000, 2024: 7000}
    assert [r["table"] for r in both["releases"][2024]] == ["86098NED"]


def test_importing_the_same_file_again_changes_nothing(db, tmp_path):
    run("import", str(V1))
    again = run("import", str(V1))
    assert "Dit bestand is al geïmporteerd als 81955NED versie 1" in again and "niets gewijzigd" in again
    copy = tmp_path / "andere-naam.csv"  # same figures, other bytes (LF line ends)
    copy.write_text(V1.read_text(encoding="utf-8").replace("\r\n", "\n"), encoding="utf-8")
    assert "Deze cijfers zijn al geïmporteerd als 81955NED versie 1" in run("import", str(copy))
    assert CbsRelease.objects.count() == 1 and CbsFigure.objects.count() == 20


def test_dry_run_writes_nothing(db):
    out = run("import", str(V1), "--dry-run")
    assert "Proefimport: 20 cijfers zouden 81955NED versie 1 worden; niets opgeslagen." in out
    assert "GM0393 Haarlemmerliede en Spaarnwoude → GM0394 Haarlemmermeer" in out
    assert not CbsRelease.objects.exists() and not CbsFigure.objects.exists()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (row(3, "GM0363    ", "2018XX00", "5"), "rij 3, kolom Perioden, waarde '2018XX00': Onbekende periodecode"),
        (row(3, "GM0363    ", "2018JJ00", "12a"), "rij 3, kolom Nieuwbouw_2, waarde '12a': Geen geheel getal"),
        (row(3, "GM9999    ", "2018JJ00", "5"), "rij 3, kolom RegioS, waarde 'GM9999': Onbekende regiocode"),
        (
            row(3, "GM0394", "2018JJ00", "5"),
            "rij 3, kolom RegioS, waarde 'GM0394': Regio GM0394 en periode 2018JJ00 staan al in rij 2",
        ),
    ],
)
def test_a_bad_value_names_row_column_and_value_and_nothing_is_stored(db, tmp_path, line, expected):
    path = write(
        tmp_path,
        "81955NED_fout.csv",
        [row(1, "GM0394    ", "2018JJ00", "1200"), line, row(4, "GM0363    ", "2019JJ00", "6000")],
    )
    with pytest.raises(CommandError) as refused:
        run("import", str(path))
    assert expected in str(refused.value) and "er is niets opgeslagen" in str(refused.value)
    assert not CbsRelease.objects.exists() and not CbsFigure.objects.exists()


def test_a_file_without_nieuwbouw_is_refused(db, tmp_path):
    with pytest.raises(statline.CbsFileError, match="Het bestand is leeg"):
        statline.read_csv(b"\r\n", "81955NED.csv")
    path = tmp_path / "81955NED.csv"
    path.write_text('"ID";"Gebruiksfunctie";"RegioS";"Perioden";"Sloop_4"\r\n"0";"A045364";"GM0363";"2018JJ00";"1"\r\n')
    with pytest.raises(CommandError, match="Geen kolom Nieuwbouw"):
        run("import", str(path))
    other = tmp_path / "99999NED.csv"
    other.write_text(V1.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CommandError, match="Onbekende CBS-tabel"):
        run("import", str(other))
    with pytest.raises(CommandError, match="geen registratiebestand"):
        (tmp_path / "notes.txt").write_text("hallo\n")
        run("import", str(tmp_path / "notes.txt"))
    assert not CbsRelease.objects.exists()


def test_releases_and_figures_are_append_only(db):
    importer.import_file(V1)
    release = CbsRelease.objects.get()
    figure = CbsFigure.objects.first()
    figure.nieuwbouw = 1
    with pytest.raises(AppendOnlyError):
        figure.save()
    with pytest.raises(AppendOnlyError):
        CbsFigure.objects.filter(pk=figure.pk).update(nieuwbouw=1)
    with pytest.raises(AppendOnlyError):
        release.delete()
    for sql in (
        "UPDATE cbs_cbsfigure SET nieuwbouw = 1",
        "DELETE FROM cbs_cbsrelease",
        "UPDATE cbs_cbsrelease SET number = 9",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert CbsFigure.objects.filter(nieuwbouw=1).count() == 0


# --- the API JSON (recorded) and the online path -----------------------------------------------------------------
def test_the_recorded_api_answer_imports_with_the_tables_modified_date(db, tmp_path):
    out = run("import", str(RECORDED))
    assert "CBS 81955NED (api): 20 cijfers" in out and "(publicatie van 29-11-2024)" in out
    release = CbsRelease.objects.get()
    assert (release.source, release.release_date_basis) == ("api", "api")
    assert figures.new_build("NL", [2018]) == {2018: 6270}
    assert "Deze cijfers zijn al geïmporteerd" in run("import", str(V1))  # the CSV of the same release


class Answer(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_cbs_fetch_follows_the_pages_and_imports(db, monkeypatch, tmp_path):
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    rows = recorded["TypedDataSet"]["value"]
    pages = {
        "TableInfos": recorded["TableInfos"],
        "TypedDataSet?": {"value": rows[:12], "odata.nextLink": "https://opendata.cbs.nl/next-page"},
        "next-page": {"value": rows[12:]},
    }
    asked = []

    def opener(url, timeout):
        asked.append(url)
        key = next(k for k in pages if k in url)
        return Answer(json.dumps(pages[key]).encode())

    monkeypatch.setattr("urllib.request.urlopen", opener)
    out = run("cbs-fetch", "81955ned", "--bewaar", str(tmp_path / "antwoord.json"))
    assert "Gebruiksfunctie+eq+%27A045364%27" in asked[1] and len(asked) == 3
    assert "als 81955NED versie 1 (publicatie van 29-11-2024)" in out
    assert CbsRelease.objects.get().source == "api" and CbsFigure.objects.count() == 20
    saved = json.loads((tmp_path / "antwoord.json").read_text(encoding="utf-8"))
    assert len(saved["TypedDataSet"]["value"]) == 20


def test_cbs_fetch_offline_is_a_clear_dutch_error(db, monkeypatch):
    def offline(url, timeout):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(CommandError, match="De CBS-open-data-API .* is niet bereikbaar.*importeer die met"):
        run("cbs-fetch", "81955NED", "--dry-run")
    with pytest.raises(CommandError, match="Onbekende CBS-tabel 'XYZ'"):
        run("cbs-fetch", "xyz")
    assert not CbsRelease.objects.exists()


def test_the_import_dispatches_on_the_kind_of_file(tmp_path):
    assert registraties.detect_kind(V1) == "cbs" and registraties.detect_kind(RECORDED) == "cbs"
    assert registraties.detect_kind(LABELS) == "cbs"
    zipped = tmp_path / "0221PND15092020.zip"
    shutil.make_archive(str(zipped.with_suffix("")), "zip", DATA)
    assert registraties.detect_kind(zipped) == "bag"
    (tmp_path / "x.csv").write_text("a;b\n1;2\n")
    assert registraties.detect_kind(tmp_path / "x.csv") is None
    assert set(registraties.IMPORTERS) >= {"cbs", "bag"}


# --- the API ------------------------------------------------------------------------------------------------------
def test_api_releases_and_new_build(client, db):
    importer.import_file(V1)
    importer.import_file(V2)
    listed = client.get("/api/v1/cbs-releases").json()
    assert [(r["table_id"], r["number"], r["release_date"]) for r in listed] == [
        ("81955NED", 1, "2024-11-29"),
        ("81955NED", 2, "2025-03-15"),
    ]
    detail = client.get(f"/api/v1/cbs-releases/{listed[0]['id']}").json()
    assert detail["mapping"][0]["voormalig"] == "GM0393" and detail["counts"]["cijfers"] == 20
    answer = client.get("/api/v1/cbs-nieuwbouw?gebied=GM0394&jaar=2018-2019").json()
    assert answer["area"]["code"] == "GM0394" and answer["years"] == {"2018": 1240, "2019": 1520}
    assert answer["releases"]["2019"][0]["number"] == 2
    first = client.get(f"/api/v1/cbs-nieuwbouw?gebied=GM0394&jaar=2019&release={listed[0]['id']}").json()
    assert first["years"] == {"2019": 1500}
    assert client.get("/api/v1/cbs-nieuwbouw").json()["years"] == {"2018": 6270, "2019": 7520, "2020": 5500}


@pytest.mark.parametrize(
    ("url", "status", "kind"),
    [
        ("/api/v1/cbs-nieuwbouw?gemeente=GM0363", 400, "ongeldige-invoer"),
        ("/api/v1/cbs-releases?page=2", 400, "ongeldige-invoer"),
        ("/api/v1/cbs-nieuwbouw?jaar=twintig", 400, "ongeldige-invoer"),
        ("/api/v1/cbs-nieuwbouw?jaar=2020-2018", 400, "ongeldige-vraag"),
        ("/api/v1/cbs-nieuwbouw?gebied=Atlantis", 400, "onbekend-gebied"),
        ("/api/v1/cbs-nieuwbouw?release=999", 404, "niet-gevonden"),
        ("/api/v1/cbs-releases/999", 404, "niet-gevonden"),
    ],
)
def test_api_errors_are_problems(client, db, url, status, kind):
    answer = client.get(url)
    assert answer.status_code == status and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/" + kind)


# --- property: the stored yearly figures are the file's -------------------------------------------------------------
CODES = ["GM0363", "GM0393", "GM0394", "GM0788", "GM0344", "GM0457", "GM1671"]
SUCCESSOR = {"GM0393": "GM0394", "GM0457": "GM0363"}  # GM0788 Haaren and GM1671 Maasdonk: split, own code


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.tuples(st.sampled_from(CODES), st.sampled_from([2014, 2015])),
        st.one_of(
            st.integers(0, 9999),
            st.tuples(st.integers(0, 999), st.integers(0, 999), st.integers(0, 999), st.integers(0, 999)),
        ),
        min_size=1,
    )
)
def test_stored_yearly_totals_equal_the_files_per_region_code(db, data):
    lines, n = [], 0
    for (code, year), value in sorted(data.items()):
        if isinstance(value, int):
            lines.append(row(n, code.ljust(10), f"{year}JJ00", value))
            n += 1
        else:
            for quarter, part in enumerate(value, start=1):
                lines.append(row(n, code.ljust(10), f"{year}KW0{quarter}", part))
                n += 1
    raw = "\r\n".join([HEADER, *lines]).encode()
    result = importer.store(
        statline.read_csv(raw, "81955NED.csv"),
        "81955NED.csv",
        importer.hashlib.sha256(raw).hexdigest(),
        "csv",
        dry_run=False,
        author="hypothesis",
    )
    for year in (2014, 2015):
        expected: dict = {}
        for (code, y), value in data.items():
            if y == year:
                key = SUCCESSOR.get(code, code)
                expected[key] = expected.get(key, 0) + (value if isinstance(value, int) else sum(value))
        assert figures.new_build_by_municipality(year, release=result.release) == dict(sorted(expected.items()))


def test_other_cbs_levels_are_kept_as_totals_with_a_warning(db, tmp_path):
    path = write(tmp_path, "81955NED.csv", [row(1, "CR23  ", "2018JJ00", "900"), row(2, "GM0363    ", "2018JJ00", "5")])
    reading = statline.read_file(path)
    corop = next(f for f in reading.figures if f.region == "CR23")
    assert corop.mapped.kind == "overig" and corop.mapped.municipality == ""
    assert any("bewaard als totaal: CR23" in n for n in reading.notices)
    assert importer.summarise(reading).years[2018]["gemeenten"] == 5  # a total is no municipality's figure
    with pytest.raises(statline.CbsFileError, match="rij 2, kolom RegioS, waarde 'PV99'"):
        statline.read_file(write(tmp_path, "81955NED_pv.csv", [row(1, "PV99  ", "2018JJ00", "900")]))


# --- a whole-period extract with reorganisations (issue #18's held-back check, in its shape; h18) --------------
REORGANISED = DATA / "81955NED_UntypedDataSet_01032021_091500.csv"
# 81955NED_UntypedDataSet_01032021_091500.csv, as the open-data portal writes it (UTF-8 with BOM, CRLF, every cell
# quoted, region codes and values padded with spaces, '.' unknown, '' where a region did not exist): every region
# for every year 2012-2020 (nieuwbouw of Woningen; real codes and dates from gemeentelijke_indeling.csv):
#   GM0003 Appingedam 10, GM0010 Delfzijl 20, GM0024 Loppersum 5 every year   → GM1979 Eemsdelta (2021): 35 a year
#   GM0005 Bedum 30 (2012-2018)                                               → GM1966 Het Hogeland (2019): 100, 120
#   GM0053 Winsum 7 (2012-2018): split 2019 over Het Hogeland and Westerkwartier, stays GM0053
#   GM0051 Skarsterlân 11 (2012-2013), GM1921 De Friese Meren 40 (2014; renamed 1-7-2015) → GM1940 De Fryske
#     Marren 50 (2015-2020): 11, 11, 40, 50, …
#   GM0363 Amsterdam 4000 + 100 per year after 2012 (2020 also as four quarters: the year row counts), GM0457 Weesp
#     60 a year → Amsterdam: 4060, 4160, …, 4860 (40.140 in all)
#   GM0788 Haaren 3 a year, '.' in 2016: split 2021, stays GM0788
#   NL01 = the municipalities' sum: 4146, 4246, 4375, 4485, 4582, 4685, 4785, 4948, 5068; PV20 2012 only (72)
# Empty cells of municipalities that did not exist (wholly): 2012-2013 GM1921, GM1940, GM1966, GM1979; 2014-2018
# GM0051, GM1921 (2015: renamed mid-year) / GM1940 (2014), GM1966, GM1979; 2019-2020 also GM0005 and GM0053 → 5.
REORGANISED_YEARS = {2012: 4146, 2013: 4246, 2014: 4375, 2015: 4485, 2016: 4582, 2017: 4685, 2018: 4785,
                     2019: 4948, 2020: 5068}  # fmt: skip
REORGANISED_PER_MUNICIPALITY = {
    "GM0363": dict(zip(range(2012, 2021), range(4060, 4861, 100), strict=True)),
    "GM1966": {**dict.fromkeys(range(2012, 2019), 30), 2019: 100, 2020: 120},
    "GM1940": {2012: 11, 2013: 11, 2014: 40, **dict.fromkeys(range(2015, 2021), 50)},
    "GM1979": dict.fromkeys(range(2012, 2021), 35),
    "GM0053": dict.fromkeys(range(2012, 2019), 7),
    "GM0788": {**dict.fromkeys(range(2012, 2021), 3), 2016: 0},
}


def test_a_whole_period_extract_lists_the_mapping_with_the_figures_moved_and_stores_the_files_sums(db):
    dry = run("import", str(REORGANISED), "--dry-run", "--all")
    assert not CbsRelease.objects.exists() and "Proefimport: 139 cijfers zouden 81955NED versie 1 worden" in dry
    for year, total in REORGANISED_YEARS.items():
        assert f"  {year}  {number(total):>9}   NL01 {number(total):>9}  klopt" in dry
    assert "  GM0003 Appingedam → GM1979 Eemsdelta (2012 10, 2013 10, 2014 10, 2015 10, 2016 10, 2017 10, 2018 10, " \
           "2019 10, 2020 10; totaal 90)" in dry  # fmt: skip
    assert "  GM0051 Skarsterlân → GM1940 De Fryske Marren (2012 11, 2013 11; totaal 22)" in dry
    assert "  GM1921 De Friese Meren → GM1940 De Fryske Marren (2014 40; totaal 40)" in dry
    assert "  GM0457 Weesp → GM0363 Amsterdam (2012 60, 2013 60, 2014 60, 2015 60, 2016 60, 2017 60, 2018 60, " \
           "2019 60, 2020 60; totaal 540)" in dry  # fmt: skip
    assert "GM0053 Winsum: gesplitst over GM1966 Het Hogeland, GM1969 Westerkwartier" in dry and "totaal 49)" in dry
    assert "  GM0363 Amsterdam" in dry and "totaal 40.140" in dry
    # only Haaren's '.' is a missing figure; the empty cells of reorganised municipalities are a note, no warning
    assert [line for line in dry.splitlines() if line.startswith("waarschuwing")] == [
        "waarschuwing: 2016: 1 gemeente zonder cijfer ('.'), als 0 opgeteld."
    ]
    assert "2012: 4 lege cellen van gemeenten die dat jaar niet (heel) bestonden (herindeling); overgeslagen." in dry
    assert "2019: 5 lege cellen van gemeenten die dat jaar niet (heel) bestonden (herindeling); overgeslagen." in dry
    out = run("import", str(REORGANISED))
    assert "139 cijfers opgeslagen als 81955NED versie 1 (publicatie van 01-03-2021)." in out
    for year, total in REORGANISED_YEARS.items():
        expected = {code: by_year[year] for code, by_year in REORGANISED_PER_MUNICIPALITY.items() if year in by_year}
        assert figures.new_build_by_municipality(year) == dict(sorted(expected.items()))
        assert figures.new_build("NL", [year]) == {year: total}
    assert figures.new_build("Eemsdelta", range(2012, 2021)) == dict.fromkeys(range(2012, 2021), 35)
    assert figures.new_build("PV20", [2019]) == {2019: 135}  # Eemsdelta 35 + Het Hogeland 100 (Winsum gone)
    release = CbsRelease.objects.get()
    assert [m["voormalig"] for m in release.mapping] == ["GM0003", "GM0005", "GM0010", "GM0024", "GM0051", "GM0053",
                                                         "GM0457", "GM0788", "GM1921"]  # fmt: skip
    assert release.mapping[1]["verplaatst"] == {str(y): 30 for y in range(2012, 2019)}


def test_a_revised_whole_period_extract_is_a_new_dated_release_beside_the_first(db, tmp_path):
    run("import", str(REORGANISED))
    revised = REORGANISED.read_bytes().replace(b'"GM0363    ";"2020JJ00";"      1000";"      4800"',
                                               b'"GM0363    ";"2020JJ00";"      1000";"      4850"')  # fmt: skip
    assert revised != REORGANISED.read_bytes()
    path = tmp_path / "81955NED_UntypedDataSet_15062021_080000.csv"
    path.write_bytes(revised)
    out = run("import", str(path))
    assert "als 81955NED versie 2 (publicatie van 15-06-2021)" in out
    assert "VERSCHIL" in out  # NL01 still says 5068, the municipalities now 5118
    assert [(r.number, r.release_date.isoformat()) for r in CbsRelease.objects.order_by("number")] == [
        (1, "2021-03-01"), (2, "2021-06-15")]  # fmt: skip
    assert figures.new_build("GM0363", [2020]) == {2020: 4910}  # the newer release: 4850 + Weesp 60
    first = CbsRelease.objects.get(number=1)
    assert figures.new_build("GM0363", [2020], release=first) == {2020: 4860}


def test_the_table_views_csv_with_its_title_units_row_and_source_line_in_windows_1252(db, tmp_path):
    """StatLine's table view writes the title above the header, a row of units under it and 'Bron: CBS' at the
    end; the title holds ';' and ','. It was 'geen registratiebestand', and then 'Het bestand is leeg.'"""
    lines = LABELS.read_text(encoding="utf-8").splitlines()
    text = "\r\n".join([
        '"Voorraad woningen en niet-woningen; mutaties, gebruiksfunctie, regio"', lines[0],
        '"";"";"";"aantal";"aantal";"aantal";"aantal";"aantal";"aantal";"aantal";"aantal"', *lines[1:4],
        '"Woningen";"Utrecht (PV)";"2018";"1";"2";"3";"4";"5";"6";"7";"8"',
        '"Bron: CBS"', ""])  # fmt: skip
    path = tmp_path / "Voorraad_woningen_en_niet_woningen.csv"
    path.write_bytes(text.encode("cp1252"))
    out = run("import", str(path), "--tabel", "81955NED", "--dry-run")
    assert "CBS 81955NED (labels): 4 cijfers voor Woningen gelezen" in out
    assert "De eerste 1 regel(s) vóór de kop overgeslagen (titel van de tabel)." in out
    bad = path.read_bytes().replace(b'"Amsterdam"', b'"Amsterdm"')
    path.write_bytes(bad)
    with pytest.raises(CommandError) as refused:
        run("import", str(path), "--tabel", "81955NED")
    assert "rij 6, kolom Regio's, waarde 'Amsterdm': Onbekende regio" in str(refused.value)
    assert not CbsRelease.objects.exists()


def test_another_statline_table_is_named_as_such(db, tmp_path):
    path = tmp_path / "03759NED_UntypedDataSet_01032021_091500.csv"
    path.write_text('"ID";"Geslacht";"RegioS";"Perioden";"BevolkingOp1Januari_1"\r\n'
                    '"0";"T001038";"GM0363    ";"2019JJ00";"862965"\r\n', encoding="utf-8")  # fmt: skip
    with pytest.raises(CommandError) as refused:
        run("import", str(path), "--dry-run")
    assert str(refused.value) == (
        "03759NED_UntypedDataSet_01032021_091500.csv niet geïmporteerd, er is niets opgeslagen:\n"
        "- waarde '03759NED': Onbekende CBS-tabel; bekend zijn: 81955NED, 86098NED."
    )


def test_the_rows_cbsodata_returns_saved_as_json_import_as_labels(db, tmp_path):
    """`cbsodata.get_data("81955NED")` gives a list of rows with the dimensions as labels (the package's
    documented behaviour: codes replaced by their Title). Saved with json.dump, that list imports; it was refused as
    'Geen CBS-API-antwoord'. Figures as V1's 2018: Amsterdam 5000, Haarlemmerliede en Spaarnwoude 40 →
    Haarlemmermeer 1200 + 40, Nederland 6270 (with Haaren 30)."""
    rows = [
        {"ID": n, "Gebruiksfunctie": "Woningen", "RegioS": region, "Perioden": "2018", "BeginstandVoorraad_1": 1,
         "Nieuwbouw_2": value, "OverigeToevoeging_3": 0, "Sloop_4": 0, "OverigeOnttrekking_5": 0, "Correctie_6": None,
         "SaldoVoorraad_7": value, "EindstandVoorraad_8": 1 + value}
        for n, (region, value) in enumerate([("Nederland", 6270), ("Amsterdam", 5000),
                                             ("Haarlemmerliede en Spaarnwoude", 40), ("Haarlemmermeer", 1200),
                                             ("Haaren", 30)])
    ]  # fmt: skip
    path = tmp_path / "81955NED_cbsodata_2024-11-29.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    out = run("import", str(path))
    assert "CBS 81955NED (labels): 5 cijfers voor Woningen gelezen" in out
    assert "  2018      6.270   NL01     6.270  klopt" in out
    assert "GM0393 Haarlemmerliede en Spaarnwoude → GM0394 Haarlemmermeer (2018 40; totaal 40)" in out
    assert figures.new_build_by_municipality(2018) == {"GM0363": 5000, "GM0394": 1240, "GM0788": 30}
    assert CbsRelease.objects.get().release_date.isoformat() == "2024-11-29"
