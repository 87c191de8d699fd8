from django.apps import AppConfig


class ConvenantConfig(AppConfig):
    name = "bouwregie.convenant"
    label = "convenant"
