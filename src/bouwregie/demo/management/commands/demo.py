from django.core.management.base import BaseCommand, CommandError

from bouwregie.demo.loader import DEMO_PASSWORD, DEMO_USER, DatabaseNotEmpty, load_demo
from bouwregie.demo.parameters import DemoParameters


class Command(BaseCommand):
    help = "Laad een synthetische landelijke woningbouwpijplijn met peilingen 2023-Q1 t/m 2026-Q3."

    def add_arguments(self, parser):
        defaults = DemoParameters()
        parser.add_argument("--projects", type=int, default=defaults.projects, help="aantal projecten")
        parser.add_argument("--seed", type=int, default=defaults.seed, help="startwaarde (zelfde seed, zelfde data)")

    def handle(self, *args, projects, seed, **options):
        if projects < 1:
            raise CommandError("--projects moet minstens 1 zijn.")
        try:
            load_demo(DemoParameters(projects=projects, seed=seed), progress=self.stdout.write)
        except DatabaseNotEmpty as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Demo-login: gebruiker '{DEMO_USER}', wachtwoord '{DEMO_PASSWORD}'"))
