"""Financial instruments (issue #7), realisatiestimulans: tests from the source (Woontop 2024, Afspraak 19.1)
and hand-computed fixtures. Money in whole cents throughout."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from bouwregie.instruments import money, realisatiestimulans, regulation
from bouwregie.instruments.realisatiestimulans import ProjectYear, compute

SHIPPED = regulation.SHIPPED / "realisatiestimulans-2025-01.toml"


def test_the_average_per_home_is_1_6_billion_over_230_000_homes():
    r = regulation.in_force("realisatiestimulans", __import__("datetime").date(2025, 6, 1))
    assert realisatiestimulans.average_per_home_cents(r) == 695_652  # € 6.956,52 ≈ € 6.957
    assert money.euros(695_652) == "€ 6.956,52" and money.euros(-5) == "-€ 0,05"
    assert "Afspraak 19.1" in r.citation("budget_basis_cent") and r.version == "2025-01"


@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=40), st.integers(1, 10**10))
def test_pro_rata_adds_up_to_the_ceiling_exactly(claims, ceiling_euros):
    ceiling = ceiling_euros * 100
    paid = money.scale_to_ceiling(np.array(claims, dtype=np.int64), ceiling)
    if sum(claims) <= ceiling:
        assert paid.tolist() == claims  # within the ceiling: paid as claimed
    else:
        assert int(paid.sum()) == ceiling and all(p % 100 == 0 for p in paid)  # whole euros, exactly the ceiling
        assert all(p <= -(-c // 100) * 100 for p, c in zip(paid.tolist(), claims, strict=True))  # never above a claim


def test_ties_in_pro_rata_go_to_the_first_in_order():
    assert money.scale_to_ceiling(np.array([100, 100, 100]), 200).tolist() == [100, 100, 0]  # € 2 over three € 1


def year(project, municipality, y, sociale=0, midden=0, koop=0, subsidies=0, **elderly):
    return ProjectYear(project, municipality, y, {"sociale_huur": sociale, "middenhuur": midden,
                                                  "betaalbare_koop": koop}, elderly, subsidies)  # fmt: skip


def test_earlier_subsidies_are_set_off_against_what_the_project_earns_never_below_zero():
    """Project A: 10 sociale huur in 2025 (€ 70.000) and 5 in 2026 (€ 35.000), € 80.000 Woningbouwimpuls
    before: 2025 fully set off (€ 70.000), 2026 the remaining € 10.000 → € 25.000. Project B: 4 middenhuur
    in 2025, € 28.000. Utrecht: 2025 € 28.000 paid in 2026-Q4, 2026 € 25.000 paid in 2027-Q4."""
    rows = [year("A", "GM0344", 2025, sociale=10, subsidies=8_000_000),
            year("A", "GM0344", 2026, sociale=5, subsidies=8_000_000), year("B", "GM0344", 2025, midden=4)]  # fmt: skip
    result = compute(rows, {"GM0344": "Utrecht"}, "realisatie")
    [utrecht] = result["municipalities"]
    y2025, y2026 = utrecht["years"][2025], utrecht["years"][2026]
    assert (y2025["claim_cents"], y2025["set_off_cents"], y2025["paid_cents"]) == (2_800_000, 7_000_000, 2_800_000)
    assert (y2026["claim_cents"], y2026["set_off_cents"], y2026["paid_cents"]) == (2_500_000, 1_000_000, 2_500_000)
    assert (y2025["payment"], y2026["payment"]) == ("2026-Q4", "2027-Q4")
    assert utrecht["paid_cents"] == 5_300_000 and result["paid_cents"] == 5_300_000
    assert result["years"][2025]["regulation"].startswith("realisatiestimulans 2025-01")


def test_homes_outside_2025_2029_earn_nothing():
    rows = [year("A", "GM0344", 2024, sociale=10), year("B", "GM0344", 2030, sociale=10)]
    assert compute(rows, {"GM0344": "Utrecht"}, "realisatie")["paid_cents"] == 0


def write_version(folder, version, valid_from, rate=700000, budget=160000000000, extra=""):
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace('versie = "2025-01"', f'versie = "{version}"')
    text = text.replace("geldig_vanaf = 2025-01-01", f"geldig_vanaf = {valid_from}")
    text = text.replace("sociale_huur = 700000", f"sociale_huur = {rate}")
    text = text.replace("waarde = 160000000000", f"waarde = {budget}")
    (folder / f"realisatiestimulans-{version}.toml").write_text(text + extra, encoding="utf-8")


def test_a_rule_change_is_a_new_version_from_its_start_date(settings, tmp_path):
    """From 2027 € 8.000 per sociale huurwoning: 2026 homes still at € 7.000, 2027 homes at € 8.000, and
    each year names the version that produced it."""
    settings.REGULATION_DIRS = [tmp_path]
    write_version(tmp_path, "2027-01", "2027-01-01", rate=800000)
    rows = [year("A", "GM0344", 2026, sociale=1), year("B", "GM0344", 2027, sociale=1)]
    result = compute(rows, {"GM0344": "Utrecht"}, "realisatie")
    years = result["municipalities"][0]["years"]
    assert (years[2026]["paid_cents"], years[2027]["paid_cents"]) == (700_000, 800_000)
    assert "2025-01" in result["years"][2026]["regulation"] and "2027-01" in result["years"][2027]["regulation"]


def test_an_oversubscribed_year_is_scaled_to_its_ceiling_exactly(settings, tmp_path):
    """A budget of € 50.000 over five years: € 10.000 a year. Claims € 7.000 × 3 = € 21.000 → scaled to
    € 10.000 exactly: 9 sociale huur in Utrecht (€ 63.000 × 10/21 = € 3.333,33…) and so on."""
    settings.REGULATION_DIRS = [tmp_path]
    write_version(tmp_path, "2025-02", "2025-01-01", budget=5_000_000)
    rows = [year("A", "GM0344", 2025, sociale=1), year("B", "GM0363", 2025, sociale=1),
            year("C", "GM0599", 2025, sociale=1)]  # fmt: skip
    result = compute(rows, {"GM0344": "Utrecht", "GM0363": "Amsterdam", "GM0599": "Rotterdam"}, "realisatie")
    assert result["years"][2025]["scaled"] and result["paid_cents"] == 1_000_000
    # € 3.333 each and the euro left over to the first in code order (equal remainders): GM0344.
    assert [m["paid_cents"] for m in result["municipalities"]] == [333_400, 333_300, 333_300]


def test_a_regulation_file_without_sources_or_dates_is_refused_with_the_reason(settings, tmp_path):
    settings.REGULATION_DIRS = [tmp_path]
    (tmp_path / "kapot.toml").write_text('regeling = "x"\nversie = "1"\ngeldig_vanaf = 2025-01-01\nbron = "b"\n'
                                         '[bedrag]\nwaarde = 1\n', encoding="utf-8")  # fmt: skip
    with pytest.raises(regulation.RegulationError, match="elke parameter een bron nodig; zonder bron: bedrag"):
        regulation.all_versions()
    (tmp_path / "kapot.toml").write_text('regeling = "x"\nversie = "1"\n', encoding="utf-8")
    with pytest.raises(regulation.RegulationError, match="mist: geldig_vanaf, bron"):
        regulation.all_versions()
    (tmp_path / "kapot.toml").unlink()
    write_version(tmp_path, "2025-01", "2025-01-01")  # the shipped version number again
    with pytest.raises(regulation.RegulationError, match="staat twee keer"):
        regulation.all_versions()
    with pytest.raises(regulation.RegulationError, match="Geen versie van regeling 'realisatiestimulans' geldig"):
        settings.REGULATION_DIRS = []
        regulation.in_force("realisatiestimulans", __import__("datetime").date(2024, 12, 31))


@pytest.fixture
def demo(db):
    from bouwregie.demo.loader import load_demo
    from bouwregie.demo.parameters import DemoParameters

    load_demo(DemoParameters(projects=1500, seed=3), progress=lambda *_: None)


def test_realisatiestimulans_for_every_municipality_from_the_demo(demo):
    from bouwregie.instruments import api
    from bouwregie.projects.models import ProjectVersion

    result = api.realisatiestimulans("2026-Q3")
    both = result["variants"]
    assert set(both) == {"realisatie", "startbouw"} and result["regulations"][0].startswith("realisatiestimulans")
    for variant in both.values():
        assert variant["paid_cents"] == sum(m["paid_cents"] for m in variant["municipalities"])
        for y, totals in variant["years"].items():
            assert totals["paid_cents"] <= totals["ceiling_cents"] + totals["surcharges_cents"]
            assert totals["complete"] == (y < 2026)
            assert all(m["years"][y]["paid_cents"] % 100 == 0 or not totals["scaled"]
                       for m in variant["municipalities"] if y in m["years"])  # fmt: skip
    # Affordable homes only: a municipality's homes × € 7.000 is its claim (no subsidies in the demo).
    m = both["realisatie"]["municipalities"][0]
    first = next(iter(m["years"].values()))
    assert first["claim_cents"] == sum(first["homes"].values()) * 700_000
    assert ProjectVersion.objects.exclude(subsidies=[]).count() == 0


def test_cli_realisatiestimulans_and_regulations(demo):
    out = StringIO()
    call_command("instruments", "realisatiestimulans", "--gemeente", "GM0363", stdout=out)
    text = out.getvalue()
    assert "Realisatiestimulans — peiling 2026-Q3" in text and "€ 6.956,52" in text and "GM0363 Amsterdam" in text
    assert "jaar loopt nog" in text
    out = StringIO()
    call_command("instruments", "realisatiestimulans", "--variant", "startbouw", "--format", "json", stdout=out)
    assert list(json.loads(out.getvalue())["variants"]) == ["startbouw"]
    out = StringIO()
    call_command("instruments", "regelingen", stdout=out)
    assert "bron: Afspraak 19.1" in out.getvalue() and "(aanname)" in out.getvalue()
    with pytest.raises(CommandError, match="geen gemeente"):
        call_command("instruments", "realisatiestimulans", "--gemeente", "PV27", stdout=StringIO())


def test_web_page_and_rest_api_show_the_same_amounts(client, demo):
    from bouwregie.instruments import api
    from bouwregie.instruments.money import euros

    expected = api.realisatiestimulans("2026-Q3", "GM0363")["variants"]["realisatie"]["municipalities"][0]
    page = client.get("/instrumenten/realisatiestimulans?gemeente=GM0363").content.decode()
    assert "Realisatiestimulans per gemeente" in page and "Amsterdam" in page
    assert euros(expected["paid_cents"]) in page and "Afspraak 19.1" in page
    rows = client.get("/instrumenten/realisatiestimulans?gemeente=GM0363&formaat=csv").content.decode("utf-8-sig")
    assert rows.splitlines()[0].startswith("variant;gemeentecode") and "GM0363;Amsterdam" in rows
    data = client.get("/api/v1/realisatiestimulans?gemeente=GM0363").json()
    assert data["variants"]["realisatie"]["municipalities"][0]["paid_cents"] == expected["paid_cents"]
    refused = client.get("/instrumenten/realisatiestimulans?gemeente=Atlantis")
    assert refused.status_code == 400 and "Atlantis" in refused.content.decode()
    assert client.get("/api/v1/realisatiestimulans?variant=later").status_code == 400
    assert client.get("/api/v1/regelingen").json()[0]["regeling"] == "realisatiestimulans"
