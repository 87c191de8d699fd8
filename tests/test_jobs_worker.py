"""Jobs run in separate worker processes on django-tasks-db's queue (issue #22; jobs/runner.py), through
the real entry points: `bouwregie serve`, the REST API, `bouwregie worker`, `bouwregie jobs`. Each test has
its own SQLite file, or its own PostgreSQL database when the suite runs on PostgreSQL."""

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .test_cli_end_to_end import bouwregie, create_database, drop_database, free_port


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One small demo database for the module (its own SQLite file, or PostgreSQL database): each test queues
    its own jobs and looks only at those."""
    env = {**os.environ, "BOUWREGIE_VAR_DIR": str(tmp_path_factory.mktemp("jobs"))}
    url = create_database("jobs") if os.environ.get("DATABASE_URL", "").startswith("postgres") else None
    if url:
        env["DATABASE_URL"] = url
    bouwregie(env, "init")
    bouwregie(env, "demo", "--projects", "300", "--seed", "3")
    yield env
    if url:
        drop_database(url)


SUBMIT = """
import django, json, sys
django.setup()
from bouwregie.jobs import runner
for params in json.loads(sys.argv[2]):
    print(runner.submit(sys.argv[1], "test", params).pk)
"""


def submit(env, handler, params_list) -> list[int]:
    out = subprocess.run([sys.executable, "-c", SUBMIT, handler, json.dumps(params_list)], env=env,
                         capture_output=True, text=True, check=True, timeout=120)  # fmt: skip
    return [int(line) for line in out.stdout.split()]


def show(env, job_id) -> dict:
    return json.loads(bouwregie(env, "jobs", "show", str(job_id)).stdout)


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def serve(env, port):
    server = subprocess.Popen([sys.executable, "-m", "bouwregie", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--no-worker"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    assert wait_for(lambda: _answers(port), 90), "server did not answer"
    return server


def _answers(port) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/peilingen", timeout=2)
        return True
    except OSError:
        return False


def api(port, path, key, body=None):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", method="POST" if body else "GET",
                                     data=json.dumps(body).encode() if body else None, headers=headers)  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_a_job_submitted_to_the_web_server_survives_its_restart_and_completes_in_the_worker(demo):
    environment = demo
    key = bouwregie(environment, "token", "create", "--user", "demo", "--name", "test").stdout.strip()
    port = free_port()
    server = serve(environment, port)
    try:
        status, job = api(port, "/forecasts", key, {"area": "GM0344", "runs": 200})
        assert status == 202 and job["status"] == "wachtrij"
    finally:
        server.terminate()
        server.wait(timeout=10)
    # The web server is gone; the queued job is not. A worker takes it and everything it queued.
    worker = bouwregie(environment, "worker", "--batch", "--no-startup-delay")
    assert worker.returncode == 0
    server = serve(environment, port)  # the restarted server shows the outcome
    try:
        status, done = api(port, f"/jobs/{job['id']}", key)
        assert done["status"] == "klaar" and done["done"] and done["forecast_id"]
        status, forecast = api(port, f"/forecasts/{done['forecast_id']}", key)
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_killed_worker_leaves_an_interrupted_job_that_can_be_retried(demo, tmp_path):
    env = {**demo, "BOUWREGIE_JOB_STALE_SECONDS": "2", "BOUWREGIE_JOB_HEARTBEAT_SECONDS": "0.5"}
    started, release = tmp_path / "started", tmp_path / "release"
    (job_id,) = submit(env, "tests.jobs_handlers.slow", [{"started": str(started), "release": str(release)}])
    worker = subprocess.Popen([sys.executable, "-m", "bouwregie", "worker", "--no-startup-delay",
                               "--interval", "0.2"], env=env)  # fmt: skip
    try:
        assert wait_for(started.exists), "the worker did not start the job"
        assert show(env, job_id)["status"] == "bezig"
        os.kill(worker.pid, signal.SIGKILL)  # the machine goes down mid-job
        worker.wait(timeout=10)
        assert wait_for(lambda: show(env, job_id)["status"] == "onderbroken", 60)
        state = show(env, job_id)
        assert state["retryable"] and state["done"] and "niets opgeslagen" in state["label"]
        again = bouwregie(env, "jobs", "retry", str(job_id)).stdout
        new_id = int(again.split("als taak #")[1].rstrip(".\n"))
        release.write_text("")
        assert bouwregie(env, "worker", "--batch", "--no-startup-delay").returncode == 0
        assert show(env, new_id)["status"] == "klaar" and show(env, new_id)["retry_of"] == job_id
        assert show(env, job_id)["status"] == "mislukt"  # recorded as interrupted, never revived
        refused = bouwregie(env, "jobs", "retry", str(new_id), check=False)
        assert refused.returncode == 1 and "onderbroken of mislukte" in refused.stderr
    finally:
        if worker.poll() is None:
            worker.kill()


def test_two_workers_never_take_the_same_job(demo, tmp_path):
    environment = demo
    log = tmp_path / "runs.log"
    ids = submit(environment, "tests.jobs_handlers.record",
                 [{"log": str(log), "key": n, "sleep": 0.05} for n in range(24)])  # fmt: skip
    workers = [subprocess.Popen([sys.executable, "-m", "bouwregie", "worker", "--batch", "--no-startup-delay",
                                 "--interval", "0"], env=environment) for _ in range(2)]  # fmt: skip
    for w in workers:
        assert w.wait(timeout=240) == 0
    lines = log.read_text().split()
    keys, pids = lines[0::2], lines[1::2]
    assert sorted(keys, key=int) == [str(n) for n in range(24)]  # every job ran, each exactly once
    assert len(set(pids)) == 2, "both workers took jobs"
    listing = bouwregie(environment, "jobs", "list", "--limit", "1000").stdout.splitlines()
    status = {int(line.split()[0].lstrip("#")): line.split()[1] for line in listing}
    assert all(status[i] == "klaar" for i in ids)


@pytest.mark.parametrize("stop", ["terminate", "kill"])
def test_serve_starts_a_worker_beside_the_server_and_stops_it_with_the_server(demo, tmp_path, stop):
    """`make demo` runs `bouwregie serve`: its queued jobs must run without a second command. The worker stops
    with the server, also when the server is killed outright (SIGKILL: no chance to stop its children) — it then
    notices it was re-parented (`--stop-with-parent`) instead of polling the queue forever."""
    environment = demo
    log = tmp_path / "runs.log"
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bouwregie", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)  # fmt: skip
    try:
        assert wait_for(lambda: _answers(port), 90)
        (job_id,) = submit(environment, "tests.jobs_handlers.record", [{"log": str(log), "key": 1}])
        assert wait_for(lambda: show(environment, job_id)["status"] == "klaar", 180)
        worker_pid = int(log.read_text().split()[1])
        # The worker yields the cores to the server's pages (issue #22): niced to BOUWREGIE_WORKER_NICE (10).
        assert os.getpriority(os.PRIO_PROCESS, worker_pid) == max(10, os.nice(0))
        assert os.getpriority(os.PRIO_PROCESS, server.pid) == os.nice(0)
    finally:
        getattr(server, stop)()
        server.wait(timeout=10)
    assert wait_for(lambda: not running(worker_pid), 15), "the worker outlived the server"


def running(pid: int) -> bool:
    """Whether `pid` still runs. A worker that stopped after its server is an orphan, reaped by PID 1; a PID 1
    that reaps late (a container's init) leaves it a zombie a while: stopped, though /proc still lists it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_a_worker_runs_niced_and_takes_one_job_at_a_time(demo, tmp_path):
    """Issue #22: 10 forecasts submitted at once must not take the web server's cores. A worker runs its jobs one
    after the other (never two at once) at a lower CPU priority: --nice, else BOUWREGIE_WORKER_NICE, else 10."""
    base = os.nice(0)  # the test's own niceness: a worker can raise it, never lower it
    for key, extra, expected in [("standaard", [], max(10, base)), ("optie", ["--nice", "15"], max(15, base)),
                                 ("omgeving", [], max(3, base))]:  # fmt: skip
        env = {**demo, "BOUWREGIE_WORKER_NICE": "3"} if key == "omgeving" else demo
        log = tmp_path / f"{key}.log"
        submit(env, "tests.jobs_handlers.timed", [{"log": str(log), "key": n, "sleep": 0.1} for n in range(5)])
        worker = bouwregie(env, "worker", "--batch", "--no-startup-delay", "--interval", "0", *extra)
        assert worker.returncode == 0
        runs = sorted(
            (float(start), float(end), int(pid), int(nice))
            for _key, pid, nice, start, end in (line.split() for line in log.read_text().splitlines())
        )
        assert len(runs) == 5 and len({pid for _s, _e, pid, _n in runs}) == 1
        assert {nice for _s, _e, _p, nice in runs} == {expected}, key
        assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(runs)), "two jobs ran at once"
