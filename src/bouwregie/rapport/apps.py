from django.apps import AppConfig


class RapportConfig(AppConfig):
    name = "bouwregie.rapport"
    verbose_name = "Kwartaalrapportage"
