"""Run jobs in a background thread of the process that accepted them.

Why a thread and not a queue server: the platform starts with one command on a laptop (SQLite) and
runs the same way under gunicorn on a server; a thread per job needs nothing more, and because every
state change is written to the database, any worker process can show the progress. A job whose
process died (a restart during an import) stops sending heartbeats and is shown as interrupted after
STALE_AFTER instead of "busy" forever; the work it did was one transaction, so nothing half-written
remains. Tests set JOBS_INLINE to run a job within the request that submits it.

A handler is a plain function `handler(params: dict, progress: Progress) -> dict`; the dict it
returns is the job's result, with "url" pointing at the page that shows the outcome. A handler
raises JobFailed with a message for the user when the work cannot be done.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from bouwregie.jobs.models import Job

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=2)


class JobFailed(Exception):
    """The work could not be done; the message is shown to the user as it is."""


def submit(handler: str, title: str, params: dict, user=None) -> Job:
    language = translation.get_language() or settings.LANGUAGE_CODE
    limit = Job._meta.get_field("title").max_length  # a title names a file or an area: never a database error
    job = Job.objects.create(
        handler=handler,
        title=title if len(title) <= limit else title[: limit - 1] + "…",
        params={**params, "language": language},
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if settings.JOBS_INLINE:
        run(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _start_thread(job.pk))
    return job


def _start_thread(job_id: int) -> None:
    threading.Thread(target=_run_in_thread, args=(job_id,), name=f"job-{job_id}", daemon=True).start()


def _run_in_thread(job_id: int) -> None:
    try:
        run(job_id)
    finally:
        connections.close_all()  # this thread's own connections


class Progress:
    """Passed to a handler to report how far it is; writes at most twice a second (also the heartbeat)."""

    def __init__(self, job_id: int):
        self.job_id, self._last, self._stage = job_id, 0.0, None

    def __call__(self, percent: int, stage: str = "") -> None:
        now = time.monotonic()
        if stage == self._stage and now - self._last < 0.5:
            return
        self._last, self._stage = now, stage
        Job.objects.filter(pk=self.job_id).update(
            progress=max(0, min(99, int(percent))), stage=stage[:200], heartbeat_at=timezone.now()
        )


def run(job_id: int) -> None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.WACHTRIJ).update(
        status=Job.Status.BEZIG, started_at=now, heartbeat_at=now
    )
    if not claimed:  # already taken by another runner
        return
    job = Job.objects.get(pk=job_id)
    with translation.override(job.params.get("language", settings.LANGUAGE_CODE)):
        try:
            result = import_string(job.handler)(job.params, Progress(job_id))
        except JobFailed as failure:
            _finish(job_id, Job.Status.MISLUKT, error=str(failure))
        except Exception:
            log.exception("Achtergrondtaak #%s (%s) mislukt", job_id, job.handler)
            _finish(
                job_id,
                Job.Status.MISLUKT,
                error=_("Onverwachte fout in taak #%d; details staan in het serverlog.") % job_id,
            )
        else:
            _finish(job_id, Job.Status.KLAAR, result=result or {})


def _finish(job_id: int, status: str, result: dict | None = None, error: str = "") -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        status=status,
        finished_at=now,
        heartbeat_at=now,
        error=error,
        result=result or {},
        progress=100 if status == Job.Status.KLAAR else 0,
    )


def interrupted(job: Job, now=None) -> bool:
    """A job that says it is busy but has not reported for STALE_AFTER: its process stopped."""
    now = now or timezone.now()
    return (
        job.status in (Job.Status.BEZIG, Job.Status.WACHTRIJ)
        and (job.heartbeat_at or job.created_at) < now - STALE_AFTER
    )


def state(job: Job) -> dict:
    """What a user sees of a job (web page and API alike): status, progress, stage, error, outcome."""
    stopped = interrupted(job)
    return {
        "status": "onderbroken" if stopped else job.status,
        "label": _("Onderbroken (de server is tijdens de taak gestopt); er is niets opgeslagen.")
        if stopped else job.get_status_display(),
        "progress": job.progress, "stage": job.stage, "error": job.error, "url": job.result.get("url"),
        "done": stopped or job.status in (Job.Status.KLAAR, Job.Status.MISLUKT),
    }  # fmt: skip
