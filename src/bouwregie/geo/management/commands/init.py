from django.core.management import call_command
from django.core.management.base import BaseCommand

from bouwregie.geo.reference import load_reference_data
from bouwregie.targets.agreements import install_defaults


class Command(BaseCommand):
    help = "Maak of werk de database bij en laad de referentiedata (provincies, gemeenten, herindelingen)."

    def handle(self, *args, **options):
        from django.conf import settings

        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_reference_data()
        counts["afspraken"] = install_defaults()
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            self.style.SUCCESS("Database gereed: ") + ", ".join(f"{n} {what}" for what, n in counts.items())
        )
