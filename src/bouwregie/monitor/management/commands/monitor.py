import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
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
        w(_("%(name)s (%(code)s) — peiling %(peiling)s") % {**r["area"], "peiling": r["peiling"]})
        for a in r["agreements"]:
            if "share" in a:
                w("  " + _("Afspraak %(indicator)s %(period)s: %(share)s (doel %(target)s)")
                  % {**a, "share": _pct(a["share"]), "target": _pct(a["target_share"])})  # fmt: skip
            elif "realised" in a:
                numbers = {
                    key: _n(a[key]) for key in ("total", "realised", "planned", "remaining", "expected_shortfall")
                }
                w("  " + _("Afspraak %(period)s: %(total)s woningen; gerealiseerd %(realised)s, gepland %(planned)s, "
                           "resterende opgave %(remaining)s, verwacht tekort %(expected_shortfall)s  [%(source)s]")
                  % {**a, **numbers})  # fmt: skip
        w(
            "  "
            + _("Gerealiseerd per jaar: ")
            + ", ".join(f"{y}: {_n(n)}" for y, n in r["realised"].items() if y >= "2020")
        )
        w("  " + _("Gepland per jaar:      ") + ", ".join(f"{y}: {_n(n)}" for y, n in list(r["planned"].items())[:10]))
        p, c, s = r["pipeline"], r["capacity"], r["segments"]
        w("  " + _("Pijplijn: %(projects)s projecten, %(homes)s woningen — hard %(hard)s, zacht %(zacht)s, "
                   "onbekend %(onbekend)s")
          % {"projects": _n(p["projects"]), "homes": _n(p["homes"]),
             **{key: _n(n) for key, n in p["by_plan_status"].items()}})  # fmt: skip
        w("  " + _("Plancapaciteit: %(ratio)s van de resterende opgave (norm %(norm)s); hard %(hard_share)s van de "
                   "capaciteit")
          % {key: _pct(c[key]) for key in ("ratio", "norm", "hard_share")})  # fmt: skip
        w("  " + _("Betaalbaar: %(affordable_share)s (norm %(affordable_norm)s); sociale huur %(social_share)s "
                   "(norm %(social_norm)s); segment onbekend: %(unknown)s")
          % {**{key: _pct(s[key]) for key in ("affordable_share", "affordable_norm", "social_share", "social_norm")},
             "unknown": _n(s["unknown_segment_homes"])})  # fmt: skip
        g = r["target_groups"]
        w(
            "  "
            + _(
                "Ouderen: %(ouderen_totaal)s (nultreden %(nultreden)s, zorggeschikt %(zorggeschikt)s, "
                "geclusterd %(geclusterd)s); studenten %(student)s"
            )
            % {key: _n(g[key]) for key in ("ouderen_totaal", "nultreden", "zorggeschikt", "geclusterd", "student")}
        )
        w("  " + _("Plantypes: ") + ", ".join(f"{t}: {_n(n)}" for t, n in r["plan_types"].items()))
