import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    help = _("Voortgang tegen de afspraken, plancapaciteit, betaalbaarheid en doelgroepen voor een gebied en peiling.")

    def add_arguments(self, parser):
        parser.add_argument("--area", default="NL", help=_("NL, PV27, GM0344, een gemeentenaam of een regiocode"))
        parser.add_argument("--peiling", help=_("bijv. 2025-Q3 (standaard de laatst gesloten peiling)"))
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument("--norm", type=float, default=None, help=_("plancapaciteitsnorm (1,3)"))
        parser.add_argument("--trace", help=_("de projecten achter één cijfer, bijv. 'hard' of 'realised:2024'"))

    def handle(self, *args, area, peiling, format, norm, trace, **options):
        from bouwregie.monitor import api, figures
        from bouwregie.projects.models import Peiling

        norm = figures.CAPACITY_NORM if norm is None else norm
        try:
            peiling = api.chosen_peiling(peiling)
            if trace:
                for code in api.projects_behind(area, peiling, trace):
                    self.stdout.write(code)
                return
            result = api.monitor(area, peiling, norm)
        except (ValueError, Peiling.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif format == "csv":
            self._csv(result)
        else:
            self._table(result)

    def _csv(self, r):
        from bouwregie import cells

        writer = cells.csv_writer(self.stdout, delimiter=";")
        writer.writerow(["gebied", "peiling", "onderdeel", "sleutel", "waarde"])

        def rows(prefix, value):
            if isinstance(value, dict):
                for k, v in value.items():
                    yield from rows(f"{prefix}.{k}" if prefix else k, v)
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    yield from rows(f"{prefix}[{i}]", v)
            else:
                yield prefix, value

        for key, value in rows("", {k: v for k, v in r.items() if k not in ("area", "peiling")}):
            part, _sep, rest = key.partition(".")
            writer.writerow([r["area"]["code"], r["peiling"], part, rest, value])

    def _table(self, r):
        from bouwregie.formatting import number as _n
        from bouwregie.formatting import percent as _pct

        w = self.stdout.write
        w(f"{r['area']['name']} ({r['area']['code']}) — peiling {r['peiling']}")
        for a in r["agreements"]:
            if "share" in a:
                w(f"  Afspraak {a['indicator']} {a['period']}: {_pct(a['share'])} (doel {_pct(a['target_share'])})")
            elif "realised" in a:
                w(
                    f"  Afspraak {a['period']}: {_n(a['total'])} woningen; gerealiseerd {_n(a['realised'])}, "
                    f"gepland {_n(a['planned'])}, resterende opgave {_n(a['remaining'])}, "
                    f"verwacht tekort {_n(a['expected_shortfall'])}  [{a['source']}]"
                )
        w("  Gerealiseerd per jaar: " + ", ".join(f"{y}: {_n(n)}" for y, n in r["realised"].items() if y >= "2020"))
        w("  Gepland per jaar:      " + ", ".join(f"{y}: {_n(n)}" for y, n in list(r["planned"].items())[:10]))
        p, c, s = r["pipeline"], r["capacity"], r["segments"]
        w(
            f"  Pijplijn: {_n(p['projects'])} projecten, {_n(p['homes'])} woningen — "
            f"hard {_n(p['by_plan_status']['hard'])}, zacht {_n(p['by_plan_status']['zacht'])}, "
            f"onbekend {_n(p['by_plan_status']['onbekend'])}"
        )
        w(
            f"  Plancapaciteit: {_pct(c['ratio'])} van de resterende opgave (norm {_pct(c['norm'])}); "
            f"hard {_pct(c['hard_share'])} van de capaciteit"
        )
        w(
            f"  Betaalbaar: {_pct(s['affordable_share'])} (norm {_pct(s['affordable_norm'])}); sociale huur "
            f"{_pct(s['social_share'])} (norm {_pct(s['social_norm'])}); "
            f"segment onbekend: {_n(s['unknown_segment_homes'])}"
        )
        g = r["target_groups"]
        w(
            f"  Ouderen: {_n(g['ouderen_totaal'])} (nultreden {_n(g['nultreden'])}, "
            f"zorggeschikt {_n(g['zorggeschikt'])}, geclusterd {_n(g['geclusterd'])}); studenten {_n(g['student'])}"
        )
        w("  Plantypes: " + ", ".join(f"{t}: {_n(n)}" for t, n in r["plan_types"].items()))
