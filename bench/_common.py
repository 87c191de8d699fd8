"""What the database benchmarks share: a fresh database on SQLite and on a temporary PostgreSQL database,
the demo loaded into it, a measuring script run in a new process (so "cold" means cold), and the results
written as bench/results/<name>.{json,md}.

Each benchmark keeps its own measuring script and table; only the set-up and the bookkeeping live here, so
every benchmark sets up alike and records the machine alike."""

import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from pgtemp import create_database, drop_database  # noqa: E402

# The national monitor's totals as one hand-written SQL GROUP BY: the floor of bench_monitor and bench_stress.
# `where` narrows it (e.g. "AND v.municipality_id = 'GM0363'"); one parameter: the peiling's code.
MONITOR_FLOOR = """
SELECT m.province_id, v.municipality_id, COUNT(*), SUM(v.homes_total), SUM(v.homes_sociale_huur),
       SUM(v.homes_middenhuur), SUM(v.homes_betaalbare_koop), SUM(v.homes_vrije_sector_huur),
       SUM(v.homes_dure_koop), SUM(v.homes_onbekend),
       SUM(CASE WHEN v.plan_status IN ('1A','1B','1C','2A','2B','2C') THEN v.homes_total ELSE 0 END)
FROM projects_peilingentry e JOIN projects_peiling p ON p.id = e.peiling_id
JOIN projects_projectversion v ON v.id = e.version_id JOIN geo_municipality m ON m.code = v.municipality_id
WHERE p.code = %s AND v.lifecycle = 'actief' {where} GROUP BY m.province_id, v.municipality_id
"""


def machine() -> str:
    """The machine line every result records: host, cores, Python."""
    return f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"


def now() -> str:
    """The time of the run, UTC, to the second (ISO 8601)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def bouwregie(env: dict, *args: str) -> None:
    """Run one `bouwregie` command in a new process against `env`'s database; raise if it fails."""
    subprocess.run([sys.executable, "-m", "bouwregie", *args], env=env, check=True, capture_output=True)


def load_demo(env: dict, projects: int) -> None:
    """A fresh database with the demo of `projects` projects (`bouwregie init` + `bouwregie demo`)."""
    bouwregie(env, "init")
    bouwregie(env, "demo", "--projects", str(projects))


def run_script(env: dict, script: str, *args) -> dict:
    """Run `script` (Python source) in a new process; its last line of output is the JSON it measured."""
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def on_both_databases(measure: Callable[[dict], dict], name: str, postgresql: bool = True) -> dict[str, dict]:
    """`measure(env)` on a fresh SQLite database, then (unless `postgresql` is False) on a temporary PostgreSQL
    database named after `name`, dropped afterwards. Returns {"sqlite": …, "postgresql": …}."""
    results = {}
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "BOUWREGIE_VAR_DIR": var}
        env.pop("DATABASE_URL", None)
        results["sqlite"] = measure(env)
    if postgresql:
        url = create_database(name)
        try:
            with tempfile.TemporaryDirectory() as var:
                results["postgresql"] = measure({**os.environ, "BOUWREGIE_VAR_DIR": var, "DATABASE_URL": url})
        finally:
            drop_database(url)
    return results


def write_results(name: str, record: dict, lines: list[str]) -> None:
    """bench/results/<name>.json (the record) and <name>.md (the lines), and the table on stdout."""
    results = ROOT / "bench/results"
    results.mkdir(exist_ok=True)
    (results / f"{name}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    (results / f"{name}.md").write_text("\n".join(lines))
    print("\n".join(lines))
