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

`guarded=True` measures the same copy with the database's own guards on, as every load of the application has
them: the append-only triggers (projects/db_guards.py) and the foreign keys checked per statement (on PostgreSQL
`SET CONSTRAINTS ALL IMMEDIATE`, as services.write_history_in_chunks does). The guards refuse an entry in a
closed peiling and a milestone of a sealed version, so the copy goes in the order a load must take: the peilingen
open (closed_at NULL), milestones before the entries and seals that fix them, and the peilingen closed last. The
difference between the two floors is what the guards cost the database alone, before any Python (issue #21).
"""

import sqlite3
import tempfile
import time
from pathlib import Path

import psycopg

# With the guards on, these go after the milestones they fix (the triggers refuse a milestone of a sealed version
# or of a version in a peiling); the peilingen are copied open and closed at the end.
LAST = ("projects_peilingentry", "projects_versionseal")


def _tables_pg(conn) -> dict[str, str]:
    """Every table of the public schema with its single-column primary key."""
    rows = conn.execute(
        "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
        "WHERE i.indisprimary AND n.nspname = 'public' AND i.indnatts = 1"
    ).fetchall()
    return dict(rows)


def _order(table: str) -> tuple[bool, str]:
    return table in LAST, table


def _parents_first(conn, tables: list[str]) -> list[str]:
    """`tables` (in `_order`) with every table after the tables its foreign keys point to, so that a copy with the
    keys checked per statement finds each parent row already there."""
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in conn.execute("SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
                                      "WHERE contype = 'f'"):  # fmt: skip
        if child in parents and parent in parents and parent != child:
            parents[child].add(parent)
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ordered.append(next(t for t in tables if t not in ordered and parents[t] <= set(ordered)))
    return ordered


def _opened(columns: list[str]) -> str:
    """The select list of a peiling's row as it was before it closed."""
    return ", ".join("NULL" if c == "closed_at" else "''" if c == "closed_by" else f'"{c}"' for c in columns)


def postgresql(loaded_url: str, fresh_url: str, guarded: bool = False) -> dict:
    """Copy what the demo added to `loaded_url` into `fresh_url` (initialised, empty of demo rows).
    Returns {"seconds": float, "rows": int, "tables": int}."""
    with psycopg.connect(loaded_url) as source, psycopg.connect(fresh_url) as target, \
            tempfile.TemporaryDirectory() as folder:  # fmt: skip
        tables = _tables_pg(source)
        files: list[tuple[str, Path, int]] = []
        closing = []
        for table in _parents_first(source, sorted(tables, key=_order)):
            key = tables[table]
            present = [row[0] for row in target.execute(f'SELECT "{key}" FROM "{table}"')]
            count = source.execute(f'SELECT count(*) FROM "{table}" WHERE NOT ("{key}" = ANY(%s))',
                                   [present]).fetchone()[0]  # fmt: skip
            if not count:
                continue
            path = Path(folder) / f"{table}.copy"
            columns = "*"
            if guarded and table == "projects_peiling":
                names = [row[0] for row in source.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                    "AND NOT attisdropped ORDER BY attnum", [table])]  # fmt: skip
                columns = _opened(names)
                closing = source.execute(f'SELECT closed_at, closed_by, id FROM "{table}" WHERE closed_at IS NOT '
                                         f'NULL AND NOT ("{key}" = ANY(%s))', [present]).fetchall()  # fmt: skip
            with path.open("wb") as out, source.cursor().copy(
                f'COPY (SELECT {columns} FROM "{table}" WHERE NOT ("{key}" = ANY(%s))) TO STDOUT', [present]
            ) as copy:  # fmt: skip
                for chunk in copy:
                    out.write(chunk)
            files.append((table, path, count))
        target.commit()
        started = time.perf_counter()
        with target.transaction():
            target.execute("SET CONSTRAINTS ALL IMMEDIATE" if guarded else "SET LOCAL session_replication_role = "
                           "replica")  # fmt: skip
            for table, path, _count in files:
                with path.open("rb") as data, target.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
                    while chunk := data.read(1 << 20):
                        copy.write(chunk)
            with target.cursor() as cursor:
                cursor.executemany("UPDATE projects_peiling SET closed_at = %s, closed_by = %s WHERE id = %s", closing)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "rows": sum(n for _t, _p, n in files), "tables": len(files)}


def sqlite(loaded_file: Path, fresh_file: Path, guarded: bool = False) -> dict:
    """The same for SQLite files: `fresh_file` (initialised) takes what the demo added to `loaded_file`."""
    target = sqlite3.connect(fresh_file, isolation_level=None)
    try:
        target.execute(f"PRAGMA foreign_keys = {'ON' if guarded else 'OFF'}")
        for (name,) in target.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            if not guarded:
                target.execute(f'DROP TRIGGER "{name}"')
        target.execute("ATTACH DATABASE ? AS src", [str(loaded_file)])
        tables = [name for (name,) in target.execute(
            "SELECT name FROM src.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]  # fmt: skip
        plan = []
        for table in sorted(tables, key=_order):
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
            columns = "*"
            if guarded and table == "projects_peiling":
                columns = _opened([row[1] for row in target.execute(f'PRAGMA src.table_info("{table}")')])
            target.execute(f'INSERT INTO main."{table}" SELECT {columns} FROM src."{table}" {where}')
        if guarded:
            target.execute("UPDATE main.projects_peiling SET (closed_at, closed_by) = (SELECT s.closed_at, s.closed_by "
                           "FROM src.projects_peiling s WHERE s.id = projects_peiling.id) WHERE id IN (SELECT id FROM "
                           "src.projects_peiling WHERE closed_at IS NOT NULL)")  # fmt: skip
        target.execute("COMMIT")
        seconds = time.perf_counter() - started
    finally:
        target.close()
    return {"seconds": round(seconds, 2), "rows": sum(n for _t, _w, n in plan), "tables": len(plan)}
