"""The alternatives page always answers in the browser (issue #17): from the area's agreement, from its part
of its woondeal's jaarschijf (rule in monitor/shortfall.py and docs/monitor.md), or from a shortfall entered
on the page — never with advice to run a command. The API and the CLI give the same ranking.

The three-municipality region by hand: Woondeal Drie (Amersfoort, Utrecht, Zeist) agreed 1,000 homes in
2027. At peiling 2025-Q2 the pipelines are Utrecht 700, Zeist 500 and Amersfoort 300 (1,500 in all), so
Utrecht's part is 1,000 × 700/1,500 = 466.67, Zeist's 333.33 and Amersfoort's 200. Whole homes: 466 + 333 +
200 = 999, the one left goes to the largest remainder (Utrecht, 2/3) → 467, 333, 200. Utrecht delivers 250
in 2027, so its shortfall is 467 − 250 = 217; Zeist delivers nothing then: 333.
"""

import html
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from bouwregie.accounts import tokens
from bouwregie.geo.models import Municipality, Region
from bouwregie.monitor.alternatives import alternatives
from bouwregie.monitor.shortfall import MAX_SHORTFALL, derived_shortfall, split_year_target
from bouwregie.projects import services
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.targets.models import Target

from .builders import create
from .roles import seat_user


@pytest.fixture
def region(db):
    deal = Region.objects.create(code="woondeal-drie", name="Woondeal Drie", kind="woondeal")
    deal.municipalities.add(*Municipality.objects.filter(code__in=["GM0307", "GM0344", "GM0355"]))
    Target.objects.create(area="woondeal-drie", metric="bruto_woningen", first_year=2025, last_year=2030, total=6000,
                          yearly={"2027": 1000}, source="Woondeal Drie (test)")  # fmt: skip
    projects = {
        "U": create("Stationsgebied", "GM0344", plan_status="1A", homes={"sociale_huur": {"gestapeld": 700}},
                    milestones=(M("start_bouw", actual=date(2025, 3, 1)),
                                M("oplevering", planned=date(2027, 6, 1), homes=250, sequence=1),
                                M("oplevering", planned=date(2029, 6, 1), homes=450, sequence=2))),
        "Z": create("Zeist Noord", "GM0355", plan_status="1A", homes={"middenhuur": {"gestapeld": 500}},
                    milestones=(M("vergunning_verleend", actual=date(2025, 1, 1)),
                                M("oplevering", planned=date(2028, 6, 1)))),
        "A": create("Amersfoort Oost", "GM0307", plan_status="3", homes={"dure_koop": {"grondgebonden": 300}},
                    milestones=(M("omgevingsplan_vastgesteld", actual=date(2025, 2, 1)),)),
        "X1": create("Amsterdam Zuid", "GM0363", plan_status="1A", homes={"sociale_huur": {"gestapeld": 90}},
                     milestones=(M("start_bouw", actual=date(2025, 5, 1)), M("oplevering", planned=date(2029, 1, 1)))),
        "X2": create("Amsterdam West", "GM0363", plan_status="2A", homes={"dure_koop": {"gestapeld": 120}},
                     milestones=(M("vergunning_verleend", actual=date(2025, 4, 1)),
                                 M("oplevering", planned=date(2028, 3, 1)))),
    }  # fmt: skip
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    user = seat_user("gemeente_utrecht", "Gemeente Utrecht", "gemeente", "PV26", "GM0344", "bewerker")
    return {"codes": {k: p.code for k, p in projects.items()}, "user": user, "key": tokens.issue(user, "test")}


def _page(client, world, query):
    client.force_login(world["user"])
    response = client.get("/alternatieven?" + query)
    return response, html.unescape(response.content.decode())


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _ranking(page: str) -> list[str]:
    """The project codes of the candidates table, in the page's order."""
    table = page[page.index("<caption") :]
    return re.findall(r'<a class="utrecht-link" href="/projecten/([^"]+)">', table)


def _api(client, world, query):
    return client.get("/api/v1/alternatives?" + query, HTTP_AUTHORIZATION=f"Bearer {world['key']}")


