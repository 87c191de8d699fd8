"""REST API for the projects (issue #5): the list with its filters, one project, its milestones and its
history, and changes — each a new version with a reason, under the same rules as the web pages
(projects/services.py) and the same permission policy (accounts/policy.py). docs/api.md."""

from dataclasses import replace
from datetime import date, datetime
from typing import Literal

import orjson
from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from bouwregie.accounts import policy
from bouwregie.api.common import ERRORS, SIGNED_IN, Input, InvalidParameter, principal, require_projects
from bouwregie.geo.geojson import GeometryRefused, checked_geojson
from bouwregie.geo.models import Municipality
from bouwregie.limits import int_range, max_length
from bouwregie.projects import search, services
from bouwregie.projects.enums import Bottleneck, Lifecycle, PlanStatus
from bouwregie.projects.milestones import MILESTONE_CODES, private_milestones_only_message
from bouwregie.projects.models import Milestone, MilestoneKind, Project, ProjectVersion
from bouwregie.projects.rules import SEGMENTS, MilestoneData, ProjectData, canonical, only_private_milestones_changed
from bouwregie.projects.services import current_versions

MAX_PAGE_SIZE = 100


class ProjectSummary(Schema):
    code: str
    name: str
    municipality_code: str
    municipality: str
    province_code: str
    version: int
    updated_at: datetime
    lifecycle: str
    plan_type: str
    plan_status: str
    phase: str
    homes_total: int
    homes_by_segment: dict[str, int]


class MilestoneOut(Schema):
    kind: str
    sequence: int
    planned: date | None = None
    actual: date | None = None
    homes: int | None = None


# The limits of the columns, from the models (bouwregie.limits): in the OpenAPI document and checked by the
# schema, so PostgreSQL never sees a value it would refuse with a server error (issue #16).
NAME = Field(None, max_length=max_length(ProjectVersion, "name"))
SEQUENCE = {"ge": 1, "le": int_range(Milestone, "sequence")[1]}
HOMES = {"ge": 0, "le": int_range(Milestone, "homes")[1]}


class MilestoneIn(MilestoneOut, Input):
    sequence: int = Field(1, **SEQUENCE)
    homes: int | None = Field(None, **HOMES)


class ExternalIdOut(Schema):
    """The id a source (a province's plan list, a municipality's system) gives the project."""

    source: str
    external_id: str


class ProjectDetail(ProjectSummary):
    housing: dict
    target_groups: dict
    tenure: dict
    demolitions: int
    phasing: dict
    bottlenecks: list[str]
    parallel_plannen: bool
    subsidies: list
    bag_ids: list[str] = Field(description="BAG-id's van verblijfsobjecten (01) en panden (10), 16 cijfers")
    geometry: dict | None = None
    source_crs: str
    source_info: dict
    milestones: list[MilestoneOut]
    external_ids: list[ExternalIdOut]
    open_book: dict | None = None


class VersionOut(Schema):
    version: int
    created_at: datetime
    author: str
    source: str
    source_detail: str
    reason: str
    peiling: str | None = None


class ProjectChange(Input):
    """Fields to change; what is left out stays as it is. Every change is a new version with a reason."""

    reason: str
    name: str | None = NAME
    municipality: str | None = None
    homes: dict[str, dict[str, int]] | None = None  # {segment: {woningtype: aantal}}
    plan_type: str | None = None
    plan_status: str | None = None
    lifecycle: str | None = None
    target_groups: dict[str, int] | None = None
    tenure: dict[str, int] | None = None
    demolitions: int | None = Field(None, ge=0, le=int_range(ProjectVersion, "demolitions")[1])
    phasing: dict[str, int] | None = None
    bottlenecks: list[str] | None = None
    bag_ids: list[str] | None = Field(
        None, description="BAG-id's (16 cijfers; verblijfsobject 01 of pand 10); [] wist ze"
    )
    parallel_plannen: bool | None = None
    milestones: list[MilestoneIn] | None = None
    geometry: dict | None = None


class ProjectNew(ProjectChange):
    name: str = Field(max_length=max_length(ProjectVersion, "name"))
    municipality: str


class ProjectPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProjectSummary]
    links: dict[str, str | None]


class ProjectFilters(Schema):
    area: str | None = None
    search: str | None = None  # part of the name, or an exact project code or external id
    q: str | None = None  # the same as search, under the name free-text parameters usually have
    external_id: str | None = None  # the id a source's plan list gives the project (exact, any case)
    source: str | None = None  # only external ids of this source (with external_id, or alone: all it listed)
    # Every closed list is an enum in the OpenAPI document, so an unknown value is a 400 naming the allowed ones
    # (issue #16: unknown plan_status/phase/lifecycle answered 200 and nothing, an unknown segment 400).
    plan_status: Literal[tuple(PlanStatus.values)] | None = None  # type: ignore[valid-type]  # IPO code, hard/zacht
    phase: str | None = None  # a milestone kind (the standard list and a table's own), '' = none reached yet
    segment: Literal[SEGMENTS] | None = None  # type: ignore[valid-type]  # projects with homes in this segment
    bottleneck: Literal[tuple(Bottleneck.values)] | None = None  # type: ignore[valid-type]
    lifecycle: Literal[(*Lifecycle.values, "alle", "")] = "actief"  # type: ignore[valid-type]  # alle/'': every one
    delayed: bool = False  # only projects that slipped between the two latest closed peilingen
    page: int = Field(1, ge=1, le=1_000_000)  # an offset beyond int64 was a server error (found by schemathesis)
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


class MilestoneChange(Input):
    """One milestone's dates (and, for an oplevering, its homes). A field left out keeps its recorded value
    (recording the actual date keeps the planned one, issue #19); `null` clears it."""

    reason: str
    planned: date | None = None
    actual: date | None = None
    homes: int | None = Field(None, **HOMES)


