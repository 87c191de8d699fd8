"""Evenwichtige verdeling (issue #17, seed 003) and the alternatives from a woondeal's jaarschijf, by hand.

Woondeal WD-T3 (Amersfoort GM0307, Utrecht GM0344, Zeist GM0355), taakstelling 3,000 of which 900 sociale
huur: norm 900 / 3,000 = 30%, flag band ± 10 percentage points. Peiling 2025-Q2 (30 June 2025):

  Utrecht    U1 realised 2023: 200 (100 sociale huur, 100 middenhuur)      new build 200, 100 sociaal → 50%
             U4 realised 2021: 100 dure koop                                before 2022: not counted
             U2 pipeline 400 (100 sociale huur, 300 dure koop)
             U3 pipeline 50, segment unknown                                pipeline 450, known 400, 100 → 25%
                                                                            together 200 / 600 = 33.3%: within
  Zeist      Z3 realised 2024: 300 dure koop                                new build 0 / 300 = 0%
             Z1 pipeline 120 middenhuur, Z2 pipeline 100 dure koop          pipeline 0 / 220 = 0%
                                                                            together 0 / 520 = 0%: ver onder
             to reach 30%: ceil(0.3 × 520 − 0) = 156 more sociale huur → Z1 (room 120) 120, Z2 (room 100) 36
  Amersfoort A2 realised 2022: 100 (50 sociale huur, 50 middenhuur)         new build 50 / 100 = 50%
             A1 pipeline 200 sociale huur                                   pipeline 200 / 200 = 100%
                                                                            together 250 / 300 = 83.3%: ver boven
             to reach 30%: ceil(250 − 0.3 × 300) = 160 fewer → A1 (room 200) 160
  Region (9 distinct projects): new build 150 / 600 = 25%; pipeline 300 / 820 known (870 homes) = 36.6%;
             together 450 / 1,420 = 31.7%. Amsterdam's 100 sociale huur (not a member) is not counted.

Alternatives for Zeist in 2027 (no agreement of its own): jaarschijf 2027 of WD-T3 = 1,000, pipelines
Utrecht 450, Zeist 220, Amersfoort 200 (870): 517.24 / 252.87 / 229.89 → floors 517 + 252 + 229 = 998, the two
left to the largest remainders (Amersfoort .89, Zeist .87): 517 / 253 / 230. Zeist plans 120 in 2027:
shortfall 253 − 120 = 133.
"""

import html
import json
import re
from datetime import UTC, date, datetime

import pytest

from bouwregie.accounts import tokens
from bouwregie.geo.models import Municipality, Region
from bouwregie.monitor.alternatives import alternatives
from bouwregie.monitor.figures import SOCIAL_NORM
from bouwregie.monitor.spreiding import ProjectHomes, distribution, flag, homes_to_norm
from bouwregie.projects import services
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.targets.models import Target
from bouwregie.woondeals import store
from bouwregie.woondeals.spreiding import for_woondeal

from .builders import create
from .roles import seat_user

DEAL = {
    "name": "Woondeal Drie (test)",
    "provinces": ["PV26"],
    "members": [{"code": c, "from": None, "until": None} for c in ("GM0307", "GM0344", "GM0355")],
    "taakstelling_total": 3000,
    "taakstelling_segments": {"sociale_huur": 900, "middenhuur_betaalbare_koop": 1200, "duur": 900},
    "jaarschijven": {str(y): (1000 if y == 2027 else 250) for y in range(2022, 2031)},
    "source": "Woondeal Drie, testdocument",
    "valid_from": "2022-06-01",
}


def _done(year):
    return (M("start_bouw", actual=date(year - 1, 3, 1)), M("oplevering", actual=date(year, 6, 1)))


def _building(year=2029):
    return (M("start_bouw", actual=date(2025, 3, 1)), M("oplevering", planned=date(year, 6, 1)))


