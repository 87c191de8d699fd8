"""The report as PDF: WeasyPrint (HTML and CSS to PDF, no browser) over a Django template; the charts are SVG
drawn on the server (rapport.charts), tables repeat their header on every page (thead as table-header-group)."""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from bouwregie.rapport import charts
from bouwregie.rapport.content import LISTED


def context(content: dict) -> dict:
    fc = content["forecast"]
    main = fc["main"] if fc else None
    return {
        "r": content,
        "listed": f":{LISTED}",
        "progress_chart": charts.bars(content["progress"]["chart"]),
        "fan_chart": charts.fan(
            fc["fan"],
            main["target"] if main else None,
            {
                "title": _("Prognose: cumulatief opgeleverd"),
                "band": _("P10–P90"),
                "median": _("P50 (mediaan)"),
                "target": _("Afspraak"),
            },
        )
        if fc
        else "",  # fmt: skip
    }


def html(content: dict) -> str:
    with translation.override(content["language"]):
        return render_to_string("rapport/report.html", context(content))


def render(content: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=html(content)).write_pdf()
