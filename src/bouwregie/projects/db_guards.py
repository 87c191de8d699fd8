"""Database triggers that make the project history append-only (docs/decisions/0002).

Idempotent, and applied after every `migrate` (apps.py): SQLite rebuilds a table for many schema
changes and drops its triggers with it, so installing them once in a migration is not enough.

What they refuse, on SQLite and PostgreSQL alike:
- UPDATE and DELETE (on PostgreSQL also TRUNCATE) of projects, external ids, versions, milestones,
  peiling entries and version seals; any change to a closed peiling; a new entry in a closed peiling.
- A milestone added to a version that is already complete: its seal is written (services.py) in the
  transaction that creates the version, right after its milestones, or the version counts in a peiling.
  So a version's milestones are fixed once the version exists (issue #16, fault 4).
- SQLite's REPLACE conflict resolution (`INSERT OR REPLACE`, `REPLACE INTO`, `UPDATE OR REPLACE`): it
  deletes the conflicting row without firing DELETE triggers unless `recursive_triggers` is on. The
  settings turn that pragma on for our connections, and these triggers refuse, before the insert, any row
  that would replace a row of history, so a client without the pragma (the sqlite3 shell) is refused too.
  (An UPSERT's DO UPDATE fires the UPDATE triggers on both databases; PostgreSQL has no REPLACE.)
"""

APPEND_ONLY_TABLES = [
    "projects_project",
    "projects_externalid",
    "projects_projectversion",
    "projects_milestone",
    "projects_peilingentry",
    "projects_versionseal",
]

# Every key an inserted row could collide with: a REPLACE of such a row would delete history.
UNIQUE_KEYS = {
    "projects_project": [("id",), ("code",)],
    "projects_externalid": [("id",), ("source", "external_id")],
    "projects_projectversion": [("id",), ("project_id", "number")],
    "projects_milestone": [("id",), ("version_id", "kind", "sequence")],
    "projects_peilingentry": [("id",), ("peiling_id", "project_id")],
    "projects_versionseal": [("version_id",)],
}
PEILING_KEYS = [("id",), ("code",)]


def _collides(table: str, keys, extra: str = "") -> str:
    match = " OR ".join("(" + " AND ".join(f"o.{c} = NEW.{c}" for c in key) + ")" for key in keys)
    return f"EXISTS (SELECT 1 FROM {table} o WHERE ({match}){extra})"


def _sealed(row: str) -> str:
    """Whether the version of milestone `row` is complete: sealed, or frozen in a peiling."""
    return (
        f"EXISTS (SELECT 1 FROM projects_versionseal s WHERE s.version_id = {row}.version_id) "
        f"OR EXISTS (SELECT 1 FROM projects_peilingentry e WHERE e.version_id = {row}.version_id)"
    )


SEALED_MESSAGE = "de mijlpalen van een vastgelegde projectversie liggen vast"

# (tables the statement needs, statement): a statement is installed once all its tables exist, so that
# migration 0002 (before the seal table) and later migrations install what they can.
SQLITE = [
    *(
        (
            (t,),
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op} BEFORE {op.upper()} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen'); END",
        )
        for t in APPEND_ONLY_TABLES
        for op in ("update", "delete")
    ),  # fmt: skip
    *(
        (
            (t,),
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_replace BEFORE INSERT ON {t} "
            f"WHEN {_collides(t, keys)} BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen: de rij bestaat al'); END",
        )
        for t, keys in UNIQUE_KEYS.items()
    ),  # fmt: skip
    (
        ("projects_peiling",),
        "CREATE TRIGGER IF NOT EXISTS projects_peiling_closed_no_update BEFORE UPDATE ON projects_peiling "
        "WHEN OLD.closed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
    ),
    (
        ("projects_peiling",),
        "CREATE TRIGGER IF NOT EXISTS projects_peiling_closed_no_delete BEFORE DELETE ON projects_peiling "
        "WHEN OLD.closed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
    ),
    (  # INSERT OR REPLACE / UPDATE OR REPLACE of a row that would take a closed peiling's id or code
        ("projects_peiling",),
        "CREATE TRIGGER IF NOT EXISTS projects_peiling_closed_no_replace BEFORE INSERT ON projects_peiling "
        f"WHEN {_collides('projects_peiling', PEILING_KEYS, ' AND o.closed_at IS NOT NULL')} "
        "BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
    ),
    (
        ("projects_peiling",),
        "CREATE TRIGGER IF NOT EXISTS projects_peiling_closed_no_replace_update BEFORE UPDATE ON projects_peiling "
        f"WHEN {_collides('projects_peiling', PEILING_KEYS, ' AND o.closed_at IS NOT NULL AND o.id <> OLD.id')} "
        "BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
    ),
    (
        ("projects_peiling", "projects_peilingentry"),
        "CREATE TRIGGER IF NOT EXISTS projects_peilingentry_closed_no_insert "
        "BEFORE INSERT ON projects_peilingentry "
        "WHEN (SELECT closed_at FROM projects_peiling WHERE id = NEW.peiling_id) IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
    ),
    (
        ("projects_milestone", "projects_versionseal", "projects_peilingentry"),
        "CREATE TRIGGER IF NOT EXISTS projects_milestone_sealed_no_insert BEFORE INSERT ON projects_milestone "
        f"WHEN {_sealed('NEW')} BEGIN SELECT RAISE(ABORT, '{SEALED_MESSAGE}'); END",
    ),
]

