import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Alternatieven bij een tekort in een jaar: projecten die naar voren kunnen, met score en redenen.")

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help=_("gemeente, regiocode, provincie of NL"))
        parser.add_argument("--year", type=int, required=True, help=_("het jaar met het tekort, bijv. 2027"))
        parser.add_argument("--peiling", help=_("bijv. 2025-Q3 (standaard de laatst gesloten peiling)"))
        parser.add_argument("--tekort", type=int, help=_("het tekort zelf opgeven in plaats van uit de afspraak"))
        parser.add_argument("--limit", type=int, default=25, help=_("aantal projecten in de lijst (0 = alle)"))
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, area, year, peiling, tekort, limit, format, **options):
        from bouwregie.formatting import decimal as _d
        from bouwregie.formatting import number as _n
        from bouwregie.formatting import percent as _pct
        from bouwregie.monitor.alternatives import alternatives
        from bouwregie.monitor.api import chosen_peiling
        from bouwregie.monitor.shortfall import ShortfallNeeded
        from bouwregie.projects.models import Peiling

        if tekort is not None and tekort < 0:
            raise CommandError(_("--tekort kan niet negatief zijn."))
        try:
            result = alternatives(area, chosen_peiling(peiling), year, tekort, limit or None)
        except ShortfallNeeded as error:
            raise CommandError(
                f"{error} " + _("Gebruik --tekort N, of laad een afspraak met 'bouwregie targets load'.")
            ) from None
        except (ValueError, Peiling.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        w, t, target = self.stdout.write, result["totals"], result["target"]
        w(_("%(area)s — %(year)s, peiling %(peiling)s (peildatum %(reference_date)s)")
          % {**result, "area": result["area"]["name"]})  # fmt: skip
        if target:
            label = _("Deel van de woondeal") if "woondeal" in target else _("Afspraak")
            w(f"  {label} {result['year']}: " + _("%(homes)s woningen (%(basis)s) [%(source)s]")
              % {**target, "homes": _n(target["homes"])})  # fmt: skip
        w("  " + _("Opgeleverd en gepland in %(year)s: %(delivered)s; tekort %(shortfall)s; nodig aandeel betaalbaar "
                   "in de extra woningen: %(share)s")
          % {"year": result["year"], "delivered": _n(result["delivered"]), "shortfall": _n(result["shortfall"]),
             "share": _pct(result["needed_affordable_share"])})  # fmt: skip
        if result["woondeal"]:
            w("  " + _("Ook kandidaten uit woondeal: ") + ", ".join(d["name"] for d in result["woondeal"]))
        cover = (_("de eerste %s dekken het tekort") % t["projects_to_cover"] if t["projects_to_cover"]
                 else _("samen niet genoeg om het tekort te dekken"))  # fmt: skip
        w("  " + _("%(candidates)s kandidaten met %(candidate_homes)s woningen (%(cover)s); %(too_late)s projecten "
                   "(%(too_late_homes)s woningen) kunnen niet meer op tijd")
          % {**{key: _n(t[key]) for key in ("candidates", "candidate_homes", "too_late", "too_late_homes")},
             "cover": cover})  # fmt: skip
        for c in result["candidates"]:
            w(f"  {c['rank']:>3}. {_d(c['score']):>5}  {c['code']}  {c['name']} ({c['municipality']}): "
              + _("%(homes)s woningen, cumulatief %(cumulative)s")
              % {"homes": _n(c["homes_movable"]), "cumulative": _n(c["cumulative_homes"])})  # fmt: skip
            for reason in c["reasons"]:
                w(f"          - {reason}")
