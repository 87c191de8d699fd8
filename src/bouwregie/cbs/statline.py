"""Readers for CBS StatLine tables of the housing stock and its changes (pure functions; docs/registraties.md).

Tables (CBS StatLine; source of the column names: the tables' open-data metadata as published):
- 81955NED "Voorraad woningen en niet-woningen; mutaties, gebruiksfunctie, regio" (2012 on, discontinued):
  `ID;Gebruiksfunctie;RegioS;Perioden;BeginstandVoorraad_1;Nieuwbouw_2;OverigeToevoeging_3;Sloop_4;
  OverigeOnttrekking_5;Correctie_6;SaldoVoorraad_7;EindstandVoorraad_8`;
- 86098NED "Levensloop van woningen en niet-woningen; gebruiksfunctie, regio", its successor, with renamed and
  discontinued measures (`NieuwbouwTotaal_6`, `SaldoVoorraad_21`, `EindstandVoorraad_22`; no
  `OverigeToevoeging`, `OverigeOnttrekking` or `Correctie`).

Measure columns are matched by their name stem: the `_N` suffix differs between tables and releases. The
gebruiksfunctie "Woningen" has the key A045364 in both tables (confirmed in public code that filters both
tables' OData feeds on `Gebruiksfunctie eq 'A045364'`); the label "Woningen" is accepted too. Other
gebruiksfuncties (the niet-woningen) are counted and left out.

Three shapes are read: the CSV as downloaded from the open-data portal (codes, `;`, quoted, region codes
padded with spaces: `"GM0363    "`), the "labels" CSV of StatLine's table view (`Regio's` = "Amsterdam",
`Perioden` = "2020", "2020 1e kwartaal", "2020 januari"), and the JSON of the OData API (TypedDataSet,
recorded by `registraties cbs-fetch`). Every bad value is an error naming the file's row, column and value;
one error and nothing is read (the importer writes nothing).
"""

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from bouwregie.cbs.regions import LANDSDELEN, Mapped, RegionMap, region_map
from bouwregie.geo import reference
from bouwregie.geo.matching import normalise_name

KNOWN_TABLES = {
    "81955NED": "Voorraad woningen en niet-woningen; mutaties, gebruiksfunctie, regio",
    "86098NED": "Levensloop van woningen en niet-woningen; gebruiksfunctie, regio",
}
WONINGEN = "A045364"  # Gebruiksfunctie "Woningen" in 81955NED and 86098NED
ODATA = "https://opendata.cbs.nl/ODataApi/odata"

# Name stem (lower case, letters only) → our measure. 86098NED's NieuwbouwTotaal is 81955NED's Nieuwbouw.
STEMS = {
    "beginstandvoorraad": "beginstand",
    "nieuwbouw": "nieuwbouw",
    "nieuwbouwtotaal": "nieuwbouw",
    "overigetoevoeging": "overige_toevoeging",
    "sloop": "sloop",
    "overigeonttrekking": "overige_onttrekking",
    "correctie": "correctie",
    "saldovoorraad": "saldo",
    "eindstandvoorraad": "eindstand",
}
PERIOD = re.compile(r"(\d{4})(JJ|KW|MM)(\d{2})")
UNKNOWN = {"", ".", "x", "X"}  # CBS: '.' gegevens ontbreken, 'x' geheim; an empty cell in the open-data CSV
MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
MAX_PROBLEMS = 25


@dataclass(frozen=True)
class Problem:
    row: int | None  # the file's line (header = 1), or None for the whole file
    column: str
    value: str
    message: str

    def __str__(self):
        where = _("rij %(row)s, kolom %(column)s") % {"row": self.row, "column": self.column} if self.row else ""
        value = _("waarde '%(value)s'") % {"value": self.value} if self.value != "" or self.row else ""
        return ": ".join(filter(None, [", ".join(filter(None, [where, value])), self.message]))


