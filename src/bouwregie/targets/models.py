"""Agreements as data: what an area must build, over which period, with yearly slices and a source."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    class Metric(models.TextChoices):
        """Counted metrics are numbers of homes; share metrics are fractions of new build."""

        BRUTO = "bruto_woningen", _("Bruto nieuwbouw (woningen)")
        BETAALBAAR = "betaalbaar", _("Betaalbare woningen")
        SOCIALE_HUUR = "sociale_huur", _("Sociale huur (woningen)")
        OUDEREN = "ouderen", _("Woningen geschikt voor ouderen")
        STUDENTEN = "studenten", _("Studentenwoningen")
        AANDEEL_BETAALBAAR = "aandeel_betaalbaar", _("Aandeel betaalbaar in nieuwbouw")
        AANDEEL_SOCIALE_HUUR = "aandeel_sociale_huur", _("Aandeel sociale huur in nieuwbouw")

    area = models.CharField(_("gebied"), max_length=64, db_index=True)  # NL, PV27, GM0344, region code
    metric = models.CharField(_("indicator"), max_length=24, choices=Metric.choices)
    first_year = models.PositiveSmallIntegerField(_("vanaf jaar"))
    last_year = models.PositiveSmallIntegerField(_("tot en met jaar"))
    total = models.PositiveIntegerField(_("totaal"), null=True, blank=True)
    share = models.DecimalField(_("aandeel"), max_digits=6, decimal_places=4, null=True, blank=True)
    yearly = models.JSONField(_("jaarschijven"), default=dict, blank=True)
    source = models.CharField(_("bron"), max_length=300)

    class Meta:
        ordering = ["area", "metric", "first_year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "metric", "first_year", "last_year"], name="unique_target"),
        ]
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")

    def __str__(self):
        return f"{self.area} {self.metric} {self.first_year}–{self.last_year}"
