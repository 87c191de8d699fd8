"""From one peiling to the kernel's inputs: per project still to deliver, the distribution of its
remaining time (from its phase, how long it has been in it and the calibrated steps), its chance to
drop out (from its plan status and the steps it still has to go through), and where its homes go
(segments, the area's parts, its own phasing).

The remaining time is a sum of gamma-distributed steps: the rest of the current step (given how long it
has lasted already) plus every step still ahead. That sum is drawn as a log-normal with the same mean
and variance (Fenton–Wilkinson), so each project-run costs one normal variate.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import special

from bouwregie.forecast import history as hist
from bouwregie.forecast import priors
from bouwregie.forecast.calibration import DAYS_PER_YEAR, Calibration, residual_moments
from bouwregie.forecast.engine import Inputs
from bouwregie.forecast.scenarios import Effects
from bouwregie.geo.areas import Area
from bouwregie.monitor.snapshot import BOTTLENECKS, SEGMENTS, STATUSES, Snapshot, members, segment_mix
from bouwregie.projects.enums import Bottleneck
from bouwregie.wholes import round_split

DELAYING_BOTTLENECKS = [BOTTLENECKS.index(Bottleneck.NETCONGESTIE), BOTTLENECKS.index(Bottleneck.WATER_BODEM)]


@dataclass(frozen=True)
class Parts:
    """How the area is split in the result: NL into provinces, a province or region into municipalities."""

    codes: tuple[str, ...]
    of_project: np.ndarray  # (n,) part index per snapshot row


@dataclass(frozen=True)
class Prepared:
    inputs: Inputs
    rows: np.ndarray  # snapshot rows of the projects in the inputs
    remaining: np.ndarray  # (n,) homes still to deliver
    first_year: int
    t0_days: int


def parts_of(snapshot: Snapshot, area: Area) -> Parts:
    if area.kind == "nl":
        codes = snapshot.province_codes
        return Parts(codes, snapshot.municipality_province[snapshot.municipality])
    if area.kind == "gemeente":
        return Parts((area.code,), np.zeros(len(snapshot.project_ids), dtype=np.int64))
    inside = sorted(c for c in snapshot.municipality_codes if c in area.municipalities)
    position = {snapshot.municipality_codes.index(c): i for i, c in enumerate(inside)}
    # A region may also hold single projects outside its municipalities: they form the part "overig".
    of_project = np.array([position.get(m, len(inside)) for m in snapshot.municipality], dtype=np.int64)
    return Parts((*inside, "overig") if area.projects else tuple(inside), of_project)


def to_forecast(snapshot: Snapshot, area: Area) -> np.ndarray:
    """The snapshot rows the forecast simulates: the area's active projects with homes still to deliver."""
    return np.flatnonzero(members(snapshot, area) & snapshot.active & (snapshot.remaining > 0))


def prepare(
    snapshot: Snapshot,
    current: hist.Current,
    calibration: Calibration,
    area: Area,
    parts: Parts,
    effects: Effects,
    horizon: int,
    reference_day: int,
) -> Prepared:
    rows = to_forecast(snapshot, area)
    n = len(rows)
    phase = snapshot.phase[rows].astype(np.int64)
    groups = np.array([priors.status_group(STATUSES[s]) for s in snapshot.status[rows]])
    elapsed = _years_in_phase(current, phase, reference_day)

    base = np.tile(np.array([s.mean for s in calibration.steps]), (n, 1))
    shapes = np.array([s.shape for s in calibration.steps])
    means = base.copy()
    means[:, : priors.START_BOUW] *= effects.preparation_factor
    means[:, priors.PHASES.index("vergunning_aangevraagd")] *= effects.permit_factor
    delayed = snapshot.bottlenecks[rows][:, DELAYING_BOTTLENECKS].any(axis=1) & (phase < priors.START_BOUW)
    base_mean, _base_var, _residual = _remaining(base, shapes, phase, elapsed)
    mean, variance, residual = _remaining(means, shapes, phase, elapsed, delayed * effects.bottleneck_delay_years)
    mu, sigma = lognormal_from_moments(mean, variance)

    # A project with a planned first oplevering: its own plan, corrected by how plans made in its phase
    # turned out (calibration.plans), and stretched or shortened as the scenario changes its steps.
    planned = current.planned_day
    has_plan = (planned != hist.NOT_SEEN) & (phase < priors.OPLEVERING)
    ahead = np.maximum((planned - reference_day) / DAYS_PER_YEAR, priors.PLAN_FLOOR_YEARS)
    plan_ratio = np.array([f.log_ratio for f in calibration.plans])[phase]
    plan_sd = np.array([f.log_sd for f in calibration.plans])[phase]
    scenario_ratio = np.log(np.maximum(mean, 1 / DAYS_PER_YEAR) / np.maximum(base_mean, 1 / DAYS_PER_YEAR))
    mu = np.where(has_plan, np.log(ahead) + plan_ratio + scenario_ratio, mu)
    sigma = np.where(has_plan, plan_sd, sigma)

    hazard = _cumulative_dropout(calibration, groups, phase, residual, means) * effects.dropout_factor
    homes, extra_parent, extra_offset, extra_homes = _deliveries(snapshot, rows)
    first_year = date_year(reference_day)
    inputs = Inputs(
        mu=mu.astype(np.float32),
        sigma=sigma.astype(np.float32),
        p_drop=(-np.expm1(-hazard)).astype(np.float32),
        part=parts.of_project[rows].astype(np.int64),
        homes=homes,
        extra_parent=extra_parent,
        extra_offset=extra_offset,
        extra_homes=extra_homes,
        year_fraction=_year_fraction(reference_day),
        years=horizon - first_year + 1,
        parts=len(parts.codes),
        common_log_sd=float(np.hypot(priors.MACRO_LOG_SD, calibration.parameter_log_sd)),
    )
    return Prepared(inputs, rows, snapshot.remaining[rows], first_year, reference_day)


