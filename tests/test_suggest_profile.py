"""`bouwregie import FILE --suggest-profile` (issue 15): a draft profile from the headers of an unknown
layout, which the importer accepts unchanged. Expected meanings are read off the headers by hand
(IPO layout: shared/cases/ingest/README.md, case 09)."""

import csv
import tomllib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bouwregie.ingest import profiles
from bouwregie.ingest.readers import read_table
from bouwregie.ingest.suggest import _period, draft

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases" / "ingest"
IPO_CSV = CASES / "09-ipo-provinciaal.csv"

MUNICIPAL = [
    ["Projectnummer", "Projectnaam", "Gemeente", "Aantal woningen", "Sociale huur", "Middenhuur", "Koop",
     "Start bouw", "Oplevering"],
    ["ZU-001", "Voorbeeldplan Noorderhaven", "Zutphen", "40", "10", "8", "12", "01-03-2026", "2027-06-30"],
    ["ZU-002", "Voorbeeldplan De Mars", "Zutphen", "25", "0", "5", "20", "2026-09-01", "2028-03-31"],
    ["LO-001", "Voorbeeldplan Kerkstraat", "Lochem", "12", "12", "0", "0", "", "2027-12-31"],
]  # fmt: skip

ENGLISH = [
    ["Project ID", "Project name", "Municipality", "Province", "Status", "Number of homes", "Social rent",
     "Start construction", "Notes", "Architect"],
    ["A-1", "Harbour block", "Utrecht", "Utrecht", "1A", "120", "40", "2026-01-01", "", "Studio X"],
    ["A-2", "Station square", "Amersfoort", "Utrecht", "3", "60", "0", "2027-01-01", "phase 2", "Studio Y"],
]  # fmt: skip


def ipo_rows():
    with IPO_CSV.open(encoding="utf-8") as f:
        lines = list(csv.reader(f, delimiter=";"))
    return lines[0], lines[1:]


def parsed(tmp_path, suggestion):
    """The draft as the importer reads it: valid TOML, accepted by profiles._parse unchanged."""
    tomllib.loads(suggestion.toml)
    path = tmp_path / "concept.toml"
    path.write_text(suggestion.toml, encoding="utf-8")
    return profiles._parse(path)


def columns_of(binding, mapping):
    return {key: binding.columns[i] for key, i in mapping.items()}


def test_ipo_layout_gives_a_usable_draft(tmp_path):
    columns, rows = ipo_rows()
    suggestion = draft("ipo-concept", IPO_CSV.name, columns, rows)
    binding = parsed(tmp_path, suggestion).bind(columns)
    assert binding.missing() == []
    assert binding.unused == []  # every column is bound or listed under informational
    assert columns_of(binding, binding.fields) == {
        "external_id": "OBJECTID",  # ET_ID is 0 on every row: not an identifier
        "province": "Provincie",
        "municipality": "Gem_naam",
        "name": "Plannaam",
        "plan_type": "Plantype",
        "plan_status": "Planstatus",
        "plan_status_legend": "PSlegenda",
        "homes_total": "Aantalrest",
        "demolitions": "Sloop",
        "reference_date": "datum",
    }
    assert columns_of(binding, binding.housing_types) == {
        "grondgebonden": "WTYPGGB",
        "gestapeld": "WTYPAPP",
        "onbekend": "WTYPONB",
    }
    assert columns_of(binding, binding.tenure) == {"huur": "HUUR", "koop": "KOOP", "onbekend": "HRKPONB"}
    assert [(binding.columns[i], p.first, p.last) for p, i in binding.periods] == [
        ("OP2019", 2019, 2019),
        ("OP202024", 2020, 2024),
        ("Op202529", 2025, 2029),
        ("Op20302050", 2030, 2050),
        ("OPLONB", None, None),
    ]
    profile = parsed(tmp_path, suggestion)
    assert set(profile.informational) == {"ET_ID", "schatting"}
    text = suggestion.toml
    assert "# 'Gem_naam' → municipality (zeker)" in text
    assert "\"schatting\",  # 'schatting' → niet herkend: controleer" in text
    assert "# 'ET_ID' → niet herkend: controleer (lijkt op external_id" in text  # all zero: no id
    assert text.startswith("# Conceptprofiel voor '09-ipo-provinciaal.csv'")


def test_ipo_draft_does_not_need_a_shipped_ipo_profile(tmp_path, monkeypatch):
    """The suggester's own vocabulary knows the IPO abbreviations: with only the standard template
    shipped, the draft still binds everything the importer requires."""
    only_standard = {"standaard": profiles.SHIPPED / "standaard.toml"}
    monkeypatch.setattr(profiles, "profile_paths", lambda: only_standard)
    columns, rows = ipo_rows()
    binding = parsed(tmp_path, draft("ipo", IPO_CSV.name, columns, rows)).bind(columns)
    assert binding.missing() == []
    assert columns_of(binding, binding.fields)["homes_total"] == "Aantalrest"
    assert columns_of(binding, binding.fields)["municipality"] == "Gem_naam"
    assert len(binding.periods) == 5 and len(binding.housing_types) == 3 and len(binding.tenure) == 3


