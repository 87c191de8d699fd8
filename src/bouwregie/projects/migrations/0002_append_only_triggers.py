"""Install the append-only triggers (bouwregie.projects.db_guards). They are re-ensured after every
migrate as well, because SQLite drops a table's triggers when a later migration rebuilds it."""

from django.db import migrations


def install(apps, schema_editor):
    from bouwregie.projects import db_guards

    db_guards.install(schema_editor.connection)


def remove(apps, schema_editor):
    from bouwregie.projects import db_guards

    db_guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
