from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _

# bouwregie.ingest.export.FORMATS, which imports numpy and shapely; tests/test_cli.py checks they agree
FORMATS = ("csv", "xlsx", "gpkg", "geojson")


class Command(BaseCommand):
    help = _("Exporteer de projecten in het standaardsjabloon (csv, xlsx, gpkg of geojson).")
    # Django's system checks load every URL and view (about 1 s per call); an import or export needs none of them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--output", help=_("bestandsnaam (standaard projecten.<formaat>)"))
        parser.add_argument("--peiling", help=_("de projecten zoals ze in deze peiling stonden"))
        parser.add_argument("--crs", default="EPSG:4326", help=_("coördinatenstelsel voor gpkg, bijv. EPSG:28992"))

    def handle(self, *args, **o):
        from bouwregie.ingest.export import export

        if o["format"] == "geojson" and o["crs"] != "EPSG:4326":
            raise CommandError(_("GeoJSON is altijd WGS84 (EPSG:4326); gebruik gpkg voor RD New."))
        path = Path(o["output"] or f"{_('projecten')}.{o['format']}")
        try:
            count = export(path, o["format"], o["peiling"], o["crs"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(_("%(count)s projecten geschreven naar %(path)s") % {"count": count, "path": path})
        )
