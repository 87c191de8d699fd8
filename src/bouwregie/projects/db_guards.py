"""Database triggers that make the project history append-only (docs/decisions/0002).

Idempotent, and applied after every `migrate` (apps.py): SQLite rebuilds a table for many schema
changes and drops its triggers with it, so installing them once in a migration is not enough.
"""

APPEND_ONLY_TABLES = [
    "projects_project",
    "projects_externalid",
    "projects_projectversion",
    "projects_milestone",
    "projects_peilingentry",
]

SQLITE = [
    *(
        f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op} BEFORE {op.upper()} ON {t} "
        f"BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen'); END"
        for t in APPEND_ONLY_TABLES
        for op in ("update", "delete")
    ),
    "CREATE TRIGGER IF NOT EXISTS projects_peiling_closed_no_update BEFORE UPDATE ON projects_peiling "
    "WHEN OLD.closed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
    "CREATE TRIGGER IF NOT EXISTS projects_peiling_closed_no_delete BEFORE DELETE ON projects_peiling "
    "WHEN OLD.closed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
    "CREATE TRIGGER IF NOT EXISTS projects_peilingentry_closed_no_insert "
    "BEFORE INSERT ON projects_peilingentry "
    "WHEN (SELECT closed_at FROM projects_peiling WHERE id = NEW.peiling_id) IS NOT NULL "
    "BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION bouwregie_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is alleen-toevoegen', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION bouwregie_peiling_closed() RETURNS trigger AS $$
       BEGIN
         IF OLD.closed_at IS NOT NULL THEN RAISE EXCEPTION 'peiling % is gesloten', OLD.code; END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION bouwregie_entry_open_peiling() RETURNS trigger AS $$
       BEGIN
         IF (SELECT closed_at FROM projects_peiling WHERE id = NEW.peiling_id) IS NOT NULL THEN
           RAISE EXCEPTION 'peiling is gesloten';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    *(
        f"CREATE OR REPLACE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
        f"FOR EACH ROW EXECUTE FUNCTION bouwregie_append_only()"
        for t in APPEND_ONLY_TABLES
    ),
    *(
        f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION bouwregie_append_only()"
        for t in APPEND_ONLY_TABLES
    ),
    "CREATE OR REPLACE TRIGGER projects_peiling_closed BEFORE UPDATE OR DELETE ON projects_peiling "
    "FOR EACH ROW EXECUTE FUNCTION bouwregie_peiling_closed()",
    "CREATE OR REPLACE TRIGGER projects_peilingentry_open_peiling BEFORE INSERT ON projects_peilingentry "
    "FOR EACH ROW EXECUTE FUNCTION bouwregie_entry_open_peiling()",
]

SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {t}_no_{op}" for t in APPEND_ONLY_TABLES for op in ("update", "delete")),
    "DROP TRIGGER IF EXISTS projects_peiling_closed_no_update",
    "DROP TRIGGER IF EXISTS projects_peiling_closed_no_delete",
    "DROP TRIGGER IF EXISTS projects_peilingentry_closed_no_insert",
]
POSTGRESQL_DROP = [
    *(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in APPEND_ONLY_TABLES),
    *(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}" for t in APPEND_ONLY_TABLES),
    "DROP TRIGGER IF EXISTS projects_peiling_closed ON projects_peiling",
    "DROP TRIGGER IF EXISTS projects_peilingentry_open_peiling ON projects_peilingentry",
    "DROP FUNCTION IF EXISTS bouwregie_append_only()",
    "DROP FUNCTION IF EXISTS bouwregie_peiling_closed()",
    "DROP FUNCTION IF EXISTS bouwregie_entry_open_peiling()",
]


def _execute(connection, statements) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, None)  # no parameters: keeps PL/pgSQL's RAISE '%' intact


def install(connection) -> None:
    _execute(connection, {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor, []))


def remove(connection) -> None:
    _execute(connection, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(connection.vendor, []))
