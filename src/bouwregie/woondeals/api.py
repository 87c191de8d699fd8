"""REST API for woondeals (/api/v1/woondeals): read by everyone (the agreements are public documents), written
by the deal's province or the beheerder (accounts.policy.can_edit_woondeal). A write is always a new version
with a reason (store.record); "?op=YYYY-MM-DD" answers as agreed on that date (store.as_agreed_on)."""

from datetime import date
from typing import Literal

from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import ConfigDict

from bouwregie.accounts import policy
from bouwregie.api.problems import FILE_RESPONSE, XLSX
from bouwregie.projects.models import Peiling
from bouwregie.woondeals import rules, spreiding, store, template
from bouwregie.woondeals.models import Woondeal, WoondealVersion

TEXT = {"pattern": r"^[^\x00]*$"}


class WoondealMember(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    code: str = Field(max_length=6)
    from_: date | None = Field(None, alias="from")
    until: date | None = None


class WoondealSignatory(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200, **TEXT)
    kind: str = Field(max_length=20)
    role: str = Field(max_length=10)


class WoondealVersionIn(Schema):
    """Every field of a version; on PATCH the ones left out keep the newest version's value."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200, **TEXT)
    provinces: list[str] | None = Field(None, max_length=12)
    members: list[WoondealMember] | None = Field(None, max_length=400)
    signatories: list[WoondealSignatory] | None = Field(None, max_length=400)
    taakstelling_total: int | None = Field(None, ge=0, le=rules.MAX_HOMES)
    taakstelling_segments: dict[str, int] | None = None
    jaarschijven: dict[str, int] | None = None
    corporation_homes: int | None = Field(None, ge=0, le=rules.MAX_HOMES)
    programming: dict[str, int] | None = None
    source: str | None = Field(None, max_length=500, **TEXT)
    valid_from: date | None = None
    reason: str = Field(min_length=1, max_length=500, **TEXT)


class WoondealIn(WoondealVersionIn):
    code: str = Field(pattern=r"^WD-[A-Za-z0-9-]{1,13}$")


class WoondealVersionOut(Schema):
    code: str
    number: int
    valid_from: date
    created_at: str
    author: str
    reason: str
    source: str
    name: str
    provinces: list[str]
    members: list[dict]
    signatories: list[dict]
    taakstelling_total: int | None
    taakstelling_segments: dict
    jaarschijven: dict
    corporation_homes: int | None
    programming: dict
    warnings: list[str] = []


class WoondealProgressOut(Schema):
    """Progress of a woondeal region at a peiling (monitor.woondeal_progress; docs/woondeals.md "Voortgang")."""

    code: str
    name: str
    peiling: str
    as_agreed_on: date
    version: int
    source: str
    provinces: list[str]
    region: str | None
    members: list[str]
    taakstelling: int | None
    realised: int
    planned: int
    realised_and_planned: int
    progress: float | None
    expected: float | None
    years: list[dict]
    segments: dict
    corporations: dict
    capacity: dict
    per_member: list[dict]
    forecast: dict | None


def _out(version: WoondealVersion, warnings=()) -> dict:
    data = store.data_of(version)
    data.update(
        code=version.woondeal.code,
        number=version.number,
        created_at=version.created_at.isoformat(),
        author=version.author,
        reason=version.reason,
        warnings=[f"{w.field}: {w.message}" for w in warnings],
    )
    return data


def _body_data(body: WoondealVersionIn, base: dict) -> dict:
    given = body.model_dump(exclude_unset=True, by_alias=True)
    data = {**base, **{k: v for k, v in given.items() if k in store.FIELDS}}
    if "members" in given:
        data["members"] = [
            {"code": m["code"], "from": m.get("from"), "until": m.get("until")} for m in given["members"] or []
        ]
    return data


def closed_peilingen_first() -> str | None:
    """The latest closed peiling: what the distribution answers for when none is asked."""
    return (
        Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").values_list("code", flat=True)
    ).first()


def build_router(signed_in, errors) -> Router:
    router = Router(tags=["woondeals"])

    @router.get(
        "", response={200: list[WoondealVersionOut], **errors}, summary="Alle woondeals zoals afgesproken op een datum"
    )
    def list_woondeals(request, op: date | None = None):
        return [_out(v) for v in store.current_all(op)]

    @router.get(
        "/template",
        response={200: None, **errors},
        summary="Het sjabloon (CSV of Excel), leeg of met de woondeals (nieuwste versies)",
        openapi_extra=FILE_RESPONSE,
    )
    def template_file(request, format: Literal["csv", "xlsx"] = "csv", gevuld: bool = False):
        content = template.write(template.export_rows() if gevuld else [], format)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8" if format == "csv" else XLSX)
        response["Content-Disposition"] = f'attachment; filename="woondeals.{format}"'
        return response

    @router.get(
        "/{code}", response={200: WoondealVersionOut, **errors}, summary="Eén woondeal zoals afgesproken op ?op="
    )
    def get_woondeal(request, code: str, op: date | None = None, bekend_op: date | None = None):
        if not Woondeal.objects.filter(code=code).exists():
            raise Http404(f"Onbekende woondeal '{code}'.")
        version = store.as_agreed_on(code, op, known_on=bekend_op)
        if version is None:
            raise Http404(store.absent(code, op or date.today(), bekend_op))
        return _out(version)

    @router.get(
        "/{code}/voortgang",
        response={200: WoondealProgressOut, **errors},
        summary="Voortgang van een woondeal tegen taakstelling, jaarschijven en segmenten (?peiling=)",
    )
    def woondeal_voortgang(request, code: str, peiling: str | None = None):
        from bouwregie.monitor.api import chosen_peiling
        from bouwregie.monitor.woondeal_progress import NoAgreement, woondeal_progress

        if not Woondeal.objects.filter(code=code).exists():
            raise Http404(f"Onbekende woondeal '{code}'.")
        try:  # an unknown peiling: the API's own 404 (api.v1._unknown_peiling), pointing to GET /peilingen
            return woondeal_progress(code, chosen_peiling(peiling))
        except NoAgreement as error:
            raise Http404(str(error)) from None

    @router.get(
        "/{code}/versions", response={200: list[WoondealVersionOut], **errors}, summary="Alle versies van een woondeal"
    )
    def versions(request, code: str):
        deal = Woondeal.objects.filter(code=code).first()
        if deal is None:
            raise Http404(f"Onbekende woondeal '{code}'.")
        return [_out(v) for v in deal.versions.select_related("woondeal").order_by("number")]

    @router.get(
        "/{code}/spreiding",
        response={200: dict, **errors},
        auth=signed_in,
        summary="Evenwichtige verdeling: aandeel sociale huur per gemeente tegen de norm (?peiling=, ?drempel=)",
    )
    def spreiding_of(request, code: str, peiling: str | None = None, drempel: float = Query(10, ge=0, le=100)):
        """Names projects, so for accounts that may read projects (the page's rule, web.project_pages)."""
        if not policy.can_read_projects(policy.principal_for(getattr(request, "user", None))):
            raise HttpError(403, "Uw account hoort bij geen organisatie met inzage in projecten.")
        chosen = peiling or closed_peilingen_first()
        if chosen is None:
            raise Http404("Er is nog geen gesloten peiling.")
        return spreiding.for_woondeal(code, chosen, threshold=drempel / 100)

    def _writer(request, provinces) -> str:
        who = policy.principal_for(getattr(request, "user", None))
        if not policy.can_edit_woondeal(who, provinces):
            raise HttpError(403, "Alleen de provincie van deze woondeal of de beheerder mag hem wijzigen.")
        return who.username

    @router.post("", response={201: WoondealVersionOut, **errors}, auth=signed_in, summary="Een nieuwe woondeal")
    def create_woondeal(request, body: WoondealIn):
        data = _body_data(body, {})
        ref = store.reference()
        store.check(data, ref)  # what the rules refuse (an unknown province) is a 400 before any permission question
        author = _writer(request, data.get("provinces") or [])
        version, warnings = store.record(body.code, data, author=author, reason=body.reason, create=True, ref=ref)
        return Status(201, _out(version, warnings))

    @router.patch(
        "/{code}",
        response={200: WoondealVersionOut, **errors},
        auth=signed_in,
        summary="Een nieuwe versie van een woondeal (reden verplicht)",
    )
    def change_woondeal(request, code: str, body: WoondealVersionIn):
        deal = Woondeal.objects.filter(code=code).first()
        if deal is None:
            raise Http404(f"Onbekende woondeal '{code}'.")
        base = store.data_of(deal.versions.order_by("-number").first())
        data = _body_data(body, base)
        ref = store.reference()
        store.check(data, ref)
        author = _writer(request, set(base["provinces"]) | set(data.get("provinces") or []))
        version, warnings = store.record(code, data, author=author, reason=body.reason, create=False, ref=ref)
        return Status(200, _out(version, warnings))

    return router
