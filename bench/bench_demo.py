"""Benchmark (issue #2): generate and load the default demo dataset into SQLite and PostgreSQL.

Each run is a fresh database and a separate process (`bouwregie init` then `bouwregie demo`), so wall
time and peak memory are those a user gets from the real entry point. Targets: < 60 s and < 1 GB
each on the 2-core reference machine. Writes bench/results/demo_load.{json,md}.

Issue #21: the load streams in chunks, so its peak memory must not grow with the number of projects. A smaller
demo (BENCH_SMALL_PROJECTS, 5,000; 0 to skip) is loaded in the same run, and the peaks are shown side by side.
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
SMALL = int(os.environ.get("BENCH_SMALL_PROJECTS", "5000"))


def run_demo(env: dict, projects: int = PROJECTS) -> dict:
    """Time `bouwregie demo` in its own process, with that process's own peak memory."""
    subprocess.run([*BOUWREGIE, "init"], env=env, check=True, capture_output=True)
    seconds, peak_mb, output = run_measured([*BOUWREGIE, "demo", "--projects", str(projects)], env)
    return {"seconds": round(seconds, 2), "peak_mb": peak_mb, "log": output.strip()}


def on_both(projects: int) -> dict[str, dict]:
    """One run of `projects` on a fresh SQLite and a fresh PostgreSQL database."""
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "BOUWREGIE_VAR_DIR": var}
        env.pop("DATABASE_URL", None)
        sqlite = run_demo(env, projects)
    url = create_database("bench")
    try:
        with tempfile.TemporaryDirectory() as var:
            postgresql = run_demo({**os.environ, "BOUWREGIE_VAR_DIR": var, "DATABASE_URL": url}, projects)
    finally:
        drop_database(url)
    return {"sqlite": sqlite, "postgresql": postgresql}


def main():
    results = {"sqlite": [], "postgresql": []}
    for _ in range(REPEAT):
        for backend, run in on_both(PROJECTS).items():
            results[backend].append(run)
    small = on_both(SMALL) if SMALL else {}
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
        "small": {"projects": SMALL, **{b: {k: r[k] for k in ("seconds", "peak_mb")} for b, r in small.items()}},
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
    if small:
        lines += ["Peak memory against the number of projects (issue #21: flat, the load streams in chunks):", "",
                  f"| backend | peak MB at {SMALL} | peak MB at {PROJECTS} | s at {SMALL} | s at {PROJECTS} |",
                  "| --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
        for backend in ("sqlite", "postgresql"):
            low, big = small[backend], summary[backend]
            lines.append(
                f"| {backend} | {low['peak_mb']} | {big['peak_mb']} | {low['seconds']} | {big['median_seconds']} |"
            )
        lines.append("")
    (ROOT / "bench/results/demo_load.md").write_text("\n".join(lines))
    print("\n".join(lines))
    for backend in ("sqlite", "postgresql"):
        print(f"{backend}: {summary[backend]['runs'][-1]['log']}")


if __name__ == "__main__":
    main()
