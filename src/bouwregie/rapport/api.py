"""REST API for the quarterly report (/api/v1/rapport, issue #20): POST starts the job (202, then follow
GET /jobs/{id}), GET /rapport/{job_id} downloads the finished file. The same checks as the web page
(rapport.jobs.check): the table's version only for the parties at the area's table, the public one for everyone
signed in. Added to the API by api/v1.py, with the API's own sign-in, errors and job summary."""

from typing import Literal

from django.http import FileResponse, Http404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import ConfigDict

from bouwregie.accounts import policy
from bouwregie.jobs.models import Job
from bouwregie.rapport import jobs, output


class RapportIn(Schema):
    model_config = ConfigDict(extra="forbid")
    area: str = Field("NL", min_length=1, max_length=100, pattern=r"^[^\x00]*$")
    peiling: str = Field(pattern=r"^\d{4}-Q[1-4]$")
    format: Literal["pdf", "xlsx"] = "pdf"
    audience: Literal["publiek", "tafel"] = "publiek"
    language: Literal["nl", "en"] = "nl"


def build_router(signed_in, errors, job_out) -> Router:
    router = Router(tags=["rapport"])

    @router.post("", response={202: dict, **errors}, auth=signed_in,
                 summary="De kwartaalrapportage maken (PDF of Excel) als achtergrondtaak")  # fmt: skip
    def start(request, body: RapportIn):
        """Then follow GET /jobs/{id}; when it is done, GET /rapport/{id} is the file."""
        who = policy.principal_for(request.user)
        try:
            job = jobs.start(who, request.user, body.area, body.peiling, body.audience, body.language, body.format)
        except jobs.NotAllowed as refusal:
            raise HttpError(403, str(refusal)) from None
        except ValueError as refusal:
            raise HttpError(400, str(refusal)) from None
        return Status(202, {**job_out(job).dict(), "download": f"/api/v1/rapport/{job.pk}"})

    @router.get("/{job_id}", response={200: None, 409: dict, **errors}, auth=signed_in,
                summary="Het bestand van een klaargezette kwartaalrapportage")  # fmt: skip
    def download(request, job_id: int):
        job = Job.objects.filter(pk=job_id, handler=jobs.HANDLER).select_related("created_by").first()
        if job is None:
            raise Http404(f"Rapportage #{job_id} bestaat niet.")
        started_by = job.created_by.get_username() if job.created_by else None
        if not policy.can_follow_job(policy.principal_for(request.user), started_by):
            raise HttpError(403, "Deze rapportage is door iemand anders gemaakt.")
        if job.status != Job.Status.KLAAR:
            raise HttpError(409, f"Rapportage #{job_id} is nog niet klaar (status {job.status}); volg /jobs/{job_id}.")
        path = jobs.path_of(job)
        if not path.exists():
            raise Http404(f"Het bestand van rapportage #{job_id} bestaat niet meer; maak haar opnieuw.")
        return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("name") or path.name,
                            content_type=output.FORMATS[job.params["format"]])  # fmt: skip

    return router
