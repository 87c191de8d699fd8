"""`bouwregie backup BESTAND [--check] [--force]`: the whole database in one file (docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # the URL checks import the whole API (2 s); nothing here needs them
    help = _(
        "Maak een backup van de hele database (SQLite of PostgreSQL) met een manifest om het terugzetten te "
        "controleren; ook eigen importprofielen, regelingen en convenantkaders."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("het backupbestand, bijvoorbeeld bouwregie-2025-10-01.zip"))
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("daarna proefterugzetten in een tijdelijke database en vergelijken met het manifest"),
        )
        parser.add_argument("--force", action="store_true", help=_("een bestaand bestand overschrijven"))

    def handle(self, *args, file, check, force, **options):
        from django.db import DatabaseError

        from bouwregie.backup import archive, engines
        from bouwregie.backup.report import checked, summary
        from bouwregie.formatting import decimal

        path = Path(file)
        try:
            manifest = engines.make_backup(path, force=force)
            size = path.stat().st_size / 1_000_000
            self.stdout.write(
                self.style.SUCCESS(
                    _("Backup geschreven naar %(path)s (%(size)s MB): ") % {"path": path, "size": decimal(size)}
                )
                + summary(manifest)
            )
            if check:
                found = engines.restore(path, archive.read_manifest(path), trial=True)
                self.stdout.write(self.style.SUCCESS(_("Controle geslaagd: ")) + checked(found))
        except archive.BackupError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:  # e.g. DATABASE_URL names a database that does not exist
            raise CommandError(_("De database is niet bereikbaar: %s") % error) from None
