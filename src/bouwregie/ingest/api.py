"""REST API for the imports (issue #5): the import log (GET /api/v1/imports, /imports/{id}), an upload whose
check (a dry run) runs as a background job (POST /imports: 202 with the job), and the decision on that preview
(POST /imports/{id}/decision). The same steps as the upload page of the web application (ingest/uploads.py)."""

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpResponse
from ninja import File, Form, Query, Router, Schema, UploadedFile
from ninja.errors import HttpError
from ninja.responses import Status

from bouwregie.accounts import policy
from bouwregie.api.common import ERRORS, MAX_OFFSET, NO_NUL, SIGNED_IN, Input, listed_part, principal, require_projects
from bouwregie.ingest.models import ImportRun
from bouwregie.jobs.api import JobOut, job_out
from bouwregie.limits import int_range, max_length
from bouwregie.projects import services


class ImportOut(Schema):
    id: int
    created_at: datetime
    author: str
    source: str
    file_name: str
    file_sha256: str
    file_format: str
    profile: str
    peiling_code: str
    dry_run: bool
    status: str
    message: str
    counts: dict


class ImportDetail(ImportOut):
    by_municipality: dict
    problems: list[dict]


class DecisionIn(Input):
    decision: Literal["bevestigen", "gedeeltelijk", "annuleren"]


def build_router() -> Router:
    router = Router(tags=["imports"])

    @router.get("/imports", response={200: list[ImportOut], **ERRORS}, auth=SIGNED_IN, summary="Het importlogboek")
    def imports(request, response: HttpResponse, source: str | None = None, limit: int = Query(50, ge=1, le=500),
                offset: int = Query(0, ge=0, le=MAX_OFFSET)):  # fmt: skip
        """The newest `limit` runs after `offset`; X-Total-Count says how many there are, Link the next part."""
        require_projects(request)
        runs = ImportRun.objects.all() if source is None else ImportRun.objects.filter(source=source)
        return listed_part(request, response, runs, limit, offset)

    @router.get("/imports/{run_id}", response={200: ImportDetail, **ERRORS}, auth=SIGNED_IN, summary="Eén import")
    def import_detail(request, run_id: int):
        require_projects(request)
        run = ImportRun.objects.filter(pk=run_id).first()
        if run is None:
            raise Http404(f"Import #{run_id} bestaat niet.")
        return run

    @router.post("/imports", response={202: JobOut, **ERRORS}, auth=SIGNED_IN,
                 summary="Een planlijst uploaden: de controle (proefimport) draait als achtergrondtaak")  # fmt: skip
    def upload_import(request, file: File[UploadedFile],
                      source: str = Form(..., max_length=max_length(ImportRun, "source"), pattern=NO_NUL),
                      profile: str | None = Form(None, max_length=max_length(ImportRun, "profile"), pattern=NO_NUL),
                      sheet: str | None = Form(None, max_length=max_length(ImportRun, "sheet"), pattern=NO_NUL),
                      peiling: str | None = Form(None, max_length=max_length(ImportRun, "peiling_code"),
                                                 pattern=NO_NUL),
                      header_row: int | None = Form(None, ge=1, le=int_range(ImportRun, "header_row")[1])):  # fmt: skip
        """Then follow GET /jobs/{id}; its import_id is the preview (GET /imports/{id}), decided with
        POST /imports/{id}/decision. The same steps as the upload page of the web application."""
        from bouwregie.ingest import uploads  # the readers (openpyxl, calamine): only when a file comes in

        require_projects(request)
        if not source.strip():
            raise HttpError(400, "Geef een bron op.")
        if peiling:
            services.parse_peiling_code(peiling)  # ValueError: 400 with the reason
        try:
            if header_row is not None and header_row < 1:
                raise HttpError(400, "header_row is een regelnummer vanaf 1.")
            job = uploads.start_preview(file, request.user, source, profile, sheet, peiling, header_row)
        except uploads.UploadRefused as refused:
            raise HttpError(400 if policy.can_import(principal(request)) else 403, str(refused)) from None
        return Status(202, job_out(job))

    @router.post(
        "/imports/{run_id}/decision",
        response={200: ImportOut, 202: JobOut, **ERRORS},
        auth=SIGNED_IN,
        summary="Besluit over een proefimport: bevestigen (202, de import als taak) of annuleren (200)",
    )
    def decide_import(request, run_id: int, decision: DecisionIn):
        from bouwregie.ingest import uploads

        require_projects(request)
        run = ImportRun.objects.filter(pk=run_id).first()
        if run is None:
            raise Http404(f"Import #{run_id} bestaat niet.")
        try:
            job = uploads.decide(run, decision.decision, request.user)
        except uploads.UploadRefused as refused:
            raise HttpError(403, str(refused)) from None
        if job is None:
            run.refresh_from_db()
            return Status(200, run)
        return Status(202, job_out(job))

    return router
