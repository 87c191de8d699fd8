"""REST API for the peilingen, the quarterly standings (issue #5): GET /api/v1/peilingen (open data) and
POST /api/v1/peilingen/{code}/closure (the platform's administrator; irreversible, as on the web page)."""

from datetime import date, datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from bouwregie.accounts import policy
from bouwregie.api.common import ERRORS, OPEN_ERRORS, SIGNED_IN, principal
from bouwregie.projects import services
from bouwregie.projects.models import Peiling


class PeilingOut(Schema):
    code: str
    year: int
    quarter: int
    reference_date: date
    closed: bool
    closed_at: datetime | None = None


class PeilingClosed(PeilingOut):
    projects: int
    calibration_job_id: int


def _peiling_out(p: Peiling) -> PeilingOut:
    return PeilingOut(code=p.code, year=p.year, quarter=p.quarter, reference_date=p.reference_date,
                      closed=p.is_closed, closed_at=p.closed_at)  # fmt: skip


def build_router() -> Router:
    router = Router(tags=["peilingen"])

    @router.get("/peilingen", response={200: list[PeilingOut], **OPEN_ERRORS}, summary="Peilingen (kwartaalstanden)")
    def peilingen(request):
        return [_peiling_out(p) for p in Peiling.objects.all()]

    @router.post(
        "/peilingen/{code}/closure",
        response={200: PeilingClosed, **ERRORS},
        auth=SIGNED_IN,
        summary="Een peiling sluiten (onomkeerbaar; de beheerder); kalibratie volgt als achtergrondtaak",
    )
    def close_peiling(request, code: str, lopend_kwartaal: bool = False):
        """Freezes every project's newest version into the peiling, as the web page does. A closed peiling, or one
        before a later closed one, is refused (400) with the reason; so is a quarter that is still running, unless
        `lopend_kwartaal=true` confirms closing it early."""
        from bouwregie.forecast import jobs as forecast_jobs  # numpy: only when a peiling is closed

        if not policy.can_close_peiling(principal(request)):
            raise HttpError(
                403, "Alleen de beheerder van het platform sluit een peiling (zij geldt voor heel het land)."
            )
        peiling = services.close_peiling(
            code.strip().upper(), author=request.user.get_username(), allow_running=lopend_kwartaal
        )
        job = forecast_jobs.start_calibration(peiling.code, request.user)
        return PeilingClosed(
            **_peiling_out(peiling).dict(), projects=peiling.entries.count(), calibration_job_id=job.pk
        )

    return router
