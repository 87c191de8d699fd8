"""The only code that writes projects, versions, milestones and peilingen.

Every write goes through `rules.validate`; invalid input raises `ProjectValidationError` with all
problems in the user's language and writes nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from bouwregie.geo.geojson import geojson_bbox
from bouwregie.geo.matching import AmbiguousMunicipality, MunicipalityMatcher, MunicipalityNotFound
from bouwregie.projects import bulk, rules
from bouwregie.projects.enums import Lifecycle
from bouwregie.projects.models import (
    ExternalId,
    Milestone,
    MilestoneKind,
    Peiling,
    PeilingEntry,
    Project,
    ProjectVersion,
)
from bouwregie.projects.rules import Problem, ProjectData


class ProjectValidationError(ValueError):
    def __init__(self, problems: list[Problem], subject: str = ""):
        self.problems = problems
        prefix = f"{subject}: " if subject else ""
        super().__init__(prefix + " ".join(p.message for p in problems))


class PeilingClosedError(ValueError):
    pass


# Projects that left the pipeline are shown once, in the first peiling after they left, so that the
# monitor can report them as dropped; later peilingen no longer carry them.
GONE = frozenset({Lifecycle.VERVALLEN, Lifecycle.NIET_MEER_IN_PLANLIJST})


def parse_peiling_code(code: str) -> tuple[int, int]:
    """'2025-Q3' -> (2025, 3), with a clear message for anything else."""
    try:
        year, quarter = code.upper().split("-Q")
        year, quarter = int(year), int(quarter)
        if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
            raise ValueError
    except ValueError:
        raise ValueError(_("Ongeldige peiling '%s'; gebruik de vorm 2025-Q3.") % code) from None
    return year, quarter


def get_or_open_peiling(code: str) -> Peiling:
    year, quarter = parse_peiling_code(code)
    peiling, _created = Peiling.objects.get_or_create(
        code=f"{year}-Q{quarter}", defaults={"year": year, "quarter": quarter}
    )
    return peiling


def _matcher() -> MunicipalityMatcher:
    from bouwregie.geo.matching import matcher_from_database

    return matcher_from_database()


def _extra_milestone_kinds() -> frozenset:
    return frozenset(MilestoneKind.objects.values_list("code", flat=True))


@dataclass
class VersionMeta:
    author: str
    source: str
    reason: str
    created_at: datetime | None = None
    source_detail: str = ""
    peiling: str | None = None


def _check(data: ProjectData, meta: VersionMeta, matcher, extra_kinds, subject="") -> str:
    """Validate; return the resolved municipality code or raise with every problem found."""
    now = meta.created_at or timezone.now()
    problems = rules.validate(data, timezone.localtime(now).date(), extra_kinds)
    code = None
    try:
        code = matcher.resolve(data.municipality).code
    except (MunicipalityNotFound, AmbiguousMunicipality) as error:
        problems.insert(0, Problem("municipality", str(error)))
    if not str(meta.reason or "").strip():
        problems.append(Problem("reason", _("Geef een reden voor deze wijziging.")))
    if problems:
        raise ProjectValidationError(problems, subject)
    return code


def _version_row(version_id, project_id, number, data: ProjectData, municipality_code, meta, peiling_id):
    totals = rules.segment_totals(data)
    bbox = geojson_bbox(data.geometry)
    return (
        version_id,
        project_id,
        number,
        meta.created_at,
        meta.author,
        meta.source,
        meta.source_detail,
        meta.reason,
        peiling_id,
        data.name.strip(),
        municipality_code,
        data.lifecycle,
        data.plan_type,
        data.plan_status,
        rules.phase(data.milestones),
        rules.total_homes(data),
        totals["sociale_huur"],
        totals["middenhuur"],
        totals["betaalbare_koop"],
        totals["vrije_sector_huur"],
        totals["dure_koop"],
        totals["onbekend"],
        data.homes,
        data.target_groups,
        data.tenure,
        data.demolitions,
        rules.delivery_phasing(data),
        list(data.bottlenecks),
        data.parallel_plannen,
        list(data.subsidies),
        data.open_book,
        data.geometry,
        bbox,
        data.source_crs,
        data.source_info,
    )


VERSION_COLUMNS = [
    "id",
    "project_id",
    "number",
    "created_at",
    "author",
    "source",
    "source_detail",
    "reason",
    "peiling_id",
    "name",
    "municipality_id",
    "lifecycle",
    "plan_type",
    "plan_status",
    "phase",
    "homes_total",
    "homes_sociale_huur",
    "homes_middenhuur",
    "homes_betaalbare_koop",
    "homes_vrije_sector_huur",
    "homes_dure_koop",
    "homes_onbekend",
    "homes_by_segment",
    "target_groups",
    "tenure",
    "demolitions",
    "phasing",
    "bottlenecks",
    "parallel_plannen",
    "subsidies",
    "open_book",
    "geometry",
    "bbox",
    "source_crs",
    "source_info",
]
MILESTONE_COLUMNS = ["version_id", "kind", "sequence", "planned", "actual", "homes"]


def _open_peiling_id(code: str | None) -> int | None:
    if not code:
        return None
    peiling = get_or_open_peiling(code)
    if peiling.is_closed:
        raise PeilingClosedError(
            _("Peiling %s is gesloten; wijzigingen tellen mee in de volgende peiling.") % peiling.code
        )
    return peiling.id


@transaction.atomic
def create_project(
    data: ProjectData,
    meta: VersionMeta,
    code: str | None = None,
    external_ids: Iterable[tuple[str, str]] = (),
) -> ProjectVersion:
    meta.created_at = meta.created_at or timezone.now()
    municipality = _check(data, meta, _matcher(), _extra_milestone_kinds())
    peiling_id = _open_peiling_id(meta.peiling)
    (project_id,) = bulk.next_ids(Project, 1)
    project = Project(id=project_id, code=code or project_code(project_id), created_at=meta.created_at)
    project.save()
    for source, external_id in external_ids:
        ExternalId(project_id=project.id, source=source, external_id=external_id).save()
    return _append_version(project.id, 1, data, municipality, meta, peiling_id)


@transaction.atomic
def create_version(project: Project, data: ProjectData, meta: VersionMeta) -> ProjectVersion:
    meta.created_at = meta.created_at or timezone.now()
    municipality = _check(data, meta, _matcher(), _extra_milestone_kinds(), project.code)
    peiling_id = _open_peiling_id(meta.peiling)
    last = ProjectVersion.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
    return _append_version(project.id, last + 1, data, municipality, meta, peiling_id)


def _append_version(project_id, number, data, municipality, meta, peiling_id) -> ProjectVersion:
    (version_id,) = bulk.next_ids(ProjectVersion, 1)
    bulk.insert_rows(
        ProjectVersion,
        VERSION_COLUMNS,
        [_version_row(version_id, project_id, number, data, municipality, meta, peiling_id)],
    )
    bulk.insert_rows(
        Milestone,
        MILESTONE_COLUMNS,
        [(version_id, m.kind, m.sequence, m.planned, m.actual, m.homes) for m in data.milestones],
    )
    bulk.reset_sequences(Project, ExternalId, ProjectVersion, Milestone)
    return ProjectVersion.objects.get(pk=version_id)


def project_code(project_id: int) -> str:
    return f"BR-{project_id:07d}"


def current_versions():
    """The newest version of every project ("current is the newest", DESIGN.md)."""
    newest = (
        ProjectVersion.objects.filter(project=OuterRef("project")).order_by("-number").values("number")[:1]
    )
    return ProjectVersion.objects.filter(number=Subquery(newest))


def counts_in_peiling(lifecycle: str, changed_since_previous_close: bool) -> bool:
    """Whether a project's version belongs in a peiling (see GONE)."""
    return lifecycle not in GONE or changed_since_previous_close


