"""The national overview of PPM use (issue #20): per woondeal region and closed peiling, is the region's
project-planning monitor alive?

The landelijke versnellingstafel hears "periodiek … over de stand van zaken in elke regio, waaronder het
opzetten van een PPM en het gebruik daarvan, het leveren van de informatie daarvoor door alle partijen"
(Afsprakenlijst Woontop 11 december 2024, Afspraak 3B; seed 004). Per region (its members as agreed on the
peiling's reference date, woondeals.rules.members_on) this module counts, from the records themselves:

- present: the projects of the region in the peiling (its frozen entries; a PPM exists when there are any);
- delivered: the project versions recorded in the quarter (after the previous peiling closed, up to this one's
  close), by whom: the organisation kind of each version's author (accounts.Membership of the user with that
  name: gemeente → municipalities, corporatie → corporations, ontwikkelaar/belegger/bouwer → market parties,
  anything else or an author without a seat → other) and by source (import, bewerking, API, demo);
- freshness: the share of the region's projects whose version in the peiling was recorded in that quarter, and
  the oldest recorded date among them;
- completeness: the shares of the region's active projects with a known segment, a planned delivery
  (an oplevering milestone or a phasing), any milestone, and a geometry;
- silent: no version recorded in the quarter; `silent_for` counts the consecutive closed peilingen so.

Each criterion gets a traffic light against the thresholds below. Plain counting over the database; nothing
is estimated.
"""

from collections import defaultdict
from datetime import UTC

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bouwregie.accounts.models import Membership, Organisation
from bouwregie.monitor.snapshot import _columns
from bouwregie.projects.models import Milestone, Peiling, PeilingEntry, ProjectVersion

GREEN, ORANGE, RED = "groen", "oranje", "rood"

FRESH_GREEN = 0.75
"""Freshness green from three quarters of the projects updated in the quarter: the PPM is "elk kwartaal"
updated (Woontop 2024, Afspraak 3B), yet a project with nothing new need not get a new version each quarter."""
FRESH_ORANGE = 0.25
"""Below a quarter of the projects updated, the region's figures mostly repeat earlier quarters: red."""
COMPLETE_GREEN = 0.9
"""Completeness green when every criterion (segment, planned delivery, milestones, geometry) holds for at least
nine in ten active projects: the monitor's segment shares and delivery years then rest on recorded data."""
COMPLETE_ORANGE = 0.6
"""Below six in ten on any criterion, that part of the report (segment shares, deliveries, the map) rests on a
minority of the projects: red."""
SILENT_RED_AFTER = 1
"""One quarter without any delivery is already red: Afspraak 3B asks all parties to deliver every quarter."""
LOOK_BACK = 8
"""How many earlier closed peilingen `silent_for` looks back (two years); a longer silence shows as 8+."""

KIND_GROUP = {
    Organisation.Kind.GEMEENTE: "gemeenten",
    Organisation.Kind.CORPORATIE: "corporaties",
    Organisation.Kind.ONTWIKKELAAR: "marktpartijen",
    Organisation.Kind.BELEGGER: "marktpartijen",
    Organisation.Kind.BOUWER: "marktpartijen",
}
DELIVERERS = ("gemeenten", "corporaties", "marktpartijen", "overig")


def regions_on(peiling: Peiling) -> list[dict]:
    """The woondeal regions as agreed on the peiling's reference date: code, name, members."""
    from bouwregie.woondeals import rules, store
    from bouwregie.woondeals.regions import region_code

    on = peiling.reference_date
    reference = store.reference()
    return [{"code": v.woondeal.code, "region": region_code(v.woondeal.code), "name": v.name,
             "members": frozenset(rules.members_on(v.members, on, reference))}
            for v in store.current_all(on)]  # fmt: skip


def closed_before(peiling: Peiling, how_many: int) -> list[Peiling]:
    """The closed peilingen before `peiling`, newest first."""
    earlier = Peiling.objects.filter(closed_at__isnull=False).exclude(pk=peiling.pk).order_by("-year", "-quarter")
    return [p for p in earlier if (p.year, p.quarter) < (peiling.year, peiling.quarter)][:how_many]