@pytest.fixture
def world(db):
    store.record("WD-T3", DEAL, author="test", reason="test", now=datetime(2022, 6, 1, tzinfo=UTC))
    p = {
        "U1": create("Utrecht Klaar", "GM0344", plan_status="1A", milestones=_done(2023),
                     homes={"sociale_huur": {"gestapeld": 100}, "middenhuur": {"gestapeld": 100}}),
        "U4": create("Utrecht Oud", "GM0344", plan_status="1A", milestones=_done(2021),
                     homes={"dure_koop": {"gestapeld": 100}}),
        "U2": create("Utrecht Bouwt", "GM0344", plan_status="1A", milestones=_building(),
                     homes={"sociale_huur": {"gestapeld": 100}, "dure_koop": {"gestapeld": 300}}),
        "U3": create("Utrecht Onbekend", "GM0344", plan_status="1A", milestones=_building(),
                     homes={"onbekend": {"gestapeld": 50}}),
        "Z3": create("Zeist Klaar", "GM0355", plan_status="1A", milestones=_done(2024),
                     homes={"dure_koop": {"grondgebonden": 300}}),
        "Z1": create("Zeist Midden", "GM0355", plan_status="1A", milestones=_building(2027),
                     homes={"middenhuur": {"gestapeld": 120}}),
        "Z2": create("Zeist Duur", "GM0355", plan_status="1A", milestones=_building(),
                     homes={"dure_koop": {"grondgebonden": 100}}),
        "A2": create("Amersfoort Klaar", "GM0307", plan_status="1A", milestones=_done(2022),
                     homes={"sociale_huur": {"gestapeld": 50}, "middenhuur": {"gestapeld": 50}}),
        "A1": create("Amersfoort Sociaal", "GM0307", plan_status="1A", milestones=_building(),
                     homes={"sociale_huur": {"gestapeld": 200}}),
        "X": create("Amsterdam Sociaal", "GM0363", plan_status="1A", milestones=_building(),
                    homes={"sociale_huur": {"gestapeld": 100}}),
    }  # fmt: skip
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    user = seat_user("provincie_utrecht", "Provincie Utrecht", "provincie", "PV26", None, "tafelbeheerder")
    return {"codes": {k: v.code for k, v in p.items()}, "user": user, "key": tokens.issue(user, "test")}


# --- pure rules -------------------------------------------------------------------------------------------------


def test_flags_and_homes_to_the_norm_by_hand():
    assert flag(0.19, 0.3) == "ver_onder" and flag(0.2, 0.3) is None and flag(0.4, 0.3) is None
    assert flag(0.41, 0.3) == "ver_boven" and flag(None, 0.3) is None
    assert flag(0.25, 0.3, threshold=0.04) == "ver_onder"
    assert homes_to_norm(0, 520, 0.3, "ver_onder") == 156
    assert homes_to_norm(250, 300, 0.3, "ver_boven") == 160
    assert homes_to_norm(10, 101, 0.3, "ver_onder") == 21  # 30.3 − 10 = 20.3 → 21 whole homes


def test_distribution_counts_each_project_once_and_leaves_non_members_out():
    p = ProjectHomes("P1", "Een", "GM0344", pipeline=100, pipeline_social=10, pipeline_known=100)
    result = distribution(
        ["GM0344", "GM0355"],
        [p, p, ProjectHomes("P2", "Ander", "GM0363", pipeline=50, pipeline_social=50, pipeline_known=50)],
        0.3,
    )
    assert result["region"]["pipeline"] == {"homes": 100, "social": 10, "known": 100, "share": 0.1}
    zeist = result["municipalities"][1]
    assert zeist["municipality"] == "GM0355" and zeist["total"]["share"] is None and zeist["flag"] is None


# --- the three-municipality region ------------------------------------------------------------------------------


def _by_code(result):
    return {m["municipality"]: m for m in result["municipalities"]}


