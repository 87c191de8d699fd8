from django.core.management.base import BaseCommand, CommandError

from bouwregie.woontop import store


class Command(BaseCommand):
    help = "Woontop-afspraken: 'load' (uit seed 004), 'show [--kwartaal 2025-Q2]', 'status CODE KWARTAAL STATUS'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="de afspraken en mijlpalen van de Woontop (seed 004) laden")
        load.add_argument("--file", default=str(store.SHIPPED))
        show = sub.add_parser("show", help="de landelijke tafel: status per afspraak en mijlpaal")
        show.add_argument("--kwartaal")
        status = sub.add_parser("status", help="de status van een mijlpaal in een kwartaal vastleggen")
        status.add_argument("code")
        status.add_argument("kwartaal")
        status.add_argument("status", choices=store.rules.STATUSES)
        status.add_argument("--toelichting", default="")
        status.add_argument("--auteur", default="bouwregie")

    def handle(self, *args, action, **o):
        try:
            if action == "load":
                afspraken, mijlpalen = store.load(o["file"])
                self.stdout.write(self.style.SUCCESS(f"{afspraken} afspraken en {mijlpalen} mijlpalen toegevoegd."))
            elif action == "status":
                store.set_status(o["code"], o["kwartaal"], o["status"], o["toelichting"], o["auteur"])
                self.stdout.write(self.style.SUCCESS("Status vastgelegd."))
            else:
                table = store.table(o["kwartaal"])
                for a in table["afspraken"]:
                    self.stdout.write(f"Afspraak {a['number']} (p. {a['page']}): {a['title'][:90]}")
                    for m in a["milestones"]:
                        flag = "  TE LAAT" if m["overdue"] else ""
                        self.stdout.write(f"  {m['deadline']} {m['code']:<38} {m['status'] or '-':<10}{flag}")
        except (store.WoontopError, ValueError) as error:
            raise CommandError(str(error)) from None
