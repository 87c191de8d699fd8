"""Benchmark (issue 16, fault 14): what refusing an over-limit plan list costs the server.

Two scenarios, each in a fresh process so that its peak memory (ru_maxrss) is its own:

- `upload`: a 200 MB multipart POST to /planlijsten through Django's WSGI handler, the body produced lazily
  by a stream that counts what the server reads. Before: Django reads all 200 MB (the CSRF check touches
  request.POST) and then the form says "de grens is 50 MB". After: 413 on the Content-Length alone.
- `rows`: the dry run of a 300,000-row CSV (19 MB, the provincial layout of tests/planlijsten.py), as the
  preview job runs it in a web worker. Before: every row mapped and checked. After: refused while read
  (BOUWREGIE_IMPORT_MAX_ROWS, default 100,000).

Run against the code on PYTHONPATH (so once for the old code and once for the new):
    PYTHONPATH=src .venv/bin/python bench/bench_limits.py [upload|rows]
Prints one JSON line per scenario. A temporary SQLite database with the reference data is made for `rows`.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_LIMIT_ROWS", "300000"))
UPLOAD_MB = int(os.environ.get("BENCH_UPLOAD_MB", "200"))


class CountingBody:
    """A multipart body of `size` bytes of file content, produced on demand; counts what is read."""

    def __init__(self, boundary: bytes, size: int):
        head = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="source"\r\n\r\nP\r\n--' + boundary
                + b'\r\nContent-Disposition: form-data; name="file"; filename="groot.csv"\r\n'
                b"Content-Type: text/csv\r\n\r\n")  # fmt: skip
        self.head, self.tail, self.size = head, b"\r\n--" + boundary + b"--\r\n", size
        self.length = len(head) + size + len(self.tail)
        self.position = 0

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.length - self.position
        out = bytearray()
        while n > 0 and self.position < self.length:
            p = self.position
            if p < len(self.head):
                chunk = self.head[p : p + n]
            elif p < len(self.head) + self.size:
                chunk = b"1;2;3\n" * (min(n, len(self.head) + self.size - p) // 6 + 1)
                chunk = chunk[: min(n, len(self.head) + self.size - p)]
            else:
                q = p - len(self.head) - self.size
                chunk = self.tail[q : q + n]
            out += chunk
            self.position += len(chunk)
            n -= len(chunk)
        return bytes(out)

    def readline(self, limit=-1):
        return self.read(limit if limit and limit > 0 else 65536)


CSRF = "a" * 32


def upload() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    boundary = b"benchgrens"
    warm = CountingBody(boundary, 1000)  # a small upload first: URLs, views and templates loaded, not measured
    b"".join(handler(_environ(boundary, warm), lambda status, headers, exc_info=None: None))
    body = CountingBody(boundary, UPLOAD_MB * 1_000_000)
    statuses = []
    started = time.perf_counter()
    response = handler(_environ(boundary, body), lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(response)
    seconds = time.perf_counter() - started
    return {"scenario": f"refuse a {UPLOAD_MB} MB upload (POST /planlijsten)", "status": statuses[0],
            "seconds": round(seconds, 3), "bytes_read": body.position,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}  # fmt: skip


def _environ(boundary: bytes, body: CountingBody) -> dict:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/planlijsten", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": body, "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary.decode()}", "CONTENT_LENGTH": str(body.length),
        "HTTP_COOKIE": f"csrftoken={CSRF}", "HTTP_X_CSRFTOKEN": CSRF,  # a valid CSRF pair: the check reads the form
    }  # fmt: skip


def rows() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bouwregie.ingest.importer import ImportOptions, run_import

    call_command("migrate", verbosity=0)
    from bouwregie.geo.reference import load_reference_data

    load_reference_data()
    municipalities = ["Utrecht", "Amersfoort", "Zeist", "Nieuwegein", "Houten", "De Bilt", "Veenendaal", "Woerden"]
    path = Path(os.environ["BOUWREGIE_VAR_DIR"]) / "groot.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("Plan ID;Plannaam;Gemeente;Provincie;Planstatus;Restcapaciteit;2025-2029\n")
        for i in range(ROWS):
            f.write(f"P-{i};Plan {i};{municipalities[i % 8]};Utrecht;hard;{i % 40 + 1};{i % 40 + 1}\n")
    size = path.stat().st_size
    setup_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Django, migrations, reference data
    started = time.perf_counter()
    run = run_import(path, ImportOptions(source="Bench", dry_run=True)).run
    seconds = time.perf_counter() - started
    return {"scenario": f"dry run of a {ROWS:,}-row CSV ({size / 1e6:.0f} MB)", "status": run.status,
            "message": run.message[:120], "rows_checked": run.counts.get("rows", 0), "seconds": round(seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "peak_rss_before_the_import_mb": round(setup_rss, 1)}  # fmt: skip


def main() -> None:
    chosen = sys.argv[1:] or ["upload", "rows"]
    if len(chosen) > 1 or os.environ.get("BENCH_LIMITS_CHILD") != "1":
        for scenario in chosen:  # each in its own process: its own peak memory
            with tempfile.TemporaryDirectory(prefix="bench-limits-") as var:
                env = {**os.environ, "BENCH_LIMITS_CHILD": "1", "BOUWREGIE_VAR_DIR": var,
                       "DATABASE_URL": f"sqlite:///{var}/bench.sqlite3"}  # fmt: skip
                subprocess.run([sys.executable, __file__, scenario], env=env, check=True)
        return
    print(json.dumps({"upload": upload, "rows": rows}[chosen[0]](), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
