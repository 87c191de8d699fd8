from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "bouwregie.targets"
    label = "targets"
