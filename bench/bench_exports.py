"""Benchmark (issue #16, fault 2): what making every spreadsheet cell inert (`bouwregie.cells`) costs.

A fresh SQLite database with the demo dataset (BENCH_PROJECTS, default 2,500 projects; every tenth project
renamed to a formula-like name so that the apostrophe path runs too). In one process, alternating (which
goes first swaps every run), median of BENCH_REPEAT (5) runs each, with and without the neutraliser (without =
`cells.inert_row` and `cells.xlsx_append` replaced by the plain writer calls they wrap); a run repeats a fast
case until it lasts about 0.5 s and counts per call:
  export csv / export xlsx   `bouwregie export` (ingest/export.py): reading the projects and writing the file
  download csv / xlsx        web/downloads.table_download of the project list's rows, built once beforehand:
                             the writer alone, where the neutraliser's share is largest
Writes bench/results/exports.{json,md}.

    PYTHONPATH=src .venv/bin/python bench/bench_exports.py
"""

import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "2500"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


def main() -> None:
    var = tempfile.mkdtemp(prefix="bench-exports-")
    os.environ["BOUWREGIE_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bouwregie.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bouwregie.geo.reference import load_reference_data

    load_reference_data()
    call_command("demo", projects=PROJECTS, seed=16, stdout=open(os.devnull, "w"))  # noqa: SIM115

    from bouwregie import cells
    from bouwregie.ingest.export import export
    from bouwregie.projects import services
    from bouwregie.projects.models import Project, ProjectVersion
    from bouwregie.projects.services import VersionMeta
    from bouwregie.web import project_pages
    from bouwregie.web.downloads import table_download

    meta = VersionMeta(author="bench", source="edit", reason="formula-like name")
    for project in Project.objects.order_by("id")[::10]:
        data = services.current_data([project.id])[project.id][1]
        services.create_version(project, replace(data, name="=" + data.name), meta)

    versions = ProjectVersion.objects.filter(current__isnull=False).select_related("project", "municipality")
    rows = [project_pages.EXPORT_COLUMNS, *(project_pages._export_row(v) for v in versions)]

    plain = {
        "inert_row": list,
        "xlsx_append": lambda worksheet, values: worksheet.append(list(values)),
    }
    cases = {
        "export csv": lambda: export(Path(var) / "p.csv", "csv"),
        "export xlsx": lambda: export(Path(var) / "p.xlsx", "xlsx"),
        "download csv": lambda: table_download(rows, "p", "csv"),
        "download xlsx": lambda: table_download(rows, "p", "xlsx"),
    }
    timings = {name: {"with": [], "without": []} for name in cases}
    for name, run in cases.items():
        started = time.perf_counter()
        run()  # warm up (imports, caches)
        calls = max(1, math.ceil(0.5 / (time.perf_counter() - started)))  # a measurement of at least ~0.5 s
        for n in range(REPEAT):
            for variant in ("with", "without") if n % 2 == 0 else ("without", "with"):
                patches = [] if variant == "with" else [mock.patch.object(cells, k, v) for k, v in plain.items()]
                for p in patches:
                    p.start()
                started = time.perf_counter()
                for _call in range(calls):
                    run()
                timings[name][variant].append((time.perf_counter() - started) / calls)
                for p in patches:
                    p.stop()
    result = {
        "benchmark": "export neutraliser cost (issue #16, fault 2)",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "projects": Project.objects.count(),
        "rows_download": len(rows) - 1,
        "repeat": REPEAT,
        "cases": {
            name: {
                "with_s": round(statistics.median(t["with"]), 4),
                "without_s": round(statistics.median(t["without"]), 4),
                "ratio": round(statistics.median(t["with"]) / statistics.median(t["without"]), 3),
            }
            for name, t in timings.items()
        },
    }
    out = ROOT / "bench" / "results"
    (out / "exports.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Export neutraliser cost (issue #16, fault 2)",
        "",
        f"{result['when']} — {result['machine']} — SQLite, demo {result['projects']} projects (every tenth with a "
        f"formula-like name), median of {REPEAT} runs each (fast cases repeated to ~0.5 s, per call), with and "
        "without `bouwregie.cells`, alternating in one process.",
        "",
        "Command: `PYTHONPATH=src .venv/bin/python bench/bench_exports.py` (BENCH_PROJECTS, BENCH_REPEAT).",
        "",
        "| what | with s | without s | with / without |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {name} | {c['with_s']:.3f} | {c['without_s']:.3f} | {c['ratio']:.2f} |"
            for name, c in result["cases"].items()
        ),  # fmt: skip
        "",
        "export = `bouwregie export` (reads the projects and writes the file); download = the web project list's "
        f"{result['rows_download']} rows written by `web/downloads.table_download` (the writer alone).",
        "",
        "With and without alternate in one process, so drift of the (shared, 2-core) machine falls on both; "
        "between two runs the same figure moved by up to ~15%, so ratios within ~1.1 of each other are noise.",
    ]
    (out / "exports.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
