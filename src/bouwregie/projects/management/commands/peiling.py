from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Peilingen tonen of een kwartaal afsluiten: 'peiling list' of 'peiling close 2025-Q3'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help=_("Alle peilingen met hun status"))
        close = sub.add_parser("close", help=_("Een peiling afsluiten (onomkeerbaar)"))
        close.add_argument("code", help=_("bijvoorbeeld 2025-Q3"))
        close.add_argument("--door", default="cli", help=_("naam van wie afsluit"))
        close.add_argument(
            "--allow-running-quarter",
            action="store_true",
            help=_("ook sluiten als het kwartaal nog loopt (de stand van vandaag wordt vastgelegd)"),
        )

    def handle(self, *args, action, **options):
        from django.db.models import Count

        from bouwregie.formatting import number
        from bouwregie.projects import services
        from bouwregie.projects.models import Peiling

        if action == "list":
            rows = Peiling.objects.annotate(n=Count("entries")).order_by("year", "quarter")
            if not rows:
                self.stdout.write(_("Nog geen peilingen."))
            for p in rows:
                closed = {"when": f"{p.closed_at:%-d-%-m-%Y %H:%M}", "who": p.closed_by} if p.is_closed else {}
                status = _("gesloten %(when)s door %(who)s") % closed if p.is_closed else _("open")
                self.stdout.write(f"{p.code}  {status:<45} " + _("%s projecten") % f"{number(p.n):>7}")
            return
        try:
            peiling = services.close_peiling(
                options["code"], author=options["door"], allow_running=options["allow_running_quarter"]
            )
        except services.QuarterRunningError as error:
            raise CommandError(f"{error} " + _("Sluit toch met --allow-running-quarter.")) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Peiling %(code)s gesloten met %(n)s projecten.")
                % {"code": peiling.code, "n": number(peiling.entries.count())}
            )
        )
        from bouwregie.forecast.calibration import after_close  # the forecast builds on projects, not the reverse

        self.stdout.write(after_close(peiling.code))
