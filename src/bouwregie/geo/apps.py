from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "bouwregie.geo"
    label = "geo"
