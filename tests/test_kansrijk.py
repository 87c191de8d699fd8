"""Kansrijk Bouwen! scores and the hours allocation (issue #4), computed by hand with the standard model:
three pillars of weight 1; ruimtelijke kwaliteit = plantype; woningbehoefte = (2 betaalbaar + sociale huur +
doelgroepen) / 4; voortgang & haalbaarheid = (2 fase + planstatus + knelpunten + parallel plannen) / 5."""

from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouwregie.monitor import kansrijk as k
from bouwregie.monitor.models import ScoringModel
from bouwregie.projects import services
from bouwregie.projects.rules import MilestoneData as M

from .builders import create


@pytest.fixture
def projects(db):
    made = {
        "A": create("Kansrijk", "GM0344", plan_type="transformatie", plan_status="1A", parallel_plannen=True,
                    homes={"sociale_huur": {"gestapeld": 40}, "middenhuur": {"gestapeld": 20},
                           "dure_koop": {"gestapeld": 40}},
                    target_groups={"nultreden": 30}, bottlenecks=("netcongestie",),
                    milestones=(M("vergunning_verleend", actual=date(2025, 2, 1)),)),
        "B": create("Uitleg", "GM0344", plan_type="uitleg", plan_status="4A",
                    homes={"dure_koop": {"grondgebonden": 200}},
                    milestones=(M("initiatief", actual=date(2024, 1, 1)),)),
        "C": create("Onbekend", "GM0344", homes={"onbekend": {"onbekend": 50}}),
        "D": create("Zeist", "GM0355", plan_type="transformatie", plan_status="3",
                    homes={"dure_koop": {"gestapeld": 10}}),
        "E": create("Vervallen", "GM0344", lifecycle="vervallen", homes={"sociale_huur": {"gestapeld": 10}}),
    }  # fmt: skip
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    return {key: p.code for key, p in made.items()}


A = (100 + 100 * (2 * 0.6 / 0.6667 + 1 + 1) / 4 + 100 * (2 * 8 / 12 + 1 + 0.75 + 1) / 5) / 3
B = (50 + 0 + 100 * (2 * 1 / 12 + 0.25 + 1 + 0) / 5) / 3
C = (30 + 100 * (2 * 0.5 + 0.5 + 0) / 4 + 100 * (0 + 0 + 1 + 0) / 5) / 3


def test_scores_by_hand(projects):
    r = k.kansrijk("GM0344", "2025-Q2")
    assert [p["code"] for p in r["projects"]] == [projects["A"], projects["C"], projects["B"]]  # E is vervallen
    assert [p["score"] for p in r["projects"]] == [round(A, 1), round(C, 1), round(B, 1)] == [92.2, 29.2, 26.1]
    a = r["projects"][0]
    assert a["pillars"] == {"ruimtelijke_kwaliteit": 100.0, "woningbehoefte": 95.0, "voortgang_haalbaarheid": 81.7}
    assert a["criteria"]["knelpunten"] == 0.75 and a["criteria"]["fase"] == round(8 / 12, 3)
    assert a["reasons"][1] == "Beantwoording woningbehoefte — Aandeel betaalbaar: 60,0% (norm 66,7%) → 0,90"
    assert a["reasons"][-2] == "Voortgang & haalbaarheid — Knelpunten: netcongestie → 0,75"
    assert (
        a["reasons"][4] == "Voortgang & haalbaarheid — Fase: laatst bereikte mijlpaal: Omgevingsvergunning verleend "
        "(8 van 12) → 0,67"
    )
    assert r["models"] == [{"scope": "standaard", "version": 0, "name": "Kansrijk Bouwen! — standaardmodel Bouwregie",
                            "source": k.standard_config()["bron"], "projects": 3}]  # fmt: skip


def test_hours_in_proportion_to_the_score(projects):
    # Quotas of 100 hours: A 62.52, C 19.77, B 17.70 → 62 + 19 + 17 = 98; the two largest remainders (C, B) +1.
    r = k.kansrijk("GM0344", "2025-Q2", hours=100)
    assert [p["hours"] for p in r["projects"]] == [62, 20, 18]
    # Below the threshold nothing: A 75.97, C 24.03 → 75 + 24, the remaining hour to A.
    r = k.kansrijk("GM0344", "2025-Q2", hours=100, threshold=27)
    assert [p["hours"] for p in r["projects"]] == [76, 24, 0] and r["totals"]["projects_with_hours"] == 2