def build_router() -> Router:
    router = Router(tags=["projecten"])

    @router.get(
        "/projects",
        response={200: ProjectPage, **ERRORS},
        auth=SIGNED_IN,
        summary="Projecten (huidige versie), gefilterd",
    )
    def projects(request, filters: Query[ProjectFilters]):
        require_projects(request)
        if filters.q and filters.search and filters.q != filters.search:
            raise ValueError("Geef q of search, niet twee verschillende zoekteksten.")
        if filters.phase:
            phases = (*MILESTONE_CODES, *MilestoneKind.objects.order_by("order").values_list("code", flat=True))
            if filters.phase not in phases:
                raise InvalidParameter("phase", filters.phase, phases)
        if filters.delayed:
            from bouwregie.monitor.delays import delayed_since_last_peiling  # numpy: only for this filter

            delayed = delayed_since_last_peiling(filters.area or "NL")
        query = search.ProjectQuery(
            area=filters.area, search=filters.search or filters.q, plan_status=filters.plan_status, phase=filters.phase,
            segment=filters.segment, bottleneck=filters.bottleneck,
            lifecycle=None if filters.lifecycle in ("alle", "") else filters.lifecycle,
            project_ids=delayed if filters.delayed else None,
            external_id=filters.external_id, external_source=filters.source,
        )  # fmt: skip
        count, page = search.summary_page(query, (filters.page - 1) * filters.page_size, filters.page_size)
        rows = [_summary_of_row(row) for row in page]
        last = max(1, -(-count // filters.page_size))
        # The API's hot path (machine clients poll it): rows from plain values, serialised once. Letting the
        # response schema re-validate 25 rows field by field cost as much as the query; the contract tests
        # (tests/test_api_contract.py) hold the answer to the ProjectPage schema in the OpenAPI document.
        body = {"count": count, "page": filters.page, "page_size": filters.page_size, "results": rows,
                "links": _page_links(request, filters.page, last)}  # fmt: skip
        return HttpResponse(orjson.dumps(body), content_type="application/json")

    @router.get(
        "/projects/{code}",
        response={200: ProjectDetail, **ERRORS},
        auth=SIGNED_IN,
        summary="Eén project (huidige versie)",
    )
    def project_detail(request, code: str):
        who = require_projects(request)
        version = _with_relations(current_versions().filter(project__code=code)).first()
        if version is None:
            raise Http404(f"Project '{code}' bestaat niet.")
        stones = Milestone.objects.filter(version=version).order_by("id")
        province = version.municipality.province_id
        allowed = policy.can_read_open_book(
            who, version.municipality_id, province, policy.parties_of(version.project_id)
        )
        return ProjectDetail(
            **_summary(version).dict(), housing=version.homes_by_segment, target_groups=version.target_groups,
            tenure=version.tenure, demolitions=version.demolitions, phasing=version.phasing,
            bottlenecks=version.bottlenecks, parallel_plannen=version.parallel_plannen, subsidies=version.subsidies,
            bag_ids=version.bag_ids, geometry=version.geometry, source_crs=version.source_crs,
            source_info=version.source_info,
            milestones=[MilestoneOut(kind=m.kind, sequence=m.sequence, planned=m.planned, actual=m.actual,
                                     homes=m.homes) for m in stones],
            external_ids=[ExternalIdOut(source=e.source, external_id=e.external_id)
                          for e in version.project.external_ids.order_by("source", "external_id")],
            open_book=version.open_book if allowed else None,
        )  # fmt: skip

    @router.patch(
        "/projects/{code}",
        response={200: ProjectDetail, **ERRORS},
        auth=SIGNED_IN,
        summary="Wijzigen: een nieuwe versie",
    )
    def change_project(request, code: str, change: ProjectChange):
        _new_version(request, code, lambda data: _fields(change), change.reason)
        return project_detail(request, code)

    @router.get("/projects/{code}/milestones", response={200: list[MilestoneOut], **ERRORS}, auth=SIGNED_IN,
                summary="De mijlpalen van een project (huidige versie)")  # fmt: skip
    def project_milestones(request, code: str):
        return project_detail(request, code).milestones

    @router.put(
        "/projects/{code}/milestones/{kind}",
        response={200: list[MilestoneOut], **ERRORS},
        auth=SIGNED_IN,
        summary="Eén mijlpaal zetten (een nieuwe versie; een marktpartij alleen private mijlpalen)",
    )
    def set_milestone(request, code: str, kind: str, change: MilestoneChange, sequence: int = Query(1, **SEQUENCE)):
        """`sequence` numbers the deelopleveringen (1 for every other milestone). The same rules as any change:
        a known kind, dates in order, who may edit which milestone (policy.edit_scope). A field left out keeps
        its recorded value, so recording the actual date does not erase the planned one; `null` clears a field."""

        def with_milestone(data):
            others = tuple(m for m in data.milestones if (m.kind, m.sequence) != (kind, sequence))
            recorded = next((m for m in data.milestones if (m.kind, m.sequence) == (kind, sequence)), None)
            given = change.model_fields_set
            stone = MilestoneData(kind, *(getattr(change, f) if f in given or recorded is None else getattr(recorded, f)
                                          for f in ("planned", "actual", "homes")), sequence)  # fmt: skip
            return {"milestones": (*others, stone)}

        _new_version(request, code, with_milestone, change.reason)
        return project_milestones(request, code)

    @router.post("/projects", response={201: ProjectDetail, **ERRORS}, auth=SIGNED_IN, summary="Een nieuw project")
    def create_project(request, new: ProjectNew):
        who = principal(request)
        data = ProjectData(**_fields(new))
        _require_edit(who, data.municipality)
        version = services.create_project(data, _meta(request, new.reason))
        return Status(201, project_detail(request, version.project.code))

    @router.get(
        "/projects/{code}/versions",
        response={200: list[VersionOut], **ERRORS},
        auth=SIGNED_IN,
        summary="De geschiedenis",
    )
    def project_versions(request, code: str):
        require_projects(request)
        rows = ProjectVersion.objects.filter(project__code=code).select_related("peiling").order_by("number")
        if not rows:
            raise Http404(f"Project '{code}' bestaat niet.")
        return [VersionOut(version=v.number, created_at=v.created_at, author=v.author, source=v.source,
                           source_detail=v.source_detail, reason=v.reason,
                           peiling=v.peiling.code if v.peiling else None)
                for v in rows]  # fmt: skip

    return router


def _new_version(request, code: str, changes, reason: str) -> None:
    """A new version of the project with changes(current data) applied, if anything changed; refused (403)
    for whoever may not make this change."""
    who = principal(request)
    project = Project.objects.filter(code=code).first()
    if project is None:
        raise Http404(f"Project '{code}' bestaat niet.")
    number, data = services.current_data([project.id])[project.id]
    new = replace(data, **changes(data))
    municipality = Municipality.objects.get(code=data.municipality)
    scope = policy.edit_scope(who, municipality.code, municipality.province_id, policy.parties_of(project.id))
    if scope == policy.EDIT_PRIVATE_MILESTONES:
        if not only_private_milestones_changed(data, new):
            raise HttpError(403, private_milestones_only_message())
    else:
        _require_edit(who, data.municipality, new.municipality)
    if canonical(new) != canonical(data):
        services.create_version(project, new, _meta(request, reason))


def _fields(change: ProjectChange) -> dict:
    given = change.dict(exclude_unset=True, exclude={"reason"})
    given = {k: v for k, v in given.items() if v is not None or k == "geometry"}  # null = unchanged, except geometry
    if "milestones" in given:
        given["milestones"] = tuple(MilestoneData(**m) for m in given["milestones"])
    if "bottlenecks" in given:
        given["bottlenecks"] = tuple(given["bottlenecks"])
    if "bag_ids" in given:
        given["bag_ids"] = tuple(given["bag_ids"])
    if given.get("geometry") is not None:  # the import's check (geo.geojson), so exports can always read it
        try:
            given["geometry"], _repair = checked_geojson(given["geometry"])
        except GeometryRefused as refused:
            raise services.ProjectValidationError([services.Problem("geometry", str(refused))]) from None
    return given


def _require_edit(who: policy.Principal, *municipalities: str) -> None:
    """Both the project's municipality and, when it moves, the new one must be the caller's to edit."""
    for name in municipalities:
        municipality = Municipality.objects.get(code=services.matcher().resolve(name).code)
        if not policy.can_edit_project(who, municipality.code, municipality.province_id):
            raise HttpError(403, f"U mag geen projecten in {municipality.name} bewerken.")


def _meta(request, reason: str) -> services.VersionMeta:
    return services.VersionMeta(author=request.user.get_username(), source="api", reason=reason,
                                source_detail="REST API v1")  # fmt: skip


def _with_relations(versions):
    return versions.select_related("project", "municipality")


def _summary_of_row(row: tuple) -> dict:
    """A ProjectSummary from the search.SUMMARY_COLUMNS of one version."""
    names = ("code", "name", "municipality_code", "municipality", "province_code", "version", "updated_at",
             "lifecycle", "plan_type", "plan_status", "phase", "homes_total")  # fmt: skip
    return {**dict(zip(names, row[:12], strict=True)), "homes_by_segment": dict(zip(SEGMENTS, row[12:], strict=True))}


def _summary(v: ProjectVersion) -> ProjectSummary:
    return ProjectSummary(
        code=v.project.code, name=v.name, municipality_code=v.municipality_id, municipality=v.municipality.name,
        province_code=v.municipality.province_id, version=v.number, updated_at=v.created_at, lifecycle=v.lifecycle,
        plan_type=v.plan_type, plan_status=v.plan_status, phase=v.phase, homes_total=v.homes_total,
        homes_by_segment={s: getattr(v, f"homes_{s}") for s in SEGMENTS},
    )  # fmt: skip


def _page_links(request, page: int, last: int) -> dict[str, str | None]:
    def at(n):
        query = request.GET.copy()
        query["page"] = str(n)
        return f"{request.path}?{query.urlencode()}"

    return {"self": at(page), "first": at(1), "prev": at(page - 1) if page > 1 else None,
            "next": at(page + 1) if page < last else None, "last": at(last)}  # fmt: skip
