"""The Woningbouwimpuls in the browser (issue #7): a municipality submits its applications (the application
file of docs/instruments.md) and sees each checked against the rules; the Rijk ranks a window and divides a
tranche, with a download of the ranking."""

import itertools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.instruments import wbi_file, wbi_rows, wbi_store
from bouwregie.instruments.models import WbiApplication
from bouwregie.instruments.money import parse_euros
from bouwregie.web.downloads import FORMATS, table_download
from bouwregie.web.uploaded import saved_upload


def own_municipalities(who: policy.Principal) -> list[str]:
    """The municipalities this user submits applications for (the beheerder: for any, so none listed)."""
    return sorted({s.municipality for s in who.seats if s.municipality and policy.can_submit_wbi(who, s.municipality)})


@login_required
def wbi_submit_page(request):
    """Upload an application file; every application is checked, stored all or none, and listed with the rules
    it fails and its maximum contribution."""
    who = policy.principal_for(request.user)
    if not policy.can_submit_any_wbi(who):
        raise PermissionDenied(_("Een aanvraag voor de Woningbouwimpuls dient de gemeente zelf in (bewerkersrol)."))
    municipalities = own_municipalities(who)
    error, stored = None, []
    if request.method == "POST":
        try:
            with saved_upload(request.FILES.get("bestand"), (".csv", ".json")) as path:
                stored = wbi_store.register_file(path, request.user, lambda code: policy.can_submit_wbi(who, code))
        except ValueError as e:
            error = str(e)
    rows = wbi_store.applications_of(municipalities) if municipalities else []
    return render(
        request,
        "web/wbi_submit.html",
        {"nav": "instruments", "error": error, "stored": stored, "rows": rows, "municipalities": municipalities},
        status=400 if error else 200,
    )


@login_required
def woningbouwimpuls_page(request):
    """The ranking of one application window (the Rijk's assessment): every application with its decision,
    amounts, scores and, where it fails, each rule with reason and source; as CSV or Excel too."""
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
    fmt = request.GET.get("formaat")
    if result and fmt in FORMATS:
        footer = [[], ["regeling", result["regulation"]], ["budget_cent", result["budget_cents"]]]
        rows = itertools.chain(wbi_rows.csv_rows(result["applications"]), footer)
        return table_download(rows, f"woningbouwimpuls-{result['window']}", fmt, _("Rangschikking"))
    return render(
        request,
        "web/woningbouwimpuls.html",
        {"nav": "instruments", "form": form, "windows": windows, "result": result, "error": error},
        status=400 if error else 200,
    )


@login_required
def wbi_template(request, fmt: str):
    """The empty application file: the columns the reader requires (instruments.wbi_file.REQUIRED)."""
    if not policy.can_submit_any_wbi(policy.principal_for(request.user)):
        raise PermissionDenied(_("Een aanvraag voor de Woningbouwimpuls dient de gemeente zelf in (bewerkersrol)."))
    return table_download([list(wbi_file.REQUIRED)], "woningbouwimpuls-sjabloon", fmt, _("Aanvragen"))
