"""Job handlers for tests/test_jobs_worker.py, importable by the worker processes the tests start (their
working directory is the repository, so `tests` is on their path)."""

import os
import time
from pathlib import Path


def record(params, progress):
    """Append one line "<job key> <pid>" to the log file (O_APPEND: whole lines, any number of processes)."""
    progress(50, "schrijven")
    time.sleep(params.get("sleep", 0))
    with open(params["log"], "a", encoding="utf-8") as log:
        log.write(f"{params['key']} {os.getpid()}\n")
    return {"pid": os.getpid()}


def slow(params, progress):
    """Report, then wait until the file `params['release']` exists (or a minute has passed)."""
    progress(10, "wachten")
    Path(params["started"]).write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while not Path(params["release"]).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return {"pid": os.getpid()}


def timed(params, progress):
    """Append one line "<job key> <pid> <niceness> <start> <end>" (monotonic clock, shared by the processes of
    one machine) after sleeping `params['sleep']`: whether jobs overlapped, and at which CPU priority they ran."""
    start = time.monotonic()
    time.sleep(params.get("sleep", 0))
    end = time.monotonic()
    with open(params["log"], "a", encoding="utf-8") as log:
        log.write(f"{params['key']} {os.getpid()} {os.nice(0)} {start} {end}\n")
    return {"pid": os.getpid()}
