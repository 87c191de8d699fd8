from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _
from bouwregie.taal import ngettext

# bouwregie.woontop.rules.STATUSES, which imports Django's models; tests/test_cli.py checks they agree
STATUSES = ("op_schema", "te_laat", "gereed", "vervallen")


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Woontop-afspraken: 'load' (uit seed 004), 'show [--kwartaal 2025-Q2]', 'status CODE KWARTAAL STATUS'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help=_("de afspraken en mijlpalen van de Woontop (seed 004) laden"))
        load.add_argument("--file", help=_("standaard de meegeleverde seed 004"))
        show = sub.add_parser("show", help=_("de landelijke tafel: status per afspraak en mijlpaal"))
        show.add_argument("--kwartaal")
        status = sub.add_parser("status", help=_("de status van een mijlpaal in een kwartaal vastleggen"))
        status.add_argument("code")
        status.add_argument("kwartaal")
        status.add_argument("status", choices=STATUSES)
        status.add_argument("--toelichting", default="")
        status.add_argument("--auteur", default="bouwregie")

    def handle(self, *args, action, **o):
        from bouwregie.woontop import store

        try:
            if action == "load":
                afspraken, mijlpalen = store.load(o["file"] or store.SHIPPED)
                added = _("%(afspraken)s en %(mijlpalen)s toegevoegd.") % {
                    "afspraken": ngettext("%(n)d afspraak", "%(n)d afspraken", afspraken) % {"n": afspraken},
                    "mijlpalen": ngettext("%(n)d mijlpaal", "%(n)d mijlpalen", mijlpalen) % {"n": mijlpalen},
                }
                self.stdout.write(self.style.SUCCESS(added))
            elif action == "status":
                store.set_status(o["code"], o["kwartaal"], o["status"], o["toelichting"], o["auteur"])
                self.stdout.write(self.style.SUCCESS(_("Status vastgelegd.")))
            else:
                table = store.table(o["kwartaal"])
                for a in table["afspraken"]:
                    self.stdout.write(
                        _("Afspraak %(number)s (p. %(page)s): %(title)s") % {**a, "title": a["title"][:90]}
                    )
                    for m in a["milestones"]:
                        flag = "  " + _("TE LAAT") if m["overdue"] else ""
                        self.stdout.write(f"  {m['deadline']} {m['code']:<38} {m['status'] or '-':<10}{flag}")
        except (store.WoontopError, ValueError) as error:
            raise CommandError(str(error)) from None
