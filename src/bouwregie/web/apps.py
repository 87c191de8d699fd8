from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bouwregie.web"
    label = "web"
