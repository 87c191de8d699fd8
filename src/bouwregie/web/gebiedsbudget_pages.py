"""Gebiedsbudget and NPLV contribution in the browser (issue #7): every measure package submitted, checked and
within the one ceiling in decision order; a province submits a package (JSON, docs/instruments.md); and the
NPLV contribution for homes per area."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.instruments import gebiedsbudget, gebiedsbudget_store
from bouwregie.instruments.money import parse_euros
from bouwregie.web.downloads import FORMATS, table_download
from bouwregie.web.uploaded import saved_upload


@login_required
def gebiedsbudget_page(request):
    who = policy.principal_for(request.user)
    if not policy.can_read_projects(who):
        raise PermissionDenied(_("Het gebiedsbudget is voor deelnemers aan de tafels."))
    error, stored = None, None
    if request.method == "POST":
        try:
            stored = _submit(request, who)
        except ValueError as e:
            error = str(e)
    overview = gebiedsbudget_store.assess_all()
    if request.GET.get("formaat") in FORMATS:
        return table_download(gebiedsbudget_store.csv_rows(overview), "gebiedsbudget", request.GET["formaat"])
    nplv, nplv_error = _nplv(request.GET)
    return render(
        request,
        "web/gebiedsbudget.html",
        {"nav": "instruments", "error": error, "stored": stored, "overview": overview,
         "nplv": nplv, "nplv_error": nplv_error, "nplv_form": {"woningen": request.GET.get("woningen", ""),
                                                               "per_woning": request.GET.get("per_woning", "")}},
        status=400 if error or nplv_error else 200,
    )  # fmt: skip


def _submit(request, who):
    with saved_upload(request.FILES.get("bestand"), (".json",)) as path:
        data = gebiedsbudget.read_json(path)
    package = gebiedsbudget.package_from_dict(data)
    codes = [str(c).strip().upper() for c in data.get("gemeenten") or []]
    if codes and not policy.can_submit_gebiedsbudget(who, codes):
        raise ValueError(_("Alleen de provincie waarin het gebied ligt (met een bewerkersrol) dient pakket %s in.")
                         % package.id)  # fmt: skip
    return gebiedsbudget_store.register(data, request.user)


def _nplv(params) -> tuple[dict | None, str | None]:
    """The NPLV contribution for lines 'gebied; woningen' (none given: nothing computed)."""
    text = params.get("woningen", "").strip()
    if not text:
        return None, None
    homes = {}
    try:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            area, sep, count = line.rpartition(";")
            if not sep or not area.strip() or not count.strip().isdigit():
                raise ValueError(_("Regel %(n)d: verwacht 'gebied; aantal woningen', niet '%(line)s'.")
                                 % {"n": number, "line": line.strip()})  # fmt: skip
            homes[area.strip()] = homes.get(area.strip(), 0) + int(count)
        rate = parse_euros(params["per_woning"]) if params.get("per_woning", "").strip() else None
        result = gebiedsbudget.nplv_contribution(homes, date.today(), rate)
    except ValueError as e:
        return None, str(e)
    result["areas"] = [{"area": a, "homes": homes[a], "paid_cents": c} for a, c in result["areas"].items()]
    return result, None
