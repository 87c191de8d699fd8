"""Benchmark (issue #18): linking 1,000,000 BAG verblijfsobjecten to 25,000 project polygons
(registraties.linking.link) beside the floor, in the same run: a bare shapely 2 STRtree query of the same points
against the same polygons (`STRtree(polygons).query(points, predicate="within")`, one bulk call). Target: link()
within 2× of the floor. Writes bench/results/baglink.{json,md}.

Synthetic, reproducible (seed 18): project centres drawn inside their municipalities as the demo draws them
(demo.generator; municipalities weighted by the provincial agreements), each plan area an irregular 12-gon of
~50 homes per hectare for a lognormal number of homes (the demo's own project geometries are points below 500
homes, so too few polygons); half the verblijfsobjecten inside a plan area (new build), half around the project
centres (the existing stock); ~8 verblijfsobjecten per pand; 10% of the projects name explicit BAG ids (3
verblijfsobjecten and a pand each). The floor gets the polygons as shapely geometries and the points as lon/lat
arrays; link() gets the polygons as stored GeoJSON dicts, the ids, the panden, and does all the work: parsing the
GeoJSON, explicit ids, points, the query, choosing the smallest polygon, the basis of each link. Both start from
the same arrays; each timing is the median of RUNS runs.

BENCH_QUICK=1 (or --quick): 100,000 objects and 2,500 polygons, 3 runs: a smoke test of the script, not a figure.
"""

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from shapely.geometry import mapping  # noqa: E402

from bouwregie.demo.generator import _allocate_municipalities, _points_in  # noqa: E402
from bouwregie.formatting import number  # noqa: E402
from bouwregie.registraties.linking import Objects, ProjectArea, link  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUICK = "--quick" in sys.argv or os.environ.get("BENCH_QUICK") == "1"
OBJECTS = 100_000 if QUICK else int(os.environ.get("BENCH_OBJECTS", "1000000"))
POLYGONS = 2_500 if QUICK else int(os.environ.get("BENCH_POLYGONS", "25000"))
RUNS = 3 if QUICK else max(3, int(os.environ.get("BENCH_RUNS", "5")))
TARGET = 2.0


def synthetic(seed: int = 18):
    rng = np.random.default_rng(seed)
    codes, _city, index = _allocate_municipalities(rng, POLYGONS)
    cx, cy = _points_in(rng, codes, index)
    homes = np.clip(rng.lognormal(np.log(60), 1.0, POLYGONS), 5, 3000)
    radius_m = np.sqrt(homes / 50 * 10_000 / np.pi)  # ~50 homes per hectare
    angles = np.sort(rng.uniform(0, 2 * np.pi, (POLYGONS, 12)), axis=1)
    reach = radius_m[:, None] * rng.uniform(0.7, 1.15, (POLYGONS, 12))
    xs = cx[:, None] + reach * np.cos(angles) / (111_320 * np.cos(np.radians(cy[:, None])))
    ys = cy[:, None] + reach * np.sin(angles) / 110_540
    rings = np.stack([xs, ys], axis=2).round(6)
    polygons = shapely.make_valid(shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1)))
    inside = OBJECTS // 2
    plan = rng.integers(0, POLYGONS, inside)
    u = np.sqrt(rng.random(inside)) * 0.9
    a = rng.uniform(0, 2 * np.pi, inside)
    lon_in = cx[plan] + u * radius_m[plan] * np.cos(a) / (111_320 * np.cos(np.radians(cy[plan])))
    lat_in = cy[plan] + u * radius_m[plan] * np.sin(a) / 110_540
    near = rng.integers(0, POLYGONS, OBJECTS - inside)
    lon_out = cx[near] + rng.normal(0, 0.02, OBJECTS - inside)
    lat_out = cy[near] + rng.normal(0, 0.012, OBJECTS - inside)
    lon, lat = np.concatenate([lon_in, lon_out]), np.concatenate([lat_in, lat_out])
    municipality = np.array([int(c[2:]) for c in codes])[np.concatenate([index[plan], index[near]])]
    identificatie = municipality * 10**12 + 1 * 10**10 + np.arange(OBJECTS)  # gggg 01 nnnnnnnnnn
    pand_of = np.arange(OBJECTS) // 8
    pand_ids = municipality * 10**12 + 10 * 10**10 + pand_of
    objects = Objects(identificatie.astype(np.int64), lon, lat, pand_ids.astype(np.int64),
                      np.arange(OBJECTS + 1, dtype=np.int64))  # fmt: skip
    geojson = [mapping(p) for p in polygons]
    explicit = rng.random(POLYGONS) < 0.10
    projects = []
    for j in range(POLYGONS):
        ids = ()
        if explicit[j]:
            picks = rng.integers(0, OBJECTS, 4)
            ids = tuple(f"{identificatie[k]:016d}" for k in picks[:3]) + (f"{pand_ids[picks[3]]:016d}",)
        projects.append(ProjectArea(j + 1, ids, geojson[j]))
    return objects, projects, polygons


