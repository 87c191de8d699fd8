import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _

# bouwregie.instruments.api.CHOICES, which imports numpy and the models; tests/test_cli.py checks they agree
VARIANTEN = ("realisatie", "startbouw", "registratie", "beide", "alle")


class Command(BaseCommand):
    help = _(
        "Financiële instrumenten (Afspraak 19 en 5): realisatiestimulans, Woningbouwimpuls, gebiedsbudget, "
        "NPLV-bijdrage; de regelingversies."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        rs = sub.add_parser("realisatiestimulans", help=_("bijdrage per gemeente en jaar, beide varianten"))
        rs.add_argument("--peiling", help=_("bijv. 2026-Q3 (standaard de laatst gesloten peiling)"))
        rs.add_argument("--gemeente", help=_("toon één gemeente (de berekening blijft landelijk: het plafond)"))
        rs.add_argument("--variant", choices=VARIANTEN, default="beide",
                        help=_("beide = realisatie en startbouw; alle = ook op registratie (BAG)"))  # fmt: skip
        rs.add_argument("--format", choices=["table", "json", "csv"], default="table")
        sub.add_parser("regelingen", help=_("alle versies van de regelingen met hun parameters en bronnen"))
        wbi = sub.add_parser(
            "wbi", help=_("Woningbouwimpuls: aanvragen van één tijdvak toetsen, rangschikken, verdelen")
        )
        wbi.add_argument("aanvragen", help=_("CSV (; of ,) of JSON, één aanvraag per rij (docs/instruments.md)"))
        wbi.add_argument("--budget", required=True, help=_("tranchebudget in euro's"))
        wbi.add_argument("--format", choices=["table", "json", "csv"], default="table")
        nplv = sub.add_parser("nplv", help=_("NPLV-bijdrage: woningen per gebied × bedrag per woning, tot het plafond"))
        nplv.add_argument("gebieden", nargs="+", metavar="GEBIED=WONINGEN", help=_("bijv. 'Rotterdam Zuid=12000'"))
        nplv.add_argument("--per-woning", help=_("euro's per woning (€ 10.000–13.000; standaard € 12.000)"))
        nplv.add_argument("--datum", default=None, help=_("de regelingversie van deze dag (standaard vandaag)"))
        gb = sub.add_parser("gebiedsbudget", help=_("gebiedsbudget: een maatregelpakket (JSON) toetsen en berekenen"))
        gb.add_argument("pakket", help=_("JSON-bestand met het pakket (docs/instruments.md)"))
        gb.add_argument("--al-toegekend", default="0", help=_("euro's die al uit het plafond zijn toegekend"))

    def handle(self, *args, what, **options):
        from bouwregie.geo.areas import UnknownArea
        from bouwregie.instruments import api
        from bouwregie.instruments.regulation import RegulationError
        from bouwregie.projects.models import Peiling

        try:
            if what == "regelingen":
                return self._regulations()
            if what == "wbi":
                return self._wbi(options)
            if what == "nplv":
                return self._nplv(options)
            if what == "gebiedsbudget":
                return self._gebiedsbudget(options)
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
        from bouwregie import cells
        from bouwregie.instruments import wbi_file, wbi_rows, woningbouwimpuls
        from bouwregie.instruments.money import euros, parse_euros

        budget = parse_euros(options["budget"])
        assessed = woningbouwimpuls.assess_window(wbi_file.read(Path(options["aanvragen"])), budget)
        rows = [wbi_rows.as_dict(a) for a in assessed]
        if options["format"] == "json":
            return self.stdout.write(json.dumps({"budget_cents": budget, "applications": rows}, ensure_ascii=False,
                                                indent=2, default=str))  # fmt: skip
        if options["format"] == "csv":
            return cells.csv_writer(self.stdout, delimiter=";").writerows(wbi_rows.csv_rows(rows))
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

    def _nplv(self, options):
        from bouwregie.instruments import gebiedsbudget
        from bouwregie.instruments.money import euros, parse_euros

        homes = {}
        for item in options["gebieden"]:
            name, _sep, count = item.rpartition("=")
            if not name.strip() or not count.strip().isdigit():
                raise ValueError(_("Schrijf GEBIED=WONINGEN, bijvoorbeeld 'Rotterdam Zuid=12000'; niet '%s'.") % item)
            homes[name.strip()] = int(count)
        rate = parse_euros(options["per_woning"]) if options["per_woning"] else None
        day = date.fromisoformat(options["datum"]) if options["datum"] else date.today()
        r = gebiedsbudget.nplv_contribution(homes, day, rate)
        scaled = " — plafond bereikt: naar rato" if r["scaled"] else ""
        self.stdout.write(f"NPLV-bijdrage ({r['regulation']}), {euros(r['per_home_cents'])} per woning, plafond "
                          f"{euros(r['ceiling_cents'])}{scaled}")  # fmt: skip
        for area, cents in r["areas"].items():
            self.stdout.write(f"  {area}: {homes[area]} woningen → {euros(cents)}")

    def _gebiedsbudget(self, options):
        from bouwregie.instruments import gebiedsbudget
        from bouwregie.instruments.money import euros, parse_euros

        p = gebiedsbudget.package_from_json(Path(options["pakket"]))
        granted = parse_euros(options["al_toegekend"])
        a = gebiedsbudget.assess_package(p, granted)
        w = self.stdout.write
        w(f"Gebiedsbudget {p.id} ({p.area}) — {a.regulation}")
        w(f"  In aanmerking komende investering {euros(a.eligible_investment_cents)}; regio reserveert "
          f"{euros(p.regional_contribution_cents)}; gevraagd {euros(p.requested_cents)}")  # fmt: skip
        w(f"  Rijksbijdrage: {euros(a.contribution_cents)}" + ("" if not a.failures else " (niet subsidiabel)"))
        for f in a.failures:
            w(f"    ✗ [{f['rule']}] {f['message']}  ({f['source']})")
        for m in a.not_counted:
            w(f"    – niet meegeteld: {m['reason']}  ({m['source']})")

    def _regulations(self):
        from bouwregie.instruments import api

        for r in api.regulations():
            self.stdout.write(f"{r['regeling']} {r['versie']} — geldig vanaf {r['geldig_vanaf']} — {r['bron']}")
            self.stdout.write(f"  bestand: {r['bestand']}")
            for name, table in r["parameters"].items():
                values = {k: v for k, v in table.items() if k not in ("bron", "aanname")}
                flag = " (aanname)" if table.get("aanname") else ""
                self.stdout.write(f"  {name}: {values}{flag}\n      bron: {table['bron']}")

    def _csv(self, r):
        from bouwregie import cells
        from bouwregie.instruments import api

        cells.csv_writer(self.stdout, delimiter=";").writerows(api.csv_rows(r))

    def _table(self, r):
        from bouwregie.instruments.money import euros

        w = self.stdout.write
        w(f"Realisatiestimulans — peiling {r['peiling']}; regeling: {', '.join(r['regulations'])}")
        w(f"  Gemiddeld budget per beoogde woning: {euros(r['average_per_home_cents'])} "
          "(€ 1,6 mld / 230.000 woningen, Afspraak 19.1)")  # fmt: skip
        for variant, v in r["variants"].items():
            label = {"realisatie": "op realisatie (oplevering)", "startbouw": "op start bouw",
                     "registratie": "op registratie (BAG in gebruik, nieuwbouw)"}[variant]  # fmt: skip
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
        if "registration" in r:
            used = ", ".join(f"{e['file_name']} (stand {e['stand_date']})" for e in r["registration"]["bag_extracts"])
            w(f"  Registratie: BAG {used or 'geen extract geladen'}; koppelingsrondes {r['registration']['link_sets']}")
        for warning in r["warnings"]:
            w(f"  Let op: {warning}")
