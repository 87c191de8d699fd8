"""Alternatives for a shortfall: which projects of the area (and of its woondeal) could fill year Y?

Woontop 2024 (seed 004), Afspraak 3B: when a project is delayed, the table puts alternatives on the
table — other projects of the woondeal pulled forward, or soft capacity brought in. A candidate is an
active project with homes planned after Y (its next phase could come earlier) or without any planning
yet, that could still deliver in Y at the fastest plausible pace (projects/leadtimes.py).

The shortfall is the area's own agreement for Y minus what Y already delivers or plans, else its part of
its woondeal's jaarschijf, else the figure the user states (monitor/shortfall.py).

The ranking is a plain sum of points with one reason per component, so the table can see why a project
is on top and disagree with it. Ties go to the larger contribution, then to the project code.
"""

from datetime import date

import numpy as np
from django.utils.translation import gettext as _

from bouwregie.formatting import number, percent
from bouwregie.geo.areas import Area, resolve_area
from bouwregie.geo.models import Region
from bouwregie.monitor import figures
from bouwregie.monitor.shortfall import ShortfallNeeded, check_shortfall, from_woondeal, woondeals_of, year_target
from bouwregie.monitor.snapshot import (
    AFFORDABLE_COLUMNS,
    HARDNESS,
    PHASES,
    STATUS_CLASS,
    STATUSES,
    YEARS,
    Snapshot,
    bottleneck_labels,
    describe_versions,
    load,
    members,
    segment_share,
)
from bouwregie.projects.leadtimes import fastest_years_to_delivery, years_left_in
from bouwregie.projects.milestones import phase_label
from bouwregie.projects.models import Peiling

# Points per component; the total is at most 100 before the bottleneck deduction.
POINTS = {
    "haalbaarheid": 35,  # time to spare after the fastest plausible delivery, full at SPARE_YEARS_FULL
    "planstatus": 20,  # hard plans can be pulled forward, soft ones must be decided first
    "segment": 25,  # affordable share against what year Y needs to reach 2/3
    "bijdrage": 15,  # homes that move, against the shortfall
    "sprong": 5,  # a pull of one year is more realistic than one of five
}
SPARE_YEARS_FULL = 2.0
STATUS_POINTS = {"hard": 1.0, "3": 0.5, "4A": 0.25, "4B": 0.25, "onbekend": 0.25}
LONGEST_PULL_YEARS = 5  # a phase planned five or more years after Y earns no 'sprong' points
BOTTLENECK_DEDUCTION, MAX_BOTTLENECK_DEDUCTION = 10, 20

_FASTEST = np.array([fastest_years_to_delivery(p) for p in PHASES])
_STATUS_FACTOR = np.array([STATUS_POINTS[c] for c in STATUS_CLASS])


def woondeal_areas(area: Area, on: date) -> list[Area]:
    """The woondeal regions a municipality belongs to on `on`: their projects are candidates too. The
    woondeals as data (members on that day, as agreed then); only when none has it, geo.Region of kind woondeal."""
    if area.kind != "gemeente":
        return []
    deals = woondeals_of(area.code, on)
    if deals:
        return [Area("regio", v.woondeal.code, v.name, frozenset(members)) for v, members in deals]
    regions = Region.objects.filter(kind=Region.Kind.WOONDEAL, municipalities__code=area.code).order_by("code")
    return [resolve_area(r.code) for r in regions]


