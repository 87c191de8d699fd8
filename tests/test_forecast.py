"""The forecast engine (issue #6): known distributions give their analytical answers, seeds reproduce,
no home is lost or invented, the calibration recovers known parameters, scenarios move the right way."""

import csv
import io
import json
import re
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from bouwregie.forecast import api, calibration, engine, model, priors, results, scenarios
from bouwregie.forecast.calibration import Spells, fit_step, residual_moments

SOCIALE_HUUR = 0


def one_project(mu=0.4, sigma=0.5, p_drop=0.2, homes=100, year_fraction=0.75, years=10, common=0.0):
    segment_homes = np.zeros((1, engine.SEGMENT_COUNT), dtype=np.int64)
    segment_homes[0, SOCIALE_HUUR] = homes
    return engine.Inputs(
        mu=np.array([mu], np.float32), sigma=np.array([sigma], np.float32), p_drop=np.array([p_drop], np.float32),
        part=np.zeros(1, np.int64), homes=segment_homes, extra_parent=np.zeros(0, np.int64),
        extra_offset=np.zeros(0, np.int64), extra_homes=np.zeros((0, engine.SEGMENT_COUNT), np.int64),
        year_fraction=year_fraction, years=years, parts=1, common_log_sd=common,
    )  # fmt: skip


def test_one_project_gives_the_analytical_distribution():
    """T ~ lognormal(0.4, 0.5) years after a peiling at 3/4 of the year, 20% drop-out: the chance the homes
    land in calendar year k is 0.8 · [Φ((ln(k + 1 − ¾) − 0.4)/0.5) − Φ((ln(k − ¾) − 0.4)/0.5)]."""
    runs = 200_000
    draws = engine.simulate(one_project(), runs, seed=1).homes[:, 0, :, SOCIALE_HUUR]
    edges = np.arange(1, 11) - 0.75  # ends of the calendar years, in years after the peiling
    cdf = special.ndtr((np.log(edges) - 0.4) / 0.5)
    expected = 0.8 * np.diff(np.r_[0.0, cdf])
    observed = (draws[:, :10] == 100).mean(axis=0)
    tolerance = 4 * np.sqrt(expected * (1 - expected) / runs) + 1e-4
    assert np.all(np.abs(observed - expected) <= tolerance)
    assert abs((draws[:, -1] == 100).mean() - 0.2) < 4 * np.sqrt(0.2 * 0.8 / runs)  # dropped out
    assert abs((draws[:, -2] == 100).mean() - 0.8 * (1 - cdf[-1])) < 0.003  # after the horizon
    # Cumulative homes through year k: P(≥ 100) is the chance of delivery by then; its P50 flips at 1/2.
    cumulative = np.cumsum(draws[:, :10], axis=1)
    k = int(np.argmax(0.8 * cdf > 0.5))
    assert results.spread(cumulative[:, k])["p50"] == 100 and results.spread(cumulative[:, k - 1])["p50"] == 0
    chance = results.chance_and_shortfall(cumulative[:, k], 100)
    assert abs(chance["probability"] - 0.8 * cdf[k]) < 0.005
    assert abs(chance["expected_shortfall"] - 100 * (1 - 0.8 * cdf[k])) < 0.5


def test_common_pace_widens_the_spread_of_many_projects_but_not_their_mean():
    many = one_project()
    n = 400
    many = engine.Inputs(**{**many.__dict__, "mu": np.full(n, 0.4, np.float32), "sigma": np.full(n, 0.5, np.float32),
                            "p_drop": np.full(n, 0.2, np.float32), "part": np.zeros(n, np.int64),
                            "homes": np.repeat(many.homes, n, axis=0)})  # fmt: skip
    alone = engine.simulate(many, 4000, seed=3).homes[:, 0, 1].sum(axis=-1)
    together = engine.simulate(engine.Inputs(**{**many.__dict__, "common_log_sd": 0.3}), 4000, seed=3)
    together = together.homes[:, 0, 1].sum(axis=-1)
    assert together.std() > 2 * alone.std()
    assert abs(together.mean() - alone.mean()) < 0.05 * alone.mean()


