from django.apps import AppConfig

# Append-only at the database too (woondeals.db_guards): every unique key an INSERT OR REPLACE could collide with.
GUARDED = {
    "woontop_afspraak": [("id",), ("number",)],
    "woontop_mijlpaal": [("id",), ("code",)],
    "woontop_status": [("id",)],
}


class WoontopConfig(AppConfig):
    name = "bouwregie.woontop"
    label = "woontop"

    def ready(self):
        from bouwregie.woondeals.db_guards import guard_after_migrate

        guard_after_migrate(self, GUARDED)
