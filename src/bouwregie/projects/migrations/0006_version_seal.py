"""Seal every version (issue #16, fault 4): a version's milestones are fixed once it exists. Versions written
before this migration are complete, so all of them are sealed here; services.py seals each new one in the
transaction that writes it. Then the triggers (bouwregie.projects.db_guards) are installed again: the milestone
insert guard, and on SQLite the guards against REPLACE."""

import django.db.models.deletion
from django.db import migrations, models


def seal_and_guard(apps, schema_editor):
    from bouwregie.projects import db_guards

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("INSERT INTO projects_versionseal (version_id) SELECT id FROM projects_projectversion")
    db_guards.install(schema_editor.connection)


def unguard(apps, schema_editor):
    from bouwregie.projects import db_guards

    db_guards.remove(schema_editor.connection)  # the older triggers come back with the next migrate


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_plan_status_hard_zacht"),
    ]

    operations = [
        migrations.CreateModel(
            name="VersionSeal",
            fields=[
                (
                    "version",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="projects.projectversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "vastgelegde projectversie",
                "verbose_name_plural": "vastgelegde projectversies",
            },
        ),
        migrations.RunPython(seal_and_guard, unguard),
    ]
