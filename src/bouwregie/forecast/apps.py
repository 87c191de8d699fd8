from django.apps import AppConfig


class ForecastConfig(AppConfig):
    name = "bouwregie.forecast"
    label = "forecast"