@transaction.atomic
def close_peiling(code: str, author: str, now: datetime | None = None) -> Peiling:
    """Freeze, for every project, the newest version as of now into the peiling. Irreversible."""
    now = now or timezone.now()
    peiling = get_or_open_peiling(code)
    peiling = Peiling.objects.select_for_update().get(pk=peiling.pk)
    if peiling.is_closed:
        raise PeilingClosedError(_("Peiling %s is al gesloten.") % peiling.code)
    later_closed = Peiling.objects.filter(closed_at__isnull=False).filter(
        Q(year__gt=peiling.year) | Q(year=peiling.year, quarter__gt=peiling.quarter)
    )
    if later_closed.exists():
        raise PeilingClosedError(
            _("Peiling %(code)s kan niet meer gesloten worden: %(later)s is al gesloten.")
            % {"code": peiling.code, "later": later_closed.order_by("year", "quarter").first().code}
        )
    previous = Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").first()
    previous_close = previous.closed_at if previous else None
    newest: dict[int, tuple[int, int, str, datetime]] = {}
    rows = ProjectVersion.objects.filter(created_at__lte=now).values_list(
        "id", "project_id", "number", "lifecycle", "created_at"
    )
    for vid, pid, number, lifecycle, created in rows.iterator(chunk_size=20_000):
        if pid not in newest or number > newest[pid][1]:
            newest[pid] = (vid, number, lifecycle, created)
    entries = [
        (peiling.id, pid, vid)
        for pid, (vid, _n, lifecycle, created) in newest.items()
        if counts_in_peiling(lifecycle, previous_close is None or created > previous_close)
    ]
    bulk.insert_rows(PeilingEntry, ["peiling_id", "project_id", "version_id"], entries)
    Peiling.objects.filter(pk=peiling.pk).update(closed_at=now, closed_by=author)
    peiling.refresh_from_db()
    return peiling


