"""The financial instruments in the browser (issue #7): the realisatiestimulans per municipality and year,
both variants side by side, with the regulation version and its sources; CSV download. Open data: what a
municipality receives follows from its realised homes, which are open too."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.geo.areas import UnknownArea
from bouwregie.instruments import api, wbi_store
from bouwregie.instruments.models import WbiApplication
from bouwregie.instruments.money import euros, parse_euros
from bouwregie.instruments.realisatiestimulans import NAME
from bouwregie.instruments.regulation import all_versions
from bouwregie.projects.models import Peiling
from bouwregie.web.dashboard import closed_peilingen


def realisatiestimulans_page(request):
    peilingen = closed_peilingen()
    form = {"peiling": request.GET.get("peiling") or (peilingen[0] if peilingen else ""),
            "gemeente": request.GET.get("gemeente", "").strip()}  # fmt: skip
    result, error = None, None
    if peilingen:
        try:
            result = api.realisatiestimulans(form["peiling"], form["gemeente"] or None)
        except (ValueError, UnknownArea, Peiling.DoesNotExist) as e:
            error = str(e)
    if result and request.GET.get("formaat") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="realisatiestimulans-{result["peiling"]}.csv"'
        response.write("\ufeff")
        csv.writer(response, delimiter=";").writerows(api.csv_rows(result))
        return response
    rows, years = [], []
    if result:
        both = result["variants"]
        years = sorted({y for v in both.values() for y in v["years"]})
        codes = sorted({m["code"] for v in both.values() for m in v["municipalities"]})
        found = {v: {m["code"]: m for m in variant["municipalities"]} for v, variant in both.items()}
        for code in codes:
            a, b = found["realisatie"].get(code), found["startbouw"].get(code)
            rows.append({
                "code": code, "name": (a or b)["name"],
                "years": [{"year": y,
                           "realised": sum(a["years"][y]["homes"].values()) if a and y in a["years"] else 0,
                           "paid_realised": euros(a["years"][y]["paid_cents"]) if a and y in a["years"] else "–",
                           "started": sum(b["years"][y]["homes"].values()) if b and y in b["years"] else 0,
                           "paid_started": euros(b["years"][y]["paid_cents"]) if b and y in b["years"] else "–"}
                          for y in years],
                "total_realised": euros(a["paid_cents"]) if a else "–",
                "total_started": euros(b["paid_cents"]) if b else "–",
            })  # fmt: skip
    totals = [
        {"variant": v, "year": y, **t, "claims": euros(t["claims_cents"]), "ceiling": euros(t["ceiling_cents"]),
         "paid": euros(t["paid_cents"]), "set_off": euros(t["set_off_cents"])}
        for v, variant in (result["variants"].items() if result else ()) for y, t in variant["years"].items()
    ]  # fmt: skip
    return render(
        request,
        "web/realisatiestimulans.html",
        {
            "nav": "instruments",
            "form": form,
            "peilingen": peilingen,
            "error": error,
            "result": result,
            "rows": rows,
            "years": years,
            "totals": totals,
            "versions": all_versions(NAME),
            "average": euros(result["average_per_home_cents"]) if result else None,
        },  # fmt: skip
        status=400 if error else 200,
    )


@login_required
def woningbouwimpuls_page(request):
    """The ranking of one application window (the Rijk's assessment): every application with its decision,
    amounts, scores and, where it fails, each rule with reason and source."""
    if not policy.can_assess_wbi(policy.principal_for(request.user)):
        raise PermissionDenied(_("De rangschikking van de Woningbouwimpuls is de beoordeling van het Rijk."))
    windows = list(WbiApplication.objects.order_by("-window").values_list("window", flat=True).distinct())
    form = {"tijdvak": request.GET.get("tijdvak") or (windows[0] if windows else ""),
            "budget": request.GET.get("budget", "").strip()}  # fmt: skip
    result, error = None, None
    if form["tijdvak"] and form["budget"]:
        try:
            result = wbi_store.assess(form["tijdvak"], parse_euros(form["budget"]))
        except ValueError as e:
            error = str(e)
    if result:
        for row in result["applications"]:
            row.update(deficit=euros(row["deficit_cents"]), maximum=euros(row["max_contribution_cents"]),
                       granted=euros(row["granted_cents"]))  # fmt: skip
        result.update(budget=euros(result["budget_cents"]), granted=euros(result["granted_cents"]))
    return render(
        request,
        "web/woningbouwimpuls.html",
        {"nav": "instruments", "form": form, "windows": windows, "result": result, "error": error},
        status=400 if error else 200,
    )
