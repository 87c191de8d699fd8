"""Benchmark (issue #18): loading a synthetic LV-BAG extract of 1,000,000 verblijfsobjecten (official format:
a national package `lvbag-extract-nl.zip` holding `9999PND<date>.zip` and `9999VBO<date>.zip`, each a zip of
XML parts of 10,000 voorkomens as Kadaster delivers them; every VBO with 2–3 voorkomens, one pand per two VBOs
with 3 voorkomens), beside the floor in the same run:

- floor: lxml `iterparse` over the same parts (read from the same zips), doing nothing but clearing each
  `sl:stand` element and its predecessors;
- ours: `bag.importer.import_file` — stream parse, derive the woningen, store every voorkomen and woning —
  into a fresh SQLite database, and PostgreSQL (a throwaway database on the local server) unless --no-pg.

Each measurement runs in its own process; peak memory is that process's ru_maxrss (Python, Django, lxml and
all). Targets: ours ≤ 3× the floor, peak < 1 GB. The extract is generated once (not timed) and cached under
/tmp/bouwregie-bench-bag/<size>/. `--size N` for a quick run (e.g. 20000). Writes bench/results/bag.{json,md}.
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "src"))
from pgtemp import create_database, drop_database  # noqa: E402

STAND = "2025-10-01"
PER_PART = 10_000
# Current municipalities (gemeenten_2025.csv), the objects spread over them in identificatie order.
GEMEENTEN = ["0014", "0034", "0080", "0150", "0193", "0200", "0221", "0268", "0307", "0344", "0363", "0402",
             "0439", "0503", "0518", "0546", "0599", "0772", "0855", "0935"]  # fmt: skip

# Peak resident memory of this process: VmHWM (ru_maxrss would include the parent's, inherited over exec).
PEAK = """
def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""

FLOOR = (
    """
import sys, time
from lxml import etree
from bouwregie.bag.lvbag import SL, parts
stand = SL + "stand"
"""
    + PEAK
    + """
t = time.perf_counter(); c = time.process_time(); n = 0
for name, handle in parts(sys.argv[1]):
    for _e, el in etree.iterparse(handle, events=("end",), tag=stand, resolve_entities=False, no_network=True,
                                  huge_tree=True):
        n += 1
        el.clear()
        parent = el.getparent()
        while el.getprevious() is not None:
            del parent[0]
print(time.perf_counter() - t, n, peak_kb(), time.process_time() - c)
"""
)

OURS = (
    """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
import django; django.setup()
from bouwregie.bag import importer
from bouwregie.bag.models import BagVoorkomen, BagWoning
"""
    + PEAK
    + """
t = time.perf_counter(); c = time.process_time()
report = importer.import_file(sys.argv[1], author="bench")
seconds, cpu = time.perf_counter() - t, time.process_time() - c
assert not report.already_loaded
print(seconds, sum(report.voorkomens.values()), peak_kb(), cpu, BagVoorkomen.objects.count(),
      BagWoning.objects.count())
"""
)


def _day(rng: random.Random, low: date, span: int) -> date:
    return low + timedelta(days=rng.randrange(span))


