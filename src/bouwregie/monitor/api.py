"""The monitor's Python API (used by the CLI, and later the web UI and REST API).

monitor("PV27", "2025-Q3")            -> all figures of Noord-Holland
national("2025-Q3")                   -> NL, the 12 provinces and the 342 municipalities at once
projects_behind("GM0344", "2025-Q3", "realised:2024") -> the project codes behind that number
"""

import numpy as np
from django.utils.translation import gettext as _

from bouwregie.geo.areas import resolve_area
from bouwregie.geo.models import Municipality, Province
from bouwregie.monitor import figures
from bouwregie.monitor.snapshot import GROUPS, HARDNESS, PHASES, PLAN_TYPES, SEGMENTS, YEARS, load, members
from bouwregie.projects.models import Peiling, Project
from bouwregie.targets.models import Target


def chosen_peiling(code: str | None) -> str:
    """The peiling a command asked for, else the last closed one; a clear error when there is none."""
    if code is None:
        latest = Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").first()
        code = latest.code if latest else None
    if not code or not Peiling.objects.filter(code=code).exists():
        raise Peiling.DoesNotExist(_("Peiling '%s' bestaat niet; zie 'bouwregie peiling list'.") % (code or "-"))
    return code


def _targets() -> dict[str, list]:
    result: dict[str, list] = {}
    for target in Target.objects.all():
        result.setdefault(target.area, []).append(target)
    return result


def monitor(spec: str, peiling: str, norm: float = figures.CAPACITY_NORM) -> dict:
    area = resolve_area(spec)
    snapshot = load(peiling)
    mask = members(snapshot, area)
    sums = figures.group_sums(snapshot, np.zeros(len(mask), dtype=np.int64), 1, include=mask).take(0)
    return figures.report(area.as_dict(), sums, _targets().get(area.code, []), peiling, norm)


def national(peiling: str, norm: float = figures.CAPACITY_NORM) -> dict[str, dict]:
    """Every municipality, province and NL in one pass; parents are sums of their children."""
    s = load(peiling)
    n_m, n_p = len(s.municipality_codes), len(s.province_codes)
    per_municipality = figures.group_sums(s, s.municipality, n_m)
    per_province = per_municipality.sum_by(s.municipality_province, n_p)
    whole = per_province.sum_by(np.zeros(n_p, dtype=np.int64), 1)
    names = dict(Municipality.objects.values_list("code", "name")) | dict(Province.objects.values_list("code", "name"))
    targets = _targets()
    result = {"NL": figures.report({"kind": "nl", "code": "NL", "name": "Nederland"}, whole.take(0),
                                   targets.get("NL", []), peiling, norm)}  # fmt: skip
    for kind, codes, sums in (("provincie", s.province_codes, per_province),
                              ("gemeente", s.municipality_codes, per_municipality)):  # fmt: skip
        for i, code in enumerate(codes):
            area = {"kind": kind, "code": code, "name": names.get(code, code)}
            result[code] = figures.report(area, sums.take(i), targets.get(code, []), peiling, norm)
    return result


def projects_behind(spec: str, peiling: str, figure: str) -> list[str]:
    """The project codes behind one number: 'pipeline', 'hard', 'zacht', 'onbekend', 'realised:2024',
    'planned:2027', 'phase:start_bouw', 'type:transformatie', 'segment:sociale_huur', 'group:nultreden'."""
    s = load(peiling)
    mask = members(s, resolve_area(spec))
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
