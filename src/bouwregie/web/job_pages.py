"""A background job's page: a progress bar that follows the job, then the way to its outcome.

The page polls /taken/<id>.json (static/web/job.js); without JavaScript a link reloads it.
Only whoever started a job, or the beheerder, sees it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bouwregie.accounts import policy
from bouwregie.jobs import runner
from bouwregie.jobs.models import Job


def _job_for(request, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None:
        raise Http404(_("Taak #%d bestaat niet.") % job_id)
    started_by = job.created_by.get_username() if job.created_by else None
    if not policy.can_follow_job(policy.principal_for(request.user), started_by):
        raise PermissionDenied(_("Deze taak is door iemand anders gestart."))
    return job


@login_required
def job_page(request, job_id: int):
    job = _job_for(request, job_id)
    state = runner.state(job)
    if job.status == Job.Status.KLAAR and state["url"] and request.GET.get("blijf") is None:
        return redirect(state["url"])
    return render(request, "web/job.html", {"job": job, "state": state})


@login_required
def job_status(request, job_id: int):
    return JsonResponse(runner.state(_job_for(request, job_id)))


@login_required
@require_POST
def job_retry(request, job_id: int):
    """Start an interrupted or failed job again (runner.retry), as whoever may follow it."""
    job = _job_for(request, job_id)
    try:
        again = runner.retry(job, request.user)
    except ValueError as refusal:
        messages.error(request, str(refusal))
        return redirect("job", job_id)
    return redirect("job", again.pk)
