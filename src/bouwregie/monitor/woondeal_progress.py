"""Progress of a woondeal region against its own agreements (issue #17; docs/woondeals.md "Voortgang").

`progress` is pure (numbers in, numbers out, tested by hand); `woondeal_progress` is the thin reader that
feeds it from one peiling snapshot and the woondeal version as agreed on the peiling's reference date.

Rules, each redoable by hand:
- The region is the members on the peiling's date (woondeals.rules.members_on: merged-away municipalities
  replaced by their successor, each code once). Its projects are the distinct projects of those
  municipalities: every project lies in one municipality, so a project counts once in a region and a
  municipality in two regions is never counted twice in NL (regions are never added up).
- Realised and planned per year 2022–2030 are the monitor's (monitor.figures.group_sums: realised of all
  projects, planned of active ones), against the jaarschijven, per year and cumulative.
- Segments: the woondeal agrees three segments (seed 002); our six map onto them as
  sociale huur → sociale_huur; middenhuur + betaalbare koop → middenhuur_betaalbare_koop;
  vrije sector huur + dure koop → duur; "onbekend" stays outside the shares. Counted are the homes
  delivered or planned 2022–2030 (pro rata to each project's segment mix).
- Corporation homes: the homes delivered or planned 2022–2030 of the projects with a housing corporation
  among their recorded parties (accounts.ProjectParty, role "corporatie": the parties at the project's table,
  Woontop 2024 Afspraak 3B), counted whole — a corporation that builds with a developer builds the project —
  with the parties recorded when the peiling closed. The number of projects with any recorded party is given
  beside it (`projects_with_parties`), so the coverage is plain. When no project of the region has a recorded
  party at all, the sociale huur homes stand in for the corporations' part (sociale huur is what corporations
  build, seed 002), `basis: "sociale_huur"` instead of `"projectpartijen"`, and the page says so.
- Plan capacity (the pipeline: active projects, homes not yet realised; hard/zacht/onbekend) against the
  remaining task = taakstelling − realised 2022 up to the peiling, never below zero.
- Per member: its part of every jaarschijf and of the taakstelling by monitor.shortfall.split_year_target
  (proportional to its pipeline, whole homes adding up exactly).
- Forecast P(met): a region forecast takes seconds, too slow for a page; we show the latest stored forecast
  (forecast.models.Forecast) of the woondeal's region for the peiling, when someone ran it (the page links to
  the forecast form for that region and peiling). The forecast counts the runs that reach the woondeal's
  taakstelling as agreed on the peiling's date (woondeals.regions.agreements_on feeds it as the region's
  target): P(met) = the share of runs with delivered 2022–2030 ≥ taakstelling, with the expected shortfall,
  and the same per jaarschijf. A forecast stored before the woondeal had an agreement has no such row; then
  only its P10/P50/P90 are shown, with the verdict likely (P10 ≥ taakstelling), unlikely (P90 < it) or
  uncertain.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from django.db import connection

from bouwregie.monitor import figures
from bouwregie.monitor import snapshot as snap
from bouwregie.monitor.shortfall import split_year_target
from bouwregie.projects.models import Peiling
from bouwregie.woondeals import rules

FIRST, LAST = rules.JAARSCHIJF_YEARS[0], rules.JAARSCHIJF_YEARS[-1]
SPAN = slice(FIRST - snap.FIRST_YEAR, LAST + 1 - snap.FIRST_YEAR)  # 2022–2030 in snapshot.YEARS
# Our segments (projects.enums.Segment) onto the woondeal's three (seed 002).
SEGMENT_MAP = {
    "sociale_huur": "sociale_huur",
    "middenhuur": "middenhuur_betaalbare_koop",
    "betaalbare_koop": "middenhuur_betaalbare_koop",
    "vrije_sector_huur": "duur",
    "dure_koop": "duur",
}


@dataclass
class MemberFigures:
    """The monitor's sums of one member municipality (years 2022–2030, in order)."""

    realised: list[int]
    planned: list[int]
    segments: dict[str, float]  # woondeal segment → homes delivered or planned 2022–2030
    capacity: dict[str, int]  # hard / zacht / onbekend pipeline homes
    projects: int = 0
    name: str = ""
    corporation: float = 0.0  # homes delivered or planned 2022–2030 of projects with a corporation party
    with_parties: int = 0  # projects with any recorded party


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def progress(agreement: dict, members: dict[str, MemberFigures], realised_until: int,
             norm: float = figures.CAPACITY_NORM) -> dict:  # fmt: skip
    """The woondeal's figures. `agreement`: taakstelling_total, taakstelling_segments, jaarschijven,
    corporation_homes (a version's data); `members`: per member code its sums; `realised_until`: the last
    year whose realisations are counted in the remaining task (the peiling's year)."""
    years = list(rules.JAARSCHIJF_YEARS)
    slices = {int(y): int(n) for y, n in (agreement.get("jaarschijven") or {}).items()}
    codes = sorted(members)
    realised = [sum(members[c].realised[i] for c in codes) for i in range(len(years))]
    planned = [sum(members[c].planned[i] for c in codes) for i in range(len(years))]
    rows, cum_target, cum_done = [], 0, 0
    for i, y in enumerate(years):
        target = slices.get(y)
        cum_target += target or 0
        cum_done += realised[i] + planned[i]
        rows.append({"year": y, "jaarschijf": target, "realised": realised[i], "planned": planned[i],
                     "difference": None if target is None else realised[i] + planned[i] - target,
                     "cumulative_jaarschijf": cum_target if slices else None, "cumulative": cum_done})  # fmt: skip
    total = agreement.get("taakstelling_total")
    done = sum(realised)
    realised_so_far = sum(r for y, r in zip(years, realised, strict=True) if y <= realised_until)
    remaining = None if total is None else max(int(total) - realised_so_far, 0)
    capacity = {h: sum(members[c].capacity.get(h, 0) for c in codes) for h in snap.HARDNESS}
    pipeline = sum(capacity.values())
    segments = _segments(agreement, {s: sum(members[c].segments.get(s, 0.0) for c in codes) for s in rules.SEGMENTS})
    with_parties = sum(members[c].with_parties for c in codes)
    basis = "projectpartijen" if with_parties else "sociale_huur"
    built = round(sum(members[c].corporation for c in codes)) if with_parties else segments["rows"][0]["homes"]
    corporation = agreement.get("corporation_homes")
    pipelines = {c: sum(members[c].capacity.values()) for c in codes}
    parts = {y: split_year_target(n, pipelines) for y, n in slices.items()}
    total_parts = split_year_target(int(total), pipelines) if total is not None and codes else {}
    member_rows = []
    for c in codes:
        m = members[c]
        # Against its part of the taakstelling; without a taakstelling, the sum of its jaarschijf parts.
        own_target = total_parts[c] if c in total_parts else (sum(p[c] for p in parts.values()) if parts else None)
        member_rows.append({
            "code": c, "name": m.name or c, "projects": m.projects, "pipeline": pipelines[c],
            "share": _share(pipelines[c], pipeline) if pipeline else (_share(1, len(codes)) if codes else None),
            "taakstelling": total_parts.get(c), "realised": sum(m.realised), "planned": sum(m.planned),
            "difference": None if own_target is None else sum(m.realised) + sum(m.planned) - own_target,
            "years": [{"year": y, "jaarschijf": parts[y][c] if y in parts else None, "realised": m.realised[i],
                       "planned": m.planned[i]} for i, y in enumerate(years)],
            "segments": _segments({}, m.segments)["rows"],
        })  # fmt: skip
    return {
        "members": codes,
        "taakstelling": total,
        "realised": done,
        "planned": sum(planned),
        "realised_and_planned": done + sum(planned),
        "progress": _share(done, total),
        "expected": _share(done + sum(planned), total),
        "years": rows,
        "segments": segments,
        "corporations": {
            "agreed": corporation,
            "homes": built,
            "share": _share(built, total),
            "agreed_share": _share(corporation, total) if corporation is not None else None,
            "progress": _share(built, corporation) if corporation else None,
            "basis": basis,
            "projects_with_parties": with_parties,
        },  # fmt: skip
        "capacity": {
            **capacity,
            "plan_capacity": pipeline,
            "remaining_task": remaining,
            "ratio": _share(pipeline, remaining) if remaining else None,
            "norm": norm,
            "meets_norm": (pipeline >= norm * remaining) if remaining else None,
            "hard_ratio": _share(capacity["hard"], remaining) if remaining else None,
        },  # fmt: skip
        "per_member": member_rows,
    }


