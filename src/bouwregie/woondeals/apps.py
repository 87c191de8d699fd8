from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_append_only_triggers(sender, using, **kwargs):
    from django.db import connections

    from bouwregie.woondeals import db_guards

    db_guards.install(connections[using])


class WoondealsConfig(AppConfig):
    name = "bouwregie.woondeals"
    label = "woondeals"

    def ready(self):
        post_migrate.connect(_ensure_append_only_triggers, sender=self)
