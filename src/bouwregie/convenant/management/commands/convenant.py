import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.convenant import framework, store
from bouwregie.monitor.api import chosen_peiling
from bouwregie.projects.models import Peiling
from bouwregie.web.downloads import table_download


class Command(BaseCommand):
    help = (
        "Convenant Toekomstbestendig Bouwen: 'partners', 'load-partners', 'kaders', "
        "'registreer CODE', 'cijfers [--gebied] [--peiling] [--csv BESTAND]'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("partners", help="het partnerregister")
        sub.add_parser("load-partners", help="de vier provincies uit seed 001 in het register zetten")
        sub.add_parser("kaders", help="alle versies van het indicatorkader")
        rec = sub.add_parser("registreer", help="een project onder het convenant registreren (met waarden)")
        rec.add_argument("code")
        rec.add_argument("--niet-onder-convenant", action="store_true")
        rec.add_argument("--convenantversie", default="")
        rec.add_argument("--waarde", action="append", default=[], help="INDICATOR=GETAL")
        rec.add_argument("--reden", required=True)
        rec.add_argument("--auteur", default="bouwregie")
        fig = sub.add_parser("cijfers", help="aandeel onder het convenant per gebied en peiling")
        fig.add_argument("--gebied", default="NL")
        fig.add_argument("--peiling")
        fig.add_argument("--csv", help="alle gebieden (NL, provincies, gemeenten) als CSV naar dit bestand")

    def handle(self, *args, action, **o):
        try:
            self._handle(action, o)
        except (store.ConvenantError, framework.FrameworkError, Peiling.DoesNotExist, ValueError) as error:
            raise CommandError(str(error)) from None

    def _handle(self, action, o):
        if action == "partners":
            for p in store.register():
                self.stdout.write(
                    f"{p.organisation:<40} {p.sector:<20} {p.signed_on or p.signed_note:<16} "
                    f"versie {p.convenant_version}"
                )
        elif action == "load-partners":
            self.stdout.write(self.style.SUCCESS(f"{store.load_seed_partners()} partners toegevoegd."))
        elif action == "kaders":
            self.stdout.write(json.dumps([f.as_dict() for f in framework.all_versions()], ensure_ascii=False, indent=2))
        elif action == "registreer":
            values = {}
            for item in o["waarde"]:
                key, sep, value = item.partition("=")
                if not sep:
                    raise CommandError(f"Verwacht INDICATOR=GETAL, niet '{item}'.")
                values[key.strip()] = value.strip()
            r = store.record(
                o["code"], not o["niet_onder_convenant"], values, o["reden"], o["auteur"], o["convenantversie"]
            )
            self.stdout.write(self.style.SUCCESS(f"Registratie {r.number} van {o['code']} onder {r.framework}."))
        else:
            peiling = chosen_peiling(o["peiling"])
            if o["csv"]:
                rows = store.csv_rows(store.national(peiling))
                with open(o["csv"], "wb") as f:
                    f.write(table_download(rows, "convenant", "csv").content)
                self.stdout.write(self.style.SUCCESS(f"{len(rows) - 1} gebieden geschreven naar {o['csv']}."))
                return
            self.stdout.write(json.dumps(store.area_figures(o["gebied"], peiling), ensure_ascii=False, indent=2))
