import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _

# bouwregie.instruments.api.CHOICES, which imports numpy and the models; tests/test_cli.py checks they agree
VARIANTEN = ("realisatie", "startbouw", "registratie", "beide", "alle")


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
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
        w(_("Woningbouwimpuls — tijdvak %(window)s, budget %(budget)s, toegekend %(granted)s; regeling: %(regulation)s")
          % {"window": assessed[0].application.window, "budget": euros(budget), "granted": euros(granted),
             "regulation": assessed[0].regulation})  # fmt: skip
        for r in rows:
            rank = f"{r['rank']:>3}." if r["rank"] else "  -"
            score = f", score {str(r['total_score']).replace('.', ',')} {r['scores']}" if r["scores"] else ""
            amounts = (_("tekort %(deficit)s, max. bijdrage %(max)s, toegekend %(granted)s")
                       % {"deficit": euros(r["deficit_cents"]), "max": euros(r["max_contribution_cents"]),
                          "granted": euros(r["granted_cents"])})  # fmt: skip
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
        scaled = " — " + _("plafond bereikt: naar rato") if r["scaled"] else ""
        self.stdout.write(_("NPLV-bijdrage (%(regulation)s), %(rate)s per woning, plafond %(ceiling)s")
                          % {"regulation": r["regulation"], "rate": euros(r["per_home_cents"]),
                             "ceiling": euros(r["ceiling_cents"])} + scaled)  # fmt: skip
        for area, cents in r["areas"].items():
            self.stdout.write(
                f"  {area}: " + _("%(homes)s woningen → %(amount)s") % {"homes": homes[area], "amount": euros(cents)}
            )

    def _gebiedsbudget(self, options):
        from bouwregie.instruments import gebiedsbudget
        from bouwregie.instruments.money import euros, parse_euros

        p = gebiedsbudget.package_from_json(Path(options["pakket"]))
        granted = parse_euros(options["al_toegekend"])
        a = gebiedsbudget.assess_package(p, granted)
        w = self.stdout.write
        w(
            _("Gebiedsbudget %(id)s (%(area)s) — %(regulation)s")
            % {"id": p.id, "area": p.area, "regulation": a.regulation}
        )
        w("  " + _("In aanmerking komende investering %(eligible)s; regio reserveert %(regional)s; gevraagd %(asked)s")
          % {"eligible": euros(a.eligible_investment_cents), "regional": euros(p.regional_contribution_cents),
             "asked": euros(p.requested_cents)})  # fmt: skip
        w("  " + _("Rijksbijdrage: %s") % euros(a.contribution_cents)
          + ("" if not a.failures else " " + _("(niet subsidiabel)")))  # fmt: skip
        for f in a.failures:
            w(f"    ✗ [{f['rule']}] {f['message']}  ({f['source']})")
        for m in a.not_counted:
            w("    – " + _("niet meegeteld: %(reason)s  (%(source)s)") % m)

    def _regulations(self):
        from bouwregie.instruments import api

        for r in api.regulations():
            self.stdout.write(_("%(regeling)s %(versie)s — geldig vanaf %(geldig_vanaf)s — %(bron)s") % r)
            self.stdout.write("  " + _("bestand: %s") % r["bestand"])
            for name, table in r["parameters"].items():
                values = {k: v for k, v in table.items() if k not in ("bron", "aanname")}
                flag = " " + _("(aanname)") if table.get("aanname") else ""
                self.stdout.write(f"  {name}: {values}{flag}\n      " + _("bron: %s") % table["bron"])

    def _csv(self, r):
        from bouwregie import cells
        from bouwregie.instruments import api

        cells.csv_writer(self.stdout, delimiter=";").writerows(api.csv_rows(r))

    def _table(self, r):
        from bouwregie.instruments.money import euros

        w = self.stdout.write
        w(_("Realisatiestimulans — peiling %(peiling)s; regeling: %(regulations)s")
          % {"peiling": r["peiling"], "regulations": ", ".join(r["regulations"])})  # fmt: skip
        w("  " + _("Gemiddeld budget per beoogde woning: %s (€ 1,6 mld / 230.000 woningen, Afspraak 19.1)")
          % euros(r["average_per_home_cents"]))  # fmt: skip
        for variant, v in r["variants"].items():
            label = {"realisatie": _("op realisatie (oplevering)"), "startbouw": _("op start bouw"),
                     "registratie": _("op registratie (BAG in gebruik, nieuwbouw)")}[variant]  # fmt: skip
            w(
                "  "
                + _("Variant %(label)s: totaal uitbetaald %(paid)s") % {"label": label, "paid": euros(v["paid_cents"])}
            )
            for year, y in v["years"].items():
                scaled = " — " + _("plafond bereikt: naar rato verlaagd") if y["scaled"] else ""
                scaled += "" if y["complete"] else " " + _("(jaar loopt nog: t/m peildatum %s)") % r["reference_date"]
                w(
                    f"    {year}: "
                    + _(
                        "aanspraak %(claims)s, plafond %(ceiling)s, verrekend %(set_off)s, opslagen "
                        "%(surcharges)s, uitbetaald %(paid)s in %(payment)s"
                    )
                    % {
                        **{
                            key: euros(y[f"{key}_cents"])
                            for key in ("claims", "ceiling", "set_off", "surcharges", "paid")
                        },
                        "payment": y["payment"],
                    }
                    + scaled
                )
            for m in v["municipalities"][:400]:
                years = "; ".join(f"{year}: " + _("%(homes)s won. → %(paid)s")
                                  % {"homes": sum(y["homes"].values()), "paid": euros(y["paid_cents"])}
                                  for year, y in m["years"].items())  # fmt: skip
                w(f"    {m['code']} {m['name']}: {euros(m['paid_cents'])} ({years})")
        if "registration" in r:
            used = ", ".join(f"{e['file_name']} (stand {e['stand_date']})" for e in r["registration"]["bag_extracts"])
            w("  " + _("Registratie: BAG %(used)s; koppelingsrondes %(rounds)s")
              % {"used": used or _("geen extract geladen"), "rounds": r["registration"]["link_sets"]})  # fmt: skip
        for warning in r["warnings"]:
            w("  " + _("Let op: %s") % warning)
