import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _
from bouwregie.taal import ngettext


def _norm(row: dict, year: str) -> list[str]:
    """The norm and how many projects meet it; words where there is no norm or the framework names no direction."""
    from bouwregie.formatting import decimal, number

    norm = row[f"norm_{year}"]
    if norm is None:
        return [_("geen norm"), ""]
    unit = f" {row['unit']}" if row["unit"] else ""
    if row["direction"] is None:
        return [decimal(norm) + unit, _("geen richting in het kader")]
    sign = "≥" if row["direction"] == "minstens" else "≤"
    return [f"{sign} {decimal(norm)}{unit}", number(row[f"meets_{year}"])]


def _figure_lines(result: dict) -> list[str]:
    """`convenant cijfers` for a reader (issue #23: raw JSON before; --json keeps it): the share under the convenant
    and the indicator scores, as the dashboard shows them."""
    from bouwregie.formatting import decimal, number, percent
    from bouwregie.tabel import tabel

    area, pipeline, deliveries = result["area"], result["pipeline"], result["deliveries"]
    out = [
        _("Convenant Toekomstbestendig Bouwen — %(name)s (%(code)s), peiling %(peiling)s")
        % {"name": area["name"], "code": area["code"], "peiling": result["peiling"]},
        _("Kaderversies: %s") % (", ".join(result["framework_versions"]) or "–"),
        "",
    ]
    out += tabel(
        ["", _("Woningen"), _("Onder het convenant"), _("Aandeel")],
        [
            [_("Plancapaciteit"), number(pipeline["homes"]), number(pipeline["homes_under"]),
             percent(pipeline["share"])],
            [_("Opgeleverd"), number(deliveries["homes"]), number(deliveries["homes_under"]),
             percent(deliveries["share"])],
        ],
        right={1, 2, 3},
    )  # fmt: skip
    out.append(
        _("Projecten: %(under)s van %(all)s onder het convenant.")
        % {"under": number(pipeline["projects_under"]), "all": number(pipeline["projects"])}
    )
    if result["indicators"]:
        out += [""] + tabel(
            [_("Indicator"), _("Kader"), _("Projecten"), _("Gemiddelde"), _("Norm 2030"), _("Voldoet 2030"),
             _("Norm 2035"), _("Voldoet 2035")],
            [
                [r["name"], r["framework"], number(r["projects"]), decimal(r["mean"], 2)]
                + _norm(r, "2030") + _norm(r, "2035")
                for r in result["indicators"]
            ],
            right={2, 3, 5, 7},
        )  # fmt: skip
    return out


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _(
        "Convenant Toekomstbestendig Bouwen: 'partners', 'load-partners', 'kaders', "
        "'registreer CODE', 'cijfers [--gebied] [--peiling] [--csv BESTAND]'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("partners", help=_("het partnerregister"))
        sub.add_parser("load-partners", help=_("de vier provincies uit seed 001 in het register zetten"))
        sub.add_parser("kaders", help=_("alle versies van het indicatorkader"))
        rec = sub.add_parser("registreer", help=_("een project onder het convenant registreren (met waarden)"))
        rec.add_argument("code")
        rec.add_argument("--niet-onder-convenant", action="store_true")
        rec.add_argument("--convenantversie", default="")
        rec.add_argument("--waarde", action="append", default=[], help=_("INDICATOR=GETAL"))
        rec.add_argument("--reden", required=True)
        rec.add_argument("--auteur", default="bouwregie")
        fig = sub.add_parser("cijfers", help=_("aandeel onder het convenant per gebied en peiling"))
        fig.add_argument("--gebied", default="NL")
        fig.add_argument("--peiling")
        fig.add_argument("--csv", help=_("alle gebieden (NL, provincies, gemeenten) als CSV naar dit bestand"))
        fig.add_argument("--json", action="store_true", help=_("de cijfers als JSON in plaats van een tabel"))

    def handle(self, *args, action, **o):
        from bouwregie.convenant import framework, store
        from bouwregie.projects.models import Peiling

        try:
            self._handle(action, o)
        except (store.ConvenantError, framework.FrameworkError, Peiling.DoesNotExist, ValueError) as error:
            raise CommandError(str(error)) from None

    def _handle(self, action, o):
        from bouwregie.convenant import framework, store
        from bouwregie.monitor.api import chosen_peiling
        from bouwregie.web.downloads import table_download

        if action == "partners":
            for p in store.register():
                self.stdout.write(
                    f"{p.organisation:<40} {p.sector:<20} {p.signed_on or p.signed_note:<16} "
                    + _("versie %s") % p.convenant_version
                )
        elif action == "load-partners":
            added = store.load_seed_partners()
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext("%(n)d partner toegevoegd.", "%(n)d partners toegevoegd.", added) % {"n": added}
                )
            )
        elif action == "kaders":
            self.stdout.write(json.dumps([f.as_dict() for f in framework.all_versions()], ensure_ascii=False, indent=2))
        elif action == "registreer":
            values = {}
            for item in o["waarde"]:
                key, sep, value = item.partition("=")
                if not sep:
                    raise CommandError(_("Verwacht INDICATOR=GETAL, niet '%s'.") % item)
                values[key.strip()] = value.strip()
            r = store.record(
                o["code"], not o["niet_onder_convenant"], values, o["reden"], o["auteur"], o["convenantversie"]
            )
            registered = _("Registratie %(number)s van %(code)s onder %(framework)s.")
            self.stdout.write(
                self.style.SUCCESS(registered % {"number": r.number, "code": o["code"], "framework": r.framework})
            )
        else:
            peiling = chosen_peiling(o["peiling"])
            if o["csv"]:
                rows = store.csv_rows(store.national(peiling))
                with open(o["csv"], "wb") as f:
                    f.write(table_download(rows, "convenant", "csv").content)
                written = ngettext(
                    "%(n)d gebied geschreven naar %(path)s.", "%(n)d gebieden geschreven naar %(path)s.", len(rows) - 1
                ) % {"n": len(rows) - 1, "path": o["csv"]}
                self.stdout.write(self.style.SUCCESS(written))
                return
            result = store.area_figures(o["gebied"], peiling)
            if o["json"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            else:
                self.stdout.write("\n".join(_figure_lines(result)))
