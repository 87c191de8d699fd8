"""Benchmark (issues #5, #19): the web application under load, as deployed: PostgreSQL, `bouwregie serve`
(gunicorn's gthread worker: 2 processes × 8 threads, docs/decisions/0007-gthread-web-server.md), the default
demo dataset, and wrk on loopback for a bounded time per scenario.

Every main page is asked by 10 concurrent clients (a signed-in session, keep-alive connections as browsers
keep them), p50/p95/p99 beside the floor of the same stack in the same run: a static file through whitenoise.
Target (issue #19): no main page slower than 1 s at p95. The API as before (issue #5): GET /api/v1/projects
with a municipality filter >= 200 requests/s with p99 < 200 ms, beside the smallest API answer
(/api/v1/peilingen). Signing in (one PBKDF2 password check) is timed on its own. Writes bench/results/web.{json,md}.

Issue #22: every page is also asked while forecasts run in the background worker that `bouwregie serve` starts:
before each page, forecasts are submitted at once (POST /api/v1/forecasts) until JOBS_IN_FLIGHT are queued or
running. Target: page p95 within 20% of the same page without jobs. One window of a few seconds is too noisy to
show a 20% bound on a shared 2-core machine (pages came out as often faster with jobs as slower), so the two are
measured interleaved in ROUNDS rounds — all pages without jobs (none queued or running: the previous round's are
waited for), then all pages with them — and compared by the median p95 over the rounds.

`--quick` (or BENCH_QUICK=1): 2,000 projects, 3 s per scenario, one round — a smoke test of the benchmark itself,
not a measurement. BENCH_PROJECTS, BENCH_SECONDS and BENCH_ROUNDS set each. BENCH_WEB_DATABASE names a PostgreSQL
database that already holds the demo (`bouwregie init` + `bouwregie demo`), to measure without loading it again;
it is kept.
"""

import http.cookiejar
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pgtemp import create_database, drop_database  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUICK = "--quick" in sys.argv or os.environ.get("BENCH_QUICK") == "1"
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "2000" if QUICK else "25000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "3" if QUICK else "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if QUICK else "3"))  # pages without, then with jobs, per round
DRAIN_SECONDS = 900  # at most this long waiting for a round's forecasts to finish before the next round
CLIENTS = 10
WORKERS, THREADS = 2, 8
TARGET_P95_MS = 1000
JOBS_IN_FLIGHT = 10  # forecasts queued or running while a page is measured (issue #22)
JOBS_TOLERANCE = 0.20  # page p95 with jobs at most 20% above without
# The twenty largest municipalities and a few small ones: the filter is asked for each in turn.
MUNICIPALITIES = ["GM0363", "GM0599", "GM0518", "GM0344", "GM0772", "GM0014", "GM0034", "GM0855", "GM0758",
                  "GM0268", "GM0193", "GM0153", "GM0200", "GM0479", "GM0307", "GM0392", "GM0546", "GM0796",
                  "GM0080", "GM1900", "GM0050", "GM0277", "GM0106", "GM0088"]  # fmt: skip
