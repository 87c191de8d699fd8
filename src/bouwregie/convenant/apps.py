from django.apps import AppConfig

# Append-only at the database too (append_only.guard_after_migrate): every unique key INSERT OR REPLACE could hit.
GUARDED = {
    "convenant_partner": [("id",)],
    "convenant_projectrecord": [("id",), ("project_id", "number")],
}


class ConvenantConfig(AppConfig):
    name = "bouwregie.convenant"
    label = "convenant"

    def ready(self):
        from bouwregie.append_only import guard_after_migrate

        guard_after_migrate(self, GUARDED)
