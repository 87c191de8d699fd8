"""CBS StatLine figures of the housing stock and its changes as registrations (issue #18; docs/registraties.md).

A `CbsRelease` is one imported publication of a CBS table (81955NED, its successor 86098NED): a new release
that revises figures is a new release with the next number, never an overwrite; both stay, each dated. A
`CbsFigure` is one row of that release for the "Woningen" gebruiksfunctie: a region and a period with the
measures as published (None where CBS shows '.': unknown or secret). Both are append-only: the models refuse
updates and deletes (projects.models.AppendOnlyModel) and database triggers (db_guards.py) refuse them for any
other path. Only `bouwregie.cbs.importer` creates rows here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bouwregie.projects.models import AppendOnlyModel

MEASURES = (
    "beginstand",
    "nieuwbouw",
    "overige_toevoeging",
    "sloop",
    "overige_onttrekking",
    "correctie",
    "saldo",
    "eindstand",
)


class CbsRelease(AppendOnlyModel):
    class Source(models.TextChoices):
        CSV = "csv", _("CSV-bestand")
        API = "api", _("CBS open-data-API")

    table_id = models.CharField(_("CBS-tabel"), max_length=16)
    number = models.PositiveIntegerField(_("versie"))
    release_date = models.DateField(_("datum van de publicatie"))
    release_date_basis = models.CharField(_("herkomst van de datum"), max_length=20)
    file_name = models.CharField(_("bestandsnaam"), max_length=255)
    sha256 = models.CharField(_("SHA-256 van het bestand"), max_length=64)
    figures_sha256 = models.CharField(_("SHA-256 van de cijfers"), max_length=64)
    imported_at = models.DateTimeField(_("geïmporteerd op"))
    imported_by = models.CharField(_("geïmporteerd door"), max_length=150)
    source = models.CharField(_("bron"), max_length=8, choices=Source.choices)
    variant = models.CharField(_("vorm"), max_length=16)
    counts = models.JSONField(_("aantallen"), default=dict)
    mapping = models.JSONField(_("toegepaste herindelingen"), default=list)
    notices = models.JSONField(_("waarschuwingen"), default=list)

    class Meta:
        ordering = ["table_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["table_id", "number"], name="unique_cbs_release_number"),
            models.UniqueConstraint(fields=["sha256"], name="unique_cbs_release_file"),
        ]
        verbose_name = _("CBS-publicatie")
        verbose_name_plural = _("CBS-publicaties")

    def __str__(self):
        return f"{self.table_id} v{self.number} ({self.release_date})"


class CbsFigure(AppendOnlyModel):
    class Kind(models.TextChoices):
        YEAR = "JJ", _("jaar")
        QUARTER = "KW", _("kwartaal")
        MONTH = "MM", _("maand")

    release = models.ForeignKey(CbsRelease, on_delete=models.PROTECT, related_name="figures")
    region = models.CharField(_("regiocode in het bestand"), max_length=12)
    region_kind = models.CharField(_("soort regio"), max_length=12)  # gemeente, provincie, nl, landsdeel
    municipality = models.CharField(_("gemeente (opvolger 2025)"), max_length=6, blank=True)
    province = models.CharField(_("provincie"), max_length=4, blank=True)
    split = models.BooleanField(_("gesplitste gemeente"), default=False)
    period = models.CharField(_("periodecode"), max_length=8)
    period_kind = models.CharField(_("soort periode"), max_length=2, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("jaar"))
    part = models.PositiveSmallIntegerField(_("kwartaal of maand"), null=True, blank=True)
    beginstand = models.BigIntegerField(_("beginstand voorraad"), null=True, blank=True)
    nieuwbouw = models.BigIntegerField(_("nieuwbouw"), null=True, blank=True)
    overige_toevoeging = models.BigIntegerField(_("overige toevoeging"), null=True, blank=True)
    sloop = models.BigIntegerField(_("sloop"), null=True, blank=True)
    overige_onttrekking = models.BigIntegerField(_("overige onttrekking"), null=True, blank=True)
    correctie = models.BigIntegerField(_("correctie"), null=True, blank=True)
    saldo = models.BigIntegerField(_("saldo voorraad"), null=True, blank=True)
    eindstand = models.BigIntegerField(_("eindstand voorraad"), null=True, blank=True)

    class Meta:
        ordering = ["release", "region", "period"]
        constraints = [
            models.UniqueConstraint(fields=["release", "region", "period"], name="unique_cbs_figure"),
        ]
        indexes = [
            models.Index(fields=["year", "municipality"]),
        ]
        verbose_name = _("CBS-cijfer")
        verbose_name_plural = _("CBS-cijfers")

    def __str__(self):
        return f"{self.region} {self.period}"
