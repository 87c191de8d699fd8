"""Registering gebiedsbudget measure packages and assessing all of them against the one ceiling (REST API
and web page). Packages draw on the ceiling in the order they were decided (then by id): a later package
gets what the earlier ones left."""

import json
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bouwregie.geo.models import Municipality
from bouwregie.instruments import gebiedsbudget
from bouwregie.instruments.models import GebiedsbudgetPackage
from bouwregie.instruments.regulation import in_force
from bouwregie.limits import too_long


def register(data: dict, user) -> GebiedsbudgetPackage:
    """Check every field (ValueError naming the wrong one) and store the package as submitted. `gemeenten`
    lists the municipalities (GM codes) the area lies in; at least one."""
    package = gebiedsbudget.package_from_dict(data)
    for column, name, value in (("id", "package_id", package.id), ("gebied", "area", package.area)):
        if message := too_long(value, GebiedsbudgetPackage, name, _("Veld %s") % column):
            raise ValueError(message)
    codes = [str(c).strip().upper() for c in data.get("gemeenten") or []]
    if not codes:
        raise ValueError(_("Het pakket mist het veld 'gemeenten' (de gemeentecodes van het gebied)."))
    unknown = sorted(set(codes) - set(Municipality.objects.filter(code__in=codes).values_list("code", flat=True)))
    if unknown:
        raise ValueError(_("Onbekende gemeentecode(s): %s.") % ", ".join(unknown))
    try:
        with transaction.atomic():
            return GebiedsbudgetPackage.objects.create(
                package_id=package.id, area=package.area, municipalities=codes,
                fields=json.loads(json.dumps(data, default=str)), submitted_by=user,
            )  # fmt: skip
    except IntegrityError:
        raise ValueError(_("Pakket %s is al ingediend.") % package.id) from None


def assess_all(municipality: str | None = None) -> dict:
    """Every package assessed, in decision order, each within what the earlier ones left of the ceiling;
    with `municipality`, only the packages of areas in that municipality are returned (assessed the same)."""
    stored = list(GebiedsbudgetPackage.objects.all())
    packages = sorted(((gebiedsbudget.package_from_dict(s.fields), s) for s in stored),
                      key=lambda pair: (pair[0].decided, pair[0].id))  # fmt: skip
    granted, rows = 0, []
    for package, row in packages:
        assessed = gebiedsbudget.assess_package(package, granted)
        granted += assessed.contribution_cents
        if municipality is None or municipality in row.municipalities:
            rows.append({**gebiedsbudget.as_dict(assessed), "municipalities": row.municipalities,
                         "granted_before_cents": granted - assessed.contribution_cents})  # fmt: skip
    ceiling = in_force("gebiedsbudget", date.today()).value("plafond_cent")
    return {"ceiling_cents": ceiling, "granted_cents": granted, "packages": rows}


CSV_HEADER = ["pakket", "gebied", "gemeenten", "besluitdatum", "regeling", "in_aanmerking_cent", "regio_cent",
              "gevraagd_cent", "eerder_toegekend_cent", "rijksbijdrage_cent", "afgewezen_op",
              "niet_meegeteld"]  # fmt: skip


def csv_rows(overview: dict):
    """assess_all() as rows (web download)."""
    yield CSV_HEADER
    for p in overview["packages"]:
        yield [p["id"], p["area"], " ".join(p["municipalities"]), p["decided"], p["regulation"],
               p["eligible_investment_cents"], p["regional_contribution_cents"], p["requested_cents"],
               p["granted_before_cents"], p["contribution_cents"],
               " | ".join(f"{f['rule']}: {f['message']}" for f in p["failures"]),
               " | ".join(n["reason"] for n in p["not_counted"])]  # fmt: skip
