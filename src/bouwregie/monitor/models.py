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


class SnapshotPart(models.Model):
    """A closed peiling's snapshot, materialised per municipality (issue #21; monitor/materialised.py).

    Derived, not recorded: everything here is computed from the peiling's frozen entries, so deleting it only
    costs time (the next read rebuilds it). It is never changed: UPDATE and INSERT OR REPLACE are refused at the
    database (apps.py), so no path can alter a closed peiling's figures through it. `format` is the fingerprint of
    the code that computed it: other code ignores it and builds its own. The part with municipality "" closes a
    complete set: without it the set is incomplete and is not read."""

    peiling = models.ForeignKey("projects.Peiling", on_delete=models.CASCADE, related_name="snapshot_parts")
    format = models.CharField(_("formaat"), max_length=16)
    municipality = models.CharField(_("gemeente"), max_length=6, blank=True)
    rows = models.PositiveIntegerField(_("projecten"))
    sums = models.BinaryField(_("sommen"))
    projects = models.BinaryField(_("projecten"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peiling", "format", "municipality"], name="unique_snapshot_part")
        ]
        verbose_name = _("deel van een momentopname")
        verbose_name_plural = _("delen van momentopnamen")

    def __str__(self):
        return f"{self.peiling_id}/{self.municipality or '*'} ({self.format})"
