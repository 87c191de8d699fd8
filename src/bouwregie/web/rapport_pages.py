"""The quarterly report in the browser (issue #20): choose area, peiling, audience, language and format; the
report is made as a background job (progress on /taken/<id>), which then leads to the download. And the national
overview of PPM use per woondeal region (/ppm-gebruik), as a table with a traffic light per criterion, with the
same downloads as the other tables. The figures come from bouwregie.rapport, as for the CLI and the REST API."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.jobs.models import Job
from bouwregie.rapport import jobs, output, ppm
from bouwregie.web.dashboard import chosen_peiling, closed_peilingen
from bouwregie.web.downloads import FORMATS, table_download
from bouwregie.web.job_pages import _job_for


@login_required
def rapport_page(request):
    peilingen = closed_peilingen()
    data = request.POST if request.method == "POST" else request.GET
    form = {
        "gebied": data.get("gebied", "").strip() or "NL",
        "peiling": data.get("peiling") or (peilingen[0] if peilingen else ""),
        "doelgroep": data.get("doelgroep") or "publiek",
        "taal": data.get("taal") or (request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("nl", "en") else "nl"),
        "formaat": data.get("formaat") or "pdf",
    }
    error, status = None, 200
    if request.method == "POST":
        who = policy.principal_for(request.user)
        try:
            job = jobs.start(who, request.user, form["gebied"], form["peiling"], form["doelgroep"], form["taal"],
                             form["formaat"])  # fmt: skip
        except jobs.NotAllowed as refusal:
            error, status = str(refusal), 403
        except ValueError as refusal:
            error, status = str(refusal), 400
        else:
            return redirect("job", job.pk)
    return render(request, "web/rapport.html", {"nav": "rapport", "form": form, "peilingen": peilingen,
                                                "error": error}, status=status)  # fmt: skip


@login_required
def rapport_download(request, job_id: int):
    """The finished report of a job, for whoever may follow the job (its starter, the beheerder)."""
    job = _job_for(request, job_id)
    if job.handler != jobs.HANDLER:
        raise Http404(_("Taak #%d is geen rapportage.") % job_id)
    if job.status != Job.Status.KLAAR:
        return redirect("job", job_id)
    path = jobs.path_of(job)
    if not path.exists():
        raise Http404(_("Het bestand van taak #%d bestaat niet meer; maak de rapportage opnieuw.") % job_id)
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("name") or path.name,
                        content_type=output.FORMATS[job.params["format"]])  # fmt: skip


@login_required
def ppm_page(request):
    if not policy.can_read_report(policy.principal_for(request.user)):
        raise PermissionDenied
    peilingen = closed_peilingen()
    if not peilingen:
        raise Http404(_("Er is nog geen gesloten peiling."))
    peiling = chosen_peiling(request, peilingen)
    table = ppm.overview(peiling)
    if request.GET.get("formaat") in FORMATS:
        return table_download(ppm.rows(table), f"ppm-gebruik-{peiling}", request.GET["formaat"], _("PPM-gebruik"))
    return render(request, "web/ppm_gebruik.html", {"nav": "ppm", "t": table, "peiling": peiling,
                                                    "peilingen": peilingen})  # fmt: skip
