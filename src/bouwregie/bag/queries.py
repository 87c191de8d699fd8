"""Registered deliveries and starts per year for an area (NL, province, municipality, region), from the
derived woningen (BagWoning) of the newest extract per municipality.

A municipality's figures come from the newest extract (by stand date, then load) that has woningen in it, so
an old national package and a newer municipal extract are never added up. Deliveries count new build only
(origin "nieuwbouw", events.py rule 7) unless other origins are asked for; a year is the calendar year of
the event date."""

from collections import Counter

from django.db.models import Count
from django.db.models.functions import ExtractYear

from bouwregie.geo.areas import Area, resolve_area


def newest_extracts(municipalities=None) -> dict[str, int]:
    """Municipality code → id of the newest extract with woningen there."""
    from bouwregie.bag.models import BagExtract, BagWoning

    pairs = BagWoning.objects.values_list("municipality", "extract_id").order_by().distinct()
    if municipalities is not None:
        pairs = pairs.filter(municipality__in=municipalities)
    pairs = list(pairs)
    stand = dict(BagExtract.objects.filter(id__in={e for _m, e in pairs}).values_list("id", "stand_date"))
    best: dict[str, tuple] = {}
    for code, extract_id in pairs:
        key = (stand[extract_id], extract_id)
        if code not in best or key > best[code]:
            best[code] = key
    return {code: key[1] for code, key in best.items()}


def _area(area) -> Area:
    return area if isinstance(area, Area) else resolve_area(area)


def _per_year(area, years, date_field: str, **filters) -> dict[int, int]:
    from bouwregie.bag.models import BagWoning

    area = _area(area)
    newest = newest_extracts(None if area.kind == "nl" else area.municipalities)
    by_extract: dict[int, list] = {}
    for code, extract_id in newest.items():
        by_extract.setdefault(extract_id, []).append(code)
    years = sorted(set(years)) if years is not None else None
    totals: Counter = Counter()
    for extract_id, codes in by_extract.items():
        rows = BagWoning.objects.filter(extract_id=extract_id, municipality__in=codes, **filters).exclude(
            **{f"{date_field}__isnull": True}
        )
        if years is not None:
            rows = rows.filter(**{f"{date_field}__year__in": years})
        for row in rows.annotate(year=ExtractYear(date_field)).values("year").annotate(n=Count("id")):
            totals[row["year"]] += row["n"]
    if years is None:
        return dict(sorted(totals.items()))
    return {year: totals.get(year, 0) for year in years}


def deliveries(area, years=None, origins=("nieuwbouw",)) -> dict[int, int]:
    """{year: homes delivered} in `area` (an Area or what resolve_area reads: "NL", "PV25", "GM0221", a
    region code), for `years` (all years with deliveries when None)."""
    return _per_year(area, years, "delivery_date", origin__in=list(origins))


def starts(area, years=None) -> dict[int, int]:
    """{year: homes whose construction started (pand "Bouw gestart")} in `area`."""
    return _per_year(area, years, "start_date")
