"""The monitor's Python API (used by the CLI, and later the web UI and REST API).

monitor("PV27", "2025-Q3")            -> all figures of Noord-Holland
national("2025-Q3")                   -> NL, the 12 provinces and the 342 municipalities at once
projects_behind("GM0344", "2025-Q3", "realised:2024") -> the project codes behind that number
"""

import threading
from datetime import date
from functools import lru_cache

import numpy as np
import orjson
from django.db import connection
from django.utils.translation import gettext as _

from bouwregie.geo.areas import resolve_area, resolve_regions
from bouwregie.geo.models import Municipality, Province
from bouwregie.monitor import figures
from bouwregie.monitor.snapshot import (
    GROUPS,
    HARDNESS,
    PHASES,
    PLAN_TYPES,
    SEGMENTS,
    YEARS,
    load,
    load_area,
    members,
    reference_codes,
)
from bouwregie.projects.models import Peiling, Project
from bouwregie.targets.models import Target


def unknown_peiling(code: str | None) -> Peiling.DoesNotExist:
    """The error for a peiling that does not exist, naming the closed ones: the same words on the command line,
    in the browser and in the API (no advice to run a command where none can be run)."""
    closed = list(Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter")
                  .values_list("code", flat=True)[:9])  # fmt: skip
    known = ", ".join(closed[:8]) + (", …" if len(closed) > 8 else "") if closed else _("nog geen")
    return Peiling.DoesNotExist(
        _("Peiling '%(code)s' bestaat niet; gesloten peilingen: %(closed)s.") % {"code": code or "-", "closed": known}
    )


def chosen_peiling(code: str | None) -> str:
    """The peiling a command asked for, else the last closed one; a clear error when there is none."""
    if code is None:
        latest = Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").first()
        code = latest.code if latest else None
    if not code or not Peiling.objects.filter(code=code).exists():
        raise unknown_peiling(code)
    return code


def targets_by_area(on: date | None = None) -> dict[str, list]:
    """Every agreement, grouped by the area it is for (NL, PV27, GM0344, a region's code), including each
    woondeal region's own agreements as agreed on `on` (default today; woondeals.regions.agreements_on).
    A Target row entered for the same area, indicator and period wins over the woondeal's."""
    from bouwregie.woondeals.regions import agreements_on

    result: dict[str, list] = {}
    for target in Target.objects.all():
        result.setdefault(target.area, []).append(target)
    for area, agreed in agreements_on(on).items():
        entered = {(t.metric, t.first_year, t.last_year) for t in result.get(area, [])}
        result.setdefault(area, []).extend(t for t in agreed if (t.metric, t.first_year, t.last_year) not in entered)
    return result


def _targets_key() -> tuple:
    """Every agreement as plain values: part of the cache key, so a changed agreement is seen at once."""
    rows = Target.objects.order_by("id").values_list("id", "area", "metric", "first_year", "last_year", "total",
                                                     "share", "yearly", "source")  # fmt: skip
    from bouwregie.woondeals.regions import versions_key

    return (*((*row[:7], orjson.dumps(row[7], option=orjson.OPT_SORT_KEYS), row[8]) for row in rows),
            versions_key())  # fmt: skip


def _closed(peiling: str) -> tuple | None:
    """The cache key of a closed peiling (it never changes, docs/decisions/0002); None when still open."""
    p = Peiling.objects.filter(code=peiling).values_list("id", "closed_at").first()
    if p is None:
        raise unknown_peiling(peiling)
    return (connection.alias, p[0], p[1], _targets_key()) if p[1] else None


# The figures of a closed peiling are computed once per process (the dashboard asks for the same areas
# over and over: 200-300 ms each on the 25,000-project demo). The results are shared: treat as read-only.
def reference_date(peiling: str):
    """The peiling's reference date (its quarter's last day): the day woondeal regions are taken as agreed."""
    found = Peiling.objects.filter(code=peiling).first()
    if found is None:
        raise Peiling.DoesNotExist(_("Peiling '%s' bestaat niet.") % peiling)
    return found.reference_date


def monitor(spec: str, peiling: str, norm: float = figures.CAPACITY_NORM) -> dict:
    return monitors([spec], peiling, norm)[0]