def test_municipal_list_with_dutch_headers(tmp_path):
    columns, rows = MUNICIPAL[0], MUNICIPAL[1:]
    suggestion = draft("gemeente", "planlijst.csv", columns, rows)
    binding = parsed(tmp_path, suggestion).bind(columns)
    assert binding.missing() == [] and binding.unused == []
    assert columns_of(binding, binding.fields) == {
        "external_id": "Projectnummer",
        "name": "Projectnaam",
        "municipality": "Gemeente",
        "homes_total": "Aantal woningen",
    }
    assert columns_of(binding, binding.segments) == {"sociale_huur": "Sociale huur", "middenhuur": "Middenhuur"}
    assert columns_of(binding, binding.tenure) == {"koop": "Koop"}
    assert columns_of(binding, binding.milestones) == {
        ("start_bouw", "planned"): "Start bouw",
        ("oplevering", "planned"): "Oplevering",
    }
    assert "round_fractions" not in suggestion.toml  # whole numbers only


def test_english_headers_and_unknown_columns(tmp_path):
    columns, rows = ENGLISH[0], ENGLISH[1:]
    suggestion = draft("english", "plans.csv", columns, rows)
    profile = parsed(tmp_path, suggestion)
    binding = profile.bind(columns)
    assert binding.missing() == []
    fields = columns_of(binding, binding.fields)
    assert fields["external_id"] == "Project ID"
    assert fields["name"] == "Project name"
    assert fields["municipality"] == "Municipality"
    assert fields["province"] == "Province"
    assert fields["plan_status"] == "Status"
    assert fields["homes_total"] == "Number of homes"
    assert fields["remark"] == "Notes"
    assert columns_of(binding, binding.segments) == {"sociale_huur": "Social rent"}
    assert "Architect" in profile.informational
    assert "# 'Architect' → niet herkend: controleer" in suggestion.toml
    assert "lijkt op" in suggestion.toml or "(zeker)" in suggestion.toml


def test_aggregated_sheet_with_group_row_splits_hard_and_soft(tmp_path):
    """Case 03: one row per municipality, 'Harde' and 'Zachte plancapaciteit' as group labels above
    '2021-2029'. The draft splits each row into a hard and a soft record, identified by the code."""
    table = read_table(CASES / "03-two-row-header.xlsx")
    suggestion = draft("groningen", "03-two-row-header.xlsx", table.columns, table.rows, table.groups)
    profile = parsed(tmp_path, suggestion)
    assert [(r.label, r.constants) for r in profile.records] == [
        ("hard", {"plan_status": "hard"}),
        ("zacht", {"plan_status": "zacht"}),
    ]
    assert profile.records[0].fields["homes_total"] == ("Harde plancapaciteit 2021-2029",)
    assert [(p.first, p.last) for p in profile.records[1].periods] == [(2021, 2029)]
    assert profile.fields["municipality"] == ("Gemeente code",)
    assert profile.fields["external_id"] == ("Gemeente code",)
    assert profile.fields["name"] == ("Gemeente",)
    assert profile.informational == ("Totale plancapaciteit 2021-2029",)  # the sum, kept for checking
    binding = profile.bind(table.columns, table.groups)
    assert binding.missing() == []
    assert [label for label, _part in binding.parts] == ["hard", "zacht"]


def test_one_status_list_gets_a_constant_and_fractions_are_rounded(tmp_path):
    columns = ["Plan nr", "Plannaam", "Gemeentenaam 2025", "Harde plancapaciteit"]
    rows = [["1", "Voorbeeldplan A", "Zutphen", "12,5"], ["2", "Voorbeeldplan B", "Zutphen", "30"]]
    suggestion = draft("hard", "hard.csv", columns, rows)
    profile = parsed(tmp_path, suggestion)
    assert profile.constants == {"plan_status": "hard"}
    assert profile.round_fractions is True
    assert profile.fields["municipality"] == ("Gemeentenaam 2025",)
    assert profile.fields["homes_total"] == ("Harde plancapaciteit",)
    assert profile.bind(columns).missing() == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2025-2029", ("", 2025, 2029)),
        ("2025 t/m 2029", ("", 2025, 2029)),
        ("Woningen 2025-29", ("", 2025, 2029)),
        ("OP202024", ("", 2020, 2024)),
        ("Op20302050", ("", 2030, 2050)),
        ("OP2019", ("", 2019, 2019)),
        ("2030+", ("", 2030, 2034)),  # "2030 en later" counts as 2030 t/m 2034 (docs/import.md)
        ("2030 en later", ("", 2030, 2034)),
        ("vanaf 2030", ("", 2030, 2034)),
        ("periode onbekend", ("", None, None)),
        ("OPLONB", ("", None, None)),
        ("h2020-2024", ("hard", 2020, 2024)),
        ("Zachte plancapaciteit 2021-2029", ("zacht", 2021, 2029)),
        ("Gemeentenaam 2025", None),
        ("Projectnummer", None),
    ],
)
def test_period_headers(header, expected):
    assert _period(header) == expected


