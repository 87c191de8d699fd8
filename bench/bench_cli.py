"""Benchmark (issue #22): start-up of the `bouwregie` command line.

"`bouwregie --help` and `--help` of every subcommand under 0.5 s", measured beside `python -c pass` (the
interpreter's own start-up, the floor) and beside the same help through Django's set-up (`django-admin X
--help`, what every help cost before). Each case runs BENCH_REPEAT times (default 7), the cases taking turns
so that a busy moment on the shared machine hits them all alike; the median wall time and the median CPU time
(user + system of the child, steadier when the machine is loaded) are reported, with the ratio to
`python -c pass`. Writes bench/results/cli.{json,md}.
"""

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from bouwregie.cli import opdrachten  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
TARGET = 0.5
BOUWREGIE = [sys.executable, "-m", "bouwregie"]


def cases() -> dict[str, list[str]]:
    found = {"python -c pass": [sys.executable, "-c", "pass"], "bouwregie --help": [*BOUWREGIE, "--help"]}
    found["bouwregie --lang en --help"] = [*BOUWREGIE, "--lang", "en", "--help"]
    for name in sorted(opdrachten()):
        found[f"bouwregie {name} --help"] = [*BOUWREGIE, name, "--help"]
    found["django-admin import --help (Django set up)"] = [sys.executable, "-m", "django", "import", "--help"]
    return found


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "bouwregie.settings"}
    runs = {name: {"wall": [], "cpu": []} for name in cases()}
    for _ in range(REPEAT):
        for name, command in cases().items():
            wall, cpu = timed(command, env)
            runs[name]["wall"].append(round(wall, 3))
            runs[name]["cpu"].append(round(cpu, 3))
    floor = statistics.median(runs["python -c pass"]["wall"])
    rows = {
        name: {
            "median_wall_s": round(statistics.median(r["wall"]), 3),
            "median_cpu_s": round(statistics.median(r["cpu"]), 3),
            "ratio_to_python": round(statistics.median(r["wall"]) / floor, 1),
            **r,
        }
        for name, r in runs.items()
    }
    record = {
        "benchmark": "CLI start-up (issue #22)",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.1f}",
        "repeat": REPEAT,
        "target_s": TARGET,
        "cases": rows,
    }
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/cli.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    write_markdown(record)


def write_markdown(record: dict) -> None:
    """The wall time is the target; the CPU time says what it comes to on an idle machine (a help is one
    process on one core: wall ≈ CPU when nothing else runs), so a loaded machine's MISSED can be read."""
    lines = [
        "# CLI start-up (issue #22)",
        "",
        f"{record['when']} — {record['machine']} — {record['repeat']} runs per case, the cases taking turns.",
        "",
        "| command | median wall s | median CPU s | × python -c pass | wall < 0.5 s | CPU < 0.5 s |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for name, r in record["cases"].items():
        ours = name.startswith("bouwregie")
        wall = ("ok" if r["median_wall_s"] < TARGET else "MISSED") if ours else ""
        cpu = ("ok" if r["median_cpu_s"] < TARGET else "MISSED") if ours else ""
        lines.append(
            f"| `{name}` | {r['median_wall_s']} | {r['median_cpu_s']} | {r['ratio_to_python']} | {wall} | {cpu} |"
        )
    lines += [
        "",
        "Every help, `worker --help` included, is answered without Django's set-up. The last row is the help",
        "through Django's set-up, as every help was before.",
        "On a loaded machine (the load is in the header) the wall time is the CPU time stretched by the queue for",
        "the cores; the CPU column is what a help costs.",
        "",
    ]
    (ROOT / "bench/results/cli.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
