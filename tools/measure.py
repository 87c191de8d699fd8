"""Run a command in its own process; return wall seconds, that process's own peak memory and its output."""

import os
import subprocess
import time


def run_measured(command: list[str], env=None) -> tuple[float, int, str]:
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env or os.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    _pid, status, usage = os.wait4(process.pid, 0)  # wait4: this child's own peak RSS, not all children's
    seconds = time.perf_counter() - started
    output = process.stdout.read() + process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{output}")
    return seconds, round(usage.ru_maxrss / 1024), output
