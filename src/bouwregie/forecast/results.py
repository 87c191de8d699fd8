"""Reading the runs: quantiles, expected values, the chance to meet a target and the expected shortfall.
Plain functions over arrays of run totals (one number per run)."""

import numpy as np

from bouwregie.monitor.snapshot import SEGMENTS
from bouwregie.projects.enums import AFFORDABLE_SEGMENTS

# The series a forecast reports: every segment, plus betaalbaar (Woontop 2024, Afspraak 1) and the total.
SERIES = {
    "totaal": [True] * len(SEGMENTS),
    "betaalbaar": [s in AFFORDABLE_SEGMENTS for s in SEGMENTS],
    **{s: [t == s for t in SEGMENTS] for s in SEGMENTS},
}
QUANTILES = {"p10": 10, "p50": 50, "p90": 90}


def spread(values: np.ndarray) -> dict:
    """P10 / P50 / P90 and the mean of per-run values, in whole homes (the mean to one decimal)."""
    q = np.percentile(values, list(QUANTILES.values()), method="linear")
    return {**{k: int(round(v)) for k, v in zip(QUANTILES, q, strict=True)}, "mean": round(float(values.mean()), 1)}


def chance_and_shortfall(values: np.ndarray, target: float) -> dict:
    """P(values ≥ target) and E[max(0, target − values)] over the runs."""
    return {
        "target": target,
        "probability": round(float((values >= target).mean()), 4),
        "expected_shortfall": round(float(np.maximum(target - values, 0).mean()), 1),
    }


def series(draws: np.ndarray, name: str) -> np.ndarray:
    """(runs, parts, buckets, segments) → (runs, parts, buckets) for one reported series."""
    return draws[..., np.array(SERIES[name])].sum(axis=-1, dtype=np.int64)


CSV_HEADER = ["gebied", "peiling", "scenario", "reeks", "jaar", "soort", "p10", "p50", "p90", "gemiddelde"]


def csv_rows(result: dict):
    """A forecast as long-format rows (CLI --format csv and the web page's download alike)."""
    yield CSV_HEADER
    cases = [("basis", result["series"])]
    if result["scenarios"]:
        cases.append((",".join(result["scenarios"]), result["scenario"]["series"]))
    parts = {"basis": result["parts"]}
    if result["scenarios"]:
        parts[cases[1][0]] = result["scenario"]["parts"]
    for case, series in cases:
        for name, s in series.items():
            for kind, label in (("years", "per_jaar"), ("cumulative", "cumulatief")):
                for year, v in s[kind].items():
                    yield [result["area"]["code"], result["peiling"], case, name, year, label,
                           v["p10"], v["p50"], v["p90"], v["mean"]]  # fmt: skip
        for part in parts[case]:  # the area's parts (provinces, municipalities): total per year
            for year, v in part["years"].items():
                yield [part["code"], result["peiling"], case, "totaal", year, "per_jaar",
                       v["p10"], v["p50"], v["p90"], v["mean"]]  # fmt: skip
