"""The plan-list cases of shared/cases/ingest (copied to tests/data/cases), each with the expected result
its README computed independently of the product, through the real entry point (`bouwregie import`).

Cases 05 and 06 (geometry) are in test_cases_geometry.py, case 08 (monitor of an open peiling) in
test_monitor_open_peiling.py.
"""

import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bouwregie.ingest.models import ImportRun
from bouwregie.projects import services
from bouwregie.projects.models import ExternalId, Project, ProjectVersion

pytestmark = pytest.mark.django_db
CASES = Path(__file__).parent / "data" / "cases"


def cli_import(name: str, *options: str, source: str = "case") -> ImportRun:
    """`bouwregie import` from the cases folder; a refusal (CommandError) is returned as its log entry."""
    try:
        call_command("import", str(CASES / name), "--source", source, *options, stdout=StringIO())
    except CommandError:
        pass
    return ImportRun.objects.latest("id")


def stored_by_external_id(source: str = "case") -> dict:
    ids = dict(ExternalId.objects.filter(source=source).values_list("project_id", "external_id"))
    return {ids[pid]: data for pid, (_n, data) in services.current_data(ids).items()}


def warnings(run: ImportRun) -> list[dict]:
    return [p for p in run.problems if p["severity"] == "waarschuwing"]


def errors(run: ImportRun) -> list[dict]:
    return [p for p in run.problems if p["severity"] == "fout"]


def homes(data) -> int:
    return sum(sum(t.values()) for t in data.homes.values())


# --- 01: a negative period column netted against the rest of the row -----------------------------------------
def test_case_01_both_rows_alike_and_every_message_names_the_files_own_cell():
    run = cli_import("01-negative-period-netted.csv", "--profile", str(CASES / "01-negative-period-netted.toml"))
    assert run.status == "geslaagd" and run.counts["rejected"] == 0
    assert [(p["row"], p["column"], p["value"]) for p in run.problems] == [
        (2, "z2020-2024", "-21"),
        (3, "z2020-2024", "-21"),
    ]
    assert all("phasing" not in p["column"] and "-4" not in p["reason"] for p in run.problems)
    stored = stored_by_external_id()
    assert homes(stored["A"]) == homes(stored["B"]) == 51
    # A: 72 − 21 = 51 in 2020–2024, spread evenly with the remainder to the earliest year; B: −21 nets to 0.
    assert stored["A"].phasing == {"2020": 11, "2021": 10, "2022": 10, "2023": 10, "2024": 10}
    assert stored["B"].phasing == {}


# --- 02: CBS StatLine spellings ------------------------------------------------------------------------------
def test_case_02_cbs_statline_spellings_resolve():
    run = cli_import("02-cbs-gemeente-suffix.csv", "--dry-run")
    assert run.status == "proef" and (run.counts["valid"], run.counts["homes"]) == (4, 185)
    assert {code: row["homes"] for code, row in run.by_municipality.items()} == {
        "GM0344": 110,
        "GM0014": 50,
        "GM0518": 25,
    }


def test_case_02_a_region_stays_refused(tmp_path):
    path = tmp_path / "regio.csv"
    path.write_text("plan_id;plannaam;gemeente;restcapaciteit\n1;Voorbeeldplan;Utrecht (regio);10\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import", str(path), "--source", "c02", stdout=StringIO())
    (error,) = errors(ImportRun.objects.latest("id"))
    assert error["value"] == "Utrecht (regio)" and "geen gemeente" in error["reason"]
    assert Project.objects.count() == 0


# --- 03: a group row above the header ------------------------------------------------------------------------
def test_case_03_with_its_profile_the_header_under_the_group_row_is_found():
    run = cli_import("03-two-row-header.xlsx", "--profile", str(CASES / "03-two-row-header.toml"), "--dry-run")
    assert run.status == "proef" and (run.counts["valid"], run.counts["homes"]) == (2, 14_019)
    assert any("--header-row" in p["reason"] for p in run.problems)  # the message names the option


def test_case_03_without_a_profile_the_aggregated_layout_splits_hard_and_soft():
    run = cli_import("03-two-row-header.xlsx")
    assert run.profile == "plancapaciteit_per_gemeente" and run.status == "geslaagd"
    counts = run.counts
    assert (counts["homes"], counts["hard"], counts["soft"], counts["unknown"]) == (14_019, 3_323 + 328, 10_316 + 52, 0)
    stored = stored_by_external_id()
    assert sorted(stored) == ["14-hard", "14-zacht", "37-hard", "37-zacht"]
    assert (stored["14-hard"].plan_status, homes(stored["14-hard"])) == ("hard", 3_323)
    assert (stored["37-zacht"].plan_status, homes(stored["37-zacht"])) == ("zacht", 52)
    assert stored["37-zacht"].municipality == "GM0037" and sum(stored["37-zacht"].phasing.values()) == 52


