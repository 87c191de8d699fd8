"""The SOK administration in the browser (issue #23, seed 001): per year the jaarplan/begroting (budget lines,
contributions, the part not allocated to a line, in-kind set-offs, staffing, invoices with VAT) and the
jaarafsluiting (spent per line, remainder, refund pro rata, the annual account due 1 March), with a CSV/xlsx of
each for the Processtuurgroep. Read by the parties, booked by the penvoerder (accounts.policy)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

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


@require_safe  # reading only (GET, HEAD); PUT, DELETE and the rest: 405 (issue #23, write paths)
@login_required
def sok_index(request):
    latest = Jaarplan.objects.order_by("-year").first()
    if latest is None:  # nothing loaded yet: nothing to keep from anyone
        return render(request, "web/sok.html", {"nav": "sok", "o": None})
    return redirect("sok-year", year=latest.year)


@require_http_methods(["GET", "HEAD", "POST"])  # POST books (the penvoerder); PUT, DELETE and the rest: 405
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
            "change_fields": [
                {
                    "name": f"wijziging-{i}",
                    "line": r["name"],
                    "value": request.POST.get(f"wijziging-{i}", "") if error else "",
                }
                for i, r in enumerate(o["lines"])
            ],
        },
        status=400 if error else 200,
    )


def _book(request, year: int) -> None:
    what, user = request.POST.get("actie"), request.user.get_username()
    if what == "wijziging":
        _change_budget(request, year, user)
        return
    try:
        day = date.fromisoformat(request.POST.get("datum", ""))
    except ValueError:
        raise ValueError(_("Datum '%s' is geen geldige datum (JJJJ-MM-DD).") % request.POST.get("datum", "")) from None
    if what == "uitgave":
        booked = store.book_expenditure(
            year,
            request.POST.get("post", ""),
            parse_euros(request.POST.get("bedrag", "")),
            day,
            request.POST.get("omschrijving", ""),
            user,
        )
        for warning in store.overspend_warnings(booked):  # booked, but said at once (issue #23)
            messages.warning(request, warning)
    elif what == "facturen":
        due = request.POST.get("vervaldatum", "").strip()
        store.issue_invoices(year, day, user, due_on=_date(_("Vervaldatum"), due) if due else None)
    elif what == "verantwoording":
        store.record_account(year, day, user, request.POST.get("toelichting", ""))
    else:
        raise ValueError(_("Onbekende actie."))


def _date(label: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("%(field)s: '%(value)s' is geen geldige datum (JJJJ-MM-DD).") % {"field": label, "value": text}
        ) from None


def _change_budget(request, year: int, user: str) -> None:
    """The Processtuurgroep's decision from the form (art. 6.1): the decision date and reference, the reason and
    per budget line the amount moved (euros, Dutch notation; a minus takes money off the line; empty is nothing).
    Every field is read before anything is booked; `store.change_budget` then applies the same rules as the API
    and the command line (within the contributions, not below what was spent, not empty, the year not closed),
    all or nothing."""
    post = request.POST
    decided_on = _date(_("Besluitdatum"), post.get("besluitdatum", "").strip())
    deltas = {}
    for i, name in enumerate(store.jaarplan_for(year).lines.order_by("position").values_list("name", flat=True)):
        text = post.get(f"wijziging-{i}", "").strip()
        if not text:
            continue
        negative = text[:1] in ("-", "\u2212")  # a hyphen or the minus sign; an explicit plus adds (issue #23)
        try:
            cents = parse_euros(text[1:] if negative or text[:1] == "+" else text)
        except ValueError as error:
            raise ValueError(
                _("Wijziging voor post '%(line)s': %(error)s.") % {"line": name, "error": str(error).rstrip(".")}
            ) from None
        deltas[name] = -cents if negative else cents
    store.change_budget(year, deltas, decided_on, post.get("besluit", ""), user, reason=post.get("reden", ""))
