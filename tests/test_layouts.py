"""The layouts Dutch plan lists come in, recognised without a profile (issue 15), and the profile keys that let
a user describe any other layout without code: constants, rounding, splitting one row into records. Expected
values computed by hand from the rows below."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bouwregie.ingest.models import ImportRun

from .test_cases_ingest import stored_by_external_id, warnings

pytestmark = pytest.mark.django_db

WONINGBOUWKAART = """project_id;Plannaam;Planstatus;peilmoment;gemeente_naam;provincie_naam;Netto Plancapaciteit;\
Bruto Plancapaciteit;Sociale huur;Middenhuur;Dure huur;Huur onbekend;Betaalbare koop;Dure koop;Koop onbekend
WK1;Plan A;1A onherroepelijk;2025-01-01;Bergen;Limburg;100;120;30;20;10;5;15;10;5
WK2;Plan B;Vastgesteld;2025-01-01;'s-Gravenhage;Zuid-Holland;50;50;40;20;0;0;0;0;0
"""


def run_cli(path, *options) -> ImportRun:
    call_command("import", str(path), "--source", "lijst", *options, stdout=StringIO())
    return ImportRun.objects.latest("id")


def test_the_woningbouwkaart_columns_are_recognised_and_their_segments_kept(tmp_path):
    path = tmp_path / "woningbouwkaart.csv"
    path.write_text(WONINGBOUWKAART, encoding="utf-8")
    run = run_cli(path)
    assert run.profile == "woningbouwkaart" and run.status == "geslaagd"
    assert (run.counts["homes"], run.counts["hard"], run.counts["demolitions"]) == (150, 150, 20)
    stored = stored_by_external_id("lijst")
    a, b = stored["WK1"], stored["WK2"]
    assert a.municipality == "GM0893"  # Bergen (L.) by provincie_naam
    # 95 in segments of 100 netto: the rest of 5 has an unknown segment; 'huur/koop onbekend' are unknown too
    assert a.homes == {"sociale_huur": {"onbekend": 30}, "middenhuur": {"onbekend": 20},
                       "vrije_sector_huur": {"onbekend": 10}, "betaalbare_koop": {"onbekend": 15},
                       "dure_koop": {"onbekend": 10}, "onbekend": {"onbekend": 15}}  # fmt: skip
    assert a.tenure == {"huur": 65, "koop": 30} and a.demolitions == 20  # bruto 120 − netto 100
    # 40 + 20 = 60 of 50: 33.3 and 16.7 → 33 + 17
    assert b.homes == {"sociale_huur": {"onbekend": 33}, "middenhuur": {"onbekend": 17}} and b.tenure == {"huur": 50}
    texts = [(p["row"], p["reason"]) for p in warnings(run)]
    assert any(row == 2 and "minder dan het totaal (100)" in reason for row, reason in texts)
    assert any(row == 3 and "meer dan het totaal (50)" in reason for row, reason in texts)


def test_constants_rounding_and_records_in_a_profile(tmp_path):
    """A one-municipality list with fractional counts (shares), split into its hard and its soft part."""
    path = tmp_path / "zutphen.csv"
    path.write_text("nr;locatie;hard 2025-2029;zacht 2025-2029\n1;Noorderhaven;12,5;7,4\n2;Brede school;0;3\n",
                    encoding="utf-8")  # fmt: skip
    profile = tmp_path / "zutphen.toml"
    profile.write_text(
        """name = "zutphen"
round_fractions = true
[fields]
external_id = ["nr"]
name = ["locatie"]
[constants]
municipality = "Zutphen"
[[records]]
label = "hard"
constants = { plan_status = "hard" }
[[records.periods]]
label = "2025-2029"
columns = ["hard 2025-2029"]
first = 2025
last = 2029
[[records]]
label = "zacht"
constants = { plan_status = "zacht" }
[[records.periods]]
label = "2025-2029"
columns = ["zacht 2025-2029"]
first = 2025
last = 2029
""",
        encoding="utf-8",
    )
    run = run_cli(path, "--profile", str(profile))
    assert run.status == "geslaagd", run.problems
    stored = stored_by_external_id("lijst")
    assert sorted(stored) == ["1-hard", "1-zacht", "2-hard", "2-zacht"]
    assert {k: (d.municipality, d.plan_status, sum(d.phasing.values())) for k, d in stored.items()} == {
        "1-hard": ("GM0301", "hard", 13),  # 12,5 rounded half up
        "1-zacht": ("GM0301", "zacht", 7),
        "2-hard": ("GM0301", "hard", 0),
        "2-zacht": ("GM0301", "zacht", 3),
    }
    rounded = [p for p in warnings(run) if "afgerond" in p["reason"]]
    assert [(p["column"], p["value"]) for p in rounded] == [("hard 2025-2029", "12,5"), ("zacht 2025-2029", "7,4")]


AGGREGATED = """Plancapaciteit provincie Groningen 2025;;;;
;;Harde plancapaciteit;;Zachte plancapaciteit
Gemeente code;Gemeente;2025-2029;2030+;2025-2029
14;Groningen;100;50;30
37;Stadskanaal;10;0;5
;Regio Groningen-Assen;110;50;35
;Totaal;110;50;35
"""


def test_an_aggregated_list_with_a_title_a_group_row_and_region_rows(tmp_path):
    """Regions and totals are refused by name, never guessed as a municipality; the municipalities' rows split
    into a hard and a soft record with their periods ("2030+" counts as 2030–2034)."""
    path = tmp_path / "plancapaciteit.csv"
    path.write_text(AGGREGATED, encoding="utf-8")
    with pytest.raises(CommandError):
        run_cli(path, "--dry-run")
    run = ImportRun.objects.latest("id")
    assert run.profile == "plancapaciteit_per_gemeente" and run.status == "geweigerd"
    refused = {(p["row"], p["value"]): p["reason"] for p in run.problems if p["column"] == "Gemeente"}
    assert "is een regio, geen gemeente" in refused[(6, "Regio Groningen-Assen")]
    assert "is een totaalregel, geen gemeente" in refused[(7, "Totaal")]
    assert (run.counts["rows"], run.counts["records"], run.counts["rejected"]) == (4, 8, 2)
    partial = run_cli(path, "--allow-partial")
    assert (partial.counts["homes"], partial.counts["hard"], partial.counts["soft"]) == (195, 160, 35)
    stored = stored_by_external_id("lijst")
    assert stored["14-hard"].phasing == {"2025": 20, "2026": 20, "2027": 20, "2028": 20, "2029": 20, "2030": 10,
                                         "2031": 10, "2032": 10, "2033": 10, "2034": 10}  # fmt: skip
