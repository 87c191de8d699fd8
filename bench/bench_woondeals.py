"""Benchmark (issue #17): the progress page of every woondeal region (/woondeals/<code>/voortgang, the 35
fictitious demo regions) beside the NL dashboard (/) in the same run, on the default demo dataset, SQLite and
PostgreSQL. Target: woondeal pages p50 < 300 ms. Writes bench/results/woondeals.{json,md}.

Requests go through Django's full stack in one process (test Client: middleware, view, template), without
a network server, so the figures are the pages' own cost (bench_web.py measures the server under load).
Cold = first request in a fresh process for the latest closed peiling (reads the snapshot); first visit =
each woondeal's first request once the snapshot is read (its figures computed, then cached: a closed
peiling never changes); warm = later requests."""

import os

from _common import load_demo, machine, now, on_both_databases, run_script, write_results

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "25000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))

MEASURE = """
import json, os, statistics, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
import django; django.setup()
import numpy as np
from django.test import Client
from bouwregie.woondeals.models import Woondeal
runs = int(sys.argv[1])
client = Client(HTTP_HOST="127.0.0.1")
def timed(path):
    t = time.perf_counter(); r = client.get(path); ms = (time.perf_counter() - t) * 1000
    assert r.status_code == 200, (path, r.status_code)
    return ms
def p(values, q):
    return round(float(np.percentile(values, q)), 1)
codes = list(Woondeal.objects.order_by("code").values_list("code", flat=True))
kinds = {"voortgang": [f"/woondeals/{c}/voortgang" for c in codes],
         "dashboard": [f"/gebied/woondeal-{c.lower()}" for c in codes]}
out = {"woondeals": len(codes)}
cold = timed(kinds["voortgang"][0])  # reads the snapshot
for kind, pages in kinds.items():
    first = [timed(x) for x in (pages[1:] if kind == "voortgang" else pages)]
    warm = [timed(x) for _ in range(runs) for x in pages]
    out[kind] = {"first_visit_p50_ms": p(first, 50), "first_visit_p95_ms": p(first, 95),
                 "warm_p50_ms": p(warm, 50), "warm_p95_ms": p(warm, 95)}
cold_nl = timed("/")
nl = [timed("/") for _ in range(runs * 7)]
out.update(cold_first_page_ms=round(cold, 1), nl_first_ms=round(cold_nl, 1), nl_p50_ms=p(nl, 50), nl_p95_ms=p(nl, 95))
print(json.dumps(out))
"""


def measure(env) -> dict:
    load_demo(env, PROJECTS)
    result = run_script(env, MEASURE, RUNS)
    for kind in ("voortgang", "dashboard"):
        r = result[kind]
        r["warm_to_nl"] = round(r["warm_p50_ms"] / result["nl_p50_ms"], 2)
        r["first_visit_to_nl"] = round(r["first_visit_p50_ms"] / result["nl_p50_ms"], 2)
    return result


def main():
    results = on_both_databases(measure, "benchwd")
    record = {"benchmark": "woondeal progress pages beside the NL dashboard (issue #17)",
              "when": now(),
              "machine": machine(),
              "projects": PROJECTS, "runs": RUNS, "targets": {"p50_ms": 300}, **results}  # fmt: skip
    lines = ["# Woondeal pages beside the NL dashboard (issue #17)", "",
             f"{record['when']} — {record['machine']} — demo {PROJECTS} projects, latest closed peiling, "
             f"every demo woondeal ({results['sqlite']['woondeals']}), {RUNS} warm rounds, same run.", "",
             "| backend | page | cold first page ms | first visit p50 / p95 ms | warm p50 / p95 ms "
             "| NL p50 / p95 ms | first visit / NL | warm / NL | target p50 < 300 ms |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]  # fmt: skip
    for backend, r in results.items():
        for kind, page in (("dashboard", "/gebied/woondeal-…"), ("voortgang", "/woondeals/…/voortgang")):
            k = r[kind]
            ok = "ok" if max(k["first_visit_p50_ms"], k["warm_p50_ms"]) < 300 else "NOT MET"
            lines.append(f"| {backend} | {page} | {r['cold_first_page_ms'] if kind == 'voortgang' else '–'} "
                         f"| {k['first_visit_p50_ms']} / {k['first_visit_p95_ms']} | {k['warm_p50_ms']} / "
                         f"{k['warm_p95_ms']} | {r['nl_p50_ms']} / {r['nl_p95_ms']} | {k['first_visit_to_nl']} "
                         f"| {k['warm_to_nl']} | {ok} |")  # fmt: skip
    lines += ["", "Requests through Django's whole stack in one process (test Client). Cold = the first page of the",
              "process (reads the peiling into a snapshot); first visit = each woondeal's first request",
              "(figures computed on the warm snapshot, then cached per closed peiling); warm = repeated requests.",
              ""]  # fmt: skip
    write_results("woondeals", record, lines)


if __name__ == "__main__":
    main()
