"""Import a CBS release (docs/registraties.md): read (statline), summarise, store as a new numbered release.

All-or-nothing: a file with one bad value writes nothing (statline raises before anything is stored, and the
store is one transaction). A byte-identical file, or one with exactly the figures of a release already stored
for the table, is a no-op with a message saying which release it is. Anything else is the table's next release:
the earlier ones stay as they were, each dated.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import orjson
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bouwregie.cbs.models import MEASURES, CbsFigure, CbsRelease
from bouwregie.cbs.statline import Figure, Reading, read_api, read_file, yearly
from bouwregie.projects.bulk import cycle_collector_paused, insert_rows


@dataclass
class Summary:
    """What a file holds, for the person importing it (pure: built from the reading alone)."""

    years: dict  # year → {"gemeenten": sum, "nl": the file's NL01 value or None, "unknown": n, "absent": n}
    municipalities: dict  # municipality (2025 successor or split former code) → {year: nieuwbouw}
    names: dict  # municipality code → name
    mapping: list  # [{"voormalig", "naam", "opvolgers", "gesplitst", "verplaatst": {year: n}, "totaal"}]
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # what is expected and needs no action (printed without "waarschuwing")


@dataclass
class Result:
    status: str  # imported, dry-run, unchanged
    message: str
    reading: Reading
    summary: Summary
    release: CbsRelease | None = None


def summarise(reading: Reading) -> Summary:
    """Per year the municipalities' sum beside the file's NL01, per (2025) municipality its yearly new build, and
    the reorganisations applied with the figures each moved.

    A StatLine table lists every region for every period; the cell of a municipality in a year it did not exist,
    or not the whole year (before its formation, after a merger; geo/data/gemeentelijke_indeling.csv), is empty.
    Those are counted apart ("absent", a note), not as a missing figure ("unknown", a warning). A figure for a
    municipality in a year it did not exist at all is a warning: counted for its successor, it may double what its
    predecessors' rows already hold."""
    from bouwregie.cbs.regions import region_map

    regions = region_map()
    by_code = {f.region: f.mapped for f in reading.figures}
    per_year = yearly((f.region, f.year, f.kind, f.part, f.values.get("nieuwbouw")) for f in reading.figures)
    years: dict = {}
    municipalities: dict = defaultdict(dict)
    names = {}
    moved: dict = defaultdict(dict)
    warnings = []
    for (region, year), value in sorted(per_year.items()):
        mapped = by_code[region]
        entry = years.setdefault(year, {"gemeenten": 0, "nl": None, "unknown": 0, "absent": 0})
        if mapped.kind == "nl":
            entry["nl"] = value
        if mapped.kind != "gemeente":
            continue
        existed = regions.existed(region, year)
        if value is None:
            entry["unknown" if existed in ("heel", None) else "absent"] += 1
            continue
        if existed == "niet" and value:
            warnings.append(
                _(
                    "%(year)s: %(code)s %(name)s bestond dat jaar niet (gemeentelijke indeling van het CBS) maar heeft "
                    "%(n)s nieuwbouwwoningen; ze tellen voor %(successor)s. Staan ze ook bij de voormalige gemeenten, "
                    "dan zijn ze dubbel geteld."
                )
                % {"year": year, "code": region, "name": mapped.name, "n": _n(value), "successor": mapped.municipality}
            )
        entry["gemeenten"] += value
        municipalities[mapped.municipality][year] = municipalities[mapped.municipality].get(year, 0) + value
        names[mapped.municipality] = _name(mapped)
        if mapped.successors:
            moved[region][year] = value
    notes = []
    for year, entry in sorted(years.items()):
        if entry["nl"] is not None and entry["nl"] != entry["gemeenten"]:
            warnings.append(
                _(
                    "%(year)s: de gemeenten samen hebben %(sum)s nieuwbouwwoningen, de rij Nederland (NL01) %(nl)s "
                    "(verschil %(diff)s)."
                )
                % {
                    "year": year,
                    "sum": _n(entry["gemeenten"]),
                    "nl": _n(entry["nl"]),
                    "diff": _n(entry["gemeenten"] - entry["nl"]),
                }
            )
        if entry["unknown"]:
            warnings.append(
                ngettext(
                    "%(year)s: %(n)s gemeente zonder cijfer ('.'), als 0 opgeteld.",
                    "%(year)s: %(n)s gemeenten zonder cijfer ('.'), als 0 opgeteld.",
                    entry["unknown"],
                )
                % {"year": year, "n": entry["unknown"]}
            )
        if entry["absent"]:
            notes.append(
                ngettext(
                    "%(year)s: %(n)s lege cel van een gemeente die dat jaar niet (heel) bestond (herindeling); "
                    "overgeslagen.",
                    "%(year)s: %(n)s lege cellen van gemeenten die dat jaar niet (heel) bestonden (herindeling); "
                    "overgeslagen.",
                    entry["absent"],
                )
                % {"year": year, "n": entry["absent"]}
            )
    mapping = mapping_of(reading)
    for m in mapping:
        by_year = moved.get(m["voormalig"], {})
        m["verplaatst"] = {str(year): n for year, n in sorted(by_year.items())}
        m["totaal"] = sum(by_year.values())
    return Summary(dict(sorted(years.items())), dict(municipalities), names, mapping, warnings, notes)


