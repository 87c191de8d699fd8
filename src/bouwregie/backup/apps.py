from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "bouwregie.backup"
    label = "backup"
