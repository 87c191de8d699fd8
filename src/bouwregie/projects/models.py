"""Projects and their append-only history (DESIGN.md, Core model).

A `Project` is only a stable identity. Everything that describes it lives in a `ProjectVersion`;
every change is a new version with author, time, source and reason. Versions, their milestones and
the contents of closed peilingen are never updated or deleted: the model refuses it, the queryset
refuses it, and database triggers (migration 0002) refuse it for any code path that bypasses both.
Only `bouwregie.projects.services` creates rows here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bouwregie.projects.enums import Lifecycle, PlanStatus, PlanType, VersionSource
from bouwregie.projects.rules import quarter_end


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(_("%s is alleen-toevoegen: bijwerken is niet toegestaan.") % self.model.__name__)

    def delete(self):
        raise AppendOnlyError(_("%s is alleen-toevoegen: verwijderen is niet toegestaan.") % self.model.__name__)

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError(_("%s is alleen-toevoegen: bijwerken is niet toegestaan.") % self.model.__name__)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("%s is alleen-toevoegen: bijwerken is niet toegestaan.") % type(self).__name__)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("%s is alleen-toevoegen: verwijderen is niet toegestaan.") % type(self).__name__)


class Project(AppendOnlyModel):
    code = models.CharField(_("projectcode"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("aangemaakt op"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projecten")

    def __str__(self):
        return self.code


class ExternalId(AppendOnlyModel):
    """The id a source (a province's planlijst, a municipality's system) uses for this project."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="external_ids")
    source = models.CharField(_("bron"), max_length=100)
    external_id = models.CharField(_("extern id"), max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="unique_external_id")]

    def __str__(self):
        return f"{self.source}: {self.external_id}"


class Peiling(models.Model):
    """A quarterly close. While open it collects nothing; closing freezes, per project, the version
    that counts for the quarter (PeilingEntry). A closed peiling never changes."""

    code = models.CharField(_("peiling"), max_length=7, unique=True)  # '2025-Q3'
    year = models.PositiveSmallIntegerField(_("jaar"))
    quarter = models.PositiveSmallIntegerField(_("kwartaal"))
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)
    closed_by = models.CharField(_("gesloten door"), max_length=150, blank=True)

    class Meta:
        ordering = ["year", "quarter"]
        verbose_name = _("peiling")
        verbose_name_plural = _("peilingen")

    def __str__(self):
        return self.code

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def reference_date(self):
        return quarter_end(self.year, self.quarter)


class ProjectVersion(AppendOnlyModel):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("versie"))
    created_at = models.DateTimeField(_("vastgelegd op"), db_index=True)
    author = models.CharField(_("auteur"), max_length=150)
    source = models.CharField(_("bron"), max_length=10, choices=VersionSource.choices)
    source_detail = models.CharField(_("bronbestand of systeem"), max_length=200, blank=True)
    reason = models.TextField(_("reden"))
    peiling = models.ForeignKey(
        Peiling,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_versions",
        help_text=_("Het kwartaal waarover deze versie rapporteert."),
    )

    name = models.CharField(_("projectnaam"), max_length=200)
    municipality = models.ForeignKey("geo.Municipality", on_delete=models.PROTECT, related_name="+")
    lifecycle = models.CharField(_("status project"), max_length=24, choices=Lifecycle.choices)
    plan_type = models.CharField(_("plantype"), max_length=40, choices=PlanType.choices)
    plan_status = models.CharField(_("planstatus"), max_length=8, choices=PlanStatus.choices)
    phase = models.CharField(_("fase (laatst bereikte mijlpaal)"), max_length=40, blank=True)

    # Totals per segment are columns so that monitors can aggregate them in SQL; the full
    # segment × housing type matrix is kept as well.
    homes_total = models.PositiveIntegerField(_("woningen totaal"))
    homes_sociale_huur = models.PositiveIntegerField(default=0)
    homes_middenhuur = models.PositiveIntegerField(default=0)
    homes_betaalbare_koop = models.PositiveIntegerField(default=0)
    homes_vrije_sector_huur = models.PositiveIntegerField(default=0)
    homes_dure_koop = models.PositiveIntegerField(default=0)
    homes_onbekend = models.PositiveIntegerField(default=0)
    homes_by_segment = models.JSONField(_("woningen per segment en woningtype"), default=dict)
    target_groups = models.JSONField(_("doelgroepen"), default=dict)
    tenure = models.JSONField(_("eigendom (huur/koop/onbekend)"), default=dict)
    demolitions = models.PositiveIntegerField(_("sloop"), default=0)
    phasing = models.JSONField(_("oplevering per jaar"), default=dict)
    source_info = models.JSONField(_("gegevens uit de bron (opmerking, peildatum)"), default=dict, blank=True)
    bottlenecks = models.JSONField(_("knelpunten"), default=list)
    parallel_plannen = models.BooleanField(_("parallel plannen"), default=False)
    subsidies = models.JSONField(_("ontvangen subsidies"), default=list)
    open_book = models.JSONField(_("open boeken (vertrouwelijk)"), default=dict, blank=True)
    geometry = models.JSONField(_("geometrie (GeoJSON, WGS84)"), null=True, blank=True)
    bbox = models.JSONField(_("begrenzing"), null=True, blank=True)
    source_crs = models.CharField(_("bron-CRS"), max_length=20, blank=True)
    # Explicit BAG ids (16 digits; verblijfsobject 01 or pand 10; projects.bag_ids), sorted, each once.
    bag_ids = models.JSONField(_("BAG-id's (verblijfsobjecten en panden)"), default=list, blank=True)

    class Meta:
        ordering = ["project_id", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="unique_version_number")]
        verbose_name = _("projectversie")
        verbose_name_plural = _("projectversies")

    def __str__(self):
        return f"{self.project.code} v{self.number}"


