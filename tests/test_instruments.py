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


@pytest.mark.parametrize(
    ("text", "cents"),
    [("12.345", 1_234_500), ("12.345,67", 1_234_567), ("0,5", 50), ("1.234.567", 123_456_700),
     ("€ 500.000", 50_000_000), ("500000", 50_000_000), (12_000_000, 1_200_000_000)],
)  # fmt: skip
def test_money_is_read_the_dutch_way(text, cents):
    """Issue #23: a point only between groups of three, a decimal comma (docstring of parse_euros)."""
    assert money.parse_euros(text) == cents


@pytest.mark.parametrize(
    ("text", "reason"),
    [("12.34", "dubbelzinnig"), ("1.2", "dubbelzinnig"), ("12.3456", "dubbelzinnig"), ("1e3", "geen bedrag"),
     ("1,005", "hele centen"), ("-5", "geen bedrag"), ("1.23,4.5", "geen bedrag")],
)  # fmt: skip
def test_ambiguous_or_foreign_money_is_refused(text, reason):
    """Issue #23: "12.34" was silently 12,34 euros while "12.345" is 12.345 euros; now refused, naming the value."""
    with pytest.raises(ValueError, match=reason) as caught:
        money.parse_euros(text)
    assert f"'{text}'" in str(caught.value)


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
    from bouwregie.web.templatetags.money import euros  # the pages' notation: whole euros without ",00"

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
    names = {r["regeling"] for r in client.get("/api/v1/regelingen").json()}
    assert names == {"realisatiestimulans", "woningbouwimpuls", "gebiedsbudget", "nplv"}


# Woningbouwimpuls (Afspraak 19.2)

from datetime import date as _date  # noqa: E402
from datetime import datetime as _datetime  # noqa: E402

from bouwregie.instruments import woningbouwimpuls as wbi  # noqa: E402

ALL_CONDITIONS = dict.fromkeys(("noodzakelijk_voor_woondeal", "specifiek_knelpunt", "realisatiestimulans_onvoldoende",
                                "parallel_plannen", "versnellingstafel", "open_boeken"), True)  # fmt: skip


def application(**changes):
    """250 homes, 150 affordable (60%, woondeal needs 67%); investments € 10 mln, revenues € 4 mln +
    € 1,05 mln realisatiestimulans: deficit € 4,95 mln; co-financing € 2,5 mln (50,5%); asks € 2,45 mln."""
    base = dict(
        id="A", municipality="GM0344", window="2025-1", window_closes=_date(2025, 10, 1), homes=250,
        affordable_homes=150, woondeal_affordable_percent=67, investments_cents=1_000_000_000,
        kostenverhaal_cents=200_000_000, grondverkoop_cents=150_000_000, other_rijk_cents=50_000_000,
        realisatiestimulans_cents=105_000_000, cofinancing_cents=250_000_000, requested_cents=245_000_000,
        activities=("bodemsanering",), conditions=ALL_CONDITIONS, first_start=_date(2027, 1, 1),
        last_delivery=_date(2033, 1, 1), scores={"noodzaak": 8, "effectiviteit": 7, "efficientie": 6},
        market_task=10_000, market_stock=200_000, submitted_at=_datetime(2025, 9, 1, 12, 0),
    )  # fmt: skip
    return wbi.Application(**{**base, **changes})


def failures(app):
    return {f.rule: f for f in wbi.check(app, wbi.regulation_for(app))}


def test_a_complete_application_is_eligible_and_its_contribution_is_the_deficit_less_co_financing():
    app = application()
    assert failures(app) == {}
    assert wbi.deficit_cents(app) == 495_000_000  # € 10 mln − 2 − 1,5 − 0,5 − 1,05
    assert wbi.max_contribution_cents(app) == 245_000_000  # min(asked € 2,45 mln, € 4,95 − 2,5 mln)
    assert wbi.max_contribution_cents(application(requested_cents=400_000_000)) == 245_000_000