def timed(function) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    objects, projects, polygons = synthetic()

    def floor():
        points = shapely.points(objects.lon, objects.lat)
        return shapely.STRtree(polygons).query(points, predicate="within")

    points = shapely.points(objects.lon, objects.lat)

    def query_only():  # the strictest floor: the points already built, nothing but the tree and the query
        return shapely.STRtree(polygons).query(points, predicate="within")

    floor_s, pairs = timed(floor)
    query_s, _pairs = timed(query_only)
    ours_s, links = timed(lambda: link(objects, projects))
    basis = np.bincount(links.basis_code, minlength=4)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "python": platform.python_version(), "shapely": shapely.__version__, "quick": QUICK, "objects": OBJECTS,
        "polygons": POLYGONS, "runs": RUNS, "floor_s": round(floor_s, 3), "link_s": round(ours_s, 3),
        "ratio": round(ours_s / floor_s, 2), "query_only_s": round(query_s, 3),
        "ratio_query_only": round(ours_s / query_s, 2), "floor_pairs": int(pairs.shape[1]), "links": len(links),
        "by_id": int(basis[0]), "by_id_ambiguous": int(basis[1]), "by_geometry": int(basis[2]),
        "by_geometry_ambiguous": int(basis[3]),
        "objects_per_s": round(OBJECTS / ours_s),
    }  # fmt: skip
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    name, tail = ("baglink", "") if not QUICK else ("baglink-quick", ".tmp")  # a smoke test leaves no result behind
    (out / f"{name}.json{tail}").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    r, n = result, number  # Dutch thousands: 1.000.000
    verdict = "ok" if r["ratio"] <= TARGET else "NIET gehaald"
    quick = " (QUICK: smoke test)" if QUICK else ""
    floor_row = '`shapely.points` + `STRtree(polygons).query(points, predicate="within")`'
    query_row = "the same query with the points already built (not the target's floor)"
    link_row = "`registraties.linking.link()` (GeoJSON, explicit ids, panden, smallest polygon, basis)"
    table = f"""# Linking BAG objects to project polygons (issue #18)

{r["date"]} — {r["machine"]}, Python {r["python"]}, shapely {r["shapely"]} — {n(r["objects"])} verblijfsobjecten,
{n(r["polygons"])} project polygons, median of {r["runs"]} runs, floor and link() in the same run{quick}.

| what | median s | link() ÷ this |
| --- | ---: | ---: |
| floor: {floor_row} | {r["floor_s"]:.3f} | {r["ratio"]:.2f} |
| stricter: {query_row} | {r["query_only_s"]:.3f} | {r["ratio_query_only"]:.2f} |
| {link_row} | {r["link_s"]:.3f} | 1.00 |

Target: link() ≤ {TARGET:.0f}× the floor (both start from the lon/lat arrays): **{verdict}**.
{n(r["objects_per_s"])} objects/s.

Links: {n(r["links"])} — by id {n(r["by_id"])} (+ {n(r["by_id_ambiguous"])} named by several projects), by geometry
{n(r["by_geometry"])} (+ {n(r["by_geometry_ambiguous"])} within several plans, the smallest chosen);
the floor found {n(r["floor_pairs"])} point-polygon pairs (a point in two overlapping plans is one pair per plan; the
floor counts no boundary points and ignores ids). Synthetic data, seed 18: see the docstring of
bench/bench_baglink.py.
"""
    (out / f"{name}.md{tail}").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
