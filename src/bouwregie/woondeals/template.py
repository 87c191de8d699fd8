"""The woondeal template: one woondeal per row, the same columns in CSV (semicolon, UTF-8 with a BOM, as every
Bouwregie CSV, so Dutch Excel opens it as columns) and Excel (sheet "woondeals"), so a province fills in a
spreadsheet and loads it (docs/woondeals.md lists the columns).

Wide rather than long: a woondeal is one line a reader can check against its agreement document, and a
year is a column (jaarschijf_2022 … jaarschijf_2030, programmering_2031 … programmering_2035). Lists sit in
one cell: gemeenten "GM0457 tot 2022-03-24, Amsterdam, GM1234 vanaf 2023-01-01" (CBS code or name, read as
the woondeal form reads them: members.MemberReader); ondertekenaars
"Naam (corporatie, ondertekend) | Naam (ontwikkelaar, steunverklaring)".

Reading is lenient where real files are messy and strict where a mistake would be silent: a CSV saved by Excel
in Windows-1252 or Mac Roman is read as such (the plan-list reader's detection, with a warning), a date typed in
Excel (a date cell) is a date; an unknown or unnamed column with values is refused, and so is a file with more
than MAX_ROWS rows.

Loading is all-or-nothing and in two steps: `plan` reads and checks the whole file and says per row what it
would do (a new woondeal, a new version with the changed columns old → new, or unchanged) without writing;
`apply` writes that plan (a row equal to the woondeal's newest version writes nothing). Every error names the
row, column and value. Exporting writes the newest recorded version of every woondeal in exactly this form, so
template → load → export gives the same file content.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bouwregie import cells
from bouwregie.geo.matching import AmbiguousMunicipality, MunicipalityNotFound
from bouwregie.woondeals import rules, store
from bouwregie.woondeals.members import MemberReader
from bouwregie.woondeals.models import Woondeal

SEGMENT_COLUMNS = [f"taakstelling_{s}" for s in rules.SEGMENTS]
JAARSCHIJF_COLUMNS = [f"jaarschijf_{y}" for y in rules.JAARSCHIJF_YEARS]
PROGRAMMING_COLUMNS = [f"programmering_{y}" for y in rules.PROGRAMMING_YEARS]
COLUMNS = [
    "code",
    "naam",
    "provincies",
    "geldig_vanaf",
    "bron",
    "gemeenten",
    "ondertekenaars",
    "taakstelling_2022_2030",
    *SEGMENT_COLUMNS,
    "woningen_corporaties",
    *JAARSCHIJF_COLUMNS,
    *PROGRAMMING_COLUMNS,
]
KINDS = {
    "corporatie": "corporatie",
    "ontwikkelaar": "ontwikkelaar",
    "belegger": "belegger",
    "bouwer": "bouwer",
    "other": "overig",
}
ROLES = {"signed": "ondertekend", "support": "steunverklaring"}
CODE = re.compile(r"^WD-[A-Za-z0-9-]{1,13}$")
# One member in the gemeenten cell: a CBS code or a name, optionally 'vanaf JJJJ-MM-DD' and/or 'tot JJJJ-MM-DD'.
MEMBER = re.compile(r"^(.+?)(?:\s+vanaf\s+(\S+))?(?:\s+tot\s+(\S+))?$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_COLUMNS = ("geldig_vanaf",)
TEXT_COLUMNS = ("code", "naam", "provincies", "bron", "gemeenten", "ondertekenaars")
# There are 35 woondeals (seed 003); a file with more rows than this is no woondeal template. The limit keeps a
# mistaken upload (a plan list, a file of thousands of rows) from being parsed at all: refused after reading
# MAX_ROWS + 1 rows, in well under a second, instead of checking every row.
MAX_ROWS = 1000
ERRORS_SHOWN = 100  # errors listed per file; the rest are counted ("en 250 meer")
SIGNATORY = re.compile(r"^(.+?)\s*\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)$")


class TemplateError(ValueError):
    pass


# --- writing -------------------------------------------------------------------------------------
def row_of(code: str, data: dict) -> list:
    members = ", ".join(
        m["code"] + (f" vanaf {m['from']}" if m.get("from") else "") + (f" tot {m['until']}" if m.get("until") else "")
        for m in data["members"]
    )
    signatories = " | ".join(f"{s['name']} ({KINDS[s['kind']]}, {ROLES[s['role']]})" for s in data["signatories"])
    segments, slices, programming = data["taakstelling_segments"], data["jaarschijven"], data["programming"]
    return [
        code,
        data["name"],
        ", ".join(data["provinces"]),
        data["valid_from"],
        data["source"],
        members,
        signatories,
        data["taakstelling_total"],
        *(segments.get(s) for s in rules.SEGMENTS),
        data["corporation_homes"],
        *(slices.get(str(y)) for y in rules.JAARSCHIJF_YEARS),
        *(programming.get(str(y)) for y in rules.PROGRAMMING_YEARS),
    ]


def export_rows() -> list[list]:
    rows = []
    for deal in Woondeal.objects.order_by("code"):
        version = deal.versions.order_by("-number").first()
        if version is not None:
            rows.append(row_of(deal.code, store.data_of(version)))
    return rows


def write_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([cells.inert_row(["" if v is None else v for v in row]) for row in rows])  # never a formula
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Dutch Excel reads UTF-8 (web/downloads.py)


def write_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "woondeals"
    sheet.append(COLUMNS)
    # What is typed in a new row stays what was typed: the text columns are text cells (a code such as 0363 keeps
    # its zero, a list of names is never read as a date or number), the date column is a date cell shown as
    # JJJJ-MM-DD (a date typed in Excel's own way is still a date; read back as such).
    for name in (*TEXT_COLUMNS, *DATE_COLUMNS):
        letter = get_column_letter(COLUMNS.index(name) + 1)
        sheet.column_dimensions[letter].number_format = "@" if name in TEXT_COLUMNS else "yyyy-mm-dd"
    dates = [COLUMNS.index(name) for name in DATE_COLUMNS]
    for row in rows:
        row = list(row)
        for i in dates:
            row[i] = date.fromisoformat(row[i]) if isinstance(row[i], str) and row[i] else row[i]
        cells.xlsx_append(sheet, row)  # a name such as '=HYPERLINK(…)' stays text (bouwregie.cells)
        for i in dates:
            sheet.cell(row=sheet.max_row, column=i + 1).number_format = "yyyy-mm-dd"
    notes = book.create_sheet("toelichting")
    notes.append([_("Eén woondeal per rij; zie docs/woondeals.md voor de kolommen en regels.")])
    notes.append([_("gemeenten: 'GM0457 tot 2022-03-24, Amsterdam, GM1234 vanaf 2023-01-01' (CBS-code of naam)")])
    notes.append([_("ondertekenaars: 'Naam (corporatie, ondertekend) | Naam (ontwikkelaar, steunverklaring)'")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(rows: list[list], fmt: str) -> bytes:
    if fmt not in ("csv", "xlsx"):
        raise TemplateError(_("Onbekend formaat '%(format)s'; kies csv of xlsx.") % {"format": fmt})
    return write_csv(rows) if fmt == "csv" else write_xlsx(rows)


# --- reading -------------------------------------------------------------------------------------
@dataclass
class Sheet:
    """A template file as text cells: the header and every non-empty row with its row number in the file."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    notes: list[str] = field(default_factory=list)  # warnings about the file as a whole (its encoding)
    errors: list[str] = field(default_factory=list)  # cells that cannot be read (a date with a time of day)
    header_row: int = 1


