"""Convenant Toekomstbestendig Bouwen (issue #23, seeds 000 and 001): the shipped framework holds only what the
seeds state, project records are append-only and name their framework version, the share under the convenant per
area and peiling comes from the monitor's snapshot, and a framework change leaves earlier results naming the old
version."""

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from bouwregie.backup import archive
from bouwregie.convenant import framework, report, rules, store
from bouwregie.convenant.models import ProjectRecord
from bouwregie.projects import services
from bouwregie.projects.models import AppendOnlyError, Peiling

from .roles import build_world

SEED_001 = Path(__file__).parent / "data" / "seeds" / "001-sok-ctb-2024.txt"

VERSION_3 = """
kader = "ctb"
versie = "3.0"
geldig_vanaf = 2025-07-01
bron = "Testkader (fictief): een latere versie met normen"
[[thema]]
code = "ctb"
naam = "Toekomstbestendig bouwen"
bron = "test"
[[indicator]]
code = "drinkwaterbesparing"
naam = "Drinkwatergebruik"
thema = "ctb"
eenheid = "liter per persoon per dag"
richting = "hoogstens"
norm_2030 = 100
norm_2035 = 80
bron = "test"
"""


def test_the_shipped_framework_names_only_what_the_seeds_state():
    (shipped,) = [f for f in framework.all_versions() if f.label == "ctb 2.0"]
    assert [i.code for i in shipped.indicators] == [
        "het_nieuwe_normaal",
        "drinkwaterbesparing",
        "gezonde_leefomgeving",
        "duurzame_mobiliteit",
        "circulair_bouwen",
        "stikstof_bouwfase",
    ]
    assert all(i.norm_2030 is None and i.norm_2035 is None and i.unit == "" for i in shipped.indicators)
    assert all(i.direction is None for i in shipped.indicators)  # issue #23: the seeds name no direction either
    seed = " ".join(SEED_001.read_text(encoding="utf-8").split()).lower()
    for phrase in (
        "het nieuwe normaal",
        "drinkwaterbesparing",
        "gezonde leefomgeving",
        "duurzame mobiliteit",
        "circulair bouwen",
        "stikstofuitstoot tijdens de bouwfase",
    ):
        assert phrase in seed


def test_pure_rules():
    assert rules.score(90, 100, "hoogstens") == rules.MEETS and rules.score(101, 100, "hoogstens") == rules.FAILS
    assert rules.score(0.5, 0.4, "minstens") == rules.MEETS and rules.score(None, 1, "minstens") == rules.NO_VALUE
    assert rules.score(101, 100) == rules.score(90, 100) == rules.NO_DIRECTION  # issue #23: none assumed
    assert rules.score(5, None) == rules.NO_NORM
    clean, errors = rules.check_values({"a": "1,5", "b": "x", "c": 2}, ["a", "b"])
    assert clean == {"a": 1.5} and len(errors) == 2
    records = [{"project": 1, "number": 1, "recorded_at": 1}, {"project": 1, "number": 2, "recorded_at": 5}]
    assert rules.latest_per_project(records, cutoff=3)[1]["number"] == 1
    assert rules.latest_per_project(records)[1]["number"] == 2


def test_a_framework_file_without_sources_is_refused():
    with pytest.raises(framework.FrameworkError, match="bron"):
        framework.parse(
            {
                "kader": "x",
                "versie": "1",
                "geldig_vanaf": date(2025, 1, 1),
                "bron": "b",
                "thema": [{"code": "t"}],
                "indicator": [{"code": "i", "thema": "t"}],
            },
            "x.toml",
        )


@pytest.fixture
def world(db, settings, tmp_path):
    (tmp_path / "ctb-3.0.toml").write_text(VERSION_3, encoding="utf-8")
    settings.CONVENANT_KADER_DIRS = [tmp_path]
    return build_world()


def at(y, m, d):
    return datetime(y, m, d, 12, tzinfo=UTC)


