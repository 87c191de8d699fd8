"""The only code that writes projects, versions, milestones and peilingen.

Every write goes through `rules.validate`; invalid input raises `ProjectValidationError` with all
problems in the user's language and writes nothing. Single edits, imports and the demo history
share one insert path (`_insert_projects`, `_insert_versions`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bouwregie.geo.geojson import geojson_bbox
from bouwregie.geo.matching import AmbiguousMunicipality, MunicipalityMatcher, MunicipalityNotFound
from bouwregie.projects import bag_ids, bulk, rules
from bouwregie.projects.enums import Lifecycle
from bouwregie.projects.models import (
    CurrentVersion,
    ExternalId,
    Milestone,
    MilestoneKind,
    Peiling,
    PeilingEntry,
    Project,
    ProjectVersion,
    VersionSeal,
)
from bouwregie.projects.planned_delivery import planned_delivery_sql
from bouwregie.projects.rules import MilestoneData, Problem, ProjectData


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


def open_peiling_id(code: str | None) -> int | None:
    """The id of an open peiling to tag new versions with; refuses a closed one."""
    if not code:
        return None
    peiling = get_or_open_peiling(code)
    if peiling.is_closed:
        raise PeilingClosedError(
            _("Peiling %s is gesloten; wijzigingen tellen mee in de volgende peiling.") % peiling.code
        )
    return peiling.id


def matcher() -> MunicipalityMatcher:
    from bouwregie.geo.matching import matcher_from_database

    return matcher_from_database()


def extra_milestone_kinds() -> frozenset:
    return frozenset(MilestoneKind.objects.values_list("code", flat=True))


@dataclass
class VersionMeta:
    author: str
    source: str
    reason: str
    created_at: datetime | None = None
    source_detail: str = ""
    peiling: str | None = None


def problems(data: ProjectData, today: date, municipalities: MunicipalityMatcher, extra_kinds=frozenset()):
    """(municipality code or None, every problem) for one version; never raises."""
    found = rules.validate(data, today, extra_kinds)
    try:
        code = municipalities.resolve(data.municipality).code
    except (MunicipalityNotFound, AmbiguousMunicipality) as error:
        code = None
        found.insert(0, Problem("municipality", str(error)))
    return code, found


_MINT = object()


class Checked:
    """A version that passed `check`. Only this module mints them, so a writer that accepts a Checked
    needs no second validation (imports validate each row once, yet nothing unvalidated is written)."""

    __slots__ = ("data", "municipality")

    def __init__(self, data: ProjectData, municipality: str, mint):
        if mint is not _MINT:
            raise TypeError("Checked wordt alleen door services.check gemaakt.")
        self.data, self.municipality = data, municipality


def check(data: ProjectData, today: date, municipalities: MunicipalityMatcher, extra_kinds=frozenset()):
    """(Checked or None, problems): validate one version for a later write."""
    code, found = problems(data, today, municipalities, extra_kinds)
    return (None if found else Checked(data, code, _MINT)), found


def _checked(data: ProjectData, meta: VersionMeta, municipalities, extra_kinds, subject="") -> str:
    """Validate; return the resolved municipality code or raise with every problem found."""
    today = timezone.localtime(meta.created_at or timezone.now()).date()
    code, found = problems(data, today, municipalities, extra_kinds)
    if not str(meta.reason or "").strip():
        found.append(Problem("reason", _("Geef een reden voor deze wijziging.")))
    elif "\x00" in str(meta.reason):  # PostgreSQL cannot store it (issue #16); a multipart form can carry it
        found.append(Problem("reason", _("De reden bevat een NUL-teken (0x00).")))
    if found:
        raise ProjectValidationError(found, subject)
    return code


VERSION_COLUMNS = [
    "id", "project_id", "number", "created_at", "author", "source", "source_detail", "reason", "peiling_id",
    "name", "municipality_id", "lifecycle", "plan_type", "plan_status", "phase", "homes_total",
    "homes_sociale_huur", "homes_middenhuur", "homes_betaalbare_koop", "homes_vrije_sector_huur",
    "homes_dure_koop", "homes_onbekend", "homes_by_segment", "target_groups", "tenure", "demolitions",
    "phasing", "bottlenecks", "parallel_plannen", "subsidies", "open_book", "geometry", "bbox", "source_crs",
    "source_info", "bag_ids",
]  # fmt: skip
MILESTONE_COLUMNS = ["version_id", "kind", "sequence", "planned", "actual", "homes"]


def _version_row(version_id, project_id, number, data: ProjectData, municipality_code, meta, peiling_id):
    totals = rules.segment_totals(data)
    total = sum(totals.values())
    return (
        version_id, project_id, number, meta.created_at, meta.author, meta.source, meta.source_detail,
        meta.reason, peiling_id, data.name.strip(), municipality_code, data.lifecycle, data.plan_type,
        data.plan_status, rules.phase(data.milestones), total, totals["sociale_huur"],
        totals["middenhuur"], totals["betaalbare_koop"], totals["vrije_sector_huur"], totals["dure_koop"],
        totals["onbekend"], data.homes, data.target_groups, data.tenure, data.demolitions,
        rules.delivery_phasing(data), list(data.bottlenecks), data.parallel_plannen, list(data.subsidies),
        data.open_book, data.geometry, geojson_bbox(data.geometry), data.source_crs, data.source_info,
        list(bag_ids.canonical(data.bag_ids)),
    )  # fmt: skip


@dataclass
class NewVersion:
    project_id: int
    number: int
    data: ProjectData
    municipality: str
    meta: VersionMeta
    peiling_id: int | None = None


def _insert_projects(specs: list[tuple[str | None, datetime, Iterable[tuple[str, str]]]]) -> list[int]:
    """Insert projects (code or None for a generated BR-code, created_at, external ids); their ids."""
    ids = list(bulk.next_ids(Project, len(specs)))
    bulk.insert_rows(Project, ["id", "code", "created_at"], (
        (pid, code or project_code(pid), created) for pid, (code, created, _ext) in zip(ids, specs, strict=True)
    ))  # fmt: skip
    bulk.insert_rows(ExternalId, ["project_id", "source", "external_id"], (
        (pid, source, ext) for pid, (_c, _t, externals) in zip(ids, specs, strict=True) for source, ext in externals
    ))  # fmt: skip
    return ids


# Called after new versions are written, in the same transaction, with (project id, version number, the new
# ProjectData, its municipality code, author) per version: registraties relinks the BAG objects of the projects whose
# BAG ids or plan area changed (registraties.apps; issue #18, point 4). A listener reads what it needs itself, so a
# load pays nothing for it when there is nothing to do (no BAG extract loaded).
VERSION_LISTENERS: list = []
# Called with each Peiling just closed, inside the closing transaction (monitor.materialised: what is derived from a
# closed peiling is computed once, at close; issue #21). Filled by apps' ready(), as VERSION_LISTENERS.
PEILING_CLOSED_LISTENERS: list = []


def _insert_versions(versions: list[NewVersion]) -> list[int]:
    ids = list(bulk.next_ids(ProjectVersion, len(versions)))
    bulk.insert_rows(ProjectVersion, VERSION_COLUMNS, (
        _version_row(vid, v.project_id, v.number, v.data, v.municipality, v.meta, v.peiling_id)
        for vid, v in zip(ids, versions, strict=True)
    ))  # fmt: skip
    bulk.insert_rows(Milestone, MILESTONE_COLUMNS, (
        (vid, m.kind, m.sequence, m.planned, m.actual, m.homes)
        for vid, v in zip(ids, versions, strict=True) for m in v.data.milestones
    ))  # fmt: skip
    # Sealed: the database refuses any milestone for these versions from now on (db_guards).
    bulk.insert_rows(VersionSeal, ["version_id"], ((vid,) for vid in ids))
    _set_current(ids)
    for listener in VERSION_LISTENERS:
        listener([(v.project_id, v.number, v.data, v.municipality, v.meta.author) for v in versions])
    return ids


def _set_current(ids: list[int]) -> None:
    """Point every project written in this block of versions at its newest version. Two set-based
    statements over the block (next_ids reserves consecutive ids): no row passes through Python."""
    if not ids:
        return
    block = [ids[0], ids[-1]]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM projects_currentversion WHERE project_id IN "
            "(SELECT project_id FROM projects_projectversion WHERE id BETWEEN %s AND %s)", block
        )  # fmt: skip
        cursor.execute(
            "INSERT INTO projects_currentversion (project_id, version_id, municipality_id, lifecycle, code, "
            f"planned_delivery) SELECT v.project_id, v.id, v.municipality_id, v.lifecycle, p.code, "
            f"{planned_delivery_sql('v')} FROM projects_projectversion v "
            "JOIN projects_project p ON p.id = v.project_id WHERE v.id BETWEEN %s AND %s AND v.number = "
            "(SELECT MAX(u.number) FROM projects_projectversion u WHERE u.project_id = v.project_id)", block
        )  # fmt: skip


def _done(new_versions: int = 0):
    bulk.reset_sequences(Project, ExternalId, ProjectVersion, Milestone, PeilingEntry)
    bulk.refresh_statistics(new_versions, Project, ExternalId, ProjectVersion, Milestone, PeilingEntry, CurrentVersion,
                            VersionSeal)  # fmt: skip


@transaction.atomic
def create_project(data: ProjectData, meta: VersionMeta, code: str | None = None,
                   external_ids: Iterable[tuple[str, str]] = ()) -> ProjectVersion:  # fmt: skip
    meta.created_at = meta.created_at or timezone.now()
    municipality = _checked(data, meta, matcher(), extra_milestone_kinds())
    peiling_id = open_peiling_id(meta.peiling)
    (project_id,) = _insert_projects([(code, meta.created_at, list(external_ids))])
    (version_id,) = _insert_versions([NewVersion(project_id, 1, data, municipality, meta, peiling_id)])
    _done()
    return ProjectVersion.objects.get(pk=version_id)


@transaction.atomic
def create_version(project: Project, data: ProjectData, meta: VersionMeta) -> ProjectVersion:
    meta.created_at = meta.created_at or timezone.now()
    municipality = _checked(data, meta, matcher(), extra_milestone_kinds(), project.code)
    peiling_id = open_peiling_id(meta.peiling)
    last = ProjectVersion.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
    (version_id,) = _insert_versions([NewVersion(project.id, last + 1, data, municipality, meta, peiling_id)])
    _done()
    return ProjectVersion.objects.get(pk=version_id)


def project_code(project_id: int) -> str:
    return f"BR-{project_id:07d}"


def current_versions():
    """The newest version of every project ("current is the newest", DESIGN.md)."""
    return ProjectVersion.objects.filter(current__isnull=False)


def version_data(version: dict, milestones: list[tuple]) -> ProjectData:
    """Rebuild the plain data of a stored version (a `values()` row and its milestone tuples)."""
    stones = tuple(MilestoneData(kind, planned, actual, homes, seq) for kind, seq, planned, actual, homes in milestones)
    dated_delivery = any(m.kind == "oplevering" and m.date for m in stones)
    return ProjectData(
        name=version["name"], municipality=version["municipality_id"], homes=version["homes_by_segment"],
        plan_type=version["plan_type"], plan_status=version["plan_status"], lifecycle=version["lifecycle"],
        target_groups=version["target_groups"], tenure=version["tenure"], demolitions=version["demolitions"],
        phasing={} if dated_delivery else version["phasing"], bottlenecks=tuple(version["bottlenecks"]),
        parallel_plannen=version["parallel_plannen"], subsidies=tuple(version["subsidies"]),
        open_book=version["open_book"], geometry=version["geometry"], source_crs=version["source_crs"],
        milestones=stones, source_info=version["source_info"], bag_ids=tuple(version["bag_ids"]),
    )  # fmt: skip


VERSION_DATA_FIELDS = [
    "id", "project_id", "number", "name", "municipality_id", "homes_by_segment", "plan_type", "plan_status",
    "lifecycle", "target_groups", "tenure", "demolitions", "phasing", "bottlenecks", "parallel_plannen",
    "subsidies", "open_book", "geometry", "source_crs", "source_info", "bag_ids",
]  # fmt: skip


def _data_of(versions) -> dict[int, tuple[int, ProjectData]]:
    """{project id: (version number, plain data)} for a queryset of versions, milestones included."""
    rows = list(versions.values(*VERSION_DATA_FIELDS))
    stones: dict[int, list] = {v["id"]: [] for v in rows}
    milestones = Milestone.objects.filter(version_id__in=list(stones)).order_by()
    for vid, *rest in milestones.values_list("version_id", "kind", "sequence", "planned", "actual", "homes"):
        stones[vid].append(tuple(rest))
    return {v["project_id"]: (v["number"], version_data(v, stones[v["id"]])) for v in rows}


def current_data(project_ids: Iterable[int]) -> dict[int, tuple[int, ProjectData]]:
    """{project id: (current version number, its data)} for the given projects."""
    ids = sorted(set(project_ids))
    result = {}
    for start in range(0, len(ids), 5000):
        result.update(_data_of(current_versions().filter(project_id__in=ids[start : start + 5000])))
    return result


def peiling_data(code: str, project_ids: list[int] | None = None) -> dict[int, tuple[int, ProjectData]]:
    """{project id: (version number, data)} as frozen in a peiling; only those of `project_ids` if given."""
    entries = PeilingEntry.objects.filter(peiling__code=code)
    if project_ids is not None:
        entries = entries.filter(project_id__in=project_ids)
    return _data_of(ProjectVersion.objects.filter(id__in=entries.values("version_id")))


def counts_in_peiling(lifecycle: str, changed_since_previous_close: bool) -> bool:
    """Whether a project's version belongs in a peiling (see GONE)."""
    return lifecycle not in GONE or changed_since_previous_close


