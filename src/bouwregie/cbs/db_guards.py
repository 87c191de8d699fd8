"""Database triggers that make the CBS releases and their figures append-only (docs/registraties.md): a revised
CBS release is a new release, never an overwrite. Idempotent; applied after every migrate (apps.py)."""

from bouwregie import append_only

UNIQUE_KEYS = {
    "cbs_cbsrelease": [("id",), ("table_id", "number"), ("sha256",)],
    "cbs_cbsfigure": [("id",)],
}
TABLES = list(UNIQUE_KEYS)
SQLITE = append_only.sqlite_statements(UNIQUE_KEYS)
POSTGRESQL = append_only.postgresql_statements(TABLES, "bouwregie_cbs_append_only")


def install(connection) -> None:
    append_only.install(connection, TABLES, SQLITE, POSTGRESQL)
