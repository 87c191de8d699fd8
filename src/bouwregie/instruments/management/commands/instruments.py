import csv
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.geo.areas import UnknownArea
from bouwregie.instruments import api, wbi_file, wbi_rows, woningbouwimpuls
from bouwregie.instruments.money import euros
from bouwregie.instruments.regulation import RegulationError
from bouwregie.projects.models import Peiling


class Command(BaseCommand):
    help = "Financiële instrumenten (Afspraak 19): realisatiestimulans per gemeente en jaar; de regelingversies."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        rs = sub.add_parser("realisatiestimulans", help="bijdrage per gemeente en jaar, beide varianten")
        rs.add_argument("--peiling", help="bijv. 2026-Q3 (standaard de laatst gesloten peiling)")
        rs.add_argument("--gemeente", help="toon één gemeente (de berekening blijft landelijk: het plafond)")
        rs.add_argument("--variant", choices=["realisatie", "startbouw", "beide"], default="beide")
        rs.add_argument("--format", choices=["table", "json", "csv"], default="table")
        sub.add_parser("regelingen", help="alle versies van de regelingen met hun parameters en bronnen")
        wbi = sub.add_parser("wbi", help="Woningbouwimpuls: aanvragen van één tijdvak toetsen, rangschikken, verdelen")
        wbi.add_argument("aanvragen", help="CSV (; of ,) of JSON, één aanvraag per rij (docs/instruments.md)")
        wbi.add_argument("--budget", required=True, help="tranchebudget in euro's")
        wbi.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args, what, **options):
        try:
            if what == "regelingen":
                return self._regulations()
            if what == "wbi":
                return self._wbi(options)
            result = api.realisatiestimulans(options["peiling"], options["gemeente"], options["variant"])
        except (ValueError, UnknownArea, RegulationError, Peiling.DoesNotExist) as error:  # file errors too
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif options["format"] == "csv":
            self._csv(result)
        else:
            self._table(result)

    def _wbi(self, options):
        budget = wbi_file._cents({"budget": options["budget"]}, "budget")
        assessed = woningbouwimpuls.assess_window(wbi_file.read(Path(options["aanvragen"])), budget)
        rows = [wbi_rows.as_dict(a) for a in assessed]
        if options["format"] == "json":
            return self.stdout.write(json.dumps({"budget_cents": budget, "applications": rows}, ensure_ascii=False,
                                                indent=2, default=str))  # fmt: skip
        if options["format"] == "csv":
            return csv.writer(sys.stdout, delimiter=";").writerows(wbi_rows.csv_rows(rows))
        w = self.stdout.write
        granted = sum(r["granted_cents"] for r in rows)
        w(f"Woningbouwimpuls — tijdvak {assessed[0].application.window}, budget {euros(budget)}, "
          f"toegekend {euros(granted)}; regeling: {assessed[0].regulation}")  # fmt: skip
        for r in rows:
            rank = f"{r['rank']:>3}." if r["rank"] else "  -"
            score = f", score {str(r['total_score']).replace('.', ',')} {r['scores']}" if r["scores"] else ""
            amounts = (f"tekort {euros(r['deficit_cents'])}, max. bijdrage {euros(r['max_contribution_cents'])}, "
                       f"toegekend {euros(r['granted_cents'])}")  # fmt: skip
            w(f"  {rank} {r['id']} ({r['municipality']}): {r['decision']} — {amounts}{score}")
            for f in r["failures"]:
                w(f"       ✗ [{f['rule']}] {f['message']}  ({f['source']})")

    def _regulations(self):
        for r in api.regulations():
            self.stdout.write(f"{r['regeling']} {r['versie']} — geldig vanaf {r['geldig_vanaf']} — {r['bron']}")
            self.stdout.write(f"  bestand: {r['bestand']}")
            for name, table in r["parameters"].items():
                values = {k: v for k, v in table.items() if k not in ("bron", "aanname")}
                flag = " (aanname)" if table.get("aanname") else ""
                self.stdout.write(f"  {name}: {values}{flag}\n      bron: {table['bron']}")

    def _csv(self, r):
        csv.writer(sys.stdout, delimiter=";").writerows(api.csv_rows(r))

    def _table(self, r):
        w = self.stdout.write
        w(f"Realisatiestimulans — peiling {r['peiling']}; regeling: {', '.join(r['regulations'])}")
        w(f"  Gemiddeld budget per beoogde woning: {euros(r['average_per_home_cents'])} "
          "(€ 1,6 mld / 230.000 woningen, Afspraak 19.1)")  # fmt: skip
        for variant, v in r["variants"].items():
            label = "op realisatie (oplevering)" if variant == "realisatie" else "op start bouw"
            w(f"  Variant {label}: totaal uitbetaald {euros(v['paid_cents'])}")
            for year, y in v["years"].items():
                scaled = " — plafond bereikt: naar rato verlaagd" if y["scaled"] else ""
                scaled += "" if y["complete"] else f" (jaar loopt nog: t/m peildatum {r['reference_date']})"
                w(f"    {year}: aanspraak {euros(y['claims_cents'])}, plafond {euros(y['ceiling_cents'])}, "
                  f"verrekend {euros(y['set_off_cents'])}, opslagen {euros(y['surcharges_cents'])}, "
                  f"uitbetaald {euros(y['paid_cents'])} in {y['payment']}{scaled}")  # fmt: skip
            for m in v["municipalities"][:400]:
                years = "; ".join(f"{year}: {sum(y['homes'].values())} won. → {euros(y['paid_cents'])}"
                                  for year, y in m["years"].items())  # fmt: skip
                w(f"    {m['code']} {m['name']}: {euros(m['paid_cents'])} ({years})")
        for warning in r["warnings"]:
            w(f"  Let op: {warning}")
