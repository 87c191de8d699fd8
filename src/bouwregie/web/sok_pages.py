"""The SOK administration in the browser (issue #23, seed 001): per year the jaarplan/begroting (budget lines,
contributions, the part not allocated to a line, in-kind set-offs, staffing, invoices with VAT) and the
jaarafsluiting (spent per line, remainder, refund pro rata, the annual account due 1 March), with a CSV/xlsx of
each for the Processtuurgroep. Read by the parties, booked by the penvoerder (accounts.policy)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.instruments.money import parse_euros
from bouwregie.sok import store
from bouwregie.sok.models import Jaarplan
from bouwregie.web.downloads import FORMATS, table_download


def _allowed(request, jaarplan):
    who = policy.principal_for(request.user)
    if not policy.can_read_sok(who, set(jaarplan.agreement.parties.values_list("province", flat=True))):
        raise PermissionDenied(_("De SOK-administratie is voor de partijen van de samenwerkingsovereenkomst."))
    return policy.can_edit_sok(who, jaarplan.agreement.penvoerder)


@login_required
def sok_index(request):
    latest = Jaarplan.objects.order_by("-year").first()
    if latest is None:  # nothing loaded yet: nothing to keep from anyone
        return render(request, "web/sok.html", {"nav": "sok", "o": None})
    return redirect("sok-year", year=latest.year)


@login_required
def sok_year(request, year: int):
    try:
        jaarplan = store.jaarplan_for(year)
    except store.SokError as e:
        raise Http404(str(e)) from None
    may_edit = _allowed(request, jaarplan)
    error = None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Alleen de penvoerder boekt in de SOK-administratie."))
        try:
            _book(request, year)
            return redirect("sok-year", year=year)
        except (store.SokError, ValueError) as e:
            error = str(e)
    o = store.year_overview(jaarplan)
    if request.GET.get("formaat") in FORMATS and request.GET.get("vergadering") in ("begroting", "jaarafsluiting"):
        meeting = request.GET["vergadering"]
        rows = store.begroting_rows(o) if meeting == "begroting" else store.jaarafsluiting_rows(o)
        return table_download(rows, f"sok-{year}-{meeting}", request.GET["formaat"])
    years = list(Jaarplan.objects.order_by("year").values_list("year", flat=True))
    return render(
        request,
        "web/sok.html",
        {
            "nav": "sok",
            "o": o,
            "years": years,
            "may_edit": may_edit,
            "error": error,
            "form": request.POST if error else {},
        },
        status=400 if error else 200,
    )


def _book(request, year: int) -> None:
    what, user = request.POST.get("actie"), request.user.get_username()
    try:
        day = date.fromisoformat(request.POST.get("datum", ""))
    except ValueError:
        raise ValueError(_("Datum '%s' is geen geldige datum (JJJJ-MM-DD).") % request.POST.get("datum", "")) from None
    if what == "uitgave":
        store.book_expenditure(
            year,
            request.POST.get("post", ""),
            parse_euros(request.POST.get("bedrag", "")),
            day,
            request.POST.get("omschrijving", ""),
            user,
        )
    elif what == "facturen":
        store.issue_invoices(year, day, user)
    elif what == "verantwoording":
        store.record_account(year, day, user, request.POST.get("toelichting", ""))
    else:
        raise ValueError(_("Onbekende actie."))
