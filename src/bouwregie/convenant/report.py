"""What the quarterly report (issue #20) takes from the convenant: `summary(peiling, areas)` — per area the share
of the pipeline and of deliveries under the convenant and the indicator scores against the norms (issue #23: "Per
area and peiling ... on the dashboard, in the quarterly report and as open data")."""

from django.utils.translation import gettext as _

from bouwregie.convenant import store
from bouwregie.projects.models import Peiling


def summary(peiling, areas: list[str] | None = None) -> dict[str, dict]:
    """Area code -> the convenant figures for a peiling (a Peiling or its code, '2025-Q2'): `pipeline` and
    `deliveries` (homes, homes under the convenant, share), `indicators` (per framework version and indicator:
    projects with a value, mean, norm 2030/2035 and how many meet it) and `framework_versions` used.
    areas None: NL, every province and every municipality in one pass; otherwise the areas named (NL, PV26,
    GM0344, a woondeal region — its members as agreed on the peiling's reference date)."""
    found = peiling if isinstance(peiling, Peiling) else Peiling.objects.filter(code=str(peiling)).first()
    if found is None:
        raise Peiling.DoesNotExist(_("Peiling '%s' bestaat niet.") % peiling)
    if areas is None:
        return store.national(found.code)
    result = {}
    for spec in areas:
        figures = store.area_figures(spec, found.code, found.reference_date)
        result[figures["area"]["code"]] = figures
    return result