# The main pages, as a user reaches them from the menu (and the project list's heaviest questions).
PAGES = {
    "/": "dashboard Nederland",
    "/gebied/PV27": "dashboard provincie Noord-Holland",
    "/gebied/GM0344": "dashboard gemeente Utrecht",
    "/kaart": "kaart",
    "/projecten": "projecten (actief, op code)",
    "/projecten?status=alle&sorteer=-oplevering": "projecten (alle statussen, op geplande oplevering)",
    "/projecten?zoek=DEMO-000010&status=alle": "projecten: zoeken op projectcode",
    "/projecten?vertraagd=ja": "projecten: vertraagd sinds de vorige peiling",
    "/projecten/DEMO-000010": "projectpagina met tijdlijn",
    "/peilingen": "peilingen",
    "/vertragingen": "vertragingen (Nederland)",
    "/alternatieven?gebied=GM0344&jaar=2029&tekort=500": "alternatieven (Utrecht 2029)",
    "/prognose": "prognose (formulier)",
    "/instrumenten/realisatiestimulans": "realisatiestimulans",
    "/instrumenten/gemeente/GM0344": "instrumenten gemeente Utrecht",
    "/woondeals": "woondeals",
    "/planlijsten": "planlijsten",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# wrk's --latency shows p50/p75/p90/p99; this prints the percentiles we report, in microseconds, on one line.
DONE = """done = function(summary, latency, requests)
  io.write(string.format("PERCENTILES %d %d %d\\n", latency:percentile(50), latency:percentile(95),
                         latency:percentile(99)))
end
"""


def wrk(url: str, connections: int, script: Path, headers: tuple[str, ...] = ()) -> dict:
    """One bounded wrk run: requests/s, p50/p95/p99 in ms, and any non-2xx answers or socket errors."""
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{SECONDS}s", "--timeout", "10s", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    p50, p95, p99 = (int(v) / 1000 for v in re.search(r"PERCENTILES (\d+) (\d+) (\d+)", out).groups())
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)$", out, re.MULTILINE)
    return {
        "connections": connections,
        "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1),
        "p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "p99_ms": round(p99, 1),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "failed": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }  # fmt: skip


def _script(folder: Path, name: str, paths: list[str], key: str | None = None) -> Path:
    """A wrk script that asks the given paths in turn (with the API key when given), and reports percentiles."""
    quoted = ", ".join(f'"{p}"' for p in paths)
    header = f'wrk.headers["Authorization"] = "Bearer {key}"\n' if key else ""
    body = f"{header}paths = {{{quoted}}}\ni = 0\nrequest = function()\n  i = i + 1\n" \
           f"  return wrk.format(nil, paths[(i % #paths) + 1])\nend\n{DONE}"  # fmt: skip
    path = folder / f"{name}.lua"
    path.write_text(body)
    return path


def _command(*args, env) -> str:
    return subprocess.run([sys.executable, "-m", "bouwregie", *args], env=env, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def main():
    if shutil.which("wrk") is None:
        sys.exit("wrk ontbreekt: installeer het Debian-pakket wrk (make bench doet dat).")
    given = os.environ.get("BENCH_WEB_DATABASE")  # a database that already holds the demo: kept, not loaded again
    url = given or create_database("benchweb")
    try:
        with tempfile.TemporaryDirectory() as var:
            env = {**os.environ, "BOUWREGIE_VAR_DIR": var, "DATABASE_URL": url}
            env.pop("BOUWREGIE_WEB_WORKERS", None)
            env.pop("BOUWREGIE_WEB_THREADS", None)
            _command("init", env=env)
            if not given:
                started = time.perf_counter()
                _command("demo", "--projects", str(PROJECTS), env=env)
                print(f"demo {PROJECTS} projecten geladen in {time.perf_counter() - started:.0f} s", flush=True)
            key = _command("token", "create", "--user", "demo", "--name", "bench", env=env).strip().splitlines()[-1]
            results = serve_and_measure(env, Path(var), key)
    finally:
        if not given:
            drop_database(url)
    report(results)


def sign_in(base: str) -> tuple[str, float]:
    """The session cookie of the demo user, and how long the sign-in POST took (one password check)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/inloggen").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "demo", "password": "bouwregie-demo"})
    started = time.perf_counter()
    opener.open(urllib.request.Request(base + "/inloggen", data=form.encode(), headers={"Referer": base + "/"}))
    took = time.perf_counter() - started
    session = next(c.value for c in jar if c.name == "sessionid")
    return session, took


def _api(opener, base: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    return json.loads(opener.open(request, timeout=60).read())


def in_flight(opener, base: str, jobs: list[int]) -> list[int]:
    """The jobs not yet done (queued or running)."""
    return [j for j in jobs if not _api(opener, base, f"/api/v1/jobs/{j}")["done"]]


def top_up_forecasts(opener, base: str, jobs: list[int], seed: int) -> tuple[list[int], int]:
    """Submit forecasts (the national one, default runs, each its own seed) at once until JOBS_IN_FLIGHT are
    queued or running: (those in flight, how many were submitted now)."""
    pending = in_flight(opener, base, jobs)
    missing = JOBS_IN_FLIGHT - len(pending)
    for i in range(missing):
        pending.append(_api(opener, base, "/api/v1/forecasts", {"area": "NL", "seed": seed + i})["id"])
    return pending, missing


def drain(opener, base: str, jobs: list[int]) -> float:
    """Wait until `jobs` have all finished (the next round's "without jobs" must have none): seconds waited."""
    started = time.perf_counter()
    while in_flight(opener, base, jobs):
        if time.perf_counter() - started > DRAIN_SECONDS:
            sys.exit(f"forecasts still running after {DRAIN_SECONDS} s: the worker does not keep up; not measured.")
        time.sleep(2)
    return round(time.perf_counter() - started, 1)


def median_run(runs: list[dict]) -> dict:
    """The run whose p95 is the median of `runs` (for an even count the lower middle one), with every run's p95
    beside it: its other columns are then one real measurement's, not a mix."""
    ordered = sorted(runs, key=lambda r: r["p95_ms"])
    return {**ordered[(len(ordered) - 1) // 2], "p95_ms_per_round": [r["p95_ms"] for r in runs]}


def serve_and_measure(env: dict, var: Path, key: str) -> dict:
    base = f"http://127.0.0.1:{_free_port()}"
    command = [sys.executable, "-m", "bouwregie", "serve", "--bind", base[7:], "--workers", str(WORKERS),
               "--threads", str(THREADS)]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)  # fmt: skip
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/inloggen", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        logins = [sign_in(base) for _ in range(5)]
        cookie = f"Cookie: sessionid={logins[-1][0]}"
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", f"sessionid={logins[-1][0]}"), ("Authorization", f"Bearer {key}")]
        api_paths = [f"/api/v1/projects?area={code}" for code in MUNICIPALITIES]
        for path in [*PAGES, "/api/v1/peilingen", *api_paths]:  # warm every worker once per page
            for _ in range(2 * WORKERS):
                opener.open(base + path, timeout=120).read()
        css = json.loads((var / "static" / "staticfiles.json").read_text())["paths"]["web/bouwregie.css"]
        load_before = os.getloadavg()[0]
        results = {"static_file": wrk(base, CLIENTS, _script(var, "static", [f"/static/{css}"]))}
        results["api_floor_peilingen"] = wrk(base, 4, _script(var, "api-floor", ["/api/v1/peilingen"], key))
        results["api_projects_municipality"] = wrk(base, 4, _script(var, "api-projects", api_paths, key))
        results["load_average"] = {"before": round(load_before, 1), "after": round(os.getloadavg()[0], 1)}
        jobs_api = urllib.request.build_opener()  # the key alone: a POST with the session would need a CSRF token
        jobs_api.addheaders = [("Authorization", f"Bearer {key}")]
        # Issue #22: per round, every page without jobs (none queued or running), then every page while
        # JOBS_IN_FLIGHT forecasts are queued or running; the next round waits until those have finished.
        results["rounds"], seed, results["drained_s"] = [], 0, []
        for r in range(ROUNDS):
            without, with_jobs, jobs = {}, {}, []
            for i, path in enumerate(PAGES):
                without[path] = wrk(base, CLIENTS, _script(var, f"page-{i}", [path]), (cookie,))
                print(f"round {r + 1} {path}: p95 {without[path]['p95_ms']} ms", flush=True)
            for i, path in enumerate(PAGES):
                jobs, submitted = top_up_forecasts(jobs_api, base, jobs, seed)
                seed += submitted
                measured = wrk(base, CLIENTS, _script(var, f"jobs-page-{i}", [path]), (cookie,))
                after = in_flight(jobs_api, base, jobs)
                measured["jobs"] = {"submitted_before": submitted, "in_flight_before": len(jobs),
                                    "in_flight_after": len(after),
                                    "finished_during": len(jobs) - len(after)}  # fmt: skip
                with_jobs[path] = measured
                print(f"round {r + 1} {path} with forecasts: p95 {measured['p95_ms']} ms ({measured['jobs']})",
                      flush=True)  # fmt: skip
            results["rounds"].append({"without_jobs": without, "with_jobs": with_jobs})
            results["drained_s"].append(drain(jobs_api, base, jobs))
        results["forecasts_submitted"] = seed
        results["load_average"]["after_jobs"] = round(os.getloadavg()[0], 1)
        for name in ("without_jobs", "with_jobs"):  # the round whose p95 is the median, per page
            results[name] = {path: median_run([r[name][path] for r in results["rounds"]]) for path in PAGES}
        results["login"] = {"median_ms": round(statistics.median(t for _s, t in logins) * 1000, 1),
                            "max_ms": round(max(t for _s, t in logins) * 1000, 1), "samples": len(logins)}  # fmt: skip
        return results
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def report(results: dict) -> None:
    floor, api = results["api_floor_peilingen"], results["api_projects_municipality"]
    static = results["static_file"]
    pages = results["without_jobs"]
    slowest = max(pages, key=lambda p: pages[p]["p95_ms"])
    ratios = {
        "api_rps_to_api_floor": round(api["rps"] / floor["rps"], 2),
        "slowest_page_p95_to_static_p95": round(pages[slowest]["p95_ms"] / max(static["p95_ms"], 0.1), 1),
    }
    record = {"benchmark": "web under load (issues #5, #19)", "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
              "projects": PROJECTS, "seconds_per_scenario": SECONDS, "rounds": ROUNDS, "database": "postgresql",
              "quick": QUICK,
              "server": f"bouwregie serve: gunicorn gthread, {WORKERS} workers x {THREADS} threads",
              "clients": CLIENTS, "targets": {"page_p95_ms": TARGET_P95_MS, "api_rps": 200, "api_p99_ms": 200,
                          "jobs_in_flight": JOBS_IN_FLIGHT, "page_p95_with_jobs_ratio": 1 + JOBS_TOLERANCE},
              "results": results, "ratios": ratios, "slowest_page": slowest}  # fmt: skip
    (ROOT / "bench/results").mkdir(exist_ok=True)
    # A quick smoke run must not replace the recorded measurement: it writes *.tmp files (ignored by git).
    stem = ROOT / "bench/results" / ("web-quick" if QUICK else "web")
    suffix = ".tmp" if QUICK else ""
    Path(f"{stem}.json{suffix}").write_text(json.dumps(record, indent=2) + "\n")
    lines = ["# Web under load (issues #5, #19)", "",
             f"{record['when']} — {record['machine']} — PostgreSQL, `bouwregie serve` (gunicorn gthread, {WORKERS} "
             f"workers × {THREADS} threads), demo {PROJECTS} projects; wrk on loopback (same machine, sharing the "
             f"cores), {SECONDS} s per scenario, all in the same run{' — QUICK SMOKE RUN, not a measurement' if QUICK else ''}.",  # noqa: E501
             "", f"## Main pages, {CLIENTS} concurrent clients (signed in, keep-alive)", "",
             f"Each page in {ROUNDS} rounds, interleaved: per round every page without jobs (none queued or running), "
             f"then every page while {JOBS_IN_FLIGHT} forecasts were queued or running in the background worker "
             "(issue #22; jobs: submitted just before / finished during that round's measurement). Each side shows "
             "the round whose p95 is the median of its rounds; the p95 of every round is listed beside it; the "
             "ratio compares the two medians.", "",
             "| page | requests/s | p50 ms | p95 ms | p99 ms | p95 per round | p95 / static p95 | non-2xx | p95 < 1 s "
             "| p50 ms with forecasts | p95 ms with forecasts | p95 per round with forecasts | p95 ratio | jobs "
             "| within 20% |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- "
             "| ---: | ---: | ---: | ---: | ---: | --- |"]  # fmt: skip

    def row(name, r, jobs=None):
        ratio = round(r["p95_ms"] / max(static["p95_ms"], 0.1), 1)
        ok = "yes" if r["p95_ms"] < TARGET_P95_MS and not r["failed"] else "**no**"
        rounds = " / ".join(str(v) for v in r.get("p95_ms_per_round", [])) or "–"
        cells = [name, r["rps"], r["p50_ms"], r["p95_ms"], r["p99_ms"], rounds, ratio, r["failed"], ok]
        if jobs is None:
            cells += ["–"] * 6
        else:
            slower = jobs["p95_ms"] / max(r["p95_ms"], 0.1)
            within = "yes" if slower <= 1 + JOBS_TOLERANCE and not jobs["failed"] else "**no**"
            cells += [jobs["p50_ms"], jobs["p95_ms"], " / ".join(str(v) for v in jobs["p95_ms_per_round"]),
                      round(slower, 2),
                      f"{jobs['jobs']['submitted_before']} / {jobs['jobs']['finished_during']}", within]  # fmt: skip
        return "| " + " | ".join(str(c) for c in cells) + " |"

    lines.append(row("static file (whitenoise) — floor", static).replace("| yes |", "| – |", 1))
    lines += [row(f"{PAGES[path]} `{path}`", r, results["with_jobs"].get(path)) for path, r in pages.items()]
    lines += ["", "## API (issue #5), 4 connections", "",
              "| scenario | requests/s | p50 ms | p95 ms | p99 ms | non-2xx |",
              "| --- | ---: | ---: | ---: | ---: | ---: |",
              *(f"| {name} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['failed']} |"
                for name, r in (("GET /api/v1/peilingen — API floor", floor),
                                ("GET /api/v1/projects?area=<gemeente> (24 gemeenten in turn)", api))),
              "", f"Signing in (POST /inloggen with one PBKDF2-SHA256 check at Django's 1,200,000 iterations, and the "
                  f"dashboard it leads to), one at a time: median "
                  f"{results['login']['median_ms']} ms, max {results['login']['max_ms']} ms over "
                  f"{results['login']['samples']} sign-ins.", "",
              f"Ratios: slowest page ({PAGES[slowest]}) p95 / static p95 = "
              f"{ratios['slowest_page_p95_to_static_p95']}; API projects / API floor requests/s = "
              f"{ratios['api_rps_to_api_floor']}.", "",
              f"Load average of the machine (1 min) when the measurements began: {results['load_average']['before']}, "
              f"when the API was measured: {results['load_average']['after']}, after the pages with "
              f"forecasts: {results['load_average']['after_jobs']} (on {os.cpu_count()} cores; other work on the "
              "machine slows every row, the static floor included). Forecasts submitted in all: "
              f"{results['forecasts_submitted']}; waited for each round's to finish: "
              f"{' / '.join(str(s) for s in results['drained_s'])} s.", "",
              f"Targets: every main page p95 < {TARGET_P95_MS} ms with {CLIENTS} clients, and with {JOBS_IN_FLIGHT} "
              f"forecasts running within {JOBS_TOLERANCE:.0%} of that (issue #22); API projects with a "
              "municipality filter >= 200 requests/s with p99 < 200 ms.", ""]  # fmt: skip
    Path(f"{stem}.md{suffix}").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
