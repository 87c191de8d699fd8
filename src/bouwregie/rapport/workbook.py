"""The report as an Excel workbook with the same figures as the PDF: one sheet per section. Where a page already
offers the section's table as a download, the sheet's rows are exactly that download's rows (the same row
producers: web.dashboard.children_rows, web.woondeal_progress_pages.year_rows / member_rows,
web.monitor_pages.delay_rows / alternative_rows, forecast.results.csv_rows, rapport.ppm.rows); the other
sections get a table of their own. Values only, each cell through bouwregie.cells (no text runs as a formula)."""

import io

from django.utils import translation
from django.utils.translation import gettext as _

from bouwregie import cells


def sheets(content: dict) -> list[tuple[str, list[list]]]:
    """(sheet name, rows) per section, header first, in the report's language."""
    from bouwregie.rapport import ppm
    from bouwregie.web.dashboard import _children, children_rows
    from bouwregie.web.monitor_pages import alternative_rows, delay_rows

    with translation.override(content["language"]):
        area, peiling = content["area"], content["peiling"]
        out = []
        p = content["progress"]
        out.append((_("Voortgang"), [[_("Jaar"), _("Gerealiseerd"), _("Gepland"), p["agreement_line"] or _("Afspraak")]]
                    + [[y["year"], y["realised"], y["planned"], y["agreement"]] for y in p["years"]]))  # fmt: skip
        woondeal = _woondeal_progress(area["code"], peiling)
        if woondeal is not None:
            from bouwregie.web.woondeal_progress_pages import member_rows, year_rows

            out.append((_("Jaarschijven"), list(year_rows(woondeal))))
            out.append((_("Gemeenten"), list(member_rows(woondeal))))
        if area["kind"] != "gemeente":
            from bouwregie.geo.areas import resolve_area
            from bouwregie.monitor.api import reference_date

            _title, children = _children(resolve_area(area["code"], reference_date(peiling)), peiling)
            if children:
                out.append((_("Kerncijfers"), list(children_rows(children))))
        if content["changes"]:
            rows = [[_("Soort"), _("Projectcode"), _("Project"), _("Gemeente"), _("Woningen")]]
            for kind, label in (("new", _("Nieuw")), ("delivered", _("Opgeleverd")), ("dropped", _("Vervallen")),
                                ("changed", _("Gewijzigd"))):  # fmt: skip
                rows += [[label, x["code"], x["name"], x["municipality"], x["homes"]]
                         for x in content["changes"][kind]["listed"]]  # fmt: skip
            out.append((_("Wijzigingen"), rows))
        if content["delays"]:
            out.append((_("Vertragingen"), list(delay_rows(content["delays"]))))
        if content["alternatives"].get("candidates") is not None:
            out.append((_("Alternatieven"), list(alternative_rows(content["alternatives"]))))
        out.append((_("Prognose"), content["forecast"]["rows"]))
        s = content["segments"]
        rows = [[_("Segment"), _("Woningen in de pijplijn")]] + [[r["label"], r["homes"]] for r in s["rows"]]
        rows += [
            [_("Betaalbaar aandeel"), s["affordable_share"]],
            [_("Norm betaalbaar"), s["affordable_norm"]],
            [_("Aandeel sociale huur"), s["social_share"]],
            [_("Norm sociale huur"), s["social_norm"]],
        ]
        out.append((_("Segmenten"), rows))
        c = content["capacity"]
        rows = [[_("Cijfer"), _("Waarde")], [_("Plancapaciteit (woningen)"), c["plan_capacity"]],
                [_("Waarvan hard"), c["hard"]], [_("Resterende opgave"), c["remaining_task"]],
                [_("Plancapaciteit / resterende opgave"), c["ratio"]], [_("Norm"), c["norm"]]]  # fmt: skip
        out.append((_("Plancapaciteit"), rows))
        rows = [[_("Knelpunt"), _("Projecten"), _("Woningen"), _("Projectcode"), _("Project")]]
        for b in content["bottlenecks"]:
            rows += [[b["label"], b["projects"], b["homes"], x["code"], x["name"]] for x in b["listed"]]
        out.append((_("Knelpunten"), rows))
        if content["open_book"] is not None:
            rows = [[_("Projectcode"), _("Project"), _("Gemeente"), _("Post"), _("Bedrag")]]
            rows += [[x["code"], x["name"], x["municipality"], i["item"], i["value"]] for x in content["open_book"]
                     for i in x["items"]]  # fmt: skip
            out.append((_("Open boeken"), rows))
        out.append((_("PPM-gebruik"), list(ppm.rows(content["ppm"]))))
    return out


def _woondeal_progress(area_code: str, peiling: str):
    from bouwregie.monitor.woondeal_progress import NoAgreement, woondeal_progress
    from bouwregie.woondeals.regions import woondeal_code

    code = woondeal_code(area_code)
    if not code:
        return None
    try:
        return woondeal_progress(code, peiling)
    except NoAgreement:
        return None


def render(content: dict) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for name, rows in sheets(content):
        worksheet = workbook.create_sheet(name[:31])  # Excel's limit for a sheet name
        for row in rows:
            cells.xlsx_append(worksheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
