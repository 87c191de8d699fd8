"""Per area and year: the monitor's realised homes beside CBS new build and BAG deliveries, with the projects
behind each difference (issue #18; docs/registraties-koppeling.md "Per gebied: monitor, CBS en BAG").

- monitor: homes with an actual oplevering in the year, of the projects of the area in the peiling (the
  monitor's own snapshot: the same number as on the dashboard);
- CBS: nieuwbouw (cbs.figures.new_build_detail, per year the release that answers for it);
- BAG: verblijfsobjecten with a woonfunctie that came into use as new build (bag.queries.deliveries, the newest
  extract per municipality).

The projects behind a difference: those of the area whose monitor deliveries in a chosen year differ from the
deliveries of their linked BAG objects (registraties.store, the links in force) in that year, or that carry a
flag of registraties.reconcile at the peiling's reference date (their current version; the flags and their
numbers as on the project page). CBS counts are not per project: a CBS difference is explained only through
the BAG and monitor columns beside it.

The BAG column is None ("–": not comparable, never 0) without an extract for the area, and for the years after
the oldest stand date of the extracts used: an extract of 15 September 2020 cannot tell 2023. Projects that
cannot be linked (no polygon, no BAG ids) get no signals and are not "behind" a difference; they are listed
apart ("not_linkable") so that a difference they cause is still explained (issue #18, reviewer's points 1-3)."""

from collections import defaultdict

from django.db import connection

from bouwregie.bag import queries as bag_queries
from bouwregie.cbs import figures as cbs_figures
from bouwregie.geo.areas import resolve_area
from bouwregie.registraties import reconcile, store


def _linked_events(project_ids: list[int]) -> tuple[dict[int, list[reconcile.ObjectEvents]], set[str]]:
    """The events of the linked woningen (links in force) of the given projects, one join per 5.000 projects, and
    the identificaties of those that came into use as new build (origin 'nieuwbouw': what the BAG column counts)."""
    sets = store.current_sets()
    found: dict[int, list] = defaultdict(list)
    new_build: set[str] = set()
    if not sets or not project_ids:
        return found, new_build
    for start in range(0, len(project_ids), 5000):
        chunk = project_ids[start : start + 5000]
        marks_sets, marks_projects = ", ".join(["%s"] * len(sets)), ", ".join(["%s"] * len(chunk))
        sql = ("SELECT l.project_id, w.identificatie, w.start_date, w.delivery_date, w.status_now, w.demolition_date,"
               " w.not_realised_date, w.origin FROM registraties_registrationlink l JOIN bag_bagwoning w"
               " ON w.extract_id = l.extract_id AND w.identificatie = l.identificatie"
               f" WHERE l.link_set_id IN ({marks_sets}) AND l.project_id IN ({marks_projects})")  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(sql, [*sets, *chunk])
            for project_id, ident, start_date, delivery, status, demolition, not_realised, origin in cursor.fetchall():
                found[project_id].append(reconcile.ObjectEvents(ident, _day(start_date), _day(delivery), status,
                                                                _day(demolition), _day(not_realised)))  # fmt: skip
                if origin == "nieuwbouw":
                    new_build.add(ident)
    return found, new_build


def _day(value):
    """A date column as a date (SQLite returns ISO text from a raw query)."""
    from datetime import date

    return date.fromisoformat(value) if isinstance(value, str) else value


def bag_extracts(area) -> list[dict]:
    """The BAG extracts the area's figures come from (the newest per municipality)."""
    from bouwregie.bag.models import BagExtract

    newest = bag_queries.newest_extracts(None if area.kind == "nl" else area.municipalities)
    per_extract: dict[int, int] = defaultdict(int)
    for extract_id in newest.values():
        per_extract[extract_id] += 1
    return [{"id": e.id, "file_name": e.file_name, "stand_date": e.stand_date, "municipalities": per_extract[e.id]}
            for e in BagExtract.objects.filter(id__in=list(per_extract)).order_by("stand_date", "id")]  # fmt: skip


def parse_years(text: str | None) -> list[int] | None:
    """'2024', '2020-2024' or '2020,2022' → years; None or '' → None (all years). A bad value is a ValueError
    naming it."""
    from django.utils.translation import gettext as _

    if not text:
        return None
    years: set[int] = set()
    for part in str(text).replace(" ", "").split(","):
        first, _sep, last = part.partition("-")
        if not (first.isdigit() and (not last or last.isdigit())) or not 1900 <= int(first) <= 2100:
            raise ValueError(_("Jaar '%s' is geen jaar of reeks van jaren (2024, 2020-2024 of 2020,2022).") % text)
        end = int(last or first)
        if end < int(first) or end > 2100:
            raise ValueError(_("Jaar '%s': het eerste jaar ligt na het laatste.") % text)
        years.update(range(int(first), end + 1))
    return sorted(years)


