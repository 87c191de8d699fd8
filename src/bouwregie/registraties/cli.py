"""What `bouwregie registraties verschillen` prints (the command itself: cbs/management/commands/registraties.py):
a table, JSON or CSV (bouwregie/cells.py) of registraties.verschillen.differences."""

import io

import orjson
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bouwregie import cells
from bouwregie.formatting import number
from bouwregie.registraties import project, verschillen


def sources(result: dict) -> list[str]:
    """The sources named: peiling, CBS release per year, BAG extracts."""
    cbs = sorted({f"{r['table']} #{r['number']} ({r['release_date']})" for rs in result["sources"]["cbs"].values()
                  for r in rs})  # fmt: skip
    bag = [f"{e['file_name']} ({_('stand')} {date_format(e['stand_date'], 'j F Y')})" for e in result["sources"]["bag"]]
    return [
        _("Monitor: peiling %(peiling)s (peildatum %(day)s).")
        % {"peiling": result["peiling"], "day": date_format(result["reference_date"], "j F Y")},
        _("CBS: %(releases)s.") % {"releases": ", ".join(cbs) or _("geen publicatie geladen")},
        _("BAG: %(extracts)s.") % {"extracts": ", ".join(bag) or _("geen extract geladen")},
    ]


def show(result: dict, fmt: str, out) -> None:
    if fmt == "json":
        out(orjson.dumps(project.plain(result), option=orjson.OPT_INDENT_2).decode())
        return
    if fmt == "csv":
        buffer = io.StringIO()
        cells.csv_writer(buffer, delimiter=";").writerows(verschillen.table_rows(result))
        out(buffer.getvalue().rstrip("\r\n"))
        return
    out(_("Registraties naast de monitor: %(name)s (%(code)s)") % result["area"])
    for line in sources(result):
        out("  " + line)
    out(f"{_('jaar'):>6} {_('monitor'):>9} {'CBS':>9} {'BAG':>9} {_('monitor−CBS'):>12} {_('monitor−BAG'):>12}")
    for r in result["years"]:
        cbs = "–" if r["cbs"] is None else number(r["cbs"])
        diff = "–" if r["monitor_minus_cbs"] is None else number(r["monitor_minus_cbs"])
        out(f"{r['year']:>6} {number(r['monitor']):>9} {cbs:>9} {number(r['bag']):>9} {diff:>12} "
            f"{number(r['monitor_minus_bag']):>12}")  # fmt: skip
    if not result["projects"]:
        out(_("Geen projecten met een verschil of signaal."))
    for p in result["projects"]:
        years = ", ".join(_("%(year)s: monitor %(monitor)s, BAG %(bag)s")
                          % {"year": d["year"], "monitor": number(d["monitor"]), "bag": number(d["bag"])}
                          for d in p["differs_in"])  # fmt: skip
        out(f"{p['code']} {p['name']}" + (f" — {years}" if years else ""))
        for f in p["flags"]:
            out(f"  {f['title']}: {f['message']}")
