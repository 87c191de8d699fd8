import getpass

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _(
        "Registraties (CBS, BAG): 'registraties import BESTAND [--dry-run]', 'cbs-fetch 81955NED [--dry-run]', "
        "'releases', 'link [--gemeente GM0221]', 'verschillen --gebied GM0221 [--jaar 2024] [--format table|json|csv]'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help=_("een CBS-tabel (CSV/JSON) of BAG-extract importeren"))
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help=_("alleen lezen en tonen; niets opslaan"))
        imp.add_argument("--all", action="store_true", help=_("alle gemeenten tonen, niet alleen de grootste"))
        imp.add_argument("--csv", help=_("de cijfers per gemeente en jaar naar dit CSV-bestand"))
        imp.add_argument(
            "--tabel", help=_("CBS-tabel (81955NED, 86098NED) als bestandsnaam en kolommen het niet zeggen")
        )
        imp.add_argument("--door", default=getpass.getuser(), help=_("wie importeert (voor het logboek)"))
        fetch = sub.add_parser("cbs-fetch", help=_("een CBS-tabel ophalen via de open-data-API (online)"))
        fetch.add_argument("table")
        fetch.add_argument("--dry-run", action="store_true")
        fetch.add_argument("--bewaar", help=_("het API-antwoord ook als JSON-bestand bewaren"))
        fetch.add_argument("--door", default=getpass.getuser())
        sub.add_parser("releases", help=_("de geïmporteerde CBS-publicaties"))
        link = sub.add_parser("link", help=_("de BAG-woningen opnieuw aan de projecten koppelen (nieuwste extracten)"))
        link.add_argument("--gemeente", action="append", help=_("gemeentecode (GM0221; herhaalbaar; standaard alle)"))
        link.add_argument("--door", default=getpass.getuser())
        diff = sub.add_parser("verschillen", help=_("per gebied en jaar: monitor naast CBS en BAG, met de projecten"))
        diff.add_argument("--gebied", "--area", dest="gebied", default="NL", help=_("NL, PV27, GM0221, regio of naam"))
        diff.add_argument("--jaar", help=_("jaar of reeks: 2024, 2020-2024, 2020,2022 (standaard alle)"))
        diff.add_argument("--peiling", help=_("peiling (standaard de laatst gesloten)"))
        diff.add_argument("--format", choices=("table", "json", "csv"), default="table")

    def handle(self, *args, action, **options):
        from bouwregie.cbs import cli
        from bouwregie.geo.areas import UnknownArea
        from bouwregie.projects.models import Peiling
        from bouwregie.registraties import cli as registraties_cli
        from bouwregie.registraties import dispatch as registraties
        from bouwregie.registraties import store, verschillen

        out = self.stdout.write
        try:
            if action == "import":
                registraties.run_import(
                    options["file"], dry_run=options["dry_run"], author=options["door"], options=options, out=out
                )
            elif action == "cbs-fetch":
                cli.fetch(
                    options["table"],
                    dry_run=options["dry_run"],
                    author=options["door"],
                    save=options["bewaar"],
                    out=out,
                )
            elif action == "link":
                sets = store.relink(options["gemeente"], author=options["door"])
                for link_set in sets:
                    out(store.describe(link_set))
                if not sets:
                    out(_("Geen BAG-woningen geladen: er is niets te koppelen."))
            elif action == "verschillen":
                result = verschillen.differences(options["gebied"], verschillen.parse_years(options["jaar"]),
                                                 options["peiling"])  # fmt: skip
                registraties_cli.show(result, options["format"], out)
            else:
                cli.releases(out)
        except (registraties.RegistrationRefused, OSError, ValueError, UnknownArea, Peiling.DoesNotExist) as error:
            raise CommandError(str(error)) from None