def mapping_of(reading: Reading) -> list[dict]:
    """The former municipalities in the file and where their figures went (stored on the release)."""
    from bouwregie.cbs.regions import region_map

    regions = region_map()
    seen = {}
    for f in reading.figures:
        m = f.mapped
        if m.kind == "gemeente" and m.successors and m.code not in seen:
            seen[m.code] = {
                "voormalig": m.code,
                "naam": m.name,
                "opvolgers": [{"code": s, "naam": regions.name(s)} for s in m.successors],
                "gesplitst": m.split,
            }
    return [seen[code] for code in sorted(seen)]


def _name(mapped) -> str:
    from bouwregie.cbs.regions import region_map

    return mapped.name if mapped.split else region_map().name(mapped.municipality)


def _n(value: int) -> str:
    from bouwregie.formatting import number

    return number(value)


def figures_digest(reading: Reading) -> str:
    """SHA-256 of the figures alone (sorted; not of the file's bytes): a file re-downloaded with other quoting
    or line ends, but the same figures, is no new release."""
    rows = sorted([f.region, f.period, [f.values.get(m) for m in MEASURES]] for f in reading.figures)
    return hashlib.sha256(orjson.dumps([reading.table_id, rows])).hexdigest()


def import_file(
    path: Path, *, dry_run: bool = False, author: str = "bouwregie", table: str | None = None, name: str | None = None
) -> Result:
    path = Path(path)
    raw = path.read_bytes()
    reading = read_file(path, table, name)
    source = "api" if reading.variant == "api" else "csv"
    return store(reading, name or path.name, hashlib.sha256(raw).hexdigest(), source, dry_run=dry_run, author=author)


def import_api_data(data: dict, *, name: str, dry_run: bool = False, author: str = "bouwregie") -> Result:
    raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    reading = read_api(data, name)
    return store(reading, name, hashlib.sha256(raw).hexdigest(), "api", dry_run=dry_run, author=author)


def store(reading: Reading, file_name: str, sha256: str, source: str, *, dry_run: bool, author: str) -> Result:
    summary = summarise(reading)
    digest = figures_digest(reading)
    same = (
        CbsRelease.objects.filter(sha256=sha256).first()
        or CbsRelease.objects.filter(table_id=reading.table_id, figures_sha256=digest).order_by("number").first()
    )
    if same is not None:
        template = (
            _("Dit bestand is al geïmporteerd als %(table)s versie %(number)s (%(file)s, %(at)s); niets gewijzigd.")
            if same.sha256 == sha256
            else _(
                "Deze cijfers zijn al geïmporteerd als %(table)s versie %(number)s (%(file)s, %(at)s); niets gewijzigd."
            )
        )
        message = template % {
            "table": same.table_id,
            "number": same.number,
            "file": same.file_name,
            "at": timezone.localtime(same.imported_at).strftime("%d-%m-%Y %H:%M"),
        }
        return Result("unchanged", message, reading, summary, same)
    if dry_run:
        number = (CbsRelease.objects.filter(table_id=reading.table_id).aggregate(n=Max("number"))["n"] or 0) + 1
        message = _("Proefimport: %(n)s cijfers zouden %(table)s versie %(number)s worden; niets opgeslagen.") % {
            "n": _n(len(reading.figures)),
            "table": reading.table_id,
            "number": number,
        }
        return Result("dry-run", message, reading, summary)
    now = timezone.now()
    try:
        with transaction.atomic():
            number = (CbsRelease.objects.filter(table_id=reading.table_id).aggregate(n=Max("number"))["n"] or 0) + 1
            release = CbsRelease.objects.create(
                table_id=reading.table_id,
                number=number,
                release_date=reading.release_date or timezone.localdate(now),
                release_date_basis=reading.release_date_basis or "importdatum",
                file_name=file_name[:255],
                sha256=sha256,
                figures_sha256=digest,
                imported_at=now,
                imported_by=author[:150],
                source=source,
                variant=reading.variant,
                counts={
                    "cijfers": len(reading.figures),
                    "andere_gebruiksfuncties": reading.other_rows,
                    "gemeenten": len({f.mapped.municipality for f in reading.figures if f.mapped.municipality}),
                    "perioden": len({f.period for f in reading.figures}),
                },
                mapping=summary.mapping,
                notices=[*reading.notices, *summary.warnings, *summary.notes],
            )
            with cycle_collector_paused():
                insert_rows(CbsFigure, COLUMNS, (_figure_row(release.pk, f) for f in reading.figures))
    except IntegrityError:  # another import of the same table took this number at the same moment
        raise CbsImportConflict(
            _("Een andere import van %s liep tegelijk; probeer het opnieuw.") % reading.table_id
        ) from None
    message = _("%(n)s cijfers opgeslagen als %(table)s versie %(number)s (publicatie van %(date)s).") % {
        "n": _n(len(reading.figures)),
        "table": release.table_id,
        "number": release.number,
        "date": release.release_date.strftime("%d-%m-%Y"),
    }
    return Result("imported", message, reading, summary, release)


class CbsImportConflict(RuntimeError):
    pass


COLUMNS = [
    "release_id",
    "region",
    "region_kind",
    "municipality",
    "province",
    "split",
    "period",
    "period_kind",
    "year",
    "part",
    *MEASURES,
]


def _figure_row(release_id: int, f: Figure) -> tuple:
    m, values = f.mapped, f.values
    return (
        release_id,
        f.region,
        m.kind,
        m.municipality,
        m.province,
        m.split,
        f.period,
        f.kind,
        f.year,
        f.part,
        *(values.get(k) for k in MEASURES),
    )


def release_date_text(value: date) -> str:
    return value.strftime("%d-%m-%Y")
