"""Benchmark (issue #7): the realisatiestimulans for all 342 municipalities on the default demo dataset,
both variants (on realisation and on start of construction), every year 2025-2029. Target: under 2 s.
Cold = first call in a fresh process (reads the peiling); warm = median of 5. Writes
bench/results/instruments.{json,md}. BENCH_VAR_DIR reuses an existing demo database."""

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from demo_database import demo_environment  # noqa: E402

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "25000"))

MEASURE = r"""
import json, os, statistics, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
import django; django.setup()
from bouwregie.instruments import api
def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t
result = {}
cold = timed(lambda: result.update(api.realisatiestimulans("2026-Q3")))
warm = [timed(lambda: api.realisatiestimulans("2026-Q3")) for _ in range(5)]
print(json.dumps({"cold_s": round(cold, 3), "warm_median_s": round(statistics.median(warm), 3),
                  "municipalities_paid": len(result["variants"]["realisatie"]["municipalities"]),
                  "paid_eur": {v: r["paid_cents"] // 100 for v, r in result["variants"].items()}}))
"""


def main():
    with demo_environment(PROJECTS) as env:
        done = subprocess.run([sys.executable, "-c", MEASURE], env=env, check=True, capture_output=True, text=True)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    record = {"benchmark": "realisatiestimulans, 342 municipalities, both variants (issue #7)",
              "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
              "projects": PROJECTS, "target_s": 2.0, **r}  # fmt: skip
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/instruments.json").write_text(json.dumps(record, indent=2) + "\n")
    lines = ["# Realisatiestimulans for every municipality (issue #7)", "",
             f"{record['when']} — {record['machine']} — demo {PROJECTS} projects, peiling 2026-Q3, SQLite.", "",
             "| measure | seconds |", "| --- | ---: |",
             f"| cold (new process: reads the peiling) | {r['cold_s']} |",
             f"| warm (median of 5) | {r['warm_median_s']} |", "",
             f"Both variants, 2025-2029, {r['municipalities_paid']} municipalities with a contribution; paid in all: "
             + ", ".join(f"{v} € {n:,}".replace(",", ".") for v, n in r["paid_eur"].items()) + ".",
             "Target: under 2 s.", ""]  # fmt: skip
    (ROOT / "bench/results/instruments.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
