from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "bouwregie.api"
    label = "api"