def test_a_framework_change_leaves_earlier_results_naming_the_old_version(world):
    utrecht = world["utrecht"]  # 40 homes in GM0344; Amsterdam 90 homes, not under the convenant
    store.record(
        utrecht, True, {"drinkwaterbesparing": 95}, "Aanbesteed onder CTB", "gemeente", "2.0", now=at(2025, 6, 2)
    )
    q2 = store.area_figures("NL", "2025-Q2")  # closed on 15 July 2025
    assert q2["framework_versions"] == ["ctb 2.0"]
    assert (q2["pipeline"]["homes_under"], q2["pipeline"]["homes"], q2["pipeline"]["share"]) == (40, 130, 0.3077)
    services.get_or_open_peiling("2025-Q3")
    store.record(utrecht, True, {"drinkwaterbesparing": 95}, "Nieuw kader", "gemeente", "2.0", now=at(2025, 8, 1))
    q3 = store.area_figures("NL", "2025-Q3")  # open: up to now
    assert q3["framework_versions"] == ["ctb 3.0"]
    (row,) = q3["indicators"]
    assert (row["norm_2030"], row["meets_2030"], row["norm_2035"], row["meets_2035"]) == (100.0, 1, 80.0, 0)
    again = store.area_figures("NL", "2025-Q2")
    assert again["framework_versions"] == ["ctb 2.0"] and again == q2  # the closed quarter did not move
    assert [r.framework for r in ProjectRecord.objects.order_by("number")] == ["ctb 2.0", "ctb 3.0"]


def test_shares_per_area_add_up_like_the_monitor(world):
    store.record(world["utrecht"], True, {}, "CTB", "gemeente", now=at(2025, 6, 2))
    everything = store.national("2025-Q2")
    assert everything["PV26"]["pipeline"]["share"] == 1.0 and everything["PV27"]["pipeline"]["share"] == 0.0
    assert everything["GM0344"]["pipeline"]["homes_under"] == 40 and everything["PV20"]["pipeline"]["share"] is None
    assert everything["NL"] == store.area_figures("NL", "2025-Q2")
    assert sum(everything[p]["pipeline"]["homes_under"] for p in everything if p.startswith("PV")) == 40


def test_records_are_append_only_and_checked(world):
    r = store.record(world["utrecht"], True, {"circulair_bouwen": 3}, "eerste", "gemeente", now=at(2025, 6, 2))
    with pytest.raises(AppendOnlyError):
        r.save()
    with pytest.raises(store.ConvenantError, match="bestaat niet"):
        store.record(world["utrecht"], True, {"geluid": 3}, "fout", "gemeente", now=at(2025, 6, 3))
    with pytest.raises(store.ConvenantError, match="reden"):
        store.record(world["utrecht"], True, {}, " ", "gemeente", now=at(2025, 6, 3))
    assert ProjectRecord.objects.count() == 1


