"""Finding projects: one filter set for the project list in the browser, its exports and the REST API,
so the three always show the same projects for the same question."""

from dataclasses import dataclass

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from bouwregie.geo.areas import resolve_area
from bouwregie.projects.enums import HARD_STATUSES, SOFT_STATUSES, Lifecycle
from bouwregie.projects.rules import SEGMENTS
from bouwregie.projects.services import current_versions

# What a list can be sorted by (users see the Dutch names in the page); '-' in front sorts descending.
SORTS = {
    "naam": "name",
    "code": "project__code",
    "gemeente": "municipality__name",
    "woningen": "homes_total",
    "planstatus": "plan_status",
    "fase": "phase",
    "bijgewerkt": "created_at",
}


@dataclass
class ProjectQuery:
    area: str | None = None  # NL, PVxx, GMxxxx, a region code or a name (geo.areas)
    search: str | None = None  # part of the name, or an exact project code
    plan_status: str | None = None  # an IPO code, or 'hard' / 'zacht'
    phase: str | None = None  # last milestone reached; '' = none yet
    segment: str | None = None  # projects with homes in this segment
    bottleneck: str | None = None
    lifecycle: str | None = Lifecycle.ACTIEF  # None: every lifecycle
    project_ids: frozenset | None = None  # e.g. the delayed projects of an area
    sort: str = "code"


def find(q: ProjectQuery):
    """The current versions matching q, sorted; raises geo.areas.UnknownArea and ValueError (bad sort,
    segment) with a message for the user."""
    versions = current_versions()
    if q.lifecycle:
        versions = versions.filter(lifecycle=q.lifecycle)
    if q.area:
        area = resolve_area(q.area)
        if area.kind != "nl":
            versions = versions.filter(Q(municipality_id__in=area.municipalities) | Q(project_id__in=area.projects))
    if q.search:
        versions = versions.filter(Q(name__icontains=q.search) | Q(project__code__iexact=q.search))
    if q.plan_status:
        statuses = {"hard": HARD_STATUSES, "zacht": SOFT_STATUSES}.get(q.plan_status, {q.plan_status})
        versions = versions.filter(plan_status__in=statuses)
    if q.phase is not None:
        versions = versions.filter(phase=q.phase)
    if q.segment:
        if q.segment not in SEGMENTS:
            raise ValueError(q.segment)
        versions = versions.filter(**{f"homes_{q.segment}__gt": 0})
    if q.bottleneck:
        # A JSON list of codes; its text contains the quoted code on SQLite and PostgreSQL alike.
        versions = versions.annotate(bottleneck_text=Cast("bottlenecks", TextField())).filter(
            bottleneck_text__contains=f'"{q.bottleneck}"'
        )
    if q.project_ids is not None:
        versions = versions.filter(project_id__in=q.project_ids)
    field = SORTS.get(q.sort.lstrip("-"))
    if field is None:
        raise ValueError(q.sort)
    descending = "-" if q.sort.startswith("-") else ""
    return versions.select_related("project", "municipality").order_by(f"{descending}{field}", "project__code")
