"""The report as a background job (web page and REST API alike): the request is checked at once — area, closed
peiling, audience, language, format, and whether the user may have the table's version — so a mistake is
answered in the form or with a 400/403; the report is then made by a worker with progress (jobs.runner) and
written to REPORT_DIR under a random name kept in the job's parameters, where the download finds it."""

import uuid
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.geo.areas import UnknownArea, resolve_area
from bouwregie.jobs import runner
from bouwregie.jobs.models import Job
from bouwregie.projects.models import Peiling
from bouwregie.rapport import content, output

HANDLER = "bouwregie.rapport.jobs.rapport_job"


class NotAllowed(PermissionError):
    """The user may not have this version of the report; the message says why."""


def table_parties(area) -> tuple[frozenset, frozenset]:
    """(municipalities, provinces) whose seats are at the area's table (policy.can_read_tafel_report)."""
    from bouwregie.geo.models import Municipality

    if area.kind == "nl":
        return frozenset(), frozenset()
    provinces = frozenset(Municipality.objects.filter(code__in=area.municipalities)
                          .values_list("province_id", flat=True))  # fmt: skip
    return frozenset(area.municipalities), provinces | ({area.code} if area.kind == "provincie" else set())


def check(principal, area: str, peiling: str, audience: str, language: str, fmt: str) -> dict:
    """The parameters of a job, checked: ValueError (a wrong choice), NotAllowed (the table's version)."""
    if not policy.can_read_report(principal):
        raise NotAllowed(_("Meld u aan om de kwartaalrapportage te maken."))
    if fmt not in output.FORMATS:
        raise ValueError(_("Onbekend formaat '%s'; kies pdf of xlsx.") % fmt)
    if audience not in content.AUDIENCES:
        raise ValueError(_("Onbekende doelgroep '%s'; kies publiek of tafel.") % audience)
    if language not in content.LANGUAGES:
        raise ValueError(_("Onbekende taal '%s'; kies nl of en.") % language)
    found = Peiling.objects.filter(code=peiling, closed_at__isnull=False).first()
    if found is None:
        raise ValueError(_("Kies een gesloten peiling."))
    try:
        resolved = resolve_area(area or "NL", found.reference_date)
    except UnknownArea as error:
        raise ValueError(str(error)) from None
    if audience == "tafel" and not policy.can_read_tafel_report(principal, *table_parties(resolved)):
        raise NotAllowed(_("De versie met open boeken is alleen voor de partijen aan tafel van %s (de gemeenten en "
                           "provincie van het gebied); kies de openbare versie.") % resolved.name)  # fmt: skip
    return {"area": resolved.code, "area_name": resolved.name, "peiling": peiling, "audience": audience,
            "report_language": language, "format": fmt}  # fmt: skip


def start(principal, user, area: str, peiling: str, audience: str, language: str, fmt: str) -> Job:
    params = check(principal, area, peiling, audience, language, fmt)
    params["file"] = uuid.uuid4().hex
    title = _("Kwartaalrapportage %(area)s, peiling %(peiling)s (%(format)s)") % {
        "area": params["area_name"], "peiling": peiling, "format": fmt}  # fmt: skip
    return runner.submit(HANDLER, title, params, user)


def path_of(job: Job) -> Path:
    return Path(settings.REPORT_DIR) / f"{job.params['file']}.{job.params['format']}"


def rapport_job(params: dict, progress) -> dict:
    try:
        report = content.build(params["area"], params["peiling"], params["audience"], params["report_language"],
                               progress=lambda p, stage="": progress(int(p * 0.9), stage))  # fmt: skip
    except content.ReportRefused as error:
        raise runner.JobFailed(str(error)) from None
    progress(92, _("Bestand opmaken"))
    data = output.render(report, params["format"])
    folder = Path(settings.REPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{params['file']}.{params['format']}"
    partial = target.with_suffix(".deel")
    partial.write_bytes(data)
    partial.replace(target)  # the download never sees half a file
    name = output.filename(report, params["format"])
    return {"url": reverse("rapport-download", args=[progress.job_id]), "name": name, "bytes": len(data)}