def test_open_data_api_page_and_csv(world, client):
    store.load_seed_partners()
    store.record(world["utrecht"], True, {}, "CTB", "gemeente", now=at(2025, 6, 2))
    figures = client.get("/api/v1/convenant/figures?area=PV26&peiling=2025-Q2").json()
    assert figures["pipeline"]["share"] == 1.0 and figures["framework_versions"] == ["ctb 2.0"]
    assert client.get("/api/v1/convenant/figures?gebied=PV26").status_code == 400  # unknown filter
    assert client.get("/api/v1/convenant/figures?area=XX99").status_code == 404
    body = client.get("/api/v1/convenant/figures?area=GM0344&peiling=2025-Q2&format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[1][:4] == ["GM0344", "Utrecht", "gemeente", "2025-Q2"] and rows[1][7] == "1.0"
    partners = [p["organisation"] for p in client.get("/api/v1/convenant/partners").json()]
    assert partners == ["Provincie Flevoland", "Provincie Noord-Holland", "Provincie Utrecht", "Provincie Zuid-Holland"]
    page = client.get("/convenant?gebied=PV26&peiling=2025-Q2").content.decode()
    assert "100,0%" in page and "40 van 40 woningen" in page and "Provincie Zuid-Holland" in page
    every = client.get("/convenant?peiling=2025-Q2&formaat=csv").content.decode("utf-8-sig").splitlines()
    assert len(every) == 1 + 1 + 12 + 342  # header, NL, provinces, municipalities


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anoniem", 401),
        ("corporatie", 403),
        ("gemeente_amsterdam", 403),
        ("gemeente_utrecht", 201),
        ("provincie_utrecht", 201),
        ("beheerder", 201),
    ],
)
def test_who_records_a_project(world, client, role, expected):
    headers = {} if role == "anoniem" else {"HTTP_AUTHORIZATION": f"Bearer {world['keys'][role]}"}
    body = {"under_convenant": True, "values": {"drinkwaterbesparing": 90}, "reason": "CTB-eisen in de tender"}
    response = client.post(
        f"/api/v1/convenant/projects/{world['utrecht']}/records", body, content_type="application/json", **headers
    )
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["framework"] == "ctb 3.0"  # in force today (from 1 July 2025)
        client.force_login(world["users"][role])
        form = {"onder_convenant": "1", "waarde_drinkwaterbesparing": "85", "reden": "Web"}
        assert client.post(f"/convenant/projecten/{world['utrecht']}", form).status_code == 302
        assert ProjectRecord.objects.count() == 2


