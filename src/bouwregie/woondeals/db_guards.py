"""Database triggers that make woondeal history append-only, in the style of projects/db_guards.py
(kept as a separate list so the project guards stay untouched). Idempotent; applied after every migrate."""

TABLES = ["woondeals_woondeal", "woondeals_woondealversion"]
UNIQUE_KEYS = {
    "woondeals_woondeal": [("id",), ("code",)],
    "woondeals_woondealversion": [("id",), ("woondeal_id", "number")],
}


def _collides(table: str, keys) -> str:
    match = " OR ".join("(" + " AND ".join(f"o.{c} = NEW.{c}" for c in key) + ")" for key in keys)
    return f"EXISTS (SELECT 1 FROM {table} o WHERE {match})"


def sqlite_statements(tables, keys) -> list[str]:
    return [
        *(
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op} BEFORE {op.upper()} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen'); END"
            for t in tables
            for op in ("update", "delete")
        ),
        *(
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_replace BEFORE INSERT ON {t} WHEN {_collides(t, k)} "
            f"BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen: de rij bestaat al'); END"
            for t, k in keys.items()
        ),
    ]


def postgresql_statements(tables) -> list[str]:
    return [
        """CREATE OR REPLACE FUNCTION bouwregie_woondeal_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION '% is alleen-toevoegen', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
        *(
            f"CREATE OR REPLACE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION bouwregie_woondeal_append_only()"
            for t in tables
        ),
        *(
            f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bouwregie_woondeal_append_only()"
            for t in tables
        ),
    ]


SQLITE = sqlite_statements(TABLES, UNIQUE_KEYS)
POSTGRESQL = postgresql_statements(TABLES)


def install(connection, tables=TABLES, keys=UNIQUE_KEYS) -> None:
    """The triggers for `tables` (default: the woondeals'; issue #23's apps pass theirs, keyed by every unique key)."""
    if not set(tables) <= set(connection.introspection.table_names()):
        return
    statements = {
        "sqlite": lambda: sqlite_statements(tables, keys),
        "postgresql": lambda: postgresql_statements(tables),
    }
    statements = statements.get(connection.vendor, list)()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, None)


def guard_after_migrate(app_config, keys: dict) -> None:
    """After every migrate of `app_config`, the triggers for its append-only tables (`keys`: table -> unique keys)."""
    from django.db.models.signals import post_migrate

    def _install(sender, using, **kwargs):
        from django.db import connections

        install(connections[using], list(keys), keys)

    post_migrate.connect(_install, sender=app_config, weak=False)
