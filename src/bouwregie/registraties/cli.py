"""What `bouwregie registraties verschillen` prints (the command itself: cbs/management/commands/registraties.py):
a table, JSON or CSV (bouwregie/cells.py) of registraties.verschillen.differences."""

import io

import orjson
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bouwregie import cells
from bouwregie.formatting import number
from bouwregie.registraties import project, verschillen


def sources(result: dict) -> list[str]:
    """The sources named: peiling, CBS release per year, BAG extracts."""
    cbs = sorted({f"{r['table']} #{r['number']} ({r['release_date']})" for rs in result["sources"]["cbs"].values()
                  for r in rs})  # fmt: skip
    bag = [f"{e['file_name']} ({_('stand')} {date_format(e['stand_date'], 'j F Y')})" for e in result["sources"]["bag"]]
    if cbs:
        cbs_line = _("CBS: %(releases)s.") % {"releases": ", ".join(cbs)}
    elif result["sources"].get("cbs_loaded"):
        cbs_line = _("CBS: %(tables)s geladen, zonder cijfers voor dit gebied en deze jaren.") % {
            "tables": ", ".join(result["sources"]["cbs_loaded"])
        }
    else:
        cbs_line = _("CBS: %(releases)s.") % {"releases": _("geen publicatie geladen")}
    lines = [
        _("Monitor: peiling %(peiling)s (peildatum %(day)s).")
        % {"peiling": result["peiling"], "day": date_format(result["reference_date"], "j F Y")},
        cbs_line,
        _("BAG: %(extracts)s.") % {"extracts": ", ".join(bag) or _("geen extract geladen")},
    ]
    until = result.get("bag_until")
    if until and any(r["bag"] is None for r in result["years"]):
        lines.append(
            _("BAG-extract van %(day)s: latere jaren niet te vergelijken.") % {"day": date_format(until, "j-n-Y")}
        )
    return lines


def _n(value) -> str:
    """A count, or "–" where the source cannot tell (not 0)."""
    return "–" if value is None else number(value)


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
        out(f"{r['year']:>6} {number(r['monitor']):>9} {_n(r['cbs']):>9} {_n(r['bag']):>9} "
            f"{_n(r['monitor_minus_cbs']):>12} {_n(r['monitor_minus_bag']):>12}")  # fmt: skip
    if not result["projects"]:
        out(_("Geen projecten met een verschil of signaal."))
    if result.get("not_linkable"):
        count = len(result["not_linkable"])
        out(ngettext("%(n)s project niet te koppelen (geen plangebied en geen BAG-id's): %(codes)s",
                     "%(n)s projecten niet te koppelen (geen plangebied en geen BAG-id's): %(codes)s", count)
            % {"n": number(count), "codes": ", ".join(result["not_linkable"])})  # fmt: skip
    for p in result["projects"]:
        years = ", ".join(_("%(year)s: monitor %(monitor)s, BAG %(bag)s")
                          % {"year": d["year"], "monitor": number(d["monitor"]), "bag": number(d["bag"])}
                          for d in p["differs_in"])  # fmt: skip
        out(f"{p['code']} {p['name']}" + (f" — {years}" if years else ""))
        for f in p["flags"]:
            out(f"  {f['title']}: {f['message']}")