def test_balanced_distribution_by_hand(world):
    r = for_woondeal("WD-T3", "2025-Q2")
    assert (r["norm"], r["norm_basis"], r["threshold"]) == (0.3, "woondeal", 0.1)
    assert r["members"] == ["GM0307", "GM0344", "GM0355"] and r["date"] == "2025-06-30"
    m = _by_code(r)
    u, z, a = m["GM0344"], m["GM0355"], m["GM0307"]
    assert (u["new_build"]["homes"], u["new_build"]["social"], u["new_build"]["share"]) == (200, 100, 0.5)
    assert (u["pipeline"]["homes"], u["pipeline"]["known"], u["pipeline"]["share"]) == (450, 400, 0.25)
    assert u["total"]["share"] == pytest.approx(1 / 3) and u["flag"] is None and u["movers"] == []
    assert (z["new_build"]["homes"], z["pipeline"]["homes"], z["total"]["share"]) == (300, 220, 0)
    assert (z["flag"], z["needed"], z["closed_by_pipeline"]) == ("ver_onder", 156, True)
    codes = world["codes"]
    assert [(x["code"], x["room"], x["change"], x["cumulative"]) for x in z["movers"]] == [
        (codes["Z1"], 120, 120, 120), (codes["Z2"], 100, 36, 156)]  # fmt: skip
    assert a["new_build"]["share"] == 0.5 and a["pipeline"]["share"] == 1.0
    assert a["total"]["share"] == pytest.approx(250 / 300) and (a["flag"], a["needed"]) == ("ver_boven", 160)
    assert [(x["code"], x["room"], x["change"]) for x in a["movers"]] == [(codes["A1"], 200, 160)]
    region = r["region"]
    assert region["projects"] == 9
    assert (region["new_build"]["homes"], region["new_build"]["social"], region["new_build"]["share"]) == (
        600,
        150,
        0.25,
    )
    assert (region["pipeline"]["homes"], region["pipeline"]["known"], region["pipeline"]["social"]) == (870, 820, 300)
    assert region["total"]["share"] == pytest.approx(450 / 1420)
    # a wider band flags nobody; the provincial third when the woondeal has no sociale-huur segment
    assert not any(x["flag"] for x in for_woondeal("WD-T3", "2025-Q2", threshold=0.6)["municipalities"])
    plain = {**DEAL, "taakstelling_segments": {}}
    store.record("WD-T3", plain, author="test", reason="zonder segmenten", now=datetime(2022, 7, 1, tzinfo=UTC))
    r = for_woondeal("WD-T3", "2025-Q2")
    assert (r["norm"], r["norm_basis"]) == (SOCIAL_NORM, "provinciaal")
    assert _by_code(r)["GM0307"]["needed"] == 150  # ceil(250 − 300/3) = 150