def _remaining(means, shapes, phase, elapsed, extra_years=0.0):
    """Mean and variance of the years to the first oplevering by the steps: the rest of the current step
    (given the time already spent in it), every step ahead, and an extra delay (with CV 0.5); and the
    mean rest of the current step."""
    n = len(phase)
    residual, residual_var = residual_moments(means[np.arange(n), phase], np.asarray(shapes)[phase], elapsed)
    ahead = np.arange(len(priors.PHASES))[None, :]
    future = (ahead > phase[:, None]) & (ahead < priors.OPLEVERING)
    mean = residual + (means * future).sum(axis=1) + extra_years
    variance = residual_var + (means**2 / shapes * future).sum(axis=1) + (np.asarray(extra_years) / 2) ** 2
    return mean, variance, residual


def lognormal_from_moments(mean: np.ndarray, variance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mu, sigma) of the log-normal with this mean and variance (at least a day to go)."""
    mean = np.maximum(mean, 1 / DAYS_PER_YEAR)
    sigma2 = np.log1p(variance / mean**2)
    return np.log(mean) - sigma2 / 2, np.sqrt(sigma2)


def _years_in_phase(current: hist.Current, phase, reference_day) -> np.ndarray:
    """Years since the project reached its current phase (for the phase before the initiative, and where
    the date is missing: since it first appeared in a peiling)."""
    known = (current.reached_day != hist.NOT_SEEN) & (phase > 0)
    since = np.where(known, current.reached_day, current.first_seen_day)
    return np.clip((reference_day - since) / DAYS_PER_YEAR, 0, None)


def _cumulative_dropout(calibration, groups, phase, residual, means) -> np.ndarray:
    """Expected drop-out hazard until start bouw: the rest of the current step at the project's own
    status group, each later step at the group that phase brings (priors.group_after_phase)."""
    rate = {**calibration.dropout, "gebouwd": 0.0}
    hazard = np.zeros(len(phase))
    for group in np.unique(groups):
        mine = groups == group
        now = np.array([rate[priors.group_after_phase(p, group)] for p in range(len(priors.PHASES))])
        hazard[mine] = rate[group] * residual[mine] * (phase[mine] < priors.START_BOUW)
        ahead = np.arange(len(priors.PHASES))[None, :] > phase[mine][:, None]
        hazard[mine] += (means[mine] * now[None, :] * ahead).sum(axis=1)
    return hazard


def _deliveries(snapshot, rows):
    """Homes per segment in the first delivery year, and the later tranches of phased projects.

    A project's own dated (or source) phasing gives the spread over years; homes without one are spread
    over a year per HOMES_PER_DELIVERY_YEAR homes (priors.py). Segments pro rata, in whole homes."""
    remaining = snapshot.remaining[rows]
    planned = snapshot.planned[rows]
    shares = segment_mix(snapshot, rows)

    first = np.zeros(len(rows), dtype=np.int64)
    tranches: list[tuple[int, int, int]] = []  # (project, years after the first, homes)
    planned_years = (planned > 0).sum(axis=1)
    spread = np.minimum(priors.MAX_SPREAD_YEARS, -(-remaining // priors.HOMES_PER_DELIVERY_YEAR))
    simple = (planned_years <= 1) & ~((planned_years == 0) & (spread > 1))
    first[simple] = remaining[simple]
    for i in np.flatnonzero(~simple):
        if planned_years[i]:
            years = np.flatnonzero(planned[i])
            split = round_split(remaining[i : i + 1], (planned[i, years] / planned[i, years].sum())[None, :])[0]
            offsets = years - years[0]
        else:
            split = round_split(remaining[i : i + 1], np.full((1, spread[i]), 1 / spread[i]))[0]
            offsets = np.arange(spread[i])
        first[i] = split[0]
        tranches += [(i, int(o), int(h)) for o, h in zip(offsets[1:], split[1:], strict=True) if h]
    homes = round_split(first, shares)
    parent = np.array([t[0] for t in tranches], dtype=np.int64)
    extra = round_split(np.array([t[2] for t in tranches], dtype=np.int64), shares[parent]) if tranches else (
        np.zeros((0, len(SEGMENTS)), dtype=np.int64))  # fmt: skip
    return homes, parent, np.array([t[1] for t in tranches], dtype=np.int64), extra


def delivery_probability(prepared: Prepared, last_year: int) -> np.ndarray:
    """Per project: the chance its first homes arrive by the end of `last_year` (analytical; used to rank
    the projects by their share of the uncertainty)."""
    inputs = prepared.inputs
    years = last_year - prepared.first_year + 1 - inputs.year_fraction
    if years <= 0:
        return np.zeros(len(inputs.mu))
    z = (np.log(years) - inputs.mu.astype(np.float64)) / inputs.sigma.astype(np.float64)
    return (1 - inputs.p_drop.astype(np.float64)) * special.ndtr(z)


def date_year(day: int) -> int:
    return date.fromordinal(day).year


def _year_fraction(day: int) -> float:
    d = date.fromordinal(day)
    start = date(d.year, 1, 1).toordinal()
    return (day + 1 - start) / (date(d.year + 1, 1, 1).toordinal() - start)
