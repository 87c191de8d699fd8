"""REST API v1 (issue #5): thin endpoints over the rooms that do the work, one permission policy.

NL API Design Rules: plural kebab-case resources, no trailing slash, errors as problem+json, paging
and filters as query parameters, the version in the path. Open data (areas, peilingen, monitor
figures) needs no key; project data needs a session or an API key (`Authorization: Bearer br_…`).
"""

import json
import math
from dataclasses import replace
from datetime import date, datetime
from typing import Literal

import orjson
from django.http import Http404, HttpResponse
from ninja import Field, File, Form, NinjaAPI, Query, Schema, UploadedFile
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from ninja.responses import Status
from ninja.security import HttpBearer, SessionAuth
from pydantic import ConfigDict, create_model

from bouwregie.accounts import policy, tokens
from bouwregie.api.problems import problem
from bouwregie.forecast import api as forecast_api
from bouwregie.forecast import jobs as forecast_jobs
from bouwregie.forecast.models import Forecast
from bouwregie.geo.areas import UnknownArea
from bouwregie.geo.geojson import GeometryRefused, checked_geojson
from bouwregie.geo.models import Municipality, Province, Region
from bouwregie.ingest import uploads
from bouwregie.ingest.models import ImportRun
from bouwregie.instruments import api as instruments_api
from bouwregie.instruments import gebiedsbudget, gebiedsbudget_store, wbi_file, wbi_store
from bouwregie.instruments.models import WbiApplication
from bouwregie.instruments.money import parse_euros
from bouwregie.jobs import runner
from bouwregie.jobs.models import Job
from bouwregie.limits import int_range, max_length
from bouwregie.monitor import api as monitor_api
from bouwregie.monitor.alternatives import alternatives as find_alternatives
from bouwregie.monitor.delays import DEFAULT_MONTHS, delayed_since_last_peiling
from bouwregie.monitor.delays import delays as find_delays
from bouwregie.monitor.kansrijk import kansrijk
from bouwregie.monitor.shortfall import MAX_SHORTFALL, ShortfallNeeded
from bouwregie.monitor.snapshot import SEGMENTS, YEARS
from bouwregie.projects import search, services
from bouwregie.projects.enums import Bottleneck, Lifecycle, PlanStatus
from bouwregie.projects.milestones import MILESTONE_CODES, private_milestones_only_message
from bouwregie.projects.models import Milestone, MilestoneKind, Peiling, Project, ProjectVersion
from bouwregie.projects.rules import MilestoneData, ProjectData, canonical, only_private_milestones_changed
from bouwregie.projects.services import current_versions

MAX_PAGE_SIZE = 100
# A float parameter is a finite number: `months=inf` answered Infinity, which is no JSON (issue #16).
FINITE = {"allow_inf_nan": False}


