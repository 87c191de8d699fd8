"""The SOK administration (seed 001): the agreement, its parties and per year a jaarplan with budget lines and
contributions — loaded from a data file — and, append-only, what happens during the year: invoices from the
penvoerder (art. 6.1), expenditures booked against budget lines, budget changes decided by the Processtuurgroep
(art. 6.1) and the sending of the annual account (art. 6.5). Amounts are whole euro cents (integers)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bouwregie.projects.models import AppendOnlyModel


class Agreement(AppendOnlyModel):
    name = models.CharField(_("naam"), max_length=200, unique=True)
    source = models.CharField(_("bron"), max_length=300)
    starts_on = models.DateField(_("ingang"))
    ends_on = models.DateField(_("einde"))
    extension_years = models.PositiveSmallIntegerField(_("verlenging (jaren)"))
    extension_talks_months = models.PositiveSmallIntegerField(_("overleg over verlenging (maanden voor einde)"))
    notice_months = models.PositiveSmallIntegerField(_("opzegtermijn (maanden)"))
    penvoerder = models.CharField(_("penvoerder (provinciecode)"), max_length=6)

    class Meta:
        verbose_name = _("samenwerkingsovereenkomst")
        verbose_name_plural = _("samenwerkingsovereenkomsten")

    def __str__(self):
        return self.name


class Party(AppendOnlyModel):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="parties")
    province = models.CharField(_("provinciecode"), max_length=6)
    name = models.CharField(_("naam"), max_length=200)
    fte = models.DecimalField(_("bemensing (fte)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("bron"), max_length=300)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agreement", "province"], name="unique_sok_party")]


class Jaarplan(AppendOnlyModel):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="jaarplannen")
    year = models.PositiveSmallIntegerField(_("jaar"))
    adopted_on = models.DateField(_("vastgesteld op"))
    stated_total_cents = models.BigIntegerField(_("totaal zoals het jaarplan het noemt (cent)"), null=True)
    source = models.CharField(_("bron"), max_length=300)
    loaded_at = models.DateTimeField(_("geladen op"))
    loaded_by = models.CharField(_("geladen door"), max_length=150)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["agreement", "year"], name="unique_sok_jaarplan")]


class Activity(AppendOnlyModel):
    """An activity of a year's jaarplan as the jaarplan describes it (seed 001, Bijlage 1: Jaarplan 2023;
    Bijlage 2: Jaarplan 2024), with the page of the seed it is on. Per agreement and year rather than per loaded
    jaarplan: the SOK's account covers the budgets of both appendices (art. 6.5), while only 2024 has money here."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="activities")
    year = models.PositiveSmallIntegerField(_("jaar"))
    plan = models.CharField(_("jaarplan"), max_length=200)
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("activiteit"), max_length=300)
    description = models.TextField(_("wat het jaarplan erover zegt"))
    page = models.PositiveSmallIntegerField(_("pagina"))
    source = models.CharField(_("bron"), max_length=300)
    loaded_at = models.DateTimeField(_("geladen op"))
    loaded_by = models.CharField(_("geladen door"), max_length=150)

    class Meta:
        ordering = ["agreement", "year", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "year", "number"], name="unique_sok_activity")]


class BudgetLine(AppendOnlyModel):
    jaarplan = models.ForeignKey(Jaarplan, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("post"), max_length=200)
    amount_cents = models.BigIntegerField(_("begroot (cent)"))
    source = models.CharField(_("bron"), max_length=300)

    class Meta:
        ordering = ["jaarplan", "position"]
        constraints = [models.UniqueConstraint(fields=["jaarplan", "name"], name="unique_sok_line")]


class Contribution(AppendOnlyModel):
    jaarplan = models.ForeignKey(Jaarplan, on_delete=models.PROTECT, related_name="contributions")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="contributions")
    amount_cents = models.BigIntegerField(_("financiële bijdrage (cent)"))
    in_kind_cents = models.BigIntegerField(_("verrekend in natura (cent)"), default=0)
    in_kind = models.CharField(_("bijdrage in natura"), max_length=200, blank=True)
    source = models.CharField(_("bron"), max_length=500)

    class Meta:
        ordering = ["jaarplan", "party__name"]
        constraints = [models.UniqueConstraint(fields=["jaarplan", "party"], name="unique_sok_contribution")]


class Entry(AppendOnlyModel):
    """Common to what is booked during the year: who recorded it, when, and why."""

    jaarplan = models.ForeignKey(Jaarplan, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(_("vastgelegd op"))
    recorded_by = models.CharField(_("vastgelegd door"), max_length=150)

    class Meta:
        abstract = True


class Invoice(Entry):
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("factuurnummer"), max_length=40, unique=True)
    issued_on = models.DateField(_("factuurdatum"))
    due_on = models.DateField(_("vervaldatum"), null=True, blank=True)  # as on the invoice; the SOK sets no term
    net_cents = models.BigIntegerField(_("bedrag excl. btw (cent)"))
    vat_percent = models.DecimalField(_("btw-tarief (%)"), max_digits=5, decimal_places=2)
    vat_cents = models.BigIntegerField(_("btw (cent)"))
    vat_version = models.CharField(_("btw-regeling (versie)"), max_length=80)

    class Meta:
        ordering = ["jaarplan", "number"]
        constraints = [models.UniqueConstraint(fields=["jaarplan", "party"], name="unique_sok_invoice")]


class Expenditure(Entry):
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="expenditures")
    spent_on = models.DateField(_("datum"))
    amount_cents = models.BigIntegerField(_("bedrag (cent)"))
    description = models.CharField(_("omschrijving"), max_length=300)

    class Meta:
        ordering = ["jaarplan", "spent_on", "id"]


class BudgetChange(Entry):
    """A change of the budget within the contributions, decided by the Processtuurgroep (art. 6.1)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="changes")
    delta_cents = models.BigIntegerField(_("wijziging (cent)"))
    decided_on = models.DateField(_("besluit Processtuurgroep op"))
    decision = models.CharField(_("besluit"), max_length=300)
    reason = models.CharField(_("reden"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["jaarplan", "decided_on", "id"]


class AnnualAccount(Entry):
    """The verantwoording sent by the penvoerder (art. 6.5: "uiterlijk 1 maart" of the next year)."""

    sent_on = models.DateField(_("verzonden op"))
    note = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        ordering = ["jaarplan", "sent_on"]
