import getpass

from django.core.management.base import BaseCommand, CommandError

from bouwregie.geo.models import Municipality
from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.ingest.report import summary


class Command(BaseCommand):
    help = (
        "Importeer een planlijst (.csv, .xlsx, .gpkg, .shp of gezipte shapefile, .geojson) als nieuwe "
        "projectversies. Standaard alles-of-niets; een verslag en validatierapport volgen altijd."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="het bestand")
        parser.add_argument("--source", required=True, help="de bron, bijv. 'Provincie Utrecht'")
        parser.add_argument("--profile", help="kolomprofiel (naam of .toml-pad); standaard: best passend")
        parser.add_argument("--sheet", help="werkblad (Excel) of laag (GeoPackage)")
        parser.add_argument("--peiling", help="het kwartaal waarover de lijst gaat, bijv. 2025-Q3")
        parser.add_argument("--dry-run", action="store_true", help="alleen controleren, niets opslaan")
        parser.add_argument("--allow-partial", action="store_true", help="geldige regels opslaan, foute overslaan")
        parser.add_argument("--door", default=getpass.getuser(), help="wie importeert (voor het logboek)")
        parser.add_argument("--report", help="pad voor het validatierapport (CSV)")

    def handle(self, *args, **o):
        from pathlib import Path

        options = ImportOptions(
            source=o["source"], profile=o["profile"], sheet=o["sheet"], peiling=o["peiling"],
            dry_run=o["dry_run"], allow_partial=o["allow_partial"], author=o["door"],
            report_path=Path(o["report"]) if o["report"] else None,
        )  # fmt: skip
        result = run_import(o["file"], options)
        names = dict(Municipality.objects.values_list("code", "name"))
        text = summary(result.run, names, result.report_path)
        if result.refused:
            raise CommandError(text)
        self.stdout.write(text)
