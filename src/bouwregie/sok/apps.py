from django.apps import AppConfig

# Append-only at the database too (append_only.guard_after_migrate): every unique key INSERT OR REPLACE could hit.
GUARDED = {
    "sok_agreement": [("id",), ("name",)],
    "sok_party": [("id",), ("agreement_id", "province")],
    "sok_jaarplan": [("id",), ("agreement_id", "year")],
    "sok_activity": [("id",), ("agreement_id", "year", "number")],
    "sok_budgetline": [("id",), ("jaarplan_id", "name")],
    "sok_contribution": [("id",), ("jaarplan_id", "party_id")],
    "sok_invoice": [("id",), ("number",), ("jaarplan_id", "party_id")],
    "sok_expenditure": [("id",)],
    "sok_budgetchange": [("id",)],
    "sok_annualaccount": [("id",)],
}


class SokConfig(AppConfig):
    name = "bouwregie.sok"
    label = "sok"

    def ready(self):
        from bouwregie.append_only import guard_after_migrate

        guard_after_migrate(self, GUARDED)
