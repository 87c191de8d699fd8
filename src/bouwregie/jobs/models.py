"""A long operation (an import, a forecast, a calibration) that runs in a worker process and reports
progress, so a browser request returns at once and the user watches a progress bar instead of a spinning
tab. The queue itself is django-tasks-db's (DBTaskResult, `task_id`); see runner.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        WACHTRIJ = "wachtrij", _("In de wachtrij")
        BEZIG = "bezig", _("Bezig")
        KLAAR = "klaar", _("Klaar")
        MISLUKT = "mislukt", _("Mislukt")

    handler = models.CharField(_("taak"), max_length=200)  # dotted path of the function that does the work
    title = models.CharField(_("omschrijving"), max_length=200)
    params = models.JSONField(_("invoer"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    started_at = models.DateTimeField(_("gestart"), null=True)
    finished_at = models.DateTimeField(_("klaar"), null=True)
    heartbeat_at = models.DateTimeField(_("laatste teken van leven"), null=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WACHTRIJ)
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    stage = models.CharField(_("stap"), max_length=200, blank=True)
    result = models.JSONField(_("uitkomst"), default=dict)  # {"url": where to look at the outcome, ...}
    error = models.TextField(_("foutmelding"), blank=True)
    task_id = models.CharField(_("taak in de wachtrij"), max_length=64, blank=True)  # DBTaskResult id
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    worker_host = models.CharField(_("machine van de worker"), max_length=100, blank=True)
    worker_pid = models.PositiveIntegerField(_("proces van de worker"), null=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries",
                                 verbose_name=_("opnieuw gestart na"))  # fmt: skip

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("achtergrondtaak")
        verbose_name_plural = _("achtergrondtaken")

    def __str__(self):
        return f"#{self.pk} {self.title} ({self.status})"


class WorkerBeat(models.Model):
    """The last sign of life of a worker running a job, in a row of its own (runner._Heartbeat): a handler's
    long transaction holds the job's row, never this one."""

    worker = models.CharField(_("worker"), max_length=100, unique=True)
    job_id = models.PositiveBigIntegerField(_("taak"))
    beat_at = models.DateTimeField(_("laatste hartslag"))

    class Meta:
        verbose_name = _("hartslag van een worker")
        verbose_name_plural = _("hartslagen van workers")

    def __str__(self):
        return f"{self.worker} #{self.job_id} {self.beat_at}"