def monitors(specs: list[str], peiling: str, norm: float = figures.CAPACITY_NORM) -> list[dict]:
    """monitor() of several areas of one peiling, the peiling and its cache key read once (the provincial
    dashboard asks it for each of its regions: issue #19, 66 queries for Noord-Holland)."""
    on, key = reference_date(peiling), _closed(peiling)
    regions = resolve_regions(specs, on) if len(specs) > 1 else {}  # all regions in a fixed number of queries
    found = []
    for spec in specs:
        area = regions.get(spec) or resolve_area(spec, on)
        every = _NATIONAL.get((key, peiling, norm)) if area.kind in ("nl", "provincie", "gemeente") else None
        if key is None:
            found.append(_monitor(area, peiling, norm))
        elif every is not None:
            found.append(every[area.code])  # every area already computed by national()
        else:
            found.append(_monitor_cached(key, area, peiling, norm))
    return found


@lru_cache(maxsize=256)
def _monitor_cached(key: tuple, area, peiling: str, norm: float) -> dict:
    if area.kind in ("nl", "provincie", "gemeente"):
        return _from_sums(area, peiling, norm)
    return _monitor(area, peiling, norm)


def _monitor(area, peiling: str, norm: float) -> dict:
    snapshot = load_area(peiling, area)
    mask = members(snapshot, area)
    sums = figures.group_sums(snapshot, np.zeros(len(mask), dtype=np.int64), 1, include=mask).take(0)
    return figures.report(area.as_dict(), sums, targets_by_area(reference_date(peiling)).get(area.code, []), peiling,
                          norm)  # fmt: skip


def _from_sums(area, peiling: str, norm: float) -> dict:
    """A closed peiling's figures for NL, a province or a municipality from its materialised sums per municipality
    (monitor/materialised.py): only the area's municipalities are read, and the result is exactly what
    national() gives for the area (the same sums, added up the same way; issue #21)."""
    from bouwregie.monitor import materialised

    found = Peiling.objects.get(code=peiling)
    codes = reference_codes()
    wanted = {
        "nl": None,
        "gemeente": {area.code},  # as the reference list places them (also a municipality merged away since)
        "provincie": {code for code, p in zip(codes.municipality_codes, codes.municipality_province, strict=True)
                      if codes.province_codes[p] == area.code},
    }[area.kind]  # fmt: skip
    per_municipality = materialised.sums_of(found, wanted)
    if area.kind == "gemeente":
        sums = per_municipality.take(codes.municipality_codes.index(area.code))
        name = Municipality.objects.filter(code=area.code).values_list("name", flat=True).first()
    else:
        n_p = len(codes.province_codes)
        per_province = per_municipality.sum_by(codes.municipality_province, n_p)
        if area.kind == "provincie":
            sums = per_province.take(codes.province_codes.index(area.code))
            name = Province.objects.filter(code=area.code).values_list("name", flat=True).first()
        else:
            sums, name = per_province.sum_by(np.zeros(n_p, dtype=np.int64), 1).take(0), "Nederland"
    described = {"kind": area.kind, "code": area.code, "name": name or area.code}
    return figures.report(described, sums, targets_by_area().get(area.code, []), peiling, norm)


def national(peiling: str, norm: float = figures.CAPACITY_NORM) -> dict[str, dict]:
    """Every municipality, province and NL in one pass; parents are sums of their children. A closed peiling's
    figures come from its materialised sums per municipality (no project row is read: issue #21) and are kept
    per process; an open peiling is computed from its live snapshot each time."""
    key = _closed(peiling)
    if key is None:
        s = load(peiling)
        return _national(figures.group_sums(s, s.municipality, len(s.municipality_codes)), peiling, norm)
    kept = _NATIONAL.get((key, peiling, norm))
    if kept is None:
        from bouwregie.monitor import materialised

        kept = _national(materialised.sums_of(Peiling.objects.get(code=peiling)), peiling, norm)
        with _NATIONAL_LOCK:  # the web server's threads share it
            while len(_NATIONAL) >= NATIONAL_KEPT:
                _NATIONAL.pop(next(iter(_NATIONAL)))  # the oldest first
            _NATIONAL[key, peiling, norm] = kept
    return kept


NATIONAL_KEPT = 8  # closed peilingen whose every figure is kept (a few MB each at 342 municipalities)
_NATIONAL: dict[tuple, dict[str, dict]] = {}  # (closed key, peiling, norm) → national(); monitors() reads it too
_NATIONAL_LOCK = threading.Lock()


def forget_kept() -> None:
    """Forget every figure kept in this process (tests, and a restore: its peilingen have the same keys)."""
    with _NATIONAL_LOCK:
        _NATIONAL.clear()
    _monitor_cached.cache_clear()


