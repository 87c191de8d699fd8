import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Geen geldige datum (JJJJ-MM-DD): '%s'.") % text) from None


def _amount(text: str) -> int:
    from bouwregie.instruments.money import parse_euros

    try:
        return parse_euros(text)
    except ValueError as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = _(
        "SOK-administratie: 'load-2024', 'load BESTAND', 'load-activiteiten', 'show JAAR', 'uitgave', 'wijziging', "
        "'facturen', 'verantwoording', 'export'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load-2024", help=_("de SOK 2024 en het jaarplan 2024 uit seed 001 laden"))
        load = sub.add_parser("load", help=_("een SOK-databestand (TOML, zoals sok/data/sok-2024.toml) laden"))
        load.add_argument("file")
        activities = sub.add_parser(
            "load-activiteiten", help=_("de activiteiten van de jaarplannen (Bijlage 1 en 2) laden, met pagina's")
        )
        activities.add_argument("file", nargs="?", help=_("standaard sok/data/jaarplan-activiteiten.toml"))
        show = sub.add_parser("show", help=_("het overzicht van een jaar (JSON)"))
        show.add_argument("year", type=int)
        spend = sub.add_parser("uitgave", help=_("een uitgave boeken op een begrotingspost"))
        spend.add_argument("year", type=int)
        spend.add_argument("--post", required=True)
        spend.add_argument("--bedrag", required=True, help=_("euro's, bijv. 1.250,00"))
        spend.add_argument("--datum", required=True)
        spend.add_argument("--omschrijving", required=True)
        change = sub.add_parser("wijziging", help=_("een begrotingswijziging (besluit Processtuurgroep)"))
        change.add_argument("year", type=int)
        change.add_argument("--post", action="append", required=True, help=_("POST=BEDRAG (negatief: -1.000)"))
        change.add_argument("--besluit", required=True)
        change.add_argument("--datum", required=True)
        change.add_argument("--reden", default="", help=_("waarom het geld verschuift"))
        invoices = sub.add_parser("facturen", help=_("de facturen van de penvoerder aan de andere partijen"))
        invoices.add_argument("year", type=int)
        invoices.add_argument("--datum", required=True)
        invoices.add_argument("--vervaldatum", help=_("de vervaldatum op de facturen (JJJJ-MM-DD), als die er is"))
        account = sub.add_parser("verantwoording", help=_("de verantwoording is verzonden (art. 6.5)"))
        account.add_argument("year", type=int)
        account.add_argument("--datum", required=True)
        export = sub.add_parser("export", help=_("de tabel voor een vergadering van de Processtuurgroep"))
        export.add_argument("year", type=int)
        export.add_argument("meeting", choices=("begroting", "jaarafsluiting"))
        export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        export.add_argument("--output", "-o", required=True)
        for p in (load, activities, spend, change, invoices, account, sub.choices["load-2024"]):
            p.add_argument("--auteur", default="bouwregie")

    def handle(self, *args, action, **o):
        from bouwregie.sok import store

        try:
            self._handle(action, o)
        except store.SokError as error:
            raise CommandError(str(error)) from None

    def _handle(self, action, o):
        from bouwregie.instruments.money import euros
        from bouwregie.sok import rules, store
        from bouwregie.web.downloads import table_download

        if action in ("load-2024", "load"):
            plan = store.load(store.SEED_2024 if action == "load-2024" else Path(o["file"]), author=o["auteur"])
            view = store.year_overview(plan)["budget"]
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Jaarplan %(year)s geladen: bijdragen %(contributions)s, begrotingsposten %(allocated)s, "
                        "niet toegewezen %(unallocated)s."
                    )
                    % {
                        "year": plan.year,
                        "contributions": euros(view["contributions_cents"]),
                        "allocated": euros(view["allocated_cents"]),
                        "unallocated": euros(view["unallocated_cents"]),
                    }  # fmt: skip
                )
            )
            for warning in rules.budget_warnings(view):
                self.stderr.write(self.style.WARNING(_("Let op: %s") % warning))
        elif action == "load-activiteiten":
            count = store.load_activities(o["file"] or store.ACTIVITIES, author=o["auteur"])
            self.stdout.write(self.style.SUCCESS(_("%s activiteiten van de jaarplannen geladen.") % count))
        elif action == "show":
            o_ = store.year_overview(store.jaarplan_for(o["year"]))
            self.stdout.write(json.dumps(o_, default=str, ensure_ascii=False, indent=2))
        elif action == "uitgave":
            store.book_expenditure(
                o["year"], o["post"], _amount(o["bedrag"]), _day(o["datum"]), o["omschrijving"], o["auteur"]
            )
            self.stdout.write(self.style.SUCCESS(_("Uitgave geboekt.")))
        elif action == "wijziging":
            deltas = {}
            for item in o["post"]:
                name, sep, amount = item.rpartition("=")
                if not sep:
                    raise CommandError(_("Verwacht POST=BEDRAG, niet '%s'.") % item)
                negative = amount.strip().startswith("-")
                deltas[name.strip()] = -_amount(amount.strip().lstrip("-")) if negative else _amount(amount)
            made = store.change_budget(
                o["year"], deltas, _day(o["datum"]), o["besluit"], o["auteur"], reason=o["reden"]
            )
            self.stdout.write(self.style.SUCCESS(_("%s begrotingswijziging(en) vastgelegd.") % len(made)))
        elif action == "facturen":
            due = _day(o["vervaldatum"]) if o["vervaldatum"] else None
            for i in store.issue_invoices(o["year"], _day(o["datum"]), o["auteur"], due_on=due):
                self.stdout.write(
                    _("%(number)s: %(net)s + btw %(vat)s = %(gross)s (%(version)s)")
                    % {
                        "number": i.number,
                        "net": euros(i.net_cents),
                        "vat": euros(i.vat_cents),
                        "gross": euros(i.net_cents + i.vat_cents),
                        "version": i.vat_version,
                    }  # fmt: skip
                )
        elif action == "verantwoording":
            store.record_account(o["year"], _day(o["datum"]), o["auteur"])
            self.stdout.write(self.style.SUCCESS(_("Verzending van de verantwoording vastgelegd.")))
        elif action == "export":
            view = store.year_overview(store.jaarplan_for(o["year"]))
            rows = store.begroting_rows(view) if o["meeting"] == "begroting" else store.jaarafsluiting_rows(view)
            Path(o["output"]).write_bytes(table_download(rows, "sok", o["format"]).content)
            self.stdout.write(self.style.SUCCESS(_("Geschreven: %s") % o["output"]))
