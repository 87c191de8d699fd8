"""Stored links of BAG woningen to projects (issue #18; docs/registraties-koppeling.md "Koppelingen bewaren").

One LinkSet per run of `registraties.linking.link` over the woningen of one extract (for the municipalities of
which it is the newest) against the projects' current versions at that moment; its RegistrationLink rows are
the links. Append-only (db_guards.py): re-linking, after a newer extract or after projects changed, is a new
set; the old sets stay, so what a page showed can always be traced back."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bouwregie.registraties.basis import BASIS


class LinkSet(models.Model):
    extract = models.ForeignKey("bag.BagExtract", on_delete=models.PROTECT, related_name="link_sets")
    municipalities = models.JSONField(_("gemeenten"), default=list)  # GM codes this extract was newest for
    created_at = models.DateTimeField(_("gekoppeld op"), auto_now_add=True)
    created_by = models.CharField(_("gekoppeld door"), max_length=150)
    woningen = models.PositiveIntegerField(_("woningen"))
    projects = models.PositiveIntegerField(_("projecten met geometrie of BAG-id's"))
    linked = models.PositiveIntegerField(_("gekoppeld"))
    ambiguous = models.PositiveIntegerField(_("meerduidig"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("koppelingsronde")
        verbose_name_plural = _("koppelingsrondes")

    def __str__(self):
        return f"{self.extract_id}#{self.id}"


class RegistrationLink(models.Model):
    """One BAG woning (verblijfsobject) linked to one project, with the basis of linking.rule."""

    link_set = models.ForeignKey(LinkSet, on_delete=models.PROTECT, related_name="links", db_index=False)
    extract = models.ForeignKey("bag.BagExtract", on_delete=models.PROTECT, related_name="+", db_index=False)
    identificatie = models.CharField(_("identificatie"), max_length=16)
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+", db_index=False)
    basis = models.CharField(_("grondslag"), max_length=40, choices=[(b, b) for b in BASIS])
    ambiguous = models.BooleanField(_("meerduidig"), default=False)
    candidates = models.JSONField(_("kandidaten (project-id's)"), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link_set", "identificatie"], name="registraties_unique_link"),
        ]
        indexes = [models.Index(fields=["project", "link_set"], name="registraties_link_project")]
        verbose_name = _("BAG-koppeling")
        verbose_name_plural = _("BAG-koppelingen")

    def __str__(self):
        return f"{self.identificatie} → {self.project_id} ({self.basis})"
