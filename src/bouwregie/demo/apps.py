from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "bouwregie.demo"
    label = "demo"
