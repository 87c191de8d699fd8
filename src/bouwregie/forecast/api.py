"""The forecast's Python API (used by the CLI, the REST API's background task and the web page).

forecast("NL", "2026-Q3", runs=10_000, horizon=2035)                 -> dict (see docs/forecast.md)
forecast("PV27", "2026-Q3", scenarios=("parallel-plannen",))         -> with the difference against the base
calibration("2026-Q3")                                               -> what the history taught
backtest("2024-Q3", "2026-Q3")                                       -> coverage of P10–P90, error of P50
"""

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _

from bouwregie.forecast import calibration as cal
from bouwregie.forecast import engine, model, results, scenarios
from bouwregie.forecast import history as hist
from bouwregie.forecast.limits import DEFAULT_HORIZON, DEFAULT_RUNS, MAX_RUNS, MAX_SEED  # the request's limits
from bouwregie.geo.areas import resolve_area
from bouwregie.geo.models import Municipality, Province
from bouwregie.monitor import snapshot as snap
from bouwregie.monitor.api import chosen_peiling, targets_by_area
from bouwregie.projects.models import Peiling

# The runs are kept in memory as homes per run × area part × year × segment (4 bytes each); a request
# that would need more than this is refused with advice instead of exhausting the server.
MAX_DRAWS_MB = 400
TOP_UNCERTAIN = 10
COUNTED_TARGETS = {"bruto_woningen": "totaal", "betaalbaar": "betaalbaar", "sociale_huur": "sociale_huur"}
SHARE_TARGETS = {"aandeel_betaalbaar": "betaalbaar", "aandeel_sociale_huur": "sociale_huur"}


@dataclass(frozen=True)
class Request:
    area: str
    peiling: str | None = None
    runs: int = DEFAULT_RUNS
    horizon: int = DEFAULT_HORIZON
    scenarios: tuple[str, ...] = ()
    seed: int = 2025

    def checked(self) -> "Request":
        """The request with its peiling filled in; ValueError with a clear message for what cannot be."""
        peiling = chosen_peiling(self.peiling)
        p = Peiling.objects.get(code=peiling)
        if not 1 <= self.runs <= MAX_RUNS:
            raise ValueError(_("Aantal runs moet tussen 1 en %d liggen.") % MAX_RUNS)
        if not p.year <= self.horizon <= snap.LAST_YEAR:
            raise ValueError(
                _("Horizon moet tussen %(first)d en %(last)d liggen.") % {"first": p.year, "last": snap.LAST_YEAR}
            )
        check_seed(self.seed)
        area = resolve_area(self.area)
        parts = 12 if area.kind == "nl" else 1 if area.kind == "gemeente" else len(area.municipalities) + 1
        needed = self.runs * parts * (self.horizon - p.year + 3) * engine.SEGMENT_COUNT * 4 / 2**20
        if needed > MAX_DRAWS_MB:
            raise ValueError(
                _("Deze prognose zou %(mb)d MB geheugen vragen (%(parts)d deelgebieden × %(runs)d runs); kies "
                  "minder runs of een kortere horizon.") % {"mb": needed, "parts": parts, "runs": self.runs}
            )  # fmt: skip
        return Request(self.area, peiling, self.runs, self.horizon, scenarios.parse(self.scenarios), self.seed)


def check_seed(seed: int) -> None:
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(_("Seed moet tussen 0 en %d liggen.") % MAX_SEED)


def calibration(peiling: str | None = None) -> dict:
    """What the peiling history taught, and beside it the lead times permit → start → delivery from the BAG
    histories ('bag'; bag_calibration.py)."""
    from bouwregie.forecast import bag_calibration

    result = cal.calibrate(chosen_peiling(peiling)).as_dict()
    result["bag"] = bag_calibration.calibration(result["steps"])
    return result


def forecast(area: str, peiling: str | None = None, runs: int = DEFAULT_RUNS, horizon: int = DEFAULT_HORIZON,
             scenarios: tuple[str, ...] | str = (), seed: int = 2025, progress=None) -> dict:  # fmt: skip
    request = Request(area, peiling, runs, horizon, scenarios, seed).checked()
    return run(request, progress)