def _cli(*args) -> dict:
    out = io.StringIO()
    call_command("alternatives", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def _no_command_advice(page: str):
    assert "bouwregie " not in page and "--tekort" not in page and "targets load" not in page


# --- the rule, by hand ------------------------------------------------------------------------------------------


def test_the_parts_of_a_jaarschijf_by_hand():
    pipeline = {"GM0344": 700, "GM0355": 500, "GM0307": 300}
    assert split_year_target(1000, pipeline) == {"GM0307": 200, "GM0344": 467, "GM0355": 333}
    utrecht = derived_shortfall("GM0344", 1000, pipeline, delivered=250)
    assert (utrecht["homes"], utrecht["shortfall"], utrecht["share"]) == (467, 217, 0.4667)
    assert (utrecht["pipeline"], utrecht["region_pipeline"], utrecht["even"]) == (700, 1500, False)
    assert derived_shortfall("GM0355", 1000, pipeline, delivered=400)["shortfall"] == 0  # never below zero


def test_a_region_without_pipeline_is_split_evenly_and_parts_always_add_up():
    assert split_year_target(1000, {"GM0344": 0, "GM0355": 0, "GM0307": 0}) == {
        "GM0307": 334, "GM0344": 333, "GM0355": 333}  # fmt: skip
    assert derived_shortfall("GM0355", 1000, {"GM0344": 0, "GM0355": 0, "GM0307": 0}, 0)["even"] is True
    for homes in (0, 1, 7, 999, 1000, 123_457):
        for pipeline in ({"a": 1, "b": 1, "c": 1}, {"a": 3, "b": 0, "c": 11}, {"a": 10**9, "b": 1}):
            parts = split_year_target(homes, pipeline)
            assert sum(parts.values()) == homes and all(v >= 0 for v in parts.values())
    with pytest.raises(ValueError, match="GM0363 is geen lid van de regio"):
        derived_shortfall("GM0363", 1000, {"GM0344": 1}, 0)


def test_the_derived_shortfall_in_the_monitor(region):
    r = alternatives("GM0344", "2025-Q2", 2027)
    assert (r["target"]["homes"], r["delivered"], r["shortfall"], r["shortfall_from"]) == (467, 250, 217, "woondeal")
    assert r["target"]["source"] == "Woondeal Drie (test)"
    assert r["target"]["woondeal"]["parts"] == {"GM0307": 200, "GM0344": 467, "GM0355": 333}
    assert r["target"]["basis"] == ("46,7% van de 1.000 woningen van Woondeal Drie in 2027 (jaarschijf), naar het "
                                    "aandeel in de pijplijn van de regio: 700 van 1.500 woningen")  # fmt: skip
    zeist = alternatives("GM0355", "2025-Q2", 2027)
    assert (zeist["target"]["homes"], zeist["delivered"], zeist["shortfall"]) == (333, 0, 333)


def test_an_own_agreement_and_a_stated_shortfall_go_before_the_woondeal(region):
    Target.objects.create(area="GM0344", metric="bruto_woningen", first_year=2027, last_year=2027, total=400,
                          source="Gemeente Utrecht (test)")  # fmt: skip
    own = alternatives("GM0344", "2025-Q2", 2027)
    assert (own["shortfall"], own["shortfall_from"], "woondeal" in own["target"]) == (150, "afspraak", False)
    stated = alternatives("GM0344", "2025-Q2", 2027, shortfall=90)
    assert (stated["shortfall"], stated["shortfall_from"]) == (90, "opgegeven")


def test_the_narrowest_woondeal_counts(region):
    wide = Region.objects.create(code="woondeal-breed", name="Woondeal Breed", kind="woondeal")
    wide.municipalities.add(*Municipality.objects.filter(code__in=["GM0307", "GM0344", "GM0355", "GM0363"]))
    Target.objects.create(area="woondeal-breed", metric="bruto_woningen", first_year=2027, last_year=2027,
                          total=5000, source="Woondeal Breed (test)")  # fmt: skip
    assert alternatives("GM0344", "2025-Q2", 2027)["target"]["woondeal"]["code"] == "woondeal-drie"
    # Amsterdam is only in the wide one: 5,000 × 210 / (1,500 + 210) = 614.04 → 614 (remainders .04 < the rest's).
    amsterdam = alternatives("GM0363", "2025-Q2", 2027)
    assert amsterdam["target"]["woondeal"]["code"] == "woondeal-breed" and amsterdam["target"]["homes"] == 614


# --- the page ---------------------------------------------------------------------------------------------------


def test_the_page_answers_for_a_municipality_without_its_own_agreement(client, region):
    response, page = _page(client, region, "gebied=GM0344&jaar=2027")
    assert response.status_code == 200
    text = _text(page)
    assert "467 deel van woondeal Woondeal Drie (Woondeal Drie (test))" in text
    assert "217 tekort" in text and "250 opgeleverd en gepland" in text
    assert "Utrecht heeft geen eigen afspraak voor dit jaar; het deel van de woondeal is 467 woningen: 46,7%" in text
    codes = region["codes"]
    assert _ranking(page) == [codes["U"], codes["Z"]]  # Amersfoort Oost is too late for 2027
    _no_command_advice(page)


def test_without_agreement_or_woondeal_the_page_asks_for_the_shortfall(client, region):
    response, page = _page(client, region, "gebied=GM0363&jaar=2027")
    assert response.status_code == 200 and 'role="alert"' not in page
    text = _text(page)
    assert "Tekort van Amsterdam in 2027 opgeven" in text
    assert "Amsterdam heeft geen afspraak die 2027 dekt en ligt niet in een woondeal met zo'n afspraak" in text
    form = page[page.index('<section aria-labelledby="tekort-opgeven-kop">') :]
    assert '<label class="utrecht-form-label" for="tekort-opgeven">Tekort in 2027 (woningen)</label>' in form
    field = 'id="tekort-opgeven" name="tekort" inputmode="numeric" required aria-describedby="tekort-opgeven-uitleg"'
    assert field in form
    for hidden in ('name="gebied" value="GM0363"', 'name="jaar" value="2027"', 'name="peiling" value="2025-Q2"'):
        assert hidden in form
    _no_command_advice(page)

    response, page = _page(client, region, "gebied=GM0363&jaar=2027&peiling=2025-Q2&tekort=100")
    assert response.status_code == 200 and "100 tekort (opgegeven)" in _text(page)
    assert _ranking(page) == [region["codes"]["X1"], region["codes"]["X2"]]
    _no_command_advice(page)


def test_a_region_without_agreement_is_asked_too(client, region):
    Region.objects.create(code="tafel-oost", name="Tafel Oost", kind="versnellingstafel").municipalities.add(
        Municipality.objects.get(code="GM0307")
    )
    response, page = _page(client, region, "gebied=tafel-oost&jaar=2027")
    assert response.status_code == 200 and "Tekort van Tafel Oost in 2027 opgeven" in _text(page)
    _no_command_advice(page)
    response, page = _page(client, region, "gebied=woondeal-drie&jaar=2027")  # a region's slug, not upper-cased
    assert response.status_code == 200 and "1.000 afspraak (Woondeal Drie (test))" in _text(page)
    response, page = _page(client, region, "gebied=gm0344&jaar=2027")  # codes in any case
    assert response.status_code == 200 and "217 tekort" in _text(page)


@pytest.mark.parametrize("value", ["-5", "0", "abc", "²", "12,5", "2147483648", "9" * 5000])
def test_a_bad_shortfall_gets_a_clear_message_at_its_field(client, region, value):
    response, page = _page(client, region, f"gebied=GM0363&jaar=2027&tekort={value}")
    assert response.status_code == 400
    shown = value if len(value) <= 40 else value[:40] + "…"
    message = f"Het tekort moet een heel getal van 1 tot en met 2.147.483.647 zijn, niet '{shown}'."
    assert f'<div class="utrecht-form-field-error-message" id="tekort-fout">{message}</div>' in page
    assert 'aria-invalid="true" aria-describedby="tekort-fout"' in page
    assert f'<a class="utrecht-link" href="#tekort">{message}</a>' in page  # the summary leads to the field
    assert "<caption" not in page
    _no_command_advice(page)


def test_a_bad_year_or_area_is_marked_at_its_field(client, region):
    response, page = _page(client, region, "gebied=GM0344&jaar=2024")
    assert response.status_code == 400 and 'id="jaar-fout">Jaar 2024 ligt voor peiling 2025-Q2' in page
    response, page = _page(client, region, "gebied=Atlantis&jaar=2027")
    assert response.status_code == 400 and 'id="gebied-fout">Onbekend gebied' in page


def test_the_page_in_english(client, region):
    client.force_login(region["user"])
    response = client.get("/alternatieven?gebied=GM0363&jaar=2027", HTTP_ACCEPT_LANGUAGE="en")
    page = html.unescape(response.content.decode())
    assert 'lang="en"' in page
    _no_command_advice(page)


# --- the same question through the API and the CLI ---------------------------------------------------------------


def test_api_and_cli_give_the_pages_ranking(client, region):
    _, page = _page(client, region, "gebied=GM0344&jaar=2027")
    derived = _api(client, region, "area=GM0344&year=2027").json()
    assert derived["shortfall"] == 217 and derived["shortfall_from"] == "woondeal"
    assert [c["code"] for c in derived["candidates"]] == _ranking(page)
    assert [c["code"] for c in _cli("--area", "GM0344", "--year", "2027")["candidates"]] == _ranking(page)

    _, page = _page(client, region, "gebied=GM0363&jaar=2027&tekort=100")
    stated = _api(client, region, "area=GM0363&year=2027&tekort=100").json()
    assert stated["shortfall"] == 100 and [c["code"] for c in stated["candidates"]] == _ranking(page)
    cli = _cli("--area", "GM0363", "--year", "2027", "--tekort", "100")
    assert [c["code"] for c in cli["candidates"]] == _ranking(page)
    assert [c["score"] for c in cli["candidates"]] == [c["score"] for c in stated["candidates"]]


def test_the_api_asks_for_tekort_by_name_when_it_cannot_derive_it(client, region):
    response = _api(client, region, "area=GM0363&year=2027")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Tekort nodig" and body["invalidParams"][0]["name"] == "tekort"
    assert "Geen bruto-afspraak voor Amsterdam die 2027 dekt" in body["detail"] and "bouwregie " not in body["detail"]
    too_big = _api(client, region, f"area=GM0363&year=2027&tekort={MAX_SHORTFALL + 1}")
    assert too_big.status_code == 400 and too_big.json()["invalidParams"][0]["name"] == "tekort"


def test_the_cli_still_names_its_option(region):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="geef het tekort zelf op. Gebruik --tekort N"):
        _cli("--area", "GM0363", "--year", "2027")
