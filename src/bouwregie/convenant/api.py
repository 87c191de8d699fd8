"""REST API for the Convenant Toekomstbestendig Bouwen (/api/v1/convenant): the partners' register, the indicator
framework versions and the figures per area and peiling are open data (seed 001, SOK art. 8.1: "Die data zijn voor
iedereen vrijelijk toegankelijk"); a project's records need a seat, a new record the right to edit the project."""

from datetime import date
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import ConfigDict

from bouwregie.accounts import policy
from bouwregie.api.problems import refuse_unknown_parameters
from bouwregie.convenant import framework, store
from bouwregie.geo.areas import UnknownArea
from bouwregie.monitor.api import chosen_peiling
from bouwregie.projects.models import Peiling, ProjectVersion
from bouwregie.web.downloads import table_download

TEXT = {"pattern": r"^[^\x00]*$"}


class PartnerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    organisation: str = Field(max_length=200, **TEXT)
    sector: str = Field(max_length=100, **TEXT)
    convenant_version: str = Field(max_length=40, **TEXT)
    source: str = Field(max_length=300, **TEXT)
    signed_on: date | None = None
    signed_note: str = Field("", max_length=200, **TEXT)


class PartnerOut(Schema):
    organisation: str
    sector: str
    signed_on: date | None
    signed_note: str
    convenant_version: str
    source: str


class RecordIn(Schema):
    model_config = ConfigDict(extra="forbid")
    under_convenant: bool
    convenant_version: str = Field("", max_length=40, **TEXT)
    values: dict[str, float] = {}
    reason: str = Field(min_length=1, max_length=2000, **TEXT)


class RecordOut(Schema):
    number: int
    under_convenant: bool
    convenant_version: str
    framework: str
    values: dict
    recorded_at: str
    author: str
    reason: str


def _record_out(r) -> dict:
    return {
        "number": r.number,
        "under_convenant": r.under_convenant,
        "convenant_version": r.convenant_version,
        "framework": r.framework,
        "values": r.values,
        "recorded_at": r.recorded_at.isoformat(),
        "author": r.author,
        "reason": r.reason,
    }


def _partner_out(p) -> dict:
    return {
        k: getattr(p, k) for k in ("organisation", "sector", "signed_on", "signed_note", "convenant_version", "source")
    }


def _current(code: str) -> ProjectVersion:
    version = (
        ProjectVersion.objects.select_related("municipality").filter(project__code=code).order_by("-number").first()
    )
    if version is None:
        raise Http404(f"Project '{code}' bestaat niet.")
    return version


def build_router(signed_in, errors) -> Router:
    router = Router(tags=["convenant"])

    @router.get("/partners", response={200: list[PartnerOut], **errors}, summary="Het register van convenantpartners")
    def partners(request):
        refuse_unknown_parameters(request)
        return [_partner_out(p) for p in store.register()]

    @router.post("/partners", response={201: PartnerOut, **errors}, auth=signed_in, summary="Een partner registreren")
    def add_partner(request, body: PartnerIn):
        if not policy.can_edit_convenant_register(policy.principal_for(request.user)):
            raise HttpError(403, "Alleen de platformbeheerder houdt het partnerregister bij.")
        try:
            p = store.register_partner(**body.model_dump(), author=request.user.get_username())
        except store.ConvenantError as error:
            raise HttpError(400, str(error)) from None
        return Status(201, _partner_out(p))

    @router.get("/frameworks", response={200: list[dict], **errors}, summary="Alle versies van het indicatorkader")
    def frameworks(request):
        refuse_unknown_parameters(request)
        return [f.as_dict() for f in framework.all_versions()]

    @router.get(
        "/figures",
        response={200: dict, **errors},
        summary="Aandeel onder het convenant en indicatorscores per gebied en peiling (open data; ?format=csv)",
        openapi_extra={
            "responses": {
                200: {
                    "description": "De cijfers (JSON) of één CSV-regel per gebied",
                    "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                }
            }
        },
    )
    def figures(request, area: str = "NL", peiling: str | None = None, format: Literal["json", "csv"] = "json"):
        refuse_unknown_parameters(request, "area", "peiling", "format")
        try:
            code = chosen_peiling(peiling)
            result = store.area_figures(area, code)
        except Peiling.DoesNotExist as error:
            raise HttpError(404, str(error)) from None
        except UnknownArea as error:
            raise HttpError(404, str(error)) from None
        if format == "csv":
            return table_download(store.csv_rows([result]), f"convenant-{result['area']['code']}-{code}", "csv")
        return result

    @router.get(
        "/projects/{code}/records",
        response={200: list[RecordOut], **errors},
        auth=signed_in,
        summary="De convenantregistraties van een project (alle, oudste eerst)",
    )
    def records(request, code: str):
        refuse_unknown_parameters(request)
        if not policy.can_read_projects(policy.principal_for(request.user)):
            raise HttpError(403, "Uw account hoort bij geen organisatie met inzage in projecten.")
        _current(code)
        return [_record_out(r) for r in store.project_history(code)]

    @router.post(
        "/projects/{code}/records",
        response={201: RecordOut, **errors},
        auth=signed_in,
        summary="Een nieuwe convenantregistratie (onder het kader dat vandaag geldt)",
    )
    def add_record(request, code: str, body: RecordIn):
        version = _current(code)
        who = policy.principal_for(request.user)
        if not policy.can_edit_project(who, version.municipality_id, version.municipality.province_id):
            raise HttpError(403, "U mag dit project niet bewerken.")
        try:
            r = store.record(
                code,
                body.under_convenant,
                body.values,
                body.reason,
                request.user.get_username(),
                body.convenant_version,
            )
        except (store.ConvenantError, framework.FrameworkError) as error:
            raise HttpError(400, str(error)) from None
        return Status(201, _record_out(r))

    return router
