"""The import log: every import attempt, including dry runs and refusals, with what it did."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    class Status(models.TextChoices):
        GESLAAGD = "geslaagd", _("Geslaagd")
        GEDEELTELIJK = "gedeeltelijk", _("Gedeeltelijk (afgewezen regels niet opgeslagen)")
        GEWEIGERD = "geweigerd", _("Geweigerd (niets opgeslagen)")
        PROEF = "proef", _("Proefimport (niets opgeslagen)")

    class Decision(models.TextChoices):
        BEVESTIGD = "bevestigd", _("Bevestigd")
        GEANNULEERD = "geannuleerd", _("Geannuleerd")

    created_at = models.DateTimeField(_("tijdstip"), db_index=True)
    author = models.CharField(_("door"), max_length=150)
    source = models.CharField(_("bron"), max_length=100)
    file_name = models.CharField(_("bestand"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 van het bestand"), max_length=64, blank=True)
    file_size = models.BigIntegerField(_("grootte (bytes)"), default=0)
    file_format = models.CharField(_("formaat"), max_length=120, blank=True)
    profile = models.CharField(_("profiel"), max_length=100, blank=True)
    sheet = models.CharField(_("werkblad of laag"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("kopregel"), null=True, blank=True)  # chosen, else found
    peiling_code = models.CharField(_("peiling"), max_length=7, blank=True)
    dry_run = models.BooleanField(_("proefimport"), default=False)
    allow_partial = models.BooleanField(_("gedeeltelijk toegestaan"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    message = models.TextField(_("reden van weigering"), blank=True)
    counts = models.JSONField(_("aantallen"), default=dict)
    by_municipality = models.JSONField(_("per gemeente"), default=dict)
    problems = models.JSONField(_("meldingen (fouten en waarschuwingen)"), default=list)
    # {"new": [...], "changed": [...], "missing": [...]}: which projects, for the preview (capped per kind).
    changes = models.JSONField(_("wijzigingen"), default=dict)
    # A plan list uploaded in the browser is first checked (a dry run) and waits here until someone
    # confirms or cancels it; the confirmed import is a run of its own, linked from the preview.
    upload_path = models.CharField(_("geüpload bestand"), max_length=500, blank=True)
    decision = models.CharField(_("besluit"), max_length=12, choices=Decision.choices, blank=True)
    decided_by = models.CharField(_("besloten door"), max_length=150, blank=True)
    applied_as = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("uitgevoerd als"))  # fmt: skip

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"#{self.pk} {self.source} {self.file_name} ({self.status})"
