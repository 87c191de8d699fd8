import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _
from bouwregie.taal import ngettext


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


def _signed_amount(text: str) -> int:
    """A change of a budget line: an amount in Dutch notation with an optional sign, "-5.000" takes money off the
    line, "+30.000" (issue #23) and "30.000" add it; the minus sign (U+2212) counts as a minus, as on the form."""
    text = text.strip()
    sign = -1 if text[:1] in ("-", "\u2212") else 1
    return sign * _amount(text[1:] if text[:1] in ("-", "\u2212", "+") else text)


def _overview_lines(o: dict) -> list[str]:
    """The year as the page shows it (web/sok.html): the budget lines, the parties with their invoices and refund,
    the totals and what is due — aligned tables in the language of the command line."""
    from bouwregie.instruments.money import bedrag
    from bouwregie.tabel import tabel

    b = o["budget"]
    out = [_("SOK-administratie %(year)s — %(name)s") % {"year": o["year"], "name": o["agreement"]["name"]}, ""]
    out += tabel(
        [_("Begrotingspost"), _("Begroot"), _("Gewijzigd"), _("Uitgegeven"), _("Over")],
        [
            [r["name"], bedrag(r["budget_cents"]), bedrag(r["changes_cents"]), bedrag(r["spent_cents"]),
             bedrag(r["left_cents"])]
            for r in o["lines"]
        ]
        + [[_("Totaal begrotingsposten"), bedrag(b["allocated_cents"]), "", bedrag(b["spent_cents"]), ""]],
        right={1, 2, 3, 4},
    )  # fmt: skip
    out += [""] + tabel(
        [_("Partij"), _("Bijdrage"), _("In natura"), _("Factuur"), _("Terug (art. 6.6)")],
        [
            [
                p["name"] + (" " + _("(penvoerder)") if p["penvoerder"] else ""),
                bedrag(p["amount_cents"]),
                bedrag(p["in_kind_cents"]) if p["in_kind_cents"] else "–",
                p["invoice"]["number"] + ": " + bedrag(p["invoice"]["total_cents"]) if p["invoice"] else "–",
                bedrag(p["refund_cents"]),
            ]
            for p in o["parties"]
        ],
        right={1, 2, 4},
    )
    out += [
        "",
        _("Bijdragen: %s") % bedrag(b["contributions_cents"]),
        _("Niet toegewezen aan een post: %s") % bedrag(b["unallocated_cents"]),
        _("Restant (art. 6.6): %s") % bedrag(b["remainder_cents"]),
    ]
    if b["overspent_lines"]:
        out.append(_("Overschreden posten") + ": " + ", ".join(b["overspent_lines"]))
    account = o["account"]
    if account["sent_on"]:
        out.append(_("Verantwoording verzonden op %s.") % account["sent_on"].isoformat())
    else:
        out.append(_("Verantwoording uiterlijk %s (art. 6.5).") % account["due"].isoformat())
    out += [_("Let op: %s") % warning for warning in o["warnings"]]
    return out


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
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
        show = sub.add_parser("show", help=_("het overzicht van een jaar: tabellen, of JSON met --json"))
        show.add_argument("year", type=int)
        show.add_argument("--json", action="store_true", help=_("het hele overzicht als JSON"))
        spend = sub.add_parser("uitgave", help=_("een uitgave boeken op een begrotingspost"))
        spend.add_argument("year", type=int)
        spend.add_argument("--post", required=True)
        spend.add_argument("--bedrag", required=True, help=_("euro's, bijv. 1.250,00"))
        spend.add_argument("--datum", required=True)
        spend.add_argument("--omschrijving", required=True)
        change = sub.add_parser("wijziging", help=_("een begrotingswijziging (besluit Processtuurgroep)"))
        change.add_argument("year", type=int)
        change.add_argument(
            "--post", action="append", required=True, help=_("POST=BEDRAG (erbij: 1.000 of +1.000; eraf: -1.000)")
        )
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
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "%(n)d activiteit van de jaarplannen geladen.",
                        "%(n)d activiteiten van de jaarplannen geladen.",
                        count,
                    )
                    % {"n": count}
                )
            )
        elif action == "show":
            o_ = store.year_overview(store.jaarplan_for(o["year"]))
            if o["json"]:
                self.stdout.write(json.dumps(o_, default=str, ensure_ascii=False, indent=2))
            else:
                self.stdout.write("\n".join(_overview_lines(o_)))
        elif action == "uitgave":
            booked = store.book_expenditure(
                o["year"], o["post"], _amount(o["bedrag"]), _day(o["datum"]), o["omschrijving"], o["auteur"]
            )
            self.stdout.write(self.style.SUCCESS(_("Uitgave geboekt.")))
            for warning in store.overspend_warnings(booked):
                self.stderr.write(self.style.WARNING(_("Let op: %s") % warning))
        elif action == "wijziging":
            deltas = {}
            for item in o["post"]:
                name, sep, amount = item.rpartition("=")
                if not sep:
                    raise CommandError(_("Verwacht POST=BEDRAG, niet '%s'.") % item)
                deltas[name.strip()] = _signed_amount(amount)
            made = store.change_budget(
                o["year"], deltas, _day(o["datum"]), o["besluit"], o["auteur"], reason=o["reden"]
            )
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "%(n)d begrotingswijziging vastgelegd.", "%(n)d begrotingswijzigingen vastgelegd.", len(made)
                    )
                    % {"n": len(made)}
                )
            )
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