def differences(spec: str, years=None, peiling: str | None = None) -> dict:
    """The comparison for one area (NL, PV27, GM0221, a region or a name) and years (all years any of the
    three has, within the monitor's years, when None)."""
    from bouwregie.monitor.api import chosen_peiling, reference_date
    from bouwregie.monitor.snapshot import YEARS, load, members
    from bouwregie.projects import services
    from bouwregie.projects.models import Project

    peiling = chosen_peiling(peiling)
    reference = reference_date(peiling)
    area = resolve_area(spec, reference)
    snapshot = load(peiling)
    mask = members(snapshot, area)
    realised = snapshot.realised[mask]
    monitor = {int(y): int(v) for y, v in zip(YEARS, realised.sum(axis=0), strict=True)}
    candidate_years = [int(y) for y in YEARS] if years is None else sorted({int(y) for y in years})
    cbs = cbs_figures.new_build_detail(area, candidate_years)
    bag = bag_queries.deliveries(area, candidate_years)
    extracts = bag_extracts(area)
    bag_until = min((e["stand_date"] for e in extracts), default=None)

    def bag_known(year: int) -> bool:
        return bag_until is not None and year <= bag_until.year

    if years is None:
        candidate_years = [y for y in candidate_years if monitor.get(y) or cbs["years"].get(y) or bag.get(y)]
    rows = []
    for y in candidate_years:
        m, c, b = monitor.get(y, 0), cbs["years"].get(y), bag.get(y, 0) if bag_known(y) else None
        rows.append({"year": y, "monitor": m, "cbs": c, "bag": b,
                     "monitor_minus_cbs": None if c is None else m - c,
                     "monitor_minus_bag": None if b is None else m - b})  # fmt: skip
    ids = snapshot.project_ids[mask]
    events, new_build = _linked_events(sorted(int(i) for i in ids))
    year_index = {y: y - int(YEARS[0]) for y in candidate_years if int(YEARS[0]) <= y <= int(YEARS[-1])}
    delivered = {int(p): {y: int(realised[k, i]) for y, i in year_index.items() if realised[k, i]}
                 for k, p in enumerate(ids) if realised[k].any()}  # fmt: skip
    candidates = sorted(set(events) | set(delivered))
    data = services.current_data(candidates)
    codes = dict(Project.objects.filter(id__in=candidates).values_list("id", "code"))
    projects, not_linkable = [], []
    for project_id in candidates:
        if project_id not in data:
            continue
        if not reconcile.linkable(data[project_id][1]):
            not_linkable.append(codes[project_id])
            continue
        linked = events.get(project_id, [])
        result = reconcile.reconcile(data[project_id][1], linked, reference, bag_until, bag_until is not None)
        # As the area's BAG column: new build only. A linked object that was there at the BAG's first registration
        # (2009-2011) or came from a transformation is no BAG delivery; the project then explains the difference.
        bag_years = defaultdict(int)
        for e in linked:
            if e.delivery_date and e.delivery_date <= reference and e.identificatie in new_build:
                bag_years[e.delivery_date.year] += 1
        per_year = {y: {"monitor": delivered.get(project_id, {}).get(y, 0),
                        "bag": bag_years.get(y, 0) if bag_known(y) else None} for y in candidate_years}  # fmt: skip
        differs = [{"year": y, **v} for y, v in per_year.items() if v["bag"] is not None and v["monitor"] != v["bag"]]
        if not differs and not result.flags:
            continue
        projects.append({
            "code": codes[project_id], "name": data[project_id][1].name,
            "municipality": data[project_id][1].municipality, "linked": len(linked), "differs_in": differs,
            "years": per_year,
            "flags": [{"code": f.code, "title": f.title, "message": f.message, "numbers": f.numbers}
                      for f in result.flags],
        })  # fmt: skip
    projects.sort(key=lambda p: (-sum(abs(d["monitor"] - d["bag"]) for d in p["differs_in"]), p["code"]))
    return {
        "area": area.as_dict(),
        "peiling": peiling,
        "reference_date": reference,
        "sources": {"peiling": peiling, "cbs": cbs["releases"], "cbs_loaded": cbs_loaded(), "bag": extracts},
        "bag_until": bag_until,
        "years": rows,
        "projects": projects,
        "not_linkable": sorted(not_linkable),
    }


def cbs_loaded() -> list[str]:
    """The CBS tables of which a release is loaded (to tell "none loaded" from "no rows for this area")."""
    from bouwregie.cbs.models import CbsRelease

    return sorted(set(CbsRelease.objects.values_list("table_id", flat=True)))


def table_rows(result: dict) -> list[list]:
    """The comparison as rows for CSV/Excel (header first): per year the three figures, then per project."""
    from django.utils.translation import gettext as _

    rows = [[_("jaar"), _("monitor gerealiseerd"), _("CBS nieuwbouw"), _("BAG opgeleverd (nieuwbouw)"),
             _("monitor − CBS"), _("monitor − BAG")]]  # fmt: skip
    rows += [[r["year"], r["monitor"], r["cbs"], r["bag"], r["monitor_minus_cbs"], r["monitor_minus_bag"]]
             for r in result["years"]]  # fmt: skip
    rows += [[], [_("project"), _("naam"), _("jaar"), _("monitor opgeleverd"),
                  _("BAG opgeleverd (nieuwbouw, gekoppeld)"), _("signalen")]]  # fmt: skip
    for p in result["projects"]:
        flags = "; ".join(f["message"] for f in p["flags"])
        for d in p["differs_in"] or [{}]:
            rows.append([p["code"], p["name"], d.get("year"), d.get("monitor"), d.get("bag"), flags])
    if result.get("not_linkable"):
        rows += [[], [_("niet te koppelen (geen plangebied en geen BAG-id's)"), len(result["not_linkable"])]]
        rows += [[code] for code in result["not_linkable"]]
    return rows
