"""The progress page of one woondeal region (/woondeals/<code>/voortgang): the figures of
monitor.woondeal_progress for a closed peiling, as key-figure cards, tables and the dashboard's chart.

Like the dashboard, aggregated figures are open data: no login needed. This module only arranges the
numbers for people; the API (/api/v1/woondeals/{code}/voortgang) returns the same dict."""

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bouwregie.monitor.woondeal_progress import NoAgreement, woondeal_progress
from bouwregie.web.dashboard import _chart, _percent, chosen_peiling, closed_peilingen
from bouwregie.web.downloads import FORMATS, table_download
from bouwregie.woondeals.models import Woondeal

SEGMENT_LABELS = {
    "sociale_huur": gettext_lazy("Sociale huur"),
    "middenhuur_betaalbare_koop": gettext_lazy("Middenhuur en betaalbare koop"),
    "duur": gettext_lazy("Duur (vrije sector huur, dure koop)"),
}
VERDICTS = {
    "likely": gettext_lazy("waarschijnlijk gehaald (P10 boven de taakstelling)"),
    "unlikely": gettext_lazy("waarschijnlijk niet gehaald (P90 onder de taakstelling)"),
    "uncertain": gettext_lazy("onzeker (de taakstelling ligt tussen P10 en P90)"),
}


def progress_page(request, code: str):
    if not Woondeal.objects.filter(code=code).exists():
        raise Http404(_("Onbekende woondeal '%(code)s'.") % {"code": code})
    peilingen = closed_peilingen()
    if not peilingen:
        raise Http404(_("Er is nog geen gesloten peiling."))
    peiling = chosen_peiling(request, peilingen)
    try:
        figures = woondeal_progress(code, peiling)
    except NoAgreement as error:
        raise Http404(str(error)) from None
    for row in figures["segments"]["rows"]:
        row["label"] = SEGMENT_LABELS[row["segment"]]
    fmt, table = request.GET.get("formaat"), request.GET.get("tabel", "jaren")
    if fmt in FORMATS and table in TABLES:
        rows = TABLES[table](figures)
        return table_download(rows, f"woondeal-{code}-{table}-{peiling}", fmt, _("Voortgang"))
    return render(request, "web/woondeal_progress.html", {
        "f": figures, "peiling": peiling, "peilingen": peilingen, "key": _key_figures(figures),
        "on": date.fromisoformat(figures["as_agreed_on"]),  # shown as every woondeal page shows a date (j-n-Y)
        "chart": _years_chart(figures), "verdict": VERDICTS.get((figures["forecast"] or {}).get("verdict")),
        "p_met": _percent((figures["forecast"] or {}).get("probability")), "years": _years(figures),
    })  # fmt: skip


def _years(f: dict) -> list[dict]:
    """The year rows with the forecast's chance of meeting each jaarschijf (None: no forecast for that year).
    New dicts: the figures are shared by the cache."""
    chances = (f["forecast"] or {}).get("yearly") or {}
    return [{**r, "p_met": _percent(chances[str(r["year"])]["probability"]) if str(r["year"]) in chances else None}
            for r in f["years"]]  # fmt: skip


def year_rows(f: dict):
    """The table "Jaarschijven, gerealiseerd en gepland" as a download: the page's columns and language."""
    yield [_("Jaar"), _("Jaarschijf"), _("Gerealiseerd"), _("Gepland"), _("Verschil"), _("Jaarschijven cumulatief"),
           _("Gerealiseerd en gepland cumulatief")]  # fmt: skip
    for r in f["years"]:
        yield [r["year"], r["jaarschijf"], r["realised"], r["planned"], r["difference"], r["cumulative_jaarschijf"],
               r["cumulative"]]  # fmt: skip


def member_rows(f: dict):
    """The table per municipality as a download (the share as a fraction)."""
    yield [_("Gemeente"), _("Code"), _("Pijplijn"), _("Aandeel"), _("Deel van de taakstelling"), _("Gerealiseerd"),
           _("Gepland"), _("Verschil")]  # fmt: skip
    for m in f["per_member"]:
        yield [m["name"], m["code"], m["pipeline"], m["share"], m["taakstelling"], m["realised"], m["planned"],
               m["difference"]]  # fmt: skip


TABLES = {"jaren": year_rows, "gemeenten": member_rows}


def _key_figures(f: dict) -> list[dict]:
    capacity, corporations = f["capacity"], f["corporations"]
    rows = [
        {"label": _("Taakstelling 2022–2030"), "value": f["taakstelling"], "kind": "count"},
        {"label": _("Gerealiseerd"), "value": f["realised"], "kind": "count",
         "note": _("%s van de taakstelling") % _percent(f["progress"])},
        {"label": _("Gerealiseerd en gepland"), "value": f["realised_and_planned"], "kind": "count",
         "note": _("%s van de taakstelling") % _percent(f["expected"]),
         "ok": None if f["expected"] is None else f["expected"] >= 1},
        {"label": _("Plancapaciteit / resterende opgave"), "value": _percent(capacity["ratio"]), "kind": "share",
         "note": _("norm %s") % _percent(capacity["norm"]), "ok": capacity["meets_norm"]},
        {"label": _("Woningen van corporaties") if corporations["basis"] == "projectpartijen"
         else _("Woningen van corporaties (sociale huur)"), "value": corporations["homes"], "kind": "count",
         "note": _("afgesproken: %s") % ("–" if corporations["agreed"] is None else corporations["agreed"]),
         "ok": None if not corporations["agreed"] else corporations["homes"] >= corporations["agreed"]},
    ]  # fmt: skip
    return [r for r in rows if r["value"] is not None]


def _years_chart(f: dict) -> dict:
    years = [r["year"] for r in f["years"]]
    series = [(_("Gerealiseerd"), "bar", [r["realised"] for r in f["years"]]),
              (_("Gepland"), "bar", [r["planned"] for r in f["years"]])]  # fmt: skip
    if any(r["jaarschijf"] is not None for r in f["years"]):
        series.append((_("Jaarschijf"), "line", [r["jaarschijf"] for r in f["years"]]))
    return _chart("jaren", _("Opleveringen per jaar tegen de jaarschijven"), _("Jaar"), years, series)
