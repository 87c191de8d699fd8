"""Database triggers that keep stored links as they were made (docs/registraties-koppeling.md): a new linking
run is a new LinkSet, never an overwrite. Idempotent; applied after every migrate (apps.py)."""

from bouwregie import append_only

UNIQUE_KEYS = {
    "registraties_linkset": [("id",)],
    "registraties_registrationlink": [("id",), ("link_set_id", "identificatie")],
}
TABLES = list(UNIQUE_KEYS)
SQLITE = append_only.sqlite_statements(UNIQUE_KEYS)
POSTGRESQL = append_only.postgresql_statements(TABLES, "bouwregie_registraties_append_only")


def install(connection) -> None:
    append_only.install(connection, TABLES, SQLITE, POSTGRESQL)