def test_same_seed_same_result_other_seed_other_result():
    inputs = one_project()
    a = engine.simulate(inputs, 5000, seed=42).homes
    assert np.array_equal(a, engine.simulate(inputs, 5000, seed=42).homes)
    assert not np.array_equal(a, engine.simulate(inputs, 5000, seed=43).homes)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_every_home_ends_up_somewhere_exactly_once(data):
    """Per run, part and segment the buckets (years, later, dropped) add up to the homes put in: the packed
    sums never overflow into each other, tranches are not lost."""
    n = data.draw(st.integers(1, 25))
    parts = data.draw(st.integers(1, 4))
    homes = np.array(data.draw(st.lists(st.lists(st.integers(0, 100_000), min_size=6, max_size=6),
                                        min_size=n, max_size=n)), dtype=np.int64)  # fmt: skip
    part = np.array(data.draw(st.lists(st.integers(0, parts - 1), min_size=n, max_size=n)), dtype=np.int64)
    m = data.draw(st.integers(0, 5))
    parent = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    extra = np.array(data.draw(st.lists(st.lists(st.integers(0, 3000), min_size=6, max_size=6), min_size=m,
                                        max_size=m)), dtype=np.int64).reshape(m, 6)  # fmt: skip
    inputs = engine.Inputs(
        mu=np.array(data.draw(st.lists(st.floats(-2, 3), min_size=n, max_size=n)), np.float32),
        sigma=np.full(n, 0.6, np.float32),
        p_drop=np.array(data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)), np.float32),
        part=part, homes=homes, extra_parent=parent,
        extra_offset=np.array(data.draw(st.lists(st.integers(1, 4), min_size=m, max_size=m)), np.int64),
        extra_homes=extra, year_fraction=0.5, years=data.draw(st.integers(1, 12)), parts=parts, common_log_sd=0.1,
    )  # fmt: skip
    out = engine.simulate(inputs, data.draw(st.integers(1, 40)), seed=data.draw(st.integers(0, 2**32)))
    put_in = np.zeros((parts, 6), dtype=np.int64)
    np.add.at(put_in, part, homes)
    np.add.at(put_in, part[parent], extra)
    assert np.array_equal(out.homes.sum(axis=2), np.broadcast_to(put_in, (len(out.homes), parts, 6)))


def test_residual_time_of_a_step_already_under_way():
    """E[X − e | X > e] and Var[X | X > e] for a gamma step, against draws."""
    rng = np.random.default_rng(5)
    x = rng.gamma(4.0, 1.3 / 4.0, 2_000_000)
    for elapsed in (0.0, 0.8, 2.5):
        rest = x[x > elapsed] - elapsed
        mean, variance = residual_moments(np.array([1.3]), np.array([4.0]), np.array([elapsed]))
        assert mean[0] == pytest.approx(rest.mean(), rel=0.01)
        assert variance[0] == pytest.approx(rest.var(), rel=0.03)


def test_lognormal_keeps_the_mean_and_variance_of_the_steps():
    mean, variance = np.array([1.7 + 0.8 + 0.6]), np.array([1.7**2 / 4 + 0.8**2 / 4 + 0.6**2 / 4])
    mu, sigma = model.lognormal_from_moments(mean, variance)
    dist = stats.lognorm(s=sigma[0], scale=np.exp(mu[0]))
    assert dist.mean() == pytest.approx(mean[0]) and dist.var() == pytest.approx(variance[0])


def synthetic_spells(mean, shape, n, rng, window=3.75):
    """Projects that entered a step at a uniform moment from 8 years before observation started until it
    ended, seen from then on (left truncation) for `window` years (right censoring)."""
    entry = rng.uniform(-8, window, n)
    duration = rng.gamma(shape, mean / shape, n)
    exit_ = entry + duration
    seen = exit_ >= 0  # spells that ended before observation began are never seen
    entry, duration, exit_ = entry[seen], duration[seen], exit_[seen]
    event = exit_ <= window
    return Spells(duration=np.where(event, duration, window - entry), event=event, truncation=np.clip(-entry, 0, None))


def test_calibration_recovers_known_step_parameters():
    rng = np.random.default_rng(11)
    for window in (3.75, 0.5):
        spells = synthetic_spells(1.3, 4.0, 20_000, rng, window)
        fit = fit_step(spells, prior_mean=0.8, prior_shape=2.0)  # a prior that is off on purpose
        assert fit.mean == pytest.approx(1.3, rel=0.04)
        assert fit.shape == pytest.approx(4.0, rel=0.2)
        assert fit.calibrated and fit.events == int(spells.event.sum())
    # Over a short window, the mean of the completed spells alone is far off: they are the long ones that
    # were already under way (length bias), and the short ones not yet begun are missing.
    naive = spells.duration[spells.event].mean()
    assert abs(naive - 1.3) > 5 * abs(fit.mean - 1.3)