def _no_constant(name: str):
    raise ValueError(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 reads as inf
        raise ValueError(text)
    return value


class StrictJson(Parser):
    """Request bodies as strict JSON: NaN and Infinity are no JSON numbers (RFC 8259), and Python's json module
    would otherwise let them through into amounts and counts."""

    def parse_body(self, request):
        return json.loads(request.body, parse_constant=_no_constant, parse_float=_finite)


class ApiKey(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = tokens.user_for(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The signed-in web user (the web pages call the same API). A request without a signed-in session is simply
    not authenticated by this (401 problem+json, as without an API key): the CSRF check guards what a session may
    do, so it runs only for a signed-in user — an anonymous POST is not refused as "CSRF check Failed" (403)."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


SIGNED_IN = [ApiKey(), Session()]


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str | None = None
    invalidParams: list[dict] | None = None  # noqa: N815 (the NL API Design Rules spell it so)


OPEN_ERRORS = {400: Problem, 404: Problem}
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem}


class BouwregieApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Error responses are documented as application/problem+json, which is what they are."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) >= 400 and "application/json" in response.get("content", {}):
                        response["content"] = {"application/problem+json": response["content"]["application/json"]}
        return schema


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's bundled files, never a CDN. Ninja picks its CDN page whenever
    "ninja" is not an installed app, and we keep it out of INSTALLED_APPS (see settings)."""

    template_cdn = Swagger.template_cdn.replace("swagger_cdn.html", "swagger.html")


api = BouwregieApi(
    title="Bouwregie API",
    version="1.0.0",
    description="Publiek-private monitor van de woningbouw: gebieden, projecten, peilingen, monitorcijfers, "
    "vertragingen, alternatieven en Kansrijk Bouwen!-scores. Fouten als application/problem+json.",
    urls_namespace="api-v1",
    docs_url="/docs",
    docs=LocalSwagger(),
    parser=StrictJson(),
)


# --- errors ------------------------------------------------------------------------------------
@api.exception_handler(ValidationError)
def _invalid(request, exc):
    params = [{"name": ".".join(str(x) for x in e.get("loc", [])[1:]), "reason": _reason(e)} for e in exc.errors]
    return problem(400, "Ongeldige invoer", "Een of meer parameters zijn ongeldig.", "ongeldige-invoer",
                   invalidParams=params)  # fmt: skip


# pydantic's reasons in Dutch for the checks the door does most (issue #16: "a clear Dutch problem naming the field
# and value"); any other keeps pydantic's English text.
REASONS = {
    "literal_error": "Onbekende waarde; toegestaan: {expected}.",
    "string_too_long": "Te lang: hooguit {max_length} tekens.",
    "less_than_equal": "Te groot: hooguit {le}.",
    "greater_than_equal": "Te klein: minstens {ge}.",
    "finite_number": "Geef een eindig getal (geen inf of NaN).",
    "int_parsing": "Geen geheel getal.",
    "float_parsing": "Geen getal.",
    "missing": "Verplicht veld ontbreekt.",
    "string_pattern_mismatch": "Heeft niet de vorm die hier nodig is (patroon {pattern}).",
    "extra_forbidden": "Onbekend veld; zie het OpenAPI-document voor de velden.",
    "string_type": "Verwacht tekst.",
    "int_type": "Geen geheel getal.",
    "int_from_float": "Geen geheel getal.",
    "float_type": "Geen getal.",
    "bool_type": "Verwacht true of false.",
    "bool_parsing": "Verwacht true of false.",
    "dict_type": "Verwacht een object (JSON-object).",
    "model_type": "Verwacht een object (JSON-object).",
    "model_attributes_type": "Verwacht een object (JSON-object).",
    "list_type": "Verwacht een lijst (JSON-array).",
    "date_type": "Verwacht een datum (JJJJ-MM-DD).",
    "date_parsing": "Geen geldige datum (JJJJ-MM-DD).",
    "date_from_datetime_parsing": "Geen geldige datum (JJJJ-MM-DD).",
    "date_from_datetime_inexact": "Een datum zonder tijd (JJJJ-MM-DD).",
    "too_long": "Te veel: hooguit {max_length}.",
    "too_short": "Te weinig: minstens {min_length}.",
    "enum": "Onbekende waarde; toegestaan: {expected}.",
    "json_invalid": "Geen geldige JSON.",
}


def _reason(error: dict) -> str:
    if error.get("type") == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == NO_NUL:
        return "Bevat een teken dat niet kan worden opgeslagen (NUL, 0x00)."  # the only thing NO_NUL refuses
    template = REASONS.get(error.get("type", ""))
    try:
        return template.format(**(error.get("ctx") or {})).replace("' or '", "' of '") if template else error["msg"]
    except (KeyError, IndexError, ValueError):
        return error.get("msg", "")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem(401, "Niet aangemeld", "Meld u aan of stuur een API-sleutel mee (Authorization: Bearer …).",
                   "niet-aangemeld")  # fmt: skip


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(404, "Niet gevonden", str(exc) or "Deze bron bestaat niet.", "niet-gevonden")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):  # ninja's words for a body that is no (strict) JSON
        detail = ("De inhoud van het verzoek is geen geldige JSON: onvolledig of onjuist opgebouwd, of met NaN of "
                  "Infinity (geen JSON-getallen).")  # fmt: skip
    title = {400: "Ongeldige invoer", 403: "Geen toegang", 413: "Verzoek te groot"}.get(exc.status_code, "Fout")
    return problem(exc.status_code, title, detail)


class InvalidParameter(ValueError):
    """One parameter with a value outside its closed list (checked in the handler when the list is data)."""

    def __init__(self, name: str, value: str, allowed):
        self.name = name
        super().__init__(f"Onbekende waarde '{value}' voor {name}; toegestaan: {', '.join(allowed)}.")


@api.exception_handler(InvalidParameter)
def _invalid_parameter(request, exc):
    return problem(400, "Ongeldige invoer", str(exc), "ongeldige-invoer",
                   invalidParams=[{"name": exc.name, "reason": str(exc)}])  # fmt: skip


@api.exception_handler(UnknownArea)
def _unknown_area(request, exc):
    return problem(400, "Onbekend gebied", str(exc), "onbekend-gebied")


@api.exception_handler(ShortfallNeeded)
def _shortfall_needed(request, exc):
    reason = "Geef het tekort in woningen op met de parameter tekort."
    return problem(400, "Tekort nodig", f"{exc} {reason}", "tekort-nodig", invalidParams=[{"name": "tekort",
                   "reason": reason}])  # fmt: skip


@api.exception_handler(Peiling.DoesNotExist)
def _unknown_peiling(request, exc):
    detail = (str(exc) or "Deze peiling bestaat niet.") + " Alle peilingen: GET /api/v1/peilingen."
    return problem(404, "Onbekende peiling", detail, "onbekende-peiling")


@api.exception_handler(services.ProjectValidationError)
def _invalid_project(request, exc):
    return problem(
        400,
        "Project niet opgeslagen",
        "De wijziging voldoet niet aan de regels; er is niets opgeslagen.",
        "ongeldig-project",
        invalidParams=[{"name": p.field, "reason": p.message} for p in exc.problems],
    )


@api.exception_handler(ValueError)
def _refused(request, exc):
    return problem(400, "Vraag niet te beantwoorden", str(exc), "ongeldige-vraag")


def _principal(request) -> policy.Principal:
    return policy.principal_for(getattr(request, "user", None))


def _require_projects(request) -> policy.Principal:
    who = _principal(request)
    if not policy.can_read_projects(who):
        raise HttpError(403, "Uw account hoort bij geen organisatie met inzage in projecten.")
    return who


# --- schemas -----------------------------------------------------------------------------------
class Input(Schema):
    """A request body: a field this API does not know is refused (400 naming it), not silently ignored — a
    misspelt field would otherwise answer 200 and change nothing (issue #16)."""

    model_config = ConfigDict(extra="forbid")


class AreaOut(Schema):
    kind: str
    code: str
    name: str
    province: str | None = None


class PeilingOut(Schema):
    code: str
    year: int
    quarter: int
    reference_date: date
    closed: bool
    closed_at: datetime | None = None


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
NO_NUL = r"^[^\x00]*$"  # a multipart body's text fields (the middleware checks every other body)


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


class ImportOut(Schema):
    id: int
    created_at: datetime
    author: str
    source: str
    file_name: str
    file_sha256: str
    file_format: str
    profile: str
    peiling_code: str
    dry_run: bool
    status: str
    message: str
    counts: dict


class ImportDetail(ImportOut):
    by_municipality: dict
    problems: list[dict]


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


# --- open data ---------------------------------------------------------------------------------
@api.get("/areas", response={200: list[AreaOut], **OPEN_ERRORS}, summary="Gebieden: provincies, gemeenten en regio's")
def areas(request, kind: Literal[("nl", "provincie", "gemeente", *Region.Kind.values)] | None = None):  # type: ignore[valid-type]
    rows = [AreaOut(kind="nl", code="NL", name="Nederland")]
    rows += [AreaOut(kind="provincie", code=p.code, name=p.name) for p in Province.objects.order_by("code")]
    rows += [AreaOut(kind="gemeente", code=m.code, name=m.name, province=m.province_id)
             for m in Municipality.objects.order_by("code")]  # fmt: skip
    rows += [AreaOut(kind=r.kind, code=r.code, name=r.name, province=r.province_id) for r in Region.objects.all()]
    return [r for r in rows if kind is None or r.kind == kind]


def _peiling_out(p: Peiling) -> PeilingOut:
    return PeilingOut(code=p.code, year=p.year, quarter=p.quarter, reference_date=p.reference_date,
                      closed=p.is_closed, closed_at=p.closed_at)  # fmt: skip


@api.get("/peilingen", response={200: list[PeilingOut], **OPEN_ERRORS}, summary="Peilingen (kwartaalstanden)")
def peilingen(request):
    return [_peiling_out(p) for p in Peiling.objects.all()]


class PeilingClosed(PeilingOut):
    projects: int
    calibration_job_id: int


@api.post("/peilingen/{code}/closure", response={200: PeilingClosed, **ERRORS}, auth=SIGNED_IN,
          summary="Een peiling sluiten (onomkeerbaar; de beheerder); kalibratie volgt als achtergrondtaak")  # fmt: skip
def close_peiling(request, code: str, lopend_kwartaal: bool = False):
    """Freezes every project's newest version into the peiling, as the web page does. A closed peiling, or one
    before a later closed one, is refused (400) with the reason; so is a quarter that is still running, unless
    `lopend_kwartaal=true` confirms closing it early."""
    if not policy.can_close_peiling(_principal(request)):
        raise HttpError(403, "Alleen de beheerder van het platform sluit een peiling (zij geldt voor heel het land).")
    peiling = services.close_peiling(
        code.strip().upper(), author=request.user.get_username(), allow_running=lopend_kwartaal
    )
    job = forecast_jobs.start_calibration(peiling.code, request.user)
    return PeilingClosed(**_peiling_out(peiling).dict(), projects=peiling.entries.count(), calibration_job_id=job.pk)


@api.get("/monitor-figures", response={200: dict, **OPEN_ERRORS}, summary="Monitorcijfers van één gebied (open data)")
def monitor_figures(request, area: str = "NL", peiling: str | None = None) -> dict:
    return monitor_api.monitor(area, monitor_api.chosen_peiling(peiling))


@api.get("/realisatiestimulans", response={200: dict, **OPEN_ERRORS},
         summary="Realisatiestimulans per gemeente en jaar (realisatie, startbouw, registratie)")  # fmt: skip
def realisatiestimulans(request, peiling: str | None = None, gemeente: str | None = None,
                        variant: Literal[instruments_api.CHOICES] = "beide") -> dict:  # type: ignore[valid-type]  # fmt: skip
    """Amounts in whole euro cents; each year names the regulation version that produced it. A faulty
    regulation file or an unknown municipality is a 400 with the reason (ValueError)."""
    return instruments_api.realisatiestimulans(peiling, gemeente, variant)


@api.get("/regelingen", response={200: list[dict], **OPEN_ERRORS},
         summary="De versies van de regelingen, elke parameter met zijn bron (open data)")  # fmt: skip
def regelingen(request) -> list[dict]:
    return instruments_api.regulations()


# --- project data (signed in) ------------------------------------------------------------------
@api.get(
    "/projects", response={200: ProjectPage, **ERRORS}, auth=SIGNED_IN, summary="Projecten (huidige versie), gefilterd"
)
def projects(request, filters: Query[ProjectFilters]):
    _require_projects(request)
    if filters.q and filters.search and filters.q != filters.search:
        raise ValueError("Geef q of search, niet twee verschillende zoekteksten.")
    if filters.phase:
        phases = (*MILESTONE_CODES, *MilestoneKind.objects.order_by("order").values_list("code", flat=True))
        if filters.phase not in phases:
            raise InvalidParameter("phase", filters.phase, phases)
    query = search.ProjectQuery(
        area=filters.area, search=filters.search or filters.q, plan_status=filters.plan_status, phase=filters.phase,
        segment=filters.segment, bottleneck=filters.bottleneck,
        lifecycle=None if filters.lifecycle in ("alle", "") else filters.lifecycle,
        project_ids=delayed_since_last_peiling(filters.area or "NL") if filters.delayed else None,
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


@api.get(
    "/projects/{code}", response={200: ProjectDetail, **ERRORS}, auth=SIGNED_IN, summary="Eén project (huidige versie)"
)
def project_detail(request, code: str):
    who = _require_projects(request)
    version = _with_relations(current_versions().filter(project__code=code)).first()
    if version is None:
        raise Http404(f"Project '{code}' bestaat niet.")
    stones = Milestone.objects.filter(version=version).order_by("id")
    province = version.municipality.province_id
    allowed = policy.can_read_open_book(who, version.municipality_id, province, policy.parties_of(version.project_id))
    return ProjectDetail(
        **_summary(version).dict(), housing=version.homes_by_segment, target_groups=version.target_groups,
        tenure=version.tenure, demolitions=version.demolitions, phasing=version.phasing,
        bottlenecks=version.bottlenecks, parallel_plannen=version.parallel_plannen, subsidies=version.subsidies,
        bag_ids=version.bag_ids, geometry=version.geometry, source_crs=version.source_crs,
        source_info=version.source_info,
        milestones=[MilestoneOut(kind=m.kind, sequence=m.sequence, planned=m.planned, actual=m.actual, homes=m.homes)
                    for m in stones],
        external_ids=[ExternalIdOut(source=e.source, external_id=e.external_id)
                      for e in version.project.external_ids.order_by("source", "external_id")],
        open_book=version.open_book if allowed else None,
    )  # fmt: skip


@api.patch(
    "/projects/{code}", response={200: ProjectDetail, **ERRORS}, auth=SIGNED_IN, summary="Wijzigen: een nieuwe versie"
)
def change_project(request, code: str, change: ProjectChange):
    _new_version(request, code, lambda data: _fields(change), change.reason)
    return project_detail(request, code)


class MilestoneChange(Input):
    """One milestone's dates (and, for an oplevering, its homes). A field left out keeps its recorded value
    (recording the actual date keeps the planned one, issue #19); `null` clears it."""

    reason: str
    planned: date | None = None
    actual: date | None = None
    homes: int | None = Field(None, **HOMES)


@api.get("/projects/{code}/milestones", response={200: list[MilestoneOut], **ERRORS}, auth=SIGNED_IN,
         summary="De mijlpalen van een project (huidige versie)")  # fmt: skip
def project_milestones(request, code: str):
    return project_detail(request, code).milestones


@api.put("/projects/{code}/milestones/{kind}", response={200: list[MilestoneOut], **ERRORS}, auth=SIGNED_IN,
         summary="Eén mijlpaal zetten (een nieuwe versie; een marktpartij alleen private mijlpalen)")  # fmt: skip
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


def _new_version(request, code: str, changes, reason: str) -> None:
    """A new version of the project with changes(current data) applied, if anything changed; refused (403)
    for whoever may not make this change."""
    who = _principal(request)
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


@api.post("/projects", response={201: ProjectDetail, **ERRORS}, auth=SIGNED_IN, summary="Een nieuw project")
def create_project(request, new: ProjectNew):
    who = _principal(request)
    data = ProjectData(**_fields(new))
    _require_edit(who, data.municipality)
    version = services.create_project(data, _meta(request, new.reason))
    return Status(201, project_detail(request, version.project.code))


@api.get(
    "/projects/{code}/versions", response={200: list[VersionOut], **ERRORS}, auth=SIGNED_IN, summary="De geschiedenis"
)
def project_versions(request, code: str):
    _require_projects(request)
    rows = ProjectVersion.objects.filter(project__code=code).select_related("peiling").order_by("number")
    if not rows:
        raise Http404(f"Project '{code}' bestaat niet.")
    return [VersionOut(version=v.number, created_at=v.created_at, author=v.author, source=v.source,
                       source_detail=v.source_detail, reason=v.reason, peiling=v.peiling.code if v.peiling else None)
            for v in rows]  # fmt: skip


@api.get(
    "/delays",
    response={200: dict, **ERRORS},
    auth=SIGNED_IN,
    summary="Vertragingen tussen twee peilingen, met de projecten",
)
def delays(request, van: str, tot: str, area: str = "NL", months: float = Query(DEFAULT_MONTHS, ge=0, **FINITE),
           limit: int = Query(25, ge=0)) -> dict:  # fmt: skip
    _require_projects(request)
    return find_delays(area, monitor_api.chosen_peiling(van), monitor_api.chosen_peiling(tot), months, limit or None)


@api.get(
    "/alternatives", response={200: dict, **ERRORS}, auth=SIGNED_IN, summary="Alternatieven bij een tekort in een jaar"
)
def alternatives(request, area: str, year: int = Query(..., ge=int(YEARS[0]), le=int(YEARS[-1])),
                 peiling: str | None = None, tekort: int | None = Query(None, ge=0, le=MAX_SHORTFALL),
                 limit: int = Query(25, ge=0)) -> dict:  # fmt: skip
    _require_projects(request)
    return find_alternatives(area, monitor_api.chosen_peiling(peiling), year, tekort, limit or None)


@api.get(
    "/kansrijk-scores",
    response={200: dict, **ERRORS},
    auth=SIGNED_IN,
    summary="Kansrijk Bouwen!-scores en urenverdeling",
)
def kansrijk_scores(request, area: str, peiling: str | None = None, uren: int | None = Query(None, ge=0),
                    drempel: float = Query(0.0, ge=0, le=100, **FINITE),
                    limit: int = Query(25, ge=0)) -> dict:  # fmt: skip
    _require_projects(request)
    return kansrijk(area, monitor_api.chosen_peiling(peiling), uren, drempel, limit or None)


@api.get("/imports", response={200: list[ImportOut], **ERRORS}, auth=SIGNED_IN, summary="Het importlogboek")
def imports(request, source: str | None = None, limit: int = Query(50, ge=1, le=500)):
    _require_projects(request)
    runs = ImportRun.objects.all() if source is None else ImportRun.objects.filter(source=source)
    return list(runs[:limit])


@api.get("/imports/{run_id}", response={200: ImportDetail, **ERRORS}, auth=SIGNED_IN, summary="Eén import")
def import_detail(request, run_id: int):
    _require_projects(request)
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404(f"Import #{run_id} bestaat niet.")
    return run


class JobOut(Schema):
    id: int
    title: str
    status: str  # wachtrij, bezig, klaar, mislukt, onderbroken
    progress: int
    stage: str
    error: str
    done: bool
    retryable: bool = False  # interrupted or failed: POST /jobs/{id}/retry starts it again
    retry_of: int | None = None  # the job this one started again
    import_id: int | None = None  # the ImportRun the job produced (a preview, or the executed import)
    forecast_id: int | None = None  # the Forecast the job produced (GET /forecasts/{id})


class DecisionIn(Input):
    decision: Literal["bevestigen", "gedeeltelijk", "annuleren"]


@api.post("/imports", response={202: JobOut, **ERRORS}, auth=SIGNED_IN,
          summary="Een planlijst uploaden: de controle (proefimport) draait als achtergrondtaak")  # fmt: skip
def upload_import(request, file: File[UploadedFile],
                  source: str = Form(..., max_length=max_length(ImportRun, "source"), pattern=NO_NUL),
                  profile: str | None = Form(None, max_length=max_length(ImportRun, "profile"), pattern=NO_NUL),
                  sheet: str | None = Form(None, max_length=max_length(ImportRun, "sheet"), pattern=NO_NUL),
                  peiling: str | None = Form(None, max_length=max_length(ImportRun, "peiling_code"), pattern=NO_NUL),
                  header_row: int | None = Form(None, ge=1, le=int_range(ImportRun, "header_row")[1])):  # fmt: skip
    """Then follow GET /jobs/{id}; its import_id is the preview (GET /imports/{id}), decided with
    POST /imports/{id}/decision. The same steps as the upload page of the web application."""
    _require_projects(request)
    if not source.strip():
        raise HttpError(400, "Geef een bron op.")
    if peiling:
        services.parse_peiling_code(peiling)  # ValueError: 400 with the reason
    try:
        if header_row is not None and header_row < 1:
            raise HttpError(400, "header_row is een regelnummer vanaf 1.")
        job = uploads.start_preview(file, request.user, source, profile, sheet, peiling, header_row)
    except uploads.UploadRefused as refused:
        raise HttpError(400 if policy.can_import(_principal(request)) else 403, str(refused)) from None
    return Status(202, _job_out(job))


@api.post("/imports/{run_id}/decision", response={200: ImportOut, 202: JobOut, **ERRORS}, auth=SIGNED_IN,
          summary="Besluit over een proefimport: bevestigen (202, de import als taak) of annuleren (200)")  # fmt: skip
def decide_import(request, run_id: int, decision: DecisionIn):
    _require_projects(request)
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404(f"Import #{run_id} bestaat niet.")
    try:
        job = uploads.decide(run, decision.decision, request.user)
    except uploads.UploadRefused as refused:
        raise HttpError(403, str(refused)) from None
    if job is None:
        run.refresh_from_db()
        return Status(200, run)
    return Status(202, _job_out(job))


@api.get("/jobs/{job_id}", response={200: JobOut, **ERRORS}, auth=SIGNED_IN, summary="Eén achtergrondtaak")
def job_detail(request, job_id: int):
    job = Job.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None:
        raise Http404(f"Taak #{job_id} bestaat niet.")
    if not policy.can_follow_job(_principal(request), job.created_by.get_username() if job.created_by else None):
        raise HttpError(403, "Deze taak is door iemand anders gestart.")
    return _job_out(job)


@api.post("/jobs/{job_id}/retry", response={202: JobOut, 409: Problem, **ERRORS}, auth=SIGNED_IN,
          summary="Een onderbroken of mislukte taak opnieuw starten")  # fmt: skip
def job_retry(request, job_id: int):
    job = job_detail(request, job_id) and Job.objects.get(pk=job_id)
    try:
        again = runner.retry(job, request.user)
    except ValueError as refusal:
        raise HttpError(409, str(refusal)) from None
    return Status(202, _job_out(again))


def _job_out(job: Job) -> JobOut:
    job.refresh_from_db()
    state = runner.state(job)
    return JobOut(id=job.pk, title=job.title, status=state["status"], progress=state["progress"],
                  stage=state["stage"], error=state["error"], done=state["done"], retryable=state["retryable"],
                  retry_of=job.retry_of_id,
                  import_id=job.result.get("import"), forecast_id=job.result.get("forecast"))  # fmt: skip


# --- forecasts (issue #6) -----------------------------------------------------------------------
class ForecastIn(Input):
    area: str = "NL"
    peiling: str | None = None
    runs: int = Field(forecast_api.DEFAULT_RUNS, ge=1, le=forecast_api.MAX_RUNS)
    horizon: int = Field(forecast_api.DEFAULT_HORIZON, ge=int(YEARS[0]), le=int(YEARS[-1]))
    scenarios: list[str] = Field(default_factory=list, description="parallel-plannen, knelpunten, meer-uitval, "
                                                                    "snellere-vergunning")  # fmt: skip
    seed: int = Field(2025, ge=0, le=forecast_api.MAX_SEED)


class ForecastSummary(Schema):
    id: int
    created_at: datetime
    area: str
    area_name: str
    peiling: str
    runs: int
    horizon: int
    scenarios: list[str]
    seed: int


class ForecastOut(ForecastSummary):
    result: dict


def _require_forecasts(request) -> None:
    if not policy.can_run_forecast(_principal(request)):
        raise HttpError(403, "Uw account hoort bij geen organisatie met inzage in projecten en prognoses.")


@api.post("/forecasts", response={202: JobOut, **ERRORS}, auth=SIGNED_IN,
          summary="Een prognose berekenen (Monte Carlo) als achtergrondtaak")  # fmt: skip
def start_forecast(request, body: ForecastIn):
    """Then follow GET /jobs/{id}; its forecast_id is the result (GET /forecasts/{id})."""
    _require_forecasts(request)
    request_ = forecast_api.Request(body.area, body.peiling, body.runs, body.horizon, tuple(body.scenarios), body.seed)
    return Status(202, _job_out(forecast_jobs.start(request_, request.user)))


@api.get("/forecasts", response={200: list[ForecastSummary], **ERRORS}, auth=SIGNED_IN,
         summary="Berekende prognoses, nieuwste eerst")  # fmt: skip
def forecasts(request, area: str | None = None, limit: int = Query(50, ge=1, le=500)):
    _require_forecasts(request)
    rows = Forecast.objects.defer("result")
    return list((rows if area is None else rows.filter(area=area.upper()))[:limit])


@api.get("/forecasts/{forecast_id}", response={200: ForecastOut, **ERRORS}, auth=SIGNED_IN,
         summary="Eén prognose: P10/P50/P90 per jaar en segment, kansen op de afspraken, scenario")  # fmt: skip
def forecast_detail(request, forecast_id: int):
    _require_forecasts(request)
    found = Forecast.objects.filter(pk=forecast_id).first()
    if found is None:
        raise Http404(f"Prognose #{forecast_id} bestaat niet.")
    return found


@api.get("/forecast-calibration", response={200: dict, **ERRORS}, auth=SIGNED_IN,
         summary="De kalibratie van de prognose op de peilinghistorie, met de doorlooptijden uit de BAG")  # fmt: skip
def forecast_calibration(request, peiling: str | None = None) -> dict:
    _require_forecasts(request)
    return forecast_api.calibration(peiling)


# --- Woningbouwimpuls (issue #7) -------------------------------------------------------------------
# The request has the columns of an application file (docs/instruments.md), each as text or a number; the
# values are read by the same function as a file's, which names the column of a wrong one.
WbiApplicationIn = create_model(
    "WbiApplicationIn",
    __base__=Schema,
    **{column: (str | int | float | bool, ...) for column in wbi_file.REQUIRED},
    realisatiestimulans=(str | int | float | None, None),
    project=(str | None, None),
)


class WbiApplicationOut(Schema):
    id: int
    window: str
    application_id: str
    municipality: str
    created_at: datetime
    fields: dict


@api.post("/wbi-applications", response={201: WbiApplicationOut, **ERRORS}, auth=SIGNED_IN,
          summary="Een Woningbouwimpuls-aanvraag indienen (de kolommen van het aanvraagbestand)")  # fmt: skip
def submit_wbi_application(request, application: WbiApplicationIn):
    """The fields of docs/instruments.md (id, gemeente, tijdvak, …); every value is checked, a wrong one
    is a 400 naming the column. The municipality's editors submit for their municipality."""
    fields = {k: v for k, v in application.model_dump().items() if v is not None}
    if not policy.can_submit_wbi(_principal(request), str(fields["gemeente"]).strip()):
        raise HttpError(403, "Alleen de gemeente zelf (met een bewerkersrol) dient een aanvraag in.")
    return Status(201, wbi_store.register(fields, request.user))


@api.get("/wbi-applications", response={200: list[WbiApplicationOut], **ERRORS}, auth=SIGNED_IN,
         summary="Woningbouwimpuls-aanvragen: het Rijk alle, de bewerkers van een gemeente de eigen")  # fmt: skip
def wbi_applications(request, tijdvak: str | None = None):
    readable = policy.wbi_readable_municipalities(_principal(request))
    rows = WbiApplication.objects.all() if tijdvak is None else WbiApplication.objects.filter(window=tijdvak)
    if readable is not None:
        rows = rows.filter(municipality__in=readable)
    return list(rows)


@api.get("/wbi-assessment", response={200: dict, **ERRORS}, auth=SIGNED_IN,
         summary="Toetsing, rangschikking en verdeling van een aanvraagtijdvak (het Rijk)")  # fmt: skip
def wbi_assessment(request, tijdvak: str, budget: str) -> dict:
    """`budget` in euros (25000000 or 25.000.000). Amounts in the answer in cents."""
    if not policy.can_assess_wbi(_principal(request)):
        raise HttpError(403, "De rangschikking is de beoordeling van het Rijk.")
    return wbi_store.assess(tijdvak, parse_euros(budget))


class GebiedsbudgetIn(Input):
    id: str
    gebied: str
    besluitdatum: date
    maatregelen: dict[str, str | int | float] = Field(description="soort maatregel → investering in euro's")
    regio_bijdrage: str | int | float
    gevraagd: str | int | float
    regionaal_betaalbaar_procent: int
    woningen: int
    woningen_voor_2030: int
    laatste_woningen_jaar: int
    voorwaarden: dict[str, bool] = Field(default_factory=dict)
    al_toegekend: str | int | float = Field(0, description="euro's die al uit het plafond zijn toegekend")


class GebiedsbudgetPackageIn(GebiedsbudgetIn):
    al_toegekend: None = Field(None, description="niet gebruikt: het platform telt de eerder ingediende pakketten")
    gemeenten: list[str] = Field(description="gemeentecodes (GM…) waarin het gebied ligt")


class NplvIn(Input):
    woningen: dict[str, int] = Field(description="gebied → aantal nieuwe woningen")
    per_woning: str | int | float | None = Field(None, description="euro's per woning (€ 10.000–13.000)")
    datum: date | None = None


@api.post("/gebiedsbudget-assessments", response={200: dict, **ERRORS}, auth=SIGNED_IN,
          summary="Een maatregelpakket toetsen en de rijksbijdrage uit het gebiedsbudget berekenen")  # fmt: skip
def gebiedsbudget_assessment(request, package: GebiedsbudgetIn) -> dict:
    """Amounts in euros in, cents out; every failing rule with reason and source (Afspraak 19.3)."""
    data = package.model_dump()
    assessed = gebiedsbudget.assess_package(gebiedsbudget.package_from_dict(data),
                                            parse_euros(data.pop("al_toegekend")))  # fmt: skip
    return gebiedsbudget.as_dict(assessed)


@api.post("/gebiedsbudget-packages", response={201: dict, **ERRORS}, auth=SIGNED_IN,
          summary="Een maatregelpakket indienen (de regio); getoetst samen met de eerdere pakketten")  # fmt: skip
def submit_gebiedsbudget_package(request, package: GebiedsbudgetPackageIn):
    data = package.model_dump(exclude={"al_toegekend"})
    if not policy.can_submit_gebiedsbudget(_principal(request), [str(c).upper() for c in data["gemeenten"]]):
        raise HttpError(403, "Alleen de provincie waarin het gebied ligt (met een bewerkersrol) dient een pakket in.")
    stored = gebiedsbudget_store.register(data, request.user)
    found = [p for p in gebiedsbudget_store.assess_all()["packages"] if p["id"] == stored.package_id]
    return Status(201, found[0])


@api.get("/gebiedsbudget-packages", response={200: dict, **ERRORS}, auth=SIGNED_IN,
         summary="Alle maatregelpakketten, getoetst, binnen het plafond in volgorde van besluit")  # fmt: skip
def gebiedsbudget_packages(request, gemeente: str | None = None) -> dict:
    if not policy.can_read_projects(_principal(request)):
        raise HttpError(403, "Alleen voor aangemelde deelnemers aan de tafels.")
    return gebiedsbudget_store.assess_all(gemeente.upper() if gemeente else None)


@api.post("/nplv-contributions", response={200: dict, **ERRORS}, auth=SIGNED_IN,
          summary="NPLV-bijdrage per gebied: woningen × bedrag per woning, tot het plafond van € 600 mln")  # fmt: skip
def nplv_contributions(request, body: NplvIn) -> dict:
    rate = parse_euros(body.per_woning) if body.per_woning is not None else None
    return gebiedsbudget.nplv_contribution(body.woningen, body.datum or date.today(), rate)


# --- helpers -----------------------------------------------------------------------------------
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


# --- woondeals (issue #17): their own router, mounted here ---------------------------------------------------
from bouwregie.woondeals.api import build_router as _woondeals_router  # noqa: E402
from bouwregie.woondeals.store import WoondealRefused  # noqa: E402


@api.exception_handler(WoondealRefused)
def _woondeal_refused(request, exc):
    return problem(
        400,
        "Woondeal niet opgeslagen",
        "De versie voldoet niet aan de regels; er is niets opgeslagen.",
        "ongeldige-woondeal",
        invalidParams=[{"name": f.field, "reason": f.message} for f in exc.findings],
    )


api.add_router("/woondeals", _woondeals_router(SIGNED_IN, ERRORS))


# --- CBS registrations (issue #18): their own router, mounted here ------------------------------------------------
from bouwregie.cbs.api import build_router as _cbs_router  # noqa: E402

api.add_router("", _cbs_router(OPEN_ERRORS))

# --- convenant, SOK and Woontop (issue #23): their own routers ----------------------------------------------
from bouwregie.convenant.api import build_router as _convenant_router  # noqa: E402
from bouwregie.sok.api import build_router as _sok_router  # noqa: E402
from bouwregie.woontop.api import build_router as _woontop_router  # noqa: E402

api.add_router("/convenant", _convenant_router(SIGNED_IN, ERRORS))
api.add_router("/sok", _sok_router(SIGNED_IN, ERRORS))
api.add_router("/woontop", _woontop_router(SIGNED_IN, ERRORS))

# --- registrations beside the monitor (issue #18 part 4): their own router --------------------------------------
from bouwregie.registraties.api import build_router as _registraties_router  # noqa: E402

api.add_router("", _registraties_router(SIGNED_IN, ERRORS))
