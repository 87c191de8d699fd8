"""REST API for the forecast (issue #6): a Monte Carlo forecast as a background job (POST /api/v1/forecasts: 202
with the job), the computed forecasts (GET /forecasts, /forecasts/{id}) and the calibration on the peiling
history (GET /forecast-calibration). Thin endpoints over the forecast's Python API (forecast/api.py, which the CLI
and the web page use too); this module is `rest`, as `api` is that Python API. The engine (numpy, scipy) is
imported by the endpoints that compute, not when the API is assembled."""

from datetime import datetime

from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from bouwregie.accounts import policy
from bouwregie.api.common import ERRORS, MAX_OFFSET, SIGNED_IN, Input, listed_part, principal
from bouwregie.forecast import limits
from bouwregie.forecast.models import Forecast
from bouwregie.jobs.api import JobOut, job_out
from bouwregie.monitor.snapshot import YEARS


class ForecastIn(Input):
    area: str = "NL"
    peiling: str | None = None
    runs: int = Field(limits.DEFAULT_RUNS, ge=1, le=limits.MAX_RUNS)
    horizon: int = Field(limits.DEFAULT_HORIZON, ge=int(YEARS[0]), le=int(YEARS[-1]))
    scenarios: list[str] = Field(default_factory=list, description="parallel-plannen, knelpunten, meer-uitval, "
                                                                    "snellere-vergunning")  # fmt: skip
    seed: int = Field(2025, ge=0, le=limits.MAX_SEED)


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
    if not policy.can_run_forecast(principal(request)):
        raise HttpError(403, "Uw account hoort bij geen organisatie met inzage in projecten en prognoses.")


def build_router() -> Router:
    router = Router(tags=["prognoses"])

    @router.post("/forecasts", response={202: JobOut, **ERRORS}, auth=SIGNED_IN,
                 summary="Een prognose berekenen (Monte Carlo) als achtergrondtaak")  # fmt: skip
    def start_forecast(request, body: ForecastIn):
        """Then follow GET /jobs/{id}; its forecast_id is the result (GET /forecasts/{id})."""
        from bouwregie.forecast import api as forecast_api
        from bouwregie.forecast import jobs as forecast_jobs

        _require_forecasts(request)
        request_ = forecast_api.Request(body.area, body.peiling, body.runs, body.horizon, tuple(body.scenarios),
                                        body.seed)  # fmt: skip
        return Status(202, job_out(forecast_jobs.start(request_, request.user)))

    @router.get("/forecasts", response={200: list[ForecastSummary], **ERRORS}, auth=SIGNED_IN,
                summary="Berekende prognoses, nieuwste eerst")  # fmt: skip
    def forecasts(request, response: HttpResponse, area: str | None = None, limit: int = Query(50, ge=1, le=500),
                  offset: int = Query(0, ge=0, le=MAX_OFFSET)):  # fmt: skip
        """The newest `limit` after `offset`; X-Total-Count says how many there are, Link the next part."""
        _require_forecasts(request)
        rows = Forecast.objects.defer("result")
        return listed_part(request, response, rows if area is None else rows.filter(area=area.upper()), limit, offset)

    @router.get("/forecasts/{forecast_id}", response={200: ForecastOut, **ERRORS}, auth=SIGNED_IN,
                summary="Eén prognose: P10/P50/P90 per jaar en segment, kansen op de afspraken, scenario")  # fmt: skip
    def forecast_detail(request, forecast_id: int):
        _require_forecasts(request)
        found = Forecast.objects.filter(pk=forecast_id).first()
        if found is None:
            raise Http404(f"Prognose #{forecast_id} bestaat niet.")
        return found

    @router.get(
        "/forecast-calibration",
        response={200: dict, **ERRORS},
        auth=SIGNED_IN,
        summary="De kalibratie van de prognose op de peilinghistorie, met de doorlooptijden uit de BAG",
    )
    def forecast_calibration(request, peiling: str | None = None) -> dict:
        from bouwregie.forecast import api as forecast_api

        _require_forecasts(request)
        return forecast_api.calibration(peiling)

    return router
