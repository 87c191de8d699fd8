"""What `bouwregie registraties` prints for CBS releases (the command itself: management/commands/registraties.py)."""

import json
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from bouwregie import cells
from bouwregie.cbs import importer, statline
from bouwregie.cbs.models import CbsRelease
from bouwregie.formatting import number
from bouwregie.registraties.dispatch import RegistrationRefused

TOP = 10


def run_import(path: Path, *, dry_run: bool, author: str, options: dict, out) -> None:
    """The CBS importer of `registraties import` (registraties.IMPORTERS)."""
    try:
        result = importer.import_file(path, dry_run=dry_run, author=author, table=options.get("tabel"))
    except (statline.CbsFileError, importer.CbsImportConflict) as error:
        raise RegistrationRefused(str(error)) from None
    report(result, out, show_all=options.get("all", False), csv_path=options.get("csv"))


def fetch(table: str, *, dry_run: bool, author: str, save: str | None, out) -> None:
    table = table.strip().upper()
    if table not in statline.KNOWN_TABLES:
        raise RegistrationRefused(
            _("Onbekende CBS-tabel '%(table)s'; bekend zijn: %(known)s.")
            % {"table": table, "known": ", ".join(statline.KNOWN_TABLES)}
        )
    try:
        data = statline.fetch(table)
    except statline.CbsOffline as error:
        raise RegistrationRefused(str(error)) from None
    name = f"{table}_api_{timezone.localdate():%Y-%m-%d}.json"
    if save:
        Path(save).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        out(_("Antwoord van de CBS-API bewaard in %s.") % save)
    try:
        result = importer.import_api_data(data, name=name, dry_run=dry_run, author=author)
    except (statline.CbsFileError, importer.CbsImportConflict) as error:
        raise RegistrationRefused(str(error)) from None
    report(result, out)


def report(result: importer.Result, out, show_all: bool = False, csv_path: str | None = None) -> None:
    reading, summary = result.reading, result.summary
    out(
        _(
            "CBS %(table)s (%(variant)s): %(n)s cijfers voor Woningen gelezen, %(other)s rijen van andere "
            "gebruiksfuncties overgeslagen."
        )
        % {
            "table": reading.table_id,
            "variant": reading.variant,
            "n": number(len(reading.figures)),
            "other": number(reading.other_rows),
        }
    )
    if reading.ignored_columns:
        out(_("Kolommen niet gebruikt: %s.") % ", ".join(reading.ignored_columns))
    out(_("Nieuwbouw per jaar (gemeenten opgeteld; NL01 = de rij Nederland in het bestand):"))
    for year, entry in sorted(summary.years.items()):
        nl = "" if entry["nl"] is None else f"   NL01 {number(entry['nl']):>9}"
        check = (
            "" if entry["nl"] is None else ("  " + (_("klopt") if entry["nl"] == entry["gemeenten"] else _("VERSCHIL")))
        )
        out(f"  {year}  {number(entry['gemeenten']):>9}{nl}{check}")
    if summary.mapping:
        out(_("Herindelingen toegepast (voormalige gemeente → gemeente van 2025), met de nieuwbouw die meeging:"))
        for m in summary.mapping:
            successors = ", ".join(f"{s['code']} {s['naam']}" for s in m["opvolgers"])
            moved = ", ".join(f"{year} {number(n)}" for year, n in m.get("verplaatst", {}).items())
            total = number(m.get("totaal", 0))
            figures = " (" + _("%(years)s; totaal %(total)s") % {"years": moved, "total": total} + ")"
            if m["gesplitst"]:
                out(
                    "  "
                    + _(
                        "%(code)s %(name)s: gesplitst over %(successors)s; blijft onder de eigen code (telt voor "
                        "provincie en NL)."
                    )
                    % {"code": m["voormalig"], "name": m["naam"], "successors": successors}
                    + (figures if moved else "")
                )
            else:
                out(f"  {m['voormalig']} {m['naam']} → {successors}" + (figures if moved else ""))
    years = sorted(summary.years)
    rows = sorted(summary.municipalities.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    shown = rows if show_all else rows[:TOP]
    out(
        _("Nieuwbouw per gemeente (%(n)s gemeenten%(top)s):")
        % {"n": len(rows), "top": "" if show_all else _("; de %s grootste, --all voor alle") % len(shown)}
    )
    for code, by_year in shown:
        out(
            f"  {code} {summary.names.get(code, ''):<32} "
            + " ".join(f"{number(by_year.get(y)):>7}" for y in years)
            + f"  {_('totaal')} {number(sum(by_year.values()))}"
        )
    if csv_path:
        with open(csv_path, "w", newline="", encoding="utf-8") as f:
            writer = cells.csv_writer(f)
            writer.writerow(["gemeentecode", "gemeente", *years])
            for code, by_year in sorted(summary.municipalities.items()):
                writer.writerow([code, summary.names.get(code, ""), *(by_year.get(y, "") for y in years)])
        out(_("Alle gemeenten geschreven naar %s.") % csv_path)
    for notice in [*reading.notices, *summary.warnings]:
        out(_("waarschuwing: %s") % notice)
    for note in summary.notes:
        out(note)
    out(result.message)


def releases(out) -> None:
    found = CbsRelease.objects.order_by("table_id", "number")
    if not found:
        out(_("Nog geen CBS-publicaties geïmporteerd."))
        return
    for r in found:
        out(
            f"{r.table_id} v{r.number}  {r.release_date:%d-%m-%Y} ({r.release_date_basis})  "
            f"{number(r.counts.get('cijfers'))} {_('cijfers')}  {r.source}  {r.file_name}  "
            f"{timezone.localtime(r.imported_at):%d-%m-%Y %H:%M} {r.imported_by}"
        )