def test_each_municipality_may_weigh_its_own_way(projects):
    own = k.parse({"naam": "Zeist: alleen ruimtelijke kwaliteit", "bron": "raadsbesluit (test)",
                   "pijlers": {"ruimte": {"gewicht": 1, "criteria": {"plantype": 1}}}})  # fmt: skip
    k.save(own, scope="GM0355", author="test")
    k.save(own, scope="GM0355", author="test")  # a new version, never an edit
    r = k.kansrijk("PV26", "2025-Q2")
    zeist = next(p for p in r["projects"] if p["code"] == projects["D"])
    assert zeist["score"] == 100.0 and zeist["model"] == {"scope": "GM0355", "version": 2}
    assert {m["scope"]: m["projects"] for m in r["models"]} == {"standaard": 3, "GM0355": 1}
    assert ScoringModel.objects.filter(scope="GM0355").count() == 2
    # A new standard model applies to every municipality without one of its own.
    k.save(k.parse({"pijlers": {"fase": {"criteria": {"fase": 1}}}}), author="test")
    r = k.kansrijk("GM0344", "2025-Q2")
    assert [p["score"] for p in r["projects"]] == [round(100 * 8 / 12, 1), round(100 / 12, 1), 0.0]


@pytest.mark.parametrize(
    "raw, message",
    [
        ({}, "mist \\[pijlers"),
        ({"pijlers": {"x": {"criteria": {"ligging": 1}}}}, "Onbekend criterium 'ligging' in pijler 'x'; kies uit"),
        ({"pijlers": {"x": {"criteria": {"fase": -1}}}}, "Gewicht van criterium 'fase' moet een getal ≥ 0 zijn"),
        ({"pijlers": {"x": {"criteria": {"fase": "veel"}}}}, "niet 'veel'"),
        ({"pijlers": {"x": {"criteria": {"fase": 0}}}}, "geen pijler met gewicht > 0"),
        (
            {"pijlers": {"x": {"criteria": {"betaalbaar": 1}}}, "parameters": {"betaalbaar": {"nrom": 0.5}}},
            "Onbekende parameter nrom bij 'betaalbaar'; bekend: norm, onbekend",
        ),
        (
            {"pijlers": {"x": {"criteria": {"betaalbaar": 1}}}, "parameters": {"betaalbaar": {"norm": 0}}},
            "'norm' bij 'betaalbaar' moet een getal groter dan 0 en hoogstens 1 zijn",
        ),
        (
            {"pijlers": {"x": {"criteria": {"doelgroepen": 1}}}, "parameters": {"doelgroepen": {"groepen": ["kat"]}}},
            "moet een lijst uit: nultreden",
        ),
        ({"pijlers": {"x": {"criteria": {"fase": 1}}}, "parameters": {"ligging": {}}}, "onbekend criterium: ligging"),
    ],
)
def test_a_bad_model_is_refused_with_the_reason(raw, message):
    with pytest.raises(k.InvalidModel, match=message):
        k.parse(raw)


def test_model_files(tmp_path, db):
    good = tmp_path / "maasdriel.toml"
    good.write_text('naam = "Maasdriel"\n[pijlers.v]\ncriteria = { fase = 1, planstatus = 1 }\n'
                    '[parameters.planstatus]\nhard = 0.9\n', encoding="utf-8")  # fmt: skip
    model = k.read_file(good)
    assert model["parameters"]["planstatus"] == {"hard": 0.9, "3": 0.5, "4A": 0.25, "4B": 0.25, "onbekend": 0.0}
    bad = tmp_path / "kapot.toml"
    bad.write_text("naam = \n", encoding="utf-8")
    with pytest.raises(k.InvalidModel, match="kapot.toml is geen geldige TOML"):
        k.read_file(bad)
    with pytest.raises(k.InvalidModel, match="Kan modelbestand"):
        k.read_file(tmp_path / "bestaat-niet.toml")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=60), st.integers(0, 5000), st.floats(0, 100))
def test_hours_add_up_exactly_and_follow_the_score(scores, hours, threshold):
    scores = np.array(scores)
    given_hours = k.allocate_hours(scores, hours, threshold)
    eligible = (scores >= threshold) & (scores > 0)
    assert given_hours.sum() == (hours if eligible.any() else 0)
    assert (given_hours[~eligible] == 0).all() and (given_hours >= 0).all()
    order = np.argsort(-scores, kind="stable")
    assert (np.diff(given_hours[order][eligible[order]]) <= 0).all()  # a higher score never gets fewer hours
    quota = hours * np.where(eligible, scores, 0) / (scores[eligible].sum() if eligible.any() else 1)
    assert (np.abs(given_hours - quota) < 1 + 1e-9).all()  # each within one hour of its exact share
