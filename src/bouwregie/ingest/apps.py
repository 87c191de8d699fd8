from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "bouwregie.ingest"
    label = "ingest"