def _too_many_rows(path: Path) -> "TemplateError":
    return TemplateError(
        _(
            "%(file)s heeft meer dan %(limit)s rijen; een sjabloon heeft één rij per woondeal (er zijn er 35), de "
            "grens is %(limit)s. Niets geladen; controleer of dit het woondealsjabloon is."
        )
        % {"file": path.name, "limit": f"{MAX_ROWS:,}".replace(",", ".")}
    )


def _rows_of(path: Path, records) -> list[tuple[int, list]]:
    """The non-empty records (row number, cells), the first being the header; refused past MAX_ROWS data rows
    without reading further."""
    rows = []
    for number, record in enumerate(records, start=1):
        if any(v is not None and str(v).strip() for v in record):
            rows.append((number, list(record)))
            if len(rows) > MAX_ROWS + 1:
                raise _too_many_rows(path)
    return rows


def _excel_text(value) -> str:
    """An Excel cell as template text: a date cell (what Excel makes of a typed date) as JJJJ-MM-DD, a whole
    number without '.0'. ValueError for a date with a time of day, which is no date of an agreement."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() != time(0, 0):
            raise ValueError(_("een datum met een tijd (%(time)s); geef alleen de datum") % {"time": f"{value:%H:%M}"})
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return cells.restored(str(value))


def read_sheet(path: Path) -> Sheet:
    """The file's rows as text cells. CSV: the encoding as the plan-list import detects it (ingest.readers:
    UTF-8 with or without BOM, UTF-16, Windows-1252, Mac Roman), a note when it was not UTF-8."""
    from bouwregie.ingest import readers

    path = Path(path)
    notes, errors = [], []
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:  # a corrupt file or a zip bomb is refused as for a plan list, never a server error
            readers._check_zip(path, _("Excel-bestand"))
            book = load_workbook(path, read_only=True, data_only=True)
        except (readers.ImportRefused, KeyError, OSError, ValueError) as error:
            message = str(error) if isinstance(error, readers.ImportRefused) else ""
            raise TemplateError(
                message or _("%(file)s is geen leesbaar Excel-bestand (.xlsx).") % {"file": path.name}
            ) from None
        try:
            sheet = book["woondeals"] if "woondeals" in book.sheetnames else book.worksheets[0]
            raw = _rows_of(path, sheet.iter_rows(values_only=True))
        finally:
            book.close()
        header = ["" if v is None else str(v).strip() for v in raw[0][1]] if raw else []
        rows = []
        for number, record in raw[1:]:
            values = []
            for i, value in enumerate(record):
                try:
                    values.append(_excel_text(value))
                except ValueError as error:
                    errors.append(_error(number, _column_name(header, i), value, str(error)))
                    values.append("")
            rows.append((number, values))
        return Sheet(header, rows, notes, errors, raw[0][0] if raw else 1)
    try:
        text, encoding, invalid = readers._decoded(path.read_bytes())
    except readers.ImportRefused as error:
        raise TemplateError(f"{path.name}: {error}") from None
    if encoding != "UTF-8":
        notes.append(_("%(file)s gelezen als %(encoding)s (geen UTF-8).") % {"file": path.name, "encoding": encoding})
    if invalid:
        lines = sorted(invalid)
        notes.append(
            _(
                "%(file)s: ongeldige bytes voor UTF-8 op regel %(lines)s vervangen door '�'; controleer die waarden "
                "en sla het bestand op als UTF-8."
            )
            % {"file": path.name, "lines": ", ".join(map(str, lines[:20])) + (" …" if len(lines) > 20 else "")}
        )
    try:
        raw = _rows_of(path, csv.reader(io.StringIO(text), delimiter=";"))
    except csv.Error as error:
        raise TemplateError(
            _("%(file)s kan niet gelezen worden: %(error)s.") % {"file": path.name, "error": error}
        ) from None
    header = [h.strip() for h in raw[0][1]] if raw else []
    rows = [(n, [cells.restored(c) for c in r]) for n, r in raw[1:]]
    return Sheet(header, rows, notes, errors, raw[0][0] if raw else 1)


def read_table(path: Path) -> list[list]:
    """The file's non-empty rows as text cells, header first."""
    sheet = read_sheet(path)
    return [sheet.header, *(r for _n, r in sheet.rows)] if sheet.header or sheet.rows else []


