"""Woondeals as maintained, append-only data (issue #17; docs/woondeals.md).

A `Woondeal` is only a stable identity (its code, WD-xx). Everything agreed lives in a `WoondealVersion`:
a change is a new version with author, time, reason and source document, never an update in place —
the same idea as project versions (docs/decisions/0002). The model and queryset refuse updates and
deletes (projects.models.AppendOnlyModel) and database triggers (db_guards.py) refuse them for any
other path. Only `bouwregie.woondeals.store` creates rows here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bouwregie.projects.models import AppendOnlyModel


class Woondeal(AppendOnlyModel):
    code = models.CharField(_("code"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("aangemaakt op"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("woondeal")
        verbose_name_plural = _("woondeals")

    def __str__(self):
        return self.code


class WoondealVersion(AppendOnlyModel):
    """One state of a woondeal's agreements, in force from `valid_from` (the date the agreement took effect)
    and known to the platform from `created_at`. See rules.py for the meaning of every field."""

    woondeal = models.ForeignKey(Woondeal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("versienummer"))
    created_at = models.DateTimeField(_("vastgelegd op"))
    author = models.CharField(_("auteur"), max_length=150)
    reason = models.CharField(_("reden"), max_length=500)
    valid_from = models.DateField(_("geldig vanaf"))
    source = models.CharField(_("bron (document)"), max_length=500)
    name = models.CharField(_("naam"), max_length=200)
    provinces = models.JSONField(_("provincies"), default=list)
    members = models.JSONField(_("gemeenten (met data)"), default=list)
    signatories = models.JSONField(_("ondertekenaars"), default=list)
    taakstelling_total = models.PositiveIntegerField(_("taakstelling 2022-2030"), null=True, blank=True)
    taakstelling_segments = models.JSONField(_("taakstelling per segment"), default=dict)
    jaarschijven = models.JSONField(_("jaarschijven"), default=dict)
    corporation_homes = models.PositiveIntegerField(_("woningen door corporaties"), null=True, blank=True)
    programming = models.JSONField(_("programmering 2031-2035"), default=dict)

    class Meta:
        ordering = ["woondeal", "number"]
        constraints = [models.UniqueConstraint(fields=["woondeal", "number"], name="unique_woondeal_version")]
        indexes = [models.Index(fields=["woondeal", "valid_from"])]
        verbose_name = _("woondealversie")
        verbose_name_plural = _("woondealversies")

    def __str__(self):
        return f"{self.woondeal_id} v{self.number}"
