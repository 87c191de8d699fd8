from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from bouwregie.formatting import number
from bouwregie.projects import services
from bouwregie.projects.models import Peiling


class Command(BaseCommand):
    help = "Peilingen tonen of een kwartaal afsluiten: 'peiling list' of 'peiling close 2025-Q3'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Alle peilingen met hun status")
        close = sub.add_parser("close", help="Een peiling afsluiten (onomkeerbaar)")
        close.add_argument("code", help="bijvoorbeeld 2025-Q3")
        close.add_argument("--door", default="cli", help="naam van wie afsluit")
        close.add_argument(
            "--allow-running-quarter",
            action="store_true",
            help="ook sluiten als het kwartaal nog loopt (de stand van vandaag wordt vastgelegd)",
        )

    def handle(self, *args, action, **options):
        if action == "list":
            rows = Peiling.objects.annotate(n=Count("entries")).order_by("year", "quarter")
            if not rows:
                self.stdout.write("Nog geen peilingen.")
            for p in rows:
                status = f"gesloten {p.closed_at:%-d-%-m-%Y %H:%M} door {p.closed_by}" if p.is_closed else "open"
                self.stdout.write(f"{p.code}  {status:<45} {number(p.n):>7} projecten")
            return
        try:
            peiling = services.close_peiling(
                options["code"], author=options["door"], allow_running=options["allow_running_quarter"]
            )
        except services.QuarterRunningError as error:
            raise CommandError(f"{error} Sluit toch met --allow-running-quarter.") from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Peiling {peiling.code} gesloten met {number(peiling.entries.count())} projecten.")
        )
        from bouwregie.forecast.calibration import after_close  # the forecast builds on projects, not the reverse

        self.stdout.write(after_close(peiling.code))
