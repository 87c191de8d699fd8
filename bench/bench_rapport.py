"""Benchmark (issue #20): the quarterly report (content, PDF and workbook) for the largest demo province and for
NL, each in a fresh process (cold: the peiling is read into a snapshot first), time and peak memory. Target: under
10 s each on this 2-core machine. SQLite (the demo's default database). Writes bench/results/rapport.{json,md}.

BENCH_PROJECTS sets the demo's size (default 25,000, the demo's default); BENCH_VAR_DIR names a directory that
already holds such a demo database (bouwregie init + demo), to skip making one.

Cold: a fresh process (imports, the peiling read into a snapshot, the forecast's project dates read). Warm: the
same report again in that process, as a worker that has made one before: closed peilingen are cached."""

import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "25000"))
TARGET_S = 10.0

LARGEST = """
import os; os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
import django; django.setup()
from bouwregie.monitor import api
from bouwregie.web.dashboard import closed_peilingen
peiling = closed_peilingen()[0]
figures = api.national(peiling)
largest = max((c for c in figures if c.startswith("PV")), key=lambda c: figures[c]["pipeline"]["projects"])
print(peiling, largest, figures[largest]["pipeline"]["projects"], figures["NL"]["pipeline"]["projects"])
"""

MEASURE = """
import json, os, resource, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
import django; django.setup()
from bouwregie.rapport import content, pdf, workbook
area, peiling = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
report = content.build(area, peiling, "tafel")
t1 = time.perf_counter()
document = pdf.render(report)
t2 = time.perf_counter()
book = workbook.render(report)
t3 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
w0 = time.perf_counter()
again = content.build(area, peiling, "tafel")
w1 = time.perf_counter()
pdf.render(again)
w2 = time.perf_counter()
print(json.dumps({"content_s": round(t1 - t0, 2), "pdf_s": round(t2 - t1, 2), "xlsx_s": round(t3 - t2, 2),
                  "pdf_total_s": round(t2 - t0, 2), "peak_mb": round(peak),
                  "warm_content_s": round(w1 - w0, 2), "warm_pdf_s": round(w2 - w1, 2),
                  "warm_total_s": round(w2 - w0, 2), "load": round(os.getloadavg()[0], 1),
                  "pdf_kb": len(document) // 1024, "xlsx_kb": len(book) // 1024}))
"""


def main():
    given = os.environ.get("BENCH_VAR_DIR")
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "BOUWREGIE_VAR_DIR": given or var}
        env.pop("DATABASE_URL", None)
        if not given:
            subprocess.run([sys.executable, "-m", "bouwregie", "init"], env=env, check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "bouwregie", "demo", "--projects", str(PROJECTS)], env=env,
                           check=True, capture_output=True)  # fmt: skip
        found = subprocess.run([sys.executable, "-c", LARGEST], env=env, check=True, capture_output=True, text=True)
        peiling, province, province_projects, nl_projects = found.stdout.split()[-4:]
        results = {}
        for area in (province, "NL"):
            done = subprocess.run([sys.executable, "-c", MEASURE, area, peiling], env=env, check=True,
                                  capture_output=True, text=True)  # fmt: skip
            results[area] = json.loads(done.stdout.strip().splitlines()[-1])
    record = {"benchmark": "quarterly report (issue #20)", "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
              "projects": PROJECTS, "peiling": peiling, "largest_province": province,
              "active_projects": {province: int(province_projects), "NL": int(nl_projects)},
              "target_s": TARGET_S, "results": results}  # fmt: skip
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/rapport.json").write_text(json.dumps(record, indent=2) + "\n")
    lines = ["# Quarterly report: content + PDF (+ workbook) per area, cold process (issue #20)", "",
             f"{record['when']} — {record['machine']} — SQLite demo of {PROJECTS} projects, peiling {peiling}, "
             "version for the table (open books included), forecast 500 runs, one run per area.", "",
             "| area | active projects | cold: content s | PDF s | content + PDF s | workbook s | warm: content s "
             "| PDF s | content + PDF s | peak MB | PDF KB | xlsx KB | load avg | target < 10 s (cold / warm) |",
             "| --- " + "| ---: " * 12 + "| --- |"]  # fmt: skip
    for area, r in results.items():
        cold = "ok" if r["pdf_total_s"] < TARGET_S else "not met"
        warm = "ok" if r["warm_total_s"] < TARGET_S else "not met"
        lines.append(f"| {area} | {record['active_projects'][area]} | {r['content_s']} | {r['pdf_s']} | "
                     f"{r['pdf_total_s']} | {r['xlsx_s']} | {r['warm_content_s']} | {r['warm_pdf_s']} "
                     f"| {r['warm_total_s']} | {r['peak_mb']} | {r['pdf_kb']} | {r['xlsx_kb']} | {r['load']} "
                     f"| {cold} / {warm} |")  # fmt: skip
    lines += ["", "Content includes reading the peiling into a snapshot (a fresh process), the delays against the",
              "previous peiling, the alternatives, the forecast (500 runs, seed 2025) and the PPM-use table.",
              "Load avg: the machine's 1-minute load during the run (2 cores; other work was running beside it).",
              ""]  # fmt: skip
    (ROOT / "bench/results/rapport.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