def test_thin_data_stays_near_the_prior_and_no_data_is_the_prior(monkeypatch):
    from bouwregie.forecast import priors

    rng = np.random.default_rng(12)
    few = synthetic_spells(3.0, 4.0, 8, rng)
    many = fit_step(synthetic_spells(3.0, 4.0, 20_000, rng), prior_mean=1.0, prior_shape=4.0)
    fit = fit_step(few, prior_mean=1.0, prior_shape=4.0)
    # With much data the spread of log(mean) is the gamma's Fisher information, k per completed spell (censored
    # spells add next to nothing), plus the prior's precision: 1 / sqrt(events · k + 1 / 0.5²).
    expected = 1 / np.sqrt(many.events * many.shape + 1 / priors.PRIOR_LOG_SD_MEAN**2)
    assert many.log_sd_mean == pytest.approx(expected, rel=0.02)
    # With eight spells the same data without the prior on the mean (a prior of spread 1000) says one thing,
    # the prior (1.0) another: the fit lies strictly between them (shrinkage), and it is surer than either.
    monkeypatch.setattr(priors, "PRIOR_LOG_SD_MEAN", 1000.0)
    data_alone = fit_step(few, prior_mean=1.0, prior_shape=4.0)
    monkeypatch.undo()
    assert 1.0 < fit.mean < data_alone.mean
    assert fit.log_sd_mean < min(data_alone.log_sd_mean, priors.PRIOR_LOG_SD_MEAN)
    none = fit_step(None, prior_mean=1.0, prior_shape=4.0)
    assert (none.mean, none.shape, none.calibrated) == (1.0, 4.0, False)


def test_plan_reliability_is_recovered_from_plans_still_open():
    """log(time taken / time planned) ~ N(0.3, 0.4); a plan is followed for a random 0.5–4 years: the late
    ones are still open (censored). The fit finds the truth; the mean of the closed ones alone is too low."""
    rng = np.random.default_rng(13)
    planned = rng.uniform(0.2, 6, 30_000)
    taken = planned * np.exp(rng.normal(0.3, 0.4, len(planned)))
    followed = rng.uniform(0.5, 4, len(planned))
    came = taken <= followed
    ratio = np.log(np.where(came, taken, followed) / planned)
    fit = calibration.fit_plan(ratio, came)
    assert fit.log_ratio == pytest.approx(0.3, abs=0.02) and fit.log_sd == pytest.approx(0.4, rel=0.05)
    assert ratio[came].mean() < 0.2
    nothing = calibration.fit_plan(np.array([0.1, 0.2]), np.array([False, False]))
    assert not nothing.calibrated and nothing.log_ratio == priors.PLAN_PRIOR_LOG_RATIO


def test_dropout_rate_shrinks_to_the_prior():
    assert calibration.dropout_rate(0, 0.0, 0.06) == pytest.approx(0.06)
    assert calibration.dropout_rate(5000, 50_000.0, 0.06) == pytest.approx(0.1, rel=0.01)
    assert 0.06 < calibration.dropout_rate(30, 200.0, 0.06) < 0.15


def test_unknown_scenario_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="Onbekend scenario 'sneller'.*parallel-plannen"):
        scenarios.parse("parallel-plannen,sneller")
    assert scenarios.parse(["knelpunten", "meer-uitval,knelpunten"]) == ("knelpunten", "meer-uitval")


# The database part: a small demo history (1,500 projects, 2023-Q1 .. 2026-Q3).


@pytest.fixture
def demo(db):
    from bouwregie.demo.loader import load_demo
    from bouwregie.demo.parameters import DemoParameters

    load_demo(DemoParameters(projects=1500, seed=3), progress=lambda *_: None)


