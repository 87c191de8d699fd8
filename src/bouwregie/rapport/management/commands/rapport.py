from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie import taal
from bouwregie.taal import gettext as _

# Written out here so that `--help` needs no Django set-up (issue #22); tests/test_cli.py checks that they agree
# with rapport.content.LANGUAGES and REPORT_RUNS.
LANGUAGES = ("nl", "en")
REPORT_RUNS = 500


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("De kwartaalrapportage van een gebied en gesloten peiling als PDF of Excel (issue #20).")

    def add_arguments(self, parser):
        parser.add_argument("--area", default="NL", help=_("NL, PV26, GM0344 of de code van een regio"))
        parser.add_argument("--peiling", required=True, help=_("een gesloten peiling, bijv. 2025-Q3"))
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
        audience = parser.add_mutually_exclusive_group()
        audience.add_argument("--publiek", dest="audience", action="store_const", const="publiek",
                              help=_("openbare versie, zonder open boeken (standaard)"))  # fmt: skip
        audience.add_argument("--tafel", dest="audience", action="store_const", const="tafel",
                              help=_("versie voor de partijen aan tafel, met open boeken (vertrouwelijk)"))  # fmt: skip
        parser.add_argument("--lang", choices=LANGUAGES, default=None,
                            help=_("de taal van het rapport (standaard de taal van de opdrachtregel)"))  # fmt: skip
        parser.add_argument("--runs", type=int, default=None,
                            help=_("runs van de prognose (%s)") % REPORT_RUNS)  # fmt: skip
        parser.add_argument("--output", required=True, help=_("het bestand om te schrijven"))

    def handle(self, *args, area, peiling, format, audience, lang, runs, output, **options):
        from bouwregie.geo.areas import UnknownArea
        from bouwregie.rapport import content
        from bouwregie.rapport.output import render

        if runs is not None and not 1 <= runs <= 100_000:
            raise CommandError(_("--runs moet tussen 1 en 100000 liggen, niet %s.") % runs)
        try:
            report = content.build(area, peiling, audience or "publiek", lang or taal.taal(), forecast_runs=runs)
        except (content.ReportRefused, UnknownArea) as error:
            raise CommandError(str(error)) from None
        data = render(report, format)
        Path(output).write_bytes(data)
        self.stdout.write(f"{output}: {len(data):,} bytes".replace(",", "."))