def _window(peiling: Peiling, previous: Peiling | None):
    versions = ProjectVersion.objects.filter(created_at__lte=peiling.closed_at)
    return versions.filter(created_at__gt=previous.closed_at) if previous else versions


def _author_groups(authors) -> dict[str, str]:
    """Each author's deliverer group, by the kinds of the organisations the user with that name has a seat in
    (a municipality first, then a corporation, then a market party)."""
    kinds = defaultdict(set)
    for name, kind in Membership.objects.filter(user__username__in=set(authors)).values_list(
        "user__username", "organisation__kind"
    ):
        kinds[name].add(KIND_GROUP.get(kind, "overig"))
    return {a: next((g for g in DELIVERERS if g in kinds.get(a, ())), "overig") for a in authors}


def overview(peiling_code: str, regions: list[dict] | None = None) -> dict:
    """The table for one closed peiling: a row per woondeal region (see the module's docstring)."""
    peiling = Peiling.objects.get(code=peiling_code)
    if not peiling.is_closed:
        raise ValueError(_("Peiling %s is nog niet gesloten.") % peiling_code)
    regions = regions_on(peiling) if regions is None else regions
    earlier = closed_before(peiling, LOOK_BACK)
    previous = earlier[0] if earlier else None
    in_peiling = PeilingEntry.objects.filter(peiling=peiling).values("version_id")
    entries = [(vid, gm, as_datetime(created), life, homes, unknown, _filled(phasing), _filled(bbox))
               for vid, gm, created, life, homes, unknown, phasing, bbox in _columns(
                   ProjectVersion.objects.filter(id__in=in_peiling).values_list(
                       "id", "municipality_id", "created_at", "lifecycle", "homes_total", "homes_onbekend", "phasing",
                       "bbox"), rows=True)]  # fmt: skip
    # Which versions have milestones, and a dated oplevering: two DISTINCT queries, not every milestone row.
    stones = Milestone.objects.filter(version_id__in=in_peiling).order_by()  # no ordering columns in DISTINCT
    with_milestones = set(stones.values_list("version_id", flat=True).distinct())
    with_delivery = set(stones.filter(Q(planned__isnull=False) | Q(actual__isnull=False), kind="oplevering")
                        .values_list("version_id", flat=True).distinct())  # fmt: skip
    # The quarter's versions counted per municipality, author and source in the database (tens of thousands of
    # versions a quarter on the demo, a few thousand groups).
    delivered = list(_window(peiling, previous).order_by().values_list("municipality_id", "author", "source")
                     .annotate(n=Count("id")))  # fmt: skip
    groups = _author_groups({a for _m, a, _s, _n in delivered})
    history = [_counts_by_municipality(p, q) for p, q in zip(earlier, [*earlier[1:], None], strict=False)]
    by_municipality: dict[str, list] = defaultdict(list)
    for e in entries:
        by_municipality[e[1]].append(e)
    rows = []
    for region in regions:
        members = region["members"]
        mine = [e for m in members for e in by_municipality.get(m, ())]
        active = [e for e in mine if e[3] == "actief"]
        versions = [(a, s, n) for m, a, s, n in delivered if m in members]
        by_group = {g: 0 for g in DELIVERERS}
        by_source: dict[str, int] = defaultdict(int)
        for author, source, n in versions:
            by_group[groups[author]] += n
            by_source[source] += n
        authors = {g: len({a for a, _s, _n in versions if groups[a] == g}) for g in DELIVERERS}
        fresh = [e for e in mine if previous is None or e[2] > previous.closed_at]
        silent_for = 0
        if not versions:
            silent_for = 1
            for counts in history:
                if any(counts.get(m) for m in members):
                    break
                silent_for += 1
        complete = {
            "segment": _share(sum(1 for e in active if e[4] and e[5] < e[4]), len(active)),
            "planned_delivery": _share(sum(1 for e in active if e[6] or e[0] in with_delivery), len(active)),
            "milestones": _share(sum(1 for e in active if e[0] in with_milestones), len(active)),
            "geometry": _share(sum(1 for e in active if e[7]), len(active)),  # bbox: set from the geometry
        }
        row = {
            "code": region["code"], "region": region.get("region", ""), "name": region["name"],
            "members": len(members), "projects": len(mine), "active": len(active),
            "versions": sum(n for _a, _s, n in versions), "by_group": by_group, "authors": authors,
            "by_source": dict(by_source),
            "fresh": len(fresh), "fresh_share": _share(len(fresh), len(mine)),
            "oldest_update": min((e[2] for e in mine), default=None),
            "complete": complete, "silent": not versions, "silent_for": silent_for,
        }  # fmt: skip
        shares = [v for v in complete.values() if v is not None]
        row["complete_min"] = min(shares) if shares else None
        row["lights"] = lights(row)
        rows.append(row)
    return {
        "peiling": peiling.code,
        "previous": previous.code if previous else None,
        "rows": rows,
        "silent": [r["code"] for r in rows if r["silent"]],
        "thresholds": {
            "fresh_green": FRESH_GREEN,
            "fresh_orange": FRESH_ORANGE,
            "complete_green": COMPLETE_GREEN,
            "complete_orange": COMPLETE_ORANGE,
        },  # fmt: skip
    }


