"""Indexes for the project search (issue #19): part of a name on PostgreSQL through a trigram index (pg_trgm,
a trusted extension that the database owner may create), and an external id in any case through an index on
its upper case. search._index_condition asks in exactly these expressions. SQLite scans (small databases)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS version_name_upper_trgm ON projects_projectversion USING gin (UPPER(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS externalid_upper ON projects_externalid (UPPER(external_id))",
]
BACKWARD = ["DROP INDEX IF EXISTS version_name_upper_trgm", "DROP INDEX IF EXISTS externalid_upper"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_current_planned_delivery"),
    ]

    operations = [migrations.RunPython(forward, backward)]
