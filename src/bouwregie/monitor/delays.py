"""What slipped between two peilingen: milestone dates that moved later, deliveries that moved to
later years, plan status regressions and projects that left the pipeline — per area, largest first.

Only projects whose version differs between the two peilingen can have moved, so milestones are
compared just for those; deliveries and statuses come from the two (cached) snapshots.
"""

import math
from datetime import date

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _

from bouwregie.geo.areas import resolve_area
from bouwregie.monitor.snapshot import LIFECYCLES, STATUSES, YEARS, Snapshot, as_date, load, load_area, members
from bouwregie.projects.models import Peiling, Project, ProjectVersion
from bouwregie.projects.services import GONE, parse_peiling_code

# A milestone counts as delayed when it moved later by more than this many months (configurable per call).
DEFAULT_MONTHS = 3
DAYS_PER_MONTH = 365.25 / 12
_GONE = [LIFECYCLES.index(g) for g in GONE]
# 1…4; 0 = onbekend (not compared). A generic 'hard' is at least vastgesteld (2), a generic 'zacht' 4.
_STATUS_GROUP = np.array([int(s[0]) if s[0].isdigit() else {"hard": 2, "zacht": 4}.get(s, 0) for s in STATUSES])


def delayed_since_last_peiling(spec: str, months: float = DEFAULT_MONTHS) -> frozenset:
    """The projects (ids) of an area that slipped between the two latest closed peilingen: the
    'vertraagd' filter of the project list and the API. Empty when fewer than two are closed."""
    closed = list(Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter")[:2])
    if len(closed) < 2:
        return frozenset()
    return frozenset(delays(spec, closed[1].code, closed[0].code, months, limit=1, with_ids=True)["project_ids"])


def delays(spec: str, first: str, second: str, months: float = DEFAULT_MONTHS, limit: int | None = None,
           with_ids: bool = False) -> dict:  # fmt: skip
    if not math.isfinite(months) or months < 0:
        raise ValueError(_("De drempel is een eindig aantal maanden, 0 of meer; niet '%s'.") % months)
    if first == second:
        raise ValueError(_("Kies twee verschillende peilingen."))
    if parse_peiling_code(first) > parse_peiling_code(second):
        raise ValueError(
            _("Peiling %(van)s ligt na %(tot)s; vergelijk de eerdere peiling met de latere.")
            % {"van": first, "tot": second}
        )
    area = resolve_area(spec, Peiling.objects.get(code=second).reference_date)  # a woondeal region as agreed then
    a, b = load_area(first, area), load_area(second, area)  # cold: only the area's parts (issue #21)
    closed = dict(
        Peiling.objects.filter(code__in=[first, second], closed_at__isnull=False).values_list("code", "closed_at")
    )
    frozen = (connection.alias, first, closed[first], second, closed[second]) if len(closed) == 2 else None
    if frozen is None:
        found = _findings(a, b, area, months, None, lambda: load(second))
    else:  # two closed peilingen: the same question always has the same answer (see _KEPT)
        found = _kept(_FINDINGS, (*frozen, area, months),
                      lambda: _findings(a, b, area, months, frozen, lambda: load(second)))  # fmt: skip
    listed, reasons, affected, totals, moved_out = found
    details = _describe(listed[:limit] if limit else listed)
    return {
        "area": area.as_dict(), "from": first, "to": second, "threshold_months": months, "totals": dict(totals),
        "moved_out_of_year": dict(moved_out),
        "projects": [{**details[pid], "homes_affected": affected[pid], "reasons": [dict(r) for r in reasons[pid]]}
                     for pid in details],
    } | ({"project_ids": list(listed)} if with_ids else {})  # fmt: skip


def _findings(a: Snapshot, b: Snapshot, area, months: float, frozen: tuple | None, whole_b) -> tuple:
    """(projects largest first, their reasons, homes affected, totals, homes moved out of each year). `a` and `b`
    hold at least the area's projects (snapshot.load_area); `whole_b()` is the whole second peiling, asked only
    for a project that left the area for another municipality, to name its state there."""
    in_a, in_b = members(a, area), members(b, area)
    common = np.intersect1d(a.project_ids[in_a], b.project_ids[in_b], assume_unique=True)
    ia, ib = np.searchsorted(a.project_ids, common), np.searchsorted(b.project_ids, common)
    # Only a project with a new version can have moved or regressed: its deliveries (rules.deliveries) and its plan
    # status are its version's alone. Comparing only those is the same answer at a fraction of the work.
    changed = a.version_ids[ia] != b.version_ids[ib]
    ca, cb, cc = ia[changed], ib[changed], common[changed]
    reasons: dict[int, list] = {}
    affected: dict[int, int] = {}

    def note(project_id: int, reason: dict, homes: int) -> None:
        reasons.setdefault(project_id, []).append(reason)
        affected[project_id] = max(affected.get(project_id, 0), int(homes))

    # Deliveries that moved to later years: the project's mean delivery year increased.
    before = a.realised[ca] + a.planned[ca]
    after = b.realised[cb] + b.planned[cb]
    mean_before = (before * YEARS).sum(axis=1) / np.maximum(before.sum(axis=1), 1)
    mean_after = (after * YEARS).sum(axis=1) / np.maximum(after.sum(axis=1), 1)
    later = (before.sum(axis=1) > 0) & (after.sum(axis=1) > 0) & (mean_after > mean_before + 1e-9)
    moved = np.maximum(before - after, 0) * later[:, None]
    for k in np.flatnonzero(later).tolist():
        note(int(cc[k]), {"soort": "oplevering", "van_jaar": round(float(mean_before[k]), 2),
                          "naar_jaar": round(float(mean_after[k]), 2), "woningen": int(moved[k].sum())},
             int(moved[k].sum()))  # fmt: skip

    # Plan status regressions: back to a later IPO group (e.g. 2A → 3); 'onbekend' is not compared.
    group_a, group_b = _STATUS_GROUP[a.status[ca]], _STATUS_GROUP[b.status[cb]]
    regressed = (group_a > 0) & (group_b > group_a)
    for k in np.flatnonzero(regressed).tolist():
        change = {"soort": "planstatus", "van": STATUSES[a.status[ca[k]]], "naar": STATUSES[b.status[cb[k]]]}
        note(int(cc[k]), change, int(b.remaining[cb[k]]))

    # Projects that left: active in the first peiling, and gone or absent in the second.
    active_a = in_a & (a.lifecycle == LIFECYCLES.index("actief"))
    gone_b = np.isin(b.lifecycle, _GONE)
    left = np.setdiff1d(a.project_ids[active_a], b.project_ids[in_b & ~gone_b], assume_unique=True)
    second = b  # holds at least the area's projects; the whole peiling when one left for another municipality
    for pid in left.tolist():
        i = np.searchsorted(a.project_ids, pid)
        if not _holds(second, pid):
            second = whole_b()
        j = np.searchsorted(second.project_ids, pid)
        state = LIFECYCLES[second.lifecycle[j]] if _holds(second, pid) else "niet_in_peiling"
        note(pid, {"soort": "verdwenen", "status": state}, int(a.remaining[i]))

    # Milestones that moved later, for projects whose version changed.
    homes_of = dict(zip(cc.tolist(), b.homes[cb].tolist(), strict=True))
    slips = 0
    for pid, kind, sequence, was, now in _later_milestones(a, b, ia, ib, common, frozen):
        if (now - was).days > months * DAYS_PER_MONTH:
            slips += 1
            note(pid, {"soort": "mijlpaal", "mijlpaal": kind, "volgnummer": sequence, "van": was.isoformat(),
                       "naar": now.isoformat(), "maanden": round((now - was).days / DAYS_PER_MONTH, 1)},
                 homes_of[pid])  # fmt: skip

    listed = sorted(reasons, key=lambda pid: (-affected[pid], pid))
    totals = {
        "projects_delayed": len(reasons), "milestone_slips": slips,
        "homes_moved_later": int(moved.sum()), "status_regressions": int(regressed.sum()),
        "disappeared_projects": len(left), "disappeared_homes": int(a.remaining[np.isin(a.project_ids, left)].sum()),
    }  # fmt: skip
    moved_out = {str(y): int(v) for y, v in zip(YEARS, moved.sum(axis=0), strict=True) if v}
    return listed, reasons, affected, totals, moved_out


# What slipped between two closed peilingen never changes (DESIGN.md: closed peilingen are immutable), so it is
# kept per server process, keyed by database alias, codes and closing times: the milestones that moved later
# for the whole country (every area filters them), and each area's findings. Computing them cost 0.5 s per
# request on the 25,000-project demo (issue #19: /vertragingen took seconds under load). Only the names of the
# listed projects are read again each time (_describe: a later version may rename a project). A few entries
# are kept; the oldest goes first.
_NATIONAL_SLIPS: dict[tuple, list[tuple]] = {}
_FINDINGS: dict[tuple, tuple] = {}
_KEPT = 16


def forget_kept() -> None:
    """Drop what is kept (tests: their databases roll back and reuse codes, ids and closing times)."""
    _NATIONAL_SLIPS.clear()
    _FINDINGS.clear()


def _kept(cache: dict, key: tuple, compute):
    found = cache.get(key)
    if found is None:
        found = compute()
        while len(cache) >= _KEPT:
            cache.pop(next(iter(cache)), None)
        cache[key] = found
    return found


def _holds(s: Snapshot, project_id: int) -> bool:
    j = np.searchsorted(s.project_ids, project_id)
    return bool(j < len(s.project_ids) and s.project_ids[j] == project_id)


def _later_milestones(a: Snapshot, b: Snapshot, ia: np.ndarray, ib: np.ndarray, common: np.ndarray,
                      frozen: tuple | None = None) -> list[tuple]:  # fmt: skip
    """(project, kind, sequence, date then, date now) for every milestone of the `common` projects that moved
    later. `frozen`: the key of two closed peilingen, whose national answer is then kept (see above)."""
    if a.milestones is not None and b.milestones is not None:  # materialised: compared in memory, for these only
        return _moved_later_materialised(a, b, ia, ib, common)
    if frozen is None:
        return _moved_later(a, b, ia, ib, common)

    def national():
        both = np.intersect1d(a.project_ids, b.project_ids)
        return _moved_later(a, b, np.searchsorted(a.project_ids, both), np.searchsorted(b.project_ids, both), both)

    every = _kept(_NATIONAL_SLIPS, frozen, national)
    wanted = set(common.tolist())
    return [slip for slip in every if slip[0] in wanted]


def _moved_later(a: Snapshot, b: Snapshot, ia: np.ndarray, ib: np.ndarray, common: np.ndarray) -> list[tuple]:
    """Only projects whose version changed between the peilingen can have moved, so only their milestones
    are read (by version id: an index lookup on both backends, whatever the planner's statistics say)."""
    changed = a.version_ids[ia] != b.version_ids[ib]
    pairs = list(zip(common[changed].tolist(), a.version_ids[ia][changed].tolist(), b.version_ids[ib][changed].tolist(),
                     strict=True))  # fmt: skip
    dates = _milestone_dates([v for _p, va, vb in pairs for v in (va, vb)])
    result = []
    for pid, va, vb in pairs:
        now = dates.get(vb, {})
        for key, was in sorted(dates.get(va, {}).items()):  # by kind and sequence, as the materialised answer
            if was and now.get(key) and now[key] > was:
                result.append((pid, key[0], key[1], was, now[key]))
    return result


def _moved_later_materialised(a: Snapshot, b: Snapshot, ia: np.ndarray, ib: np.ndarray,
                              common: np.ndarray) -> list[tuple]:  # fmt: skip
    """_moved_later over the milestones the two snapshots carry (snapshot.MilestoneDates), with no database read:
    each dated milestone (kind, sequence) of a changed project in `a` is matched with the same in `b`. The same
    answer, in the same order (by project, then kind and sequence)."""
    changed = common[a.version_ids[ia] != b.version_ids[ib]]
    kinds = sorted(set(a.milestones.kinds) | set(b.milestones.kinds))
    width = int(max(a.milestones.sequence.max(initial=0), b.milestones.sequence.max(initial=0))) + 1

    def keyed(m):  # one int64 per milestone, ordered as (project, kind, sequence)
        keep = np.isin(m.project_ids, changed) & ~np.isnat(m.date)
        kind = np.searchsorted(kinds, m.kinds).astype(np.int64)[m.kind[keep]] if m.kinds else m.kind[keep]
        return (m.project_ids[keep] * len(kinds) + kind) * width + m.sequence[keep], m.date[keep]

    keys_a, dates_a = keyed(a.milestones)
    keys_b, dates_b = keyed(b.milestones)
    keys, ja, jb = np.intersect1d(keys_a, keys_b, assume_unique=True, return_indices=True)
    later = dates_b[jb] > dates_a[ja]
    project, rest = np.divmod(keys[later], len(kinds) * width)
    kind, sequence = np.divmod(rest, width)
    return [(p, kinds[k], q, was, now) for p, k, q, was, now in zip(
        project.tolist(), kind.tolist(), sequence.tolist(), dates_a[ja][later].tolist(), dates_b[jb][later].tolist(),
        strict=True)]  # fmt: skip


def _milestone_dates(version_ids: list[int]) -> dict[int, dict[tuple[str, int], date]]:
    result: dict[int, dict] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(version_ids), 5000):
            chunk = version_ids[start : start + 5000]
            cursor.execute(
                "SELECT version_id, kind, sequence, COALESCE(actual, planned) FROM projects_milestone "
                f"WHERE version_id IN ({', '.join(['%s'] * len(chunk))})", chunk
            )  # fmt: skip
            for vid, kind, seq, when in cursor.fetchall():
                result.setdefault(vid, {})[(kind, seq)] = as_date(when)
    return result


def _describe(project_ids: list[int]) -> dict[int, dict]:
    codes = dict(Project.objects.filter(id__in=project_ids).values_list("id", "code"))
    latest = {}
    for pid, name, municipality, homes in (
        ProjectVersion.objects.filter(project_id__in=project_ids)
        .order_by("project_id", "number")
        .values_list("project_id", "name", "municipality__name", "homes_total")
    ):
        latest[pid] = {"code": codes[pid], "name": name, "municipality": municipality, "homes": homes}
    return {pid: latest[pid] for pid in project_ids}
