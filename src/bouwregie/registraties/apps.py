from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_append_only_triggers(sender, using, **kwargs):
    from django.db import connections

    from bouwregie.registraties import db_guards

    db_guards.install(connections[using])


def relink_changed(changes) -> list:
    """store.relink_changed, imported when projects have changed: store imports linking (numpy, shapely), which
    every Django start would otherwise pay for (issue #21)."""
    from bouwregie.registraties import store

    return store.relink_changed(changes)


class RegistratiesConfig(AppConfig):
    """Registrations (BAG, CBS) beside the monitor: linking BAG objects to projects, the stored links and the
    flags per project (issue #18). The BAG and CBS storage live in their own apps."""

    name = "bouwregie.registraties"
    label = "registraties"

    def ready(self):
        from bouwregie.projects import services

        post_migrate.connect(_ensure_append_only_triggers, sender=self)
        if relink_changed not in services.VERSION_LISTENERS:
            services.VERSION_LISTENERS.append(relink_changed)
