"""Benchmark (issue #23): the convenant's share per area — NL, the 12 provinces and the 342 municipalities, with
the indicator scores — beside the monitor's national figures for the same areas, in the same run, on the demo
dataset (its fictitious convenant records: one in eight projects), SQLite and PostgreSQL. Both read the same
snapshot of the latest closed peiling, which is loaded once beforehand; the monitor's figures are computed
uncached (monitor.api._national), so the ratio compares like with like. Writes bench/results/seeds23.{json,md}.

`--quick` (or BENCH_PROJECTS / BENCH_RUNS) for a smoke test: 1,000 projects, 2 runs, SQLite only."""

import os
import sys

from _common import load_demo, machine, now, on_both_databases, run_script, write_results

QUICK = "--quick" in sys.argv
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "1000" if QUICK else "25000"))
RUNS = int(os.environ.get("BENCH_RUNS", "2" if QUICK else "7"))

MEASURE = """
import json, os, statistics, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
import django; django.setup()
from bouwregie.convenant import store
from bouwregie.monitor import api, snapshot
from bouwregie.projects.models import Peiling
runs = int(sys.argv[1])
peiling = Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").first().code
t = time.perf_counter(); snapshot.load(peiling); snapshot_ms = (time.perf_counter() - t) * 1000
def timed(f):
    t = time.perf_counter(); out = f(peiling); return (time.perf_counter() - t) * 1000, out
convenant, monitor = [], []
for _ in range(runs):  # alternate, so drift in the machine's load hits both alike
    ms, figures = timed(store.national); convenant.append(ms)
    ms, national = timed(lambda p: api._national(p, 1.3)); monitor.append(ms)
nl = figures["NL"]
print(json.dumps({"peiling": peiling, "areas": len(figures), "snapshot_ms": round(snapshot_ms, 1),
                  "convenant_ms": round(statistics.median(convenant), 1),
                  "monitor_ms": round(statistics.median(monitor), 1),
                  "share_pipeline": nl["pipeline"]["share"], "share_deliveries": nl["deliveries"]["share"],
                  "pipeline_homes": nl["pipeline"]["homes"],
                  "monitor_pipeline_homes": national["NL"]["pipeline"]["homes"]}))
"""


def measure(env) -> dict:
    load_demo(env, PROJECTS)
    result = run_script(env, MEASURE, RUNS)
    assert result["pipeline_homes"] == result["monitor_pipeline_homes"], result  # the same homes, the same snapshot
    result["ratio"] = round(result["convenant_ms"] / result["monitor_ms"], 2)
    return result


def main():
    results = on_both_databases(measure, "bench23", postgresql=not QUICK)
    record = {
        "benchmark": "convenant share per area beside the monitor's national figures (issue #23)",
        "when": now(),
        "machine": machine(),
        "projects": PROJECTS,
        "runs": RUNS,
        "quick": QUICK,
        **results,
    }
    name = "seeds23-quick" if QUICK else "seeds23"
    lines = [
        "# Convenant share per area beside the monitor's national figures (issue #23)",
        "",
        f"{record['when']} — {record['machine']} — demo {PROJECTS} projects, latest closed peiling, "
        f"every area (NL, provinces, municipalities), median of {RUNS} runs, same run.",
        "",
        "| backend | areas | snapshot load ms | monitor national ms (baseline) | convenant national ms "
        "| convenant / monitor | NL share pipeline | NL share deliveries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for backend, r in results.items():
        lines.append(
            f"| {backend} | {r['areas']} | {r['snapshot_ms']} | {r['monitor_ms']} | {r['convenant_ms']} "
            f"| {r['ratio']} | {r['share_pipeline']} | {r['share_deliveries']} |"
        )
    lines += [
        "",
        "The convenant figures read the records in force at the peiling's close (one query), then group the",
        "same snapshot twice (all projects, projects under the convenant) and score the indicators per area.",
        "The demo's convenant records are fictitious (one in eight projects, no indicator values).",
        "",
    ]
    write_results(name, record, lines)


if __name__ == "__main__":
    main()