def write_csv(path, lines):
    path.write_text("\n".join(";".join(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_cli_writes_the_draft_next_to_the_file(tmp_path):
    source = write_csv(tmp_path / "planlijst.csv", MUNICIPAL)
    out = StringIO()
    call_command("import", str(source), suggest_profile=True, stdout=out)
    target = tmp_path / "planlijst.profiel.toml"
    assert target.exists()
    text = out.getvalue()
    assert f"Conceptprofiel geschreven naar {target}" in text
    assert "9 van 9 kolommen herkend" in text
    profile = profiles._parse(target)
    assert profile.name == "planlijst"
    # Nothing was imported: no --source was needed, and this test has no database access at all.
    with pytest.raises(CommandError, match="bestaat al"):
        call_command("import", str(source), suggest_profile=True, stdout=StringIO())


def test_cli_output_option_and_stdout(tmp_path, capsys):
    source = write_csv(tmp_path / "lijst.csv", ENGLISH)
    target = tmp_path / "elders" / "mijn.toml"
    target.parent.mkdir()
    call_command("import", str(source), "--suggest-profile", "--output", str(target), stdout=StringIO())
    assert profiles._parse(target).fields["external_id"] == ("Project ID",)
    out, err = StringIO(), StringIO()
    call_command("import", str(source), suggest_profile=True, output="-", stdout=out, stderr=err)
    tomllib.loads(out.getvalue())
    assert "kolommen herkend" in err.getvalue()


@pytest.mark.django_db
def test_cli_draft_imports_the_list_it_was_made_from(tmp_path):
    """End to end: suggest a profile, then import the same list with it unchanged (dry run).
    Homes by hand: 40 + 25 + 12 = 77 over three plans."""
    source = write_csv(tmp_path / "planlijst.csv", MUNICIPAL)
    call_command("import", str(source), suggest_profile=True, stdout=StringIO())
    out = StringIO()
    call_command(
        "import", str(source), source="Gemeente Zutphen", profile=str(tmp_path / "planlijst.profiel.toml"),
        dry_run=True, stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Regels: 3 gelezen, 3 geldig, 0 afgewezen" in text
    assert "Woningen in de lijst: 77 " in text


@pytest.mark.django_db
def test_cli_draft_for_the_ipo_case_gives_its_expected_totals(tmp_path):
    """Case 09 imported with nothing but the suggested draft gives the README's expected values:
    7 plans, 275 homes (hard 118, soft 145, unknown 12), demolition 129."""
    source = tmp_path / "ipo.csv"
    source.write_bytes(IPO_CSV.read_bytes())
    call_command("import", str(source), suggest_profile=True, stdout=StringIO())
    out = StringIO()
    call_command(
        "import", str(source), source="c09", profile=str(tmp_path / "ipo.profiel.toml"), dry_run=True, stdout=out
    )
    text = out.getvalue()
    assert "Regels: 7 gelezen, 7 geldig, 0 afgewezen" in text
    assert "Woningen in de lijst: 275 (hard 118 = 42,9%, zacht 145, onbekend 12); sloop 129" in text


def test_import_without_source_is_refused_in_dutch(tmp_path):
    source = write_csv(tmp_path / "planlijst.csv", MUNICIPAL)
    with pytest.raises(CommandError, match="Geef de bron op met --source"):
        call_command("import", str(source), stdout=StringIO())


DOC = Path(__file__).resolve().parents[1] / "docs" / "profielen.md"


def toml_blocks():
    text = DOC.read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```toml\n")[1:]]


def test_every_profile_key_is_documented_with_an_example():
    text = DOC.read_text(encoding="utf-8")
    for name in profiles.FIELDS:
        assert f"| `{name}` |" in text and f"`{name} = " in text, name
    keys = ["name", "title", "description", "informational", "header_row", "round_fractions", "aggregated",
            "coordinates_crs", "wkt_crs", "[constants]", "[segments]", "[homes_matrix]", "[housing_types]",
            "[tenure]", "[target_groups]", "[milestones]", "[[periods]]", "[[records]]", "[records.fields]",
            "[[records.periods]]"]  # fmt: skip
    for key in keys:
        assert f"`{key}" in text, key
    for block in toml_blocks():
        tomllib.loads(block)  # every example is valid TOML


def test_the_documented_full_example_binds_its_columns(tmp_path):
    path = tmp_path / "zutphen.toml"
    path.write_text(toml_blocks()[-1], encoding="utf-8")
    columns = ["Projectnummer", "Projectnaam", "Aantal woningen", "Sociale huur", "Middenhuur", "Koop",
               "Start bouw", "Oplevering", "Wijk"]  # fmt: skip
    binding = profiles._parse(path).bind(columns)
    assert binding.missing() == [] and binding.unused == []
    assert len(binding.milestones) == 2 and len(binding.segments) == 2
