"""A forecast that was run (by the web page or the REST API, as a background task): its request and its
result, so the outcome can be looked at, shared and downloaded later. Deterministic by seed: the same
request on the same closed peiling gives the same result again."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Forecast(models.Model):
    created_at = models.DateTimeField(_("berekend op"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    area = models.CharField(_("gebied"), max_length=64)
    area_name = models.CharField(_("gebiedsnaam"), max_length=200)
    peiling = models.CharField(_("peiling"), max_length=7)
    runs = models.PositiveIntegerField(_("runs"))
    horizon = models.PositiveSmallIntegerField(_("horizon"))
    scenarios = models.JSONField(_("scenario's"), default=list)
    seed = models.BigIntegerField(_("seed"))
    result = models.JSONField(_("uitkomst"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("prognose")
        verbose_name_plural = _("prognoses")

    def __str__(self):
        return f"#{self.pk} {self.area} {self.peiling}"


class StoredCalibration(models.Model):
    """What the history up to a closed peiling taught (forecast.calibration), computed once and kept: a
    closed peiling never changes, so neither does its calibration under the same priors (`priors` is a
    fingerprint of priors.py; a changed prior makes a new one)."""

    peiling = models.ForeignKey("projects.Peiling", on_delete=models.CASCADE, related_name="+")
    priors = models.CharField(_("priors (vingerafdruk)"), max_length=64)
    computed_at = models.DateTimeField(_("berekend op"), auto_now_add=True)
    data = models.JSONField(_("kalibratie"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peiling", "priors"], name="one_calibration_per_priors")]
        verbose_name = _("kalibratie")
        verbose_name_plural = _("kalibraties")

    def __str__(self):
        return f"{self.peiling_id} ({self.priors[:8]})"
