"""Benchmark (issue #5): the web application under load, as deployed: PostgreSQL, `bouwregie serve` with
2 gunicorn workers, the default demo dataset, and wrk on loopback for a bounded time per scenario.

Targets: dashboard NL and province pages p50 < 300 ms; GET /api/v1/projects with a municipality filter
>= 200 requests/s with p99 < 200 ms. Side by side in the same run, the floor of the same stack: a static
file through whitenoise and the smallest API answer (/api/v1/peilingen), so the ratios show what our
pages cost beyond serving anything at all. Writes bench/results/web.{json,md}.
"""

import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pgtemp import create_database, drop_database  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "25000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
# The twenty largest municipalities and a few small ones: the filter is asked for each in turn.
MUNICIPALITIES = ["GM0363", "GM0599", "GM0518", "GM0344", "GM0772", "GM0014", "GM0034", "GM0855", "GM0758",
                  "GM0268", "GM0193", "GM0153", "GM0200", "GM0479", "GM0307", "GM0392", "GM0546", "GM0796",
                  "GM0080", "GM1900", "GM0050", "GM0277", "GM0106", "GM0088"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(url: str, connections: int, script: Path | None = None) -> dict:
    """One bounded wrk run: requests/s, p50 and p99 in ms, and any non-2xx answers or socket errors."""
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{SECONDS}s", "--latency", "--timeout", "10s"]
    out = subprocess.run([*command, *(["-s", str(script)] if script else []), url], check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)$", out, re.MULTILINE)
    return {
        "connections": connections,
        "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1),
        "p50_ms": round(_seconds(percentiles["50"]) * 1000, 1),
        "p99_ms": round(_seconds(percentiles["99"]) * 1000, 1),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "failed": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }


def _script(folder: Path, key: str | None, paths: list[str]) -> Path:
    """A wrk script that asks the given paths in turn, with the API key when given."""
    quoted = ", ".join(f'"{p}"' for p in paths)
    header = f'wrk.headers["Authorization"] = "Bearer {key}"\n' if key else ""
    body = f"{header}paths = {{{quoted}}}\ni = 0\nrequest = function()\n  i = i + 1\n" \
           f"  return wrk.format(nil, paths[(i % #paths) + 1])\nend\n"  # fmt: skip
    path = folder / f"paths-{len(paths)}-{bool(key)}.lua"
    path.write_text(body)
    return path


def _command(*args, env) -> str:
    return subprocess.run([sys.executable, "-m", "bouwregie", *args], env=env, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def main():
    if shutil.which("wrk") is None:
        sys.exit("wrk ontbreekt: installeer het Debian-pakket wrk (make bench doet dat).")
    url = create_database("benchweb")
    try:
        with tempfile.TemporaryDirectory() as var:
            env = {**os.environ, "BOUWREGIE_VAR_DIR": var, "DATABASE_URL": url}
            _command("init", env=env)
            started = time.perf_counter()
            _command("demo", "--projects", str(PROJECTS), env=env)
            print(f"demo {PROJECTS} projecten geladen in {time.perf_counter() - started:.0f} s", flush=True)
            key = _command("token", "create", "--user", "demo", "--name", "bench", env=env).strip().splitlines()[-1]
            results = serve_and_measure(env, Path(var), key)
    finally:
        drop_database(url)
    report(results)


def serve_and_measure(env: dict, var: Path, key: str) -> dict:
    base = f"http://127.0.0.1:{_free_port()}"
    command = [sys.executable, "-m", "bouwregie", "serve", "--bind", base[7:], "--workers", "2"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)  # fmt: skip
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/inloggen", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        api_paths = [f"/api/v1/projects?area={code}" for code in MUNICIPALITIES]
        api_script = _script(var, key, api_paths)
        floor_script = _script(var, key, ["/api/v1/peilingen"])
        for path in ["/", "/gebied/PV27", "/gebied/PV26", "/api/v1/peilingen", *api_paths]:  # warm both workers
            for _ in range(8):
                request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {key}"})
                urllib.request.urlopen(request, timeout=30).read()
        css = json.loads((var / "static" / "staticfiles.json").read_text())["paths"]["web/bouwregie.css"]
        return {
            "static_file": wrk(f"{base}/static/{css}", 2),
            "dashboard_nl": wrk(f"{base}/", 2),
            "dashboard_province": wrk(f"{base}/gebied/PV27", 2),
            "api_floor_peilingen": wrk(base, 4, floor_script),
            "api_projects_municipality": wrk(base, 4, api_script),
        }
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def report(results: dict) -> None:
    floor, api = results["api_floor_peilingen"], results["api_projects_municipality"]
    static = results["static_file"]
    ratios = {
        "api_rps_to_api_floor": round(api["rps"] / floor["rps"], 2),
        "dashboard_nl_p50_to_static_p50": round(results["dashboard_nl"]["p50_ms"] / max(static["p50_ms"], 0.1), 1),
    }
    record = {"benchmark": "web under load (issue #5)", "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
              "projects": PROJECTS, "seconds_per_scenario": SECONDS, "database": "postgresql", "workers": 2,
              "targets": {"dashboard_p50_ms": 300, "api_rps": 200, "api_p99_ms": 200},
              "results": results, "ratios": ratios}  # fmt: skip
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/web.json").write_text(json.dumps(record, indent=2) + "\n")
    names = {"static_file": "static file (whitenoise) — floor", "dashboard_nl": "dashboard Nederland",
             "dashboard_province": "dashboard provincie Noord-Holland",
             "api_floor_peilingen": "GET /api/v1/peilingen — API floor",
             "api_projects_municipality": "GET /api/v1/projects?area=<gemeente> (24 gemeenten in turn)"}  # fmt: skip
    lines = ["# Web under load (issue #5)", "",
             f"{record['when']} — {record['machine']} — PostgreSQL, `bouwregie serve` with 2 gunicorn workers, "
             f"demo {PROJECTS} projects; wrk on loopback (same machine), {SECONDS} s per scenario, same run.", "",
             "| scenario | connections | requests/s | p50 ms | p99 ms | non-2xx |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for key, r in results.items():
        lines.append(
            f"| {names[key]} | {r['connections']} | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} | {r['failed']} |"
        )
    lines += ["", f"Ratios: API projects / API floor requests/s = {ratios['api_rps_to_api_floor']}; "
                  f"dashboard NL p50 / static p50 = {ratios['dashboard_nl_p50_to_static_p50']}.", "",
              "Targets: dashboard NL and province p50 < 300 ms; API projects with a municipality filter >= 200 "
              "requests/s with p99 < 200 ms. wrk shares the 2 cores with the server.", ""]  # fmt: skip
    (ROOT / "bench/results/web.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
