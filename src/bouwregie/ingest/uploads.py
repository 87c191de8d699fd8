"""A plan list uploaded in the browser or through the API: check it, keep it, preview it, then confirm or
cancel — the same steps for both, so the web page and the REST API cannot drift apart.

Uploading runs the importer as a dry run in a background job (bouwregie.jobs) and keeps the file until
someone decides. Confirming runs the same file, unchanged (its SHA-256 is checked), for real, again as a
job; cancelling deletes the file. Both are decisions recorded on the dry run, so the import log shows
who decided. Which rows a user may write is the one policy's can_edit_project, asked row by row.

A confirmed import whose job died (the server stopped mid-write: no heartbeat for runner.STALE_AFTER) or
failed wrote nothing (one transaction), so its preview is decidable again: confirm once more or cancel
(issue 16, fault 12). Files nobody will use any more are removed by forget_stale_uploads, run at every
upload, on the import log page and by `bouwregie imports cleanup`.
"""

import shutil
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousFileOperation
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.geo.models import Municipality
from bouwregie.ingest.importer import ImportOptions, file_sha256, run_import
from bouwregie.ingest.models import ImportRun
from bouwregie.ingest.readers import SUPPORTED
from bouwregie.jobs import runner
from bouwregie.jobs.models import Job

DECISIONS = {
    "bevestigen": ImportRun.Decision.BEVESTIGD,  # everything, when the preview had no errors
    "gedeeltelijk": ImportRun.Decision.BEVESTIGD,  # only the valid rows (--allow-partial)
    "annuleren": ImportRun.Decision.GEANNULEERD,
}


# An upload nobody decided on is deleted after this many days (its preview stays in the log, undecidable).
KEEP_UNDECIDED_DAYS = 7


class UploadRefused(ValueError):
    """The upload or the decision cannot be accepted; the message says why, in the user's language."""


def upload_problem(name: str, size: int) -> str | None:
    """Why a file cannot be taken at all (type, size), before anything is stored; None when it can."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        return _("Bestandstype '%(suffix)s' wordt niet ondersteund; gebruik %(supported)s.") % {
            "suffix": suffix or _("(geen)"), "supported": ", ".join(SUPPORTED)}  # fmt: skip
    if size > settings.IMPORT_MAX_BYTES:
        return _("Het bestand is %(size)s MB; de grens is %(limit)s MB.") % {
            "size": f"{size / 1_000_000:.1f}", "limit": f"{settings.IMPORT_MAX_BYTES / 1_000_000:g}"}  # fmt: skip
    if size == 0:
        return _("Het bestand is leeg.")
    return None


def start_preview(upload, user, source: str, profile: str | None, sheet: str | None, peiling: str | None,
                  header_row: int | None = None) -> Job:  # fmt: skip
    """Keep the uploaded file and start its dry run; the job's result names the preview (an ImportRun)."""
    problem = upload_problem(upload.name, upload.size)
    if problem:
        raise UploadRefused(problem)
    if not policy.can_import(policy.principal_for(user)):
        raise UploadRefused(_("Alleen gemeenten en provincies met een bewerkersrol kunnen planlijsten uploaden."))
    forget_stale_uploads()
    folder = Path(settings.UPLOAD_DIR) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / stored_name(upload.name)
    try:
        with open(path, "wb") as f:
            for chunk in upload.chunks():
                f.write(chunk)
        params = {"path": str(path), "source": source.strip(), "profile": profile or None, "sheet": sheet or None,
                  "peiling": peiling or None, "header_row": header_row or None, "user_id": user.pk}  # fmt: skip
        return runner.submit("bouwregie.ingest.uploads.preview_job", _("Planlijst controleren: %s") % path.name,
                             params, user)  # fmt: skip
    except BaseException:  # never a file on disk that no preview or job knows of
        discard(str(path))
        raise


# The stored name of an upload: ImportRun.file_name holds it (max_length 255), the file system allows 255 bytes,
# and the upload path (UPLOAD_DIR/<32 hex>/name) must fit ImportRun.upload_path (500). 100 characters and 200
# bytes leave room for all three; a longer name loses the end of its stem, keeping its type.
STORED_NAME_CHARS = 100
STORED_NAME_BYTES = 200


