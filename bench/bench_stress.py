"""Benchmark (issue #21): answers in proportion to the question, at the demo's national scale (25,000 projects)
and at 10x (250,000), side by side in one run, on SQLite and PostgreSQL.

The databases are generated once and reused: SQLite under BENCH_STRESS_DIR (default var/stress/<n>/), PostgreSQL
as the database bouwregie_stress_<n> on BOUWREGIE_PG_SERVER (tools/pgtemp.py), each made with `bouwregie init`
and `bouwregie demo --projects <n>` when it is missing (the 250,000 takes ~20 minutes and ~3 GB of disk).
BENCH_STRESS_SCALES (default 25000,250000) and BENCH_STRESS_DATABASES (default sqlite,postgresql) choose; the
demo load itself is timed by bench_demo_load.py.

Every cold figure is a new process running the real command, as a user, a report job or a worker starts it
(median wall time of BENCH_REPEAT runs, default 3; peak resident memory the largest): `bouwregie monitor` for one
municipality (Amsterdam), a province (Noord-Holland) and NL; `bouwregie delays` for NL and for Amsterdam between
the last two peilingen; `bouwregie instruments realisatiestimulans`; `bouwregie forecast --area NL --runs 10000`.

Floors, each in a new process too:
- start-up: `python -c pass`, `bouwregie --help` (the target's "start-up floor"), importing Django's ORM alone
  (`import django.db.models`: what any answer read through the ORM pays before it can ask) and Django set up alone;
- SQL: the same question as one query through Django's connection after the same set-up (so the floor pays the
  same start-up): the monitor's GROUP BY (bench_monitor.py's) for the municipality, the province and NL; the
  milestones that moved later between the two peilingen, joined in SQL, for delays; the deliveries per
  municipality for the realisatiestimulans;
- numpy: the forecast's random variates alone (bench_forecast.py's floor, best block size).
Warm delays: in one process, the computation again on the snapshots in memory (its kept findings forgotten).

Before measuring, each peiling asked is materialised (monitor/materialised.py: what closing does); the time of
materialising the latest one is reported apart, as what a close now costs more.
Writes bench/results/stress.{json,md}.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import MONITOR_FLOOR, ROOT, machine, now, write_results

sys.path.insert(0, str(ROOT / "tools"))
from pgtemp import kept_database  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
SCALES = [int(n) for n in os.environ.get("BENCH_STRESS_SCALES", "25000,250000").split(",")]
DATABASES = os.environ.get("BENCH_STRESS_DATABASES", "sqlite,postgresql").split(",")
FIRST, SECOND = "2026-Q2", "2026-Q3"  # the demo's last two closed peilingen
MUNICIPALITY, PROVINCE = "GM0363", "PV27"

COMMANDS = {
    "monitor gemeente": ["monitor", "--area", MUNICIPALITY, "--peiling", SECOND],
    "monitor provincie": ["monitor", "--area", PROVINCE, "--peiling", SECOND],
    "monitor NL": ["monitor", "--area", "NL", "--peiling", SECOND],
    "delays NL": ["delays", "--from", FIRST, "--to", SECOND, "--limit", "25"],
    "delays gemeente": ["delays", "--from", FIRST, "--to", SECOND, "--area", MUNICIPALITY, "--limit", "25"],
    "realisatiestimulans": ["instruments", "realisatiestimulans", "--peiling", SECOND],
    "forecast NL": ["forecast", "--area", "NL", "--runs", "10000"],
}

SETUP = (
    "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'bouwregie.settings'); import django; django.setup()"
)
DELAYS_FLOOR = """
SELECT ea.project_id, ma.kind, ma.sequence
FROM projects_peilingentry ea
JOIN projects_peilingentry eb ON eb.project_id = ea.project_id AND eb.version_id <> ea.version_id
JOIN projects_milestone ma ON ma.version_id = ea.version_id
JOIN projects_milestone mb ON mb.version_id = eb.version_id AND mb.kind = ma.kind AND mb.sequence = ma.sequence
JOIN projects_projectversion v ON v.id = eb.version_id
WHERE ea.peiling_id = (SELECT id FROM projects_peiling WHERE code = %s)
  AND eb.peiling_id = (SELECT id FROM projects_peiling WHERE code = %s)
  AND COALESCE(mb.actual, mb.planned) > COALESCE(ma.actual, ma.planned) {where}
