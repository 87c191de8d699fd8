"""Background jobs on Django's task framework (issue #22; docs/decisions/0004-taken-in-een-worker.md).

A job is what a user follows: a `Job` row with progress, stage, result and error, shown by the job page and
the API. The work itself is a Django task (`django.tasks`) on the database-backed queue of django-tasks-db:
`submit` creates the Job and enqueues `bouwregie.jobs.tasks.run_job` in the same transaction, so a job is
queued exactly when its cause is committed. Separate worker processes (`bouwregie worker`, any number, on
any machine that reaches the database) take tasks one at a time; the queue's row lock and our own claim
(`run`: WACHTRIJ → BEZIG in one conditional UPDATE) make sure two workers never run the same job. A web
process never runs a job, so a restarted or killed web worker loses nothing and a busy job never holds a
web worker.

While a job runs, a heartbeat thread in the worker writes a `WorkerBeat` every HEARTBEAT seconds in a row
of its own, so a long transaction of the handler (an import's write) does not stop it. A job that is busy
but whose worker has not beaten for STALE_AFTER is shown "onderbroken": its process died, the work it did
was one transaction, so nothing half-written remains, and `retry` starts it again. On SQLite (one machine,
one writer) the beat cannot be written while the handler writes; there a busy job also counts as alive
while its worker process on this machine exists.

A handler is a plain function `handler(params: dict, progress: Progress) -> dict`; the dict it returns is
the job's result, with "url" pointing at the page that shows the outcome. A handler raises JobFailed with a
message for the user when the work cannot be done. Tests set JOBS_INLINE to run a job within the request
that submits it.
"""

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bouwregie.jobs.models import Job, WorkerBeat

log = logging.getLogger(__name__)

# Seconds between a running job's heartbeats, and the silence after which a busy job counts as interrupted
# (settings, from BOUWREGIE_JOB_HEARTBEAT_SECONDS and BOUWREGIE_JOB_STALE_SECONDS).
HEARTBEAT = settings.JOB_HEARTBEAT_SECONDS
STALE_AFTER = timedelta(seconds=settings.JOB_STALE_SECONDS)
QUEUED_NOTICE_AFTER = timedelta(seconds=30)  # a job waiting this long: say that a worker must run


class JobFailed(Exception):
    """The work could not be done; the message is shown to the user as it is."""


def submit(handler: str, title: str, params: dict, user=None, retry_of: Job | None = None) -> Job:
    """Record a job and queue its task (in the caller's transaction). Returns the Job."""
    from bouwregie.jobs.tasks import run_job

    language = translation.get_language() or settings.LANGUAGE_CODE
    limit = Job._meta.get_field("title").max_length  # a title names a file or an area: never a database error
    with transaction.atomic():
        job = Job.objects.create(
            handler=handler,
            title=title if len(title) <= limit else title[: limit - 1] + "…",
            params={**params, "language": params.get("language", language)},
            created_by=user if user is not None and user.is_authenticated else None,
            retry_of=retry_of,
        )
        if not settings.JOBS_INLINE:
            task = run_job.enqueue(job.pk)
            Job.objects.filter(pk=job.pk).update(task_id=str(task.id))
    if settings.JOBS_INLINE:
        run(job.pk)
    job.refresh_from_db()
    return job


def retry(job: Job, user=None) -> Job:
    """Start an interrupted or failed job again, as a new job pointing back at it. ValueError when the job is
    still queued, running or done."""
    if state(job)["status"] not in ("onderbroken", Job.Status.MISLUKT):
        raise ValueError(_("Alleen een onderbroken of mislukte taak kan opnieuw worden gestart."))
    if job.status != Job.Status.MISLUKT:  # interrupted: record it as such, so a late worker cannot revive it
        Job.objects.filter(pk=job.pk, status=job.status).update(
            status=Job.Status.MISLUKT, finished_at=timezone.now(), error=_(INTERRUPTED)
        )
    return submit(job.handler, job.title, job.params, user, retry_of=job)


class Progress:
    """Passed to a handler to report how far it is; writes at most twice a second."""

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


def worker_identity() -> tuple[str, int]:
    return socket.gethostname()[:100], os.getpid()


