"""The Woontop agreements tracker (seed 004): the afspraken and their milestones as loaded from the shipped file
(a milestone the Rijk adds later is a row with its own source), and per milestone an append-only status history:
each row a quarter's status with a note and who set it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bouwregie.projects.models import AppendOnlyModel


class Afspraak(AppendOnlyModel):
    number = models.CharField(_("nummer"), max_length=10, unique=True)
    page = models.PositiveSmallIntegerField(_("pagina"))
    title = models.TextField(_("afspraak"))
    partners = models.JSONField(_("partners"), default=list)
    parts = models.JSONField(_("onderdelen"), default=list)
    note = models.TextField(_("toelichting"), blank=True)
    source = models.CharField(_("bron"), max_length=300)

    class Meta:
        verbose_name = _("Woontop-afspraak")
        verbose_name_plural = _("Woontop-afspraken")

    def __str__(self):
        return f"Afspraak {self.number}"


class Mijlpaal(AppendOnlyModel):
    code = models.CharField(_("code"), max_length=80, unique=True)
    afspraak = models.ForeignKey(Afspraak, on_delete=models.PROTECT, related_name="mijlpalen")
    page = models.PositiveSmallIntegerField(_("pagina"), null=True)
    deadline = models.DateField(_("uiterlijk"))
    term = models.CharField(_("termijn zoals de bron die noemt"), max_length=200)
    term_rule = models.CharField(_("regel voor de datum"), max_length=300, blank=True)
    text = models.TextField(_("mijlpaal"))
    quote = models.TextField(_("citaat uit de bron"), blank=True)  # the seed's own wording (data file: `citaat`)
    source = models.CharField(_("bron"), max_length=300)
    added_at = models.DateTimeField(_("toegevoegd op"))
    added_by = models.CharField(_("toegevoegd door"), max_length=150)

    class Meta:
        ordering = ["deadline", "code"]
        verbose_name = _("Woontop-mijlpaal")
        verbose_name_plural = _("Woontop-mijlpalen")

    def __str__(self):
        return self.code


class Status(AppendOnlyModel):
    class Kind(models.TextChoices):
        ON_TRACK = "op_schema", _("op schema")
        LATE = "te_laat", _("te laat")
        DONE = "gereed", _("gereed")
        DROPPED = "vervallen", _("vervallen")

    mijlpaal = models.ForeignKey(Mijlpaal, on_delete=models.PROTECT, related_name="statuses")
    quarter = models.CharField(_("kwartaal"), max_length=7, db_index=True)  # '2025-Q2'
    status = models.CharField(_("status"), max_length=10, choices=Kind.choices)
    note = models.TextField(_("toelichting"), blank=True)
    set_at = models.DateTimeField(_("vastgelegd op"))
    set_by = models.CharField(_("vastgelegd door"), max_length=150)

    class Meta:
        ordering = ["mijlpaal", "quarter", "set_at", "id"]
        verbose_name = _("mijlpaalstatus")
        verbose_name_plural = _("mijlpaalstatussen")
