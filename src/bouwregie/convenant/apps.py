from django.apps import AppConfig

# Append-only at the database too (woondeals.db_guards): every unique key an INSERT OR REPLACE could collide with.
GUARDED = {
    "convenant_partner": [("id",)],
    "convenant_projectrecord": [("id",), ("project_id", "number")],
}


class ConvenantConfig(AppConfig):
    name = "bouwregie.convenant"
    label = "convenant"

    def ready(self):
        from bouwregie.woondeals.db_guards import guard_after_migrate

        guard_after_migrate(self, GUARDED)