class QuarterRunningError(ValueError):
    """Closing a peiling whose quarter has not ended needs an explicit confirmation (issue #19)."""


def quarter_end(code: str) -> date:
    """The last day of a peiling's quarter: 2026-Q4 -> 31 December 2026."""
    year, quarter = parse_peiling_code(code)
    return date(year + quarter // 4, quarter % 4 * 3 + 1, 1) - timedelta(days=1)


def quarter_running(code: str, today: date) -> bool:
    """Whether the quarter of peiling `code` is still running on `today` (its last day included): a peiling is
    the state at the end of its quarter, so closing it earlier leaves out what the rest of the quarter brings."""
    return today <= quarter_end(code)


def running_quarter_warning(code: str) -> str:
    return _(
        "Het kwartaal van peiling %(code)s loopt nog tot en met %(end)s. Wie nu sluit, legt de stand van vandaag "
        "vast; wat de rest van het kwartaal binnenkomt, telt pas in de volgende peiling."
    ) % {"code": code.upper(), "end": f"{quarter_end(code):%-d-%-m-%Y}"}


@transaction.atomic
def close_peiling(code: str, author: str, now: datetime | None = None, allow_running: bool = False) -> Peiling:
    """Freeze, for every project, the newest version as of now into the peiling. Irreversible.

    A quarter that is still running at `now` is refused (QuarterRunningError) unless `allow_running`: the web
    form, the CLI (`--allow-running-quarter`) and the API (`lopend_kwartaal=true`) ask for it explicitly."""
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
    today = timezone.localtime(now).date() if timezone.is_aware(now) else now.date()
    if not allow_running and quarter_running(peiling.code, today):  # nothing written: the transaction rolls back
        raise QuarterRunningError(running_quarter_warning(peiling.code))
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
    for listener in PEILING_CLOSED_LISTENERS:
        listener(peiling)
    return peiling


@dataclass
class HistoricProject:
    """A project with its whole history, as the demo generator (or a migration of old data)
    delivers it: versions in order, and the peilingen in which each version counted."""

    code: str
    versions: list[tuple[ProjectData, VersionMeta]]
    external_ids: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def write_history(projects: list[HistoricProject], peilingen: dict[str, datetime],
                  entries: list[tuple[str, int, int]], author: str) -> dict[str, int]:  # fmt: skip
    """Append many projects with their history and close the given peilingen with the given
    entries (peiling code, index into `projects`, index into that project's versions).

    Everything is validated with the same rules as single edits; any problem rejects all of it.
    """
    return write_history_in_chunks([(projects, entries)], peilingen, author)


@transaction.atomic
def write_history_in_chunks(chunks, peilingen: dict[str, datetime], author: str, progress=None) -> dict[str, int]:
    """`write_history` for a history too large to hold at once (the demo at 250,000 projects, issue #21): `chunks`
    yields (projects, entries) with the entries' project index counting within its chunk, and each chunk is
    validated and written before the next is made, so memory does not grow with the number of projects.

    One transaction: any problem in any chunk rejects all of it, and nothing is closed before the last chunk.
    On PostgreSQL the foreign keys are DEFERRABLE INITIALLY DEFERRED (Django's default): every row's check
    waited for the COMMIT, ~9 minutes at 250,000 projects; they are checked as each chunk is written instead
    (SET CONSTRAINTS ALL IMMEDIATE: the checks so far run at once, later ones per statement; DEFERRED again at the
    end, Django's default, as every deferrable constraint here is one of its foreign keys), still inside the one
    transaction. The rows go in parents first, so no check needs to wait. `progress(counts)` after each chunk."""
    municipalities, extra_kinds = matcher(), extra_milestone_kinds()
    peiling_ids = {}
    for code in peilingen:
        peiling = get_or_open_peiling(code)
        if peiling.is_closed:
            raise PeilingClosedError(_("Peiling %s is al gesloten.") % peiling.code)
        peiling_ids[code] = peiling.id
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # until the end of this transaction
    counts = {"projecten": 0, "versies": 0, "mijlpalen": 0, "peilingregels": 0}
    for projects, entries in chunks:
        resolved = [[_checked(d, m, municipalities, extra_kinds, p.code) for d, m in p.versions] for p in projects]
        project_ids = _insert_projects([(p.code, p.versions[0][1].created_at, p.external_ids) for p in projects])
        versions = [
            NewVersion(pid, number, data, municipality, meta)
            for pid, p, codes in zip(project_ids, projects, resolved, strict=True)
            for number, ((data, meta), municipality) in enumerate(zip(p.versions, codes, strict=True), start=1)
        ]
        version_ids = iter(_insert_versions(versions))
        version_id_of = [[next(version_ids) for _v in p.versions] for p in projects]
        bulk.insert_rows(PeilingEntry, ["peiling_id", "project_id", "version_id"], (
            (peiling_ids[code], project_ids[i], version_id_of[i][j]) for code, i, j in entries
        ))  # fmt: skip
        counts["projecten"] += len(projects)
        counts["versies"] += len(versions)
        counts["mijlpalen"] += sum(len(v.data.milestones) for v in versions)
        counts["peilingregels"] += len(entries)
        if progress:
            progress(counts)
        del projects, entries, resolved, versions, version_id_of  # else held while the next chunk is made
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for the rest of the transaction
    for code, closed_at in peilingen.items():
        Peiling.objects.filter(pk=peiling_ids[code]).update(closed_at=closed_at, closed_by=author)
    # A history closes many peilingen at once: the listeners hear of the latest two (what the server warms and the
    # dashboards and delays ask first); an older one is materialised when first asked (monitor/materialised.py).
    for peiling in Peiling.objects.filter(pk__in=peiling_ids.values()).order_by("-year", "-quarter")[:2]:
        for listener in PEILING_CLOSED_LISTENERS:
            listener(peiling)
    _done(counts["versies"])
    return counts


@dataclass
class ImportedProject:
    """A project an import creates: its code (or None for a new BR-code), ids in the source, data."""

    code: str | None
    external_ids: list[tuple[str, str]]
    version: Checked


@transaction.atomic
def write_import(new: list[ImportedProject], updates: list[tuple[int, Checked]],
                 links: list[tuple[int, str, str]], meta: VersionMeta) -> dict[str, int]:  # fmt: skip
    """Append an import: new projects, new versions of changed projects, and external ids that link
    existing projects to this source. Takes only versions that passed `check`."""
    if not all(isinstance(c, Checked) for c in [p.version for p in new] + [c for _pid, c in updates]):
        raise TypeError("write_import neemt alleen versies aan die services.check heeft goedgekeurd.")
    if not str(meta.reason or "").strip():
        raise ProjectValidationError([Problem("reason", _("Geef een reden voor deze wijziging."))])
    meta.created_at = meta.created_at or timezone.now()
    peiling_id = open_peiling_id(meta.peiling)
    project_ids = _insert_projects([(p.code, meta.created_at, p.external_ids) for p in new])
    numbers = dict(
        ProjectVersion.objects.filter(project_id__in=[pid for pid, _c in updates])
        .values("project_id").annotate(n=Max("number")).values_list("project_id", "n")
    )  # fmt: skip
    versions = [NewVersion(pid, 1, p.version.data, p.version.municipality, meta, peiling_id)
                for pid, p in zip(project_ids, new, strict=True)]  # fmt: skip
    versions += [NewVersion(pid, numbers[pid] + 1, c.data, c.municipality, meta, peiling_id) for pid, c in updates]
    _insert_versions(versions)
    bulk.insert_rows(ExternalId, ["project_id", "source", "external_id"], links)
    _done(len(versions))
    return {"nieuw": len(new), "gewijzigd": len(updates), "ids": project_ids}