def run(request: Request, progress=None) -> dict:
    started = time.perf_counter()
    report = progress or (lambda *_args: None)
    report(2, _("Kalibratie"))
    peiling = Peiling.objects.get(code=request.peiling)
    area = resolve_area(request.area, peiling.reference_date)  # a woondeal region as agreed then
    snapshot = snap.load(request.peiling)
    calibration_ = cal.calibrate(request.peiling)
    t0 = peiling.reference_date.toordinal()
    parts = model.parts_of(snapshot, area)
    current = (_current_cached(connection.alias, peiling.id, peiling.closed_at, area) if peiling.is_closed
               else _current(area, request.peiling))  # fmt: skip
    cases = [("basis", ())] + ([("scenario", request.scenarios)] if request.scenarios else [])
    outcome = {}
    for i, (name, codes) in enumerate(cases):
        prepared = model.prepare(snapshot, current, calibration_, area, parts, scenarios.effects(codes),
                                 request.horizon, t0)  # fmt: skip

        def step(percent, i=i, name=name):
            report(5 + int(90 * (i + percent / 100) / len(cases)), _("Simulatie %s") % name)

        draws = engine.simulate(prepared.inputs, request.runs, request.seed, progress=step)
        outcome[name] = (prepared, draws)
    report(96, _("Samenvatten"))
    prepared, draws = outcome["basis"]
    result = {
        "area": area.as_dict(),
        "peiling": request.peiling,
        "reference_date": peiling.reference_date.isoformat(),
        "runs": request.runs,
        "seed": request.seed,
        "horizon": request.horizon,
        "scenarios": list(request.scenarios),
        "years": list(range(prepared.first_year, request.horizon + 1)),
        "projects": len(prepared.rows),
        "homes_to_deliver": int(prepared.remaining.sum()),
        **_summary(snapshot, area, parts, prepared, draws, request),
        "uncertainty": _most_uncertain(snapshot, prepared, min(request.horizon, 2030)),
        "calibration": calibration_.as_dict(),
    }
    if request.scenarios:
        s_prepared, s_draws = outcome["scenario"]
        scenario = _summary(snapshot, area, parts, s_prepared, s_draws, request)
        result["scenario"] = {**scenario, "difference": _difference(draws, s_draws, result["years"], parts.codes)}
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _current(area, peiling: str) -> hist.Current:
    """The forecast's days of the area's projects: stored with a closed peiling's snapshot (monitor/dates.py), read
    from the database for an open one, or when storing failed."""
    snapshot = snap.load(peiling)
    rows = model.to_forecast(snapshot, area)
    if snapshot.dates is not None:
        return snapshot.dates.take(rows)
    return hist.current(peiling, snapshot.version_ids[rows], snapshot.project_ids[rows])


@lru_cache(maxsize=64)
def _current_cached(alias, peiling_id, closed_at, area) -> hist.Current:
    """A closed peiling never changes: its projects' dates are read once per process and area."""
    return _current(area, Peiling.objects.get(pk=peiling_id).code)


def _summary(snapshot, area, parts, prepared, draws, request) -> dict:
    years = list(range(prepared.first_year, request.horizon + 1))
    before = _realised(snapshot, area, parts)  # per series: (parts, YEARS) realised, all projects
    y0 = prepared.first_year - snap.YEARS[0]
    whole = draws.homes.sum(axis=1, dtype=np.int64)[:, None]  # the area as one part
    runs, series = {}, {}
    for name in results.SERIES:
        per_run = runs[name] = results.series(whole, name)[:, 0]  # (runs, buckets)
        per_run[:, 0] += before[name].sum(axis=0)[y0]  # the first year counts what was realised already
        cumulative = np.cumsum(per_run[:, : len(years)], axis=1)
        series[name] = {
            "years": {str(y): results.spread(per_run[:, j]) for j, y in enumerate(years)},
            "cumulative": {str(y): results.spread(cumulative[:, j]) for j, y in enumerate(years)},
            "later": round(float(per_run[:, -2].mean()), 1),
            "dropped_out": round(float(per_run[:, -1].mean()), 1),
            "realised_before": int(before[name].sum(axis=0)[y0]),
        }
    names = dict(Municipality.objects.values_list("code", "name")) | dict(Province.objects.values_list("code", "name"))
    targets = targets_by_area(Peiling.objects.get(code=request.peiling).reference_date)  # woondeals as agreed then
    part_rows = []
    if len(parts.codes) > 1:
        totals = results.series(draws.homes, "totaal")  # (runs, parts, buckets)
        for p, code in enumerate(parts.codes):
            per_run = totals[:, p].astype(np.int64)
            per_run[:, 0] += before["totaal"][p][y0]
            part_rows.append({
                "code": code, "name": names.get(code, str(_("overige projecten")) if code == "overig" else code),
                "years": {str(y): results.spread(per_run[:, j]) for j, y in enumerate(years)},
                "targets": _target_chances(targets.get(code, []), {"totaal": per_run},
                                           {"totaal": before["totaal"][p]}, years),
            })  # fmt: skip
    summed = {name: b.sum(axis=0) for name, b in before.items()}
    return {"series": series, "targets": _target_chances(targets.get(area.code, []), runs, summed, years),
            "parts": part_rows}  # fmt: skip


