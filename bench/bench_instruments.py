"""Benchmark (issue #7): the realisatiestimulans for all 342 municipalities on the default demo dataset,
both variants (on realisation and on start of construction), every year 2025-2029. Target: under 2 s.
Cold = first call in a fresh process (reads the peiling); warm = median of 5. Side by side, in the same run:
the floor of each — cold: reading the peiling alone (snapshot.load in its own fresh process); warm: the
arithmetic any answer needs, realised homes per municipality and year times € 7.000 with numpy (no segments,
set-off, surcharges or ceilings). Writes bench/results/instruments.{json,md}. BENCH_VAR_DIR reuses an existing
demo database."""

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
import numpy as np
from bouwregie.monitor import snapshot as snap
s = snap.load("2026-Q3")
years = np.arange(2025, 2030) - snap.YEARS[0]
def floor():
    homes = s.realised[:, years]
    return [np.bincount(s.municipality, weights=homes[:, j], minlength=len(s.municipality_codes)) * 700_000
            for j in range(len(years))]
floor_warm = [timed(floor) for _ in range(5)]
print(json.dumps({"cold_s": round(cold, 3), "warm_median_s": round(statistics.median(warm), 3),
                  "floor_warm_median_s": round(statistics.median(floor_warm), 4),
                  "municipalities_paid": len(result["variants"]["realisatie"]["municipalities"]),
                  "paid_eur": {v: r["paid_cents"] // 100 for v, r in result["variants"].items()}}))
"""
FLOOR_COLD = r"""
import json, os, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
import django; django.setup()
from bouwregie.monitor import snapshot as snap
t = time.perf_counter(); snap.load("2026-Q3"); print(json.dumps({"floor_cold_s": round(time.perf_counter() - t, 3)}))
"""


def main():
    with demo_environment(PROJECTS) as env:
        r = {}
        for code in (MEASURE, FLOOR_COLD):
            done = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
            r.update(json.loads(done.stdout.strip().splitlines()[-1]))
    r["cold_to_floor"] = round(r["cold_s"] / r["floor_cold_s"], 2)
    r["warm_to_floor"] = round(r["warm_median_s"] / r["floor_warm_median_s"], 1)
    record = {"benchmark": "realisatiestimulans, 342 municipalities, both variants (issue #7)",
              "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
              "projects": PROJECTS, "target_s": 2.0, **r}  # fmt: skip
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/instruments.json").write_text(json.dumps(record, indent=2) + "\n")
    lines = ["# Realisatiestimulans for every municipality (issue #7)", "",
             f"{record['when']} — {record['machine']} — demo {PROJECTS} projects, peiling 2026-Q3, SQLite.", "",
             "| measure | seconds | floor (same run) | ratio |", "| --- | ---: | ---: | ---: |",
             f"| cold (new process: reads the peiling) | {r['cold_s']} | {r['floor_cold_s']} (reading the peiling "
             f"alone) | {r['cold_to_floor']} |",
             f"| warm (median of 5) | {r['warm_median_s']} | {r['floor_warm_median_s']} (numpy: homes × € 7.000 per "
             f"municipality and year) | {r['warm_to_floor']} |", "",
             f"Both variants, 2025-2029, {r['municipalities_paid']} municipalities with a contribution; paid in all: "
             + ", ".join(f"{v} € {n:,}".replace(",", ".") for v, n in r["paid_eur"].items()) + ".",
             "Target: under 2 s.", ""]  # fmt: skip
    (ROOT / "bench/results/instruments.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
