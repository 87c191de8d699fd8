from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Het importlogboek: 'imports list', 'imports show ID' of 'imports cleanup'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help=_("alle imports, nieuwste eerst"))
        show = sub.add_parser("show", help=_("verslag van één import, met alle meldingen"))
        show.add_argument("id", type=int)
        sub.add_parser("cleanup", help=_("verwijder geüploade bestanden die niemand meer gebruikt (zie docs/web.md)"))

    def handle(self, *args, action, **options):
        from bouwregie.formatting import number
        from bouwregie.geo.models import Municipality
        from bouwregie.ingest.models import ImportRun
        from bouwregie.ingest.report import summary

        if action == "cleanup":
            from bouwregie.ingest.uploads import forget_stale_uploads

            self.stdout.write(_("%d geüploade bestanden verwijderd.") % forget_stale_uploads())
            return
        if action == "list":
            runs = ImportRun.objects.all()
            if not runs:
                self.stdout.write(_("Nog geen imports."))
            for r in runs:
                c = r.counts
                self.stdout.write(
                    f"#{r.pk:<5} {r.created_at:%Y-%m-%d %H:%M}  {r.author:<12} {r.status:<13} {r.source:<24} "
                    f"{r.file_name:<30} "
                    + _("%(new)s nieuw, %(changed)s gewijzigd, %(missing)s weg, %(rejected)s afgewezen")
                    % {key: number(c.get(key, 0)) for key in ("new", "changed", "missing", "rejected")}
                )
            return
        run = ImportRun.objects.filter(pk=options["id"]).first()
        if run is None:
            raise CommandError(_("Import #%s bestaat niet.") % options["id"])
        names = dict(Municipality.objects.values_list("code", "name"))
        self.stdout.write(summary(run, names, None, limit=len(run.problems)))
