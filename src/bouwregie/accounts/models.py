"""Organisations, the role a user has in each, and API keys. This module only records who belongs
where; what they may do is decided in policy.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        RIJK = "rijk", _("Rijk")
        PROVINCIE = "provincie", _("Provincie")
        GEMEENTE = "gemeente", _("Gemeente")
        CORPORATIE = "corporatie", _("Woningcorporatie")
        ONTWIKKELAAR = "ontwikkelaar", _("Ontwikkelaar")
        BELEGGER = "belegger", _("Belegger")
        BOUWER = "bouwer", _("Bouwer")
        OTHER = "other", _("Overig")

    name = models.CharField(_("naam"), max_length=200, unique=True)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, null=True, blank=True)
    municipality = models.ForeignKey("geo.Municipality", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        BEHEERDER = "beheerder", _("Platformbeheerder")
        LEZER = "lezer", _("Lezer")
        BEWERKER = "bewerker", _("Bewerker")
        TAFELBEHEERDER = "tafelbeheerder", _("Beheerder versnellingstafel")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")]
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A machine client's key for the REST API. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("naam"), max_length=100)
    prefix = models.CharField(_("begin van de sleutel"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked = models.BooleanField(_("ingetrokken"), default=False)

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")

    def __str__(self):
        return f"{self.name} ({self.prefix}…, {self.user})"


class ProjectParty(models.Model):
    """A market party (corporatie, ontwikkelaar, belegger, bouwer) at a project's table: it edits the
    project's private milestones and reads its open-book figures (Woontop 2024, Afspraak 3B)."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="projects")
    role = models.CharField(_("rol in het project"), max_length=20, choices=Organisation.Kind.choices)
    added_at = models.DateTimeField(_("toegevoegd op"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "organisation"], name="unique_project_party")]
        verbose_name = _("projectpartij")
        verbose_name_plural = _("projectpartijen")

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()}) – {self.project}"
