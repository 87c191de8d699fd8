"""The floor of a demo load (issue #21): the same rows bulk-copied into the same tables of a fresh database.

`bouwregie demo` generates a history and writes it through the application (services, guards, materialised
snapshots). Its floor is what the database alone needs to take exactly the rows the demo left behind: a fresh
database made by `bouwregie init` (the same schema, indexes and reference data), then every row the demo added,
table by table, in one transaction:

- PostgreSQL: `COPY ... FROM` the rows read from the loaded database with `COPY (SELECT ...) TO` beforehand
  (into files, not timed), with `session_replication_role = replica`, so neither the append-only triggers nor
  the foreign-key triggers run: a floor, below what any load that checks them can reach.
- SQLite: `INSERT INTO t SELECT * FROM src.t` from the loaded file ATTACHed, foreign keys off and the guard
  triggers of the throwaway copy dropped, for the same reason.

"The rows the demo added" are a table's rows whose primary key the fresh database does not have (init's
reference data is in both). Only the copy is timed, its commit included.
"""

import sqlite3
import tempfile
import time
from pathlib import Path

import psycopg


def _tables_pg(conn) -> dict[str, str]:
    """Every table of the public schema with its single-column primary key."""
    rows = conn.execute(
        "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
        "WHERE i.indisprimary AND n.nspname = 'public' AND i.indnatts = 1"
    ).fetchall()
    return dict(rows)


def postgresql(loaded_url: str, fresh_url: str) -> dict:
    """Copy what the demo added to `loaded_url` into `fresh_url` (initialised, empty of demo rows).
    Returns {"seconds": float, "rows": int, "tables": int}."""
    with psycopg.connect(loaded_url) as source, psycopg.connect(fresh_url) as target, \
            tempfile.TemporaryDirectory() as folder:  # fmt: skip
        tables = _tables_pg(source)
        files: list[tuple[str, Path, int]] = []
        for table, key in sorted(tables.items()):
            present = [row[0] for row in target.execute(f'SELECT "{key}" FROM "{table}"')]
            count = source.execute(f'SELECT count(*) FROM "{table}" WHERE NOT ("{key}" = ANY(%s))',
                                   [present]).fetchone()[0]  # fmt: skip
            if not count:
                continue
            path = Path(folder) / f"{table}.copy"
            with path.open("wb") as out, source.cursor().copy(
                f'COPY (SELECT * FROM "{table}" WHERE NOT ("{key}" = ANY(%s))) TO STDOUT', [present]
            ) as copy:  # fmt: skip
                for chunk in copy:
                    out.write(chunk)
            files.append((table, path, count))
        target.commit()
        started = time.perf_counter()
        with target.transaction():
            target.execute("SET LOCAL session_replication_role = replica")
            for table, path, _count in files:
                with path.open("rb") as data, target.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
                    while chunk := data.read(1 << 20):
                        copy.write(chunk)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "rows": sum(n for _t, _p, n in files), "tables": len(files)}


def sqlite(loaded_file: Path, fresh_file: Path) -> dict:
    """The same for SQLite files: `fresh_file` (initialised) takes what the demo added to `loaded_file`."""
    target = sqlite3.connect(fresh_file, isolation_level=None)
    try:
        target.execute("PRAGMA foreign_keys = OFF")
        for (name,) in target.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            target.execute(f'DROP TRIGGER "{name}"')
        target.execute("ATTACH DATABASE ? AS src", [str(loaded_file)])
        tables = [name for (name,) in target.execute(
            "SELECT name FROM src.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]  # fmt: skip
        plan = []
        for table in tables:
            key = next((row[1] for row in target.execute(f'PRAGMA src.table_info("{table}")') if row[5] == 1), None)
            if key is None:
                continue
            where = f'WHERE "{key}" NOT IN (SELECT "{key}" FROM main."{table}")'
            count = target.execute(f'SELECT count(*) FROM src."{table}" {where}').fetchone()[0]
            if count:
                plan.append((table, where, count))
        started = time.perf_counter()
        target.execute("BEGIN")
        for table, where, _count in plan:
            target.execute(f'INSERT INTO main."{table}" SELECT * FROM src."{table}" {where}')
        target.execute("COMMIT")
        seconds = time.perf_counter() - started
    finally:
        target.close()
    return {"seconds": round(seconds, 2), "rows": sum(n for _t, _w, n in plan), "tables": len(plan)}
