"""Benchmark (issue #2): generate and load the default demo dataset into SQLite and PostgreSQL.

Each run is a fresh database and a separate process (`bouwregie init` then `bouwregie demo`), so wall
time and peak memory are those a user gets from the real entry point. Targets: < 60 s and < 1 GB
each on the 2-core reference machine. Writes bench/results/demo_load.{json,md}.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from measure import run_measured  # noqa: E402
from pgtemp import create_database, drop_database  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BOUWREGIE = [sys.executable, "-m", "bouwregie"]
REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "25000"))


def run_demo(env: dict) -> dict:
    """Time `bouwregie demo` in its own process, with that process's own peak memory."""
    subprocess.run([*BOUWREGIE, "init"], env=env, check=True, capture_output=True)
    seconds, peak_mb, output = run_measured([*BOUWREGIE, "demo", "--projects", str(PROJECTS)], env)
    return {"seconds": round(seconds, 2), "peak_mb": peak_mb, "log": output.strip()}


def main():
    results = {"sqlite": [], "postgresql": []}
    for _ in range(REPEAT):
        with tempfile.TemporaryDirectory() as var:
            env = {**os.environ, "BOUWREGIE_VAR_DIR": var}
            env.pop("DATABASE_URL", None)
            results["sqlite"].append(run_demo(env))
        url = create_database("bench")
        try:
            with tempfile.TemporaryDirectory() as var:
                results["postgresql"].append(run_demo({**os.environ, "BOUWREGIE_VAR_DIR": var, "DATABASE_URL": url}))
        finally:
            drop_database(url)
    summary = {
        backend: {
            "median_seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs),
            "runs": runs,
        }
        for backend, runs in results.items()
    }
    ratio = summary["postgresql"]["median_seconds"] / summary["sqlite"]["median_seconds"]
    record = {
        "benchmark": "demo generate + load (issue #2)",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "projects": PROJECTS,
        "repeat": REPEAT,
        "targets": {"seconds": 60, "peak_mb": 1024},
        "postgresql_to_sqlite_ratio": round(ratio, 2),
        **summary,
    }
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/demo_load.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# Demo generate + load (issue #2)",
        "",
        f"{record['when']} — {record['machine']} — {PROJECTS} projects, {REPEAT} run(s) per backend in the same run.",
        "",
        "| backend | median s | peak MB | target |",
        "| --- | ---: | ---: | --- |",
    ]
    for backend in ("sqlite", "postgresql"):
        s = summary[backend]
        verdict = "ok" if s["median_seconds"] < 60 and s["peak_mb"] < 1024 else "MISSED"
        lines.append(f"| {backend} | {s['median_seconds']} | {s['peak_mb']} | < 60 s, < 1024 MB: {verdict} |")
    lines += ["", f"PostgreSQL / SQLite time ratio: {record['postgresql_to_sqlite_ratio']}", ""]
    (ROOT / "bench/results/demo_load.md").write_text("\n".join(lines))
    print("\n".join(lines))
    for backend in ("sqlite", "postgresql"):
        print(f"{backend}: {summary[backend]['runs'][-1]['log']}")


if __name__ == "__main__":
    main()
