import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _(
        "Kansrijk Bouwen!: score per project (0–100) en verdeling van ambtelijke uren; "
        "'kansrijk score', 'kansrijk model list|show|template|load'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help=_("scores en urenverdeling voor een gebied"))
        score.add_argument("--area", required=True, help=_("gemeente, regiocode, provincie of NL"))
        score.add_argument("--peiling", help=_("bijv. 2025-Q3 (standaard de laatst gesloten peiling)"))
        score.add_argument("--uren", type=int, help=_("te verdelen ambtelijke uren"))
        score.add_argument("--drempel", type=float, default=0.0, help=_("minimale score voor uren (0–100)"))
        score.add_argument("--limit", type=int, default=25, help=_("aantal projecten in de lijst (0 = alle)"))
        score.add_argument("--format", choices=["table", "json", "csv"], default="table")
        model = sub.add_parser("model", help=_("het model bekijken of een eigen model laden"))
        model.add_argument("model_action", choices=["list", "show", "template", "load"])
        model.add_argument("file", nargs="?", help=_("TOML- of JSON-bestand (bij 'load')"))
        model.add_argument("--gemeente", help=_("het model van deze gemeente (standaard: het algemene model)"))
        model.add_argument("--author", default="cli")

    def handle(self, *args, action, **options):
        from bouwregie.projects.models import Peiling

        try:
            if action == "score":
                self._score(**options)
            else:
                self._model(**options)
        except (ValueError, Peiling.DoesNotExist) as error:  # InvalidModel is a ValueError
            raise CommandError(str(error)) from None

    def _score(self, area, peiling, uren, drempel, limit, format, **options):
        from bouwregie.monitor import kansrijk as k
        from bouwregie.monitor.api import chosen_peiling

        if uren is not None and uren < 0:
            raise CommandError(_("--uren kan niet negatief zijn."))
        whole = format == "csv"  # a spreadsheet gets every project, without the reasons
        r = k.kansrijk(area, chosen_peiling(peiling), uren, drempel, None if whole else limit or None, not whole)
        if format == "json":
            self.stdout.write(json.dumps(r, ensure_ascii=False, indent=2))
        elif format == "csv":
            self._csv(r)
        else:
            self._table(r)

    def _table(self, r):
        from bouwregie.formatting import decimal as _d
        from bouwregie.formatting import number as _n

        w, t = self.stdout.write, r["totals"]
        w(_("Kansrijk Bouwen! — %(area)s, peiling %(peiling)s: %(projects)s projecten, gemiddelde score %(score)s")
          % {"area": r["area"]["name"], "peiling": r["peiling"], "projects": _n(t["projects"]),
             "score": _d(t["mean_score"])})  # fmt: skip
        for m in r["models"]:
            w("  " + _("Model %(scope)s v%(version)s: %(name)s (%(projects)s projecten) [%(source)s]")
              % {**m, "projects": _n(m["projects"])})  # fmt: skip
        if t["hours"] is not None:
            w("  " + _("%(hours)s uur verdeeld over %(projects)s projecten (drempel %(threshold)s)")
              % {"hours": _n(t["hours"]), "projects": _n(t["projects_with_hours"]),
                 "threshold": f"{t['threshold']:g}"})  # fmt: skip
        for p in r["projects"]:
            hours = ", " + _("%s uur") % _n(p["hours"]) if "hours" in p else ""
            pillars = ", ".join(f"{name} {_d(v, 0)}" for name, v in p["pillars"].items())
            w(f"  {p['rank']:>3}. {_d(p['score']):>5}  {p['code']}  {p['name']} ({p['municipality']}){hours}")
            w(f"          {pillars}")
            for reason in p["reasons"]:
                w(f"          - {reason}")

    def _csv(self, r):
        from bouwregie import cells
        from bouwregie.formatting import decimal as _d

        writer = cells.csv_writer(self.stdout, delimiter=";")
        criteria = sorted({c for p in r["projects"] for c in p["criteria"]})
        pillars = sorted({name for p in r["projects"] for name in p["pillars"]})
        writer.writerow(["rang", "projectcode", "naam", "gemeentecode", "gemeente", "woningen", "nog_te_bouwen",
                         "score", *pillars, *criteria, "uren", "model"])  # fmt: skip
        for p in r["projects"]:
            writer.writerow([
                p["rank"], p["code"], p["name"], p["municipality_code"], p["municipality"], p["homes"], p["remaining"],
                _d(p["score"]), *(_d(p["pillars"].get(name)) for name in pillars),
                *(_d(p["criteria"].get(c), 3) for c in criteria), p.get("hours", ""),
                f"{p['model']['scope']} v{p['model']['version']}",
            ])  # fmt: skip

    def _model(self, model_action, file, gemeente, author, **options):
        from bouwregie.monitor import kansrijk as k
        from bouwregie.monitor.models import DEFAULT_SCOPE, ScoringModel
        from bouwregie.projects.services import matcher

        scope = matcher().resolve(gemeente).code if gemeente else DEFAULT_SCOPE
        if model_action == "list":
            rows = ScoringModel.objects.all()
            self.stdout.write(_("Standaard: het meegeleverde model (v0)") if not rows else "")
            for m in rows:
                self.stdout.write(f"{m.scope or _('standaard'):<10} v{m.version:<3} {m.created_at:%Y-%m-%d %H:%M} "
                                  f"{m.created_by:<12} {m.name} [{m.source}]")  # fmt: skip
        elif model_action == "show":
            used = k.models_for([scope])[scope]
            self.stdout.write(json.dumps(used.as_dict() | {"config": used.config}, ensure_ascii=False, indent=2))
        elif model_action == "template":
            self.stdout.write(k.STANDARD_FILE.read_text(encoding="utf-8"))
        else:
            if not file:
                raise CommandError(
                    _("Geef het modelbestand: 'bouwregie kansrijk model load BESTAND [--gemeente GM…]'.")
                )
            saved = k.save(k.read_file(Path(file)), scope, author)
            self.stdout.write(
                _("Model %(scope)s v%(version)s geladen: %(name)s")
                % {"scope": saved.scope or _("standaard"), "version": saved.version, "name": saved.name}
            )
