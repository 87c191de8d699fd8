"""REST API v1 (issue #5): the assembly. Each domain has its own router beside its room (issue #22), tagged in the
OpenAPI document; this module adds them under /api/v1, with the authentication (api/auth.py), the shared schemas
(api/common.py) and the problem+json answers (api/errors.py, api/problems.py). docs/api.md lists where each
domain's endpoints live.

NL API Design Rules: plural kebab-case resources, no trailing slash, errors as problem+json, paging
and filters as query parameters, the version in the path. Open data (areas, peilingen, monitor
figures) needs no key; project data needs a session or an API key (`Authorization: Bearer br_…`).
"""

import json
import math

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.parser import Parser

from bouwregie.api import errors
from bouwregie.api.common import ERRORS, OPEN_ERRORS, SIGNED_IN
from bouwregie.cbs.api import build_router as cbs_router
from bouwregie.convenant.api import build_router as convenant_router
from bouwregie.forecast.rest import build_router as forecast_router
from bouwregie.geo.api import build_router as geo_router
from bouwregie.ingest.api import build_router as ingest_router
from bouwregie.instruments.rest import build_router as instruments_router
from bouwregie.jobs.api import build_router as jobs_router
from bouwregie.jobs.api import job_out
from bouwregie.monitor.rest import build_router as monitor_router
from bouwregie.projects.api import build_router as projects_router
from bouwregie.projects.peilingen_api import build_router as peilingen_router
from bouwregie.rapport.api import build_router as rapport_router
from bouwregie.registraties.api import build_router as registraties_router
from bouwregie.sok.api import build_router as sok_router
from bouwregie.woondeals.api import build_router as woondeals_router
from bouwregie.woontop.api import build_router as woontop_router

# The tags of the OpenAPI document, in the order of the documentation page: one per domain (a router's
# `Router(tags=[…])`); tests/test_api_layout.py holds every operation to exactly one of them.
TAGS = {
    "gebieden": "Nederland, de provincies, gemeenten en regio's (open data)",
    "peilingen": "De kwartaalstanden; een peiling sluiten (de beheerder)",
    "monitor": "Monitorcijfers van een gebied (open data), vertragingen en alternatieven bij een tekort",
    "projecten": "Projecten met hun mijlpalen en geschiedenis; elke wijziging een nieuwe versie met een reden",
    "imports": "Het importlogboek; een planlijst uploaden (proefimport als taak) en erover besluiten",
    "taken": "Achtergrondtaken volgen en een onderbroken of mislukte taak opnieuw starten",
    "prognoses": "Monte Carlo-prognoses als achtergrondtaak, en hun kalibratie op de peilinghistorie",
    "instrumenten": "Realisatiestimulans en regelingen (open data), Kansrijk Bouwen!, Woningbouwimpuls, "
    "gebiedsbudget en NPLV",
    "woondeals": "Woondeals: versies, voortgang en spreiding van de afspraken",
    "registraties": "CBS-nieuwbouw en BAG-registraties naast de monitor",
    "convenant": "Convenant Toekomstbestendig Bouwen: partners, indicatorenkaders, cijfers en projectregistraties",
    "sok": "De SOK-administratie: uitgaven, begrotingswijzigingen, facturen en jaarrekening",
    "woontop": "De Woontop-afspraken en hun mijlpalen",
    "rapport": "De kwartaalrapportage (PDF of Excel) als achtergrondtaak, en het bestand",
}

# Operation ids are the method names of clients generated from the OpenAPI document. They were
# `bouwregie_api_v1_<function>` while every endpoint lived in this module, and stay so for the routers that came
# out of it (issue #22); the routers that always had their own module keep ninja's `<module>_<function>`.
FROM_V1 = {
    "bouwregie.forecast.rest",
    "bouwregie.geo.api",
    "bouwregie.ingest.api",
    "bouwregie.instruments.rest",
    "bouwregie.jobs.api",
    "bouwregie.monitor.rest",
    "bouwregie.projects.api",
    "bouwregie.projects.peilingen_api",
}


def _no_constant(name: str):
    raise ValueError(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 reads as inf
        raise ValueError(text)
    return value


class StrictJson(Parser):
    """Request bodies as strict JSON: NaN and Infinity are no JSON numbers (RFC 8259), and Python's json module
    would otherwise let them through into amounts and counts."""

    def parse_body(self, request):
        return json.loads(request.body, parse_constant=_no_constant, parse_float=_finite)


class BouwregieApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Error responses are documented as application/problem+json, which is what they are; the tags are
        listed with what each domain holds."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) >= 400 and "application/json" in response.get("content", {}):
                        response["content"] = {"application/problem+json": response["content"]["application/json"]}
        schema["tags"] = [{"name": name, "description": description} for name, description in TAGS.items()]
        return schema

    def get_openapi_operation_id(self, operation) -> str:
        view = operation.view_func
        if view.__module__ in FROM_V1:
            return f"bouwregie_api_v1_{view.__name__}"
        return super().get_openapi_operation_id(operation)


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's bundled files, never a CDN. Ninja picks its CDN page whenever
    "ninja" is not an installed app, and we keep it out of INSTALLED_APPS (see settings)."""

    template_cdn = Swagger.template_cdn.replace("swagger_cdn.html", "swagger.html")


api = BouwregieApi(
    title="Bouwregie API",
    version="1.0.0",
    description="Publiek-private monitor van de woningbouw: gebieden, projecten, peilingen, monitorcijfers, "
    "vertragingen, alternatieven en Kansrijk Bouwen!-scores. Fouten als application/problem+json.",
    urls_namespace="api-v1",
    docs_url="/docs",
    docs=LocalSwagger(),
    parser=StrictJson(),
)
errors.install(api)

# One router per domain, beside its room (docs/api.md). A path belongs to one router only: Django answers a path
# from the first router that has it, so a second router's methods on the same path would be a 405.
api.add_router("", geo_router())
api.add_router("", peilingen_router())
api.add_router("", monitor_router())
api.add_router("", projects_router())
api.add_router("", ingest_router())
api.add_router("", jobs_router())
api.add_router("", forecast_router())
api.add_router("", instruments_router())
api.add_router("/woondeals", woondeals_router(SIGNED_IN, ERRORS))
api.add_router("", cbs_router(OPEN_ERRORS))
api.add_router("/convenant", convenant_router(SIGNED_IN, ERRORS))
api.add_router("/sok", sok_router(SIGNED_IN, ERRORS))
api.add_router("/woontop", woontop_router(SIGNED_IN, ERRORS))
api.add_router("", registraties_router(SIGNED_IN, ERRORS))
api.add_router("/rapport", rapport_router(SIGNED_IN, ERRORS, job_out))
