"""What an import tells its user: a summary and a validation report (row, column, value, reason)."""

import csv
from pathlib import Path

from django.utils.translation import gettext as _

from bouwregie.formatting import number

REPORT_COLUMNS = ["rij", "kolom", "waarde", "reden", "ernst"]


def write_report(path: Path, problems: list[dict]) -> Path:
    """CSV for Dutch Excel: UTF-8 with BOM, ';' separated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        write_problems(f, problems)
    return path


def write_problems(f, problems: list[dict]) -> None:
    writer = csv.writer(f, delimiter=";")
    writer.writerow(REPORT_COLUMNS)
    for p in problems:
        writer.writerow(["" if p["row"] is None else p["row"], p["column"], p["value"], p["reason"], p["severity"]])


def summary(run, names: dict[str, str], report_path: Path | None, limit: int = 15) -> str:
    c = run.counts
    status = {
        "geslaagd": _("geslaagd"),
        "gedeeltelijk": _("gedeeltelijk: afgewezen regels niet opgeslagen"),
        "geweigerd": _("GEWEIGERD: niets opgeslagen"),
        "proef": _("PROEF: niets opgeslagen"),
    }[run.status]
    lines = [
        _("Import #%(id)s '%(source)s' – %(file)s (%(format)s, profiel %(profile)s)")
        % {
            "id": run.pk,
            "source": run.source,
            "file": run.file_name,
            "format": run.file_format or "?",
            "profile": run.profile or "?",
        },
        _("Status: %s") % status,
    ]
    if run.message:
        lines.append(_("Reden: %s") % run.message)
    if c:
        lines.append(
            _("Regels: %(rows)s gelezen, %(valid)s geldig, %(rejected)s afgewezen; %(warnings)s waarschuwingen")
            % {k: number(c.get(k, 0)) for k in ("rows", "valid", "rejected", "warnings")}
        )
        lines.append(
            _(
                "Projecten: %(new)s nieuw, %(changed)s gewijzigd, %(unchanged)s ongewijzigd, "
                "%(missing)s niet meer in planlijst"
            )
            % {k: number(c.get(k, 0)) for k in ("new", "changed", "unchanged", "missing")}
        )
        homes = c.get("homes", 0)
        share = f"{100 * c.get('hard', 0) / homes:.1f}".replace(".", ",") if homes else "0"
        lines.append(
            _("Woningen in de lijst: %(homes)s (hard %(hard)s = %(share)s%%, zacht %(soft)s, onbekend %(unknown)s)")
            % {
                "homes": number(homes),
                "hard": number(c.get("hard", 0)),
                "share": share,
                "soft": number(c.get("soft", 0)),
                "unknown": number(c.get("unknown", 0)),
            }
        )
    if run.by_municipality:
        lines.append(_("Per gemeente:"))
        header = (_("Gemeente"), _("Projecten"), _("Woningen"), _("Hard"), _("Zacht"), _("Onbekend"))
        lines.append("  {:<32}{:>10}{:>10}{:>9}{:>9}{:>10}".format(*header))
        for code, row in sorted(run.by_municipality.items(), key=lambda item: names.get(item[0], item[0])):
            lines.append(
                f"  {names.get(code, code):<32}{number(row['projects']):>10}{number(row['homes']):>10}"
                f"{number(row['hard']):>9}{number(row['soft']):>9}{number(row['unknown']):>10}"
            )
    if report_path is not None:
        lines.append(_("Validatierapport: %(path)s (%(n)s meldingen)") % {"path": report_path, "n": len(run.problems)})
    for p in run.problems[:limit]:
        where = _("rij %s") % p["row"] if p["row"] is not None else _("bestand")
        column = f", {_('kolom')} '{p['column']}'" if p["column"] else ""
        value = f", {_('waarde')} '{p['value']}'" if p["value"] else ""
        lines.append(f"  [{p['severity']}] {where}{column}{value}: {p['reason']}")
    if len(run.problems) > limit:
        lines.append(_("  … en nog %d meldingen in het rapport.") % (len(run.problems) - limit))
    return "\n".join(lines)
