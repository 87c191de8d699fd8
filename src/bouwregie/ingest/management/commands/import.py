import getpass

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    help = _(
        "Importeer een planlijst (.csv, .xlsx, .gpkg, .shp of gezipte shapefile, .geojson) als nieuwe "
        "projectversies. Standaard alles-of-niets; een verslag en validatierapport volgen altijd."
    )
    # Django's system checks load every URL and view (about 1 s per call); an import or export needs none of them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("het bestand"))
        parser.add_argument("--source", help=_("de bron, bijv. 'Provincie Utrecht' (verplicht bij importeren)"))
        parser.add_argument("--profile", help=_("kolomprofiel (naam of .toml-pad); standaard: best passend"))
        parser.add_argument("--sheet", help=_("werkblad (Excel) of laag (GeoPackage)"))
        parser.add_argument("--peiling", help=_("het kwartaal waarover de lijst gaat, bijv. 2025-Q3"))
        parser.add_argument("--dry-run", action="store_true", help=_("alleen controleren, niets opslaan"))
        parser.add_argument("--allow-partial", action="store_true", help=_("geldige regels opslaan, foute overslaan"))
        parser.add_argument("--door", default=getpass.getuser(), help=_("wie importeert (voor het logboek)"))
        parser.add_argument("--report", help=_("pad voor het validatierapport (CSV)"))
        parser.add_argument(
            "--header-row", type=int, help=_("regelnummer (vanaf 1) van de kopregel, als die niet gevonden wordt")
        )
        parser.add_argument(
            "--suggest-profile",
            action="store_true",
            help=_("niet importeren: schrijf een conceptprofiel uit de kolomkoppen (zie docs/profielen.md)"),
        )
        parser.add_argument(
            "--output",
            help=_("met --suggest-profile: pad voor het concept ('-' = scherm); standaard <naam>.profiel.toml"),
        )

    def handle(self, *args, **o):
        from pathlib import Path

        from bouwregie.geo.models import Municipality
        from bouwregie.ingest.importer import ImportOptions, run_import
        from bouwregie.ingest.report import summary

        if o["suggest_profile"]:
            return self.suggest(Path(o["file"]), o)
        if not o["source"]:
            raise CommandError(_("Geef de bron op met --source, bijv. --source 'Provincie Utrecht'."))
        options = ImportOptions(
            source=o["source"], profile=o["profile"], sheet=o["sheet"], peiling=o["peiling"],
            dry_run=o["dry_run"], allow_partial=o["allow_partial"], author=o["door"],
            report_path=Path(o["report"]) if o["report"] else None, header_row=o["header_row"],
        )  # fmt: skip
        result = run_import(o["file"], options)
        names = dict(Municipality.objects.values_list("code", "name"))
        text = summary(result.run, names, result.report_path)
        if result.refused:
            raise CommandError(text)
        self.stdout.write(text)

    def suggest(self, path, o):
        """Write a draft profile for this file's layout instead of importing it (docs/profielen.md)."""

        from pathlib import Path

        from bouwregie.ingest.readers import ImportRefused, read_table
        from bouwregie.ingest.suggest import draft

        try:
            table = read_table(path, o["sheet"], o["header_row"])
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        output = o["output"] or str(path.with_name(f"{path.stem}.profiel.toml"))
        name = path.stem if output == "-" else Path(output).stem.removesuffix(".profiel")
        suggestion = draft(name, path.name, table.columns, table.rows,
                           table.groups, o["header_row"])  # fmt: skip
        if output == "-":
            self.stdout.write(suggestion.toml, ending="")
            self.stderr.write(suggestion.summary())
            return
        if Path(output).exists():
            raise CommandError(
                _("%(path)s bestaat al; kies een ander pad met --output of verwijder het eerst.") % {"path": output}
            )
        Path(output).write_text(suggestion.toml, encoding="utf-8")
        self.stdout.write(_("Conceptprofiel geschreven naar %s") % output)
        self.stdout.write(suggestion.summary())
        self.stdout.write(
            _("Gebruik het na controle met: bouwregie import %(file)s --source BRON --profile %(profile)s")
            % {"file": path, "profile": output}
        )
