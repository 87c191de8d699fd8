"""Tables as downloads, the two ways Dutch offices open them: CSV with semicolons in UTF-8 with a BOM (Excel
then splits the columns and shows ë and € right) and .xlsx. Rows are header first, then plain values; every
cell passes `bouwregie.cells`, so no text from the data runs as a formula."""

import io

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from bouwregie import cells
from bouwregie.api.problems import XLSX

FORMATS = ("csv", "xlsx")


def table_download(rows, name: str, fmt: str, sheet: str = "") -> HttpResponse:
    """rows (an iterable of lists, header first) as `name`.csv or `name`.xlsx; any other format is a 404."""
    if fmt == "csv":
        buffer = io.StringIO()
        cells.csv_writer(buffer, delimiter=";").writerows(rows)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        worksheet = workbook.create_sheet((sheet or name)[:31])  # Excel's limit for a sheet name
        for row in rows:
            cells.xlsx_append(worksheet, row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        raise Http404(_("Onbekend exportformaat '%s'; kies csv of xlsx.") % fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
