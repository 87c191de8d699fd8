from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_append_only_triggers(sender, using, **kwargs):
    from django.db import connections

    from bouwregie.bag import db_guards

    db_guards.install(connections[using])


class BagConfig(AppConfig):
    name = "bouwregie.bag"
    label = "bag"
    verbose_name = "BAG"

    def ready(self):
        post_migrate.connect(_ensure_append_only_triggers, sender=self)
