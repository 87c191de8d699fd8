"""Projects for hand-computed fixtures, written through the one real writer (projects/services.py)."""

from datetime import UTC, datetime

from bouwregie.projects import services
from bouwregie.projects.rules import ProjectData
from bouwregie.projects.services import VersionMeta


def create(name, municipality, when=datetime(2025, 6, 1, tzinfo=UTC), **fields):
    data = ProjectData(name=name, municipality=municipality, **fields)
    meta = VersionMeta(author="test", source="edit", reason="fixture", created_at=when)
    return services.create_project(data, meta).project