@dataclass
class HistoricProject:
    """A project with its whole history, as the demo generator (or a migration of old data)
    delivers it: versions in order, and the peilingen in which each version counted."""

    code: str
    versions: list[tuple[ProjectData, VersionMeta]]
    external_ids: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def write_history(
    projects: list[HistoricProject],
    peilingen: dict[str, datetime],
    entries: list[tuple[str, int, int]],
    author: str,
) -> dict[str, int]:
    """Append many projects with their history and close the given peilingen with the given
    entries (peiling code, index into `projects`, index into that project's versions).

    Everything is validated with the same rules as single edits; any problem rejects all of it.
    """
    matcher = _matcher()
    extra_kinds = _extra_milestone_kinds()
    resolved = [
        [_check(data, meta, matcher, extra_kinds, p.code) for data, meta in p.versions] for p in projects
    ]
    project_ids = bulk.next_ids(Project, len(projects))
    version_count = sum(len(p.versions) for p in projects)
    version_ids = iter(bulk.next_ids(ProjectVersion, version_count))
    bulk.insert_rows(
        Project,
        ["id", "code", "created_at"],
        ((pid, p.code, p.versions[0][1].created_at) for pid, p in zip(project_ids, projects, strict=True)),
    )
    bulk.insert_rows(
        ExternalId,
        ["project_id", "source", "external_id"],
        (
            (pid, source, ext)
            for pid, p in zip(project_ids, projects, strict=True)
            for source, ext in p.external_ids
        ),
    )
    version_id_of: list[list[int]] = []
    version_rows, milestone_rows = [], []
    for pid, p, codes in zip(project_ids, projects, resolved, strict=True):
        ids = []
        for number, ((data, meta), municipality) in enumerate(zip(p.versions, codes, strict=True), start=1):
            vid = next(version_ids)
            ids.append(vid)
            version_rows.append(_version_row(vid, pid, number, data, municipality, meta, None))
            milestone_rows.extend(
                (vid, m.kind, m.sequence, m.planned, m.actual, m.homes) for m in data.milestones
            )
        version_id_of.append(ids)
    bulk.insert_rows(ProjectVersion, VERSION_COLUMNS, version_rows)
    bulk.insert_rows(Milestone, MILESTONE_COLUMNS, milestone_rows)
    peiling_ids = {}
    for code in peilingen:
        peiling = get_or_open_peiling(code)
        if peiling.is_closed:
            raise PeilingClosedError(_("Peiling %s is al gesloten.") % peiling.code)
        peiling_ids[code] = peiling.id
    bulk.insert_rows(
        PeilingEntry,
        ["peiling_id", "project_id", "version_id"],
        ((peiling_ids[code], project_ids[i], version_id_of[i][j]) for code, i, j in entries),
    )
    for code, closed_at in peilingen.items():
        Peiling.objects.filter(pk=peiling_ids[code]).update(closed_at=closed_at, closed_by=author)
    bulk.reset_sequences(Project, ExternalId, ProjectVersion, Milestone, PeilingEntry)
    return {
        "projecten": len(projects),
        "versies": version_count,
        "mijlpalen": len(milestone_rows),
        "peilingregels": len(entries),
    }
