"""End to end through the real entry point: `bouwregie init`, `demo`, `peiling`, `serve`.

Runs in its own SQLite database under a temporary directory (or in a fresh PostgreSQL database when
the suite runs with DATABASE_URL), exactly as a user's shell would."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pgtemp import create_database, drop_database  # noqa: E402

from .test_cli import imported  # noqa: E402


@pytest.fixture
def environment(tmp_path):
    env = {**os.environ, "BOUWREGIE_VAR_DIR": str(tmp_path)}
    url = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        url = create_database("e2e")
        env["DATABASE_URL"] = url
    yield env
    if url:
        drop_database(url)


def bouwregie(env, *args, check=True):
    return subprocess.run(
        [sys.executable, "-m", "bouwregie", *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_init_demo_peiling_and_serve(environment):
    assert "342 gemeenten" in bouwregie(environment, "init").stdout
    assert "342 gemeenten" in bouwregie(environment, "init").stdout  # idempotent
    demo = bouwregie(environment, "demo", "--projects", "300", "--seed", "5")
    assert "Demo-login: gebruiker 'demo'" in demo.stdout
    listing = bouwregie(environment, "peiling", "list").stdout.splitlines()
    assert len(listing) == 15 and listing[0].startswith("2023-Q1  gesloten")
    if date.today() <= date(2026, 12, 31):  # the quarter still runs: closing needs the explicit flag (issue #19)
        refused = bouwregie(environment, "peiling", "close", "2026-Q4", check=False)
        assert refused.returncode != 0 and "loopt nog tot en met 31-12-2026" in refused.stderr
        assert "--allow-running-quarter" in refused.stderr
    closed = bouwregie(environment, "peiling", "close", "2026-Q4", "--door", "provincie Utrecht",
                       "--allow-running-quarter")  # fmt: skip
    assert "Peiling 2026-Q4 gesloten met" in closed.stdout
    again = bouwregie(environment, "peiling", "close", "2026-Q4", check=False)
    assert again.returncode != 0 and "Peiling 2026-Q4 is al gesloten." in again.stderr
    bad = bouwregie(environment, "peiling", "close", "2026Q4", check=False)
    assert bad.returncode != 0 and "gebruik de vorm 2025-Q3" in bad.stderr

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bouwregie", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and page is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
            except OSError:
                time.sleep(0.3)
        assert page is not None, "server did not answer"
        assert '<option value="2026-Q4" selected>' in page and ">Nederland</h1>" in page and 'lang="nl"' in page
        for asset in ("admin/css/base.css", "vendor/utrecht-components.css", "vendor/chart.umd.min.js"):
            response = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/{asset}", timeout=5)
            assert response.status == 200, asset  # assets are served by the app itself, no CDN
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_import_export_and_the_import_log(environment, tmp_path):
    from .planlijsten import PROVINCIAL_HEADER, PROVINCIAL_ROWS, write_csv

    bouwregie(environment, "init")
    lijst = write_csv(tmp_path / "plancapaciteit.csv", PROVINCIAL_HEADER, PROVINCIAL_ROWS, ";", "cp1252")
    dry = bouwregie(environment, "import", str(lijst), "--source", "Provincie Demo", "--dry-run")
    assert "PROEF: niets opgeslagen" in dry.stdout and "10 nieuw" in dry.stdout
    done = bouwregie(environment, "import", str(lijst), "--source", "Provincie Demo", "--peiling", "2025-Q3")
    assert "Status: geslaagd" in done.stdout and "Súdwest-Fryslân" in done.stdout
    assert "Validatierapport:" in done.stdout
    again = bouwregie(environment, "import", str(lijst), "--source", "Provincie Demo")
    assert "0 nieuw, 0 gewijzigd, 10 ongewijzigd" in again.stdout
    bad = tmp_path / "lijst.pdf"
    bad.write_bytes(b"%PDF")
    refused = bouwregie(environment, "import", str(bad), "--source", "Provincie Demo", check=False)
    assert refused.returncode == 1 and "Bestandstype '.pdf' wordt niet ondersteund" in refused.stderr
    export = tmp_path / "export.xlsx"
    assert "10 projecten geschreven" in bouwregie(environment, "export", "--format", "xlsx", "--output",
                                                 str(export)).stdout  # fmt: skip
    roundtrip = bouwregie(environment, "import", str(export), "--source", "export")
    assert "0 nieuw, 0 gewijzigd, 10 ongewijzigd" in roundtrip.stdout
    log = bouwregie(environment, "imports", "list").stdout.splitlines()
    assert len(log) == 5 and "geweigerd" in log[1] and "proef" in log[-1]
    assert "Bestandstype '.pdf'" in bouwregie(environment, "imports", "show", "4").stdout


def test_monitor_and_targets_commands(environment, tmp_path):
    import json

    bouwregie(environment, "init")
    bouwregie(environment, "demo", "--projects", "300", "--seed", "9")
    table = bouwregie(environment, "monitor", "--area", "PV27", "--peiling", "2026-Q3").stdout
    assert table.startswith("Noord-Holland (PV27) — peiling 2026-Q3") and "Plancapaciteit:" in table
    figures = json.loads(bouwregie(environment, "monitor", "--area", "gemeente Utrecht", "--format", "json").stdout)
    assert figures["area"]["code"] == "GM0344" and figures["peiling"] == "2026-Q3"
    csv_lines = bouwregie(environment, "monitor", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "gebied;peiling;onderdeel;sleutel;waarde" and any(";pipeline;homes;" in x for x in csv_lines)
    traced = bouwregie(environment, "monitor", "--area", "NL", "--trace", "hard").stdout.split()
    assert traced and all(code.startswith("DEMO-") for code in traced)
    slipped = bouwregie(environment, "delays", "--from", "2026-Q2", "--to", "2026-Q3", "--limit", "3").stdout
    assert slipped.startswith("Nederland: 2026-Q2 → 2026-Q3 (drempel 3 maanden)") and "projecten;" in slipped
    missing = bouwregie(environment, "delays", "--from", "2019-Q1", "--to", "2026-Q3", check=False)
    assert missing.returncode == 1 and "bestaat niet" in missing.stderr
    refused = bouwregie(environment, "monitor", "--area", "Groningen", check=False)
    assert refused.returncode == 1 and "zowel een provincie als een gemeente" in refused.stderr
    agreements = tmp_path / "afspraken.csv"
    header = "gebied;indicator;periode;totaal;aandeel;jaarschijven;bron\n"
    agreements.write_text(header + "GM0344;bruto_woningen;2024-2030;12000;;;Woondeal regio Utrecht\n", encoding="utf-8")
    assert "1 afspraken geladen" in bouwregie(environment, "targets", "load", str(agreements)).stdout
    assert "Woondeal regio Utrecht" in bouwregie(environment, "targets", "list").stdout
    options = bouwregie(environment, "alternatives", "--area", "GM0344", "--year", "2028", "--limit", "3").stdout
    assert options.startswith("Utrecht — 2028, peiling 2026-Q3") and "(afspraak 2024–2030 gelijk verdeeld" in options
    as_json = json.loads(bouwregie(environment, "alternatives", "--area", "PV26", "--year", "2029", "--tekort", "50",
                                   "--format", "json").stdout)  # fmt: skip
    assert as_json["shortfall"] == 50 and all(c["reasons"] for c in as_json["candidates"])
    # Amsterdam has no agreement of its own; the demo's (fictitious) woondeal has it as a member on the peiling
    # date, so its part of that woondeal's jaarschijf answers (issue #17) instead of a refusal.
    from_deal = bouwregie(environment, "alternatives", "--area", "Amsterdam", "--year", "2028").stdout
    assert "Deel van de woondeal 2028:" in from_deal and "Demo-woondeal Noord-Holland" in from_deal


def test_query_commands_answer_the_same_with_only_the_apps_they_read(environment):
    """`monitor` and `delays` set Django up with only the apps they read (cli.QUERY_APPS, issue #21): every option,
    an error and English give the same output, to the byte, as with every app installed; and the apps left out
    (admin, auth, axes, tasks, …) are not even imported."""
    root = Path(__file__).resolve().parents[1]
    full = {**environment, "DJANGO_SETTINGS_MODULE": "tests.all_apps_settings",
            "PYTHONPATH": os.pathsep.join([str(root), environment.get("PYTHONPATH", "")])}  # fmt: skip
    bouwregie(environment, "init")
    bouwregie(environment, "demo", "--projects", "200", "--seed", "4")

    def same(*args, refused=False):
        light, whole = bouwregie(environment, *args, check=False), bouwregie(full, *args, check=False)
        assert (light.returncode, light.stdout, light.stderr) == (whole.returncode, whole.stdout, whole.stderr), args
        assert (light.returncode, bool(light.stdout)) == ((1, False) if refused else (0, True)), args

    same("monitor")
    same("monitor", "--area", "GM0363", "--peiling", "2026-Q2", "--format", "json")
    same("monitor", "--area", "PV27", "--format", "csv", "--norm", "1.1")
    same("monitor", "--area", "NL", "--trace", "realised:2025")
    same("monitor", "--area", "Groningen", refused=True)  # a province and a municipality
    same("monitor", "--peiling", "2019-Q1", refused=True)  # no such peiling
    same("--lang", "en", "monitor", "--area", "gemeente Utrecht")
    same("delays", "--from", "2026-Q2", "--to", "2026-Q3")
    same("delays", "--from", "2026-Q1", "--to", "2026-Q3", "--area", "PV27", "--months", "1", "--limit", "0",
         "--format", "json")  # fmt: skip
    same("--lang", "en", "delays", "--from", "2026-Q2", "--to", "2026-Q3", "--limit", "3")
    same("delays", "--from", "2019-Q1", "--to", "2026-Q3", refused=True)  # no such peiling
    # An open peiling is computed live, from the projects' newest versions.
    opened = "import django; django.setup(); from bouwregie.projects import services; " \
             "assert not services.get_or_open_peiling('2026-Q4').is_closed"  # fmt: skip
    subprocess.run([sys.executable, "-c", opened], env={**environment, "DJANGO_SETTINGS_MODULE": "bouwregie.settings"},
                   check=True, timeout=120)  # fmt: skip
    same("monitor", "--peiling", "2026-Q4", "--area", "PV27", "--format", "json")
    same("monitor", "--peiling", "2026-Q4", "--trace", "hard")
    same("delays", "--from", "2026-Q3", "--to", "2026-Q4", "--format", "json")
    traced = subprocess.run([sys.executable, "-X", "importtime", "-m", "bouwregie", "monitor", "--area", "GM0363"],
                            env=environment, capture_output=True, text=True, check=True)  # fmt: skip
    modules = imported(traced.stderr)
    left_out = {"django.contrib.admin", "django.contrib.auth.models", "axes", "django_tasks_db", "bouwregie.ingest"}
    assert "bouwregie.monitor.api" in modules and not modules & left_out


def test_kansrijk_scores_models_and_hours(environment, tmp_path):
    bouwregie(environment, "init")
    bouwregie(environment, "demo", "--projects", "300", "--seed", "9")
    rows = bouwregie(environment, "kansrijk", "score", "--area", "NL", "--uren", "500", "--format", "csv").stdout
    lines = rows.splitlines()
    assert lines[0].startswith("rang;projectcode;naam;gemeentecode;gemeente;woningen;nog_te_bouwen;score;")
    assert sum(int(line.rsplit(";", 2)[1]) for line in lines[1:]) == 500  # the hours add up exactly
    template = tmp_path / "utrecht.toml"
    text = bouwregie(environment, "kansrijk", "model", "template").stdout
    template.write_text(text.replace('naam = "Kansrijk Bouwen! — standaardmodel Bouwregie"', 'naam = "Utrecht 2026"')
                        .replace("fase = 2,", "fase = 5,"), encoding="utf-8")  # fmt: skip
    loaded = bouwregie(environment, "kansrijk", "model", "load", str(template), "--gemeente", "gemeente Utrecht")
    assert loaded.stdout.strip() == "Model GM0344 v1 geladen: Utrecht 2026"
    assert '"fase": 5.0' in bouwregie(environment, "kansrijk", "model", "show", "--gemeente", "GM0344").stdout
    table = bouwregie(environment, "kansrijk", "score", "--area", "GM0344", "--limit", "2").stdout
    assert "Model GM0344 v1: Utrecht 2026" in table and "Voortgang & haalbaarheid — Fase:" in table
    template.write_text("[pijlers.x]\ncriteria = { ligging = 1 }\n", encoding="utf-8")
    bad = bouwregie(environment, "kansrijk", "model", "load", str(template), check=False)
    assert bad.returncode == 1 and "Onbekend criterium 'ligging'" in bad.stderr
    assert "GM0344     v1" in bouwregie(environment, "kansrijk", "model", "list").stdout
