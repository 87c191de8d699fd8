from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.geo.areas import UnknownArea
from bouwregie.rapport import content
from bouwregie.rapport.output import render


class Command(BaseCommand):
    help = "De kwartaalrapportage van een gebied en gesloten peiling als PDF of Excel (issue #20)."

    def add_arguments(self, parser):
        parser.add_argument("--area", default="NL", help="NL, PV26, GM0344 of de code van een regio")
        parser.add_argument("--peiling", required=True, help="een gesloten peiling, bijv. 2025-Q3")
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
        audience = parser.add_mutually_exclusive_group()
        audience.add_argument("--publiek", dest="audience", action="store_const", const="publiek",
                              help="openbare versie, zonder open boeken (standaard)")  # fmt: skip
        audience.add_argument("--tafel", dest="audience", action="store_const", const="tafel",
                              help="versie voor de partijen aan tafel, met open boeken (vertrouwelijk)")  # fmt: skip
        parser.add_argument("--lang", choices=list(content.LANGUAGES), default="nl")
        parser.add_argument("--runs", type=int, default=None, help=f"runs van de prognose ({content.REPORT_RUNS})")
        parser.add_argument("--output", required=True, help="het bestand om te schrijven")

    def handle(self, *args, area, peiling, format, audience, lang, runs, output, **options):
        if runs is not None and not 1 <= runs <= 100_000:
            raise CommandError(f"--runs moet tussen 1 en 100000 liggen, niet {runs}.")
        try:
            report = content.build(area, peiling, audience or "publiek", lang, forecast_runs=runs)
        except (content.ReportRefused, UnknownArea) as error:
            raise CommandError(str(error)) from None
        data = render(report, format)
        Path(output).write_bytes(data)
        self.stdout.write(f"{output}: {len(data):,} bytes".replace(",", "."))
