from django.core.management import call_command
from django.core.management.base import BaseCommand

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    help = _("Maak of werk de database bij en laad de referentiedata (provincies, gemeenten, herindelingen).")

    def handle(self, *args, **options):
        from django.conf import settings

        from bouwregie.geo.reference import load_reference_data
        from bouwregie.targets.agreements import install_defaults

        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_reference_data()
        counts["afspraken"] = install_defaults()
        call_command("collectstatic", interactive=False, verbosity=0)
        ready = _(
            "Database gereed: %(provincies)s provincies, %(gemeenten)s gemeenten, %(herindelingen)s herindelingen, "
            "%(afspraken)s afspraken"
        )
        self.stdout.write(self.style.SUCCESS(ready % counts))
