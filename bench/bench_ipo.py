"""Benchmark (issue #15): a national set of twelve provincial IPO lists (~45,000 plans) imported in one run.

The twelve lists come from bench/ipo_lists.py (one per province; zipped Shapefile, GeoPackage, Excel, CSV),
each imported with its own --source (`Provincie Utrecht`, …: external ids are unique per source), OBJECTID
as the external id, no profile (the IPO layout must be recognised from its headers). Measured in one run,
each in a fresh process, median of REPEAT runs, SQLite like bench_import.py:
  ours      one Python process calling run_import for the twelve files in turn (the "one run" of the issue),
            into a fresh database made by `bouwregie init`; every list must come out `geslaagd` with all its
            plans new
  ours_cli  the same twelve files through the real entry point, `bouwregie import FILE --source …`, one
            process per file (time summed, peak = the largest process) into another fresh database
  read      the floor for reading: the twelve files read by the cheapest reader of each format
            (pyogrio.raw.read, straight from the zip; openpyxl read-only; csv.reader) in one process
  storage   bench_import's storage floor: the rows `ours` wrote (projects, external ids, versions, current
            pointers) inserted again with plain sqlite3 executemany into an empty copy of those tables
Target (issue #15, "How we will check"): ours ≤ 2 × (read + storage). Writes bench/results/ipo.{json,md}.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_import import DJANGO_START, STORAGE_FLOOR, timed  # noqa: E402  (also puts tools/ on sys.path)
from ipo_lists import make_lists  # noqa: E402
from measure import run_measured  # noqa: E402

PLANS = int(os.environ.get("BENCH_IPO_PLANS", "45000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
TARGET = 2.0

OURS = """
import time
started = time.perf_counter()
import json, os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
django.setup()
from bouwregie.ingest.importer import ImportOptions, run_import
stages = {"start": time.perf_counter() - started, "read": 0.0, "map_validate": 0.0, "store": 0.0}
checks = []
for item in json.loads(open(sys.argv[1]).read()):
    marks = {}
    def progress(percent, stage):  # the import's own stages: 5 read, 20 check rows, 85 store
        marks.setdefault(percent, time.perf_counter())
    result = run_import(item["path"], ImportOptions(source=item["source"], author="bench", progress=progress))
    end = time.perf_counter()
    assert result.run.status == "geslaagd", (item["path"], result.run.message)
    assert result.run.counts["new"] == item["plans"], (item["path"], result.run.counts)
    stages["read"] += marks[20] - marks[5]
    stages["map_validate"] += marks[85] - marks[20]
    stages["store"] += end - marks[85]
    counts = result.run.counts
    checks.append({"source": item["source"], "profile": result.run.profile, "warnings": counts["warnings"],
                   "exact": all(counts[k] == item[k] for k in ("homes", "hard", "soft", "unknown")),
                   **{k: counts[k] for k in ("homes", "hard", "soft", "unknown")}})
print(json.dumps({"stages": stages, "checks": checks}))
"""
# The cheapest way to get each format's rows and geometries into Python: no reprojection, no unpacking of the
# zip to disk (GDAL reads it in place), openpyxl in read-only mode, the csv module.
READ_FLOOR = """
import csv, json, sys
import openpyxl, pyogrio.raw
rows = 0
for item in json.loads(open(sys.argv[1]).read()):
    if item["format"] == "xlsx":
        book = openpyxl.load_workbook(item["path"], read_only=True, data_only=True)
        n = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
        book.close()
    elif item["format"] == "csv":
        with open(item["path"], newline="", encoding="utf-8") as f:
            n = len(list(csv.reader(f, delimiter=";"))) - 1
    else:
        _meta, _fids, wkb, fields = pyogrio.raw.read(item["path"])
        n = len(wkb)
    assert n == item["plans"], (item["path"], n)
    rows += n
