"""The agreements the monitor measures against: shipped defaults (with their sources) and a CSV loader.

Areas are written as NL, a province (PV27 or its name), a municipality (code, name, variant, former
name) or a region code. Loading is all-or-nothing; an existing agreement for the same area, indicator
and period is replaced (agreements are configuration, not history)."""

import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from bouwregie.geo import areas, reference
from bouwregie.targets.models import Target

SOURCE_NWBA = "Nationale Woon- en Bouwagenda; IPO-brief aan de minister, 14 juli 2022 (seed 002)"
SOURCE_WOONTOP = "Woontop 11 december 2024, Afspraak 1 en 19.1 (seed 004)"


def default_agreements() -> list[dict]:
    rows = [
        {"area": "NL", "metric": "bruto_woningen", "first_year": 2022, "last_year": 2030, "total": 900_000,
         "source": SOURCE_NWBA},
        {"area": "NL", "metric": "bruto_woningen", "first_year": 2025, "last_year": 2029, "total": 500_000,
         "yearly": {str(y): 100_000 for y in range(2025, 2030)}, "source": SOURCE_WOONTOP},
        {"area": "NL", "metric": "aandeel_betaalbaar", "first_year": 2025, "last_year": 2029,
         "share": Decimal("0.6667"), "source": SOURCE_WOONTOP + ": 2/3 betaalbaar"},
    ]  # fmt: skip
    codes = {r["provincienaam"]: r["provinciecode"] for r in reference.read_provinces()}
    for agreement in reference.read_provincial_agreements():
        rows.append({"area": codes[agreement["province"]], "metric": "bruto_woningen", "first_year": 2022,
                     "last_year": 2030, "total": agreement["homes"], "source": agreement["source"]})  # fmt: skip
    return rows


@transaction.atomic
def install_defaults() -> int:
    for row in default_agreements():
        _upsert(row)
    return len(default_agreements())


def _upsert(row: dict) -> None:
    key = {k: row[k] for k in ("area", "metric", "first_year", "last_year")}
    defaults = {"total": row.get("total"), "share": row.get("share"), "yearly": row.get("yearly", {}),
                "source": row["source"]}  # fmt: skip
    Target.objects.update_or_create(**key, defaults=defaults)


class TargetFileError(ValueError):
    pass


def resolve_area(text: str) -> str:
    try:
        return areas.resolve_area(text).code
    except areas.UnknownArea as error:
        raise TargetFileError(str(error)) from None


def load_file(path: Path) -> int:
    """Load agreements from a CSV (`;` or `,`): gebied, indicator, periode, totaal, aandeel, jaarschijven, bron."""
    text = Path(path).read_text(encoding="utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.DictReader(text.splitlines(), delimiter=delimiter))
    if not rows:
        raise TargetFileError(_("Het bestand bevat geen afspraken."))
    required = {"gebied", "indicator", "periode", "bron"}
    missing = required - {c.strip().lower() for c in rows[0] if c}
    if missing:
        raise TargetFileError(_("Kolommen ontbreken: %s.") % ", ".join(sorted(missing)))
    parsed, errors = [], []
    for number, raw in enumerate(rows, start=2):
        if None in raw:  # more fields than columns
            errors.append(
                _(
                    "rij %(row)d: meer velden dan kolommen; staat er een '%(sep)s' in een veld zonder "
                    "aanhalingstekens? Scheid jaarschijven dan met '|'."
                )
                % {"row": number, "sep": delimiter}
            )
            continue
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        try:
            parsed.append(_parse(row))
        except TargetFileError as error:
            errors.append(_("rij %(row)d: %(error)s") % {"row": number, "error": error})
    if errors:
        raise TargetFileError(_("Niets geladen. ") + " ".join(errors))
    with transaction.atomic():
        for row in parsed:
            _upsert(row)
    return len(parsed)


def _parse(row: dict) -> dict:
    if row["indicator"] not in Target.Metric.values:
        raise TargetFileError(
            _("onbekende indicator '%(metric)s' (kies uit %(known)s)")
            % {"metric": row["indicator"], "known": ", ".join(Target.Metric.values)}
        )
    match = re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", row["periode"])
    if not match or int(match.group(1)) > int(match.group(2)):
        raise TargetFileError(_("periode '%s' verwacht als 2022-2030") % row["periode"])
    first, last = int(match.group(1)), int(match.group(2))
    yearly = {}
    for part in filter(None, re.split(r"[;|,\s]+", row.get("jaarschijven", ""))):
        slice_ = re.fullmatch(r"(\d{4})\s*:\s*(\d+)", part.replace(".", ""))
        if not slice_ or not first <= int(slice_.group(1)) <= last:
            raise TargetFileError(_("jaarschijf '%s' verwacht als jaar:aantal binnen de periode") % part)
        yearly[slice_.group(1)] = int(slice_.group(2))
    total = row.get("totaal", "").replace(".", "")
    share = row.get("aandeel", "").replace(",", ".")
    if row["indicator"].startswith("aandeel_"):
        try:
            fraction = Decimal(eval_fraction(share))
        except (InvalidOperation, ValueError, ZeroDivisionError):
            raise TargetFileError(_("aandeel '%s' verwacht als 0,667 of 2/3") % row.get("aandeel", "")) from None
        if not 0 <= fraction <= 1:
            raise TargetFileError(_("aandeel moet tussen 0 en 1 liggen"))
        result = {"share": fraction.quantize(Decimal("0.0001"))}
    else:
        if not total.isdigit() and not yearly:
            raise TargetFileError(_("totaal '%s' is geen aantal") % row.get("totaal", ""))
        result = {"total": int(total) if total.isdigit() else sum(yearly.values())}
        if yearly and sum(yearly.values()) > result["total"]:
            raise TargetFileError(
                _("jaarschijven (%(sum)d) zijn meer dan het totaal (%(total)d)")
                % {"sum": sum(yearly.values()), "total": result["total"]}
            )
    if not row["bron"]:
        raise TargetFileError(_("bron ontbreekt: elke afspraak noemt haar bron"))
    return {"area": resolve_area(row["gebied"]), "metric": row["indicator"], "first_year": first,
            "last_year": last, "yearly": yearly, "source": row["bron"], **result}  # fmt: skip


def eval_fraction(text: str) -> str:
    """'2/3' -> '0.666666…'; '0.6667' stays. No eval of arbitrary text."""
    if "/" in text:
        numerator, denominator = text.split("/", 1)
        return str(Decimal(numerator.strip()) / Decimal(denominator.strip()))
    return text