def stored_name(name: str) -> str:
    """A safe file name for an upload: no directories, only letters, digits, '-', '_' and '.', and short enough
    for the log and the disk; the suffix (which decides the reader) is kept."""
    try:
        name = get_valid_filename(Path(name.replace("\\", "/")).name)
    except SuspiciousFileOperation:  # nothing left of it ("", "..")
        name = "planlijst"
    suffix = Path(name).suffix[:12]
    stem = name[: len(name) - len(suffix)] if suffix else name
    while stem and (len(stem) + len(suffix) > STORED_NAME_CHARS
                    or len((stem + suffix).encode()) > STORED_NAME_BYTES):  # fmt: skip
        stem = stem[:-1]
    return (stem or "planlijst") + suffix


def _may_write(who: policy.Principal):
    """The importer's row check: may this user write projects in municipality `code`?"""
    provinces = dict(Municipality.objects.values_list("code", "province_id"))
    return lambda code: policy.can_edit_project(who, code, provinces.get(code, ""))


def _options(params: dict, user, progress, **overrides) -> ImportOptions:
    return ImportOptions(source=params["source"], profile=params["profile"], sheet=params["sheet"],
                         peiling=params["peiling"], header_row=params.get("header_row"), author=user.get_username(),
                         may_write=_may_write(policy.principal_for(user)), progress=progress, **overrides)  # fmt: skip


def _outcome(run: ImportRun) -> dict:
    return {"url": reverse("import", args=[run.pk]), "import": run.pk}


def preview_job(params: dict, progress) -> dict:
    """Background job: the dry run that becomes the preview."""
    user = get_user_model().objects.get(pk=params["user_id"])
    try:
        run = run_import(params["path"], _options(params, user, progress, dry_run=True)).run
    except BaseException:  # an unexpected failure (the runner logs it): the file is of no use to anyone
        discard(params["path"])
        raise
    if run.status == ImportRun.Status.GEWEIGERD and not run.counts.get("valid"):
        discard(params["path"])  # nothing in it could ever be written
    else:
        ImportRun.objects.filter(pk=run.pk).update(upload_path=params["path"])
    return _outcome(run)


def apply_job(params: dict, progress) -> dict:
    """Background job: the confirmed import of a previewed upload."""
    user = get_user_model().objects.get(pk=params["user_id"])
    preview = ImportRun.objects.get(pk=params["preview"])
    path = Path(preview.upload_path)
    if not path.is_file() or file_sha256(path) != preview.file_sha256:
        raise runner.JobFailed(_("Het geüploade bestand is niet meer hetzelfde of is verdwenen; upload het opnieuw."))
    options = {"source": preview.source, "profile": preview.profile or None, "sheet": preview.sheet or None,
               "peiling": preview.peiling_code or None, "header_row": preview.header_row}  # fmt: skip
    result = run_import(path, _options(options, user, progress, allow_partial=params["allow_partial"]))
    ImportRun.objects.filter(pk=preview.pk).update(applied_as=result.run, upload_path="")
    discard(str(path))
    return _outcome(result.run)


def discard(path: str) -> None:
    folder = Path(path).parent
    if folder.parent == Path(settings.UPLOAD_DIR):
        shutil.rmtree(folder, ignore_errors=True)


APPLY_HANDLER = "bouwregie.ingest.uploads.apply_job"


def apply_job_of(run: ImportRun) -> Job | None:
    """The latest job that imports this preview for real (started by a confirmation)."""
    return Job.objects.filter(handler=APPLY_HANDLER, params__preview=run.pk).order_by("-created_at", "-pk").first()


def stuck(run: ImportRun, now=None) -> bool:
    """A confirmed preview whose import never finished: its job failed, died with its worker (no sign of life
    for runner.STALE_AFTER), or has waited that long for a worker, so nothing was written and the file is still
    there to confirm again or cancel (a queued job is marked failed first, so a late worker skips it)."""
    if not run.dry_run or run.decision != ImportRun.Decision.BEVESTIGD or run.applied_as_id or not run.upload_path:
        return False
    job = apply_job_of(run)
    if job is not None and job.status == Job.Status.WACHTRIJ:  # no worker took it: the user may decide again
        return job.created_at < (now or timezone.now()) - runner.STALE_AFTER
    return job is None or job.status == Job.Status.MISLUKT or runner.interrupted(job, now)


