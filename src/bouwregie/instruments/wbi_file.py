"""Woningbouwimpuls applications from a file (CSV with ; or , — as exported from Excel — or JSON): one row
per application. Every value that cannot be read is refused with its row, column and value; nothing is
assessed from a half-read file. Amounts in euros as 500000, 500.000 (Dutch thousands) or 500.000,50; dates as
2027-01-01; yes/no as ja/nee.
"""

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

from django.utils.translation import gettext as _

from bouwregie.ingest import read_errors
from bouwregie.instruments import money
from bouwregie.instruments.realisatiestimulans import AFFORDABLE
from bouwregie.instruments.realisatiestimulans import NAME as RS_NAME
from bouwregie.instruments.regulation import in_force
from bouwregie.instruments.woningbouwimpuls import Application

CONDITIONS = ("noodzakelijk_voor_woondeal", "specifiek_knelpunt", "realisatiestimulans_onvoldoende",
              "parallel_plannen", "versnellingstafel", "open_boeken")  # fmt: skip
REQUIRED = ("id", "gemeente", "tijdvak", "tijdvak_sluit", "woningen", "betaalbaar", "woondeal_aandeel_betaalbaar",
            "investeringen", "kostenverhaal", "grondverkoop", "overige_rijksbijdragen", "cofinanciering", "gevraagd",
            "activiteiten", *CONDITIONS, "start_eerste_woningen", "laatste_woningen", "noodzaak", "effectiviteit",
            "efficientie", "opgave_marktgebied", "voorraad_marktgebied", "ingediend")  # fmt: skip


class ApplicationFileError(ValueError):
    pass


def read(path: Path) -> list[Application]:
    return [app for _row, app in read_rows(path)]


def read_rows(path: Path) -> list[tuple[dict, Application]]:
    """Every application of the file with its fields as written; any problem refuses the whole file."""
    rows = _rows(path)
    if not rows:
        raise ApplicationFileError(_("%s bevat geen aanvragen.") % path.name)
    _check_columns(rows[0])
    problems, found = [], []
    for n, row in enumerate(rows, start=2 if path.suffix.lower() != ".json" else 1):
        try:
            found.append((row, application_from_row(row)))
        except ValueError as error:
            problems.append(_("Rij %(n)d: %(error)s") % {"n": n, "error": error})
    if problems:
        raise ApplicationFileError("\n".join(problems))
    ids = [app.id for _row, app in found]
    double = sorted({i for i in ids if ids.count(i) > 1})
    if double:
        raise ApplicationFileError(_("Aanvraag-id's komen dubbel voor: %s.") % ", ".join(double))
    return found


def _rows(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:  # a Dutch message naming the file, no server path (issue 16)
        raise ApplicationFileError(read_errors.message(error, path)) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            message = _("%(name)s is geen geldige JSON: %(error)s") % {"name": path.name, "error": error}
            raise ApplicationFileError(message) from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ApplicationFileError(_("%s moet een lijst van aanvragen (objecten) zijn.") % path.name)
        return [{k: "" if v is None else v for k, v in r.items()} for r in data]
    if path.suffix.lower() != ".csv":
        raise ApplicationFileError(_("Gebruik een .csv- of .json-bestand, niet %s.") % path.suffix)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=";,")
        return list(csv.DictReader(io.StringIO(text), dialect=dialect))
    except csv.Error:  # was a server error (issue 16): a kop without ';' or ',' cannot be split
        raise ApplicationFileError(
            _("%s is geen leesbare CSV: de kopregel heeft geen scheidingsteken ';' of ','.") % path.name
        ) from None


def _check_columns(row: dict) -> None:
    missing = [c for c in REQUIRED if c not in row]
    if missing:
        raise ApplicationFileError(_("Kolommen ontbreken: %s.") % ", ".join(missing))


def application_from_row(row: dict) -> Application:
    """One application from its fields (a file row, or a REST request with the same names)."""
    _check_columns(row)
    homes, affordable = _whole(row, "woningen"), _whole(row, "betaalbaar")
    regulation = in_force(RS_NAME, date(2025, 12, 31))
    rate = sum(regulation.value("bijdrage_per_woning_cent", s) for s in AFFORDABLE) // len(AFFORDABLE)
    stimulus = (
        _cents(row, "realisatiestimulans") if str(row.get("realisatiestimulans", "")).strip() else affordable * rate
    )
    return Application(
        id=str(row["id"]).strip(), municipality=str(row["gemeente"]).strip(), window=str(row["tijdvak"]).strip(),
        window_closes=_date(row, "tijdvak_sluit"), homes=homes, affordable_homes=affordable,
        woondeal_affordable_percent=_whole(row, "woondeal_aandeel_betaalbaar"),
        investments_cents=_cents(row, "investeringen"), kostenverhaal_cents=_cents(row, "kostenverhaal"),
        grondverkoop_cents=_cents(row, "grondverkoop"), other_rijk_cents=_cents(row, "overige_rijksbijdragen"),
        realisatiestimulans_cents=stimulus, cofinancing_cents=_cents(row, "cofinanciering"),
        requested_cents=_cents(row, "gevraagd"),
        activities=tuple(a.strip() for a in str(row["activiteiten"]).replace("|", ",").split(",") if a.strip()),
        conditions={c: _yes(row, c) for c in CONDITIONS},
        first_start=_date(row, "start_eerste_woningen"), last_delivery=_date(row, "laatste_woningen"),
        scores={c: _whole(row, c) for c in ("noodzaak", "effectiviteit", "efficientie")},
        market_task=_whole(row, "opgave_marktgebied"), market_stock=_whole(row, "voorraad_marktgebied"),
        submitted_at=_moment(row, "ingediend"), project=str(row.get("project", "")).strip(),
    )  # fmt: skip


def _bad(column, value, expected):
    return ValueError(_("kolom %(column)s: '%(value)s' is geen %(expected)s") % {"column": column, "value": value,
                                                                                "expected": expected})  # fmt: skip


def _whole(row, column) -> int:
    value = str(row[column]).strip()
    if not value.isdigit():
        raise _bad(column, value, _("heel getal van 0 of meer"))
    return int(value)


def _cents(row, column) -> int:
    try:
        return money.parse_euros(row[column])
    except ValueError:
        raise _bad(column, row[column], _("bedrag in euro's (500000, 500.000 of 500.000,50)")) from None


def _date(row, column) -> date:
    try:
        return date.fromisoformat(str(row[column]).strip())
    except ValueError:
        raise _bad(column, row[column], _("datum (2027-01-01)")) from None


def _moment(row, column) -> datetime:
    try:
        return datetime.fromisoformat(str(row[column]).strip())
    except ValueError:
        raise _bad(column, row[column], _("tijdstip (2025-09-01 12:00)")) from None


def _yes(row, column) -> bool:
    value = str(row[column]).strip().lower()
    if value in ("ja", "j", "true", "1", "yes"):
        return True
    if value in ("nee", "n", "false", "0", "no", ""):
        return False
    raise _bad(column, row[column], _("ja of nee"))
