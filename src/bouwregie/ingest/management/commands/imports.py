from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bouwregie.formatting import number
from bouwregie.geo.models import Municipality
from bouwregie.ingest.models import ImportRun
from bouwregie.ingest.report import summary


class Command(BaseCommand):
    help = "Het importlogboek: 'imports list', 'imports show ID' of 'imports cleanup'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="alle imports, nieuwste eerst")
        show = sub.add_parser("show", help="verslag van één import, met alle meldingen")
        show.add_argument("id", type=int)
        sub.add_parser("cleanup", help="verwijder geüploade bestanden die niemand meer gebruikt (zie docs/web.md)")

    def handle(self, *args, action, **options):
        if action == "cleanup":
            from bouwregie.ingest.uploads import forget_stale_uploads

            self.stdout.write(_("%d geüploade bestanden verwijderd.") % forget_stale_uploads())
            return
        if action == "list":
            runs = ImportRun.objects.all()
            if not runs:
                self.stdout.write("Nog geen imports.")
            for r in runs:
                c = r.counts
                self.stdout.write(
                    f"#{r.pk:<5} {r.created_at:%Y-%m-%d %H:%M}  {r.author:<12} {r.status:<13} {r.source:<24} "
                    f"{r.file_name:<30} {number(c.get('new', 0))} nieuw, {number(c.get('changed', 0))} gewijzigd, "
                    f"{number(c.get('missing', 0))} weg, {number(c.get('rejected', 0))} afgewezen"
                )
            return
        run = ImportRun.objects.filter(pk=options["id"]).first()
        if run is None:
            raise CommandError(f"Import #{options['id']} bestaat niet.")
        names = dict(Municipality.objects.values_list("code", "name"))
        self.stdout.write(summary(run, names, None, limit=len(run.problems)))
