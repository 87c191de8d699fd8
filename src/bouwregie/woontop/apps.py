from django.apps import AppConfig

# Append-only at the database too (append_only.guard_after_migrate): every unique key INSERT OR REPLACE could hit.
GUARDED = {
    "woontop_afspraak": [("id",), ("number",)],
    "woontop_mijlpaal": [("id",), ("code",)],
    "woontop_status": [("id",)],
}


class WoontopConfig(AppConfig):
    name = "bouwregie.woontop"
    label = "woontop"

    def ready(self):
        from bouwregie.append_only import guard_after_migrate

        guard_after_migrate(self, GUARDED)
