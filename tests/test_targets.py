"""Agreements: shipped defaults with sources, and loading them from CSV (all or nothing)."""

import pytest

from bouwregie.targets.agreements import TargetFileError, load_file
from bouwregie.targets.models import Target

pytestmark = pytest.mark.django_db


def test_shipped_agreements_carry_their_source():
    provincial = Target.objects.filter(area__startswith="PV", metric="bruto_woningen")
    assert provincial.count() == 12 and sum(t.total for t in provincial) == 917_193
    national = Target.objects.get(area="NL", metric="bruto_woningen", first_year=2025)
    assert national.yearly == {str(y): 100_000 for y in range(2025, 2030)} and "Afspraak 1" in national.source
    assert all(t.source for t in Target.objects.all())


def test_load_agreements_from_csv(tmp_path):
    path = tmp_path / "woondeals.csv"
    path.write_text(
        "gebied;indicator;periode;totaal;aandeel;jaarschijven;bron\n"
        'gemeente Utrecht;bruto_woningen;2024-2030;12.000;;"2025:1500;2026:1800";Woondeal regio Utrecht 2022\n'
        "Zuid-Holland;aandeel_sociale_huur;2024-2030;;1/3;;Provinciale norm\n"
        "Weesp;bruto_woningen;2025-2029;500;;;Woondeal MRA\n",
        encoding="utf-8",
    )
    assert load_file(path) == 3
    utrecht = Target.objects.get(area="GM0344", first_year=2024)
    assert utrecht.total == 12_000 and utrecht.yearly == {"2025": 1500, "2026": 1800}
    assert float(Target.objects.get(area="PV28", metric="aandeel_sociale_huur").share) == pytest.approx(0.3333)
    assert Target.objects.filter(area="GM0363", metric="bruto_woningen").exists()  # Weesp → Amsterdam


def test_an_unquoted_separator_is_explained(tmp_path):
    path = tmp_path / "afspraken.csv"
    path.write_text("gebied;indicator;periode;totaal;aandeel;jaarschijven;bron\n"
                    "Utrecht;bruto_woningen;2024-2030;900;;2025:100;2026:100;bron\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(TargetFileError, match="meer velden dan kolommen"):
        load_file(path)


@pytest.mark.parametrize("line, fragment", [
    ("Utrecht;bruto_woningen;2024-2030;100;;;bron", "'Utrecht' is zowel een provincie als een gemeente"),
    ("GM0344;bruto_woningen;2030-2024;100;;;bron", "periode '2030-2024'"),
    ("GM0344;woningen;2024-2030;100;;;bron", "onbekende indicator 'woningen'"),
    ("Atlantis;bruto_woningen;2024-2030;100;;;bron", "Onbekend gebied 'Atlantis'"),
    ("GM0344;bruto_woningen;2024-2030;100;;;", "bron ontbreekt"),
    ("GM0344;bruto_woningen;2024-2030;100;;2025:500;bron", "jaarschijven (500) zijn meer dan het totaal (100)"),
    ("GM0344;aandeel_betaalbaar;2024-2030;;1,5;;bron", "aandeel moet tussen 0 en 1"),
])  # fmt: skip
def test_a_bad_row_loads_nothing_and_says_why(tmp_path, line, fragment):
    path = tmp_path / "afspraken.csv"
    path.write_text("gebied;indicator;periode;totaal;aandeel;jaarschijven;bron\n"
                    "Zeist;bruto_woningen;2024-2030;900;;;goede regel\n" + line + "\n", encoding="utf-8")  # fmt: skip
    before = Target.objects.count()
    with pytest.raises(TargetFileError, match="Niets geladen") as error:
        load_file(path)
    assert fragment in str(error.value) and "rij 3" in str(error.value)
    assert Target.objects.count() == before
