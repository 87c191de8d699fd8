from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("BAG: 'bag import BESTAND [--dry-run]' (LV-BAG-extract), 'bag opleveringen --gebied … [--jaar …]'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help=_("een LV-BAG-extract laden (XML, zip per gemeente of landelijk pakket)"))
        load.add_argument("file")
        load.add_argument("--dry-run", action="store_true", help=_("alleen lezen en afleiden, niets opslaan"))
        load.add_argument("--auteur", default="bouwregie")
        figures = sub.add_parser("opleveringen", help=_("opgeleverde nieuwbouwwoningen en bouwstarts per jaar"))
        figures.add_argument("--gebied", default="NL", help=_("NL, provincie, gemeente of regiocode"))
        figures.add_argument("--jaar", type=int, action="append", help=_("jaar (herhaalbaar; standaard alle)"))

    def handle(self, *args, action, **options):
        from bouwregie.bag import importer, lvbag, queries
        from bouwregie.geo.areas import UnknownArea

        if action == "import":
            try:
                report = importer.import_file(options["file"], dry_run=options["dry_run"], author=options["auteur"])
            except (lvbag.BagFileError, OSError) as error:
                raise CommandError(str(error)) from None
            for line in report.lines():
                self.stdout.write(line)
            return
        try:
            delivered = queries.deliveries(options["gebied"], options["jaar"])
            started = queries.starts(options["gebied"], options["jaar"])
        except UnknownArea as error:
            raise CommandError(str(error)) from None
        self.stdout.write("jaar;opgeleverd;bouw gestart")
        for year in sorted(set(delivered) | set(started)):
            self.stdout.write(f"{year};{delivered.get(year, 0)};{started.get(year, 0)}")
