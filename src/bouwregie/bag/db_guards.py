"""Database triggers that keep loaded BAG extracts as they were read (in the style of woondeals/db_guards.py):
no voorkomen is ever changed or deleted, and an extract keeps its file, checksum, stand and area. Its counts
are written once, at the end of the load that created it. Idempotent; applied after every migrate.
BagWoning is derived data (events.py) and is rebuilt, not guarded."""

VOORKOMEN = "bag_bagvoorkomen"
EXTRACT = "bag_bagextract"
IDENTITY = ("file_name", "sha256", "stand_date", "gebied", "gemeenten")

SQLITE = [
    *(
        f"CREATE TRIGGER IF NOT EXISTS {VOORKOMEN}_no_{op} BEFORE {op.upper()} ON {VOORKOMEN} "
        f"BEGIN SELECT RAISE(ABORT, '{VOORKOMEN} is alleen-toevoegen'); END"
        for op in ("update", "delete")
    ),
    f"CREATE TRIGGER IF NOT EXISTS {EXTRACT}_no_delete BEFORE DELETE ON {EXTRACT} "
    f"BEGIN SELECT RAISE(ABORT, '{EXTRACT} is alleen-toevoegen'); END",
    f"CREATE TRIGGER IF NOT EXISTS {EXTRACT}_fixed BEFORE UPDATE OF {', '.join(IDENTITY)} ON {EXTRACT} "
    f"BEGIN SELECT RAISE(ABORT, '{EXTRACT}: bestand, stand en gebied liggen vast'); END",
]
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION bouwregie_bag_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is alleen-toevoegen', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
    f"CREATE OR REPLACE TRIGGER {VOORKOMEN}_append_only BEFORE UPDATE OR DELETE ON {VOORKOMEN} "
    "FOR EACH ROW EXECUTE FUNCTION bouwregie_bag_append_only()",
    f"CREATE OR REPLACE TRIGGER {EXTRACT}_append_only BEFORE DELETE OR UPDATE OF {', '.join(IDENTITY)} "
    f"ON {EXTRACT} FOR EACH ROW EXECUTE FUNCTION bouwregie_bag_append_only()",
    *(
        f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
        "FOR EACH STATEMENT EXECUTE FUNCTION bouwregie_bag_append_only()"
        for t in (VOORKOMEN, EXTRACT)
    ),
]


def install(connection) -> None:
    if not {VOORKOMEN, EXTRACT} <= set(connection.introspection.table_names()):
        return
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, None)