def test_the_kader_dirs_are_a_setting_from_the_environment(tmp_path):
    """CONVENANT_KADER_DIRS comes from BOUWREGIE_CONVENANT_KADER_DIRS like the other directory settings (issue #23),
    default var/convenantkaders."""
    show = "from django.conf import settings; print([str(p) for p in settings.CONVENANT_KADER_DIRS])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bouwregie.settings", "BOUWREGIE_VAR_DIR": str(tmp_path)}
    env.pop("BOUWREGIE_CONVENANT_KADER_DIRS", None)

    def dirs(extra: dict) -> str:
        run = subprocess.run([sys.executable, "-c", show], env={**env, **extra}, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert dirs({}) == str([str(tmp_path / "convenantkaders")])
    assert dirs({"BOUWREGIE_CONVENANT_KADER_DIRS": os.pathsep.join(["/a/kaders", "/b/kaders"])}) == str(
        ["/a/kaders", "/b/kaders"]
    )


def test_own_framework_versions_go_into_the_backup_and_come_back(settings, tmp_path):
    own = tmp_path / "kaders"
    own.mkdir()
    (own / "ctb-3.0.toml").write_text(VERSION_3, encoding="utf-8")
    settings.IMPORT_PROFILE_DIRS, settings.REGULATION_DIRS, settings.CONVENANT_KADER_DIRS = [], [], [own]
    assert list(archive.config_files()) == ["config/convenantkaders/ctb-3.0.toml"]
    database = tmp_path / "db.sqlite3"
    database.write_bytes(b"")
    archive.write(tmp_path / "backup.zip", {"database": "sqlite"}, database)
    with zipfile.ZipFile(tmp_path / "backup.zip") as z:
        manifest = json.loads(z.read("manifest.json"))
        assert z.read("config/convenantkaders/ctb-3.0.toml").decode("utf-8") == VERSION_3
    settings.CONVENANT_KADER_DIRS = [tmp_path / "teruggezet"]
    written, kept = archive.restore_config(tmp_path / "backup.zip", manifest, force=False)
    assert written == [str(tmp_path / "teruggezet" / "ctb-3.0.toml")] and kept == []
    assert "ctb 3.0" in [f.label for f in framework.all_versions()]


VERSION_3_1 = """
kader = "ctb"
versie = "3.1"
geldig_vanaf = 2025-09-01
bron = "Testkader (fictief): eenheden en bereik"
[[thema]]
code = "ctb"
naam = "Toekomstbestendig bouwen"
bron = "test"
[[indicator]]
code = "circulair_aandeel"
naam = "Aandeel circulaire materialen"
thema = "ctb"
eenheid = "%"
bron = "test"
[[indicator]]
code = "drinkwaterbesparing"
naam = "Drinkwatergebruik"
thema = "ctb"
eenheid = "liter per persoon per dag"
minimum = 0
bron = "test"
"""


def test_a_record_names_an_existing_valid_version_and_values_in_range(world, settings, client):
    (settings.CONVENANT_KADER_DIRS[0] / "ctb-3.1.toml").write_text(VERSION_3_1, encoding="utf-8")
    utrecht = world["utrecht"]
    with pytest.raises(store.ConvenantError, match=r"^Convenantversie '9\.9' bestaat niet; bekende versies: 2\.0, "):
        store.record(utrecht, True, {}, "CTB", "gemeente", "9.9", now=at(2025, 6, 2))
    with pytest.raises(store.ConvenantError) as refused:
        store.record(utrecht, True, {}, "CTB", "gemeente", "3.0", now=at(2025, 6, 2))
    assert str(refused.value) == "Convenantversie '3.0' geldt pas vanaf 1-7-2025; de registratie is van 2-6-2025."
    with pytest.raises(store.ConvenantError) as refused:
        store.record(utrecht, True, {"circulair_aandeel": "120"}, "CTB", "gemeente", "2.0", now=at(2025, 10, 1))
    assert str(refused.value) == "Indicator 'circulair_aandeel': waarde 120 valt buiten het bereik 0 tot en met 100 %."
    with pytest.raises(store.ConvenantError) as refused:
        store.record(utrecht, True, {"drinkwaterbesparing": -5}, "CTB", "gemeente", "3.1", now=at(2025, 10, 1))
    assert str(refused.value) == (
        "Indicator 'drinkwaterbesparing': waarde -5 valt buiten het bereik minstens 0 liter per persoon per dag."
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['gemeente_utrecht']}"}
    body = {"under_convenant": True, "convenant_version": "7", "values": {}, "reason": "CTB"}
    response = client.post(
        f"/api/v1/convenant/projects/{utrecht}/records", body, content_type="application/json", **headers
    )
    assert response.status_code == 400 and "Convenantversie '7' bestaat niet" in response.content.decode()
    assert ProjectRecord.objects.count() == 0  # every refusal wrote nothing
    ok = store.record(
        utrecht,
        True,
        {"circulair_aandeel": 100, "drinkwaterbesparing": 0},
        "CTB",
        "gemeente",
        "2.0",
        now=at(2025, 10, 1),
    )
    assert (ok.framework, ok.convenant_version, ok.values) == (
        "ctb 3.1",
        "2.0",
        {"circulair_aandeel": 100.0, "drinkwaterbesparing": 0.0},
    )
    (v31,) = [f for f in framework.all_versions() if f.version == "3.1"]
    assert [(i.minimum, i.maximum) for i in v31.indicators] == [(0.0, 100.0), (0.0, None)]


def test_a_partner_signing_date_is_not_in_the_future(world, client):
    with pytest.raises(store.ConvenantError) as refused:
        store.register_partner(
            "Gemeente X", "gemeente", "2.0", "brief", "b", signed_on=date(2025, 12, 2), now=at(2025, 12, 1)
        )
    assert str(refused.value) == "Ondertekend op: 2-12-2025 ligt in de toekomst (vandaag is 1-12-2025)."
    store.register_partner(
        "Gemeente X", "gemeente", "2.0", "brief", "b", signed_on=date(2025, 12, 1), now=at(2025, 12, 1)
    )
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['beheerder']}"}
    body = {"organisation": "Gemeente Y", "sector": "gemeente", "convenant_version": "2.0", "source": "brief"}
    response = client.post(
        "/api/v1/convenant/partners", {**body, "signed_on": tomorrow}, content_type="application/json", **headers
    )
    assert response.status_code == 400 and "ligt in de toekomst" in response.content.decode()
    assert [p.organisation for p in store.register()] == ["Gemeente X"]


