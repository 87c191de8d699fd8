from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bouwregie.accounts"
    label = "accounts"
