"""Tables as downloads, the two ways Dutch offices open them: CSV with semicolons in UTF-8 with a BOM (Excel
then splits the columns and shows ë and € right) and .xlsx. Rows are header first, then plain values; every
cell passes `bouwregie.cells`, so no text from the data runs as a formula.

`table_download` builds the file in memory (the small tables of the pages); `streamed_download` is for tables of
any length, such as every project of the country (issue #21): the CSV goes out row by row and the .xlsx is written
by openpyxl's write-only mode to a temporary file that is then sent in pieces, so memory stays flat."""

import io
import tempfile

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
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


def streamed_download(rows, name: str, fmt: str, sheet: str = ""):
    """As `table_download`, for a table of any length: `rows` is consumed once, one row at a time."""
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        worksheet = workbook.create_sheet((sheet or name)[:31])
        for row in rows:
            cells.xlsx_append(worksheet, row)
        spool = tempfile.TemporaryFile()  # FileResponse closes it, and the system removes it, once it is sent
        workbook.save(spool)
        spool.seek(0)
        response = FileResponse(spool, content_type=XLSX)
    else:
        raise Http404(_("Onbekend exportformaat '%s'; kies csv of xlsx.") % fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _csv_lines(rows, piece: int = 64 * 1024):
    """The CSV (BOM first) in pieces of about `piece` characters, for a StreamingHttpResponse."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = cells.csv_writer(buffer, delimiter=";")
    for values in rows:
        writer.writerow(values)
        if buffer.tell() >= piece:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
