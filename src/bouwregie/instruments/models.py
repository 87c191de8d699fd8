"""Woningbouwimpuls applications as submitted (issue #7): the fields exactly as the municipality sent them,
read by the same function as an application file (wbi_file.application_from_row), so a stored application
is assessed by the same rules as a file's."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WbiApplication(models.Model):
    window = models.CharField(_("aanvraagtijdvak"), max_length=20, db_index=True)
    application_id = models.CharField(_("aanvraag"), max_length=50)
    municipality = models.CharField(_("gemeente"), max_length=6)
    fields = models.JSONField(_("aanvraag zoals ingediend"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("ingediend op"), auto_now_add=True)

    class Meta:
        ordering = ["window", "application_id"]
        constraints = [models.UniqueConstraint(fields=["window", "application_id"], name="one_wbi_id_per_window")]
        verbose_name = _("Woningbouwimpuls-aanvraag")
        verbose_name_plural = _("Woningbouwimpuls-aanvragen")

    def __str__(self):
        return f"{self.window} {self.application_id}"
