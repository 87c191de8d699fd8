from django.apps import AppConfig


class WoontopConfig(AppConfig):
    name = "bouwregie.woontop"
    label = "woontop"