def _national(per_municipality: figures.Sums, peiling: str, norm: float) -> dict[str, dict]:
    """The report of every area from the sums per municipality (rows in snapshot.reference_codes() order)."""
    codes = reference_codes()
    n_p = len(codes.province_codes)
    per_province = per_municipality.sum_by(codes.municipality_province, n_p)
    whole = per_province.sum_by(np.zeros(n_p, dtype=np.int64), 1)
    names = dict(Municipality.objects.values_list("code", "name")) | dict(Province.objects.values_list("code", "name"))
    targets = targets_by_area()
    result = {"NL": figures.report({"kind": "nl", "code": "NL", "name": "Nederland"}, whole.take(0),
                                   targets.get("NL", []), peiling, norm)}  # fmt: skip
    for kind, area_codes, sums in (("provincie", codes.province_codes, per_province),
                                   ("gemeente", codes.municipality_codes, per_municipality)):  # fmt: skip
        for i, code in enumerate(area_codes):
            area = {"kind": kind, "code": code, "name": names.get(code, code)}
            result[code] = figures.report(area, sums.take(i), targets.get(code, []), peiling, norm)
    return result


def projects_behind(spec: str, peiling: str, figure: str) -> list[str]:
    """The project codes behind one number: 'pipeline', 'hard', 'zacht', 'onbekend', 'realised:2024',
    'planned:2027', 'phase:start_bouw', 'type:transformatie', 'segment:sociale_huur', 'group:nultreden'."""
    area = resolve_area(spec, reference_date(peiling))
    s = load_area(peiling, area)
    mask = members(s, area)
    kind, _sep, value = figure.partition(":")
    active = mask & s.active
    selections = {
        "pipeline": lambda: active,
        "hard": lambda: active & (s.hardness == HARDNESS.index("hard")),
        "zacht": lambda: active & (s.hardness == HARDNESS.index("zacht")),
        "onbekend": lambda: active & (s.hardness == HARDNESS.index("onbekend")),
        "realised": lambda: mask & (s.realised[:, _year(value)] > 0),
        "planned": lambda: active & (s.planned[:, _year(value)] > 0),
        "phase": lambda: active & (s.phase == PHASES.index("" if value == "voor_initiatief" else value)),
        "type": lambda: active & (s.plan_type == PLAN_TYPES.index(value)),
        "segment": lambda: active & (s.segments[:, SEGMENTS.index(value)] > 0),
        "group": lambda: active & (s.groups[:, GROUPS.index(value)] > 0),
    }
    if kind not in selections:
        raise ValueError(_("Onbekend cijfer '%s'.") % figure)
    try:
        selected = selections[kind]()
    except (ValueError, IndexError):
        raise ValueError(_("Onbekend cijfer '%s'.") % figure) from None
    ids = s.project_ids[selected].tolist()
    return sorted(Project.objects.filter(id__in=ids).values_list("code", flat=True))


def _year(value: str) -> int:
    year = int(value)
    if not YEARS[0] <= year <= YEARS[-1]:
        raise ValueError(value)
    return year - YEARS[0]


def warm_latest_figures() -> None:
    """Before the web server forks its workers: the latest closed peilingen as snapshots, the figures of
    every area for the newest (the dashboard's first page) with its convenant records, its realisatiestimulans
    (the instrument pages) and what slipped between the latest two (the delays page), so no visitor waits."""
    import logging

    from django.db import DatabaseError, connections

    from bouwregie.instruments.api import realisatiestimulans
    from bouwregie.monitor.delays import delayed_since_last_peiling
    from bouwregie.monitor.snapshot import warm_latest

    try:
        for code in warm_latest()[:1]:
            national(code)
            from bouwregie.convenant.store import latest_records

            latest_records(code)  # the dashboard's convenant section (kept per closed peiling)
            try:  # the instrument pages' default (both variants, kept per closed peiling)
                realisatiestimulans(code)
            except ValueError as error:  # e.g. an unreadable regulation file: the page says why, the server starts
                logging.getLogger(__name__).warning("Realisatiestimulans niet vooraf berekend: %s", error)
        delayed_since_last_peiling("NL")  # the milestones that moved between the latest two (monitor.delays)
    except DatabaseError as error:
        logging.getLogger(__name__).warning("Monitorcijfers niet vooraf berekend: %s", error)
    finally:
        connections.close_all()  # workers must not share the parent's database connection
