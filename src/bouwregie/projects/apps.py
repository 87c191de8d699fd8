from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_append_only_triggers(sender, using, **kwargs):
    from django.db import connections

    from bouwregie.projects import db_guards

    db_guards.install(connections[using])


class ProjectsConfig(AppConfig):
    name = "bouwregie.projects"
    label = "projects"

    def ready(self):
        post_migrate.connect(_ensure_append_only_triggers, sender=self)