def test_the_dashboard_the_open_data_and_the_report_show_shares_and_scores(world, client):
    """Issue #23: per area and peiling the share under the convenant and the indicator scores against the norms, on
    the dashboard (/ and /gebied/<code>), in the open-data CSV, and from convenant.report.summary for #20."""
    # Utrecht's 40 homes under the convenant, recorded 2 July 2025 under ctb 3.0 (in force from 1 July; norms
    # 2030: at most 100, 2035: at most 80 litres), before peiling 2025-Q2 closed (15 July 2025): 95 meets 2030 only.
    store.record(world["utrecht"], True, {"drinkwaterbesparing": 95}, "CTB", "gemeente", "3.0", now=at(2025, 7, 2))
    national = client.get("/?peiling=2025-Q2").content.decode()
    section = national[national.index('id="convenant"') :]
    assert "30,8%" in section and "40 van 130 woningen" in section  # 40 / (40 + 90) = 0.3077
    assert "Drinkwatergebruik" in section and "ctb 3.0" in section
    municipality = client.get("/gebied/GM0344?peiling=2025-Q2").content.decode()
    section = municipality[municipality.index('id="convenant"') :]
    assert "100,0%" in section and "40 van 40 woningen" in section
    row = section[section.index("Drinkwatergebruik") :][:900]
    assert "1 <small>(norm ≤ 100,0 liter per persoon per dag)" in row and "0 <small>(norm ≤ 80,0 liter" in row
    amsterdam = client.get("/gebied/GM0363?peiling=2025-Q2").content.decode()
    assert "0 van 90 woningen" in amsterdam[amsterdam.index('id="convenant"') :]

    rows = list(
        csv.reader(
            io.StringIO(client.get("/convenant?peiling=2025-Q2&formaat=csv").content.decode("utf-8-sig")), delimiter=";"
        )
    )
    header, by_code = rows[0], {r[0]: r for r in rows[1:]}
    first = header.index("drinkwaterbesparing (ctb 3.0): projecten")
    assert header[first : first + 6] == [
        "drinkwaterbesparing (ctb 3.0): projecten",
        "drinkwaterbesparing (ctb 3.0): gemiddelde",
        "drinkwaterbesparing (ctb 3.0): norm_2030",
        "drinkwaterbesparing (ctb 3.0): voldoet_2030",
        "drinkwaterbesparing (ctb 3.0): norm_2035",
        "drinkwaterbesparing (ctb 3.0): voldoet_2035",
    ]
    assert by_code["GM0344"][first : first + 6] == ["1", "95.0", "100.0", "1", "80.0", "0"]
    assert by_code["GM0363"][first : first + 6] == ["0", "", "", "", "", ""]
    one = client.get("/api/v1/convenant/figures?area=PV26&peiling=2025-Q2&format=csv").content.decode("utf-8-sig")
    assert "drinkwaterbesparing (ctb 3.0): voldoet_2030" in one.splitlines()[0]

    summary = report.summary("2025-Q2", ["NL", "GM0344"])
    assert list(summary) == ["NL", "GM0344"] and summary["NL"]["pipeline"]["share"] == 0.3077
    (score,) = summary["GM0344"]["indicators"]
    assert (score["projects"], score["meets_2030"], score["meets_2035"]) == (1, 1, 0)
    assert report.summary("2025-Q2")["GM0344"] == summary["GM0344"]  # all areas in one pass: the same figures
    with pytest.raises(Peiling.DoesNotExist):
        report.summary("2019-Q1", ["NL"])


def kader_dir():
    from django.conf import settings

    return settings.CONVENANT_KADER_DIRS[0]


