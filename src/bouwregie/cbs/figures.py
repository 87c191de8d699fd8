"""CBS new build per area and year, for the reconciliation with the monitor and the BAG (docs/registraties.md).

new_build("GM0394", [2018, 2019])      -> {2018: 1234, 2019: 1500}  Haarlemmermeer incl. Haarlemmerliede en S.
new_build("PV27", range(2012, 2021))   -> per year, the province's municipalities (split former ones included)
new_build_by_municipality(2019)        -> {"GM0394": 1500, "GM0788": 12, …}

Which release: unless one is given, per period the newest release that has that period (latest publication
date, then latest import): a revised release replaces the figures of the periods it holds, an older release
still answers for periods the newer one does not have (81955NED for 2012–2024 beside 86098NED from 2025 on).

Areas are seen in the 2025 municipal division (regions.py): a former municipality counts for its successor; a
split one (Haaren, Winsum, …) only for its province and NL, never for a successor municipality or a region.
A year is its JJ00 figure, else four quarters, else twelve months (statline.yearly); a '.' counts as 0.
"""

from collections import defaultdict

from django.db.models import Q

from bouwregie.cbs.models import CbsFigure, CbsRelease
from bouwregie.cbs.regions import region_map
from bouwregie.cbs.statline import yearly
from bouwregie.geo.areas import Area, resolve_area


def _area(area) -> Area:
    return area if isinstance(area, Area) else resolve_area(area)


def _area_filter(area: Area) -> Q:
    if area.kind == "nl":
        return Q()
    if area.kind == "provincie":
        return Q(province=area.code)
    return Q(municipality__in=sorted(area.municipalities), split=False)


def chosen_releases(years, release=None) -> dict[str, CbsRelease]:
    """Period code → the release that answers for it."""
    if release is not None:
        release = release if isinstance(release, CbsRelease) else CbsRelease.objects.get(pk=release)
        periods = CbsFigure.objects.filter(release=release, year__in=list(years)).values_list("period", flat=True)
        return dict.fromkeys(periods.distinct(), release)
    releases = {r.pk: r for r in CbsRelease.objects.all()}
    best: dict[str, CbsRelease] = {}
    pairs = CbsFigure.objects.filter(year__in=list(years)).values_list("period", "release_id").distinct()
    for period, release_id in pairs:
        candidate = releases[release_id]
        current = best.get(period)
        if current is None or (candidate.release_date, candidate.imported_at, candidate.pk) > (
            current.release_date,
            current.imported_at,
            current.pk,
        ):
            best[period] = candidate
    return best


def _yearly_by_municipality(area: Area, years, release=None) -> tuple[dict, dict]:
    """({(municipality, year): nieuwbouw}, {year: {release labels}})."""
    years = sorted(set(int(y) for y in years))
    chosen = chosen_releases(years, release)
    rows = (
        CbsFigure.objects.filter(_area_filter(area), region_kind="gemeente", year__in=years)
        .values_list("release_id", "period", "region", "municipality", "year", "period_kind", "part", "nieuwbouw")
        .iterator(chunk_size=10_000)
    )
    per_region = []
    successor = {}
    regions = region_map()
    used: dict = defaultdict(set)
    for release_id, period, region, municipality, year, kind, part, value in rows:
        picked = chosen.get(period)
        if picked is None or picked.pk != release_id:
            continue
        per_region.append((region, year, kind, part, value))
        successor[region] = municipality
        used[year].add(picked)
    result: dict = defaultdict(int)
    for (region, year), value in yearly(per_region).items():
        if value is None and successor[region] == region and regions.existed(region, year) in ("niet", "deels"):
            continue  # a split former municipality's empty cell after it ceased to exist: no row of 0
        result[(successor[region], year)] += value or 0
    return dict(result), used


def new_build(area, years, release=None) -> dict[int, int]:
    """CBS nieuwbouw (Woningen) per year for a municipality (GM code, 2025 division), province, region or NL;
    only years the registrations have."""
    return new_build_detail(area, years, release)["years"]


def new_build_detail(area, years, release=None) -> dict:
    """new_build with the releases that answered each year (the reconciliation names its source)."""
    area = _area(area)
    per_municipality, used = _yearly_by_municipality(area, years, release)
    totals: dict[int, int] = defaultdict(int)
    for (_municipality, year), value in per_municipality.items():
        totals[year] += value
    return {
        "area": area.as_dict(),
        "years": {year: totals[year] for year in sorted(totals)},
        "releases": {
            year: [
                {"id": r.pk, "table": r.table_id, "number": r.number, "release_date": r.release_date.isoformat()}
                for r in sorted(used[year], key=lambda r: (r.table_id, r.number))
            ]
            for year in sorted(totals)
        },
    }


def new_build_by_municipality(year: int, release=None) -> dict[str, int]:
    """CBS nieuwbouw per municipality (2025 successor; a split former municipality under its own code) in a year."""
    per_municipality, _used = _yearly_by_municipality(Area("nl", "NL", "Nederland"), [year], release)
    return {code: value for (code, _year), value in sorted(per_municipality.items())}
