"""REST API for the background jobs (issue #5): GET /api/v1/jobs/{id} follows what an upload, a decision or a
forecast started (202 with the job), POST /api/v1/jobs/{id}/retry starts an interrupted or failed one again.
JobOut and job_out are the answer of every endpoint that starts a job (ingest, forecast)."""

from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from bouwregie.accounts import policy
from bouwregie.api.common import ERRORS, SIGNED_IN, Problem, principal
from bouwregie.jobs import runner
from bouwregie.jobs.models import Job


class JobOut(Schema):
    id: int
    title: str
    status: str  # wachtrij, bezig, klaar, mislukt, onderbroken
    progress: int
    stage: str
    error: str
    done: bool
    retryable: bool = False  # interrupted or failed: POST /jobs/{id}/retry starts it again
    retry_of: int | None = None  # the job this one started again
    import_id: int | None = None  # the ImportRun the job produced (a preview, or the executed import)
    forecast_id: int | None = None  # the Forecast the job produced (GET /forecasts/{id})


def job_out(job: Job) -> JobOut:
    job.refresh_from_db()
    state = runner.state(job)
    return JobOut(id=job.pk, title=job.title, status=state["status"], progress=state["progress"],
                  stage=state["stage"], error=state["error"], done=state["done"], retryable=state["retryable"],
                  retry_of=job.retry_of_id,
                  import_id=job.result.get("import"), forecast_id=job.result.get("forecast"))  # fmt: skip


def build_router() -> Router:
    router = Router(tags=["taken"])

    @router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS}, auth=SIGNED_IN, summary="Eén achtergrondtaak")
    def job_detail(request, job_id: int):
        job = Job.objects.filter(pk=job_id).select_related("created_by").first()
        if job is None:
            raise Http404(f"Taak #{job_id} bestaat niet.")
        if not policy.can_follow_job(principal(request), job.created_by.get_username() if job.created_by else None):
            raise HttpError(403, "Deze taak is door iemand anders gestart.")
        return job_out(job)

    @router.post("/jobs/{job_id}/retry", response={202: JobOut, 409: Problem, **ERRORS}, auth=SIGNED_IN,
                 summary="Een onderbroken of mislukte taak opnieuw starten")  # fmt: skip
    def job_retry(request, job_id: int):
        job = job_detail(request, job_id) and Job.objects.get(pk=job_id)
        try:
            again = runner.retry(job, request.user)
        except ValueError as refusal:
            raise HttpError(409, str(refusal)) from None
        return Status(202, job_out(again))

    return router