def _realised(snapshot, area, parts) -> dict[str, np.ndarray]:
    """Homes realised per part and year (all lifecycles), per reported series (segments pro rata): (parts, YEARS)
    int64 each, the pro-rata sums rounded to whole homes.

    Summed over the non-zero (project, year) cells only, with one bincount per series: most projects deliver in one
    or two of the 41 years, and at 250,000 projects adding whole rows (np.add.at over 250,000 x 41 per series) took
    1.5 s (issue #21). The cells are visited in the same order (row-major), so every sum is the same float."""
    mask = snap.members(snapshot, area)
    shares = snap.segment_mix(snapshot, mask)
    row, year = np.nonzero(snapshot.realised[mask])
    homes = snapshot.realised[mask][row, year]
    cell = parts.of_project[mask][row] * len(snap.YEARS) + year
    size = len(parts.codes) * len(snap.YEARS)
    out = {}
    for name, columns in results.SERIES.items():
        share = shares[row][:, np.array(columns)].sum(axis=1) if name != "totaal" else np.ones(len(row))
        grouped = np.bincount(cell, weights=homes * share, minlength=size).reshape(len(parts.codes), -1)
        out[name] = np.rint(grouped).astype(np.int64)
    return out


def _target_chances(targets, runs: dict, realised: dict, years: list[int]) -> list[dict]:
    """Per agreement ending within the forecast's years: the chance to meet it and the expected shortfall.
    `runs`: per series, homes per run and year bucket (the first year including what was realised before
    the peiling); `realised`: per series, homes realised per calendar year (snapshot.YEARS)."""
    out = []
    for t in targets:
        if not years[0] <= t.last_year <= years[-1]:
            continue
        first, upto = max(t.first_year, years[0]) - years[0], t.last_year - years[0]
        row = {"indicator": t.metric, "period": f"{t.first_year}-{t.last_year}", "source": t.source}
        name = COUNTED_TARGETS.get(t.metric)
        if name in runs:
            earlier = int(realised[name][t.first_year - snap.YEARS[0] : years[0] - snap.YEARS[0]].sum())
            if t.total:
                row.update(results.chance_and_shortfall(earlier + runs[name][:, first : upto + 1].sum(axis=1),
                                                        t.total))  # fmt: skip
                row["realised_before"] = earlier + int(realised[name][years[0] - snap.YEARS[0]])
            row["yearly"] = {y: results.chance_and_shortfall(runs[name][:, int(y) - years[0]], n)
                             for y, n in sorted(t.yearly.items()) if years[0] <= int(y) <= years[-1]}  # fmt: skip
        elif SHARE_TARGETS.get(t.metric) in runs and "totaal" in runs:
            part = runs[SHARE_TARGETS[t.metric]][:, first : upto + 1].sum(axis=1)
            whole = np.maximum(runs["totaal"][:, first : upto + 1].sum(axis=1), 1)
            row.update(results.chance_and_shortfall(part / whole, float(t.share)))
            row["period"] = f"{years[first]}-{t.last_year}"  # the share of what is still to come
        else:
            continue
        out.append(row)
    return out