def run(job_id: int, worker_id: str = "") -> None:
    """Run one job in this process: claim it (only a queued job is claimed, once), run its handler with a
    heartbeat, record the outcome."""
    now = timezone.now()
    host, pid = worker_identity()
    worker_id = worker_id or f"{host}-{pid}"
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.WACHTRIJ).update(
        status=Job.Status.BEZIG, started_at=now, heartbeat_at=now, worker=worker_id[:100], worker_host=host,
        worker_pid=pid,
    )  # fmt: skip
    if not claimed:  # already taken by another worker, or cancelled/marked before it was run
        return
    job = Job.objects.get(pk=job_id)
    beat = None if settings.JOBS_INLINE else _Heartbeat(worker_id, job_id)
    with translation.override(job.params.get("language", settings.LANGUAGE_CODE)):
        try:
            result = import_string(job.handler)(job.params, Progress(job_id))
        except JobFailed as failure:
            _finish(job_id, Job.Status.MISLUKT, error=str(failure))
        except Exception:
            log.exception("Achtergrondtaak #%s (%s) mislukt", job_id, job.handler)
            _finish(job_id, Job.Status.MISLUKT,
                    error=_("Onverwachte fout in taak #%d; details staan in het serverlog.") % job_id)  # fmt: skip
        else:
            _finish(job_id, Job.Status.KLAAR, result=result or {})
        finally:
            if beat is not None:
                beat.stop()


class _Heartbeat:
    """A thread that writes the worker's beat for `job_id` every HEARTBEAT seconds until stopped."""

    def __init__(self, worker_id: str, job_id: int):
        self.worker_id, self.job_id, self._stopped = worker_id[:100], job_id, threading.Event()
        self._beat()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{job_id}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        try:
            WorkerBeat.objects.update_or_create(
                worker=self.worker_id, defaults={"job_id": self.job_id, "beat_at": timezone.now()}
            )
        except DatabaseError:  # SQLite while the handler writes: the process check covers it (see above)
            log.debug("Hartslag van taak #%s niet geschreven", self.job_id, exc_info=True)

    def _loop(self) -> None:
        try:
            while not self._stopped.wait(HEARTBEAT):
                self._beat()
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=HEARTBEAT + 5)


def _finish(job_id: int, status: str, result: dict | None = None, error: str = "") -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id, status=Job.Status.BEZIG).update(
        status=status,
        finished_at=now,
        heartbeat_at=now,
        error=error,
        result=result or {},
        progress=100 if status == Job.Status.KLAAR else 0,
    )


INTERRUPTED = gettext_noop("Onderbroken (de worker is tijdens de taak gestopt); er is niets opgeslagen.")


def interrupted(job: Job, now=None) -> bool:
    """A busy job whose worker has given no sign of life (job progress or worker beat) for STALE_AFTER, and
    whose worker process does not run on this machine: its process stopped. A queued job is waiting, not
    interrupted."""
    if job.status != Job.Status.BEZIG:
        return False
    now = now or timezone.now()
    beats = [job.heartbeat_at or job.started_at or job.created_at]
    if job.worker:
        beat = WorkerBeat.objects.filter(worker=job.worker, job_id=job.pk).values_list("beat_at", flat=True).first()
        beats += [beat] if beat else []
    if max(beats) >= now - STALE_AFTER:
        return False
    return not _alive_here(job)


def _alive_here(job: Job) -> bool:
    host, _pid = worker_identity()
    if not job.worker_pid or job.worker_host != host:
        return False
    try:
        os.kill(job.worker_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def state(job: Job) -> dict:
    """What a user sees of a job (web page and API alike): status, progress, stage, error, outcome, and whether
    it may be started again."""
    stopped = interrupted(job)
    waiting = job.status == Job.Status.WACHTRIJ and job.created_at < timezone.now() - QUEUED_NOTICE_AFTER
    label = (_(INTERRUPTED) if stopped else
             _("In de wachtrij: de taak wacht op een vrije worker (bouwregie worker).") if waiting else
             job.get_status_display())  # fmt: skip
    status = "onderbroken" if stopped else job.status
    return {
        "status": status, "label": label, "progress": job.progress, "stage": job.stage,
        "error": job.error or (_(INTERRUPTED) if stopped else ""), "url": job.result.get("url"),
        "done": stopped or job.status in (Job.Status.KLAAR, Job.Status.MISLUKT),
        "retryable": status in ("onderbroken", Job.Status.MISLUKT),
    }  # fmt: skip
