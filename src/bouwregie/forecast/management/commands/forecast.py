import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _(
        "Prognose van opleveringen (Monte Carlo): P10/P50/P90 per jaar en segment, kans om de afspraken te "
        "halen, scenario's; ook de kalibratie en een backtest."
    )

    def add_arguments(self, parser):
        from bouwregie.forecast.scenarios import SCENARIOS

        parser.add_argument("--area", default="NL", help=_("NL, PV27, GM0344, een gemeentenaam of een regiocode"))
        parser.add_argument("--peiling", help=_("bijv. 2026-Q3 (standaard de laatst gesloten peiling)"))
        parser.add_argument("--runs", type=int, help=_("aantal trekkingen (standaard 10.000)"))
        parser.add_argument("--horizon", type=int, help=_("laatste jaar (2035)"))
        choices = ", ".join(SCENARIOS)
        compare = _("vergelijk met de basis: %(choices)s (meerdere: komma's)") % {"choices": choices}
        parser.add_argument("--scenario", action="append", default=[], help=compare)
        parser.add_argument("--seed", type=int, default=2025, help=_("zelfde seed, zelfde uitkomst"))
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument("--calibration", action="store_true", help=_("toon alleen de kalibratie"))
        parser.add_argument(
            "--backtest", metavar="PEILING", help=_("prognose vanaf deze eerdere peiling vs. realisatie")
        )

    def handle(self, *args, area, peiling, runs, horizon, scenario, seed, format, calibration, backtest, **options):
        from bouwregie.forecast import api
        from bouwregie.geo.areas import UnknownArea
        from bouwregie.projects.models import Peiling

        runs = api.DEFAULT_RUNS if runs is None else runs
        horizon = api.DEFAULT_HORIZON if horizon is None else horizon
        try:
            if calibration:
                result = api.calibration(peiling)
                return self._out(result, format, self._calibration_table)
            if backtest:
                result = api.backtest(backtest, peiling, runs=min(runs, 2000), seed=seed)
                return self._out(result, format, self._backtest_table)
            result = api.forecast(area, peiling, runs, horizon, tuple(scenario), seed)
        except (ValueError, UnknownArea, Peiling.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        self._out(result, format, self._table)

    def _out(self, result, format, table):
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif format == "csv":
            self._csv(result)
        else:
            table(result)

    def _csv(self, r):
        from bouwregie import cells
        from bouwregie.forecast import results

        writer = cells.csv_writer(self.stdout, delimiter=";")
        if "series" not in r:
            rows = r.get("comparisons") or r.get("steps") or []
            if rows:
                writer.writerow(list(rows[0]))
                writer.writerows(list(row.values()) for row in rows)
            return
        writer.writerows(results.csv_rows(r))

    def _table(self, r):
        from bouwregie.formatting import decimal as _d
        from bouwregie.formatting import number as _n
        from bouwregie.formatting import percent as _pct

        w = self.stdout.write
        w(_("Prognose %(name)s (%(code)s) — peiling %(peiling)s (peildatum %(reference_date)s), %(runs)s runs, "
            "seed %(seed)s") % {**r, **r["area"], "runs": _n(r["runs"])})  # fmt: skip
        w(
            "  "
            + _("%(projects)s projecten met nog %(homes)s woningen te gaan (%(seconds)s s)")
            % {"projects": _n(r["projects"]), "homes": _n(r["homes_to_deliver"]), "seconds": _d(r["seconds"])}
        )
        total = r["series"]["totaal"]
        w(f"  {_('Opleveringen per jaar (woningen)'):<34}    P10        P50        P90 {_('verwachting'):>13} "
          f"{_('betaalbaar P50'):>16}")  # fmt: skip
        for year, v in total["years"].items():
            a = r["series"]["betaalbaar"]["years"][year]
            first = "*" if year == str(r["years"][0]) else " "
            w(f"    {year}{first}{_n(v['p10']):>31} {_n(v['p50']):>10} {_n(v['p90']):>10} "
              f"{_d(v['mean'], 0):>13} {_n(a['p50']):>16}")  # fmt: skip
        w("    * " + _("inclusief %s al opgeleverd vóór de peildatum") % _n(total["realised_before"]))
        w(
            "  "
            + _("Na %(horizon)s: verwacht %(later)s; verwacht uitgevallen: %(dropped)s")
            % {"horizon": r["horizon"], "later": _d(total["later"], 0), "dropped": _d(total["dropped_out"], 0)}
        )
        for t in r["targets"]:
            self._target(t, "  ")
        for part in r["parts"]:
            for t in part["targets"]:
                self._target(t, f"  {part['name']}: ")
        if r["scenarios"]:
            w("  " + _("Scenario %s minus basis (zelfde trekkingen), totaal per jaar:") % ", ".join(r["scenarios"]))
            for year, v in r["scenario"]["difference"]["totaal"].items():
                w(f"    {year}: " + _("verwacht %(mean)s (P10 %(p10)s, P90 %(p90)s)")
                  % {"mean": _d(v["mean"], 0), "p10": _n(v["p10"]), "p90": _n(v["p90"])})  # fmt: skip
            for t in r["scenario"]["targets"]:
                self._target(t, "  " + _("scenario: "))
        u = r["uncertainty"]
        w("  " + _("Grootste bijdrage aan de onzekerheid (opleveringen t/m %s):") % u["until"])
        for p in u["projects"]:
            w(f"    {p['code']} {p['name']} ({p['municipality']}): "
              + _("%(remaining)s woningen, kans op oplevering %(probability)s, %(share)s van de variantie")
              % {"remaining": _n(p["remaining"]), "probability": _pct(p["probability_delivered"]),
                 "share": _pct(p["share_of_variance"])})  # fmt: skip

    def _target(self, t, prefix):
        from bouwregie.formatting import decimal as _d
        from bouwregie.formatting import number as _n
        from bouwregie.formatting import percent as _pct

        w = self.stdout.write
        if "probability" in t and t["indicator"].startswith("aandeel"):
            w(prefix + _("Afspraak %(indicator)s %(period)s ≥ %(target)s: kans %(probability)s")
              % {**t, "target": _pct(t["target"]), "probability": _pct(t["probability"])})  # fmt: skip
        elif "probability" in t:
            w(prefix + _("Afspraak %(indicator)s %(period)s: %(target)s woningen — kans gehaald %(probability)s, "
                         "verwacht tekort %(shortfall)s  [%(source)s]")
              % {**t, "target": _n(t["target"]), "probability": _pct(t["probability"]),
                 "shortfall": _d(t["expected_shortfall"], 0)})  # fmt: skip
        for year, y in t.get("yearly", {}).items():
            w(f"{prefix}  {year}: " + _("≥ %(target)s — kans %(probability)s, verwacht tekort %(shortfall)s")
              % {"target": _n(y["target"]), "probability": _pct(y["probability"]),
                 "shortfall": _d(y["expected_shortfall"], 0)})  # fmt: skip

    def _calibration_table(self, r):
        from bouwregie.formatting import decimal as _d
        from bouwregie.formatting import number as _n
        from bouwregie.formatting import percent as _pct

        w = self.stdout.write
        w(
            _("Kalibratie op peilingen %(first)s t/m %(last)s")
            % {"first": r["peilingen"][0], "last": r["peilingen"][-1]}
        )
        w(f"  {'stap (doorlooptijd, gamma)':<60} {'gemiddeld':>9} {'prior':>6} {'vorm':>5}  waargenomen/gevolgd")
        for s in r["steps"]:
            flag = "" if s["calibrated"] else "  " + _("(prior: geen waarnemingen)")
            w(f"  {s['from'] + ' → ' + s['to']:<60} {_d(s['mean_years'], 2):>9} {_d(s['prior_mean_years'], 2):>6} "
              f"{_d(s['shape'], 1):>5}  {_n(s['events'])}/{_n(s['spells'])}{flag}")  # fmt: skip
        header = "plannen gemaakt in fase (werkelijk / gepland)"
        w(f"  {header:<60} {'typisch':>9} {'log-sd':>6}        gekomen/gevolgd")
        for p in r["plans"]:
            w(f"  {p['phase']:<60} {_d(p['typical_ratio'], 2):>9} {_d(p['log_sd'], 2):>6}        "
              f"{_n(p['events'])}/{_n(p['plans'])}")  # fmt: skip
        w("  " + _("Uitval per jaar naar planstatus: ") + ", ".join(
            f"{g}: " + _("%(rate)s (prior %(prior)s, %(events)s op %(years)s projectjaren)")
            % {"rate": _pct(v["rate"]), "prior": _pct(v["prior"]), "events": v["events"],
               "years": _d(v["exposure_years"], 0)} for g, v in r["dropout_per_year"].items()))  # fmt: skip
        w("  " + _("Onzekerheid tempo uit de kalibratie (log-sd): %s") % _d(r["parameter_log_sd"], 4))
        bag = r.get("bag")
        if bag is not None:
            used = ", ".join(_("%(file_name)s (stand %(stand_date)s)") % e for e in bag["extracts"]) or _(
                "geen extract"
            )
            w(_("Doorlooptijden uit de BAG (%(panden)s panden nieuwbouw; %(used)s), naast de peilingen")
              % {"panden": _n(bag["panden"]), "used": used})  # fmt: skip
            w(f"  {'stap':<60} {'BAG':>9} {'peiling':>8} {'prior':>6}  mediaan  gekomen/gevolgd")
            for s in bag["steps"]:
                flag = "" if s["calibrated"] else "  " + _("(prior: geen waarnemingen)")
                median = "–" if s["median_observed_years"] is None else _d(s["median_observed_years"], 2)
                peiling = "–" if s["peiling_mean_years"] is None else _d(s["peiling_mean_years"], 2)
                seen = f"{_n(s['events'])}/{_n(s['spells'])}{flag}"
                w(f"  {s['from'] + ' → ' + s['to']:<60} {_d(s['mean_years'], 2):>9} {peiling:>8} "
                  f"{_d(s['prior_mean_years'], 2):>6}  {median:>7}  {seen}")  # fmt: skip

    def _backtest_table(self, r):
        from bouwregie.formatting import decimal as _d
        from bouwregie.formatting import number as _n
        from bouwregie.formatting import percent as _pct

        w = self.stdout.write
        w(_("Backtest: prognose vanaf %(origin)s, vergeleken met %(until)s (%(runs)s runs)")
          % {**r, "runs": _n(r["runs"])})  # fmt: skip
        for c in r["comparisons"]:
            mark = _("binnen") if c["inside_p10_p90"] else _("BUITEN")
            w(f"  {c['name']:<15} {c['year']}: {_('werkelijk')} {_n(c['actual']):>8}  P10 {_n(c['p10']):>8}  "
              f"P50 {_n(c['p50']):>8}  P90 {_n(c['p90']):>8}  {mark}")  # fmt: skip
        w("  " + _("Dekking P10–P90: %(coverage)s (ideaal 80%%); mediane fout P50: %(error)s%%")
          % {"coverage": _pct(r["coverage_p10_p90"]), "error": _d(r["median_abs_pct_error_p50"])})  # fmt: skip
        w(f"  {r['note']}")