def _most_uncertain(snapshot, prepared, last_year) -> dict:
    """The projects that contribute most to the uncertainty of the homes delivered up to `last_year`
    (variance of each project's contribution, w²·q·(1 − q), as a share of the sum over projects)."""
    q = model.delivery_probability(prepared, last_year)
    w = prepared.remaining.astype(np.float64)
    variance = w**2 * q * (1 - q)
    total = variance.sum()
    top = np.argsort(-variance, kind="stable")[:TOP_UNCERTAIN]
    described = snap.describe_versions(snapshot.version_ids[prepared.rows[top]].tolist())
    return {
        "until": last_year,
        "projects": [
            {**described[int(snapshot.version_ids[prepared.rows[i]])], "remaining": int(w[i]),
             "probability_delivered": round(float(q[i]), 3),
             "share_of_variance": round(float(variance[i] / total), 4) if total else 0.0}
            for i in top
        ],
    }  # fmt: skip


def _difference(base: engine.Draws, other: engine.Draws, years: list[int], part_codes) -> dict:
    """Scenario minus base, per year, with the same random numbers (so the difference is the scenario's
    effect, not noise): mean and P10/P50/P90 of the per-run difference; per part of the area the mean."""
    out = {}
    for name in ("totaal", "betaalbaar"):
        a = results.series(base.homes.sum(axis=1, dtype=np.int64)[:, None], name)[:, 0]
        b = results.series(other.homes.sum(axis=1, dtype=np.int64)[:, None], name)[:, 0]
        out[name] = {str(y): results.spread((b - a)[:, j]) for j, y in enumerate(years)}
    if len(part_codes) > 1:
        mean = (results.series(other.homes, "totaal") - results.series(base.homes, "totaal")).mean(axis=0)
        out["parts"] = {code: {str(y): round(float(mean[p, j]), 1) for j, y in enumerate(years)}
                        for p, code in enumerate(part_codes)}  # fmt: skip
    return out


def backtest(origin: str, until: str | None = None, runs: int = 2000, seed: int = 2025) -> dict:
    """Forecast each province from an earlier peiling (calibrated on the history up to then) and compare
    with what later peilingen report as delivered, for every year both cover fully."""
    check_seed(seed)
    until = chosen_peiling(until)
    origin_p, until_p = Peiling.objects.get(code=origin), Peiling.objects.get(code=until)
    if (origin_p.year, origin_p.quarter) >= (until_p.year, until_p.quarter):
        raise ValueError(_("De beginpeiling moet vóór de vergelijkingspeiling liggen."))
    last_full_year = until_p.year if until_p.quarter == 4 else until_p.year - 1
    if last_full_year < origin_p.year:
        raise ValueError(_("Na %s is nog geen volledig jaar gerapporteerd om mee te vergelijken.") % origin)
    result = run(Request("NL", origin, runs, last_full_year, (), seed))
    later = snap.load(until)
    realised = model.parts_of(later, resolve_area("NL"))
    per_province = np.zeros((len(realised.codes), len(snap.YEARS)), dtype=np.int64)
    np.add.at(per_province, realised.of_project, later.realised)
    rows, inside, errors = [], 0, []
    for part in result["parts"]:
        p = realised.codes.index(part["code"])
        for year, band in part["years"].items():
            actual = int(per_province[p, int(year) - snap.YEARS[0]])
            covered = band["p10"] <= actual <= band["p90"]
            inside += covered
            errors.append(abs(band["p50"] - actual) / max(actual, 1))
            rows.append({"area": part["code"], "name": part["name"], "year": int(year), "actual": actual, **band,
                         "inside_p10_p90": covered})  # fmt: skip
    return {
        "origin": origin,
        "until": until,
        "runs": runs,
        "comparisons": rows,
        "coverage_p10_p90": round(inside / len(rows), 3) if rows else None,
        "median_abs_pct_error_p50": round(float(np.median(errors)) * 100, 1) if errors else None,
        "note": _("Alleen projecten die bij de beginpeiling al in de planlijsten stonden; wat daarna "
                  "instroomde en nog vóór het eind opleverde, telt wel in 'actual'."),
    }  # fmt: skip
