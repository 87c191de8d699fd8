from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "bouwregie.monitor"
    label = "monitor"
