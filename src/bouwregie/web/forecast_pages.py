"""The forecast in the browser (issue #6): ask for one (area, peiling, runs, horizon, scenarios), watch it
run as a background task, then read the fan chart, the chances to meet the agreements, the scenario's
difference, the projects that carry the uncertainty and the calibration. The numbers come from
bouwregie.forecast, the same functions as the CLI and the REST API use."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bouwregie.forecast import api, jobs, results
from bouwregie.forecast.models import Forecast
from bouwregie.forecast.scenarios import SCENARIOS
from bouwregie.geo.areas import UnknownArea
from bouwregie.projects.milestones import phase_label
from bouwregie.projects.models import Peiling
from bouwregie.web.dashboard import closed_peilingen
from bouwregie.web.downloads import table_download
from bouwregie.web.form_values import whole_number
from bouwregie.web.project_pages import require_projects

RUN_CHOICES = (1000, 10_000, 50_000)


@login_required
def forecast_page(request):
    require_projects(request)
    peilingen = closed_peilingen()
    data = request.POST if request.method == "POST" else request.GET
    form = {
        "gebied": data.get("gebied", "").strip() or "NL",
        "peiling": data.get("peiling") or (peilingen[0] if peilingen else ""),
        "runs": data.get("runs") or str(api.DEFAULT_RUNS),
        "horizon": data.get("horizon") or str(api.DEFAULT_HORIZON),
        "seed": data.get("seed") or "2025",
        "scenarios": data.getlist("scenario"),
    }
    error = None
    if request.method == "POST":
        try:
            runs = whole_number(form["runs"], _("Het aantal runs"))
            horizon = whole_number(form["horizon"], _("De horizon"))
            seed = whole_number(form["seed"], _("De seed"))
            request_ = api.Request(form["gebied"], form["peiling"], runs, horizon, tuple(form["scenarios"]), seed)
            if form["peiling"] not in peilingen:
                raise ValueError(_("Kies een gesloten peiling."))
            job = jobs.start(request_, request.user)
        except (ValueError, UnknownArea, Peiling.DoesNotExist) as e:
            error = str(e)
        else:
            return redirect("job", job.pk)
    recent = Forecast.objects.defer("result").select_related("created_by")[:20]
    return render(
        request,
        "web/forecast_form.html",
        {
            "nav": "forecast",
            "form": form,
            "peilingen": peilingen,
            "error": error,
            "recent": recent,
            "scenarios": SCENARIOS.values(),
            "run_choices": RUN_CHOICES,
        },  # fmt: skip
        status=400 if error else 200,
    )


def _forecast(request, forecast_id: int) -> Forecast:
    require_projects(request)
    found = Forecast.objects.filter(pk=forecast_id).first()
    if found is None:
        raise Http404(_("Prognose #%d bestaat niet.") % forecast_id)
    return found


@login_required
def forecast_result(request, forecast_id: int):
    forecast = _forecast(request, forecast_id)
    r = forecast.result
    years = [str(y) for y in r["years"]]
    total = r["series"]["totaal"]
    rows = [{"year": y, **total["years"][y], "affordable": r["series"]["betaalbaar"]["years"][y]["p50"],
             "cumulative": total["cumulative"][y]["p50"]} for y in years]  # fmt: skip
    yearly_targets = {}
    for t in r["targets"]:
        for y, v in t.get("yearly", {}).items():
            yearly_targets[y] = v["target"]
    chart = {
        "labels": years,
        "band": [[total["years"][y]["p10"] for y in years], [total["years"][y]["p90"] for y in years]],
        "median": [total["years"][y]["p50"] for y in years],
        "target": [yearly_targets.get(y) for y in years] if yearly_targets else None,
        "labels_text": {"band": _("P10–P90 (8 op 10 uitkomsten)"), "median": _("P50 (mediaan)"),
                        "target": _("Afspraak per jaar"), "scenario_band": _("Scenario P10–P90"),
                        "scenario_median": _("Scenario P50")},
    }  # fmt: skip
    difference, part_difference = [], {}
    if r["scenarios"]:
        part_difference = {code: sum(by_year.values()) for code, by_year in
                           r["scenario"]["difference"].get("parts", {}).items()}  # fmt: skip
        s_total = r["scenario"]["series"]["totaal"]["years"]
        chart["scenario_band"] = [[s_total[y]["p10"] for y in years], [s_total[y]["p90"] for y in years]]
        chart["scenario_median"] = [s_total[y]["p50"] for y in years]
        difference = [{"year": y, **r["scenario"]["difference"]["totaal"][y], "p50_base": total["years"][y]["p50"],
                       "p50_scenario": s_total[y]["p50"]} for y in years]  # fmt: skip
    calibration = [{**s, "from_label": phase_label("" if s["from"] == "voor_initiatief" else s["from"]),
                    "to_label": phase_label(s["to"])} for s in r["calibration"]["steps"]]  # fmt: skip
    plans = [{**p, "label": phase_label("" if p["phase"] == "voor_initiatief" else p["phase"])}
             for p in r["calibration"].get("plans", [])]  # fmt: skip
    return render(
        request,
        "web/forecast.html",
        {"nav": "forecast", "f": forecast, "r": r, "rows": rows, "chart": chart, "difference": difference,
         "scenario_labels": [str(SCENARIOS[c].label) for c in r["scenarios"]], "calibration": calibration,
         "plans": plans, "part_difference": part_difference,
         "bag": _bag_lead_times(r["calibration"]["steps"]),
         "parts": [{**part, "difference": part_difference.get(part["code"])} for part in r["parts"]]},
    )  # fmt: skip


@login_required
def forecast_csv(request, forecast_id: int):
    forecast = _forecast(request, forecast_id)
    return table_download(results.csv_rows(forecast.result), f"prognose-{forecast.pk}-{forecast.area}", "csv")


def _bag_lead_times(peiling_steps: list[dict]) -> dict:
    """The lead times from the BAG histories beside the peiling calibration (forecast/bag_calibration.py)."""
    from bouwregie.forecast import bag_calibration

    found = bag_calibration.calibration(peiling_steps)
    for s in found["steps"]:
        s["from_label"], s["to_label"] = phase_label(s["from"]), phase_label(s["to"])
    return found
