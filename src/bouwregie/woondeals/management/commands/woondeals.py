import getpass
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


def _os_user() -> str:
    """Who runs the command, as the operating system knows them: the author of what `load` records."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database (a bare container)
        return _("onbekend")


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Woondeals: 'list', 'sync', 'show CODE [--op DATUM]', 'load BESTAND --reden …', 'template', 'export'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help=_("alle woondeals zoals vandaag afgesproken"))
        sub.add_parser("sync", help=_("de monitorgebieden (regio woondeal-…) bijwerken naar de leden van vandaag"))
        show = sub.add_parser("show", help=_("één woondeal zoals afgesproken op een datum"))
        show.add_argument("code")
        show.add_argument("--op", help=_("datum JJJJ-MM-DD (standaard vandaag)"))
        load = sub.add_parser("load", help=_("woondeals laden uit het ingevulde sjabloon (CSV of .xlsx)"))
        load.add_argument("file")
        load.add_argument(
            "--reden", required=True, help=_("waarom deze versies (verplicht, zoals op het web en in de API)")
        )
        load.add_argument("--auteur", default=_os_user(), help=_("wie laadt (standaard de gebruiker van het systeem)"))
        for name, text in (
            ("template", _("leeg sjabloon")),
            ("export", _("alle woondeals (nieuwste versie) als sjabloon")),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("--format", choices=("csv", "xlsx"), default="csv")
            p.add_argument("--output", "-o", help=_("bestand (standaard: stdout, alleen csv)"))

    def handle(self, *args, action, **options):
        from bouwregie.woondeals import regions, store, template
        from bouwregie.woondeals.models import Woondeal

        if action == "list":
            for v in store.current_all():
                total = v.taakstelling_total if v.taakstelling_total is not None else "-"
                self.stdout.write(f"{v.woondeal.code:<8} {v.name:<40} {','.join(v.provinces):<10} {total:>8}  "
                                  f"v{v.number} {v.valid_from}")  # fmt: skip
            return
        if action == "sync":
            synced = _("%(n)s woondealregio's bijgewerkt naar de afspraken van %(today)s.")
            self.stdout.write(synced % {"n": regions.sync_all(), "today": date.today()})
            return
        if action == "show":
            try:
                on = date.fromisoformat(options["op"]) if options["op"] else None
            except ValueError:
                raise CommandError(_("Geen geldige datum (JJJJ-MM-DD): '%s'.") % options["op"]) from None
            if not Woondeal.objects.filter(code=options["code"]).exists():
                raise CommandError(_("Onbekende woondeal '%s'.") % options["code"])
            version = store.as_agreed_on(options["code"], on)
            if version is None:
                raise CommandError(store.absent(options["code"], on or date.today()))
            for key, value in store.data_of(version).items():
                self.stdout.write(f"{key}: {value}")
            self.stdout.write(
                _("versie: %(number)s (%(date)s, %(author)s: %(reason)s)")
                % {
                    "number": version.number,
                    "date": f"{version.created_at:%Y-%m-%d}",
                    "author": version.author,
                    "reason": version.reason,
                }  # fmt: skip
            )
            return
        if action == "load":
            if not options["reden"].strip():
                raise CommandError(_("Geef de reden van de wijziging (--reden)."))
            try:
                outcomes, warnings = template.load(options["file"], reason=options["reden"], author=options["auteur"])
            except (template.TemplateError, OSError) as error:
                raise CommandError(str(error)) from None
            for warning in warnings:
                self.stderr.write(_("waarschuwing: %s") % warning)
            for outcome in outcomes:  # every deal and the version it got, or that it stayed as it was
                self.stdout.write(template.report_line(outcome))
            self.stdout.write(self.style.SUCCESS(template.summary(outcomes)))
            return
        content = template.write([] if action == "template" else template.export_rows(), options["format"])
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        elif options["format"] == "xlsx":
            raise CommandError(_("Geef --output voor een Excel-bestand."))
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