"""
STIMULANS_FLOOR = """
SELECT v.municipality_id, SUM(COALESCE(ms.homes, v.homes_total))
FROM projects_peilingentry e JOIN projects_peiling p ON p.id = e.peiling_id
JOIN projects_projectversion v ON v.id = e.version_id
JOIN projects_milestone ms ON ms.version_id = v.id AND ms.kind = 'oplevering' AND ms.actual IS NOT NULL
WHERE p.code = %s GROUP BY v.municipality_id
"""


def sql_script(sql: str, *params: str) -> str:
    return (f"{SETUP}\nfrom django.db import connection\nwith connection.cursor() as c:\n"
            f"    c.execute({sql!r}, {list(params)!r}); c.fetchall()\n")  # fmt: skip


FLOORS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "bouwregie --help": [sys.executable, "-m", "bouwregie", "--help"],
    "import Django ORM": [sys.executable, "-c", "import django.db.models"],
    "Django set up": [sys.executable, "-c", SETUP],
    "SQL monitor gemeente": [sys.executable, "-c", sql_script(
        MONITOR_FLOOR.format(where=f"AND v.municipality_id = '{MUNICIPALITY}'"), SECOND)],
    "SQL monitor provincie": [sys.executable, "-c", sql_script(
        MONITOR_FLOOR.format(where=f"AND m.province_id = '{PROVINCE}'"), SECOND)],
    "SQL monitor NL": [sys.executable, "-c", sql_script(MONITOR_FLOOR.format(where=""), SECOND)],
    "SQL delays NL": [sys.executable, "-c", sql_script(DELAYS_FLOOR.format(where=""), FIRST, SECOND)],
    "SQL delays gemeente": [sys.executable, "-c", sql_script(
        DELAYS_FLOOR.format(where=f"AND v.municipality_id = '{MUNICIPALITY}'"), FIRST, SECOND)],
    "SQL realisatiestimulans": [sys.executable, "-c", sql_script(STIMULANS_FLOOR, SECOND)],
}  # fmt: skip

WARM_DELAYS = f"""
{SETUP}
import json, statistics, time
from bouwregie.monitor import delays, snapshot
def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t
delays.delays("NL", "{FIRST}", "{SECOND}", limit=25)
def again():
    delays.forget_kept()  # the computation, not what this process kept of it
    delays.delays("NL", "{FIRST}", "{SECOND}", limit=25)
print(json.dumps({{"warm_s": statistics.median(timed(again) for _ in range(5))}}))
"""

MATERIALISE = f"""
{SETUP}
import json, time
from bouwregie.monitor import materialised
from bouwregie.monitor.models import SnapshotPart
from bouwregie.projects.models import Peiling
for code in ("{FIRST}", "{SECOND}"):
    materialised.snapshot_of(Peiling.objects.get(code=code))  # built if missing or made by other code
peiling = Peiling.objects.get(code="{SECOND}")
SnapshotPart.objects.filter(peiling=peiling, format=materialised.FORMAT).delete()
t = time.perf_counter()
materialised.snapshot_of(peiling)  # rebuilt: what closing it costs more
print(json.dumps({{"materialise_s": time.perf_counter() - t}}))
"""

NUMPY_FLOOR = """
import json, sys, time
import numpy as np
n = int(sys.argv[1]); runs = 10_000; block = 4_000_000
rng = np.random.default_rng(2025)
normal = np.empty(block, dtype=np.float32); uniform = np.empty(block, dtype=np.float32)
t = time.perf_counter()
for start in range(0, n * runs, block):
    size = min(block, n * runs - start)
    rng.standard_normal(size, dtype=np.float32, out=normal[:size])
    rng.random(size, dtype=np.float32, out=uniform[:size])
print(json.dumps({"numpy_floor_s": time.perf_counter() - t}))
"""


def environment(database: str, projects: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    if database == "sqlite":
        var = Path(os.environ.get("BENCH_STRESS_DIR", ROOT / "var" / "stress")) / str(projects)
        var.mkdir(parents=True, exist_ok=True)
        env["BOUWREGIE_VAR_DIR"] = str(var)
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = kept_database(f"bouwregie_stress_{projects}")
    return env


def prepared(env: dict, projects: int) -> dict:
    """The demo of `projects` in env's database (made once), migrated to this code, its peilingen materialised."""
    command = [sys.executable, "-m", "bouwregie"]
    subprocess.run([*command, "init"], env=env, check=True, capture_output=True)  # creates, or migrates
    check = f"{SETUP}\nfrom bouwregie.projects.models import Project\nprint(Project.objects.count())"
    if int(subprocess.run([sys.executable, "-c", check], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()) == 0:  # fmt: skip
        started = time.perf_counter()
        subprocess.run([*command, "demo", "--projects", str(projects)], env=env, check=True, capture_output=True)
        print(f"demo {projects} loaded in {time.perf_counter() - started:.0f} s", flush=True)
    return json.loads(subprocess.run([sys.executable, "-c", MATERIALISE], env=env, check=True, capture_output=True,
                                     text=True).stdout.strip().splitlines()[-1])  # fmt: skip


def run(command: list[str], env: dict) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MB) of one new process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{command} failed: {process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss // 1024


def measure(env: dict, projects: int) -> dict:
    found = prepared(env, projects)
    bouwregie = [sys.executable, "-m", "bouwregie"]
    cases = {name: [*bouwregie, *args] for name, args in COMMANDS.items()} | FLOORS
    cases["numpy floor forecast"] = [sys.executable, "-c", NUMPY_FLOOR, str(active_projects(env))]
    runs = {name: [] for name in cases}
    for _ in range(REPEAT):  # the cases take turns, so a busy moment hits them all alike
        for name, command in cases.items():
            runs[name].append(run(command, env))
    for name, measured in runs.items():
        found[name] = {"median_s": round(statistics.median(w for w, _m in measured), 3),
                       "peak_mb": max(m for _w, m in measured),
                       "runs_s": [round(w, 3) for w, _m in measured]}  # fmt: skip
    warm = subprocess.run([sys.executable, "-c", WARM_DELAYS], env=env, check=True, capture_output=True, text=True)
    found.update(json.loads(warm.stdout.strip().splitlines()[-1]))
    return found


def active_projects(env: dict) -> int:
    script = f"{SETUP}\nfrom bouwregie.projects.services import current_versions\n" \
             "print(current_versions().filter(lifecycle='actief').count())"  # fmt: skip
    return int(subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True,
                              text=True).stdout.strip())  # fmt: skip


