"""What an import tells its user: a summary and a validation report (row, column, value, reason)."""

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bouwregie import cells
from bouwregie.formatting import number

REPORT_COLUMNS = ["rij", "kolom", "waarde", "reden", "ernst"]


def write_report(path: Path, problems: list[dict]) -> Path:
    """CSV for Dutch Excel: UTF-8 with BOM, ';' separated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        write_problems(f, problems)
    return path


def write_problems(f, problems: list[dict]) -> None:
    writer = cells.csv_writer(f, delimiter=";")  # a cell's value comes from the uploaded file
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
    if c.get("layout"):
        lines.append(_("Indeling: %s") % c["layout"])
    if run.message:
        lines.append(_("Reden: %s") % run.message)
    if c:
        figures = {k: number(c.get(k, 0)) for k in ("rows", "valid", "rejected", "warnings", "records")}
        line = _("Regels: %(rows)s gelezen, %(valid)s geldig, %(rejected)s afgewezen") % figures
        if c.get("records", c.get("rows")) != c.get("rows"):  # split rows (hard and soft part)
            line += _(" (%(records)s records)") % figures
        warnings = ngettext("%(warnings)s waarschuwing", "%(warnings)s waarschuwingen", c.get("warnings", 0))
        lines.append(f"{line}; {warnings % figures}")
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
            _(
                "Woningen in de lijst: %(homes)s (hard %(hard)s = %(share)s%%, zacht %(soft)s, onbekend %(unknown)s); "
                "sloop %(demolitions)s"
            )
            % {
                "demolitions": number(c.get("demolitions", 0)),
                "homes": number(homes),
                "hard": number(c.get("hard", 0)),
                "share": share,
                "soft": number(c.get("soft", 0)),
                "unknown": number(c.get("unknown", 0)),
            }
        )
    if run.by_municipality:
        lines.append(_("Per gemeente:"))
        header = (_("Gemeente"), _("Projecten"), _("Woningen"), _("Hard"), _("Zacht"), _("Onbekend"), _("Sloop"))
        lines.append("  {:<32}{:>10}{:>10}{:>9}{:>9}{:>10}{:>8}".format(*header))
        for code, row in sorted(run.by_municipality.items(), key=lambda item: names.get(item[0], item[0])):
            lines.append(
                f"  {names.get(code, code):<32}{number(row['projects']):>10}{number(row['homes']):>10}"
                f"{number(row['hard']):>9}{number(row['soft']):>9}{number(row['unknown']):>10}"
                f"{number(row.get('demolitions', 0)):>8}"
            )
    changed = (run.changes or {}).get("changed", [])
    if changed and any(entry.get("diff") for entry in changed):
        lines.append(_("Wijzigingen per project (oud → nieuw):"))
        for entry in changed[:10]:
            lines.append(f"  {entry.get('code') or entry.get('external_id')} {entry.get('name', '')}")
            diff = entry.get("diff", [])
            for item in diff[:8]:
                lines.append(f"    {item['field']}: {item['old'] or '–'} → {item['new'] or '–'}")
            if len(diff) > 8:
                lines.append(_("    … en nog %d velden") % (len(diff) - 8))
        if len(changed) > 10:
            lines.append(_("  … en nog %d gewijzigde projecten (zie het importlogboek)") % (len(changed) - 10))
    if report_path is not None:
        notices = ngettext("%(n)s melding", "%(n)s meldingen", len(run.problems)) % {"n": number(len(run.problems))}
        lines.append(_("Validatierapport: %(path)s (%(notices)s)") % {"path": report_path, "notices": notices})
    groups = grouped(run.problems)
    for severity, column, reason, items in groups[:limit]:
        rows = list(dict.fromkeys(p["row"] for p in items if p["row"] is not None))  # a split row's parts once
        values = {p["value"] for p in items}
        if len(rows) <= 1:
            where = _("rij %s") % rows[0] if rows else _("bestand")
        else:
            shown = ", ".join(map(str, rows[:5])) + (", …" if len(rows) > 5 else "")
            where = _("%(n)s regels (rij %(rows)s)") % {"n": number(len(rows)), "rows": shown}
        column_text = f", {_('kolom')} '{column}'" if column else ""
        value = f", {_('waarde')} '{next(iter(values))}'" if len(values) == 1 and next(iter(values)) else ""
        lines.append(f"  [{severity}] {where}{column_text}{value}: {_short(reason)}")
    if len(groups) > limit:
        rest = sum(len(g[3]) for g in groups[limit:])
        lines.append(_("  … en nog %d meldingen in het rapport.") % rest)
    return "\n".join(lines)


def grouped(problems: list[dict]) -> list[tuple[str, str, str, list[dict]]]:
    """The same message for many rows is one line: (severity, column, reason, problems), errors first,
    then in the order of their first row."""
    groups: dict[tuple, list[dict]] = {}
    for p in problems:
        groups.setdefault((p["severity"], p["column"], p["reason"]), []).append(p)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0] != "fout", kv[1][0]["row"] or 0))
    return [(severity, column, reason, items) for (severity, column, reason), items in ordered]


def _short(reason: str, limit: int = 300) -> str:
    """No message longer than a few lines in the summary (the report has it whole)."""
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"
