import getpass
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.woondeals import regions, store, template
from bouwregie.woondeals.models import Woondeal


def _os_user() -> str:
    """Who runs the command, as the operating system knows them: the author of what `load` records."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database (a bare container)
        return "onbekend"


class Command(BaseCommand):
    help = "Woondeals: 'list', 'sync', 'show CODE [--op DATUM]', 'load BESTAND --reden …', 'template', 'export'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="alle woondeals zoals vandaag afgesproken")
        sub.add_parser("sync", help="de monitorgebieden (regio woondeal-…) bijwerken naar de leden van vandaag")
        show = sub.add_parser("show", help="één woondeal zoals afgesproken op een datum")
        show.add_argument("code")
        show.add_argument("--op", help="datum JJJJ-MM-DD (standaard vandaag)")
        load = sub.add_parser("load", help="woondeals laden uit het ingevulde sjabloon (CSV of .xlsx)")
        load.add_argument("file")
        load.add_argument(
            "--reden", required=True, help="waarom deze versies (verplicht, zoals op het web en in de API)"
        )
        load.add_argument("--auteur", default=_os_user(), help="wie laadt (standaard de gebruiker van het systeem)")
        for name, text in (("template", "leeg sjabloon"), ("export", "alle woondeals (nieuwste versie) als sjabloon")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--format", choices=("csv", "xlsx"), default="csv")
            p.add_argument("--output", "-o", help="bestand (standaard: stdout, alleen csv)")

    def handle(self, *args, action, **options):
        if action == "list":
            for v in store.current_all():
                total = v.taakstelling_total if v.taakstelling_total is not None else "-"
                self.stdout.write(f"{v.woondeal.code:<8} {v.name:<40} {','.join(v.provinces):<10} {total:>8}  "
                                  f"v{v.number} {v.valid_from}")  # fmt: skip
            return
        if action == "sync":
            self.stdout.write(f"{regions.sync_all()} woondealregio's bijgewerkt naar de afspraken van {date.today()}.")
            return
        if action == "show":
            try:
                on = date.fromisoformat(options["op"]) if options["op"] else None
            except ValueError:
                raise CommandError(f"Geen geldige datum (JJJJ-MM-DD): '{options['op']}'.") from None
            if not Woondeal.objects.filter(code=options["code"]).exists():
                raise CommandError(f"Onbekende woondeal '{options['code']}'.")
            version = store.as_agreed_on(options["code"], on)
            if version is None:
                raise CommandError(store.absent(options["code"], on or date.today()))
            for key, value in store.data_of(version).items():
                self.stdout.write(f"{key}: {value}")
            self.stdout.write(
                f"versie: {version.number} ({version.created_at:%Y-%m-%d}, {version.author}: {version.reason})"
            )
            return
        if action == "load":
            if not options["reden"].strip():
                raise CommandError("Geef de reden van de wijziging (--reden).")
            try:
                outcomes, warnings = template.load(options["file"], reason=options["reden"], author=options["auteur"])
            except (template.TemplateError, OSError) as error:
                raise CommandError(str(error)) from None
            for warning in warnings:
                self.stderr.write(f"waarschuwing: {warning}")
            for outcome in outcomes:  # every deal and the version it got, or that it stayed as it was
                self.stdout.write(template.report_line(outcome))
            self.stdout.write(self.style.SUCCESS(template.summary(outcomes)))
            return
        content = template.write([] if action == "template" else template.export_rows(), options["format"])
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        elif options["format"] == "xlsx":
            raise CommandError("Geef --output voor een Excel-bestand.")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
