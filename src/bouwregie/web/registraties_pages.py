"""/registraties?gebied=&jaar=&peiling=: per area and year the monitor's realised homes beside CBS new build and
BAG deliveries, with the projects behind the differences (registraties.verschillen; the API
/api/v1/registraties/verschillen returns the same dict). Downloads with &formaat=csv|xlsx (bouwregie/cells.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from bouwregie.geo.areas import UnknownArea
from bouwregie.projects.models import Peiling
from bouwregie.registraties import cli, verschillen
from bouwregie.web.dashboard import _chart, closed_peilingen
from bouwregie.web.downloads import FORMATS, table_download
from bouwregie.web.project_pages import require_projects

SHOWN_PROJECTS = 100


@login_required
def differences_page(request):
    require_projects(request)
    gebied = request.GET.get("gebied") or "NL"
    jaar = request.GET.get("jaar") or ""
    peilingen = closed_peilingen()
    peiling = request.GET.get("peiling") or (peilingen[0] if peilingen else None)
    context = {"nav": "registraties", "gebied": gebied, "jaar": jaar, "peiling": peiling, "peilingen": peilingen}
    try:
        result = verschillen.differences(gebied, verschillen.parse_years(jaar), peiling)
    except (ValueError, UnknownArea, Peiling.DoesNotExist) as error:
        # A plain visit without a closed peiling is no error of the visitor's: the page says why (200).
        status = 400 if request.GET else 200
        return render(request, "web/registraties.html", {**context, "error": str(error)}, status=status)
    fmt = request.GET.get("formaat")
    if fmt in FORMATS:
        name = f"registraties-{result['area']['code']}-{result['peiling']}"
        return table_download(verschillen.table_rows(result), name, fmt, _("Registraties"))
    years = [r["year"] for r in result["years"]]
    chart = _chart("registraties", _("Opgeleverd per jaar: monitor, CBS en BAG"), _("Jaar"), years, [
        (_("Monitor gerealiseerd"), "bar", [r["monitor"] for r in result["years"]]),
        (_("CBS nieuwbouw"), "bar", [r["cbs"] for r in result["years"]]),
        (_("BAG opgeleverd (nieuwbouw)"), "bar", [r["bag"] for r in result["years"]]),
    ])  # fmt: skip
    return render(request, "web/registraties.html", {
        **context, "r": result, "chart": chart, "sources": cli.sources(result),
        "projects": result["projects"][:SHOWN_PROJECTS], "more": max(0, len(result["projects"]) - SHOWN_PROJECTS),
        "query": request.GET.urlencode(),
    })  # fmt: skip