def test_case_03_the_header_row_can_be_chosen(tmp_path):
    run = cli_import("03-two-row-header.xlsx", "--header-row", "2", "--profile", str(CASES / "03-two-row-header.toml"))
    assert run.counts["homes"] == 14_019
    refused = cli_import("03-two-row-header.xlsx", "--header-row", "9", "--dry-run")
    assert refused.status == "geweigerd" and "Kopregel 9 bestaat niet" in refused.message


# --- 04: a pattern without housing type ----------------------------------------------------------------------
def test_case_04_a_segment_pattern_counts_each_column_once():
    run = cli_import("04-segment-pattern-triple.csv", "--profile", str(CASES / "04-segment-pattern-triple.toml"))
    assert run.counts["homes"] == 45
    assert {code: row["homes"] for code, row in run.by_municipality.items()} == {"GM0344": 35, "GM0307": 10}
    assert stored_by_external_id()["P1"].homes == {
        "sociale_huur": {"onbekend": 10},
        "middenhuur": {"onbekend": 5},
        "dure_koop": {"onbekend": 20},
    }


def test_case_04_a_profile_that_counts_one_column_twice_is_refused_with_the_reason(tmp_path):
    profile = tmp_path / "dubbel.toml"
    profile.write_text(
        'name = "dubbel"\n[fields]\nexternal_id = ["plan_id"]\nname = ["plannaam"]\nmunicipality = ["gemeente"]\n'
        '[housing_types]\ngrondgebonden = ["sociale huur"]\ngestapeld = ["sociale huur"]\n',
        encoding="utf-8",
    )
    run = cli_import("04-segment-pattern-triple.csv", "--profile", str(profile))
    assert run.status == "geweigerd" and Project.objects.count() == 0
    assert "kolom 'sociale huur' als grondgebonden, gestapeld" in run.message


# --- 07: nothing valid is a refusal, also when partial imports are allowed -------------------------------------
def test_case_07_allow_partial_with_no_valid_row_is_a_refusal_and_exits_non_zero():
    with pytest.raises(CommandError):
        call_command("import", str(CASES / "07-allow-partial-nothing-valid.csv"), "--source", "c07", "--allow-partial",
                     stdout=StringIO())  # fmt: skip
    run = ImportRun.objects.latest("id")
    assert run.status == "geweigerd" and run.counts["valid"] == 0 and Project.objects.count() == 0


# --- 09: the provincial IPO layout, recognised without a profile ----------------------------------------------
EXPECTED_09 = {  # README: 7 plans, 275 homes; per municipality (Bergen told apart by the Provincie column)
    "GM0373": 40,  # Bergen (NH.)
    "GM0893": 25,  # Bergen (L.)
    "GM1980": 73,  # Dijk en Waard (Heerhugowaard)
    "GM0363": 120,  # Amsterdam (Weesp)
    "GM0080": 12,  # Leeuwarden (Leeuwarderadeel)
    "GM0193": 0,  # Zwolle
    "GM0599": 5,  # Rotterdam
}


@pytest.mark.parametrize("name", ["09-ipo-provinciaal.shp", "09-ipo-provinciaal.csv"])
def test_case_09_the_ipo_layout_gives_the_lists_own_totals(name):
    run = cli_import(name)
    assert run.profile == "ipo" and run.status == "geslaagd" and run.counts["rejected"] == 0
    assert "IPO" in run.counts["layout"]
    c = run.counts
    assert (c["plans"], c["homes"], c["hard"], c["soft"], c["unknown"], c["demolitions"]) == (7, 275, 118, 145, 12, 129)
    assert {code: row["homes"] for code, row in run.by_municipality.items()} == EXPECTED_09
    stored = list(stored_by_external_id().values())
    by_hardness = {}
    for data in stored:
        kind = {"1A": "hard", "1C": "hard", "2C": "hard", "3": "zacht", "4B": "zacht"}.get(data.plan_status, "onbekend")
        by_hardness[kind] = by_hardness.get(kind, 0) + 1
    assert by_hardness == {"hard": 4, "zacht": 2, "onbekend": 1}