class Milestone(AppendOnlyModel):
    version = models.ForeignKey(ProjectVersion, on_delete=models.PROTECT, related_name="milestones")
    kind = models.CharField(_("mijlpaal"), max_length=40)
    sequence = models.PositiveSmallIntegerField(_("volgnummer"), default=1)  # phased deliveries
    planned = models.DateField(_("gepland"), null=True, blank=True)
    actual = models.DateField(_("werkelijk"), null=True, blank=True)
    homes = models.PositiveIntegerField(_("woningen"), null=True, blank=True)

    class Meta:
        ordering = ["version_id", "kind", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind", "sequence"], name="unique_milestone_per_version")
        ]
        verbose_name = _("mijlpaal")
        verbose_name_plural = _("mijlpalen")

    def __str__(self):
        return f"{self.kind} ({self.actual or self.planned or '-'})"


class VersionSeal(AppendOnlyModel):
    """A version whose milestones are complete. services.py writes it in the transaction that creates the
    version, right after the milestones; from then on the database refuses another milestone for it
    (db_guards), so a version, and with it every closed peiling, can never gain a milestone later."""

    version = models.OneToOneField(ProjectVersion, primary_key=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("vastgelegde projectversie")
        verbose_name_plural = _("vastgelegde projectversies")

    def __str__(self):
        return str(self.version_id)


class MilestoneKind(models.Model):
    """Milestone kinds beyond the standard list, added by a versnellingstafel (DESIGN.md)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("omschrijving"), max_length=120)
    public = models.BooleanField(_("publieke mijlpaal"), default=True)
    order = models.PositiveSmallIntegerField(_("volgorde"))
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("soort mijlpaal")
        verbose_name_plural = _("soorten mijlpalen")

    def __str__(self):
        return self.label


class PeilingEntry(AppendOnlyModel):
    peiling = models.ForeignKey(Peiling, on_delete=models.PROTECT, related_name="entries")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ProjectVersion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peiling", "project"], name="unique_project_per_peiling")]

    def __str__(self):
        return f"{self.peiling_id}: {self.version_id}"


class CurrentVersion(models.Model):
    """Which version of each project is current (its newest): a derived index that services keeps on
    every write, so lists and counts need not search each project's history (that subquery cost 20-70 ms
    per API request on the 25,000-project demo). Not history itself: it can be rebuilt from the versions
    (migration 0004 does)."""

    project = models.OneToOneField(Project, primary_key=True, on_delete=models.CASCADE, related_name="current")
    version = models.OneToOneField(ProjectVersion, on_delete=models.CASCADE, related_name="current")
    # Copied from the version and the project: what every list filters and sorts on first (area, lifecycle,
    # projectcode), answered from one index before any version is read.
    municipality = models.ForeignKey("geo.Municipality", on_delete=models.PROTECT, related_name="+")
    lifecycle = models.CharField(max_length=30, choices=Lifecycle.choices)
    code = models.CharField(max_length=32)
    # The version's planned delivery (search.planned_delivery_sql): a list sorted on it reads this column
    # instead of every version's milestones (issue #19). A sealed version's milestones never change.
    planned_delivery = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["municipality", "lifecycle", "code"], name="current_area_lifecycle_code")]
        verbose_name = _("huidige versie")
        verbose_name_plural = _("huidige versies")

    def __str__(self):
        return f"{self.project_id} → {self.version_id}"