def main():
    results = {}
    for database in DATABASES:
        for projects in SCALES:
            print(f"{database} {projects}…", flush=True)
            results[f"{database} {projects}"] = measure(environment(database, projects), projects)
    record = {"benchmark": "stress: answers in proportion to the question (issue #21)", "when": now(),
              "machine": machine(), "load_average": round(os.getloadavg()[0], 1), "repeat": REPEAT,
              "results": results}  # fmt: skip
    write_results("stress", record, markdown(record))


def markdown(record: dict) -> list[str]:
    columns = list(record["results"])
    rows = [*COMMANDS, *FLOORS, "numpy floor forecast"]
    lines = ["# Answers in proportion to the question: 25k and 250k (issue #21)", "",
             f"{record['when']} — {record['machine']} — load {record['load_average']} — median of "
             f"{record['repeat']} new processes per cell (peak MB in brackets).", "",
             "| question | " + " | ".join(columns) + " |", "| --- |" + " ---: |" * len(columns)]  # fmt: skip
    for name in rows:
        cells = [record["results"][c].get(name) for c in columns]
        lines.append(f"| {name} | " + " | ".join(f"{c['median_s']} s ({c['peak_mb']})" if c else "–"
                                                 for c in cells) + " |")  # fmt: skip
    lines.append("| delays NL warm (in one process) | " + " | ".join(
        f"{record['results'][c]['warm_s']:.3f} s" for c in columns) + " |")  # fmt: skip
    lines.append("| materialise one peiling (at close) | " + " | ".join(
        f"{record['results'][c]['materialise_s']:.1f} s" for c in columns) + " |")  # fmt: skip
    lines += ["", "## Against the targets", ""]
    for database in DATABASES:
        small, large = (record["results"].get(f"{database} {n}") for n in (min(SCALES), max(SCALES)))
        if not small or not large or small is large:
            continue
        m = "monitor gemeente"
        lines += [
            f"- {database}: one municipality cold at {max(SCALES)} / at {min(SCALES)}: "
            f"{ratio(large[m], small[m])} (target ≤ 1.5); / start-up floor (`bouwregie --help`): "
            f"{ratio(large[m], large['bouwregie --help'])} (target ≤ 3); / Django set up: "
            f"{ratio(large[m], large['Django set up'])}; importing Django's ORM alone / `bouwregie --help`: "
            f"{ratio(large['import Django ORM'], large['bouwregie --help'])}.",
            f"- {database}: NL monitor cold / its SQL floor: {ratio(small['monitor NL'], small['SQL monitor NL'])} at "
            f"{min(SCALES)}, {ratio(large['monitor NL'], large['SQL monitor NL'])} at {max(SCALES)} (target ≤ 2).",
            f"- {database}: delays at {max(SCALES)}: cold {large['delays NL']['median_s']} s (target < 5), warm "
            f"{large['warm_s']:.2f} s (target < 1).",
            f"- {database}: forecast at {max(SCALES)}: {large['forecast NL']['median_s']} s, "
            f"{large['forecast NL']['peak_mb']} MB (target < 1536), / numpy floor "
            f"{ratio(large['forecast NL'], large['numpy floor forecast'])} (target ≤ 2; the floor is the draws "
            "alone, without start-up).",
        ]
    return [*lines, ""]


def ratio(a: dict, b: dict) -> float:
    return round(a["median_s"] / b["median_s"], 2)


if __name__ == "__main__":
    main()
