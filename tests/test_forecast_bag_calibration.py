"""Lead times permit → start → delivery from the BAG histories (issue #18; forecast/bag_calibration.py), beside
the peiling-based calibration: spells by hand, the fit with the shared gamma machinery, and end to end from the
hand-made Doesburg extract of test_registraties_project through `forecast --calibration`, the API and the page."""

import io
import json
from datetime import date

import numpy as np
import pytest
from django.core.management import call_command

from bouwregie.bag import importer
from bouwregie.forecast import bag_calibration as bc
from tests.roles import build_world
from tests.test_api import get
from tests.test_registraties_project import extract, projects


def d(text):
    return date.fromisoformat(text).toordinal() if text else 0


def test_spells_by_hand():
    # begin, finish, end (demolished/not realised), until (stand)
    rows = [("2020-01-01", "2021-01-01", "", "2025-07-01"),  # event after 366 days
            ("2020-01-01", "", "2022-01-01", "2025-07-01"),  # left the step (not realised): censored at its end
            ("2020-01-01", "", "", "2025-07-01"),  # still waiting: censored at the stand
            ("", "2021-01-01", "", "2025-07-01"),  # no begin: no spell
            ("2020-01-01", "2019-01-01", "", "2025-07-01")]  # finish before begin (a correction)  # fmt: skip
    begin, finish, end, until = (np.array([d(r[i]) for r in rows]) for i in range(4))
    found = bc.spells(begin, finish, end, until)
    assert found.event.tolist() == [True, False, False]
    assert np.allclose(found.duration * 365.25, [366, 731, 2008]) and not found.truncation.any()


def test_much_data_decides_and_no_data_keeps_the_prior():
    rng = np.random.default_rng(7)
    n = 2000
    permit = np.full(n, d("2015-01-01"))
    start = permit + np.round(rng.gamma(4.0, 0.5 / 4.0, n) * 365.25).astype(np.int64)  # mean 0,5 year
    delivery = start + np.round(rng.gamma(4.0, 3.0 / 4.0, n) * 365.25).astype(np.int64)  # mean 3 years
    h = bc.Histories(permit, start, delivery, np.zeros(n, np.int64), np.full(n, d("2040-01-01")))
    first, second = bc.fit(h)
    assert (first["events"], second["events"]) == (n, n) and first["calibrated"]
    assert abs(first["mean_years"] - 0.5) < 0.05 and abs(second["mean_years"] - 3.0) < 0.15
    assert (first["prior_mean_years"], second["prior_mean_years"]) == (1.7, 1.7)  # 0,8 + 0,3 + 0,6 and 1,7
    empty = bc.Histories(*(np.zeros(0, np.int64) for _ in range(5)))
    assert [(s["mean_years"], s["calibrated"], s["spells"]) for s in bc.fit(empty)] == [
        (1.7, False, 0),
        (1.7, False, 0),
    ]


@pytest.fixture
def loaded(db, tmp_path):
    projects()
    world = build_world()  # closes peiling 2025-Q2
    for path in extract(tmp_path):
        importer.import_file(path)
    return world


def test_end_to_end_beside_the_peiling_calibration(client, loaded):
    """Panden A-D (permit, start, first in use): A 1-6-2021, 1-3-2022, 1-9-2024; B 1-1-2021, 10-1-2022,
    1-11-2024; C 1-1-2018, 1-5-2019, none (censored at the stand 1-7-2025); D 1-1-2021, 1-1-2022, 1-1-2023.
    Permit → start: 273, 374, 485, 365 days, all events, median 369,5 days = 1,012 year. Start → delivery: 915,
    1026, 365 days and one censored, median 915 days = 2,505 years."""
    found = bc.calibration()
    assert found["panden"] == 4 and found["extracts"] == [{"file_name": "0221VBO01072025-000001.xml",
                                                          "stand_date": "2025-07-01"}]  # fmt: skip
    first, second = found["steps"]
    assert (first["events"], first["spells"], first["median_observed_years"]) == (4, 4, 1.012)
    assert (second["events"], second["spells"], second["median_observed_years"]) == (3, 4, 2.505)
    out = io.StringIO()
    call_command("forecast", "--calibration", stdout=out)
    text = out.getvalue()
    assert "Doorlooptijden uit de BAG (4 panden nieuwbouw; 0221VBO01072025-000001.xml (stand 2025-07-01))" in text
    assert "vergunning_verleend → start_bouw" in text and "4/4" in text and "3/4" in text
    out = io.StringIO()
    call_command("forecast", "--calibration", "--format", "json", stdout=out)
    bag = json.loads(out.getvalue())["bag"]
    peiling = json.loads(out.getvalue())["steps"]
    assert bag["steps"][1]["peiling_mean_years"] == round(peiling[11]["mean_years"], 3)
    assert bag["steps"][0]["peiling_mean_years"] == round(sum(peiling[p]["mean_years"] for p in (8, 9, 10)), 3)
    answer = get(client, loaded, "rijk", "/api/v1/forecast-calibration")
    assert answer.status_code == 200 and answer.json()["bag"]["panden"] == 4


def test_the_forecast_page_shows_the_bag_lead_times(client, loaded):
    client.force_login(loaded["users"]["rijk"])
    response = client.post("/prognose", {"gebied": "GM0221", "peiling": "2025-Q2", "runs": "1000", "horizon": "2030",
                                         "seed": "5"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    outcome = client.get(response["Location"])
    page = client.get(outcome["Location"]).content.decode()
    assert "Doorlooptijden uit de BAG-historie (4 panden nieuwbouw), naast de peilingen" in page
    assert "0221VBO01072025-000001.xml" in page and "3 / 4" in page
