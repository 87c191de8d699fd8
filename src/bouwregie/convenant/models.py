"""Convenant Toekomstbestendig Bouwen: the partners' register and, per project, whether it is built under the
convenant and its indicator values — both append-only (a correction is a newer row with author, time and reason).
ProjectVersion is not touched: a record is keyed by project and number, names the framework version it was
recorded under, and counts for a peiling when it was recorded before the peiling closed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bouwregie.projects.models import AppendOnlyModel


class Partner(AppendOnlyModel):
    """One entry of the partners' register (seed 000: "door meer dan 125 partijen ondertekend")."""

    organisation = models.CharField(_("organisatie"), max_length=200, db_index=True)
    sector = models.CharField(_("sector"), max_length=100)
    signed_on = models.DateField(_("ondertekend op"), null=True, blank=True)
    signed_note = models.CharField(_("ondertekening (zoals de bron het noemt)"), max_length=200, blank=True)
    convenant_version = models.CharField(_("convenantversie"), max_length=40)
    source = models.CharField(_("bron"), max_length=300)
    recorded_at = models.DateTimeField(_("vastgelegd op"))
    recorded_by = models.CharField(_("vastgelegd door"), max_length=150)

    class Meta:
        ordering = ["organisation", "-recorded_at", "-id"]
        verbose_name = _("convenantpartner")
        verbose_name_plural = _("convenantpartners")

    def __str__(self):
        return self.organisation


class ProjectRecord(AppendOnlyModel):
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="convenant_records")
    number = models.PositiveIntegerField(_("volgnummer"))
    under_convenant = models.BooleanField(_("gebouwd onder het convenant"))
    convenant_version = models.CharField(_("convenantversie"), max_length=40, blank=True)
    framework = models.CharField(_("indicatorkader (versie)"), max_length=80)
    values = models.JSONField(_("indicatorwaarden"), default=dict)
    recorded_at = models.DateTimeField(_("vastgelegd op"), db_index=True)
    author = models.CharField(_("auteur"), max_length=150)
    reason = models.TextField(_("reden"))

    class Meta:
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="unique_convenant_record")]
        verbose_name = _("convenantregistratie")
        verbose_name_plural = _("convenantregistraties")

    def __str__(self):
        return f"{self.project_id} #{self.number}"
