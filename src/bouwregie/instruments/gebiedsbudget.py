"""Gebiedsbudget (Woontop 2024, Afspraak 19.3) and the NPLV contribution (Afspraak 5): plain functions over
plain data, money in whole euro cents, every number from the regulation version in force (named in results)."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bouwregie.instruments import money
from bouwregie.instruments.regulation import in_force


@dataclass(frozen=True)
class Package:
    """A measure package for a designated area."""

    id: str
    area: str  # the designated area's name
    decided: date  # the regulation version in force on this day applies
    measures: dict  # measure kind -> investment in cents
    regional_contribution_cents: int  # what the region reserves
    requested_cents: int
    regional_affordable_percent: int
    homes: int
    homes_before_2030: int
    last_homes_year: int
    conditions: dict = field(default_factory=dict)  # name (regulation 'voorwaarden') -> bool


@dataclass
class PackageAssessment:
    package: Package
    regulation: str
    failures: list
    eligible_investment_cents: int
    contribution_cents: int
    not_counted: list = field(default_factory=list)  # measures that do not qualify, with the reason


def assess_package(p: Package, already_granted_cents: int = 0) -> PackageAssessment:
    """Every failing rule (name, reason, source) and the Rijk contribution: at most 50% of the eligible
    investment, at most what the region reserves, at most what was asked, within what is left of the ceiling.
    Measures outside the limitative list (or excluded, like accessibility) are not counted, with the reason."""
    r = in_force("gebiedsbudget", p.decided)
    failures = []

    def fail(rule, parameter, message):
        failures.append({"rule": rule, "message": message, "source": r.citation(parameter)})

    if p.area not in r.value("aangewezen_gebieden", "namen"):
        fail("aangewezen_gebied", "aangewezen_gebieden",
             _("'%s' is geen door het Rijk aangewezen grootschalig woningbouwgebied.") % p.area)  # fmt: skip
    for name, text in {k: v for k, v in r["voorwaarden"].items() if k != "bron"}.items():
        if not p.conditions.get(name):
            fail(name, "voorwaarden", _("Niet aangetoond: %s.") % text.lower())
    least = r.value("regionaal_betaalbaar_procent", "minimaal")
    if p.regional_affordable_percent < least:
        fail("regionaal_betaalbaar", "regionaal_betaalbaar_procent",
             _("Regionaal betaalbaar aandeel %(share)d%%; minimaal %(least)d%%.")
             % {"share": p.regional_affordable_percent, "least": least})  # fmt: skip
    terms = r["termijnen"]
    if p.last_homes_year > terms["laatste_woningen_uiterlijk"]:
        fail("termijn_laatste", "termijnen", _("Laatste woningen in %(year)d; uiterlijk %(last)d.")
             % {"year": p.last_homes_year, "last": terms["laatste_woningen_uiterlijk"]})  # fmt: skip
    if 100 * p.homes_before_2030 < terms["substantieel_procent"] * p.homes:
        fail("substantieel_voor_2030", "termijnen",
             _("%(before)s van %(homes)s woningen vóór %(year)d; minimaal %(share)d%%.")
             % {"before": number_format(p.homes_before_2030, force_grouping=True),
                "homes": number_format(p.homes, force_grouping=True), "year": terms["substantieel_voor"],
                "share": terms["substantieel_procent"]})  # fmt: skip
    allowed, excluded = set(r.value("maatregelen", "limitatief")), set(r.value("maatregelen", "uitgesloten"))
    not_counted = []
    for kind in p.measures:
        if kind in excluded:
            not_counted.append({"measure": kind, "reason": _("Maatregel '%s' komt niet in aanmerking (uitgesloten).")
                                % kind, "source": r.citation("maatregelen")})  # fmt: skip
        elif kind not in allowed:
            message = _("Maatregel '%(kind)s' staat niet op de limitatieve lijst (%(allowed)s).") % {
                "kind": kind, "allowed": ", ".join(sorted(allowed))}  # fmt: skip
            not_counted.append({"measure": kind, "reason": message, "source": r.citation("maatregelen")})
    eligible = sum(cents for kind, cents in p.measures.items() if kind in allowed)
    share = r.value("rijksbijdrage_maximum_procent")
    room = max(0, r.value("plafond_cent") - already_granted_cents)
    contribution = 0 if failures else contribution_cents(eligible, p.regional_contribution_cents, p.requested_cents,
                                                         room, share)  # fmt: skip
    if not eligible:
        fail("maatregelen", "maatregelen", _("Geen maatregel die in aanmerking komt."))
        contribution = 0
    return PackageAssessment(p, r.label(), failures, eligible, contribution, not_counted)


def as_dict(a: PackageAssessment) -> dict:
    """An assessment as plain values (REST API, web page); amounts in cents."""
    p = a.package
    return {"id": p.id, "area": p.area, "decided": p.decided.isoformat(), "regulation": a.regulation,
            "failures": a.failures, "not_counted": a.not_counted, "requested_cents": p.requested_cents,
            "regional_contribution_cents": p.regional_contribution_cents, "contribution_cents": a.contribution_cents,
            "eligible_investment_cents": a.eligible_investment_cents}  # fmt: skip


def contribution_cents(eligible: int, regional: int, requested: int, room: int, share_percent: int) -> int:
    """The Rijk pays at most share_percent of the eligible investment, no more than the region reserves, no
    more than asked, within what is left of the ceiling."""
    return max(0, min(eligible * share_percent // 100, regional, requested, room))


def package_from_json(path) -> Package:
    """A measure package from a JSON file (the fields of package_from_dict)."""
    return package_from_dict(read_json(path))


def read_json(path):
    """The parsed JSON of a package file; an unreadable file or invalid JSON is a ValueError saying so."""
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(_("%(path)s is onleesbaar: %(error)s") % {"path": path, "error": error}) from None
    except json.JSONDecodeError as error:
        raise ValueError(_("%(path)s is geen geldige JSON: %(error)s") % {"path": path, "error": error}) from None


def package_from_dict(data: dict) -> Package:
    """A measure package: id, gebied, besluitdatum, maatregelen {soort: euro's}, regio_bijdrage, gevraagd
    (euro's), regionaal_betaalbaar_procent, woningen, woningen_voor_2030, laatste_woningen_jaar, voorwaarden
    {naam: true/false}. A missing or wrong field is named; amounts become whole cents (never floats)."""
    try:
        return Package(
            id=str(data["id"]), area=str(data["gebied"]), decided=date.fromisoformat(str(data["besluitdatum"])),
            measures={str(k): money.parse_euros(v) for k, v in data["maatregelen"].items()},
            regional_contribution_cents=money.parse_euros(data["regio_bijdrage"]),
            requested_cents=money.parse_euros(data["gevraagd"]),
            regional_affordable_percent=int(data["regionaal_betaalbaar_procent"]), homes=int(data["woningen"]),
            homes_before_2030=int(data["woningen_voor_2030"]), last_homes_year=int(data["laatste_woningen_jaar"]),
            conditions={str(k): bool(v) for k, v in (data.get("voorwaarden") or {}).items()},
        )  # fmt: skip
    except KeyError as error:
        raise ValueError(_("Het pakket mist het veld %s.") % error) from None
    except (TypeError, ValueError, AttributeError) as error:
        raise ValueError(_("Het pakket heeft een ongeldige waarde: %s") % error) from None


def nplv_contribution(homes_per_area: dict[str, int], on: date, per_home_cents: int | None = None) -> dict:
    """The NPLV contribution per area: homes × the amount per home (within the € 10.000–13.000 range), scaled
    pro rata in whole euros to the € 600 mln ceiling when the claims exceed it."""
    r = in_force("nplv", on)
    low, high = r.value("bijdrage_per_woning_cent", "minimum"), r.value("bijdrage_per_woning_cent", "maximum")
    rate = r.value("bijdrage_per_woning_cent", "standaard") if per_home_cents is None else per_home_cents
    if not low <= rate <= high:
        raise ValueError(_("Bijdrage per woning %(rate)s valt buiten %(low)s – %(high)s.")
                         % {"rate": money.euros(rate), "low": money.euros(low), "high": money.euros(high)})  # fmt: skip
    negative = [a for a, n in homes_per_area.items() if n < 0]
    if negative:
        raise ValueError(_("Aantal woningen mag niet negatief zijn: %s.") % ", ".join(sorted(negative)))
    areas = sorted(homes_per_area)
    claims = [homes_per_area[a] * rate for a in areas]
    paid = money.scale_to_ceiling(claims, r.value("plafond_cent"))
    return {"regulation": r.label(), "per_home_cents": rate, "claims_cents": sum(claims),
            "ceiling_cents": r.value("plafond_cent"), "scaled": sum(claims) > r.value("plafond_cent"),
            "areas": {a: int(c) for a, c in zip(areas, paid, strict=True)}}  # fmt: skip