def _segments(agreement: dict, homes: dict[str, float]) -> dict:
    """Homes and shares per woondeal segment against the agreed homes and shares."""
    agreed = agreement.get("taakstelling_segments") or {}
    agreed_total = sum(int(v) for v in agreed.values())
    known = sum(homes.values())
    return {
        "known": round(known),
        "rows": [
            {
                "segment": s,
                "homes": round(homes.get(s, 0.0)),
                "share": _share(homes.get(s, 0.0), known),
                "agreed": agreed.get(s),
                "agreed_share": _share(agreed[s], agreed_total) if s in agreed else None,
                "progress": _share(homes.get(s, 0.0), agreed[s]) if agreed.get(s) else None,
            }
            for s in rules.SEGMENTS
        ],  # fmt: skip
    }


def member_figures(s: snap.Snapshot, codes: list[str], names: dict | None = None,
                   parties: tuple[set, set] = (set(), set())) -> dict[str, MemberFigures]:  # fmt: skip
    """Grouped sums per member municipality over the snapshot (one pass; projects outside left out).
    `parties`: (ids of projects with a corporation party, ids of projects with any party)."""
    index = {c: i for i, c in enumerate(s.municipality_codes)}
    present = [c for c in codes if c in index]
    group = np.full(len(s.municipality_codes), len(present), dtype=np.int64)
    for j, c in enumerate(present):
        group[index[c]] = j
    project_group = group[s.municipality]
    include = project_group < len(present)
    sums = figures.group_sums(s, project_group, len(present) + 1, include=include)
    # Deliveries 2022–2030 per segment, pro rata to each project's mix (as figures.group_sums does).
    delivered = (s.realised + s.planned * s.active[:, None])[include][:, SPAN].sum(axis=1)
    fraction = s.segments[include] / np.maximum(s.homes[include], 1)[:, None]
    per_segment = figures._grouped(delivered[:, None] * fraction, project_group[include], len(present) + 1)
    ids = s.project_ids[include]
    by_party = np.stack([delivered * np.isin(ids, list(parties[0])), np.isin(ids, list(parties[1]))], axis=1)
    per_party = figures._grouped(by_party.astype(np.float64), project_group[include], len(present) + 1)
    out = {}
    for j, c in enumerate(present):
        segments = dict.fromkeys(rules.SEGMENTS, 0.0)
        for k, seg in enumerate(snap.SEGMENTS):
            if seg in SEGMENT_MAP:
                segments[SEGMENT_MAP[seg]] += float(per_segment[j, k])
        out[c] = MemberFigures(
            realised=[int(v) for v in sums.realised[j, SPAN]], planned=[int(v) for v in sums.planned[j, SPAN]],
            segments=segments, capacity={h: int(v) for h, v in zip(snap.HARDNESS, sums.hardness[j], strict=True)},
            projects=int(sums.projects[j]), name=(names or {}).get(c, c),
            corporation=float(per_party[j, 0]), with_parties=int(per_party[j, 1]),
        )  # fmt: skip
    for c in codes:
        out.setdefault(c, MemberFigures([0] * 9, [0] * 9, dict.fromkeys(rules.SEGMENTS, 0.0),
                                        dict.fromkeys(snap.HARDNESS, 0), 0, (names or {}).get(c, c)))  # fmt: skip
    return out


