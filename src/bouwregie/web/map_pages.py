"""The map: municipalities coloured by a chosen monitor figure, and the projects of a chosen area as
points or outlines, each a click away from its page.

The municipal shapes and figures are open data (anyone may look); the projects layer follows the one
policy (can_read_projects). The page draws with Leaflet, served by the app; the PDOK BRT background
is fetched by the browser when it is online, and without it the vector layers still work (offline).

The projects layer holds every project of the area (issue #21: it stopped silently at 20,000): the GeoJSON is
streamed feature by feature from a database cursor, so the server's memory stays flat whatever the area's size.
"""

import orjson
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bouwregie.accounts import policy
from bouwregie.geo.areas import UnknownArea, resolve_area
from bouwregie.geo.models import Municipality
from bouwregie.monitor import api as monitor_api
from bouwregie.projects import search
from bouwregie.web.dashboard import closed_peilingen
from bouwregie.web.project_pages import require_projects

CHUNK = 2_000  # rows fetched from the database cursor at a time while streaming the projects layer


def _value(figures: dict, metric: str, year: int):
    """One municipality's number for a metric (None where it is not defined, e.g. no agreement)."""
    if metric == "plancapaciteit":
        return figures["pipeline"]["homes"]
    if metric == "hard":
        return figures["capacity"]["hard"]
    if metric == "betaalbaar":
        return figures["segments"]["affordable_share"]
    if metric == "capaciteit_opgave":
        return figures["capacity"]["ratio"]
    if metric == "gerealiseerd":
        return figures["realised"].get(str(year - 1), 0)
    if metric == "gepland":
        return figures["planned"].get(str(year + 1), 0)
    raise KeyError(metric)


METRICS = {
    "plancapaciteit": (gettext_lazy("Plancapaciteit (woningen)"), "count"),
    "hard": (gettext_lazy("Harde plancapaciteit (woningen)"), "count"),
    "betaalbaar": (gettext_lazy("Betaalbaar aandeel in de pijplijn"), "share"),
    "capaciteit_opgave": (gettext_lazy("Plancapaciteit / resterende opgave"), "share"),
    "gerealiseerd": (gettext_lazy("Gerealiseerd in het vorige jaar"), "count"),
    "gepland": (gettext_lazy("Gepland voor het volgende jaar"), "count"),
}


def _choices(request) -> tuple[str, str, list[str]]:
    peilingen = closed_peilingen()
    peiling = request.GET.get("peiling") or (peilingen[0] if peilingen else "")
    if peilingen and peiling not in peilingen:
        raise Http404(_("Peiling '%s' bestaat niet of is nog niet gesloten.") % peiling)
    metric = request.GET.get("metriek") or "plancapaciteit"
    if metric not in METRICS:
        raise Http404(_("Onbekende maat '%s'.") % metric)
    return peiling, metric, peilingen


def map_page(request):
    peiling, metric, peilingen = _choices(request)
    area_code = request.GET.get("gebied", "").strip()
    try:
        area = resolve_area(area_code) if area_code else None
    except UnknownArea as error:
        raise Http404(str(error)) from None
    may_read_projects = policy.can_read_projects(policy.principal_for(request.user))
    return render(request, "web/map.html", {
        "nav": "map", "peiling": peiling, "peilingen": peilingen, "metric": metric,
        "metrics": [(k, label) for k, (label, _kind) in METRICS.items()], "area": area,
        "show_projects": bool(area and area.kind != "nl" and may_read_projects),
        "area_members": sorted(area.municipalities) if area and area.kind != "nl" else [],
        "map_texts": {
            "attribution": _("Achtergrond: BRT-Achtergrondkaart, © Kadaster (PDOK)"), "noData": _("geen gegevens"),
            "homes": _("woningen"), "planStatus": _("planstatus"), "open": _("Open de pagina"),
            "legend": str(METRICS[metric][0]),
        },
    })  # fmt: skip


def municipalities_geojson(request):
    """The municipalities with the chosen figure, as GeoJSON (WGS84) for the map."""
    peiling, metric, _peilingen = _choices(request)
    if not peiling:
        raise Http404(_("Nog geen gesloten peiling."))
    year = int(peiling[:4])
    figures = monitor_api.national(peiling)
    label, kind = METRICS[metric]
    features = [
        {
            "type": "Feature",
            "id": m.code,
            "properties": {"code": m.code, "name": m.name, "value": _value(figures[m.code], metric, year)},
            "geometry": m.geometry,
        }
        for m in Municipality.objects.exclude(geometry=None).only("code", "name", "geometry").order_by("code")
        if m.code in figures
    ]
    return JsonResponse({"type": "FeatureCollection", "metric": {"code": metric, "label": str(label), "kind": kind},
                         "peiling": peiling, "features": features})  # fmt: skip


@login_required
def projects_geojson(request):
    """The current projects of one area that have a location, as GeoJSON (WGS84)."""
    require_projects(request)
    area = request.GET.get("gebied", "").strip()
    if not area or area.upper() == "NL":
        return JsonResponse({"detail": _("Kies een provincie, regio of gemeente.")}, status=400)
    try:
        versions = search.find(search.ProjectQuery(area=area)).exclude(geometry=None)
    except UnknownArea as error:
        return JsonResponse({"detail": str(error)}, status=400)
    rows = versions.values_list("project__code", "name", "homes_total", "plan_status", "geometry")
    return StreamingHttpResponse(_feature_collection(rows.iterator(chunk_size=CHUNK)), content_type="application/json")


def _feature_collection(rows):
    """A GeoJSON FeatureCollection written piece by piece: the opening, each feature, the close."""
    yield b'{"type":"FeatureCollection","features":['
    separator = b""
    for code, name, homes, status, geometry in rows:
        feature = {"type": "Feature", "id": code, "geometry": geometry,
                   "properties": {"code": code, "name": name, "homes": homes, "plan_status": status}}  # fmt: skip
        yield separator + orjson.dumps(feature)
        separator = b","
    yield b"]}"