def test_forecast_from_the_demo_history(demo):
    result = api.forecast("NL", "2026-Q3", runs=500, horizon=2032, seed=9)
    assert result["years"] == list(range(2026, 2033))
    assert [p["code"] for p in result["parts"]] == sorted(p["code"] for p in result["parts"])
    total = result["series"]["totaal"]
    for year in map(str, result["years"]):
        v = total["years"][year]
        assert v["p10"] <= v["p50"] <= v["p90"]
    # The first year includes what was delivered before the reference date; nothing is forecast before.
    assert total["years"]["2026"]["p10"] >= total["realised_before"] > 0
    # Every home still to come is in a year, after the horizon or dropped out (in expectation).
    expected = sum(v["mean"] for v in total["years"].values()) - total["realised_before"]
    assert expected + total["later"] + total["dropped_out"] == pytest.approx(result["homes_to_deliver"], abs=1)
    # NL has agreements: 2025-2029 with 100,000 a year; the chance for 2027 is a probability.
    yearly = next(t for t in result["targets"] if t["period"] == "2025-2029")["yearly"]
    assert set(yearly) == {"2026", "2027", "2028", "2029"} and 0 <= yearly["2027"]["probability"] <= 1
    assert result["uncertainty"]["projects"][0]["share_of_variance"] > 0
    assert api.forecast("NL", "2026-Q3", runs=500, horizon=2032, seed=9)["series"] == result["series"]


def test_provinces_add_up_to_the_nation_in_every_run(demo):
    from bouwregie.forecast.api import run

    request = api.Request("NL", "2026-Q3", 300, 2030, (), 4).checked()
    result = run(request)
    for year in map(str, result["years"]):
        means = sum(p["years"][year]["mean"] for p in result["parts"])
        assert means == pytest.approx(result["series"]["totaal"]["years"][year]["mean"], abs=0.5)


@pytest.mark.parametrize(
    "scenario, direction",
    [("parallel-plannen", +1), ("snellere-vergunning", +1), ("knelpunten", -1), ("meer-uitval", -1)],
)
def test_scenarios_move_the_forecast_the_expected_way(demo, scenario, direction):
    result = api.forecast("NL", "2026-Q3", runs=400, horizon=2030, scenarios=scenario, seed=2)
    effect = sum(v["mean"] for v in result["scenario"]["difference"]["totaal"].values())
    assert direction * effect > 0
    if scenario == "meer-uitval":
        assert result["scenario"]["series"]["totaal"]["dropped_out"] > result["series"]["totaal"]["dropped_out"]


def test_calibration_learns_from_the_demo_history(demo):
    c = api.calibration("2026-Q3")
    steps = {s["from"]: s for s in c["steps"]}
    assert steps["start_bouw"]["calibrated"] and steps["start_bouw"]["events"] > 50
    assert not steps["voor_initiatief"]["calibrated"]  # no date for "before the initiative"
    # The priors are the demo generator's own step means; the demo's plans slip on top of those (10% a
    # quarter, ~6 months), so every step the history shows came out longer than its prior.
    fitted = [s for s in c["steps"] if s["calibrated"]]
    assert len(fitted) == 11 and all(s["mean_years"] > s["prior_mean_years"] for s in fitted)
    rates = c["dropout_per_year"]
    assert rates["zacht"]["rate"] > rates["3"]["rate"] > rates["hard"]["rate"]
    # The demo's plans slip (10% a quarter, ~6 months): plans made at start bouw come somewhat late.
    building = next(p for p in c["plans"] if p["phase"] == "start_bouw")
    assert building["calibrated"] and 1.0 <= building["typical_ratio"] < 1.5


@pytest.mark.django_db
def test_calibration_recovers_the_demo_generators_step_means_without_slips():
    """Without slips the demo's steps are gamma draws around the documented means (projects/leadtimes.py):
    the calibration finds each within 12%. (It comes out a few percent low throughout: the generator picks
    start dates so that every project delivers from 2022 on, which favours the quicker ones in the window.)"""
    from bouwregie.demo.loader import load_demo
    from bouwregie.demo.parameters import DemoParameters

    load_demo(DemoParameters(projects=1500, seed=3, slip_probability=0.0), progress=lambda *_: None)
    fitted = [s for s in api.calibration("2026-Q3")["steps"] if s["calibrated"]]
    assert len(fitted) == 11
    for step in fitted:
        assert step["mean_years"] == pytest.approx(step["prior_mean_years"], rel=0.12), step


