"""The balanced-distribution page of a woondeal (/woondeals/<code>/spreiding, issue #17): the same figures as
GET /api/v1/woondeals/{code}/spreiding (woondeals.spreiding.for_woondeal)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from bouwregie.web.dashboard import closed_peilingen
from bouwregie.web.form_values import whole_number
from bouwregie.web.project_pages import require_projects
from bouwregie.woondeals import spreiding
from bouwregie.woondeals.models import Woondeal


@login_required
def spreiding_page(request, code: str):
    require_projects(request)
    if not Woondeal.objects.filter(code=code).exists():
        raise Http404(_("Onbekende woondeal '%(code)s'.") % {"code": code})
    peilingen = closed_peilingen()
    form = {
        "peiling": request.GET.get("peiling") or (peilingen[0] if peilingen else ""),
        "drempel": request.GET.get("drempel", "").strip() or "10",
    }
    result, error, field = None, None, None
    try:
        field = "drempel"
        threshold = whole_number(form["drempel"], _("De drempel"), least=0, most=100)
        field = "peiling"
        if not peilingen:
            raise ValueError(_("Er is nog geen gesloten peiling."))
        if form["peiling"] not in peilingen:
            raise ValueError(_("Kies een gesloten peiling."))
        result = spreiding.for_woondeal(code, form["peiling"], threshold=threshold / 100)
    except ValueError as e:
        error = str(e)
    except Http404 as e:  # e.g. no agreement yet on the peiling date: said on the page, with the form
        error = str(e)
    return render(
        request,
        "web/woondeal_spreiding.html",
        {"nav": "woondeals", "code": code, "form": form, "peilingen": peilingen, "result": result,
         "on": result and date.fromisoformat(result["date"]),  # shown as j-n-Y, as on every woondeal page
         "error": error, "error_field": field if error else None},
        status=400 if error and field == "drempel" else 200,
    )  # fmt: skip