def alternatives(spec: str, peiling: str, year: int, shortfall: int | None = None, limit: int | None = 25) -> dict:
    """The shortfall of `spec` in `year` and the ranked candidates to fill it (the best `limit`)."""
    if not YEARS[0] <= year <= YEARS[-1]:
        raise ValueError(_("Jaar %(year)s valt buiten %(first)s–%(last)s.")
                         % {"year": year, "first": YEARS[0], "last": YEARS[-1]})  # fmt: skip
    reference = Peiling.objects.get(code=peiling).reference_date
    area = resolve_area(spec, reference)
    s = load(peiling)
    if year < reference.year:
        raise ValueError(_("Jaar %(year)s ligt voor peiling %(peiling)s; kies %(next)s of later.")
                         % {"year": year, "peiling": peiling, "next": reference.year})  # fmt: skip
    y = year - YEARS[0]
    in_area = members(s, area)
    deals = woondeal_areas(area, reference)
    in_deal = np.zeros_like(in_area)
    for deal in deals:
        in_deal |= members(s, deal)
    sums = figures.group_sums(s, np.zeros(len(in_area), dtype=np.int64), 1, include=in_area).take(0)
    delivered = int(sums.realised[y] + sums.planned[y])
    target = year_target(area.code, year, reference) or from_woondeal(area, year, s, delivered)
    if shortfall is not None:
        shortfall, origin = check_shortfall(shortfall), "opgegeven"
    elif target is None:
        raise ShortfallNeeded(area, year)
    else:
        shortfall, origin = max(0, target["homes"] - delivered), "woondeal" if "woondeal" in target else "afspraak"
    needed = needed_affordable_share(float(sums.affordable_by_year[y]), float(sums.known_by_year[y]), shortfall)

    ranked = rank(s, in_area | in_deal, year, years_left_in(year, reference), shortfall, needed)
    order, movable, late = ranked["order"], ranked["movable"], ranked["too_late"]
    shown = order if limit is None else order[:limit]
    cumulative = np.cumsum(movable[order])
    covered = bool(shortfall) and cumulative.size > 0 and cumulative[-1] >= shortfall
    details = describe_versions(s.version_ids[shown].tolist())
    deal_names = ", ".join(d.name for d in deals)
    candidates = []
    for rank_no, i in enumerate(shown.tolist()):
        reasons = ranked["reasons"](i)
        if not in_area[i]:
            reasons.append(_("andere gemeente in woondeal %s") % deal_names)
        candidates.append({
            "rank": rank_no + 1, **details[int(s.version_ids[i])], "in_area": bool(in_area[i]),
            "plan_status": STATUSES[s.status[i]], "phase": PHASES[s.phase[i]],
            "homes_movable": int(movable[i]), "from_year": ranked["from_year"](i),
            "score": round(float(ranked["score"][i]), 1),
            "points": {k: round(float(v[i]), 1) for k, v in ranked["points"].items()},
            "reasons": reasons, "cumulative_homes": int(cumulative[rank_no]),
        })  # fmt: skip
    return {
        "area": area.as_dict(), "peiling": peiling, "year": year, "reference_date": reference.isoformat(),
        "woondeal": [d.as_dict() for d in deals], "target": target, "delivered": delivered, "shortfall": shortfall,
        "shortfall_from": origin,
        "needed_affordable_share": needed,
        "totals": {
            "candidates": len(order), "candidate_homes": int(movable[order].sum()),
            "too_late": int(late.sum()), "too_late_homes": int(movable[late].sum()),
            "projects_to_cover": int(np.searchsorted(cumulative, shortfall) + 1) if covered else None,
        },
        "points_max": POINTS, "candidates": candidates,
    }  # fmt: skip


def needed_affordable_share(affordable: float, known: float, shortfall: int) -> float:
    """The affordable share of the extra homes that would bring year Y to 2/3 (Afspraak 1): none needed
    when the year is already there, all of them when even that would not reach it."""
    if shortfall <= 0:
        return round(figures.AFFORDABLE_NORM, 4)
    return round(min(1.0, max(0.0, (figures.AFFORDABLE_NORM * (known + shortfall) - affordable) / shortfall)), 4)


