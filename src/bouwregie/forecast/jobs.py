"""Forecasts as background tasks (web page and REST API alike): the request is checked at once, so a
mistake is answered in the form or with a 400; the simulation then runs as a job with progress."""

from django.urls import reverse
from django.utils.translation import gettext as _

from bouwregie.forecast import api
from bouwregie.forecast.models import Forecast
from bouwregie.jobs import runner


def start(request: api.Request, user) -> "runner.Job":
    checked = request.checked()  # ValueError / UnknownArea / Peiling.DoesNotExist with the reason
    params = {"area": checked.area, "peiling": checked.peiling, "runs": checked.runs, "horizon": checked.horizon,
              "scenarios": list(checked.scenarios), "seed": checked.seed, "user_id": user.pk}  # fmt: skip
    title = _("Prognose %(area)s vanaf %(peiling)s") % {"area": checked.area, "peiling": checked.peiling}
    return runner.submit("bouwregie.forecast.jobs.forecast_job", title, params, user)


def forecast_job(params: dict, progress) -> dict:
    request = api.Request(params["area"], params["peiling"], params["runs"], params["horizon"],
                          tuple(params["scenarios"]), params["seed"])  # fmt: skip
    result = api.run(request, progress)
    saved = Forecast.objects.create(
        created_by_id=params.get("user_id"), area=result["area"]["code"], area_name=result["area"]["name"],
        peiling=result["peiling"], runs=request.runs, horizon=request.horizon, scenarios=list(request.scenarios),
        seed=request.seed, result=result,
    )  # fmt: skip
    return {"url": reverse("forecast", args=[saved.pk]), "forecast": saved.pk}


def start_calibration(peiling_code: str, user) -> "runner.Job":
    """After a peiling closes in the browser: the calibration (seconds of reading the history) as a job, so
    the close itself answers at once."""
    title = _("Kalibratie van de prognose op peiling %s") % peiling_code
    return runner.submit("bouwregie.forecast.jobs.calibration_job", title, {"peiling": peiling_code}, user)


def calibration_job(params: dict, progress) -> dict:
    from bouwregie.forecast.calibration import after_close

    progress(10, _("Peilinghistorie lezen"))
    return {"message": after_close(params["peiling"]), "url": reverse("forecasts")}