def test_199_homes_is_not_eligible_and_the_message_names_rule_and_source():
    failure = failures(application(homes=199, affordable_homes=110))["minimum_woningen"]
    assert "199 woningen; minimaal 200" in failure.message and "Afspraak 19.2" in failure.source


def test_40_percent_co_financing_fails():
    failure = failures(application(cofinancing_cents=198_000_000))["cofinanciering"]  # € 1,98 of € 4,95 mln
    assert "Cofinanciering 40,0% van het tekort; minimaal 50%" in failure.message


def test_an_activity_outside_the_limitative_list_fails():
    failure = failures(application(activities=("bodemsanering", "parkeergarage")))["activiteiten"]
    assert "'parkeergarage' staat niet op de limitatieve lijst" in failure.message


def test_every_condition_terms_and_shares_are_checked():
    found = failures(application(conditions={**ALL_CONDITIONS, "open_boeken": False}, affordable_homes=125,
                                 first_start=_date(2029, 1, 1), last_delivery=_date(2036, 1, 1),
                                 scores={"noodzaak": 11}))  # fmt: skip
    assert set(found) == {"open_boeken", "betaalbaar", "termijn_start", "termijn_laatste", "scores"}
    assert "meer dan 50% zijn" in found["betaalbaar"].message  # 125 of 250 is not more than half
    too_affordable = failures(application(affordable_homes=200))["betaalbaar"]  # 80% ≥ the woondeal's 67%
    assert "minder zijn dan het aandeel dat de woondeal nodig heeft (67%)" in too_affordable.message


@given(st.integers(0, 10**10), st.integers(0, 10**10), st.integers(0, 10**10), st.integers(0, 10**10))
def test_a_contribution_never_exceeds_the_demonstrated_deficit(investments, revenues, cofinancing, requested):
    app = application(investments_cents=investments, kostenverhaal_cents=revenues, grondverkoop_cents=0,
                      other_rijk_cents=0, realisatiestimulans_cents=0, cofinancing_cents=cofinancing,
                      requested_cents=requested)  # fmt: skip
    assert 0 <= wbi.max_contribution_cents(app) <= min(wbi.deficit_cents(app), requested)


def test_ranking_by_the_four_criteria_ties_broken_as_documented_and_the_tranche_in_rank_order():
    """A: 8/7/6 with urgency 10 (task 5% of stock) → 7,75. B: the same scores, urgency 5 → 6,5. C: ties with
    B on every score and urgency but asks less → ranked before B. D: not eligible (199 homes).
    Budget € 5 mln: A (€ 2,45 mln) granted, C (€ 2 mln) granted, B (€ 2,45 mln) no longer fits."""
    apps = [
        application(id="A", market_task=10_000),
        application(id="B", market_task=5_000),
        application(id="C", market_task=5_000, requested_cents=200_000_000, submitted_at=_datetime(2025, 9, 2)),
        application(id="D", homes=199, affordable_homes=110),
    ]
    result = wbi.assess_window(apps, budget_cents=500_000_000)
    by_id = {a.application.id: a for a in result}
    assert [a.application.id for a in result] == ["A", "C", "B", "D"]
    assert (by_id["A"].total_score, by_id["B"].total_score, by_id["C"].total_score) == (7.75, 6.5, 6.5)
    assert [by_id[x].granted_cents for x in "ACBD"] == [245_000_000, 200_000_000, 0, 0]
    assert by_id["B"].decision == "past niet meer binnen het tranchebudget"
    assert by_id["D"].decision == "niet subsidiabel" and by_id["D"].rank is None
    assert by_id["A"].regulation.startswith("woningbouwimpuls 2025-01")


