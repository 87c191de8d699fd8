"""Database triggers that make the CBS releases and their figures append-only (docs/registraties.md), in the
style of woondeals/db_guards.py: a revised CBS release is a new release, never an overwrite. Idempotent;
applied after every migrate."""

TABLES = ["cbs_cbsrelease", "cbs_cbsfigure"]
UNIQUE_KEYS = {
    "cbs_cbsrelease": [("id",), ("table_id", "number"), ("sha256",)],
    "cbs_cbsfigure": [("id",)],
}


def _collides(table: str, keys) -> str:
    match = " OR ".join("(" + " AND ".join(f"o.{c} = NEW.{c}" for c in key) + ")" for key in keys)
    return f"EXISTS (SELECT 1 FROM {table} o WHERE {match})"


SQLITE = [
    *(
        f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op} BEFORE {op.upper()} ON {t} "
        f"BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen'); END"
        for t in TABLES
        for op in ("update", "delete")
    ),
    *(
        f"CREATE TRIGGER IF NOT EXISTS {t}_no_replace BEFORE INSERT ON {t} WHEN {_collides(t, keys)} "
        f"BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen: de rij bestaat al'); END"
        for t, keys in UNIQUE_KEYS.items()
    ),
]
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION bouwregie_cbs_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is alleen-toevoegen', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
    *(
        f"CREATE OR REPLACE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
        "FOR EACH ROW EXECUTE FUNCTION bouwregie_cbs_append_only()"
        for t in TABLES
    ),
    *(
        f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
        "FOR EACH STATEMENT EXECUTE FUNCTION bouwregie_cbs_append_only()"
        for t in TABLES
    ),
]


def install(connection) -> None:
    if not set(TABLES) <= set(connection.introspection.table_names()):
        return
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, None)
