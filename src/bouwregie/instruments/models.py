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


class GebiedsbudgetPackage(models.Model):
    """A measure package for a designated area as the region submitted it (the fields of
    gebiedsbudget.package_from_dict), with the municipalities the area lies in."""

    package_id = models.CharField(_("pakket"), max_length=50, unique=True)
    area = models.CharField(_("gebied"), max_length=200)
    municipalities = models.JSONField(_("gemeenten"), default=list)
    fields = models.JSONField(_("pakket zoals ingediend"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("ingediend op"), auto_now_add=True)

    class Meta:
        ordering = ["package_id"]
        verbose_name = _("gebiedsbudget-pakket")
        verbose_name_plural = _("gebiedsbudget-pakketten")

    def __str__(self):
        return f"{self.package_id} ({self.area})"
