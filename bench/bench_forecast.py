"""Benchmark (issue #6): the national forecast on the default demo dataset, 10,000 runs, horizon 2035.

Measured in one process, side by side:
- the forecast as users call it (api.forecast: model, simulation, summaries): the first ever from this
  peiling (reads the history, calibrates, stores the calibration), cold (as in a new process: reads the
  peiling, the stored calibration) and warm (median of 3);
- the kernel alone (engine.simulate);
- the floor: drawing the same random variates with numpy alone (one normal and one uniform per
  project-run, float32, into reused buffers, in the block size that draws fastest; median of 3);
- the peer: a straightforward per-project, per-run Python loop (random.lognormvariate) over a subset of
  projects and runs, scaled to the full size.
Peak memory is the process's maximum resident set. Targets: forecast < 5 s, < 1.5 GB, within 2x the floor.
Writes bench/results/forecast.{json,md}. BENCH_VAR_DIR reuses an existing demo database.
"""

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
RUNS = 10_000

MEASURE = r"""
import json, os, random, resource, statistics, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
import django; django.setup()
import numpy as np
from bouwregie.forecast import api, calibration as cal, engine, model, scenarios
from bouwregie.geo.areas import resolve_area
from bouwregie.monitor import snapshot as snap
from bouwregie.projects.models import Peiling
RUNS, PEILING = int(sys.argv[1]), "2026-Q3"

def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t

from bouwregie.forecast import history as hist
from bouwregie.forecast.models import StoredCalibration
StoredCalibration.objects.all().delete()
first = timed(lambda: api.forecast("NL", PEILING, runs=RUNS, horizon=2035))  # calibrates and stores
# As in a new process: the snapshot and the projects' dates read again, the calibration from the database.
snap._cached.cache_clear(); cal._cached.cache_clear(); api._current_cached.cache_clear()
cold = timed(lambda: api.forecast("NL", PEILING, runs=RUNS, horizon=2035))
warm = [timed(lambda: api.forecast("NL", PEILING, runs=RUNS, horizon=2035)) for _ in range(3)]
s, area = snap.load(PEILING), resolve_area("NL")
rows = model.to_forecast(s, area)
prepared = model.prepare(s, hist.current(PEILING, s.version_ids[rows], s.project_ids[rows]), cal.calibrate(PEILING),
                         area, model.parts_of(s, area), scenarios.effects(()), 2035,
                         Peiling.objects.get(code=PEILING).reference_date.toordinal())
inputs = prepared.inputs
n = len(inputs.mu)
kernel = [timed(lambda: engine.simulate(inputs, RUNS, 1)) for _ in range(3)]

def draw(block):
    g = np.random.default_rng(1)
    rows = max(1, block // n)
    z = np.empty((rows, n), np.float32); u = np.empty((rows, n), np.float32)
    g.normal(0.0, 0.1, RUNS)  # the runs' common pace
    for start in range(0, RUNS, rows):
        r = min(rows, RUNS - start)
        g.standard_normal(dtype=np.float32, out=z[:r]); g.random(dtype=np.float32, out=u[:r])
floors = {block: statistics.median(timed(lambda: draw(block)) for _ in range(3)) for block in (262_144, 4_000_000)}

# The peer: what a straightforward implementation does, one project and one run at a time.
SUB_PROJECTS, SUB_RUNS = 400, 1000
rng = np.random.default_rng(0)
pick = rng.choice(n, SUB_PROJECTS, replace=False)
mu, sigma, p = inputs.mu[pick].tolist(), inputs.sigma[pick].tolist(), inputs.p_drop[pick].tolist()
homes = inputs.homes[pick].tolist()
def peer():
    random.seed(1)
    totals = [[[0] * 6 for _ in range(inputs.years + 2)] for _ in range(SUB_RUNS)]
    for r in range(SUB_RUNS):
        pace = random.gauss(0, inputs.common_log_sd)
        for i in range(SUB_PROJECTS):
            if random.random() < p[i]:
                bucket = inputs.years + 1
            else:
                t = random.lognormvariate(mu[i] + pace, sigma[i])
                bucket = min(int(inputs.year_fraction + t), inputs.years)
            row = totals[r][bucket]
            for k in range(6):
                row[k] += homes[i][k]
    return totals
peer_s = timed(peer) * (n / SUB_PROJECTS) * (RUNS / SUB_RUNS)
print(json.dumps({
    "projects_simulated": n, "runs": RUNS, "first_s": round(first, 2), "cold_s": round(cold, 2),
    "warm_s": [round(w, 2) for w in warm],
    "warm_median_s": round(statistics.median(warm), 2), "kernel_median_s": round(statistics.median(kernel), 2),
    "floor_s": {str(k): round(v, 2) for k, v in floors.items()}, "peer_scaled_s": round(peer_s, 1),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
}))
"""


def measure(env) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(RUNS)], env=env, check=True, capture_output=True,
                          text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    with demo_environment(PROJECTS) as env:
        r = measure(env)
    floor = min(r["floor_s"].values())
    r["floor_best_s"] = floor
    r["forecast_to_floor"] = round(r["warm_median_s"] / floor, 2)
    r["kernel_to_floor"] = round(r["kernel_median_s"] / floor, 2)
    r["peer_to_forecast"] = round(r["peer_scaled_s"] / r["warm_median_s"], 1)
    record = {"benchmark": "national forecast, 10,000 runs, horizon 2035 (issue #6)",
              "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
              "projects": PROJECTS, "targets": {"seconds": 5, "peak_mb": 1536, "to_floor": 2.0}, **r}  # fmt: skip
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/forecast.json").write_text(json.dumps(record, indent=2) + "\n")
    lines = ["# Forecast: NL, 10,000 runs, horizon 2035 (issue #6)", "",
             f"{record['when']} — {record['machine']} — demo {PROJECTS} projects ({r['projects_simulated']} still to "
             "deliver), peiling 2026-Q3, SQLite, one process, same run.", "",
             "| measure | seconds |", "| --- | ---: |",
             f"| forecast warm (median of 3: model + simulation + summaries) | {r['warm_median_s']} |",
             f"| forecast cold (new process: + reading the peiling, stored calibration) | {r['cold_s']} |",
             f"| first forecast from this peiling ever (+ reading the history, calibrating, storing it) "
             f"| {r['first_s']} |",
             f"| kernel alone (median of 3) | {r['kernel_median_s']} |",
             f"| floor: the same variates with numpy alone (best block size) | {floor} |",
             f"| peer: per-project Python loop, scaled from 400 projects × 1,000 runs | {r['peer_scaled_s']} |", "",
             f"Ratios: forecast / floor **{r['forecast_to_floor']}**, kernel / floor {r['kernel_to_floor']}, "
             f"peer / forecast {r['peer_to_forecast']}. Peak memory {r['peak_rss_mb']} MB (whole process).", "",
             "Targets: forecast < 5 s, < 1.5 GB, within 2x the floor. Floor per block size (project-runs): "
             + ", ".join(f"{k}: {v} s" for k, v in r["floor_s"].items()) + ".", ""]  # fmt: skip
    (ROOT / "bench/results/forecast.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
