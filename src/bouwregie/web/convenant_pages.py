"""Convenant Toekomstbestendig Bouwen in the browser (issue #23): the partners' register, the indicator framework
versions and, per area and peiling, the share of the pipeline and of deliveries under the convenant with the
indicator scores — open to everyone (seed 001, SOK art. 8.1), with a CSV of every area. A project's convenant
records on their own page; its editors add a record there."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from bouwregie.accounts import policy
from bouwregie.convenant import framework, store
from bouwregie.geo.areas import UnknownArea
from bouwregie.monitor.api import chosen_peiling
from bouwregie.projects.models import Peiling, ProjectVersion
from bouwregie.web.downloads import FORMATS, table_download


@require_safe  # open data to read; nothing on this page writes (issue #23)
def convenant_page(request):
    peilingen = list(
        Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").values_list("code", flat=True)
    )
    area = request.GET.get("gebied", "NL").strip().upper() or "NL"
    result, error, peiling = None, None, None
    if peilingen:
        try:
            peiling = chosen_peiling(request.GET.get("peiling") or None)
            if request.GET.get("formaat") in FORMATS:
                rows = store.csv_rows(store.national(peiling))
                return table_download(rows, f"convenant-{peiling}", request.GET["formaat"])
            result = store.area_figures(area, peiling)
        except (Peiling.DoesNotExist, UnknownArea) as e:
            error = str(e)
    return render(
        request,
        "web/convenant.html",
        {
            "nav": "convenant",
            "partners": store.register(),
            "frameworks": framework.all_versions(),
            "peilingen": peilingen,
            "peiling": peiling,
            "area": area,
            "result": result,
            "error": error,
        },
        status=404 if error else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])  # PUT, DELETE: 405, nothing written
@login_required
def convenant_project_page(request, code: str):
    who = policy.principal_for(request.user)
    if not policy.can_read_projects(who):
        raise PermissionDenied(_("Uw account hoort bij geen organisatie met inzage in projecten."))
    version = (
        ProjectVersion.objects.select_related("municipality").filter(project__code=code).order_by("-number").first()
    )
    if version is None:
        raise Http404(_("Project '%s' bestaat niet.") % code)
    may_edit = policy.can_edit_project(who, version.municipality_id, version.municipality.province_id)
    error = None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("U mag dit project niet bewerken."))
        values = {
            k.removeprefix("waarde_"): v for k, v in request.POST.items() if k.startswith("waarde_") and v.strip()
        }
        try:
            store.record(
                code,
                request.POST.get("onder_convenant") == "1",
                values,
                request.POST.get("reden", ""),
                request.user.get_username(),
                request.POST.get("convenantversie", ""),
            )
            return redirect("convenant-project", code=code)
        except (store.ConvenantError, framework.FrameworkError) as e:
            error = str(e)
    try:
        current = framework.in_force(timezone.localdate())
    except framework.FrameworkError:
        current = None
    return render(
        request,
        "web/convenant_project.html",
        {
            "nav": "convenant",
            "version": version,
            "records": store.project_history(code)[::-1],
            "may_edit": may_edit,
            "framework": current,
            "error": error,
            "form": request.POST if error else {},
        },
        status=400 if error else 200,
    )