def forecast_chance(region_code: str | None, peiling: str, taakstelling: int | None,
                    realised: dict[int, int] | None = None) -> dict | None:  # fmt: skip
    """The latest stored forecast of the region for the peiling, read against the taakstelling (see above):
    {forecast_id, area, until, spread {p10, p50, p90, …}, verdict, probability (0–1) or None, expected_shortfall
    (homes) or None, yearly {year: {target, probability, expected_shortfall}}}. The forecast counts from the
    peiling's year; `realised` (homes per year) adds what was realised 2022 up to that year, so the spread is of
    2022–2030 like the taakstelling."""
    from bouwregie.forecast.models import Forecast

    if not region_code or taakstelling is None:
        return None
    stored = Forecast.objects.filter(area=region_code, peiling=peiling).order_by("-id").first()
    if stored is None:
        return None
    spread = ((stored.result.get("series") or {}).get("totaal") or {}).get("cumulative", {}).get(str(LAST))
    if not spread:
        return None
    first = (stored.result.get("years") or [FIRST])[0]
    earlier = sum(n for y, n in (realised or {}).items() if FIRST <= y < first)
    spread = {k: (v + earlier if k in ("p10", "p50", "p90", "mean") and v is not None else v)
              for k, v in spread.items()}  # fmt: skip
    p10, p90 = spread.get("p10"), spread.get("p90")
    verdict = ("likely" if p10 is not None and p10 >= taakstelling else
               "unlikely" if p90 is not None and p90 < taakstelling else "uncertain")  # fmt: skip
    met = next((t for t in stored.result.get("targets") or []
                if t.get("indicator") == "bruto_woningen" and t.get("period") == f"{FIRST}-{LAST}"
                and t.get("target") == taakstelling), None)  # fmt: skip
    return {"forecast_id": stored.id, "area": region_code, "until": LAST, "spread": spread, "verdict": verdict,
            "probability": met.get("probability") if met else None,
            "expected_shortfall": met.get("expected_shortfall") if met else None,
            "yearly": (met or {}).get("yearly") or {}}  # fmt: skip


