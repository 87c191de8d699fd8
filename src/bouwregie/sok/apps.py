from django.apps import AppConfig


class SokConfig(AppConfig):
    name = "bouwregie.sok"
    label = "sok"
