"""Database-level guarantee of the append-only history: triggers refuse UPDATE and DELETE on
versions, milestones, projects, external ids and peiling entries, any change to a closed peiling,
and adding entries to a closed peiling. The ORM refuses the same earlier with a clearer message;
these triggers hold for raw SQL, admin scripts and future code alike."""

from django.db import migrations

APPEND_ONLY = [
    "projects_project",
    "projects_externalid",
    "projects_projectversion",
    "projects_milestone",
    "projects_peilingentry",
]

SQLITE = [
    *(
        f"CREATE TRIGGER {t}_no_{op} BEFORE {op.upper()} ON {t} "
        f"BEGIN SELECT RAISE(ABORT, '{t} is alleen-toevoegen'); END"
        for t in APPEND_ONLY
        for op in ("update", "delete")
    ),
    "CREATE TRIGGER projects_peiling_closed_no_update BEFORE UPDATE ON projects_peiling "
    "WHEN OLD.closed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
    "CREATE TRIGGER projects_peiling_closed_no_delete BEFORE DELETE ON projects_peiling "
    "WHEN OLD.closed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
    "CREATE TRIGGER projects_peilingentry_closed_no_insert BEFORE INSERT ON projects_peilingentry "
    "WHEN (SELECT closed_at FROM projects_peiling WHERE id = NEW.peiling_id) IS NOT NULL "
    "BEGIN SELECT RAISE(ABORT, 'peiling is gesloten'); END",
]
SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {t}_no_{op}" for t in APPEND_ONLY for op in ("update", "delete")),
    "DROP TRIGGER IF EXISTS projects_peiling_closed_no_update",
    "DROP TRIGGER IF EXISTS projects_peiling_closed_no_delete",
    "DROP TRIGGER IF EXISTS projects_peilingentry_closed_no_insert",
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
        f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
        f"FOR EACH ROW EXECUTE FUNCTION bouwregie_append_only()"
        for t in APPEND_ONLY
    ),
    *(
        f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION bouwregie_append_only()"
        for t in APPEND_ONLY
    ),
    "CREATE TRIGGER projects_peiling_closed BEFORE UPDATE OR DELETE ON projects_peiling "
    "FOR EACH ROW EXECUTE FUNCTION bouwregie_peiling_closed()",
    "CREATE TRIGGER projects_peilingentry_open_peiling BEFORE INSERT ON projects_peilingentry "
    "FOR EACH ROW EXECUTE FUNCTION bouwregie_entry_open_peiling()",
]
POSTGRESQL_DROP = [
    *(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in APPEND_ONLY),
    *(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}" for t in APPEND_ONLY),
    "DROP TRIGGER IF EXISTS projects_peiling_closed ON projects_peiling",
    "DROP TRIGGER IF EXISTS projects_peilingentry_open_peiling ON projects_peilingentry",
    "DROP FUNCTION IF EXISTS bouwregie_append_only()",
    "DROP FUNCTION IF EXISTS bouwregie_peiling_closed()",
    "DROP FUNCTION IF EXISTS bouwregie_entry_open_peiling()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)  # no placeholders: keeps RAISE %

    return run


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