class NoAgreement(LookupError):
    pass


def woondeal_progress(code: str, peiling_code: str) -> dict:
    """The progress of woondeal `code` at a peiling, as agreed on the peiling's reference date. Cached per
    closed peiling (immutable) and woondeal version."""
    from django.utils.translation import gettext as _

    from bouwregie.woondeals import store

    peiling = Peiling.objects.get(code=peiling_code)
    on = peiling.reference_date
    version = store.as_agreed_on(code, on)
    if version is None:
        raise NoAgreement(_("Woondeal %(code)s had op %(date)s nog geen afspraak.") % {"code": code, "date": on})
    if peiling.is_closed:
        result = _cached(connection.alias, peiling.id, peiling.closed_at, version.id, code, peiling_code, on)
    else:
        result = _compute(version, code, peiling_code, on)
    # Read apart from the cache: a forecast stored later is seen at once.
    realised = {r["year"]: r["realised"] for r in result["years"]}
    return {**result, "forecast": forecast_chance(result["region"], peiling_code, version.taakstelling_total,
                                                  realised)}  # fmt: skip


@lru_cache(maxsize=128)
def _cached(alias, peiling_id, closed_at, version_id, code, peiling_code, on) -> dict:
    from bouwregie.woondeals.models import WoondealVersion

    return _compute(WoondealVersion.objects.get(pk=version_id), code, peiling_code, on)


def _compute(version, code: str, peiling_code: str, on: date) -> dict:
    from bouwregie.geo.models import Municipality, Region
    from bouwregie.woondeals import regions, store

    codes = rules.members_on(version.members, on, store.reference())
    names = dict(Municipality.objects.filter(code__in=codes).values_list("code", "name"))
    s = snap.load(peiling_code)
    result = progress(store.data_of(version), member_figures(s, codes, names, project_parties(peiling_code)), on.year)
    region = Region.objects.filter(code=regions.region_code(code)).values_list("code", flat=True).first()
    result.update(
        code=code, name=version.name, peiling=peiling_code, as_agreed_on=on.isoformat(), version=version.number,
        source=version.source, provinces=version.provinces, region=region,
    )  # fmt: skip
    return result


def project_parties(peiling_code: str) -> tuple[set, set]:
    """(projects with a corporation party, projects with any party), as recorded when the peiling closed."""
    from bouwregie.accounts.models import Organisation, ProjectParty

    closed = Peiling.objects.values_list("closed_at", flat=True).get(code=peiling_code)
    rows = ProjectParty.objects.all() if closed is None else ProjectParty.objects.filter(added_at__lte=closed)
    corporations, anyone = set(), set()
    for project, role in rows.values_list("project_id", "role"):
        anyone.add(project)
        if role == Organisation.Kind.CORPORATIE:
            corporations.add(project)
    return corporations, anyone


def woondeals_of(municipality: str, on: date) -> list[dict]:
    """The woondeals `municipality` belongs to on `on` (as agreed that day), for links from its dashboard; the
    members worked out once per day and woondeal versions (monitor.shortfall.woondeals_of, issue #19)."""
    from bouwregie.monitor.shortfall import woondeals_of as agreed_of

    return [{"code": v.woondeal.code, "name": v.name} for v, _members in agreed_of(municipality, on)]