def test_no_direction_in_the_framework_is_reported_as_none_and_scored_as_none(world, client):
    """Issue #23: ctb 2.0 names no direction (seed 001 gives none), yet the figures said "hoogstens" for every
    indicator. Now `direction` is null, and a norm without a direction gets no count ("geen richting in het kader")
    instead of one computed as if "hoogstens" were meant."""
    store.record(world["utrecht"], True, {"drinkwaterbesparing": 95}, "CTB", "gemeente", "2.0", now=at(2025, 6, 2))
    figures = client.get("/api/v1/convenant/figures?area=GM0344&peiling=2025-Q2").json()
    assert [(r["framework"], r["direction"]) for r in figures["indicators"]] == [("ctb 2.0", None)] * 6
    undirected = framework.parse(
        {
            "kader": "ctb", "versie": "9.0", "geldig_vanaf": datetime(2025, 1, 1).date(), "bron": "test",
            "thema": [{"code": "t", "naam": "T", "bron": "test"}],
            "indicator": [{"code": "i", "naam": "I", "thema": "t", "norm_2030": 100, "bron": "test"}],
        },
        "x.toml",
    )  # fmt: skip
    (row,) = rules.indicator_scores([{"framework": "ctb 9.0", "values": {"i": 95}}], {"ctb 9.0": undirected})
    assert (row["direction"], row["norm_2030"], row["meets_2030"], row["projects"]) == (None, 100.0, None, 1)
    # on the page: a norm without a direction says so, with the norm, and counts nothing
    file = VERSION_3.replace('versie = "3.0"', 'versie = "4.0"').replace("2025-07-01", "2025-06-01")
    (kader_dir() / "ctb-4.0.toml").write_text(file.replace('richting = "hoogstens"\n', ""), encoding="utf-8")
    store.record(world["utrecht"], True, {"drinkwaterbesparing": 95}, "CTB", "gemeente", "4.0", now=at(2025, 6, 3))
    page = client.get("/gebied/GM0344?peiling=2025-Q2").content.decode()
    row = page[page.index('id="convenant"') :]
    row = row[row.index("Drinkwatergebruik") :][:900]
    assert "geen richting in het kader <small>(norm 100,0 liter per persoon per dag)" in row and "≤" not in row


def test_the_figures_on_the_command_line_are_a_table_and_json_on_request(world, capsys):
    """Issue #23: `convenant cijfers` printed raw JSON; now a readable table, the JSON behind --json. Utrecht's 40
    homes under the convenant of 40 (the world's one project there), recorded 2 June 2025 in peiling 2025-Q2."""
    store.record(world["utrecht"], True, {"drinkwaterbesparing": 95}, "CTB", "gemeente", "2.0", now=at(2025, 6, 2))
    call_command("convenant", "cijfers", "--gebied", "GM0344", "--peiling", "2025-Q2")
    out = capsys.readouterr().out
    assert not out.lstrip().startswith("{") and "peiling 2025-Q2" in out and "Kaderversies: ctb 2.0" in out
    (pipeline,) = [line for line in out.splitlines() if line.startswith("Plancapaciteit")]
    assert pipeline.split() == ["Plancapaciteit", "40", "40", "100,0%"]
    (water,) = [line for line in out.splitlines() if line.startswith("Drinkwaterbesparing")]
    assert water.split()[1:6] == ["ctb", "2.0", "1", "95,00", "geen"]  # one project, mean 95, no norm in ctb 2.0
    call_command("convenant", "cijfers", "--gebied", "GM0344", "--peiling", "2025-Q2", "--json")
    assert json.loads(capsys.readouterr().out)["pipeline"]["homes_under"] == 40


def test_partners_loaded_are_counted_with_proper_plurals(world, capsys):
    call_command("convenant", "load-partners")
    assert "4 partners toegevoegd." in capsys.readouterr().out  # the four provinces of seed 001
    call_command("convenant", "load-partners")
    assert "0 partners toegevoegd." in capsys.readouterr().out
