"""A SQLite database with the demo dataset for a benchmark, in a temporary folder (or BENCH_VAR_DIR, to reuse
one that is already there), made with the real commands `bouwregie init` and `bouwregie demo`."""

import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager


@contextmanager
def demo_environment(projects: int):
    """Yields the environment (os.environ plus BOUWREGIE_VAR_DIR) of a process that uses the demo database."""
    reuse = os.environ.get("BENCH_VAR_DIR")
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "BOUWREGIE_VAR_DIR": reuse or var}
        env.pop("DATABASE_URL", None)
        if not reuse:
            command = [sys.executable, "-m", "bouwregie"]
            subprocess.run([*command, "init"], env=env, check=True, capture_output=True)
            subprocess.run([*command, "demo", "--projects", str(projects)], env=env, check=True, capture_output=True)
        yield env