def rank(s: Snapshot, pool: np.ndarray, year: int, years_left: float, shortfall: int, needed: float) -> dict:
    """Candidates within `pool`, their points and the ranking (indices into the snapshot)."""
    y = year - YEARS[0]
    later = s.planned[:, y + 1 :]
    if later.shape[1] == 0:  # the last year of YEARS: nothing lies later (argmax refuses an empty axis)
        later = np.zeros((len(s.planned), 1), dtype=s.planned.dtype)
    has_later = later.any(axis=1)
    unplanned = s.planned.sum(axis=1) == 0
    first_later = np.argmax(later > 0, axis=1)
    movable = np.where(has_later, later[np.arange(len(later)), first_later], s.remaining)
    candidate = pool & s.active & (s.remaining > 0) & (has_later | unplanned)
    spare = years_left - _FASTEST[s.phase]
    feasible = candidate & (spare >= 0)
    pull = first_later + 1  # years the next phase moves forward

    share, known = segment_share(s, AFFORDABLE_COLUMNS)
    fit = np.where(known, np.minimum(1.0, share / needed) if needed > 0 else 1.0, 0.5)
    n_bottlenecks = s.bottlenecks.sum(axis=1)
    points = {
        "haalbaarheid": POINTS["haalbaarheid"] * np.clip(spare / SPARE_YEARS_FULL, 0, 1),
        "planstatus": POINTS["planstatus"] * _STATUS_FACTOR[s.status],
        "segment": POINTS["segment"] * fit,
        "bijdrage": POINTS["bijdrage"] * (np.minimum(1.0, movable / shortfall) if shortfall else np.ones(len(movable))),
        "sprong": POINTS["sprong"] * np.where(has_later, np.clip(1 - (pull - 1) / (LONGEST_PULL_YEARS - 1), 0, 1), 0),
        "knelpunten": -np.minimum(MAX_BOTTLENECK_DEDUCTION, BOTTLENECK_DEDUCTION * n_bottlenecks),
    }
    score = np.clip(sum(points.values()), 0, 100)
    index = np.flatnonzero(feasible)
    order = index[np.lexsort((s.project_ids[index], -movable[index], -np.round(score[index], 6)))]

    def from_year(i: int) -> int | None:
        return int(year + pull[i]) if has_later[i] else None

    def reasons(i: int) -> list[str]:
        phase = PHASES[s.phase[i]]
        status = STATUSES[s.status[i]]
        fast = _years(_FASTEST[s.phase[i]])
        if phase == "oplevering":
            pace = _("deels opgeleverd: de volgende fase kan direct")
        elif phase == "start_bouw":
            pace = _("in aanbouw: vroegst klaar na %s jaar (halverwege de bouw verondersteld)") % fast
        else:
            pace = _("fase '%(phase)s': vroegst mogelijke oplevering na %(fast)s jaar met parallel plannen") % {
                "phase": phase_label(phase),
                "fast": fast,
            }
        text = [
            pace + _("; %(spare)s jaar speling tot eind %(year)s") % {"spare": _years(spare[i]), "year": year},
            _("planstatus %(status)s (%(hardness)s)") % {"status": status, "hardness": HARDNESS[s.hardness[i]]},
            _("segment onbekend") if not known[i] else
            _("%(share)s betaalbaar; nodig voor 2/3 in %(year)s: %(needed)s")
            % {"share": percent(share[i]), "year": year, "needed": percent(needed)},
            (_("%(homes)s woningen uit %(from)s naar %(year)s") if has_later[i] else
             _("%(homes)s woningen zonder opleveringsplanning (zachte capaciteit)"))
            % {"homes": number(int(movable[i])), "from": year + pull[i], "year": year}
            + (_(": %s van het tekort") % percent(min(1.0, movable[i] / shortfall)) if shortfall else ""),
        ]  # fmt: skip
        if has_later[i]:
            text.append(_("%d jaar naar voren") % pull[i])
        names = bottleneck_labels(s, i)
        if names:
            text.append(_("knelpunt: %(names)s (%(points)d punten)")
                        % {"names": ", ".join(names), "points": points["knelpunten"][i]})  # fmt: skip
        return text

    return {"order": order, "too_late": candidate & ~feasible, "movable": movable,
            "score": score, "points": points, "reasons": reasons, "from_year": from_year}  # fmt: skip


def _years(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")
