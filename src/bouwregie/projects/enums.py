"""The closed vocabularies of the PPM, with Dutch labels. Sources: DOMAIN.md §2–3 (Primos
definitions, IPO plancapaciteit convention, Woontop 2024 Afspraak 10 and 16)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    SOCIALE_HUUR = "sociale_huur", _("Sociale huur")
    MIDDENHUUR = "middenhuur", _("Middenhuur")
    BETAALBARE_KOOP = "betaalbare_koop", _("Betaalbare koop")
    VRIJE_SECTOR_HUUR = "vrije_sector_huur", _("Vrije sector huur")
    DURE_KOOP = "dure_koop", _("Dure koop")
    ONBEKEND = "onbekend", _("Onbekend")


# Betaalbaar = sociale huur + middenhuur + betaalbare koop (Woontop 2024, Afspraak 1; DOMAIN.md §2).
AFFORDABLE_SEGMENTS = frozenset({Segment.SOCIALE_HUUR, Segment.MIDDENHUUR, Segment.BETAALBARE_KOOP})


class PlanStatus(models.TextChoices):
    """IPO plancapaciteit convention: 1x onherroepelijk, 2x vastgesteld (hard); 3, 4A, 4B (zacht)."""

    ONHERROEPELIJK = "1A", _("1A Onherroepelijk")
    ONHERROEPELIJK_UITWERKINGSPLICHT = "1B", _("1B Onherroepelijk met uitwerkingsplicht")
    ONHERROEPELIJK_WIJZIGINGSBEVOEGDHEID = "1C", _("1C Onherroepelijk met wijzigingsbevoegdheid")
    VASTGESTELD = "2A", _("2A Vastgesteld")
    VASTGESTELD_UITWERKINGSPLICHT = "2B", _("2B Vastgesteld met uitwerkingsplicht")
    VASTGESTELD_WIJZIGINGSBEVOEGDHEID = "2C", _("2C Vastgesteld met wijzigingsbevoegdheid")
    IN_VOORBEREIDING = "3", _("3 In voorbereiding")
    VISIE = "4A", _("4A Visie (potentiële locatie)")
    OPTIE = "4B", _("4B Optie")
    # Lists that only say hard or soft (aggregated plancapaciteit per municipality; the IPO legend
    # "1 onherroepelijk" without a letter): the hardness is known, the IPO code is not.
    HARD = "hard", _("Hard (IPO-status niet gespecificeerd)")
    ZACHT = "zacht", _("Zacht (IPO-status niet gespecificeerd)")
    ONBEKEND = "onbekend", _("Onbekend")


HARD_STATUSES = frozenset({"1A", "1B", "1C", "2A", "2B", "2C", "hard"})
SOFT_STATUSES = frozenset({"3", "4A", "4B", "zacht"})


def hardness(status: str) -> str:
    """'hard', 'zacht' or 'onbekend' for an IPO plan status code."""
    if status in HARD_STATUSES:
        return "hard"
    if status in SOFT_STATUSES:
        return "zacht"
    return "onbekend"


class PlanType(models.TextChoices):
    UITLEG = "uitleg", _("Uitleg")
    VERDICHTING = "verdichting", _("Verdichting / inbreiding")
    TRANSFORMATIE = "transformatie", _("Transformatie")
    HERSTRUCTURERING = "herstructurering", _("Herstructurering (sloop/nieuwbouw)")
    FUNCTIEVERANDERING_KANTOREN = "functieverandering_kantoren", _("Functieverandering kantoren")
    FUNCTIEVERANDERING_BEDRIJVEN = "functieverandering_bedrijven", _("Functieverandering bedrijven")
    FUNCTIEVERANDERING_MAATSCHAPPELIJK = (
        "functieverandering_maatschappelijk",
        _("Functieverandering maatschappelijk vastgoed"),
    )
    FUNCTIEVERANDERING_DETAILHANDEL = "functieverandering_detailhandel", _("Functieverandering detailhandel")
    FUNCTIEVERANDERING_OVERIG = "functieverandering_overig", _("Functieverandering overig")
    OPTOPPEN_SPLITSEN = "optoppen_splitsen", _("Optoppen / splitsen")
    FLEX = "flex", _("Flexwonen (verplaatsbaar / tijdelijk)")
    ONBEKEND = "onbekend", _("Onbekend")


class HousingType(models.TextChoices):
    GRONDGEBONDEN = "grondgebonden", _("Grondgebonden")
    GESTAPELD = "gestapeld", _("Gestapeld (appartement)")
    ONBEKEND = "onbekend", _("Onbekend")


class TargetGroup(models.TextChoices):
    """Target groups counted per project; extendable (seed 002: provinces add target kinds later)."""

    NULTREDEN = "nultreden", _("Nultredenwoning (ouderen)")
    ZORGGESCHIKT = "zorggeschikt", _("Zorggeschikte woning (ouderen)")
    GECLUSTERD = "geclusterd", _("Geclusterde woonvorm (ouderen)")
    STUDENT = "student", _("Studentenwoning")
    AANDACHTSGROEP = "aandachtsgroep", _("Aandachtsgroepen")


ELDERLY_GROUPS = frozenset({TargetGroup.NULTREDEN, TargetGroup.ZORGGESCHIKT, TargetGroup.GECLUSTERD})


class Bottleneck(models.TextChoices):
    NETCONGESTIE = "netcongestie", _("Netcongestie")
    WATER_BODEM = "water_bodem", _("Water en bodem")
    STIKSTOF = "stikstof", _("Stikstof")
    GELUID = "geluid", _("Geluid")
    FINANCIERING = "financiering", _("Financiering (onrendabele top)")
    CAPACITEIT = "capaciteit", _("Capaciteit")
    BEZWAAR_BEROEP = "bezwaar_beroep", _("Bezwaar en beroep")


class Lifecycle(models.TextChoices):
    ACTIEF = "actief", _("Actief")
    GEREALISEERD = "gerealiseerd", _("Gerealiseerd")
    VERVALLEN = "vervallen", _("Vervallen")
    NIET_MEER_IN_PLANLIJST = "niet_meer_in_planlijst", _("Niet meer in planlijst")


class VersionSource(models.TextChoices):
    IMPORT = "import", _("Import")
    EDIT = "edit", _("Bewerking")
    API = "api", _("API")
    DEMO = "demo", _("Demodata")
