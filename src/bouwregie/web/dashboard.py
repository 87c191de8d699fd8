"""The dashboard: the monitor's figures of one area (NL, a province, a region, a municipality) for one
closed peiling, as charts with their tables, and the areas one level down to drill into.

Aggregated figures are open data (accounts.policy.can_read_aggregates), so these pages need no login.
All numbers come from monitor.api; this module only arranges them for people.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bouwregie.geo.areas import UnknownArea, resolve_area
from bouwregie.geo.models import Municipality, Province, Region
from bouwregie.monitor import api as monitor_api
from bouwregie.projects.enums import Segment
from bouwregie.projects.milestones import phase_label
from bouwregie.projects.models import Peiling
from bouwregie.web.downloads import FORMATS, table_download

HARDNESS_LABELS = {
    "hard": gettext_lazy("hard (1A–2C)"),
    "zacht": gettext_lazy("zacht (3–4B)"),
    "onbekend": gettext_lazy("status onbekend"),
}


def closed_peilingen() -> list[str]:
    return list(
        Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").values_list("code", flat=True)
    )


def chosen_peiling(request, peilingen: list[str]) -> str:
    """The closed peiling asked for (`?peiling=`), else the latest of `peilingen` (closed, newest first, not
    empty); Http404 for a code that is not among them (unknown or still open)."""
    peiling = request.GET.get("peiling") or peilingen[0]
    if peiling not in peilingen:
        raise Http404(_("Peiling '%s' bestaat niet of is nog niet gesloten.") % peiling)
    return peiling


def area_page(request, code: str = "NL"):
    peilingen = closed_peilingen()
    if not peilingen:
        return render(request, "web/no_peiling.html", {
            "provinces": Province.objects.count(), "municipalities": Municipality.objects.count(),
        }, status=200)  # fmt: skip
    peiling = chosen_peiling(request, peilingen)
    try:
        area = resolve_area(code, monitor_api.reference_date(peiling))  # a woondeal region as agreed then
    except UnknownArea as error:
        raise Http404(str(error)) from None
    figures = monitor_api.monitor(area.code, peiling)
    children_title, children = _children(area, peiling)
    if children and request.GET.get("formaat") in FORMATS:
        name = f"kerncijfers-{area.code}-{peiling}"
        return table_download(children_rows(children), name, request.GET["formaat"], _("Kerncijfers"))
    context = {
        "area": area,
        "area_name": _("Nederland") if area.kind == "nl" else area.name,  # the country's name in the page's language
        "peiling": peiling,
        "peilingen": peilingen,
        "trail": _trail(area),
        "figures": figures,
        "key": _key_figures(figures),
        "main_agreement": _main_agreement(figures),
        "charts": _charts(figures),
        "children_title": children_title,
        "children": children,
        "woondeals": _woondeals(area, peiling),
        "convenant": _convenant(area, peiling),
    }
    return render(request, "web/dashboard.html", context)


def _convenant(area, peiling: str) -> dict:
    """The convenant's share of the pipeline and of deliveries in this area and its indicator scores against the
    norms (issue #23), as on the convenant page; the area as the monitor takes it (the peiling's reference date)."""
    from bouwregie.convenant import store as convenant_store

    return convenant_store.area_figures(area.code, peiling, monitor_api.reference_date(peiling))


def _woondeals(area, peiling: str) -> list[dict]:
    """A municipality's woondeal(s) on the peiling's date, or a woondeal region's own woondeal, to link to their
    progress pages (progress against the deal's own segments, corporations, per member and P(met))."""
    from bouwregie.monitor.woondeal_progress import woondeals_of
    from bouwregie.woondeals.regions import woondeal_code

    own = woondeal_code(area.code) if area.kind == "regio" else None
    if own:
        from bouwregie.woondeals.models import Woondeal

        return [{"code": own, "name": area.name}] if Woondeal.objects.filter(code=own).exists() else []
    if area.kind != "gemeente":
        return []

    return woondeals_of(area.code, Peiling.objects.get(code=peiling).reference_date)


def _trail(area) -> list[tuple[str, str]]:
    """Breadcrumb from Nederland down to this area: (name, url)."""
    trail = [(_("Nederland"), reverse("home"))]
    province = None
    if area.kind == "provincie":
        province = Province.objects.filter(code=area.code).first()
    elif area.kind == "gemeente":
        province = Municipality.objects.select_related("province").get(code=area.code).province
    elif area.kind == "regio":
        province = Region.objects.select_related("province").get(code=area.code).province
    if province and area.kind != "provincie":
        trail.append((province.name, reverse("area", args=[province.code])))
    if area.kind != "nl":
        trail.append((area.name, ""))
    return trail


def _key_figures(f: dict) -> list[dict]:
    pipeline, capacity, segments = f["pipeline"], f["capacity"], f["segments"]
    rows = [
        {"label": _("Projecten in de pijplijn"), "value": pipeline["projects"], "kind": "count"},
        {"label": _("Plancapaciteit (woningen)"), "value": pipeline["homes"], "kind": "count"},
        {"label": _("Waarvan hard"), "value": capacity["hard"], "kind": "count",
         "note": _("%s van de plancapaciteit") % _percent(capacity["hard_share"])},
        {"label": _("Betaalbaar aandeel"), "value": _percent(segments["affordable_share"]), "kind": "share",
         "note": _("norm %s (Woontop 2024)") % _percent(segments["affordable_norm"]),
         "ok": _meets(segments["affordable_share"], segments["affordable_norm"])},
        {"label": _("Sociale huur"), "value": _percent(segments["social_share"]), "kind": "share",
         "note": _("norm %s") % _percent(segments["social_norm"]),
         "ok": _meets(segments["social_share"], segments["social_norm"])},
    ]  # fmt: skip
    if capacity["ratio"] is not None:
        rows.append({
            "label": _("Plancapaciteit / resterende opgave"), "value": _percent(capacity["ratio"]), "kind": "share",
            "note": _("norm %s") % _percent(capacity["norm"]), "ok": bool(capacity["meets_norm"]),
        })  # fmt: skip
    return rows


def _main_agreement(f: dict) -> dict | None:
    return next((a for a in f["agreements"] if a["indicator"] == "bruto_woningen" and a.get("total")), None)


def yearly_agreement_line(agreements: list[dict]) -> tuple[str, dict[str, int]]:
    """The agreement line of the chart "Opleveringen per jaar": (label, {year: homes}), empty when the area has no
    agreement on gross new homes (indicator bruto_woningen).

    An agreement with yearly slices (jaarschijven, e.g. Woontop 11 December 2024, Afspraak 1: 100.000 a year in
    2025–2029) is drawn as agreed. Without slices, the total over its period (e.g. a provincial agreement of
    2022–2030) is drawn as the average per year, rounded, and labelled as an average: the agreement names no
    yearly figure, so none is invented beyond the plain share of the total."""
    homes = [a for a in agreements if a["indicator"] == "bruto_woningen"]
    sliced = next((a for a in homes if a.get("yearly")), None)
    if sliced:
        label = _("Afspraak per jaar (%(period)s)") % {"period": sliced["period"]}
        return label, {year: v["target"] for year, v in sliced["yearly"].items()}
    total = next((a for a in homes if a.get("total")), None)
    if not total:
        return "", {}
    first, last = (int(y) for y in total["period"].split("-"))
    average = round(total["total"] / (last - first + 1))
    label = _("Afspraak gemiddeld per jaar (%(period)s)") % {"period": total["period"]}
    return label, {str(year): average for year in range(first, last + 1)}


def _meets(share, norm) -> bool | None:
    return None if share is None else share >= norm


def _percent(share) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def _charts(f: dict) -> list[dict]:
    """Each chart once as data for static/web/charts.js (via json_script) and once as the table beside it."""
    line_label, yearly_target = yearly_agreement_line(f["agreements"])
    years = sorted(set(f["realised"]) | set(f["planned"]) | set(yearly_target))
    per_year = [(_("Gerealiseerd"), "bar", [f["realised"].get(y, 0) for y in years]),
                (_("Gepland"), "bar", [f["planned"].get(y, 0) for y in years])]  # fmt: skip
    if yearly_target:
        per_year.append((line_label, "line", [yearly_target.get(y) for y in years]))
    by_phase = f["pipeline"]["by_phase"]
    by_status = f["pipeline"]["by_plan_status"]
    by_segment = f["segments"]["pipeline"]
    return [
        _chart("jaren", _("Opleveringen per jaar"), _("Jaar"), years, per_year),
        _chart("fase", _("Pijplijn naar fase (woningen)"), _("Fase"),
               [phase_label("" if p == "voor_initiatief" else p) for p in by_phase],
               [(_("Woningen"), "bar", list(by_phase.values()))], horizontal=True),
        _chart("status", _("Pijplijn naar planstatus (woningen)"), _("Planstatus"),
               [str(HARDNESS_LABELS[h]) for h in by_status], [(_("Woningen"), "bar", list(by_status.values()))]),
        _chart("segment", _("Pijplijn naar segment (woningen)"), _("Segment"),
               [str(Segment(s).label) for s in by_segment], [(_("Woningen"), "bar", list(by_segment.values()))]),
    ]  # fmt: skip


def _chart(chart_id: str, title: str, label_header: str, labels: list, series: list, horizontal=False) -> dict:
    return {
        "id": chart_id,
        "script_id": f"grafiek-{chart_id}",
        "title": title,
        "label_header": label_header,
        "headers": [str(name) for name, _kind, _values in series],
        "rows": [(label, [values[i] for _name, _kind, values in series]) for i, label in enumerate(labels)],
        "data": {"labels": [str(x) for x in labels],
                 "series": [{"label": str(name), "type": kind, "values": values} for name, kind, values in series]},
        "horizontal": horizontal,
    }  # fmt: skip


def _children(area, peiling: str) -> tuple[str, list[dict]]:
    """The areas one level down, each with its key figures, for the drill-down table."""
    if area.kind == "gemeente":
        return "", []
    everything = monitor_api.national(peiling)
    if area.kind == "nl":
        codes, title = list(Province.objects.order_by("name").values_list("code", flat=True)), _("Provincies")
    else:
        codes = sorted(area.municipalities, key=lambda c: everything.get(c, {}).get("area", {}).get("name", c))
        title = _("Gemeenten")
    rows = [_child_row(everything[c]) for c in codes if c in everything]
    if area.kind == "provincie":
        regions = Region.objects.filter(province_id=area.code).order_by("name")
        rows = [_child_row(f) for f in monitor_api.monitors([r.code for r in regions], peiling)] + rows
        title = _("Regio's en gemeenten")
    return title, rows


def children_rows(children: list[dict]):
    """The drill-down table as a download: the page's columns (header in the page's language), shares as
    fractions (0,667) so a spreadsheet can compute with them."""
    yield [_("Gebied"), _("Code"), _("Projecten"), _("Plancapaciteit"), _("Hard"), _("Gerealiseerd"), _("Betaalbaar"),
           _("Capaciteit / opgave")]  # fmt: skip
    for c in children:
        yield [c["name"], c["code"], c["projects"], c["homes"], c["hard"], c["realised"], c["affordable_share"],
               c["capacity_ratio"]]  # fmt: skip


def _child_row(f: dict) -> dict:
    return {
        "code": f["area"]["code"],
        "name": f["area"]["name"],
        "kind": f["area"]["kind"],
        "projects": f["pipeline"]["projects"],
        "homes": f["pipeline"]["homes"],
        "hard": f["capacity"]["hard"],
        "realised": sum(f["realised"].values()),
        "affordable": _percent(f["segments"]["affordable_share"]),
        "affordable_share": f["segments"]["affordable_share"],
        "capacity_ratio": f["capacity"]["ratio"],
        "affordable_ok": _meets(f["segments"]["affordable_share"], f["segments"]["affordable_norm"]),
        "capacity": _percent(f["capacity"]["ratio"]),
        "capacity_ok": f["capacity"]["meets_norm"],
    }
