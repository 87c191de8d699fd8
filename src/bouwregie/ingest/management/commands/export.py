from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.ingest.export import FORMATS, export


class Command(BaseCommand):
    help = "Exporteer de projecten in het standaardsjabloon (csv, xlsx, gpkg of geojson)."
    # Django's system checks load every URL and view (about 1 s per call); an import or export needs none of them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--output", help="bestandsnaam (standaard projecten.<formaat>)")
        parser.add_argument("--peiling", help="de projecten zoals ze in deze peiling stonden")
        parser.add_argument("--crs", default="EPSG:4326", help="coördinatenstelsel voor gpkg, bijv. EPSG:28992")

    def handle(self, *args, **o):
        if o["format"] == "geojson" and o["crs"] != "EPSG:4326":
            raise CommandError("GeoJSON is altijd WGS84 (EPSG:4326); gebruik gpkg voor RD New.")
        path = Path(o["output"] or f"projecten.{o['format']}")
        try:
            count = export(path, o["format"], o["peiling"], o["crs"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"{count} projecten geschreven naar {path}"))