def test_case_09_real_world_mess_is_a_warning_with_the_rule_never_a_refusal():
    run = cli_import("09-ipo-provinciaal.shp", "--dry-run")
    found = {(p["row"], p["column"]): p["reason"] for p in warnings(run)}
    assert not errors(run)
    assert "negatief getal" in found[(None, "Sloop")] and "(rijen 2, 3, 6)" in found[(None, "Sloop")]
    assert "meer dan het totaal (73)" in found[(3, "WTYPGGB + WTYPAPP")]  # 30 + 50 types of 73
    assert "meer dan het totaal (73)" in found[(3, "HUUR + KOOP")]
    assert "Fasering (10) is meer dan het totaal (5)" in found[(7, "OP202024 + Op202529")]
    assert "Alleen een jaar" in found[(2, "datum")]
    assert "alleen sloop" in found[(6, "Plantype")]
    assert "geen id" in found[(None, "ET_ID")]


def test_case_09_the_rules_applied_are_stored_and_a_reimport_changes_nothing():
    cli_import("09-ipo-provinciaal.shp")
    stored = stored_by_external_id()
    polder, haven = stored["3"], stored["7"]
    # 30 + 50 types scaled to 73: 27.375 + 45.625 → 27 + 46; huur 40 + koop 40 → 36.5 + 36.5 → 37 + 36
    assert polder.homes == {"onbekend": {"grondgebonden": 27, "gestapeld": 46}} and polder.demolitions == 100
    assert polder.tenure == {"huur": 37, "koop": 36}
    # 5 + 5 over two periods scaled to 5: 3 in 2020–2024 (1, 1, 1 and two years with 0) and 2 in 2025–2029
    assert haven.phasing == {"2020": 1, "2021": 1, "2022": 1, "2025": 1, "2026": 1}
    assert stored["2"].source_info["peildatum"] == "2020" and stored["1"].source_info["peildatum"] == "2020-05-20"
    versions = ProjectVersion.objects.count()
    again = cli_import("09-ipo-provinciaal.shp")
    assert (again.counts["unchanged"], again.counts["changed"], again.counts["new"]) == (7, 0, 0)
    assert ProjectVersion.objects.count() == versions


def test_ipo_repeated_ids_are_refused_by_row_not_a_reason_to_switch_the_key(tmp_path):
    """Keying the list on OBJECTID because one ET_ID repeats would make the next, corrected delivery match
    nothing and double every plan: the repeated id refuses its rows, naming the others."""
    lines = (CASES / "09-ipo-provinciaal.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(";") for line in lines]
    for n, row in enumerate(rows[1:], start=1):
        row[1] = f"E{min(n, 6)}"  # ET_ID: E1 … E6, E6
    path = tmp_path / "ipo.csv"
    path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    run = cli_import(str(path))
    assert run.status == "geweigerd" and Project.objects.count() == 0
    assert [(p["row"], p["value"], p["reason"]) for p in errors(run)] == [
        (7, "E6", "Id komt ook voor in rij 8."),
        (8, "E6", "Id komt ook voor in rij 7."),
    ]


def test_ipo_a_fractional_count_is_rounded_with_a_warning_not_a_refusal_of_the_list(tmp_path):
    lines = (CASES / "09-ipo-provinciaal.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(";") for line in lines]
    rows[7][7] = "4,5"  # Aantalrest of the last plan (Rotterdam, 5)
    path = tmp_path / "ipo.csv"
    path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    run = cli_import(str(path))
    assert run.status == "geslaagd" and run.counts["homes"] == 275  # 4,5 rounded half up: 5
    (rounded,) = [p for p in warnings(run) if p["column"] == "Aantalrest"]
    assert (rounded["row"], rounded["value"]) == (8, "4,5")  # file line 8 and "afgerond op 5" in rounded["reason"]


def test_case_09_a_zipped_shapefile_reads_the_same(tmp_path):
    archive = tmp_path / "ipo.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for part in ("shp", "shx", "dbf", "prj", "cpg"):
            z.write(CASES / f"09-ipo-provinciaal.{part}", f"09-ipo-provinciaal.{part}")
    run = cli_import(str(archive), "--dry-run")
    assert (run.profile, run.counts["homes"], run.counts["hard"]) == ("ipo", 275, 118)


# --- 10: a split former municipality resolved by the place ----------------------------------------------------
def test_case_10_winsum_by_place_and_refused_with_both_options_without_one():
    run = cli_import("10-winsum-split.csv", "--allow-partial")
    stored = stored_by_external_id()
    assert stored["W1"].municipality == "GM1966" and stored["W2"].municipality == "GM1969"  # Het Hogeland, Westerkw.
    assert "W3" not in stored
    (error,) = errors(run)
    assert error["row"] == 4 and "Het Hogeland" in error["reason"] and "Westerkwartier" in error["reason"]
