import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _

TOTALS = ("projects_delayed", "milestone_slips", "homes_moved_later", "status_regressions", "disappeared_projects",
          "disappeared_homes")  # fmt: skip


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Wat is er vertraagd tussen twee peilingen: mijlpalen, opleveringen, planstatus en verdwenen projecten.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, help=_("eerste peiling, bijv. 2025-Q2"))
        parser.add_argument("--to", dest="second", required=True, help=_("tweede peiling, bijv. 2025-Q3"))
        parser.add_argument("--area", default="NL")
        parser.add_argument("--months", type=float, default=None, help=_("drempel voor mijlpalen (maanden)"))
        parser.add_argument("--limit", type=int, default=25, help=_("aantal projecten in de lijst (0 = alle)"))
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, first, second, area, months, limit, format, **options):
        from bouwregie.formatting import number as _n
        from bouwregie.monitor.delays import DEFAULT_MONTHS, delays
        from bouwregie.projects.models import Peiling

        months = DEFAULT_MONTHS if months is None else months

        try:
            result = delays(area, first, second, months, limit or None)
        except Peiling.DoesNotExist:
            raise CommandError(_("Een van de peilingen bestaat niet; zie 'bouwregie peiling list'.")) from None
        except ValueError as error:  # unknown area or the same peiling twice
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        t = result["totals"]
        self.stdout.write(
            _("%(area)s: %(from)s → %(to)s (drempel %(months)s maanden)")
            % {"area": result["area"]["name"], "from": result["from"], "to": result["to"], "months": f"{months:g}"}
        )
        self.stdout.write(
            "  "
            + _(
                "%(projects_delayed)s projecten; %(milestone_slips)s mijlpalen later; %(homes_moved_later)s woningen "
                "naar later jaar; %(status_regressions)s planstatus terug; %(disappeared_projects)s projecten "
                "verdwenen (%(disappeared_homes)s woningen)"
            )
            % {key: _n(t.get(key, 0)) for key in TOTALS}
        )
        if result["moved_out_of_year"]:
            self.stdout.write("  " + _("Uit jaar geschoven: ") + ", ".join(
                f"{y}: {_n(n)}" for y, n in result["moved_out_of_year"].items()))  # fmt: skip
        for p in result["projects"]:
            why = "; ".join(_reason(r) for r in p["reasons"])
            self.stdout.write(
                f"  {p['code']}  {p['name']} ({p['municipality']}), "
                + _("%(homes)s won.: %(why)s") % {"homes": _n(p["homes_affected"]), "why": why}
            )


def _reason(r: dict) -> str:
    if r["soort"] == "mijlpaal":
        months = f"{r['maanden']:g}".replace(".", ",", 1)
        return _("%(mijlpaal)s %(van)s → %(naar)s (+%(months)s mnd)") % {**r, "months": months}
    if r["soort"] == "oplevering":
        return _("oplevering gemiddeld %(van)s → %(naar)s (%(woningen)s won.)") % {
            "van": f"{r['van_jaar']:g}",
            "naar": f"{r['naar_jaar']:g}",
            "woningen": r["woningen"],
        }
    if r["soort"] == "planstatus":
        return _("planstatus %(van)s → %(naar)s") % r
    return _("verdwenen (%(status)s)") % r