def decidable(run: ImportRun, user) -> bool:
    """A preview waits for a decision by whoever uploaded it (or the beheerder) while its file exists; so does
    a confirmed one whose import died or failed (`stuck`)."""
    who = policy.principal_for(user)
    return (run.dry_run and bool(run.upload_path) and (not run.decision or stuck(run)) and policy.can_import(who)
            and (run.author == user.get_username() or policy.is_beheerder(who)))  # fmt: skip


def _reopen(run: ImportRun) -> None:
    """Make a stuck preview undecided again: its dead job is marked failed (so a late heartbeat cannot revive it),
    then the decision is cleared, after which the claim in `decide` is the same as for a fresh preview."""
    job = apply_job_of(run)
    if job is not None and job.status != Job.Status.MISLUKT:
        Job.objects.filter(pk=job.pk, status=job.status).update(
            status=Job.Status.MISLUKT, finished_at=timezone.now(), progress=0,
            error=_("Onderbroken (de server is tijdens de taak gestopt); er is niets opgeslagen."))  # fmt: skip
    ImportRun.objects.filter(pk=run.pk, decision=ImportRun.Decision.BEVESTIGD, applied_as=None).update(
        decision="", decided_by=""
    )


def decide(run: ImportRun, action: str, user) -> Job | None:
    """Record the decision on a preview; confirming starts the import (its job), cancelling returns None."""
    decision = DECISIONS.get(action)
    if decision is None:
        raise UploadRefused(_("Kies bevestigen of annuleren."))
    if not decidable(run, user):
        raise UploadRefused(_("Over deze import is al besloten, of u mag er niet over beslissen."))
    if run.decision:  # decidable with a decision: a confirmed import that died or failed
        _reopen(run)
    claimed = ImportRun.objects.filter(pk=run.pk, decision="").update(decision=decision,
                                                                      decided_by=user.get_username())  # fmt: skip
    if not claimed:  # someone else decided in the meantime
        raise UploadRefused(_("Over deze import is al besloten, of u mag er niet over beslissen."))
    if decision == ImportRun.Decision.GEANNULEERD:
        discard(run.upload_path)
        ImportRun.objects.filter(pk=run.pk).update(upload_path="")
        return None
    return runner.submit(APPLY_HANDLER, _("Planlijst importeren: %s") % run.file_name,
                         {"preview": run.pk, "allow_partial": action == "gedeeltelijk", "user_id": user.pk},
                         user)  # fmt: skip


def forget_stale_uploads(now=None) -> int:
    """Delete the upload files nobody will use any more, so the upload folder does not grow forever; returns how
    many. (1) Previews not imported within KEEP_UNDECIDED_DAYS — undecided, or confirmed but whose import died
    or failed — lose their file; they stay in the log but can no longer be confirmed. (2) A folder no preview
    refers to (its dry run died with its process before writing the log) is removed after ORPHAN_HOURS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=KEEP_UNDECIDED_DAYS)
    waiting = (ImportRun.objects.filter(dry_run=True, applied_as=None, created_at__lt=cutoff).exclude(upload_path="")
               .only("pk", "dry_run", "decision", "applied_as", "upload_path"))  # fmt: skip
    stale = [(r.pk, r.upload_path) for r in waiting if not r.decision or stuck(r, now)]
    for _pk, path in stale:
        discard(path)
    ImportRun.objects.filter(pk__in=[pk for pk, _path in stale]).update(upload_path="")
    return len(stale) + _forget_orphans(now)


ORPHAN_HOURS = 24  # far longer than any dry run takes; the folder of a running one is never that old


def _forget_orphans(now) -> int:
    root = Path(settings.UPLOAD_DIR)
    if not root.is_dir():
        return 0
    kept = ImportRun.objects.exclude(upload_path="").values_list("upload_path", flat=True)
    known = {Path(path).parent.name for path in kept}
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name in known:
            continue
        age = now.timestamp() - folder.stat().st_mtime
        if age > ORPHAN_HOURS * 3600:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
