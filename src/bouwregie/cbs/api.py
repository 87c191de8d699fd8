"""REST API for the CBS registrations (open data: CBS publishes them under CC BY 4.0; docs/registraties.md):

GET /api/v1/cbs-releases                      the imported releases, per table newest version last
GET /api/v1/cbs-releases/{id}                 one release with its counts, applied mapping and warnings
GET /api/v1/cbs-nieuwbouw?gebied=&jaar=       CBS new build per year for NL, a province, municipality or region
"""

from datetime import date, datetime

from django.http import Http404
from ninja import Path, Query, Router, Schema

from bouwregie.api.problems import problem
from bouwregie.cbs import figures
from bouwregie.cbs.models import CbsFigure, CbsRelease

YEAR_RANGE = r"^\d{4}(-\d{4})?$"


class CbsReleaseOut(Schema):
    id: int
    table_id: str
    number: int
    release_date: date
    release_date_basis: str
    file_name: str
    sha256: str
    imported_at: datetime
    imported_by: str
    source: str
    variant: str
    counts: dict


class CbsReleaseDetail(CbsReleaseOut):
    mapping: list[dict]
    notices: list[str]


class CbsReleaseUsed(Schema):
    id: int
    table: str
    number: int
    release_date: date


class CbsNieuwbouwOut(Schema):
    area: dict
    years: dict[int, int]
    releases: dict[int, list[CbsReleaseUsed]]


def _unknown_parameters(request, allowed: tuple[str, ...]):
    """NL API Design Rules: a filter this resource does not know is a 400, not silently ignored."""
    unknown = sorted(set(request.GET) - set(allowed))
    if not unknown:
        return None
    reason = f"Onbekende parameter; toegestaan: {', '.join(allowed) or 'geen'}."
    return problem(
        400,
        "Ongeldige invoer",
        f"Onbekende parameter(s): {', '.join(unknown)}.",
        "ongeldige-invoer",
        invalidParams=[{"name": name, "reason": reason} for name in unknown],
    )


def _years(text: str | None) -> list[int]:
    if not text:
        return sorted(set(CbsFigure.objects.values_list("year", flat=True).distinct()))
    first, _sep, last = text.partition("-")
    if last and int(last) < int(first):
        raise ValueError(f"Jaren '{text}': het eerste jaar ligt na het laatste.")
    return list(range(int(first), int(last or first) + 1))


def build_router(errors) -> Router:
    router = Router(tags=["registraties"])

    @router.get(
        "/cbs-releases",
        response={200: list[CbsReleaseOut], **errors},
        summary="Geïmporteerde CBS-publicaties (81955NED, 86098NED), elke herziening een nieuwe versie",
    )
    def releases(request):
        if refused := _unknown_parameters(request, ()):
            return refused
        return list(CbsRelease.objects.order_by("table_id", "number"))

    @router.get(
        "/cbs-releases/{release_id}",
        response={200: CbsReleaseDetail, **errors},
        summary="Eén CBS-publicatie met aantallen, toegepaste herindelingen en waarschuwingen",
    )
    def release_detail(request, release_id: int = Path(..., ge=1, le=2**31 - 1)):
        if refused := _unknown_parameters(request, ()):
            return refused
        found = CbsRelease.objects.filter(pk=release_id).first()
        if found is None:
            raise Http404(f"CBS-publicatie #{release_id} bestaat niet.")
        return found

    @router.get(
        "/cbs-nieuwbouw",
        response={200: CbsNieuwbouwOut, **errors},
        summary="CBS-nieuwbouw (woningen) per jaar voor NL, een provincie, gemeente of regio",
    )
    def nieuwbouw(
        request,
        gebied: str = Query("NL", max_length=120, description="NL, PV27, GM0363, een naam of een regiocode"),
        jaar: str | None = Query(None, pattern=YEAR_RANGE, description="een jaar (2020) of reeks (2012-2020)"),
        release: int | None = Query(None, ge=1, le=2**31 - 1, description="alleen deze publicatie (id)"),
    ):
        if refused := _unknown_parameters(request, ("gebied", "jaar", "release")):
            return refused
        chosen = None
        if release is not None:
            chosen = CbsRelease.objects.filter(pk=release).first()
            if chosen is None:
                raise Http404(f"CBS-publicatie #{release} bestaat niet.")
        return figures.new_build_detail(gebied, _years(jaar), chosen)

    return router