class CbsFileError(ValueError):
    """The file cannot be imported; every problem names row, column and value. Nothing was written."""

    def __init__(self, problems: list[Problem], file_name: str = ""):
        self.problems = problems
        self.file_name = file_name
        shown = [str(p) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            shown.append(_("… en nog %(n)d fouten") % {"n": len(problems) - MAX_PROBLEMS})
        head = _("%(file)s niet geïmporteerd, er is niets opgeslagen:") % {"file": file_name or _("Het bestand")}
        super().__init__("\n".join([head, *(f"- {line}" for line in shown)]))


class CbsOffline(RuntimeError):
    """The CBS open-data API could not be reached."""


@dataclass(frozen=True)
class Figure:
    row: int
    region: str
    period: str
    kind: str  # JJ, KW, MM
    year: int
    part: int | None
    values: dict
    mapped: Mapped


@dataclass
class Reading:
    table_id: str
    variant: str  # codes, labels, api
    figures: list[Figure]
    columns: dict  # measure → the file's column
    other_rows: int = 0  # rows of other gebruiksfuncties, left out
    ignored_columns: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    release_date: date | None = None
    release_date_basis: str = ""
    encoding: str = "UTF-8"


def parse_period(text: str) -> tuple[str, int, int | None] | None:
    """('JJ', 2020, None) for 2020JJ00, ('KW', 2024, 3) for 2024KW03, ('MM', 2024, 7) for 2024MM07; None when
    the code is no CBS year, quarter or month code."""
    match = PERIOD.fullmatch(text)
    if not match:
        return None
    year, kind, part = int(match[1]), match[2], int(match[3])
    if (kind == "JJ" and part != 0) or (kind == "KW" and not 1 <= part <= 4) or (kind == "MM" and not 1 <= part <= 12):
        return None
    return kind, year, (None if kind == "JJ" else part)


def period_from_label(text: str) -> str | None:
    """StatLine's labels: '2020' → 2020JJ00, '2020 1e kwartaal' → 2020KW01, '2020 juli' → 2020MM07; a trailing
    '*' (provisional figures) is dropped by the caller."""
    parts = text.lower().split()
    if not parts or not re.fullmatch(r"\d{4}", parts[0]):
        return None
    if len(parts) == 1:
        return f"{parts[0]}JJ00"
    rest = " ".join(parts[1:])
    quarter = re.fullmatch(r"([1-4])e kwartaal", rest)
    if quarter:
        return f"{parts[0]}KW0{quarter[1]}"
    if rest in MONTHS:
        return f"{parts[0]}MM{MONTHS.index(rest) + 1:02d}"
    return None


def parse_value(text) -> int | None:
    """A count as CBS writes it: an integer, or '.', 'x' or empty for unknown or secret (None). Raises ValueError
    for anything else."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, int):
        return text
    if isinstance(text, float):
        if text.is_integer():
            return int(text)
        raise ValueError(text)
    value = str(text).strip()
    if value in UNKNOWN:
        return None
    if re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    raise ValueError(value)


def stem(column: str) -> str:
    """'Nieuwbouw_2' → 'nieuwbouw'; 'NieuwbouwTotaal_6' → 'nieuwbouwtotaal'; the labels CSV's
    'Beginstand voorraad (aantal)' → 'beginstandvoorraad'."""
    text = re.sub(r"\(.*?\)", "", column).split("/")[-1]
    text = re.sub(r"_\d+\s*$", "", text.strip())
    return re.sub(r"[^a-z]", "", text.lower())


def table_from_name(name: str) -> str | None:
    match = re.search(r"(\d{5}[A-Za-z]{3})", name)
    return match[1].upper() if match else None


def release_date_from_name(name: str) -> date | None:
    """The date in a downloaded file's name: the open-data portal's `81955NED_UntypedDataSet_29112024_101500.csv`
    (DDMMYYYY), or an ISO date (2024-11-29)."""
    match = re.search(r"_(\d{2})(\d{2})(\d{4})_\d{6}", name)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        match = re.search(r"(\d{4})-(\d{2})-(\d{2})", name)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def yearly(rows) -> dict[tuple, int | None]:
    """Nieuwbouw per (key, year) from rows (key, year, kind, part, value): the year figure (JJ00) where there is
    one, else the sum of the four quarters, else of the twelve months; a year with neither complete is left out.
    None where CBS left a figure needed unknown ('.'). The rule of docs/registraties.md "Jaarcijfers"."""
    parts: dict = defaultdict(lambda: {"JJ": {}, "KW": {}, "MM": {}})
    for key, year, kind, part, value in rows:
        parts[(key, year)][kind][part] = value
    result = {}
    for key, by_kind in parts.items():
        if by_kind["JJ"]:
            result[key] = by_kind["JJ"][None]
        elif len(by_kind["KW"]) == 4 or len(by_kind["MM"]) == 12:
            values = list((by_kind["KW"] if len(by_kind["KW"]) == 4 else by_kind["MM"]).values())
            result[key] = None if None in values else sum(values)
    return result


# --- the three shapes ------------------------------------------------------------------------------------------
def read_file(path: Path, table: str | None = None, name: str | None = None) -> Reading:
    """A CSV (codes or labels) or a recorded API JSON file."""
    raw = Path(path).read_bytes()
    name = name or Path(path).name
    if raw.lstrip()[:1] in (b"{", b"["):
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise CbsFileError([Problem(None, "", "", _("Geen geldige JSON: %s.") % error)], name) from None
        return read_api(data, name, table)
    return read_csv(raw, name, table)


def read_csv(raw: bytes, name: str, table: str | None = None) -> Reading:
    from bouwregie.ingest.readers import ImportRefused, _decoded

    try:
        text, encoding, _invalid = _decoded(raw)
    except (ImportRefused, UnicodeDecodeError) as error:
        raise CbsFileError([Problem(None, "", "", str(error))], name) from None
    first = "\n".join(text.split("\n", 5)[:5])  # the header, or a title line and the header
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    # Streamed: a whole table with every gebruiksfunctie is hundreds of thousands of rows, and only the
    # Woningen rows are kept.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = enumerate(reader, start=1)
    # StatLine's table view writes the table's title above the header, a row of units ("aantal") under it and
    # "Bron: CBS" at the end: lines of at most one cell before the header, and those around the rows, are skipped.
    first_row, skipped = None, 0
    for _number, row in lines:
        if sum(1 for cell in row if cell.strip()) > 1:
            first_row = row
            break
        skipped += 1
    if first_row is None:
        raise CbsFileError([Problem(None, "", "", _("Het bestand is leeg."))], name)
    header = [cell.strip() for cell in first_row]
    labels = "RegioS" not in header and any(_is_region_label(h) for h in header)
    reading = _read_rows(header, _data_rows(lines, header), name, table, "labels" if labels else "codes")
    reading.encoding = encoding
    if skipped:
        reading.notices.insert(0, _("De eerste %(n)s regel(s) vóór de kop overgeslagen (titel van de tabel).")
                               % {"n": skipped})  # fmt: skip
    return reading


def _data_rows(lines, header: list[str]):
    """The rows under the header without StatLine's extra lines: a line of one cell (a title, 'Bron: CBS') and
    the row of units ('aantal') with no region and no period, only words."""
    keys = [i for i, h in enumerate(header) if h in ("RegioS", "Perioden") or _is_region_label(h)]
    for number, row in lines:
        filled = [cell.strip() for cell in row if cell.strip()]
        if len(filled) == 1 and not any(c.isdigit() for c in filled[0]):
            continue
        blank_keys = all(i >= len(row) or not row[i].strip() for i in keys)
        if filled and blank_keys and all(c.replace(" ", "").isalpha() for c in filled):
            continue
        yield number, row


def read_api(data, name: str, table: str | None = None) -> Reading:
    """A recorded answer of the OData API: {"TableInfos": {...}, "TypedDataSet": {"value": [...]}} as written by
    `fetch`, or a single TypedDataSet answer ({"value": [...]}), or the list of rows the `cbsodata` package returns
    (`cbsodata.get_data("81955NED")` saved with json.dump): the same rows with the dimensions as labels
    ("Woningen", "Amsterdam", "2020 1e kwartaal"), read as the labels CSV is."""
    problem = CbsFileError(
        [Problem(None, "", "", _("Geen CBS-API-antwoord: verwacht een TypedDataSet met 'value'."))], name
    )
    if isinstance(data, list):
        data = {"value": data}
    if not isinstance(data, dict):
        raise problem
    dataset = data.get("TypedDataSet", data)
    rows = dataset.get("value") if isinstance(dataset, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise problem
    info = {}
    infos = data.get("TableInfos", {})
    if isinstance(infos, dict) and isinstance(infos.get("value"), list) and infos["value"]:
        info = infos["value"][0]
    table = table or str(info.get("Identifier") or data.get("table") or "").upper() or None
    header = list(rows[0]) if rows else []
    body = [(n, ["" if r.get(c) is None else r.get(c) for c in header]) for n, r in enumerate(rows, start=1)]
    region = str(rows[0].get("RegioS") or "").strip() if rows else ""
    labels = bool(region) and not re.fullmatch(r"[A-Z]{2}\d{2,4}", region)  # cbsodata: "Amsterdam", not GM0363
    reading = _read_rows(header, body, name, table, "labels" if labels else "api")
    modified = str(info.get("Modified") or "")[:10]
    try:
        reading.release_date, reading.release_date_basis = date.fromisoformat(modified), "api"
    except ValueError:
        pass
    return reading


def _read_rows(header: list[str], rows, name: str, table: str | None, variant: str) -> Reading:
    named = (table or table_from_name(name) or "").upper()
    if named and named not in KNOWN_TABLES:  # another StatLine table: say so before its columns are looked at
        raise CbsFileError(
            [Problem(None, "", named, _("Onbekende CBS-tabel; bekend zijn: %s.") % ", ".join(KNOWN_TABLES))], name
        )
    regions = region_map()
    problems: list[Problem] = []
    region_column = "RegioS" if variant != "labels" else next(h for h in header if _is_region_label(h))
    columns: dict[str, str] = {}
    ignored = []
    for column in header:
        measure = STEMS.get(stem(column))
        if measure and measure not in columns:
            columns[measure] = column
        elif column not in ("ID", "Gebruiksfunctie", region_column, "Perioden"):
            ignored.append(column)
    for needed in (region_column, "Perioden"):
        if needed not in header:
            problems.append(
                Problem(
                    None,
                    needed,
                    "",
                    _("Kolom '%(column)s' ontbreekt; gevonden: %(found)s.")
                    % {"column": needed, "found": ", ".join(header) or "-"},
                )
            )
    if "nieuwbouw" not in columns:
        problems.append(
            Problem(
                None,
                "Nieuwbouw",
                "",
                _("Geen kolom Nieuwbouw (Nieuwbouw_2 in 81955NED, NieuwbouwTotaal_6 in 86098NED); gevonden: %s.")
                % (", ".join(header) or "-"),
            )
        )
    if problems:
        raise CbsFileError(problems, name)
    table = _table(table, name, columns, header)
    notices = []
    if "Gebruiksfunctie" not in header:
        notices.append(_("Geen kolom Gebruiksfunctie: alle rijen gelezen als Woningen."))
    index = {column: header.index(column) for column in header}
    width = len(header)
    positions = [(measure, column, index[column]) for measure, column in columns.items()]
    region_at, period_at, kind_at = index[region_column], index["Perioden"], index.get("Gebruiksfunctie")
    unknown_region = _("Onbekende regiocode; verwacht NL01, PVxx, LDxx of een gemeentecode (GMxxxx) van sinds 2011.")
    unknown_period = _("Onbekende periodecode; verwacht jaar (2020JJ00), kwartaal (2024KW03) of maand (2024MM07).")
    not_a_number = _("Geen geheel getal; CBS schrijft '.' voor een onbekend of geheim cijfer.")
    label_regions = _label_regions(regions) if variant == "labels" else None
    # A full table repeats each region, period and gebruiksfunctie hundreds of times: each is worked out once.
    woningen: dict = {}
    region_of: dict = {}
    period_of: dict = {}
    figures, seen, other = [], {}, 0
    provisional = False
    for number, row in rows:
        if len(row) < width:
            if not any(str(cell).strip() for cell in row):
                continue
            row = [*row, *([""] * (width - len(row)))]
        if kind_at is not None:
            kind = row[kind_at]
            is_woningen = woningen.get(kind)
            if is_woningen is None:
                text = str(kind).strip()
                is_woningen = woningen[kind] = text == WONINGEN or normalise_name(text) == "woningen"
            if not is_woningen:
                other += 1
                continue
        raw_region = row[region_at]
        found = region_of.get(raw_region)
        if found is None:
            text = str(raw_region).strip()
            if variant == "labels":
                mapped, message = _region_from_label(text, regions, label_regions)
            else:
                mapped, message = regions.lookup(text), unknown_region
            found = region_of[raw_region] = (mapped, message, text)
        mapped, message, region_text = found
        if mapped is None:
            problems.append(Problem(number, region_column, region_text, message))
            continue
        raw_period = row[period_at]
        found = period_of.get(raw_period)
        if found is None:
            text = period_text = str(raw_period).strip()
            late = False
            if variant == "labels":
                if period_text.endswith("*"):
                    late, period_text = True, period_text.rstrip("*").strip()
                period_text = period_from_label(period_text) or text
            found = period_of[raw_period] = (period_text, parse_period(period_text), text, late)
        period_text, period, text, late = found
        if period is None:
            problems.append(Problem(number, "Perioden", text, unknown_period))
            continue
        provisional = provisional or late
        values = {}
        for measure, column, at in positions:
            value = row[at]
            if value.__class__ is str:
                value = value.strip()
                if value.isdigit() and value.isascii():
                    values[measure] = int(value)
                    continue
            try:
                values[measure] = parse_value(value)
            except ValueError:
                problems.append(Problem(number, column, str(value).strip(), not_a_number))
        key = (mapped.code, period_text)
        if key in seen:
            problems.append(
                Problem(
                    number,
                    region_column,
                    region_text,
                    _("Regio %(region)s en periode %(period)s staan al in rij %(row)s.")
                    % {"region": mapped.code, "period": period_text, "row": seen[key]},
                )
            )
            continue
        seen[key] = number
        figures.append(Figure(number, mapped.code, period_text, period[0], period[1], period[2], values, mapped))
        if len(problems) > MAX_PROBLEMS * 4:
            break
    if problems:
        raise CbsFileError(problems, name)
    if not figures:
        raise CbsFileError(
            [
                Problem(
                    None,
                    "Gebruiksfunctie",
                    "",
                    _("Geen rijen met gebruiksfunctie Woningen (%s) in het bestand.") % WONINGEN,
                )
            ],
            name,
        )
    others = sorted({f.region for f in figures if f.mapped.kind == "overig"})
    if others:
        notices.append(
            _("Regio's die geen gemeente, provincie, landsdeel of Nederland zijn, bewaard als totaal: %s.")
            % ", ".join(others[:20])
        )
    if provisional:
        notices.append(_("Perioden met * zijn voorlopige cijfers van het CBS; gelezen als de periode zelf."))
    reading = Reading(table, variant, figures, columns, other, ignored, notices)
    found = release_date_from_name(name)
    if found:
        reading.release_date, reading.release_date_basis = found, "bestandsnaam"
    return reading


def _is_region_label(column: str) -> bool:
    return re.sub(r"[^a-z]", "", column.lower()) in ("regios", "regio")


def _table(table: str | None, name: str, columns: dict, header: list[str]) -> str:
    chosen = (table or table_from_name(name) or "").upper()
    if not chosen:
        chosen = "86098NED" if stem(columns["nieuwbouw"]) == "nieuwbouwtotaal" else "81955NED"
    if chosen not in KNOWN_TABLES:
        raise CbsFileError(
            [Problem(None, "", chosen, _("Onbekende CBS-tabel; bekend zijn: %s.") % ", ".join(KNOWN_TABLES))], name
        )
    return chosen


def _label_regions(regions: RegionMap) -> dict:
    names = regions.names()
    provinces = {normalise_name(n): code for code, n in regions.provinces.items()}
    for code, spelling in reference.read_province_spellings():
        provinces.setdefault(normalise_name(spelling), code)
    landsdelen = {normalise_name(n): code for code, n in LANDSDELEN.items()}
    return {"gemeente": names, "provincie": provinces, "landsdeel": landsdelen}


def _region_from_label(text: str, regions: RegionMap, labels: dict) -> tuple[Mapped | None, str]:
    """'Amsterdam' → GM0363; 'Groningen (PV)' → PV20; 'Nederland' → NL01. StatLine writes the kind in brackets
    where a name is both a province and a municipality ('Utrecht (PV)', 'Utrecht (gemeente)')."""
    match = re.fullmatch(r"(.*?)\s*\((PV|gemeente|gem\.?|LD|provincie)\)", text, flags=re.IGNORECASE)
    name, hint = (match[1], match[2].lower()) if match else (text, "")
    key = normalise_name(name)
    if key in ("nederland", "nl"):
        return regions.lookup("NL01"), ""
    province = labels["provincie"].get(key) if hint in ("", "pv", "provincie") else None
    landsdeel = labels["landsdeel"].get(key) if hint in ("", "ld") else None
    municipalities = labels["gemeente"].get(key, []) if hint in ("", "gemeente", "gem", "gem.") else []
    found = [code for code in (province, landsdeel) if code] + municipalities
    if len(found) == 1:
        return regions.lookup(found[0]), ""
    if not found:
        return None, _("Onbekende regio; verwacht Nederland, een provincie of een gemeentenaam (sinds 2011).")
    return None, _("De naam past op meer dan één regio (%s); schrijf '(PV)' of '(gemeente)' achter de naam.") % (
        ", ".join(found)
    )


# --- online ----------------------------------------------------------------------------------------------------
def fetch(table: str, timeout: float = 30.0, opener=None) -> dict:
    """The table's TableInfos and its TypedDataSet rows for Woningen from the CBS OData feed (all pages), in the
    shape `read_api` reads. Raises CbsOffline when the feed cannot be reached (this machine may be offline)."""
    import urllib.error
    import urllib.parse
    import urllib.request

    opener = opener or urllib.request.urlopen
    base = f"{ODATA}/{urllib.parse.quote(table)}"

    def get(url: str) -> dict:
        try:
            with opener(url, timeout=timeout) as answer:
                return json.loads(answer.read())
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            raise CbsOffline(
                _(
                    "De CBS-open-data-API (opendata.cbs.nl) is niet bereikbaar: %(reason)s. Download de tabel als CSV "
                    "en importeer die met 'bouwregie registraties import BESTAND'."
                )
                % {"reason": getattr(error, "reason", error)}
            ) from None
        except ValueError:
            raise CbsOffline(_("De CBS-open-data-API gaf geen JSON terug.")) from None

    infos = get(f"{base}/TableInfos?$format=json")
    query = urllib.parse.urlencode({"$format": "json", "$filter": f"Gebruiksfunctie eq '{WONINGEN}'"})
    page = get(f"{base}/TypedDataSet?{query}")
    rows = list(page.get("value", []))
    while page.get("odata.nextLink"):
        page = get(page["odata.nextLink"])
        rows += page.get("value", [])
    return {"table": table, "TableInfos": infos, "TypedDataSet": {"value": rows}}
