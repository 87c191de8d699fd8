"""Kansrijk Bouwen! models as data: each municipality may weigh the criteria its own way.

A model is never edited: loading a new one adds a version, so every score can say which model and
version produced it (DESIGN.md: history is append-only)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bouwregie.projects.models import AppendOnlyModel

DEFAULT_SCOPE = ""  # the model for every municipality without one of its own


class ScoringModel(AppendOnlyModel):
    scope = models.CharField(_("gemeente (leeg = standaard)"), max_length=6, blank=True, db_index=True)
    version = models.PositiveIntegerField(_("versie"))
    name = models.CharField(_("naam"), max_length=200)
    source = models.CharField(_("bron"), max_length=300)
    config = models.JSONField(_("criteria, gewichten en parameters"))
    created_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    created_by = models.CharField(_("vastgelegd door"), max_length=150)

    class Meta:
        ordering = ["scope", "-version"]
        constraints = [models.UniqueConstraint(fields=["scope", "version"], name="unique_scoring_model_version")]
        verbose_name = _("Kansrijk Bouwen!-model")
        verbose_name_plural = _("Kansrijk Bouwen!-modellen")

    def __str__(self):
        return f"{self.scope or 'standaard'} v{self.version}: {self.name}"
