"""Database triggers that make woondeal history append-only, in the style of projects/db_guards.py
(kept as a separate list so the project guards stay untouched). Idempotent; applied after every migrate."""

from bouwregie import append_only

TABLES = ["woondeals_woondeal", "woondeals_woondealversion"]
UNIQUE_KEYS = {
    "woondeals_woondeal": [("id",), ("code",)],
    "woondeals_woondealversion": [("id",), ("woondeal_id", "number")],
}
SQLITE = append_only.sqlite_statements(UNIQUE_KEYS)
POSTGRESQL = append_only.postgresql_statements(TABLES, "bouwregie_woondeal_append_only")


def install(connection, tables=TABLES, keys=UNIQUE_KEYS) -> None:
    """The triggers for `tables` (default: the woondeals'; issue #23's apps pass theirs, keyed by every unique
    key), through the shared append_only statements."""
    sqlite = SQLITE if keys is UNIQUE_KEYS else append_only.sqlite_statements(keys)
    postgresql = (POSTGRESQL if tables is TABLES
                  else append_only.postgresql_statements(list(tables), "bouwregie_woondeal_append_only"))  # fmt: skip
    append_only.install(connection, list(tables), sqlite, postgresql)


def guard_after_migrate(app_config, keys: dict) -> None:
    """After every migrate of `app_config`, the triggers for its append-only tables (`keys`: table -> unique keys)."""
    from django.db.models.signals import post_migrate

    def _install(sender, using, **kwargs):
        from django.db import connections

        install(connections[using], list(keys), keys)

    post_migrate.connect(_install, sender=app_config, weak=False)