POSTGRESQL = [
    (
        (),
        """CREATE OR REPLACE FUNCTION bouwregie_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is alleen-toevoegen', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
    ),
    (
        (),
        """CREATE OR REPLACE FUNCTION bouwregie_peiling_closed() RETURNS trigger AS $$
       BEGIN
         IF OLD.closed_at IS NOT NULL THEN RAISE EXCEPTION 'peiling % is gesloten', OLD.code; END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    ),
    (
        (),
        """CREATE OR REPLACE FUNCTION bouwregie_entry_open_peiling() RETURNS trigger AS $$
       BEGIN
         IF (SELECT closed_at FROM projects_peiling WHERE id = NEW.peiling_id) IS NOT NULL THEN
           RAISE EXCEPTION 'peiling is gesloten';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    ),
    # Set-based, once per statement (COPY of a million milestones included) over the rows it inserted.
    (
        (),
        # EXECUTE: planned at each statement with the tables as they are then. A static query's plan is cached
        # for the session: made while the tables were empty, it scanned projects_peilingentry once per inserted
        # milestone (a bulk load that never ended).
        f"""CREATE OR REPLACE FUNCTION bouwregie_milestones_of_open_version() RETURNS trigger AS $$
       DECLARE complete boolean;
       BEGIN
         EXECUTE 'SELECT EXISTS (SELECT 1 FROM inserted m WHERE {_sealed("m")})' INTO complete;
         IF complete THEN
           RAISE EXCEPTION '{SEALED_MESSAGE}';
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",
    ),
    *(
        (
            (t,),
            f"CREATE OR REPLACE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION bouwregie_append_only()",
        )
        for t in APPEND_ONLY_TABLES
    ),  # fmt: skip
    *(
        (
            (t,),
            f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION bouwregie_append_only()",
        )
        for t in APPEND_ONLY_TABLES
    ),  # fmt: skip
    (
        ("projects_peiling",),
        "CREATE OR REPLACE TRIGGER projects_peiling_closed BEFORE UPDATE OR DELETE ON projects_peiling "
        "FOR EACH ROW EXECUTE FUNCTION bouwregie_peiling_closed()",
    ),
    (
        ("projects_peilingentry",),
        "CREATE OR REPLACE TRIGGER projects_peilingentry_open_peiling BEFORE INSERT ON projects_peilingentry "
        "FOR EACH ROW EXECUTE FUNCTION bouwregie_entry_open_peiling()",
    ),
    (
        ("projects_milestone", "projects_versionseal", "projects_peilingentry"),
        "CREATE OR REPLACE TRIGGER projects_milestone_open_version AFTER INSERT ON projects_milestone "
        "REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT "
        "EXECUTE FUNCTION bouwregie_milestones_of_open_version()",
    ),
]

SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {t}_no_{op}" for t in APPEND_ONLY_TABLES for op in ("update", "delete")),
    *(f"DROP TRIGGER IF EXISTS {t}_no_replace" for t in UNIQUE_KEYS),
    "DROP TRIGGER IF EXISTS projects_peiling_closed_no_update",
    "DROP TRIGGER IF EXISTS projects_peiling_closed_no_delete",
    "DROP TRIGGER IF EXISTS projects_peiling_closed_no_replace",
    "DROP TRIGGER IF EXISTS projects_peiling_closed_no_replace_update",
    "DROP TRIGGER IF EXISTS projects_peilingentry_closed_no_insert",
    "DROP TRIGGER IF EXISTS projects_milestone_sealed_no_insert",
]
POSTGRESQL_DROP = [
    *(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in APPEND_ONLY_TABLES),
    *(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}" for t in APPEND_ONLY_TABLES),
    "DROP TRIGGER IF EXISTS projects_peiling_closed ON projects_peiling",
    "DROP TRIGGER IF EXISTS projects_peilingentry_open_peiling ON projects_peilingentry",
    "DROP TRIGGER IF EXISTS projects_milestone_open_version ON projects_milestone",
    "DROP FUNCTION IF EXISTS bouwregie_append_only()",
    "DROP FUNCTION IF EXISTS bouwregie_peiling_closed()",
    "DROP FUNCTION IF EXISTS bouwregie_entry_open_peiling()",
    "DROP FUNCTION IF EXISTS bouwregie_milestones_of_open_version()",
]


def _execute(connection, statements) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, None)  # no parameters: keeps PL/pgSQL's RAISE '%' intact


def install(connection) -> None:
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor, [])
    tables = set(connection.introspection.table_names())
    _execute(connection, [sql for needs, sql in statements if tables.issuperset(needs)])


def remove(connection) -> None:
    tables = set(connection.introspection.table_names())
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(connection.vendor, [])
    if connection.vendor == "postgresql":  # DROP TRIGGER ... ON a missing table fails even with IF EXISTS
        statements = [s for s in statements if " ON " not in s or s.rsplit(" ON ", 1)[1] in tables]
    _execute(connection, statements)
