"""Append-only triggers for a set of tables, on SQLite and PostgreSQL (the pattern of projects/db_guards.py, for
apps whose rows are versioned data: woondeals, CBS registrations). UPDATE, DELETE and (PostgreSQL) TRUNCATE are
refused; on SQLite also an INSERT that would REPLACE an existing row (it would delete history without firing the
DELETE trigger). Idempotent: each app installs them after every migrate."""


def _collides(table: str, keys) -> str:
    match = " OR ".join("(" + " AND ".join(f"o.{c} = NEW.{c}" for c in key) + ")" for key in keys)
    return f"EXISTS (SELECT 1 FROM {table} o WHERE {match})"


def sqlite_statements(unique_keys: dict[str, list[tuple[str, ...]]], refused=("update", "delete")) -> list[str]:
    tables = list(unique_keys)
    return [
        *(
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op} BEFORE {op.upper()} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen'); END"
            for t in tables
            for op in refused
        ),
        *(
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_replace BEFORE INSERT ON {t} WHEN {_collides(t, keys)} "
            f"BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen: de rij bestaat al'); END"
            for t, keys in unique_keys.items()
        ),
    ]


def postgresql_statements(tables: list[str], function: str, refused=("update", "delete")) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is alleen-toevoegen', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
        *(
            f"CREATE OR REPLACE TRIGGER {t}_append_only BEFORE {' OR '.join(op.upper() for op in refused)} ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            for t in tables
        ),
        *(
            f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            for t in tables
            if "delete" in refused
        ),
    ]


def install(connection, tables: list[str], sqlite: list[str], postgresql: list[str]) -> None:
    """Run the statements for this connection's database, once all the tables exist."""
    if not set(tables) <= set(connection.introspection.table_names()):
        return
    statements = {"sqlite": sqlite, "postgresql": postgresql}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, None)


def guard_after_migrate(app_config, keys: dict[str, list[tuple[str, ...]]], refused=("update", "delete")) -> None:
    """After every migrate of `app_config`, the triggers for its append-only tables (`keys`: table -> every unique
    key an INSERT OR REPLACE could collide with). The PostgreSQL function keeps the name it was first installed
    under (issue #23's apps, beside the woondeals), so databases made before this move keep one function.
    `refused`: the operations refused; derived tables that may be deleted and rebuilt (monitor.SnapshotPart)
    refuse only "update" (and INSERT OR REPLACE)."""
    from django.db.models.signals import post_migrate

    tables = list(keys)
    sqlite = sqlite_statements(keys, refused)
    postgresql = postgresql_statements(tables, "bouwregie_woondeal_append_only", refused)

    def _install(sender, using, **kwargs):
        from django.db import connections

        install(connections[using], tables, sqlite, postgresql)

    post_migrate.connect(_install, sender=app_config, weak=False)
