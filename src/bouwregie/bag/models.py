"""Loaded LV-BAG extracts, every voorkomen as read (append-only, db_guards.py), and the woningen derived from
them (events.py), one small table for linking and reconciliation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BagExtract(models.Model):
    """One loaded extract file. The same file (same sha256) is loaded once; a newer extract of the same area
    is another extract, and both are kept."""

    file_name = models.CharField(_("bestandsnaam"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    stand_date = models.DateField(_("standdatum"))
    gebied = models.CharField(_("gebied"), max_length=20)  # GEMEENTE or NL (sl:gebied)
    gemeenten = models.JSONField(_("gemeentecodes"), default=list)  # 4-digit BAG codes; [] for NL
    object_types = models.JSONField(_("objecttypen"), default=list)
    parts = models.JSONField(_("delen"), default=list)
    counts = models.JSONField(_("aantallen"), default=dict)
    loaded_at = models.DateTimeField(_("geladen op"), auto_now_add=True)
    loaded_by = models.CharField(_("geladen door"), max_length=150)

    class Meta:
        ordering = ["-stand_date", "-id"]
        verbose_name = _("BAG-extract")
        verbose_name_plural = _("BAG-extracten")

    def __str__(self):
        area = "NL" if self.gebied == "NL" or not self.gemeenten else ",".join(self.gemeenten)
        return f"{self.file_name} ({area}, {self.stand_date})"


class BagVoorkomen(models.Model):
    """One voorkomen of one Pand, Verblijfsobject or Nummeraanduiding (addresses: only what is shown).
    Registration timestamps are kept verbatim (LV-BAG gives local time without zone)."""

    # Indexed by the unique constraint (extract first): no separate FK index to maintain per insert.
    extract = models.ForeignKey(BagExtract, on_delete=models.PROTECT, related_name="voorkomens", db_index=False)
    object_type = models.CharField(_("objecttype"), max_length=3)  # PND, VBO, NUM
    identificatie = models.CharField(_("identificatie"), max_length=16)
    voorkomen = models.PositiveIntegerField(_("voorkomenidentificatie"))
    status = models.CharField(_("status"), max_length=60)
    begin_geldigheid = models.DateField(_("begin geldigheid"))
    eind_geldigheid = models.DateField(_("eind geldigheid"), null=True)
    tijdstip_registratie = models.CharField(_("tijdstip registratie"), max_length=32, blank=True)
    eind_registratie = models.CharField(_("eind registratie"), max_length=32, blank=True)
    tijdstip_inactief = models.CharField(_("tijdstip inactief"), max_length=32, blank=True)
    documentdatum = models.DateField(_("documentdatum"), null=True)
    documentnummer = models.CharField(_("documentnummer"), max_length=80, blank=True)
    bouwjaar = models.PositiveSmallIntegerField(_("oorspronkelijk bouwjaar"), null=True)
    gebruiksdoelen = models.JSONField(_("gebruiksdoelen"), null=True)
    oppervlakte = models.PositiveIntegerField(_("oppervlakte (m²)"), null=True)
    pand_ids = models.JSONField(_("panden"), null=True)
    hoofdadres = models.CharField(_("hoofdadres"), max_length=16, blank=True)
    x = models.FloatField(_("x (RD)"), null=True)
    y = models.FloatField(_("y (RD)"), null=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    huisnummer = models.PositiveIntegerField(_("huisnummer"), null=True)
    huisletter = models.CharField(_("huisletter"), max_length=1, blank=True)
    toevoeging = models.CharField(_("huisnummertoevoeging"), max_length=4, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["extract", "object_type", "identificatie", "voorkomen"],
                                    name="bag_unique_voorkomen"),
        ]  # fmt: skip
        verbose_name = _("BAG-voorkomen")
        verbose_name_plural = _("BAG-voorkomens")

    def __str__(self):
        return f"{self.object_type} {self.identificatie}.{self.voorkomen} {self.status}"


class BagWoning(models.Model):
    """A verblijfsobject with a woonfunctie and its events, derived from one VBO extract (and the pand extract
    of the same stand). Rebuilt when that pand extract arrives later; dates follow events.py."""

    extract = models.ForeignKey(BagExtract, on_delete=models.PROTECT, related_name="woningen", db_index=False)
    identificatie = models.CharField(_("identificatie"), max_length=16)
    municipality = models.CharField(_("gemeente"), max_length=6)
    x = models.FloatField(_("x (RD)"), null=True)
    y = models.FloatField(_("y (RD)"), null=True)
    lon = models.FloatField(_("lengtegraad"), null=True)
    lat = models.FloatField(_("breedtegraad"), null=True)
    pand_ids = models.JSONField(_("panden"), default=list)
    permit_date = models.DateField(_("vergunning"), null=True)
    start_date = models.DateField(_("bouw gestart"), null=True)
    delivery_date = models.DateField(_("in gebruik"), null=True)
    demolition_date = models.DateField(_("gesloopt/ingetrokken"), null=True)
    not_realised_date = models.DateField(_("niet gerealiseerd"), null=True)
    origin = models.CharField(_("herkomst"), max_length=12, blank=True)  # nieuwbouw, toevoeging, bestaand
    status_now = models.CharField(_("huidige status"), max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["extract", "identificatie"], name="bag_unique_woning")]
        indexes = [models.Index(fields=["municipality", "extract"], name="bag_woning_area")]
        verbose_name = _("BAG-woning")
        verbose_name_plural = _("BAG-woningen")

    def __str__(self):
        return f"{self.identificatie} ({self.status_now})"
