"""REST API for the monitor (issues #5, #8): the figures of one area (GET /api/v1/monitor-figures, open data), the
delays between two peilingen (GET /delays) and the alternatives when a year falls short (GET /alternatives).
Thin endpoints over the monitor's Python API (monitor/api.py, which the CLI and the web pages use too); this module
is `rest`, as `api` is that Python API."""

from ninja import Query, Router

from bouwregie.api.common import ERRORS, FINITE, OPEN_ERRORS, SIGNED_IN, require_projects
from bouwregie.monitor import api as monitor_api
from bouwregie.monitor.alternatives import alternatives as find_alternatives
from bouwregie.monitor.delays import DEFAULT_MONTHS
from bouwregie.monitor.delays import delays as find_delays
from bouwregie.monitor.shortfall import MAX_SHORTFALL
from bouwregie.monitor.snapshot import YEARS


def build_router() -> Router:
    router = Router(tags=["monitor"])

    @router.get("/monitor-figures", response={200: dict, **OPEN_ERRORS},
                summary="Monitorcijfers van één gebied (open data)")  # fmt: skip
    def monitor_figures(request, area: str = "NL", peiling: str | None = None) -> dict:
        return monitor_api.monitor(area, monitor_api.chosen_peiling(peiling))

    @router.get(
        "/delays",
        response={200: dict, **ERRORS},
        auth=SIGNED_IN,
        summary="Vertragingen tussen twee peilingen, met de projecten",
    )
    def delays(request, van: str, tot: str, area: str = "NL", months: float = Query(DEFAULT_MONTHS, ge=0, **FINITE),
               limit: int = Query(25, ge=0)) -> dict:  # fmt: skip
        require_projects(request)
        return find_delays(area, monitor_api.chosen_peiling(van), monitor_api.chosen_peiling(tot), months,
                           limit or None)  # fmt: skip

    @router.get(
        "/alternatives", response={200: dict, **ERRORS}, auth=SIGNED_IN,
        summary="Alternatieven bij een tekort in een jaar"
    )  # fmt: skip
    def alternatives(request, area: str, year: int = Query(..., ge=int(YEARS[0]), le=int(YEARS[-1])),
                     peiling: str | None = None, tekort: int | None = Query(None, ge=0, le=MAX_SHORTFALL),
                     limit: int = Query(25, ge=0)) -> dict:  # fmt: skip
        require_projects(request)
        return find_alternatives(area, monitor_api.chosen_peiling(peiling), year, tekort, limit or None)

    return router
