"""`bouwregie restore BESTAND [--force] [--dry-run]`: a backup back into the database behind DATABASE_URL,
checked against its manifest (docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # the URL checks import the whole API (2 s); nothing here needs them
    help = _(
        "Zet een backup terug in de database van DATABASE_URL (die leeg moet zijn, tenzij --force) en controleer "
        "dat de historie compleet is."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("een bestand gemaakt met 'bouwregie backup'"))
        parser.add_argument("--force", action="store_true", help=_("een database die al gegevens bevat overschrijven"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("alleen controleren: proefterugzetten in een tijdelijke database; de eigen blijft onaangeroerd"),
        )

    def handle(self, *args, file, force, dry_run, **options):
        from django.db import DatabaseError

        from bouwregie.backup import archive, engines, facts
        from bouwregie.backup.report import checked, summary

        path = Path(file)
        try:
            manifest = archive.read_manifest(path)
            found = engines.restore(path, manifest, force=force, trial=dry_run)
        except archive.BackupError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:  # e.g. DATABASE_URL names a database that does not exist
            raise CommandError(_("De database is niet bereikbaar: %s") % error) from None
        made = _("backup van %(when)s, Bouwregie %(version)s") % {
            "when": manifest.get("created_at", "?"),
            "version": manifest.get("app_version", "?"),
        }
        if dry_run:
            self.stdout.write(_("Proef met %(path)s (%(made)s): ") % {"path": path, "made": made} + summary(manifest))
        else:
            self.stdout.write(
                _("Teruggezet uit %(path)s (%(made)s): ") % {"path": path, "made": made} + summary(manifest)
            )
        self.stdout.write(self.style.SUCCESS(_("Controle geslaagd: ")) + checked(found))
        if manifest.get("app_version") != engines.app_version():
            self.stdout.write(
                _("De monitorcijfers zijn niet vergeleken: de backup is van Bouwregie %(backup)s, dit is %(ours)s.")
                % {"backup": manifest.get("app_version", "?"), "ours": engines.app_version()}
            )
        if not dry_run:
            written, kept = archive.restore_config(path, manifest, force)
            for name in written:
                self.stdout.write(_("Teruggezet: %s") % name)
            for name in kept:
                self.stdout.write(
                    _("Niet overschreven (bestaat al, met andere inhoud; --force overschrijft): %s") % name
                )
            pending = facts.pending_migrations(manifest.get("migrations", {}))
            if pending:
                self.stdout.write(
                    _("De backup is van een oudere versie: voer nu 'bouwregie init' uit om de database bij te werken "
                      "(%d migraties).") % len(pending)
                )  # fmt: skip
