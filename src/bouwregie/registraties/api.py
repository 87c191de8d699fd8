"""REST API for the registrations beside the monitor (issue #18; docs/registraties-koppeling.md):
GET /api/v1/projects/{code}/registraties — the project's linked BAG objects, its registered starts and deliveries
per year beside the monitor's, and the flags with their numbers;
GET /api/v1/registraties/verschillen?gebied=&jaar=&peiling= — per area and year monitor vs CBS vs BAG, with the
projects behind each difference and the sources (peiling, CBS releases, BAG extracts) named."""

from datetime import date

from django.http import Http404
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from bouwregie.accounts import policy
from bouwregie.api.problems import refuse_unknown_parameters
from bouwregie.registraties import project, verschillen


def _require_projects(request) -> None:
    """Project data only for who may read projects (accounts.policy)."""
    if not policy.can_read_projects(policy.principal_for(getattr(request, "user", None))):
        raise HttpError(403, "Uw account hoort bij geen organisatie met inzage in projecten.")


def build_router(signed_in, errors) -> Router:
    router = Router(tags=["registraties"], auth=signed_in)

    @router.get(
        "/projects/{code}/registraties",
        response={200: dict, **errors},
        summary="BAG-koppelingen van een project, starts en opleveringen per jaar naast de monitor, en signalen",
    )
    def project_registraties(request, code: str, peildatum: date | None = None):
        refuse_unknown_parameters(request, "peildatum")
        from bouwregie.projects.models import Project

        _require_projects(request)
        found = Project.objects.filter(code=code).values_list("id", flat=True).first()
        if found is None:
            raise Http404(f"Project '{code}' bestaat niet.")
        return project.plain(project.registrations(found, peildatum or timezone.localdate()))

    @router.get(
        "/registraties/verschillen",
        response={200: dict, **errors},
        summary="Per gebied en jaar: monitor gerealiseerd naast CBS-nieuwbouw en BAG-opleveringen, met de projecten "
        "achter de verschillen",
    )
    def verschillen_endpoint(request, gebied: str = "NL", jaar: str | None = None, peiling: str | None = None):
        refuse_unknown_parameters(request, "gebied", "jaar", "peiling")
        _require_projects(request)
        return project.plain(verschillen.differences(gebied, verschillen.parse_years(jaar), peiling))

    return router
