from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Afspraken: 'targets list', 'targets load BESTAND.csv' of 'targets defaults'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help=_("alle afspraken met hun bron"))
        load = sub.add_parser(
            "load", help=_("afspraken laden uit CSV (gebied;indicator;periode;totaal;aandeel;jaarschijven;bron)")
        )
        load.add_argument("file")
        sub.add_parser("defaults", help=_("de meegeleverde landelijke en provinciale afspraken (opnieuw) laden"))

    def handle(self, *args, action, **options):
        from bouwregie.formatting import number
        from bouwregie.targets.agreements import TargetFileError, install_defaults, load_file
        from bouwregie.targets.models import Target

        if action == "list":
            for t in Target.objects.all():
                amount = f"{t.share}" if t.share is not None else number(t.total)
                self.stdout.write(f"{t.area:<8} {t.metric:<22} {t.first_year}-{t.last_year} {amount:>10}  {t.source}")
            return
        try:
            count = load_file(options["file"]) if action == "load" else install_defaults()
        except (TargetFileError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(_("%s afspraken geladen.") % count))
