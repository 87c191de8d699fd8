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


def install(connection) -> None:
    """The triggers for the woondeal tables, through the shared append_only statements."""
    append_only.install(connection, TABLES, SQLITE, POSTGRESQL)
