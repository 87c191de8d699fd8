import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    help = _(
        "Convenant Toekomstbestendig Bouwen: 'partners', 'load-partners', 'kaders', "
        "'registreer CODE', 'cijfers [--gebied] [--peiling] [--csv BESTAND]'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("partners", help=_("het partnerregister"))
        sub.add_parser("load-partners", help=_("de vier provincies uit seed 001 in het register zetten"))
        sub.add_parser("kaders", help=_("alle versies van het indicatorkader"))
        rec = sub.add_parser("registreer", help=_("een project onder het convenant registreren (met waarden)"))
        rec.add_argument("code")
        rec.add_argument("--niet-onder-convenant", action="store_true")
        rec.add_argument("--convenantversie", default="")
        rec.add_argument("--waarde", action="append", default=[], help=_("INDICATOR=GETAL"))
        rec.add_argument("--reden", required=True)
        rec.add_argument("--auteur", default="bouwregie")
        fig = sub.add_parser("cijfers", help=_("aandeel onder het convenant per gebied en peiling"))
        fig.add_argument("--gebied", default="NL")
        fig.add_argument("--peiling")
        fig.add_argument("--csv", help=_("alle gebieden (NL, provincies, gemeenten) als CSV naar dit bestand"))

    def handle(self, *args, action, **o):
        from bouwregie.convenant import framework, store
        from bouwregie.projects.models import Peiling

        try:
            self._handle(action, o)
        except (store.ConvenantError, framework.FrameworkError, Peiling.DoesNotExist, ValueError) as error:
            raise CommandError(str(error)) from None

    def _handle(self, action, o):
        from bouwregie.convenant import framework, store
        from bouwregie.monitor.api import chosen_peiling
        from bouwregie.web.downloads import table_download

        if action == "partners":
            for p in store.register():
                self.stdout.write(
                    f"{p.organisation:<40} {p.sector:<20} {p.signed_on or p.signed_note:<16} "
                    + _("versie %s") % p.convenant_version
                )
        elif action == "load-partners":
            self.stdout.write(self.style.SUCCESS(_("%s partners toegevoegd.") % store.load_seed_partners()))
        elif action == "kaders":
            self.stdout.write(json.dumps([f.as_dict() for f in framework.all_versions()], ensure_ascii=False, indent=2))
        elif action == "registreer":
            values = {}
            for item in o["waarde"]:
                key, sep, value = item.partition("=")
                if not sep:
                    raise CommandError(_("Verwacht INDICATOR=GETAL, niet '%s'.") % item)
                values[key.strip()] = value.strip()
            r = store.record(
                o["code"], not o["niet_onder_convenant"], values, o["reden"], o["auteur"], o["convenantversie"]
            )
            registered = _("Registratie %(number)s van %(code)s onder %(framework)s.")
            self.stdout.write(
                self.style.SUCCESS(registered % {"number": r.number, "code": o["code"], "framework": r.framework})
            )
        else:
            peiling = chosen_peiling(o["peiling"])
            if o["csv"]:
                rows = store.csv_rows(store.national(peiling))
                with open(o["csv"], "wb") as f:
                    f.write(table_download(rows, "convenant", "csv").content)
                written = _("%(n)s gebieden geschreven naar %(path)s.") % {"n": len(rows) - 1, "path": o["csv"]}
                self.stdout.write(self.style.SUCCESS(written))
                return
            self.stdout.write(json.dumps(store.area_figures(o["gebied"], peiling), ensure_ascii=False, indent=2))