print(rows)
"""


def fresh_database(var: Path) -> dict:
    """The environment of a process using a new, empty SQLite database (made by `bouwregie init`)."""
    env = {**os.environ, "BOUWREGIE_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "bouwregie", "init"], env=env, check=True, capture_output=True)
    return env


def import_with_cli(lists: list[dict], env: dict) -> tuple[float, int]:
    """Each list through `bouwregie import FILE --source …` in its own process: seconds summed, largest peak."""
    seconds, peak = 0.0, 0
    for item in lists:
        command = [sys.executable, "-m", "bouwregie", "import", item["path"], "--source", item["source"]]
        s, mb, _output = run_measured(command, env)
        seconds, peak = seconds + s, max(peak, mb)
    return seconds, peak


def measure_once(lists_file: Path, lists: list[dict], work: Path, i: int) -> dict:
    env = fresh_database(work / f"var-{i}")
    ours_s, ours_mb, output = run_measured([sys.executable, "-c", OURS, str(lists_file)], env)
    detail = json.loads(output.strip().splitlines()[-1])
    storage_s_total, storage_mb, storage_out = run_measured(
        [sys.executable, "-c", STORAGE_FLOOR, str(work / f"var-{i}/bouwregie.sqlite3"), str(work / f"storage-{i}.db")]
    )
    read_s, read_mb, _ = run_measured([sys.executable, "-c", READ_FLOOR, str(lists_file)])
    django_s, django_mb = timed(DJANGO_START, env=env)
    cli_s, cli_mb = import_with_cli(lists, fresh_database(work / f"var-cli-{i}"))
    return {
        "ours": (ours_s, ours_mb), "ours_cli": (cli_s, cli_mb), "read": (read_s, read_mb),
        "storage": (float(storage_out.strip()), storage_mb), "django_start": (django_s, django_mb),
        "stages": detail["stages"], "checks": detail["checks"],
    }  # fmt: skip


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
    import django

    django.setup()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        lists = make_lists(work / "lists", PLANS)
        lists_file = work / "lists.json"
        lists_file.write_text(json.dumps(lists))
        runs = [measure_once(lists_file, lists, work, i) for i in range(REPEAT)]
    write_results(lists, runs)


def write_results(lists: list[dict], runs: list[dict]) -> None:
    kinds = ("ours", "ours_cli", "read", "storage", "django_start")
    summary = {k: {"median_seconds": round(statistics.median(r[k][0] for r in runs), 2),
                   "peak_mb": max(r[k][1] for r in runs), "runs": [round(r[k][0], 2) for r in runs]}
               for k in kinds}  # fmt: skip
    med = {k: summary[k]["median_seconds"] for k in kinds}
    floor = round(med["read"] + med["storage"], 2)
    with_start = round(floor + med["django_start"], 2)
    stages = {k: round(statistics.median(r["stages"][k] for r in runs), 2) for k in runs[0]["stages"]}
    checks = runs[0]["checks"]
    plans, homes = sum(i["plans"] for i in lists), sum(i["homes"] for i in lists)
    record = {
        "benchmark": "twelve provincial IPO lists imported in one run (issue #15)",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": "sqlite", "plans": plans, "homes": homes, "repeat": REPEAT, **summary,
        "floor_seconds": floor, "floor_with_django_start_seconds": with_start,
        "ours_to_floor": round(med["ours"] / floor, 2), "ours_cli_to_floor": round(med["ours_cli"] / floor, 2),
        "ours_to_floor_with_django_start": round(med["ours"] / with_start, 2),
        "ours_stages_seconds": stages, "lists": [{k: v for k, v in i.items() if k != "path"} for i in lists],
        "checks": checks, "target": {"ours_to_floor": TARGET},
    }  # fmt: skip
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/ipo.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    verdict = "ok" if record["ours_to_floor"] <= TARGET else "NOT met"
    lines = [
        "# Twelve provincial IPO lists imported in one run (issue #15)", "",
        f"{record['when']} — {record['machine']} — SQLite — {plans:,} plans, {homes:,} homes in 12 lists "
        f"(bench/ipo_lists.py, seeded), median of {REPEAT} runs each, same run, each in a fresh process.", "",
        "Command: `make bench` (this part: `.venv/bin/python bench/bench_ipo.py`; BENCH_REPEAT, BENCH_IPO_PLANS).", "",
        "| list | format | plans | homes | hard | soft | unknown | profile | warnings | totals exact |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
        *(f"| {i['source']} | {i['format']} | {i['plans']} | {i['homes']} | {i['hard']} | {i['soft']} | "
          f"{i['unknown']} | {c['profile']} | {c['warnings']} | {_exact(c)} |"
          for i, c in zip(lists, checks, strict=True)), "",
        "| what | median s | peak MB | runs s |", "| --- | ---: | ---: | --- |",
        *(f"| {k} | {summary[k]['median_seconds']} | {summary[k]['peak_mb']} | {summary[k]['runs']} |"
          for k in kinds), "",
        "- ours: one process, `run_import` for each of the twelve files (own `--source` each) into a fresh "
        "database; ours_cli: `bouwregie import FILE --source …` per file, twelve processes, seconds summed, "
        "peak of the largest.",
        "- read: the twelve files read by the cheapest reader of each format in one process (pyogrio.raw.read "
        "from the zip, openpyxl read-only, csv.reader); storage: bench_import's storage floor, the rows ours "
        "wrote inserted again with plain sqlite3 executemany into an empty copy of the tables (insert time only).",
        "",
        f"**Floor = read + storage = {med['read']} + {med['storage']} = {floor} s. ours / floor = "
        f"{record['ours_to_floor']} (target ≤ {TARGET}: {verdict})**; ours_cli / floor = "
        f"{record['ours_cli_to_floor']}. With Django's start ({med['django_start']} s) in the floor too: "
        f"{with_start} s, ours / that = {record['ours_to_floor_with_django_start']}.", "",
        "Where our time goes (median, summed over the twelve imports, in the import's own process): "
        + ", ".join(f"{k.replace('_', ' ')} {v} s" for k, v in stages.items()) + ".", "",
    ]  # fmt: skip
    (ROOT / "bench/results/ipo.md").write_text("\n".join(lines))
    print("\n".join(lines))


def _exact(check: dict) -> str:
    if check["exact"]:
        return "yes"
    return "NO, stored: " + ", ".join(f"{k} {check[k]}" for k in ("homes", "hard", "soft", "unknown"))


if __name__ == "__main__":
    main()
