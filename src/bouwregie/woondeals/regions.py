"""A woondeal as an area of the monitor: its geo.Region and its agreements as targets (issue #17).

Every page that takes an area (dashboard, monitor, forecast, alternatives, API `gebied=`) works on a
geo.Region. A woondeal therefore keeps one Region of kind "woondeal", code `woondeal-<code>` (lower
case), whatever way it was entered (web form, template, API, demo): `sync_region` runs inside every
`store.record`. Its members are the woondeal's members on the day of the sync as agreed that day
(rules.members_on: merged-away municipalities replaced by their successors), so the Region follows a
merger or a new version; a version that only takes effect later changes the Region from that day, when
the next record or `bouwregie woondeals sync` runs.

The agreements of the version in force on a date are offered to the monitor and the forecast as
targets of that Region (`agreements_on`), unsaved `targets.models.Target` objects: the taakstelling
2022–2030 with its jaarschijven as yearly slices (Afspraak 3A), sociale huur as its segment, and
betaalbaar as sociale huur + middenhuur/betaalbare koop (seed 002: the three segments; DOMAIN.md §2).
A Target row entered by hand for the same area, indicator and period wins over the woondeal's own.
"""

from datetime import date

from bouwregie.woondeals import rules

KIND = "woondeal"


def region_code(code: str) -> str:
    """`WD-03` → `woondeal-wd-03`: a slug that never has the form of a GM/PV/NL code."""
    return f"woondeal-{code.lower()}"


def woondeal_code(region: str) -> str | None:
    """The inverse of region_code for a woondeal region's code; None for any other area code."""
    return region.removeprefix("woondeal-").upper() if region.startswith("woondeal-") else None


def sync_region(code: str, on: date | None = None):
    """Create or update the Region of woondeal `code` to the version in force on `on` (default today).
    Returns the Region, or None when no version is in force yet (a deal agreed from a later date)."""
    from bouwregie.geo.models import Region
    from bouwregie.woondeals import store

    on = on or date.today()
    version = store.as_agreed_on(code, on)
    if version is None:
        return None
    members = rules.members_on(version.members, on, store.reference())
    province = version.provinces[0] if version.provinces else None
    region, _created = Region.objects.update_or_create(
        code=region_code(code), defaults={"name": version.name, "kind": KIND, "province_id": province}
    )
    region.municipalities.set(members)
    return region


def members_on_date(area: str, on: date) -> list[str] | None:
    """The members of woondeal region `area` (`woondeal-wd-03`) as agreed on `on`; None when it is no woondeal's
    region or no version was in force that day (callers then use the Region's own members)."""
    from bouwregie.woondeals import store

    code = woondeal_code(area)
    version = store.as_agreed_on(code, on) if code else None
    return None if version is None else rules.members_on(version.members, on, store.reference())


def members_on_date_many(areas: list[str], on: date) -> dict[str, list[str] | None]:
    """members_on_date of several regions in two queries plus the reference data, instead of about five each: the
    provincial dashboard asks for all its woondeal regions at once (issue #19: 50 queries for Noord-Holland).
    The version in force is chosen as in store.as_agreed_on: the newest valid_from on or before `on`, the latest
    recorded (highest number) winning a tie."""
    from bouwregie.woondeals import store
    from bouwregie.woondeals.models import WoondealVersion

    codes = {area: woondeal_code(area) for area in areas}
    in_force: dict[str, object] = {}
    versions = WoondealVersion.objects.filter(woondeal__code__in=[c for c in codes.values() if c],
                                              valid_from__lte=on).select_related("woondeal")  # fmt: skip
    for version in versions.order_by("woondeal__code", "-valid_from", "-number"):
        in_force.setdefault(version.woondeal.code, version)
    reference = store.reference() if in_force else None
    return {
        area: rules.members_on(in_force[code].members, on, reference) if code in in_force else None
        for area, code in codes.items()
    }


def sync_all(on: date | None = None) -> int:
    """sync_region for every woondeal; the number of regions in force."""
    from bouwregie.woondeals.models import Woondeal

    return sum(sync_region(code, on) is not None for code in Woondeal.objects.values_list("code", flat=True))


def agreements_of(version, area: str) -> list:
    """The agreements of one woondeal version as unsaved Target objects for `area` (see module docstring).
    Counts in homes; years 2022–2030 (rules.JAARSCHIJF_YEARS)."""
    from bouwregie.targets.models import Target

    first, last = rules.JAARSCHIJF_YEARS[0], rules.JAARSCHIJF_YEARS[-1]
    source = f"{version.source} (woondeal {version.woondeal.code}, versie {version.number})"
    out = []
    yearly = {str(y): int(n) for y, n in sorted(version.jaarschijven.items()) if n is not None}
    if version.taakstelling_total is not None or yearly:
        total = version.taakstelling_total if version.taakstelling_total is not None else sum(yearly.values())
        out.append(Target(area=area, metric=Target.Metric.BRUTO, first_year=first, last_year=last, total=total,
                          yearly=yearly, source=source))  # fmt: skip
    segments = version.taakstelling_segments or {}
    social = segments.get("sociale_huur")
    if social is not None:
        out.append(Target(area=area, metric=Target.Metric.SOCIALE_HUUR, first_year=first, last_year=last,
                          total=int(social), source=source))  # fmt: skip
        middle = segments.get("middenhuur_betaalbare_koop")
        if middle is not None:
            out.append(Target(area=area, metric=Target.Metric.BETAALBAAR, first_year=first, last_year=last,
                              total=int(social) + int(middle), source=source))  # fmt: skip
    return out


def agreements_on(on: date | None = None) -> dict[str, list]:
    """Per woondeal region code, the agreements of the version in force on `on` (default today)."""
    from bouwregie.woondeals import store

    out = {}
    for version in store.current_all(on):
        area = region_code(version.woondeal.code)
        out[area] = agreements_of(version, area)
    return out


def versions_key() -> tuple:
    """Changes whenever a woondeal version is recorded (versions are append-only): part of cache keys."""
    from django.db.models import Count, Max

    from bouwregie.woondeals.models import WoondealVersion

    found = WoondealVersion.objects.aggregate(n=Count("id"), last=Max("id"))
    return (found["n"], found["last"])