def _column_name(header: list[str], i: int) -> str:
    return header[i] if i < len(header) and header[i] else _("%(n)d (zonder naam)") % {"n": i + 1}


def _error(row: int, column: str, value, message: str) -> str:
    return _("Rij %(row)d, kolom %(column)s, waarde '%(value)s': %(message)s") % {
        "row": row,
        "column": column,
        "value": value,
        "message": message,
    }


def _number(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(_("geen aantal woningen (geheel getal, 0 of meer)"))
    return int(text)


def _iso_day(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        if ISO_DAY.match(text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ValueError(_("'%(value)s' is geen geldige datum (JJJJ-MM-DD)") % {"value": text})


def _members(text: str, reader: MemberReader) -> list[dict]:
    """The gemeenten cell: members by CBS code or by name (as the form reads them), comma-separated."""
    if not text:
        return []
    members = []
    for part in reader.split(text, tail=lambda p: MEMBER.match(p)[1] if MEMBER.match(p) else p):
        found = MEMBER.match(part)
        if not found:
            raise ValueError(
                _(
                    "schrijf elke gemeente als CBS-code of naam ('GM0363' of 'Amsterdam'), eventueel met 'vanaf "
                    "JJJJ-MM-DD' en/of 'tot JJJJ-MM-DD', gescheiden door komma's"
                )
            )
        start, until = _iso_day(found[2]), _iso_day(found[3])
        try:
            code = reader.code(found[1], date.fromisoformat(until) if until else None)
        except (MunicipalityNotFound, AmbiguousMunicipality) as error:
            raise ValueError(str(error)) from None
        members.append({"code": code, "from": start, "until": until})
    return members


def _signatories(text: str) -> list[dict]:
    kinds, roles = {v: k for k, v in KINDS.items()}, {v: k for k, v in ROLES.items()}
    result = []
    for part in (p.strip() for p in text.split("|") if p.strip()):
        found = SIGNATORY.match(part)
        if not found or found[2] not in kinds or found[3] not in roles:
            raise ValueError(
                _("schrijf 'Naam (soort, rol)' met soort %(kinds)s en rol %(roles)s, gescheiden door |")
                % {"kinds": "/".join(kinds), "roles": "/".join(roles)}
            )
        result.append({"name": found[1], "kind": kinds[found[2]], "role": roles[found[3]]})
    return result


def parse_row(values: dict, reader: MemberReader) -> tuple[dict, list[tuple[str, str]]]:
    """One row (column → text) as version data, and the (column, message) of every cell that cannot be read."""
    data, errors = {}, []

    def cell(column, convert):
        try:
            return convert(values.get(column, "").strip())
        except ValueError as error:
            errors.append((column, str(error)))
            return None

    data["name"] = values.get("naam", "").strip()
    data["provinces"] = [p.strip() for p in values.get("provincies", "").split(",") if p.strip()]
    data["valid_from"] = values.get("geldig_vanaf", "").strip()
    data["source"] = values.get("bron", "").strip()
    data["members"] = cell("gemeenten", lambda text: _members(text, reader)) or []
    data["signatories"] = cell("ondertekenaars", _signatories) or []
    data["taakstelling_total"] = cell("taakstelling_2022_2030", _number)
    data["corporation_homes"] = cell("woningen_corporaties", _number)
    data["taakstelling_segments"] = {
        s: n for s in rules.SEGMENTS if (n := cell(f"taakstelling_{s}", _number)) is not None
    }
    data["jaarschijven"] = {
        str(y): n for y in rules.JAARSCHIJF_YEARS if (n := cell(f"jaarschijf_{y}", _number)) is not None
    }
    data["programming"] = {
        str(y): n for y in rules.PROGRAMMING_YEARS if (n := cell(f"programmering_{y}", _number)) is not None
    }
    return data, errors


# Which column a rules.Finding's field points at.
FIELD_COLUMNS = {
    "naam": "naam",
    "bron": "bron",
    "provincies": "provincies",
    "leden": "gemeenten",
    "ondertekenaars": "ondertekenaars",
    "taakstelling": "taakstelling_2022_2030",
    "jaarschijven": "jaarschijf_2022",
    "programmering": "programmering_2031",
    "aandeel_corporaties": "woningen_corporaties",
    "geldig_vanaf": "geldig_vanaf",
}


def _header_errors(sheet: Sheet, file: str) -> list[str]:
    """Every column must be known: a missing one, a misspelt or extra one, a column twice, or values under a
    column without a name are refused (never silently ignored), naming the column and the known ones."""
    header, found, at = sheet.header, [], sheet.header_row
    known = _("bekende kolommen: %(columns)s") % {"columns": ", ".join(COLUMNS)}
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        found.append(_("%(file)s, rij %(row)d: kolommen ontbreken: %(columns)s (download het sjabloon).")
                     % {"file": file, "row": at, "columns": ", ".join(missing)})  # fmt: skip
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        found.append(_("%(file)s, rij %(row)d: onbekende kolommen: %(columns)s; %(known)s.")
                     % {"file": file, "row": at, "columns": ", ".join(f"'{h}'" for h in unknown),
                        "known": known})  # fmt: skip
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        found.append(_("%(file)s, rij %(row)d: kolommen staan er meer dan eens: %(columns)s.")
                     % {"file": file, "row": at, "columns": ", ".join(twice)})  # fmt: skip
    for number, row in sheet.rows:
        unnamed = [i for i, v in enumerate(row) if v.strip() and (i >= len(header) or not header[i])]
        if unnamed:
            i = unnamed[0]
            found.append(
                _("%(file)s, rij %(row)d, kolom %(n)d: waarde '%(value)s' staat in een kolom zonder naam in rij "
                  "%(header)d; geef de kolom een naam uit het sjabloon of haal de waarde weg (%(known)s).")
                % {"file": file, "row": number, "n": i + 1, "value": row[i][:60], "header": at, "known": known}
            )  # fmt: skip
            break  # one row says it; the same column usually fills every row
    return found


NEW, CHANGED, UNCHANGED = "nieuw", "gewijzigd", "ongewijzigd"


@dataclass
class Outcome:
    """What one row of the file does: a new woondeal, a new version (with the changed columns) or nothing."""

    row: int
    code: str
    name: str
    status: str  # NEW, CHANGED or UNCHANGED
    base: int | None  # the newest version the row was compared with; None for a new woondeal
    data: dict
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old, new) as in the file
    old_provinces: list[str] = field(default_factory=list)
    number: int | None = None  # the version written (set by apply)

    @property
    def writes(self) -> bool:
        return self.status != UNCHANGED


@dataclass
class Plan:
    file: str
    outcomes: list[Outcome]
    warnings: list[str]


def _shown_errors(file: str, errors: list[str]) -> TemplateError:
    shown = errors[:ERRORS_SHOWN]
    if len(errors) > ERRORS_SHOWN:
        more = len(errors) - ERRORS_SHOWN
        shown.append(ngettext("… en %(n)d fout meer.", "… en %(n)d fouten meer.", more) % {"n": more})
    return TemplateError(_("%(file)s: niets geladen.") % {"file": file} + "\n" + "\n".join(shown))


def _cells_text(row: list) -> list[str]:
    return ["" if v is None else str(v) for v in row]


def plan(path) -> Plan:
    """Read and check the whole file and say per row what loading it would do; writes nothing. Raises
    TemplateError listing (at most ERRORS_SHOWN of) the errors, each naming row, column and value."""
    path = Path(path)
    sheet = read_sheet(path)
    if not sheet.header:
        raise TemplateError(_("%(file)s is leeg.") % {"file": path.name})
    header_errors = _header_errors(sheet, path.name)
    if header_errors:
        raise TemplateError("\n".join(header_errors))
    ref, reader = store.reference(), MemberReader()
    errors, warnings, outcomes, seen = list(sheet.errors), list(sheet.notes), [], set()
    deals = {d.code: d for d in Woondeal.objects.all()}
    for number, row in sheet.rows:
        values = dict(zip(sheet.header, row, strict=False))
        code = values.get("code", "").strip()
        if not CODE.match(code):
            errors.append(_error(number, "code", code, _("een woondealcode heeft de vorm WD-01")))
            continue
        if code in seen:
            errors.append(_error(number, "code", code, _("deze woondeal staat al op een eerdere rij")))
            continue
        seen.add(code)
        data, cell_errors = parse_row(values, reader)
        errors += [_error(number, column, values.get(column, ""), message) for column, message in cell_errors]
        if cell_errors:
            continue
        row_errors = []
        for finding in rules.validate(data, ref) + (
            [] if data["valid_from"] else [rules.Finding("geldig_vanaf", _("verplicht (JJJJ-MM-DD)"))]
        ):
            column = FIELD_COLUMNS.get(finding.field, finding.field)
            text = _error(number, column, values.get(column, ""), finding.message)
            (warnings if finding.warning else row_errors).append(text)
        if data["valid_from"]:
            try:
                store._day_checked(data["valid_from"])
            except ValueError:
                row_errors.append(
                    _error(number, "geldig_vanaf", data["valid_from"], _("geen geldige datum (JJJJ-MM-DD)"))
                )
        errors += row_errors
        if row_errors:
            continue
        new = store.normalised(data)
        latest = deals[code].versions.order_by("-number").first() if code in deals else None
        if latest is None:
            outcomes.append(Outcome(number, code, new["name"], NEW, None, new))
            continue
        old = store.data_of(latest)
        before, after = _cells_text(row_of(code, old)), _cells_text(row_of(code, new))
        changes = [(c, b, a) for c, b, a in zip(COLUMNS, before, after, strict=True) if b != a]
        status = UNCHANGED if store.same(old, new) else CHANGED
        outcomes.append(Outcome(number, code, new["name"], status, latest.number, new, changes, old["provinces"]))
    if errors:
        raise _shown_errors(path.name, errors)
    return Plan(path.name, outcomes, warnings)


def apply(found: Plan, reason: str, author: str) -> list[Outcome]:
    """Write the plan: a version per row that changes something, all or none. Refused (TemplateError, nothing
    written) when a woondeal changed since the plan was made, so what was previewed is what is written."""
    if not str(reason or "").strip():
        raise TemplateError(_("Geef de reden van de wijziging."))
    ref = store.reference()
    with transaction.atomic():
        for outcome in found.outcomes:
            deal = Woondeal.objects.select_for_update().filter(code=outcome.code).first()
            newest = deal and deal.versions.order_by("-number").values_list("number", flat=True).first()
            if newest != outcome.base:
                raise TemplateError(
                    _("%(file)s: niets geladen. Woondeal %(code)s is intussen gewijzigd (nu versie %(number)s); "
                      "laad het bestand opnieuw.") % {"file": found.file, "code": outcome.code, "number": newest}
                )  # fmt: skip
            if not outcome.writes:
                continue
            try:
                version, _warnings = store.record(outcome.code, outcome.data, author=author, reason=reason, ref=ref,
                                                  create=outcome.base is None)  # fmt: skip
            except store.WoondealRefused as refused:
                raise TemplateError(
                    _("%(file)s, rij %(row)d: niets geladen. %(reason)s")
                    % {"file": found.file, "row": outcome.row, "reason": refused}
                ) from None
            outcome.number = version.number
    return found.outcomes


def load(path, reason: str, author: str) -> tuple[list[Outcome], list[str]]:
    """Check and write a file in one go (the command line): (what every row did, warnings naming their row)."""
    found = plan(path)
    return apply(found, reason, author), found.warnings


def report_line(outcome: Outcome) -> str:
    """One row's result as the web page and the command line say it: 'WD-15 → versie 2 (Demo-woondeal Utrecht)'."""
    values = {"code": outcome.code, "number": outcome.number, "name": outcome.name}
    if outcome.status == NEW:
        return _("%(code)s → versie %(number)s (%(name)s), nieuwe woondeal") % values
    if outcome.status == CHANGED:
        return _("%(code)s → versie %(number)s (%(name)s)") % values
    return _("%(code)s ongewijzigd (%(name)s), geen nieuwe versie") % values


def summary(outcomes: list[Outcome]) -> str:
    written = sum(1 for o in outcomes if o.writes)
    unchanged = len(outcomes) - written
    return ngettext("%(n)d nieuwe versie vastgelegd", "%(n)d nieuwe versies vastgelegd", written) % {
        "n": written
    } + ngettext(", %(n)d woondeal ongewijzigd.", ", %(n)d woondeals ongewijzigd.", unchanged) % {"n": unchanged}
