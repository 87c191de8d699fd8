"""REST API for the instruments (issues #7, #9): the realisatiestimulans and the regulations behind it (open
data), Kansrijk Bouwen!-scores, Woningbouwimpuls applications and their assessment, gebiedsbudget packages and
NPLV contributions. Thin endpoints over the instruments' Python API (instruments/api.py, which the CLI uses too;
this module is `rest`, as `api` is that Python API) and their stores; docs/instruments.md."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import create_model

from bouwregie.accounts import policy
from bouwregie.api.common import ERRORS, FINITE, OPEN_ERRORS, SIGNED_IN, Input, principal, require_projects
from bouwregie.instruments import api as instruments_api
from bouwregie.instruments import gebiedsbudget, gebiedsbudget_store, wbi_file, wbi_store
from bouwregie.instruments.models import WbiApplication
from bouwregie.instruments.money import parse_euros
from bouwregie.monitor import api as monitor_api
from bouwregie.monitor.kansrijk import kansrijk

# The request has the columns of an application file (docs/instruments.md), each as text or a number; the
# values are read by the same function as a file's, which names the column of a wrong one.
WbiApplicationIn = create_model(
    "WbiApplicationIn",
    __base__=Schema,
    **{column: (str | int | float | bool, ...) for column in wbi_file.REQUIRED},
    realisatiestimulans=(str | int | float | None, None),
    project=(str | None, None),
)


class WbiApplicationOut(Schema):
    id: int
    window: str
    application_id: str
    municipality: str
    created_at: datetime
    fields: dict


class GebiedsbudgetIn(Input):
    id: str
    gebied: str
    besluitdatum: date
    maatregelen: dict[str, str | int | float] = Field(description="soort maatregel → investering in euro's")
    regio_bijdrage: str | int | float
    gevraagd: str | int | float
    regionaal_betaalbaar_procent: int
    woningen: int
    woningen_voor_2030: int
    laatste_woningen_jaar: int
    voorwaarden: dict[str, bool] = Field(default_factory=dict)
    al_toegekend: str | int | float = Field(0, description="euro's die al uit het plafond zijn toegekend")


class GebiedsbudgetPackageIn(GebiedsbudgetIn):
    al_toegekend: None = Field(None, description="niet gebruikt: het platform telt de eerder ingediende pakketten")
    gemeenten: list[str] = Field(description="gemeentecodes (GM…) waarin het gebied ligt")


class NplvIn(Input):
    woningen: dict[str, int] = Field(description="gebied → aantal nieuwe woningen")
    per_woning: str | int | float | None = Field(None, description="euro's per woning (€ 10.000–13.000)")
    datum: date | None = None


def build_router() -> Router:
    router = Router(tags=["instrumenten"])

    @router.get("/realisatiestimulans", response={200: dict, **OPEN_ERRORS},
                summary="Realisatiestimulans per gemeente en jaar (realisatie, startbouw, registratie)")  # fmt: skip
    def realisatiestimulans(request, peiling: str | None = None, gemeente: str | None = None,
                            variant: Literal[instruments_api.CHOICES] = "beide") -> dict:  # type: ignore[valid-type]  # fmt: skip
        """Amounts in whole euro cents; each year names the regulation version that produced it. A faulty
        regulation file or an unknown municipality is a 400 with the reason (ValueError)."""
        return instruments_api.realisatiestimulans(peiling, gemeente, variant)

    @router.get("/regelingen", response={200: list[dict], **OPEN_ERRORS},
                summary="De versies van de regelingen, elke parameter met zijn bron (open data)")  # fmt: skip
    def regelingen(request) -> list[dict]:
        return instruments_api.regulations()

    @router.get(
        "/kansrijk-scores",
        response={200: dict, **ERRORS},
        auth=SIGNED_IN,
        summary="Kansrijk Bouwen!-scores en urenverdeling",
    )
    def kansrijk_scores(request, area: str, peiling: str | None = None, uren: int | None = Query(None, ge=0),
                        drempel: float = Query(0.0, ge=0, le=100, **FINITE),
                        limit: int = Query(25, ge=0)) -> dict:  # fmt: skip
        require_projects(request)
        return kansrijk(area, monitor_api.chosen_peiling(peiling), uren, drempel, limit or None)

    @router.post("/wbi-applications", response={201: WbiApplicationOut, **ERRORS}, auth=SIGNED_IN,
                 summary="Een Woningbouwimpuls-aanvraag indienen (de kolommen van het aanvraagbestand)")  # fmt: skip
    def submit_wbi_application(request, application: WbiApplicationIn):
        """The fields of docs/instruments.md (id, gemeente, tijdvak, …); every value is checked, a wrong one
        is a 400 naming the column. The municipality's editors submit for their municipality."""
        fields = {k: v for k, v in application.model_dump().items() if v is not None}
        if not policy.can_submit_wbi(principal(request), str(fields["gemeente"]).strip()):
            raise HttpError(403, "Alleen de gemeente zelf (met een bewerkersrol) dient een aanvraag in.")
        return Status(201, wbi_store.register(fields, request.user))

    @router.get(
        "/wbi-applications",
        response={200: list[WbiApplicationOut], **ERRORS},
        auth=SIGNED_IN,
        summary="Woningbouwimpuls-aanvragen: het Rijk alle, de bewerkers van een gemeente de eigen",
    )
    def wbi_applications(request, tijdvak: str | None = None):
        readable = policy.wbi_readable_municipalities(principal(request))
        rows = WbiApplication.objects.all() if tijdvak is None else WbiApplication.objects.filter(window=tijdvak)
        if readable is not None:
            rows = rows.filter(municipality__in=readable)
        return list(rows)

    @router.get("/wbi-assessment", response={200: dict, **ERRORS}, auth=SIGNED_IN,
                summary="Toetsing, rangschikking en verdeling van een aanvraagtijdvak (het Rijk)")  # fmt: skip
    def wbi_assessment(request, tijdvak: str, budget: str) -> dict:
        """`budget` in euros (25000000 or 25.000.000). Amounts in the answer in cents."""
        if not policy.can_assess_wbi(principal(request)):
            raise HttpError(403, "De rangschikking is de beoordeling van het Rijk.")
        return wbi_store.assess(tijdvak, parse_euros(budget))

    @router.post("/gebiedsbudget-assessments", response={200: dict, **ERRORS}, auth=SIGNED_IN,
                 summary="Een maatregelpakket toetsen en de rijksbijdrage uit het gebiedsbudget berekenen")  # fmt: skip
    def gebiedsbudget_assessment(request, package: GebiedsbudgetIn) -> dict:
        """Amounts in euros in, cents out; every failing rule with reason and source (Afspraak 19.3)."""
        data = package.model_dump()
        assessed = gebiedsbudget.assess_package(gebiedsbudget.package_from_dict(data),
                                                parse_euros(data.pop("al_toegekend")))  # fmt: skip
        return gebiedsbudget.as_dict(assessed)

    @router.post(
        "/gebiedsbudget-packages",
        response={201: dict, **ERRORS},
        auth=SIGNED_IN,
        summary="Een maatregelpakket indienen (de regio); getoetst samen met de eerdere pakketten",
    )
    def submit_gebiedsbudget_package(request, package: GebiedsbudgetPackageIn):
        data = package.model_dump(exclude={"al_toegekend"})
        if not policy.can_submit_gebiedsbudget(principal(request), [str(c).upper() for c in data["gemeenten"]]):
            raise HttpError(
                403, "Alleen de provincie waarin het gebied ligt (met een bewerkersrol) dient een pakket in."
            )
        stored = gebiedsbudget_store.register(data, request.user)
        found = [p for p in gebiedsbudget_store.assess_all()["packages"] if p["id"] == stored.package_id]
        return Status(201, found[0])

    @router.get("/gebiedsbudget-packages", response={200: dict, **ERRORS}, auth=SIGNED_IN,
                summary="Alle maatregelpakketten, getoetst, binnen het plafond in volgorde van besluit")  # fmt: skip
    def gebiedsbudget_packages(request, gemeente: str | None = None) -> dict:
        if not policy.can_read_projects(principal(request)):
            raise HttpError(403, "Alleen voor aangemelde deelnemers aan de tafels.")
        return gebiedsbudget_store.assess_all(gemeente.upper() if gemeente else None)

    @router.post(
        "/nplv-contributions",
        response={200: dict, **ERRORS},
        auth=SIGNED_IN,
        summary="NPLV-bijdrage per gebied: woningen × bedrag per woning, tot het plafond van € 600 mln",
    )
    def nplv_contributions(request, body: NplvIn) -> dict:
        rate = parse_euros(body.per_woning) if body.per_woning is not None else None
        return gebiedsbudget.nplv_contribution(body.woningen, body.datum or date.today(), rate)

    return router
