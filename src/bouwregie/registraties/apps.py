from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_append_only_triggers(sender, using, **kwargs):
    from django.db import connections

    from bouwregie.registraties import db_guards

    db_guards.install(connections[using])


class RegistratiesConfig(AppConfig):
    """Registrations (BAG, CBS) beside the monitor: linking BAG objects to projects, the stored links and the
    flags per project (issue #18). The BAG and CBS storage live in their own apps."""

    name = "bouwregie.registraties"
    label = "registraties"

    def ready(self):
        from bouwregie.projects import services
        from bouwregie.registraties import store

        post_migrate.connect(_ensure_append_only_triggers, sender=self)
        if store.relink_changed not in services.VERSION_LISTENERS:
            services.VERSION_LISTENERS.append(store.relink_changed)