def _text(response) -> str:
    page = html.unescape(response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_page_in_dutch_and_english_and_the_api_agree(client, world):
    client.force_login(world["user"])
    response = client.get("/woondeals/WD-T3/spreiding?peiling=2025-Q2")
    assert response.status_code == 200
    text = _text(response)
    assert "Evenwichtige verdeling van sociale huur: Woondeal Drie (test)" in text
    assert "Zeist GM0355 300 0,0% 220 0,0% 0,0% ▼ ver onder de norm" in text
    assert "Amersfoort GM0307 100 50,0% 200 100,0% 83,3% ▲ ver boven de norm" in text
    assert "Utrecht GM0344 200 50,0% 450 25,0% 33,3% binnen de marge" in text
    assert "Regio (unieke projecten) 600 25,0% 870 36,6% 31,7%" in text
    assert "Om de norm te halen moeten 156 woningen meer sociale huur worden" in text
    codes = world["codes"]
    assert f"Zeist Midden {codes['Z1']} 120 120 120 120" in text and f"Zeist Duur {codes['Z2']} 100 100 36 156" in text
    assert response.content.decode().count('<caption class="utrecht-table__caption">') == 3

    english = client.get("/woondeals/WD-T3/spreiding?peiling=2025-Q2", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and '<html lang="en"' in english.content.decode()
    assert "300 0.0% 220 0.0% 0.0%" in _text(english) and "600 25.0% 870 36.6% 31.7%" in _text(english)

    api = client.get("/api/v1/woondeals/WD-T3/spreiding?peiling=2025-Q2", HTTP_AUTHORIZATION=f"Bearer {world['key']}")
    assert api.status_code == 200
    body = api.json()
    assert body == json.loads(json.dumps(for_woondeal("WD-T3", "2025-Q2")))
    assert [m["flag"] for m in body["municipalities"]] == ["ver_boven", None, "ver_onder"]
    # without ?peiling the latest closed one; the threshold in percentage points
    assert client.get("/api/v1/woondeals/WD-T3/spreiding?drempel=60", HTTP_AUTHORIZATION=f"Bearer {world['key']}"
                      ).json()["threshold"] == 0.6  # fmt: skip


def test_page_and_api_refuse_clearly(client, world):
    client.force_login(world["user"])
    assert client.get("/woondeals/WD-XX/spreiding").status_code == 404
    bad = client.get("/woondeals/WD-T3/spreiding?drempel=abc")
    assert bad.status_code == 400 and "De drempel moet een heel getal van 0 tot en met 100 zijn, niet 'abc'." in _text(
        bad
    )
    other = client.get("/woondeals/WD-T3/spreiding?peiling=2030-Q1")
    assert other.status_code == 200 and "Kies een gesloten peiling." in _text(other)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world['key']}"}
    urls = {
        "/api/v1/woondeals/WD-XX/spreiding": 404,
        "/api/v1/woondeals/WD-T3/spreiding?peiling=2030-Q1": 404,
        "/api/v1/woondeals/WD-T3/spreiding?drempel=101": 400,
    }
    for url, status in urls.items():
        response = client.get(url, **auth)
        assert response.status_code == status and response["Content-Type"].startswith("application/problem+json")


def test_the_api_needs_a_signed_in_account_that_may_read_projects(world):
    from django.test import Client

    assert Client().get("/api/v1/woondeals/WD-T3/spreiding").status_code == 401


# --- alternatives from the woondeal's jaarschijf ---------------------------------------------------------------


def test_alternatives_for_a_municipality_without_its_own_agreement_from_its_woondeal(client, world):
    r = alternatives("GM0355", "2025-Q2", 2027)
    assert (r["target"]["homes"], r["delivered"], r["shortfall"], r["shortfall_from"]) == (253, 120, 133, "woondeal")
    deal = r["target"]["woondeal"]
    assert (deal["code"], deal["homes"], deal["parts"]) == (
        "WD-T3",
        1000,
        {"GM0307": 230, "GM0344": 517, "GM0355": 253},
    )
    assert r["target"]["source"] == "Woondeal Drie, testdocument"
    assert r["target"]["basis"] == (
        "25,3% van de 1.000 woningen van Woondeal Drie (test) in 2027 (jaarschijf van de "
        "woondeal), naar het aandeel in de pijplijn van de regio: 220 van 870 woningen"
    )
    assert [w["code"] for w in r["woondeal"]] == ["WD-T3"]
    client.force_login(world["user"])
    text = _text(client.get("/alternatieven?gebied=GM0355&jaar=2027"))
    assert "253 deel van woondeal Woondeal Drie (test) (Woondeal Drie, testdocument)" in text and "133 tekort" in text
    assert "bouwregie " not in text and "--tekort" not in text


def test_the_woondeal_goes_before_an_old_region_and_the_region_is_the_fallback(world):
    old = Region.objects.create(code="woondeal-oud", name="Woondeal Oud", kind="woondeal")
    old.municipalities.add(*Municipality.objects.filter(code__in=["GM0355", "GM0363"]))
    Target.objects.create(area="woondeal-oud", metric="bruto_woningen", first_year=2027, last_year=2027, total=500,
                          source="Oud (test)")  # fmt: skip
    assert alternatives("GM0355", "2025-Q2", 2027)["target"]["woondeal"]["code"] == "WD-T3"
    # Amsterdam is in no woondeal: the old region answers, 500 × 100 / (220 + 100) = 156.25 → 156
    amsterdam = alternatives("GM0363", "2025-Q2", 2027)
    assert (amsterdam["target"]["woondeal"]["code"], amsterdam["target"]["homes"]) == ("woondeal-oud", 156)
    # a member that joins later is not a member at the peiling: no part of the woondeal then
    later = {
        **DEAL,
        "provinces": ["PV26", "PV27"],
        "members": [*DEAL["members"], {"code": "GM0363", "from": "2026-01-01", "until": None}],
    }
    store.record("WD-T3", later, author="test", reason="Amsterdam treedt toe", now=datetime(2023, 1, 1, tzinfo=UTC))
    assert alternatives("GM0363", "2025-Q2", 2027)["target"]["woondeal"]["code"] == "woondeal-oud"


def test_a_year_without_jaarschijf_spreads_the_taakstelling(world):
    store.record("WD-T3", {**DEAL, "jaarschijven": {}}, author="test", reason="zonder jaarschijven",
                 now=datetime(2022, 7, 1, tzinfo=UTC))  # fmt: skip
    r = alternatives("GM0355", "2025-Q2", 2027)  # 3,000 / 9 = 333.3 → 334 for the region; Zeist 334 × 220/870
    assert r["target"]["woondeal"]["homes"] == 334 and r["target"]["homes"] == 84  # 84.46 → 84 (largest rests)
    assert "taakstelling 2022–2030 gelijk verdeeld over 9 jaar" in r["target"]["basis"]