def generate(size: int, directory: Path) -> Path:
    """The national package for `size` VBOs (cached)."""
    from bouwregie.bag import writer
    from bouwregie.bag.lvbag import Voorkomen

    package = directory / "lvbag-extract-nl.zip"
    if package.exists():
        return package
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(18)
    stamp = STAND.replace("-", "")
    stamp = stamp[6:] + stamp[4:6] + stamp[:4]
    per_gemeente = -(-size // len(GEMEENTEN))
    panden, vbos = [], []
    made = 0
    for gm in GEMEENTEN:
        for i in range(min(per_gemeente, size - made)):
            pand_id = f"{gm}10{i // 2:010d}"
            vbo_id = f"{gm}01{i:010d}"
            permit = _day(rng, date(2012, 1, 1), 4000)
            started = permit + timedelta(days=rng.randrange(60, 400))
            done = started + timedelta(days=rng.randrange(200, 700))
            x, y = 120000 + rng.random() * 100000, 420000 + rng.random() * 100000
            if i % 2 == 0:
                panden.append((pand_id, permit, started, done, x, y))
            vbos.append((vbo_id, pand_id, permit, done, x, y, rng.random() < 0.5))
        made += min(per_gemeente, size - made)

    def pand_voorkomens():
        for pand_id, permit, started, done, x, y in panden:
            stages = [("Bouwvergunning verleend", permit, started), ("Bouw gestart", started, done),
                      ("Pand in gebruik", done, None)]  # fmt: skip
            for n, (status, begin, end) in enumerate(stages, 1):
                end = end.isoformat() if end else None
                registered = begin.isoformat() + "T10:00:00.000"
                yield Voorkomen("PND", pand_id, n, status, begin.isoformat(), end, registratie=registered,
                                bouwjaar=done.year), (x, y)  # fmt: skip

    def vbo_voorkomens():
        for vbo_id, pand_id, permit, done, x, y, measured in vbos:
            later = done + timedelta(days=90)
            stages = [("Verblijfsobject gevormd", permit, done),
                      ("Verblijfsobject in gebruik (niet ingemeten)", done, later if measured else None)]  # fmt: skip
            if measured:
                stages.append(("Verblijfsobject in gebruik", later, None))
            for n, (status, begin, end) in enumerate(stages, 1):
                yield Voorkomen("VBO", vbo_id, n, status, begin.isoformat(), end.isoformat() if end else None,
                                registratie=begin.isoformat() + "T10:00:00.000", gebruiksdoelen=("woonfunctie",),
                                oppervlakte=60 + n, pand_ids=(pand_id,), x=x, y=y)  # fmt: skip

    def write_type(kind: str, records) -> Path:
        target = directory / f"9999{kind}{stamp}.zip"
        render = writer.pand if kind == "PND" else writer.verblijfsobject
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            number, chunk = 0, []

            def flush():
                nonlocal number, chunk
                number += 1
                body = "".join(chunk)
                archive.writestr(f"9999{kind}{stamp}-{number:06d}.xml",
                                 writer.header(kind, STAND, (), "NL") + body + writer.FOOTER)  # fmt: skip
                chunk = []

            for record in records:
                v, where = record
                chunk.append(render(v, where) if kind == "PND" else render(v))
                if len(chunk) >= PER_PART:
                    flush()
            if chunk:
                flush()
        return target

    inner = [write_type("PND", pand_voorkomens()), write_type("VBO", ((v, None) for v in vbo_voorkomens()))]
    partial = package.with_suffix(".tmp")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as outer:
        for path in inner:
            outer.write(path, path.name)
            path.unlink()
    partial.rename(package)
    return package


def run(code: str, package: Path, env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", code, str(package)], env=env, check=True, capture_output=True,
                          text=True)  # fmt: skip
    values = done.stdout.strip().splitlines()[-1].split()
    return {
        "seconds": float(values[0]),
        "elements": int(values[1]),
        "peak_mb": int(values[2]) / 1024,
        "cpu": float(values[3]),
        **({"voorkomens_stored": int(values[4]), "woningen_stored": int(values[5])} if len(values) > 4 else {}),
    }


def ours(package: Path, backend: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as var:
        env["BOUWREGIE_VAR_DIR"] = var
        url = create_database("benchbag") if backend == "postgresql" else None
        if url:
            env["DATABASE_URL"] = url
        try:
            subprocess.run([sys.executable, "-m", "bouwregie", "init"], env=env, check=True, capture_output=True)
            return run(OURS, package, env)
        finally:
            if url:
                drop_database(url)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=int(os.environ.get("BENCH_BAG_SIZE", "1000000")))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
    package = generate(args.size, Path("/tmp/bouwregie-bench-bag") / str(args.size))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    backends = ["sqlite"] + ([] if args.no_pg else ["postgresql"])
    floor_runs, our_runs = [], {b: [] for b in backends}
    for _ in range(args.runs):  # interleaved, so machine load falls on both alike
        floor_runs.append(run(FLOOR, package, env))
        for backend in backends:
            our_runs[backend].append(ours(package, backend))
    floor = statistics.median(r["seconds"] for r in floor_runs)
    floor_cpu = statistics.median(r["cpu"] for r in floor_runs)
    record = {"benchmark": "LV-BAG extract load beside lxml iterparse (issue #18)",
              "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
              "verblijfsobjecten": args.size, "package_mb": round(package.stat().st_size / 2**20, 1),
              "runs": args.runs, "targets": {"ratio": 3, "peak_mb": 1024},
              "floor": {"median_s": round(floor, 2), "cpu_s": round(floor_cpu, 2),
                        "elements": floor_runs[0]["elements"],
                        "peak_mb": round(max(r["peak_mb"] for r in floor_runs), 1)},
              "ours": {}}  # fmt: skip
    for backend, results in our_runs.items():
        median = statistics.median(r["seconds"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        record["ours"][backend] = {
            "median_s": round(median, 2), "ratio": round(median / floor, 2), "cpu_s": round(cpu, 2),
            "cpu_ratio": round(cpu / floor_cpu, 2),
            "peak_mb": round(max(r["peak_mb"] for r in results), 1), "voorkomens": results[0]["voorkomens_stored"],
            "woningen": results[0]["woningen_stored"], "runs_s": [round(r["seconds"], 1) for r in results],
        }  # fmt: skip
    out = ROOT / "bench/results"
    out.mkdir(exist_ok=True)
    suffix = "" if args.size == 1_000_000 else f"-{args.size}"
    (out / f"bag{suffix}.json").write_text(json.dumps(record, indent=2) + "\n")
    lines = ["# LV-BAG extract load beside lxml iterparse (issue #18)", "",
             f"{record['when']} — {record['machine']} — synthetic national package of {args.size:,} "
             f"verblijfsobjecten ({record['package_mb']} MB zipped, {floor_runs[0]['elements']:,} voorkomens of "
             f"VBO and PND), median of {args.runs} runs, interleaved in one run.", "",
             "| what | median wall s | × floor | median CPU s (this process) | × floor | peak RSS MB | rows stored "
             "| target (wall) |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
             f"| floor: lxml iterparse, clear only | {floor:.1f} | 1.00 | {floor_cpu:.1f} | 1.00 | "
             f"{record['floor']['peak_mb']:.0f} | – | – |"]  # fmt: skip
    for backend, r in record["ours"].items():
        ok = "ok" if r["ratio"] <= 3 and r["peak_mb"] < 1024 else "NOT MET"
        lines.append(f"| ours: parse + derive + store, {backend} | {r['median_s']:.1f} | {r['ratio']:.2f} | "
                     f"{r['cpu_s']:.1f} | {r['cpu_ratio']:.2f} | {r['peak_mb']:.0f} | "
                     f"{r['voorkomens']:,} voorkomens, {r['woningen']:,} woningen | "
                     f"≤ 3× floor, < 1024 MB: {ok} |")  # fmt: skip
    lines += ["", "Each measurement is a separate process (peak RSS = its VmHWM, interpreter and libraries included); "
              "ours starts from a freshly initialised database each run. CPU = the measuring process only (the "
              "PostgreSQL server's work is not in it; SQLite's is). The machine is shared (2 cores): wall times "
              "carry other people's load, the CPU column less so. Generation of the extract is not timed.",
              ""]  # fmt: skip
    (out / f"bag{suffix}.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
