"""Areas: provinces, municipalities (current 2025 boundaries), mergers and regions.

Geometries are GeoJSON in WGS84 with a bbox (DESIGN.md, Geo): no GeoDjango, so the embedded default
needs no system GIS libraries.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("CBS-code"), max_length=4, primary_key=True)
    name = models.CharField(_("naam"), max_length=64, unique=True)
    geometry = models.JSONField(_("geometrie (GeoJSON, WGS84)"), null=True, blank=True)
    bbox = models.JSONField(_("begrenzing"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("provincie")
        verbose_name_plural = _("provincies")

    def __str__(self):
        return self.name


class Municipality(models.Model):
    code = models.CharField(_("CBS-code"), max_length=6, primary_key=True)
    name = models.CharField(_("naam"), max_length=80, unique=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="municipalities")
    geometry = models.JSONField(_("geometrie (GeoJSON, WGS84)"), null=True, blank=True)
    bbox = models.JSONField(_("begrenzing"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self):
        return self.name


class MunicipalityMerger(models.Model):
    """A former municipality and (one of) its successors. A split municipality has several rows."""

    former_code = models.CharField(_("voormalige CBS-code"), max_length=6, db_index=True)
    former_name = models.CharField(_("voormalige naam"), max_length=80)
    successor = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="predecessors")
    date = models.DateField(_("datum herindeling"))
    note = models.CharField(_("toelichting"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["former_code", "successor"], name="unique_merger_successor")]
        verbose_name = _("herindeling")
        verbose_name_plural = _("herindelingen")

    def __str__(self):
        return f"{self.former_name} → {self.successor.name} ({self.date})"


class Region(models.Model):
    """A set of municipalities or projects: woondeal, versnellingstafel, NPLV area, etc.

    Regions overlap; totals must be computed over distinct projects, never by adding regions.
    """

    class Kind(models.TextChoices):
        WOONDEAL = "woondeal", _("Woondealregio")
        VERSNELLINGSTAFEL = "versnellingstafel", _("Versnellingstafel")
        NPLV = "nplv", _("NPLV-focusgebied")
        NOVEX = "novex", _("Grootschalig woningbouwgebied (NOVEX)")
        DOORBRAAK = "doorbraak", _("Doorbraaklocatie")
        CUSTOM = "custom", _("Eigen gebied")

    code = models.SlugField(_("code"), max_length=64, unique=True, validators=[
        RegexValidator(r"^(?i:GM\d{4}|PV\d{2}|NL)$", inverse_match=True,
                       message=_("Een regiocode mag niet de vorm van een gemeente-, provincie- of landcode hebben.")),
    ])  # fmt: skip
    name = models.CharField(_("naam"), max_length=120)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True)
    municipalities = models.ManyToManyField(Municipality, blank=True, related_name="regions")
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="regions")

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")

    def __str__(self):
        return self.name
