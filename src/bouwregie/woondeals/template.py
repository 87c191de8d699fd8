"""The woondeal template: one woondeal per row, the same columns in CSV (semicolon, UTF-8) and Excel (sheet
"woondeals"), so a province fills in a spreadsheet and loads it (docs/woondeals.md lists the columns).

Wide rather than long: a woondeal is one line a reader can check against its agreement document, and a
year is a column (jaarschijf_2022 … jaarschijf_2030, programmering_2031 … programmering_2035). Lists sit in
one cell: gemeenten "GM0457 tot 2022-03-24, GM0363, GM1234 vanaf 2023-01-01"; ondertekenaars
"Naam (corporatie, ondertekend) | Naam (ontwikkelaar, steunverklaring)".

Loading is all-or-nothing: every error names the row, column and value; a row equal to the woondeal's
newest version adds nothing, any other row adds a version. Exporting writes the newest recorded version of
every woondeal in exactly this form, so template → load → export gives the same file content.
"""

import csv
import io
import re
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from bouwregie import cells
from bouwregie.woondeals import rules, store
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
MEMBER = re.compile(r"^(GM\d{4})(?:\s+vanaf\s+(\d{4}-\d{2}-\d{2}))?(?:\s+tot\s+(\d{4}-\d{2}-\d{2}))?$")
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
    return out.getvalue().encode("utf-8")


def write_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "woondeals"
    sheet.append(COLUMNS)
    for row in rows:
        cells.xlsx_append(sheet, row)  # a name such as '=HYPERLINK(…)' stays text (bouwregie.cells)
    notes = book.create_sheet("toelichting")
    notes.append([_("Eén woondeal per rij; zie docs/woondeals.md voor de kolommen en regels.")])
    notes.append([_("gemeenten: 'GM0457 tot 2022-03-24, GM0363, GM1234 vanaf 2023-01-01'")])
    notes.append([_("ondertekenaars: 'Naam (corporatie, ondertekend) | Naam (ontwikkelaar, steunverklaring)'")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(rows: list[list], fmt: str) -> bytes:
    if fmt not in ("csv", "xlsx"):
        raise TemplateError(_("Onbekend formaat '%(format)s'; kies csv of xlsx.") % {"format": fmt})
    return write_csv(rows) if fmt == "csv" else write_xlsx(rows)


# --- reading -------------------------------------------------------------------------------------
def read_table(path: Path) -> list[list]:
    """The file's rows as text cells (header first)."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        from bouwregie.ingest import readers

        try:  # a corrupt file or a zip bomb is refused as for a plan list, never a server error
            readers._check_zip(path, _("Excel-bestand"))
            book = load_workbook(path, read_only=True, data_only=True)
        except (readers.ImportRefused, KeyError, OSError, ValueError) as error:
            message = str(error) if isinstance(error, readers.ImportRefused) else ""
            raise TemplateError(
                message or _("%(file)s is geen leesbaar Excel-bestand (.xlsx).") % {"file": path.name}
            ) from None
        sheet = book["woondeals"] if "woondeals" in book.sheetnames else book.worksheets[0]
        rows = [
            [
                "" if v is None else cells.restored(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                for v in row
            ]
            for row in sheet.iter_rows(values_only=True)
        ]
        book.close()
        return [r for r in rows if any(c.strip() for c in r)]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(_("%(file)s is geen UTF-8-tekst.") % {"file": path.name}) from None
    rows = csv.reader(io.StringIO(text), delimiter=";")
    return [[cells.restored(c) for c in r] for r in rows if any(c.strip() for c in r)]


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


def _members(text: str) -> list[dict]:
    members = []
    for part in (p.strip() for p in text.split(",")):
        found = MEMBER.match(part)
        if not found:
            raise ValueError(
                _(
                    "schrijf elke gemeente als 'GM0123', eventueel met 'vanaf JJJJ-MM-DD' en/of 'tot "
                    "JJJJ-MM-DD', gescheiden door komma's"
                )
            )
        members.append({"code": found[1], "from": found[2], "until": found[3]})
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


def parse_row(cells: dict) -> dict:
    """One row as version data; raises TemplateError-ready (column, message) pairs via ValueError per cell."""
    data, errors = {}, []

    def cell(column, convert):
        try:
            return convert(cells.get(column, "").strip())
        except ValueError as error:
            errors.append((column, str(error)))
            return None

    data["name"] = cells.get("naam", "").strip()
    data["provinces"] = [p.strip() for p in cells.get("provincies", "").split(",") if p.strip()]
    data["valid_from"] = cells.get("geldig_vanaf", "").strip()
    data["source"] = cells.get("bron", "").strip()
    data["members"] = cell("gemeenten", _members) or []
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


def load(path, reason: str, author: str) -> tuple[int, list[str]]:
    """Load every row or none. Returns (versions added, warnings naming their row)."""
    path = Path(path)
    table = read_table(path)
    if not table:
        raise TemplateError(_("%(file)s is leeg.") % {"file": path.name})
    header = [h.strip() for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise TemplateError(
            _("%(file)s, rij 1: kolommen ontbreken: %(columns)s (download het sjabloon).")
            % {"file": path.name, "columns": ", ".join(missing)}
        )
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise TemplateError(
            _("%(file)s, rij 1: onbekende kolommen: %(columns)s.") % {"file": path.name, "columns": ", ".join(unknown)}
        )
    ref = store.reference()
    errors, warnings, parsed, seen = [], [], [], set()
    for number, row in enumerate(table[1:], start=2):
        cells = dict(zip(header, (c if isinstance(c, str) else str(c) for c in row), strict=False))
        code = cells.get("code", "").strip()
        if not CODE.match(code):
            errors.append(_error(number, "code", code, _("een woondealcode heeft de vorm WD-01")))
            continue
        if code in seen:
            errors.append(_error(number, "code", code, _("deze woondeal staat al op een eerdere rij")))
            continue
        seen.add(code)
        data, cell_errors = parse_row(cells)
        errors += [_error(number, column, cells.get(column, ""), message) for column, message in cell_errors]
        if cell_errors:
            continue
        for finding in rules.validate(data, ref) + (
            [] if data["valid_from"] else [rules.Finding("geldig_vanaf", _("verplicht (JJJJ-MM-DD)"))]
        ):
            column = FIELD_COLUMNS.get(finding.field, finding.field)
            text = _error(number, column, cells.get(column, ""), finding.message)
            (warnings if finding.warning else errors).append(text)
        try:
            store._day_checked(data["valid_from"])
        except ValueError:
            errors.append(_error(number, "geldig_vanaf", data["valid_from"], _("geen geldige datum (JJJJ-MM-DD)")))
        parsed.append((code, data))
    if errors:
        raise TemplateError(_("%(file)s: niets geladen.") % {"file": path.name} + "\n" + "\n".join(errors))
    added = 0
    with transaction.atomic():
        for code, data in parsed:
            latest = Woondeal.objects.filter(code=code).first()
            latest = latest and latest.versions.order_by("-number").first()
            if latest is not None and store.data_of(latest) == store.normalised(data):
                continue
            store.record(code, data, author=author, reason=reason, ref=ref)
            added += 1
    return added, warnings
