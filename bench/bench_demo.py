"""Benchmark (issue #2): generate and load the default demo dataset into SQLite and PostgreSQL.

Each run is a fresh database and a separate process (`bouwregie init` then `bouwregie demo`), so wall
time and peak memory are those a user gets from the real entry point. Targets: < 60 s and < 1 GB
each on the 2-core reference machine. Writes bench/results/demo_load.{json,md}.

Issue #21: the load streams in chunks, so its peak memory must not grow with the number of projects. A smaller
demo (BENCH_SMALL_PROJECTS, 5,000; 0 to skip) and a 10x one (BENCH_LARGE_PROJECTS, 250,000; 0 to skip) are loaded
in the same run, and the peaks are shown side by side (target: < 1 GB at every scale). Each load is compared with
its floor (bench/copy_floor.py: the same rows bulk-copied into the same tables of a fresh database, in the same
run). Target at 250,000: the load within 2x its floor. The floor copies with the database's guards off (no
append-only triggers, no foreign-key checks); the same copy with them on is measured beside it ("guarded floor"),
so the table shows how much of the 2x the guards alone take before the application does anything.
"""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import copy_floor  # noqa: E402  (bench/, beside this file)
from measure import run_measured  # noqa: E402
from pgtemp import create_database, drop_database  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BOUWREGIE = [sys.executable, "-m", "bouwregie"]
REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "25000"))
SMALL = int(os.environ.get("BENCH_SMALL_PROJECTS", "5000"))
LARGE = int(os.environ.get("BENCH_LARGE_PROJECTS", "250000"))
FLOOR_RATIO = 2  # issue #21: the 250,000-project load within 2x its bulk-copy floor
KEPT = ("seconds", "peak_mb", "floor", "floor_ratio", "guarded_floor", "guarded_floor_ratio")


def run_demo(env: dict, projects: int = PROJECTS) -> dict:
    """Time `bouwregie demo` in its own process, with that process's own peak memory."""
    subprocess.run([*BOUWREGIE, "init"], env=env, check=True, capture_output=True)
    seconds, peak_mb, output = run_measured([*BOUWREGIE, "demo", "--projects", str(projects)], env)
    return {"seconds": round(seconds, 2), "peak_mb": peak_mb, "log": output.strip()}


def on_both(projects: int) -> dict[str, dict]:
    """One run of `projects` on a fresh SQLite and a fresh PostgreSQL database, each with its bulk-copy floor
    (a second fresh database of the same kind, initialised, taking the same rows)."""
    with tempfile.TemporaryDirectory() as var, tempfile.TemporaryDirectory() as floor_var:
        env = {**os.environ, "BOUWREGIE_VAR_DIR": var}
        env.pop("DATABASE_URL", None)
        sqlite = run_demo(env, projects)
        subprocess.run([*BOUWREGIE, "init"], env={**env, "BOUWREGIE_VAR_DIR": floor_var}, check=True,
                       capture_output=True)  # fmt: skip
        fresh, guarded = Path(floor_var) / "bouwregie.sqlite3", Path(floor_var) / "guarded.sqlite3"
        shutil.copy(fresh, guarded)
        sqlite["floor"] = copy_floor.sqlite(Path(var) / "bouwregie.sqlite3", fresh)
        sqlite["guarded_floor"] = copy_floor.sqlite(Path(var) / "bouwregie.sqlite3", guarded, guarded=True)
    url, floor_url, guarded_url = create_database("bench"), create_database("benchfloor"), create_database("benchg")
    try:
        with tempfile.TemporaryDirectory() as var:
            postgresql = run_demo({**os.environ, "BOUWREGIE_VAR_DIR": var, "DATABASE_URL": url}, projects)
            for fresh in (floor_url, guarded_url):
                floor_env = {**os.environ, "BOUWREGIE_VAR_DIR": var, "DATABASE_URL": fresh}
                subprocess.run([*BOUWREGIE, "init"], env=floor_env, check=True, capture_output=True)
        postgresql["floor"] = copy_floor.postgresql(url, floor_url)
        postgresql["guarded_floor"] = copy_floor.postgresql(url, guarded_url, guarded=True)
    finally:
        for each in (url, floor_url, guarded_url):
            drop_database(each)
    for run in (sqlite, postgresql):
        run["floor_ratio"] = round(run["seconds"] / max(run["floor"]["seconds"], 0.01), 2)
        run["guarded_floor_ratio"] = round(run["guarded_floor"]["seconds"] / max(run["floor"]["seconds"], 0.01), 2)
    return {"sqlite": sqlite, "postgresql": postgresql}


def main():
    results = {"sqlite": [], "postgresql": []}
    for _ in range(REPEAT):
        for backend, run in on_both(PROJECTS).items():
            results[backend].append(run)
    small = on_both(SMALL) if SMALL else {}
    large = on_both(LARGE) if LARGE else {}
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
        "small": {
            "projects": SMALL,
            **{b: {k: r[k] for k in KEPT} for b, r in small.items()},
        },
        "large": {
            "projects": LARGE,
            **{b: {k: r[k] for k in KEPT} for b, r in large.items()},
        },
        "floor_ratio_target": FLOOR_RATIO,
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
    scales = [(SMALL, small), (PROJECTS, {b: {**results[b][-1], "seconds": summary[b]["median_seconds"]}
                                          for b in results}), (LARGE, large)]  # fmt: skip
    lines += ["Issue #21: peak memory and time against the number of projects (the load streams in chunks: memory "
              "flat, < 1 GB at every scale), and each load beside its floor: the same rows bulk-copied into the same "
              f"tables of a fresh database in the same run (bench/copy_floor.py; target at {LARGE or 250000}: "
              f"within {FLOOR_RATIO}x).", "",
              "| backend | projects | load s | peak MB | floor s (rows copied) | load / floor | guarded floor s | "
              "guarded / floor | memory < 1 GB |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]  # fmt: skip
    for backend in ("sqlite", "postgresql"):
        for projects, runs in scales:
            if not projects or backend not in runs:
                continue
            r = runs[backend]
            lines.append(
                f"| {backend} | {projects} | {r['seconds']} | {r['peak_mb']} | {r['floor']['seconds']} "
                f"({r['floor']['rows']}) | {r['floor_ratio']} | {r['guarded_floor']['seconds']} | "
                f"{r['guarded_floor_ratio']} | {'yes' if r['peak_mb'] < 1024 else '**no**'} |"
            )
    lines.append("")
    (ROOT / "bench/results/demo_load.md").write_text("\n".join(lines))
    print("\n".join(lines))
    for backend in ("sqlite", "postgresql"):
        print(f"{backend}: {summary[backend]['runs'][-1]['log']}")


if __name__ == "__main__":
    main()
