from django.apps import AppConfig

# A materialised snapshot is derived: it may be deleted (and is then rebuilt) but never changed (models.SnapshotPart).
GUARDED = {"monitor_snapshotpart": [("id",), ("peiling_id", "format", "municipality")]}


class MonitorConfig(AppConfig):
    name = "bouwregie.monitor"
    label = "monitor"

    def ready(self):
        from bouwregie.append_only import guard_after_migrate
        from bouwregie.projects import services

        guard_after_migrate(self, GUARDED, refused=("update",))
        services.PEILING_CLOSED_LISTENERS.append(_materialise)


def _materialise(peiling) -> None:
    from bouwregie.monitor import materialised  # numpy and the monitor's modules: not at start-up

    materialised.on_close(peiling)
