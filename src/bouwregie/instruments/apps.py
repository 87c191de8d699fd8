from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "bouwregie.instruments"
    label = "instruments"
