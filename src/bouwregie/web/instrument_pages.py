"""The financial instruments in the browser (issue #7): the realisatiestimulans per municipality and year,
both variants side by side, with the regulation version and its sources; CSV download. Open data: what a
municipality receives follows from its realised homes, which are open too."""

import csv

from django.http import HttpResponse
from django.shortcuts import render

from bouwregie.geo.areas import UnknownArea
from bouwregie.instruments import api
from bouwregie.instruments.money import euros
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