def test_backtest_runs_from_an_earlier_peiling(demo):
    result = api.backtest("2024-Q3", "2026-Q3", runs=300)
    assert {row["year"] for row in result["comparisons"]} == {2024, 2025}
    assert 0 <= result["coverage_p10_p90"] <= 1 and result["median_abs_pct_error_p50"] >= 0


def test_cli_table_json_csv_and_errors(demo):
    out = StringIO()
    call_command("forecast", "--area", "Noord-Holland", "--runs", "200", "--horizon", "2030", stdout=out)
    assert "Prognose Noord-Holland (PV27)" in out.getvalue() and "P50" in out.getvalue()
    out = StringIO()
    call_command("forecast", "--area", "GM0363", "--runs", "200", "--format", "json", "--scenario",
                 "parallel-plannen", stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["area"]["code"] == "GM0363" and data["scenarios"] == ["parallel-plannen"]
    out = StringIO()
    call_command("forecast", "--calibration", stdout=out)
    assert "start_bouw → oplevering" in out.getvalue()
    for args, message in [
        (["--runs", "0"], "Aantal runs"),
        (["--horizon", "2020"], "Horizon"),
        (["--scenario", "toverstaf"], "Onbekend scenario 'toverstaf'"),
        (["--peiling", "2031-Q1"], "bestaat niet"),
        (["--area", "Atlantis"], "Atlantis"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("forecast", *args, stdout=StringIO())


def test_priors_cite_the_ten_years_of_afspraak_15():
    assert sum(priors.STEP_MEAN_YEARS[:-1]) == pytest.approx(10.0, abs=1.0)


# The same forecast through the web page and the REST API (as a background task; inline in tests).


@pytest.fixture
def signed_in(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo"))
    return client


def test_web_page_runs_a_forecast_as_a_task_and_shows_the_fan_chart(signed_in):
    form = signed_in.get("/prognose").content.decode()
    assert 'name="scenario" value="parallel-plannen"' in form and "2026-Q3" in form
    response = signed_in.post("/prognose", {"gebied": "PV26",
                                            "peiling": "2026-Q3", "runs": "1000", "horizon": "2031", "seed": "5",
                                            "scenario": ["parallel-plannen"]})  # fmt: skip
    assert response.status_code == 302 and response["Location"].startswith("/taken/")
    outcome = signed_in.get(response["Location"])
    assert outcome.status_code == 302 and outcome["Location"].startswith("/prognose/")
    page = signed_in.get(outcome["Location"]).content.decode()
    assert "Prognose Utrecht vanaf peiling 2026-Q3" in page and 'id="fan-data"' in page and "fanchart.js" in page
    assert "Scenario tegenover de basis" in page and "Kalibratie" in page and "/projecten/DEMO-" in page
    chart = json.loads(re.search(r'<script id="fan-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert chart["labels"] == [str(y) for y in range(2026, 2032)] and len(chart["scenario_median"]) == 6
    assert all(lo <= mid <= hi for lo, mid, hi in zip(chart["band"][0], chart["median"], chart["band"][1], strict=True))
    rows = list(csv.reader(io.StringIO(signed_in.get(outcome["Location"] + ".csv").content.decode("utf-8-sig")),
                           delimiter=";"))  # fmt: skip
    assert rows[0][:4] == ["gebied", "peiling", "scenario", "reeks"] and rows[1][0] == "PV26"
    assert {r[2] for r in rows[1:]} == {"basis", "parallel-plannen"}
    assert any(r[0] == "GM0344" for r in rows)  # the province's municipalities too
    assert "Scenario: verschil" in page


@pytest.mark.parametrize(
    "field, value, message",
    [("runs", "veel", "Het aantal runs moet een heel getal van 0 of meer zijn"), ("gebied", "Atlantis", "Atlantis"),
     ("horizon", "2019", "Horizon moet tussen"), ("scenario", "toverstaf", "Onbekend scenario")],
)  # fmt: skip
def test_web_form_errors_are_specific_and_start_nothing(signed_in, field, value, message):
    from bouwregie.jobs.models import Job

    data = {"gebied": "NL", "peiling": "2026-Q3", "runs": "1000", "horizon": "2030", "seed": "1", field: value}
    response = signed_in.post("/prognose", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Job.objects.exists()


def test_rest_api_forecast_as_a_task(signed_in):
    body = {"area": "GM0344", "runs": 500, "horizon": 2030, "scenarios": ["knelpunten"]}
    response = signed_in.post("/api/v1/forecasts", body, content_type="application/json")
    assert response.status_code == 202, response.content
    job = signed_in.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert job["status"] == "klaar" and job["forecast_id"]
    forecast = signed_in.get(f"/api/v1/forecasts/{job['forecast_id']}").json()
    assert forecast["area"] == "GM0344" and forecast["result"]["scenarios"] == ["knelpunten"]
    assert forecast["result"]["series"]["totaal"]["years"]["2027"]["p50"] >= 0
    assert signed_in.get("/api/v1/forecasts?area=gm0344").json()[0]["id"] == job["forecast_id"]
    assert signed_in.get("/api/v1/forecast-calibration?peiling=2026-Q3").json()["steps"][11]["events"] > 0
    refused = signed_in.post("/api/v1/forecasts", {"area": "NL", "runs": 100_000, "horizon": 2050},
                             content_type="application/json")  # fmt: skip
    assert refused.status_code == 400 and "geheugen" in refused.json()["detail"]
    unknown = signed_in.post("/api/v1/forecasts", {"scenarios": ["toverstaf"]}, content_type="application/json")
    assert unknown.status_code == 400 and "Onbekend scenario" in unknown.json()["detail"]
    assert signed_in.get("/api/v1/forecasts/999999").status_code == 404


def test_chances_read_as_percentages_and_tiny_ones_are_not_zero():
    from bouwregie.web.templatetags.chances import percent

    assert [percent(x) for x in (0.9104, 0.0002, 0.0, 1.0, 0.99995, None)] == [
        "91,0%", "< 0,1%", "0,0%", "100,0%", "> 99,9%", "–"]  # fmt: skip


def test_a_closed_peilings_calibration_is_computed_once_and_kept(demo, monkeypatch):
    from bouwregie.forecast import history
    from bouwregie.forecast.models import StoredCalibration

    first = calibration.calibrate("2026-Q3")
    assert StoredCalibration.objects.get().priors == calibration.priors_fingerprint()
    calibration._cached.cache_clear()
    monkeypatch.setattr(history, "read", lambda code: pytest.fail("the stored calibration should be used"))
    assert calibration.calibrate("2026-Q3") == first
    monkeypatch.setattr(priors, "MACRO_LOG_SD", 0.2)  # another prior: another fingerprint, a new calibration
    assert calibration.priors_fingerprint() != StoredCalibration.objects.get().priors


def test_chance_of_an_agreement_counts_the_years_already_realised():
    """Agreement 2025–2027 of 300 homes, 2027 slice 120; 100 realised in 2025; two runs deliver 50 + 150
    and 50 + 100 in 2026 and 2027: met in one of two runs (300 vs 250), expected shortfall (0 + 50) / 2."""
    from types import SimpleNamespace

    from bouwregie.forecast.api import _target_chances
    from bouwregie.monitor.snapshot import YEARS

    target = SimpleNamespace(metric="bruto_woningen", first_year=2025, last_year=2027, total=300,
                             yearly={"2027": 120}, source="test", share=None)  # fmt: skip
    realised = np.zeros(len(YEARS), dtype=np.int64)
    realised[2025 - YEARS[0]] = 100
    runs = np.array([[50, 150, 0, 0], [50, 100, 0, 0]])  # 2026, 2027, later, dropped out
    [row] = _target_chances([target], {"totaal": runs}, {"totaal": realised}, [2026, 2027])
    assert (row["probability"], row["expected_shortfall"], row["realised_before"]) == (0.5, 25.0, 100)
    assert row["yearly"] == {"2027": {"target": 120, "probability": 0.5, "expected_shortfall": 10.0}}
    assert _target_chances([target], {"totaal": runs}, {"totaal": realised}, [2028, 2029]) == []  # already over


def test_closing_a_peiling_stores_its_calibration_so_no_forecast_waits_for_the_history(demo):
    from bouwregie.forecast.models import StoredCalibration

    out = StringIO()
    call_command("peiling", "close", "2026-Q4", "--allow-running-quarter", stdout=out)
    assert "Kalibratie van de prognose op peiling 2026-Q4 berekend en bewaard" in out.getvalue()
    assert StoredCalibration.objects.filter(peiling__code="2026-Q4").exists()
