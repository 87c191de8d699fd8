"""The monitor of an open peiling, of a peiling with few or no projects, and of empty areas (ingest case 08).

Case 08 (/work/shared/cases/ingest/README.md): one plan of 100 homes in Utrecht imported into the open peiling
2025-Q3; `bouwregie monitor --area GM0344 --peiling 2025-Q3` failed with numpy's "cannot reshape array of size
0". An open peiling has no entries yet (`Peiling`: "while open it collects nothing"); its figures are the
ones it would have if it closed now. Expected values are counted by hand from the file.
"""

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from bouwregie.monitor import alternatives, api, delays, kansrijk
from bouwregie.projects import services

from .builders import create

pytestmark = pytest.mark.django_db

CASE_08 = "plan_id;plannaam;gemeente;restcapaciteit\n1;Voorbeeldplan A;Utrecht;100\n"


def monitor(*args) -> dict:
    out = StringIO()
    call_command("monitor", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def case_08(tmp_path):
    path = tmp_path / "08-monitor-open-peiling.csv"
    path.write_text(CASE_08, encoding="utf-8")
    call_command("import", str(path), "--source", "c08", "--peiling", "2025-Q3", stdout=StringIO())


def test_case_08_the_open_peiling_shows_the_imported_plan(case_08):
    r = monitor("--area", "GM0344", "--peiling", "2025-Q3")
    assert r["area"]["code"] == "GM0344" and r["peiling"] == "2025-Q3"
    assert r["pipeline"]["projects"] == 1 and r["pipeline"]["homes"] == 100
    assert r["pipeline"]["by_plan_status"] == {"hard": 0, "zacht": 0, "onbekend": 100}  # the file has no status
    out = StringIO()
    call_command("monitor", "--area", "GM0344", "--peiling", "2025-Q3", stdout=out)
    assert "Pijplijn: 1 projecten, 100 woningen" in out.getvalue()


def test_case_08_empty_areas_of_the_open_peiling_are_zero_not_an_error(case_08):
    groningen = monitor("--area", "GM0014", "--peiling", "2025-Q3")
    assert groningen["pipeline"]["projects"] == 0 and groningen["pipeline"]["homes"] == 0
    assert monitor("--area", "NL", "--peiling", "2025-Q3")["pipeline"]["homes"] == 100
    assert monitor("--area", "PV26", "--peiling", "2025-Q3")["pipeline"]["homes"] == 100  # Utrecht's province
    everything = api.national("2025-Q3")
    assert everything["GM0344"]["pipeline"]["homes"] == 100 and everything["GM0014"]["pipeline"]["projects"] == 0


def test_case_08_the_open_peiling_equals_closing_it_now(case_08):
    """What the open peiling shows is what closing it freezes; afterwards the same figures come from the entries."""
    before = monitor("--area", "GM0344", "--peiling", "2025-Q3")
    call_command("peiling", "close", "2025-Q3", stdout=StringIO())
    assert monitor("--area", "GM0344", "--peiling", "2025-Q3") == before


def test_a_peiling_without_any_project_gives_zero_figures():
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 1, tzinfo=UTC))
    services.get_or_open_peiling("2025-Q3")
    for peiling in ("2025-Q2", "2025-Q3"):  # closed and open, both empty
        for area in ("NL", "PV26", "GM0344"):
            r = monitor("--area", area, "--peiling", peiling)
            assert r["pipeline"]["projects"] == 0 and r["pipeline"]["homes"] == 0 and r["realised"] == {}
        assert api.projects_behind("NL", peiling, "pipeline") == []
        assert kansrijk.kansrijk("NL", peiling, hours=10)["totals"]["projects"] == 0
        assert alternatives.alternatives("GM0344", peiling, 2027, shortfall=10)["totals"]["candidates"] == 0
    assert delays.delays("NL", "2025-Q2", "2025-Q3")["projects"] == []


def test_an_open_peiling_leaves_out_projects_that_left_before_the_previous_close():
    """services.close_peiling (GONE): a dropped project is shown once, in the first peiling after it left."""
    create("A", "GM0344", homes={"onbekend": {"onbekend": 30}})
    create("E", "GM0344", lifecycle="vervallen", homes={"onbekend": {"onbekend": 80}})
    services.close_peiling("2025-Q2", author="test", now=datetime(2999, 1, 1, tzinfo=UTC))
    services.get_or_open_peiling("2025-Q3")
    assert len(api.projects_behind("GM0344", "2025-Q2", "pipeline")) == 1  # E is in Q2, but not active
    codes_q2 = services.peiling_data("2025-Q2")
    assert len(codes_q2) == 2
    r = monitor("--area", "GM0344", "--peiling", "2025-Q3")
    assert r["pipeline"]["projects"] == 1 and r["pipeline"]["homes"] == 30


def test_alternatives_for_the_last_year_of_the_horizon(case_08):
    """2050, the last year of the snapshot: nothing lies later, so only unplanned homes are candidates."""
    result = alternatives.alternatives("GM0344", "2025-Q3", 2050, shortfall=50)
    assert result["totals"]["candidates"] == 1 and result["totals"]["candidate_homes"] == 100
