import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
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
            raise CommandError("Een van de peilingen bestaat niet; zie 'bouwregie peiling list'.") from None
        except ValueError as error:  # unknown area or the same peiling twice
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        t = result["totals"]
        self.stdout.write(f"{result['area']['name']}: {result['from']} → {result['to']} (drempel {months:g} maanden)")
        self.stdout.write(
            f"  {_n(t['projects_delayed'])} projecten; {_n(t['milestone_slips'])} mijlpalen later; "
            f"{_n(t['homes_moved_later'])} woningen naar later jaar; {_n(t['status_regressions'])} planstatus terug; "
            f"{_n(t['disappeared_projects'])} projecten verdwenen ({_n(t['disappeared_homes'])} woningen)"
        )
        if result["moved_out_of_year"]:
            self.stdout.write("  Uit jaar geschoven: " + ", ".join(
                f"{y}: {_n(n)}" for y, n in result["moved_out_of_year"].items()))  # fmt: skip
        for p in result["projects"]:
            why = "; ".join(_reason(r) for r in p["reasons"])
            self.stdout.write(
                f"  {p['code']}  {p['name']} ({p['municipality']}), {_n(p['homes_affected'])} won.: {why}"
            )


def _reason(r: dict) -> str:
    if r["soort"] == "mijlpaal":
        return f"{r['mijlpaal']} {r['van']} → {r['naar']} (+{r['maanden']:g} mnd)".replace(".", ",", 1)
    if r["soort"] == "oplevering":
        return f"oplevering gemiddeld {r['van_jaar']:g} → {r['naar_jaar']:g} ({r['woningen']} won.)"
    if r["soort"] == "planstatus":
        return f"planstatus {r['van']} → {r['naar']}"
    return f"verdwenen ({r['status']})"
