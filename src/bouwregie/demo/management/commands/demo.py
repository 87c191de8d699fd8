from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


def logins() -> str:
    from bouwregie.demo.loader import DEMO_PASSWORD, DEMO_USER, MARKET_USER

    return _(
        "Demo-login: gebruiker '%(user)s' (beheerder) of '%(market)s' (ontwikkelaar: private mijlpalen), "
        "wachtwoord '%(password)s'"
    ) % {"user": DEMO_USER, "market": MARKET_USER, "password": DEMO_PASSWORD}


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Laad een synthetische landelijke woningbouwpijplijn met peilingen 2023-Q1 t/m 2026-Q3.")

    def add_arguments(self, parser):
        from bouwregie.demo.parameters import DemoParameters

        defaults = DemoParameters()
        parser.add_argument("--projects", type=int, default=defaults.projects, help=_("aantal projecten"))
        parser.add_argument("--seed", type=int, default=defaults.seed, help=_("startwaarde (zelfde seed, zelfde data)"))
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("niets doen als de database al projecten bevat (voor 'make demo')"),
        )

    def handle(self, *args, projects, seed, if_empty, **options):
        from bouwregie.demo.loader import DatabaseNotEmpty, load_demo
        from bouwregie.demo.parameters import DemoParameters
        from bouwregie.forecast.calibration import after_close
        from bouwregie.projects.models import Peiling, Project

        if projects < 1:
            raise CommandError(_("--projects moet minstens 1 zijn."))
        if if_empty and Project.objects.exists():
            self.stdout.write(_("De database bevat al projecten; demodata niet opnieuw geladen."))
            self.stdout.write(logins())
            return
        try:
            load_demo(DemoParameters(projects=projects, seed=seed), progress=self.stdout.write)
        except DatabaseNotEmpty as error:
            raise CommandError(str(error)) from None
        latest = Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").first()
        if latest is not None:
            self.stdout.write(after_close(latest.code))
        self.stdout.write(self.style.SUCCESS(logins()))
