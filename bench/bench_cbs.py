"""Benchmark (issue #18): importing a CBS 81955NED table of the full size beside the floor of reading the same
file with csv.reader, in the same run, on SQLite and PostgreSQL. Writes bench/results/cbs.{json,md}.

The file is synthetic but has the real table's shape and size: every region CBS publishes (NL01, 4 landsdelen,
12 provinces, the 342 municipalities of 2025 and every former municipality since 2011 for the years before
its reorganisation) × 2012–2024 × (year, 4 quarters, 12 months) × 2 gebruiksfuncties (Woningen and one other),
region codes padded with spaces, quoted, ';'-separated, some '.' values. Measured per run, median of RUNS:

- floor: csv.reader over the file (decode + split, nothing else);
- read: statline.read_file (decode, parse, check and map every row; no database);
- import: importer.import_file (read + store a new release: ~89,000 Woningen figures in one transaction). Every run
  imports a file differing in one figure, so it is a new release each time (the table grows by one release
  per run, as it does in use).

BENCH_CBS_RUNS (default 3); BENCH_CBS_QUICK=1 (or --quick) uses 2012–2013 only, for a smoke test.
"""

import os
import random
import sys
import tempfile
from pathlib import Path

from _common import ROOT, bouwregie, machine, now, on_both_databases, run_script, write_results

QUICK = os.environ.get("BENCH_CBS_QUICK") == "1" or "--quick" in sys.argv
RUNS = int(os.environ.get("BENCH_CBS_RUNS", "3"))
YEARS = range(2012, 2014) if QUICK else range(2012, 2025)
HEADER = (
    "ID;Gebruiksfunctie;RegioS;Perioden;BeginstandVoorraad_1;Nieuwbouw_2;OverigeToevoeging_3;Sloop_4;"
    "OverigeOnttrekking_5;Correctie_6;SaldoVoorraad_7;EindstandVoorraad_8"
)


def generate(path: Path, seed: int) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from bouwregie.geo import reference

    rng = random.Random(seed)
    regions = [("NL01", 9999), *((f"LD0{i}", 9999) for i in range(1, 5))]
    regions += [(r["provinciecode"], 9999) for r in reference.read_provinces()]
    regions += [(r["gemeentecode"], 9999) for r in reference.read_municipalities()]
    ended = {}
    for r in reference.read_mergers():
        ended[r["voormalige_code"]] = int(r["datum"][:4])
    regions += sorted((code, year) for code, year in ended.items())
    periods = []
    for year in YEARS:
        periods += [(year, f"{year}JJ00"), *((year, f"{year}KW0{q}") for q in range(1, 5))]
        periods += [(year, f"{year}MM{m:02d}") for m in range(1, 13)]
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\r\n")
        for kind in ("A045364", "A045365"):
            for code, until in regions:
                padded = code.ljust(10 if code.startswith("GM") else 6)
                for year, period in periods:
                    if year >= until:
                        continue
                    values = [
                        rng.randint(0, 400000),
                        rng.randint(0, 3000),
                        rng.randint(0, 50),
                        rng.randint(0, 100),
                        rng.randint(0, 30),
                        ".",
                        rng.randint(0, 3000),
                        rng.randint(0, 400000),
                    ]
                    f.write(";".join(f'"{v}"' for v in (n, kind, padded, period, *values)) + "\r\n")
                    n += 1
    return {"rows": n, "regions": len(regions), "periods": len(periods), "bytes": path.stat().st_size}


MEASURE = r"""
import csv, json, os, statistics, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
import django; django.setup()
from pathlib import Path
from bouwregie.cbs import importer, statline
files = [Path(p) for p in sys.argv[1:]]
def floor(path):
    t = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter=";"):
            pass
    return time.perf_counter() - t
def read(path):
    t = time.perf_counter(); reading = statline.read_file(path); s = time.perf_counter() - t
    return s, len(reading.figures)
def imported(path):
    t = time.perf_counter(); result = importer.import_file(path, author="bench"); s = time.perf_counter() - t
    assert result.status == "imported", result.message
    return s
floors, reads, imports = [], [], []
for path in files:
    floors.append(floor(path))
    seconds, figures = read(path)
    reads.append(seconds)
    imports.append(imported(path))
med = statistics.median
print(json.dumps({"figures": figures, "floor_s": round(med(floors), 3), "read_s": round(med(reads), 3),
                  "import_s": round(med(imports), 3), "floors": [round(x, 3) for x in floors],
                  "reads": [round(x, 3) for x in reads], "imports": [round(x, 3) for x in imports]}))
"""


def measure(env, files) -> dict:
    bouwregie(env, "migrate", "--noinput")
    result = run_script(env, MEASURE, *files)
    result["read_to_floor"] = round(result["read_s"] / result["floor_s"], 1)
    result["import_to_floor"] = round(result["import_s"] / result["floor_s"], 1)
    return result


def main():
    with tempfile.TemporaryDirectory() as work:
        files = [Path(work) / f"81955NED_UntypedDataSet_{run + 1:02d}012025_000000.csv" for run in range(RUNS)]
        shape = {}
        for run, path in enumerate(files):
            shape = generate(path, seed=run)  # every run other figures: a new release each time
        results = on_both_databases(lambda env: measure(env, files), "benchcbs")
    record = {
        "benchmark": "CBS 81955NED import beside csv.reader (issue #18)",
        "when": now(),
        "machine": machine(),
        "quick": QUICK,
        "runs": RUNS,
        "years": f"{YEARS[0]}-{YEARS[-1]}",
        **shape,
        **results,
    }
    name = "cbs-quick" if QUICK else "cbs"
    lines = [
        "# CBS 81955NED import beside csv.reader (issue #18)",
        "",
        f"{record['when']} — {record['machine']} — synthetic 81955NED, {record['years']}, "
        f"{shape['regions']} regions × {shape['periods']} periods × 2 gebruiksfuncties = {shape['rows']:,} rows "
        f"({shape['bytes'] / 2**20:.1f} MB); median of {RUNS} runs, same run for every column.",
        "",
        "| backend | figures stored | floor: csv.reader s | read (statline) s | import (read + store) s "
        "| read / floor | import / floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for backend, r in results.items():
        lines.append(
            f"| {backend} | {r['figures']:,} | {r['floor_s']} | {r['read_s']} | {r['import_s']} "
            f"| {r['read_to_floor']}× | {r['import_to_floor']}× |"
        )
    lines += [
        "",
        "Floor = csv.reader over the file, nothing else. Read = statline.read_file: decoding (charset check),",
        "parsing, checking every value and region, mapping former municipalities. Import = read + one",
        "transaction storing the release and its Woningen figures (the other gebruiksfunctie is skipped).",
        "Each run imports another file (other figures), so each is a new release of the same table.",
        "",
    ]
    write_results(name, record, lines)


if __name__ == "__main__":
    main()