WBI_CSV = """id;gemeente;tijdvak;tijdvak_sluit;woningen;betaalbaar;woondeal_aandeel_betaalbaar;investeringen;kostenverhaal;grondverkoop;overige_rijksbijdragen;cofinanciering;gevraagd;activiteiten;noodzakelijk_voor_woondeal;specifiek_knelpunt;realisatiestimulans_onvoldoende;parallel_plannen;versnellingstafel;open_boeken;start_eerste_woningen;laatste_woningen;noodzaak;effectiviteit;efficientie;opgave_marktgebied;voorraad_marktgebied;ingediend
W1;GM0344;2025-1;2025-10-01;250;150;67;10.000.000;2.000.000;1.500.000;500.000;2.500.000;2.450.000;bodemsanering;ja;ja;ja;ja;ja;ja;2027-01-01;2033-01-01;8;7;6;10000;200000;2025-09-01 12:00
W2;GM0363;2025-1;2025-10-01;199;110;67;8.000.000;1.000.000;1.000.000;0;3.000.000;2.000.000;bodemsanering|parkeergarage;ja;ja;ja;ja;ja;nee;2027-01-01;2033-01-01;9;9;9;20000;450000;2025-09-02 09:00
"""  # noqa: E501


def test_cli_wbi_reads_applications_ranks_and_grants(tmp_path, db):
    """W1 is the application of the hand-computed fixture above (its realisatiestimulans computed: 150 × € 7.000)."""
    path = tmp_path / "aanvragen.csv"
    path.write_text(WBI_CSV, encoding="utf-8")
    out = StringIO()
    call_command("instruments", "wbi", str(path), "--budget", "3.000.000", stdout=out)
    text = out.getvalue()
    assert "1. W1 (GM0344): toegekend — tekort € 4.950.000,00" in text and "toegekend € 2.450.000,00" in text
    assert "[minimum_woningen] Het project heeft 199 woningen" in text and "[open_boeken]" in text
    out = StringIO()
    call_command("instruments", "wbi", str(path), "--budget", "1000000", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["applications"][0]["decision"] == "past niet meer binnen het tranchebudget"
    path.write_text(WBI_CSV.replace(";250;150;", ";veel;150;"), encoding="utf-8")
    with pytest.raises(CommandError, match="Rij 2: kolom woningen: 'veel' is geen heel getal"):
        call_command("instruments", "wbi", str(path), "--budget", "1", stdout=StringIO())
    path.write_text(WBI_CSV.replace("gevraagd;", "gevraagd_bedrag;"), encoding="utf-8")
    with pytest.raises(CommandError, match="Kolommen ontbreken: gevraagd"):
        call_command("instruments", "wbi", str(path), "--budget", "1", stdout=StringIO())


# Gebiedsbudget (Afspraak 19.3) and NPLV (Afspraak 5)

from bouwregie.instruments import gebiedsbudget as gb  # noqa: E402

GB_CONDITIONS = dict.fromkeys(("parallel_plannen", "versnellingstafel", "open_boeken", "positieve_mkba"), True)


@pytest.fixture
def designated(settings, tmp_path):
    """A version that designates one area (the shipped version leaves the list to the ministry)."""
    settings.REGULATION_DIRS = [tmp_path]
    text = (regulation.SHIPPED / "gebiedsbudget-2025-01.toml").read_text(encoding="utf-8")
    text = text.replace('versie = "2025-01"', 'versie = "2025-02"').replace("namen = []", 'namen = ["Zuidplas"]')
    (tmp_path / "gebiedsbudget-2025-02.toml").write_text(text, encoding="utf-8")


def package(**changes):
    """€ 30 mln of eligible measures: at most € 15 mln from the Rijk; the region reserves € 12 mln."""
    base = dict(id="P", area="Zuidplas", decided=_date(2025, 11, 1),
                measures={"openbare_ruimte": 2_000_000_000, "toekomstbestendigheid": 1_000_000_000},
                regional_contribution_cents=1_200_000_000, requested_cents=2_000_000_000,
                regional_affordable_percent=68, homes=3000, homes_before_2030=1200, last_homes_year=2033,
                conditions=GB_CONDITIONS)  # fmt: skip
    return gb.Package(**{**base, **changes})


def test_gebiedsbudget_pays_at_most_the_regional_match_and_half(designated):
    assessed = gb.assess_package(package())
    assert assessed.failures == [] and assessed.contribution_cents == 1_200_000_000  # the region's € 12 mln
    richer_region = gb.assess_package(package(regional_contribution_cents=2_000_000_000))
    assert richer_region.contribution_cents == 1_500_000_000  # 50% of € 30 mln
    near_ceiling = gb.assess_package(package(), already_granted_cents=89_500_000_000)
    assert near_ceiling.contribution_cents == 500_000_000  # € 5 mln left of the € 900 mln
    assert "gebiedsbudget 2025-02" in assessed.regulation


@given(st.integers(0, 10**11), st.integers(0, 10**11), st.integers(0, 10**11), st.integers(0, 10**11))
def test_gebiedsbudget_never_exceeds_half_or_the_regional_match(eligible, regional, requested, room):
    share = regulation.in_force("gebiedsbudget", _date(2025, 6, 1)).value("rijksbijdrage_maximum_procent")
    paid = gb.contribution_cents(eligible, regional, requested, room, share)
    assert 0 <= paid <= min(eligible // 2, regional, requested, room) and 2 * paid <= eligible


def test_gebiedsbudget_rules_fail_with_reason_and_source(designated):
    assessed = gb.assess_package(package(area="Elders", regional_affordable_percent=60, last_homes_year=2035,
                                         homes_before_2030=500, measures={"bereikbaarheid": 10, "parkeren": 5},
                                         conditions={**GB_CONDITIONS, "positieve_mkba": False}))  # fmt: skip
    rules = {f["rule"] for f in assessed.failures}
    assert rules == {
        "aangewezen_gebied",
        "positieve_mkba",
        "regionaal_betaalbaar",
        "termijn_laatste",
        "substantieel_voor_2030",
        "maatregelen",
    }  # fmt: skip  (maatregelen: none qualifies)
    assert assessed.contribution_cents == 0 and all("Afspraak 19.3" in f["source"] for f in assessed.failures)
    assert [m["measure"] for m in assessed.not_counted] == ["bereikbaarheid", "parkeren"]
    partly = gb.assess_package(package(measures={"openbare_ruimte": 2_000_000_000, "bereikbaarheid": 500_000_000}))
    assert partly.failures == [] and partly.eligible_investment_cents == 2_000_000_000  # accessibility not counted
    assert partly.contribution_cents == 1_000_000_000 and "uitgesloten" in partly.not_counted[0]["reason"]


def test_cli_gebiedsbudget_and_nplv(designated, tmp_path):
    path = tmp_path / "pakket.json"
    path.write_text(json.dumps({"id": "ZP-1", "gebied": "Zuidplas", "besluitdatum": "2025-11-01",
                                "maatregelen": {"openbare_ruimte": 20_000_000, "bereikbaarheid": 5_000_000},
                                "regio_bijdrage": 12_000_000, "gevraagd": 20_000_000,
                                "regionaal_betaalbaar_procent": 68, "woningen": 3000, "woningen_voor_2030": 1200,
                                "laatste_woningen_jaar": 2033, "voorwaarden": GB_CONDITIONS}),
                    encoding="utf-8")  # fmt: skip
    out = StringIO()
    call_command("instruments", "gebiedsbudget", str(path), stdout=out)
    assert "Rijksbijdrage: € 10.000.000,00" in out.getvalue() and "niet meegeteld" in out.getvalue()
    path.write_text('{"id": "x"}', encoding="utf-8")
    with pytest.raises(CommandError, match="Het pakket mist het veld 'gebied'"):
        call_command("instruments", "gebiedsbudget", str(path), stdout=StringIO())
    out = StringIO()
    call_command("instruments", "nplv", "Rotterdam Zuid=30000", "Den Haag Zuidwest=25000", "--datum", "2025-06-01",
                 stdout=out)  # fmt: skip
    assert "naar rato" in out.getvalue() and "Rotterdam Zuid: 30000 woningen → € 327.272.727,00" in out.getvalue()
    with pytest.raises(CommandError, match="Schrijf GEBIED=WONINGEN"):
        call_command("instruments", "nplv", "Rotterdam", stdout=StringIO())


def test_nplv_12_000_per_home_600_million_for_50_000_homes():
    day = _date(2025, 6, 1)
    exact = gb.nplv_contribution({"Rotterdam Zuid": 30_000, "Den Haag Zuidwest": 20_000}, day)
    assert exact["claims_cents"] == 60_000_000_000 and not exact["scaled"]
    over = gb.nplv_contribution({"A": 40_000, "B": 20_000}, day)  # 60,000 homes: € 720 mln → € 600 mln
    assert over["scaled"] and sum(over["areas"].values()) == 60_000_000_000
    assert over["areas"] == {"A": 40_000_000_000, "B": 20_000_000_000}
    with pytest.raises(ValueError, match="valt buiten € 10.000,00 – € 13.000,00"):
        gb.nplv_contribution({"A": 1}, day, per_home_cents=1_500_000)


def test_wbi_applications_through_the_rest_api_and_the_ranking_page(client, db):
    """A municipality submits its own application (not another's); the Rijk sees all and ranks the window."""
    from .roles import seat_user

    rows = [dict(zip(WBI_CSV.splitlines()[0].split(";"), line.split(";"), strict=True))
            for line in WBI_CSV.splitlines()[1:]]  # fmt: skip
    utrecht = seat_user("gem-utrecht", "Gemeente Utrecht", "gemeente", "PV26", "GM0344", "bewerker")
    rijk = seat_user("bzk", "Ministerie", "rijk", None, None, "lezer")
    client.force_login(utrecht)
    created = client.post("/api/v1/wbi-applications", rows[0], content_type="application/json")
    assert created.status_code == 201 and created.json()["application_id"] == "W1", created.content
    again = client.post("/api/v1/wbi-applications", rows[0], content_type="application/json")
    assert again.status_code == 400 and "staat al in tijdvak 2025-1" in again.json()["detail"]
    other = client.post("/api/v1/wbi-applications", rows[1], content_type="application/json")  # Amsterdam's
    assert other.status_code == 403
    broken = client.post("/api/v1/wbi-applications", {**rows[0], "id": "W9", "woningen": "veel"},
                         content_type="application/json")  # fmt: skip
    assert broken.status_code == 400 and "kolom woningen: 'veel'" in broken.json()["detail"]
    assert client.get("/api/v1/wbi-assessment?tijdvak=2025-1&budget=3000000").status_code == 403
    assert client.get("/instrumenten/woningbouwimpuls").status_code == 403
    client.force_login(rijk)
    assessed = client.get("/api/v1/wbi-assessment?tijdvak=2025-1&budget=3.000.000").json()
    assert assessed["granted_cents"] == 245_000_000 and assessed["applications"][0]["decision"] == "toegekend"
    page = client.get("/instrumenten/woningbouwimpuls?tijdvak=2025-1&budget=3.000.000").content.decode()
    assert "W1" in page and "€ 2.450.000" in page and "toegekend" in page
    assert [a["application_id"] for a in client.get("/api/v1/wbi-applications").json()] == ["W1"]


def test_gebiedsbudget_and_nplv_through_the_rest_api(client, designated, db):
    from .roles import seat_user

    client.force_login(seat_user("bzk2", "Ministerie BZK", "rijk", None, None, "lezer"))
    body = {"id": "ZP-1", "gebied": "Zuidplas", "besluitdatum": "2025-11-01",
            "maatregelen": {"openbare_ruimte": "20.000.000", "bereikbaarheid": 5_000_000},
            "regio_bijdrage": 12_000_000, "gevraagd": 20_000_000, "regionaal_betaalbaar_procent": 68,
            "woningen": 3000, "woningen_voor_2030": 1200, "laatste_woningen_jaar": 2033,
            "voorwaarden": GB_CONDITIONS}  # fmt: skip
    answer = client.post("/api/v1/gebiedsbudget-assessments", body, content_type="application/json").json()
    assert answer["contribution_cents"] == 1_000_000_000 and answer["not_counted"][0]["measure"] == "bereikbaarheid"
    nplv = client.post("/api/v1/nplv-contributions", {"woningen": {"A": 40_000, "B": 20_000}, "datum": "2025-06-01"},
                       content_type="application/json").json()  # fmt: skip
    assert nplv["scaled"] and sum(nplv["areas"].values()) == 60_000_000_000
    refused = client.post("/api/v1/nplv-contributions", {"woningen": {"A": -1}}, content_type="application/json")
    assert refused.status_code == 400 and "niet negatief" in refused.json()["detail"]


# Stored gebiedsbudget packages, the instrument pages and their downloads

ZUIDPLAS = {"id": "ZP-1", "gebied": "Zuidplas", "besluitdatum": "2025-11-01", "gemeenten": ["GM1892"],
            "maatregelen": {"openbare_ruimte": "20.000.000", "toekomstbestendigheid": "10.000.000"},
            "regio_bijdrage": "12.000.000", "gevraagd": "20.000.000", "regionaal_betaalbaar_procent": 68,
            "woningen": 3000, "woningen_voor_2030": 1200, "laatste_woningen_jaar": 2033,
            "voorwaarden": GB_CONDITIONS}  # fmt: skip


@pytest.fixture
def small_ceiling(designated, tmp_path):
    """The designated version with a ceiling of € 20 mln, so that a second package gets what the first left."""
    path = tmp_path / "gebiedsbudget-2025-02.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("waarde = 90000000000", "waarde = 2000000000"))


def test_packages_draw_on_one_ceiling_in_decision_order(client, small_ceiling, db):
    """Each package alone: min(50% of € 30 mln, the region's € 12 mln, € 20 mln asked) = € 12 mln. Ceiling € 20 mln:
    the package decided first gets € 12 mln, the later one the € 8 mln left, whichever was submitted first."""
    from .roles import seat_user

    later = {**ZUIDPLAS, "id": "ZP-2", "besluitdatum": "2025-12-01"}
    client.force_login(seat_user("zh", "Provincie Zuid-Holland", "provincie", "PV28", None, "bewerker"))
    first = client.post("/api/v1/gebiedsbudget-packages", later, content_type="application/json")
    assert first.status_code == 201 and first.json()["contribution_cents"] == 1_200_000_000, first.content
    second = client.post("/api/v1/gebiedsbudget-packages", ZUIDPLAS, content_type="application/json")
    assert second.json()["contribution_cents"] == 1_200_000_000 and second.json()["granted_before_cents"] == 0
    overview = client.get("/api/v1/gebiedsbudget-packages").json()
    assert [(p["id"], p["contribution_cents"]) for p in overview["packages"]] == [("ZP-1", 1_200_000_000),
                                                                                   ("ZP-2", 800_000_000)]  # fmt: skip
    assert overview["granted_cents"] == overview["ceiling_cents"] == 2_000_000_000
    again = client.post("/api/v1/gebiedsbudget-packages", ZUIDPLAS, content_type="application/json")
    assert again.status_code == 400 and "ZP-1 is al ingediend" in again.json()["detail"]
    unknown = client.post("/api/v1/gebiedsbudget-packages", {**ZUIDPLAS, "id": "ZP-3", "gemeenten": ["GM9999"]},
                          content_type="application/json")  # fmt: skip
    assert unknown.status_code == 403  # not a municipality of Zuid-Holland, so not this province's package
    client.force_login(seat_user("utr", "Provincie Utrecht", "provincie", "PV26", None, "bewerker"))
    other = client.post("/api/v1/gebiedsbudget-packages", {**ZUIDPLAS, "id": "ZP-4"}, content_type="application/json")
    assert other.status_code == 403
    client.logout()
    assert client.get("/api/v1/gebiedsbudget-packages").status_code == 401


def test_the_gebiedsbudget_page_takes_a_package_and_computes_the_nplv_contribution(client, small_ceiling, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bouwregie.instruments.models import GebiedsbudgetPackage

    from .roles import seat_user

    client.force_login(seat_user("zh", "Provincie Zuid-Holland", "provincie", "PV28", None, "bewerker"))
    upload = SimpleUploadedFile("zp.json", json.dumps(ZUIDPLAS).encode(), content_type="application/json")
    page = client.post("/instrumenten/gebiedsbudget", {"bestand": upload})
    assert page.status_code == 200 and "Pakket ZP-1 ingediend" in page.content.decode()
    assert "€ 12.000.000" in page.content.decode() and "GM1892" in page.content.decode()
    broken = SimpleUploadedFile("zp.json", json.dumps({**ZUIDPLAS, "id": "ZP-9", "woningen": "veel"}).encode())
    refused = client.post("/instrumenten/gebiedsbudget", {"bestand": broken})
    assert refused.status_code == 400 and "ongeldige waarde" in refused.content.decode()
    assert list(GebiedsbudgetPackage.objects.values_list("package_id", flat=True)) == ["ZP-1"]
    rows = client.get("/instrumenten/gebiedsbudget?formaat=csv").content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("pakket;gebied;gemeenten") and rows[1].split(";")[:3] == ["ZP-1", "Zuidplas", "GM1892"]
    assert rows[1].split(";")[9] == "1200000000" and len(rows) == 2
    # € 12.000 × 60.000 homes = € 720 mln > € 600 mln: scaled to the ceiling, 2 : 1.
    nplv = client.get("/instrumenten/gebiedsbudget", {"woningen": "A; 40000\nB; 20000"}).content.decode()
    assert "€ 400.000.000" in nplv and "€ 200.000.000" in nplv and "naar rato" in nplv
    wrong = client.get("/instrumenten/gebiedsbudget", {"woningen": "A 40000"})
    assert wrong.status_code == 400 and "Regel 1: verwacht" in wrong.content.decode()
    client.force_login(seat_user("gem", "Gemeente Zuidplas", "gemeente", "PV28", "GM1892", "bewerker"))
    upload = SimpleUploadedFile("zp.json", json.dumps({**ZUIDPLAS, "id": "ZP-5"}).encode())
    assert client.post("/instrumenten/gebiedsbudget", {"bestand": upload}).status_code == 400  # the province's act


def test_a_municipality_submits_its_wbi_file_in_the_browser_all_or_nothing(client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bouwregie.instruments.models import WbiApplication

    from .roles import seat_user

    header, w1, w2 = WBI_CSV.splitlines()
    client.force_login(seat_user("gem-utrecht", "Gemeente Utrecht", "gemeente", "PV26", "GM0344", "bewerker"))
    both = SimpleUploadedFile("aanvragen.csv", f"{header}\n{w1}\n{w2}\n".encode())
    refused = client.post("/instrumenten/woningbouwimpuls/aanvragen", {"bestand": both})
    assert refused.status_code == 400 and "gemeente GM0363" in refused.content.decode()
    assert WbiApplication.objects.count() == 0
    wrong = SimpleUploadedFile("aanvragen.csv", f"{header}\n{w1.replace(';250;', ';veel;')}\n".encode())
    refused = client.post("/instrumenten/woningbouwimpuls/aanvragen", {"bestand": wrong})
    assert refused.status_code == 400 and "Rij 2" in refused.content.decode() and WbiApplication.objects.count() == 0
    page = client.post("/instrumenten/woningbouwimpuls/aanvragen",
                       {"bestand": SimpleUploadedFile("aanvragen.csv", f"{header}\n{w1}\n".encode())})  # fmt: skip
    text = page.content.decode()
    # The hand-computed W1: deficit € 4,95 mln less € 2,5 mln co-financing = € 2,45 mln (what it asked).
    assert page.status_code == 200 and "1 aanvraag ingediend" in text and "voldoet aan alle regels" in text
    assert "€ 2.450.000" in text and "€ 4.950.000" in text and ",00" not in text  # whole euros (issue #19)
    client.force_login(seat_user("markt", "Bouwer BV", "bouwer", None, None, "bewerker"))
    assert client.get("/instrumenten/woningbouwimpuls/aanvragen").status_code == 403


def test_rankings_and_realisatiestimulans_download_as_excel_with_the_csv_rows(client, demo):
    import io

    import openpyxl

    from bouwregie.instruments import wbi_store

    from .roles import seat_user

    def value(text):  # Excel keeps numbers as numbers: 10.0 comes back as 10
        try:
            return float(text)
        except ValueError:
            return text

    def workbook_rows(response):
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
        return [[value("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]

    def csv_rows(response):
        return [[value(v) for v in line.split(";")] for line in response.content.decode("utf-8-sig").splitlines()]

    query = "/instrumenten/realisatiestimulans?gemeente=GM0363&formaat="
    assert workbook_rows(client.get(query + "xlsx")) == csv_rows(client.get(query + "csv"))
    header, w1, _w2 = WBI_CSV.splitlines()
    wbi_store.register(dict(zip(header.split(";"), w1.split(";"), strict=True)), None)
    client.force_login(seat_user("bzk", "Ministerie", "rijk", None, None, "lezer"))
    query = "/instrumenten/woningbouwimpuls?tijdvak=2025-1&budget=3000000&formaat="
    excel, text = workbook_rows(client.get(query + "xlsx")), csv_rows(client.get(query + "csv"))
    assert excel == [row if row != [""] else [] for row in text]
    assert excel[1][:4] == [1, "W1", "GM0344", "toegekend"] and excel[1][6] == 245_000_000


def test_one_municipality_sees_all_instruments_others_what_is_open(client, demo):
    from bouwregie.instruments import api, wbi_store
    from bouwregie.web.templatetags.money import euros  # the pages' notation: whole euros without ",00"

    from .roles import seat_user

    header, w1, _w2 = WBI_CSV.splitlines()
    wbi_store.register(dict(zip(header.split(";"), w1.split(";"), strict=True)), None)
    utrecht = api.realisatiestimulans("2026-Q3", "GM0344")["variants"]
    page = client.get("/instrumenten/gemeente/GM0344").content.decode()
    for variant in ("realisatie", "startbouw"):
        paid = sum(m["paid_cents"] for m in utrecht[variant]["municipalities"])
        assert euros(paid) in page
    assert "Financiële instrumenten voor Utrecht" in page and "zichtbaar voor de gemeente zelf" in page
    application_row = 'scope="row">W1</th>'  # not just "W1": a random CSRF token may hold those two characters
    assert application_row not in page and "Geen stedelijk focusgebied" in page
    client.force_login(seat_user("gem-utrecht", "Gemeente Utrecht", "gemeente", "PV26", "GM0344", "bewerker"))
    page = client.get("/instrumenten/gemeente/GM0344").content.decode()
    assert application_row in page and "€ 2.450.000" in page and "Geen pakketten" in page
    client.force_login(seat_user("gem-a", "Gemeente Amsterdam", "gemeente", "PV27", "GM0363", "bewerker"))
    page = client.get("/instrumenten/gemeente/GM0344").content.decode()
    assert application_row not in page and "zichtbaar voor de gemeente zelf" in page
    assert client.get("/instrumenten/gemeente/GM9999").status_code == 404
