"""The Woontop agreements tracker in the browser (issue #23, seed 004): the national table — per afspraak its
milestones with the status of the quarter, overdue ones flagged, and what changed since the previous quarter. Open to
all; the Rijk sets statuses (accounts.policy.can_edit_woontop)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bouwregie.accounts import policy
from bouwregie.woontop import rules, store
from bouwregie.woontop.models import Status


@require_http_methods(["GET", "HEAD", "POST"])  # PUT, DELETE: 405, nothing written (issue #23)
def woontop_page(request):
    who = policy.principal_for(getattr(request, "user", None))
    may_edit = policy.can_edit_woontop(who)
    error = None
    quarter = request.GET.get("kwartaal") or None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Alleen het Rijk legt de status van Woontop-mijlpalen vast."))
        try:
            s = store.set_status(
                request.POST.get("mijlpaal", ""),
                request.POST.get("kwartaal", ""),
                request.POST.get("status", ""),
                request.POST.get("toelichting", ""),
                request.user.get_username(),
            )
            return redirect(f"{request.path}?kwartaal={s.quarter}")
        except store.WoontopError as e:
            error = str(e)
    try:
        table = store.table(quarter)
    except ValueError as e:
        error, table = str(e), store.table(None)
    labels = dict(Status.Kind.choices)  # the page shows "op schema", "te laat", not the codes (issue #23)
    for row in [m for a in table["afspraken"] for m in a["milestones"]] + table["changes"]:
        row["status_label"], row["previous_label"] = labels.get(row["status"]), labels.get(row["previous"])
    return render(
        request,
        "web/woontop.html",
        {
            "nav": "woontop",
            "table": table,
            "may_edit": may_edit,
            "error": error,
            "statuses": [(code, labels[code]) for code in rules.STATUSES],
            "previous": rules.previous_quarter(table["quarter"]),
        },
        status=400 if error else 200,
    )