def _filled(json_text) -> bool:
    """A JSON column read raw (monitor.snapshot._columns: text, or already decoded): anything but null, {} or []."""
    return json_text not in (None, "", "null", "{}", "[]", {}, [])


def _dutch_day(moment) -> str | None:
    """The ISO day of an aware timestamp in the Netherlands (settings.TIME_ZONE), as the page shows it."""
    return timezone.localdate(moment).isoformat() if moment else None


def as_datetime(value):
    """SQLite hands timestamps over as text or naive datetimes when Django's converters are bypassed; they are
    stored in UTC."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _counts_by_municipality(peiling: Peiling, previous: Peiling | None) -> dict[str, int]:
    return dict(_window(peiling, previous).values("municipality_id").annotate(n=Count("id"))
                .values_list("municipality_id", "n"))  # fmt: skip


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def lights(row: dict) -> dict[str, str]:
    """A traffic light per criterion (thresholds above)."""
    others = row["by_group"]["corporaties"] + row["by_group"]["marktpartijen"]
    if row["silent_for"] >= SILENT_RED_AFTER:
        delivery = RED
    else:
        delivery = GREEN if row["by_group"]["gemeenten"] and others else ORANGE
    fresh = row["fresh_share"]
    shares = [v for v in row["complete"].values() if v is not None]
    worst = min(shares) if shares else None
    return {
        "present": GREEN if row["projects"] else RED,
        "delivery": delivery,
        "freshness": RED if fresh is None or fresh < FRESH_ORANGE else GREEN if fresh >= FRESH_GREEN else ORANGE,
        "completeness": RED if worst is None or worst < COMPLETE_ORANGE
        else GREEN if worst >= COMPLETE_GREEN else ORANGE,
    }  # fmt: skip


HEADER_KEYS = ("code", "name", "projects", "versions", "gemeenten", "corporaties", "marktpartijen", "overig",
               "fresh_share", "oldest_update", "segment", "planned_delivery", "milestones", "geometry", "silent_for",
               "present", "delivery", "freshness", "completeness")  # fmt: skip


def rows(result: dict):
    """The table as a download (header in the page's language; shares as fractions, lights as words)."""
    yield [_("Woondeal"), _("Regio"), _("Projecten"), _("Versies dit kwartaal"), _("Van gemeenten"),
           _("Van corporaties"), _("Van marktpartijen"), _("Van anderen"), _("Bijgewerkt deze peiling"),
           _("Oudste bijwerking"), _("Met segment"), _("Met geplande oplevering"), _("Met mijlpalen"),
           _("Met geometrie"), _("Stil (peilingen)"), _("Licht: PPM"), _("Licht: levering"), _("Licht: actualiteit"),
           _("Licht: volledigheid")]  # fmt: skip
    for r in result["rows"]:
        yield [r["code"], r["name"], r["projects"], r["versions"], *(r["by_group"][g] for g in DELIVERERS),
               r["fresh_share"], _dutch_day(r["oldest_update"]),
               *(r["complete"][k] for k in ("segment", "planned_delivery", "milestones", "geometry")),
               r["silent_for"],
               *(r["lights"][k] for k in ("present", "delivery", "freshness", "completeness"))]  # fmt: skip
