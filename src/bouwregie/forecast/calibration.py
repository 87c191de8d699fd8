"""Learning the forecast's distributions from the peiling history, with shrinkage to the priors.

Durations: for every step (phase p → p + 1) each project observed in that step gives a spell: from the
day it reached p to the day it reached p + 1, or censored at the last peiling (still waiting) or at its
drop-out. A project enters the history only when it first appears in a peiling, so a spell counts only
from then on (left truncation; spells that ended before are left out). Per step a gamma distribution
is fitted by maximum a posteriori: the likelihood of those spells times a log-normal prior around the
documented mean and shape (priors.py). Much data → the data decide; little data → the prior stands.

Drop-out: per plan-status group, events per project-year at risk between consecutive peilingen, with a
gamma prior worth PRIOR_EXPOSURE_YEARS project-years (posterior mean).
"""

import dataclasses
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from scipy import special

from bouwregie.forecast import history as hist
from bouwregie.forecast import priors
from bouwregie.projects.models import Peiling

METHOD_VERSION = 1  # raise when the fitting itself changes: stored calibrations are then made anew
DAYS_PER_YEAR = 365.25
MIN_SPELL_YEARS = 1 / DAYS_PER_YEAR  # milestones reached on the same day count as one day apart


@dataclass(frozen=True)
class Spells:
    """Observed durations of one step, in years."""

    duration: np.ndarray  # until the next milestone (event) or until observation ended (censored)
    event: np.ndarray  # bool: the next milestone was reached
    truncation: np.ndarray  # years already spent in the step when the project was first seen


@dataclass(frozen=True)
class StepFit:
    mean: float  # years
    shape: float
    log_sd_mean: float  # posterior uncertainty of log(mean)
    events: int
    spells: int
    prior_mean: float
    calibrated: bool  # False: no data for this step, the prior stands


@dataclass(frozen=True)
class PlanFit:
    """log(time it really took / time the plan said) ~ Normal(log_ratio, log_sd), for plans made in a phase."""

    log_ratio: float
    log_sd: float
    events: int  # plans whose first oplevering came within the history
    plans: int  # plans followed
    calibrated: bool


@dataclass(frozen=True)
class Calibration:
    peiling: str
    peilingen: tuple[str, ...]
    steps: tuple[StepFit, ...]  # index = phase the step starts from
    plans: tuple[PlanFit, ...]  # index = phase the plan was made in (the last, oplevering, is not used)
    dropout: dict  # group -> yearly hazard
    dropout_events: dict
    dropout_exposure_years: dict
    parameter_log_sd: float  # uncertainty of the overall pace implied by the fits

    def as_dict(self) -> dict:
        return {
            "peiling": self.peiling,
            "peilingen": list(self.peilingen),
            "steps": [
                {"from": priors.PHASES[i] or "voor_initiatief", "to": priors.PHASES[min(i + 1, len(priors.PHASES) - 1)],
                 "mean_years": round(s.mean, 3), "prior_mean_years": round(s.prior_mean, 3),
                 "shape": round(s.shape, 2), "log_sd_mean": round(s.log_sd_mean, 4), "events": s.events,
                 "spells": s.spells, "calibrated": s.calibrated}
                for i, s in enumerate(self.steps)
            ],
            "plans": [
                {"phase": priors.PHASES[i] or "voor_initiatief", "typical_ratio": round(float(np.exp(f.log_ratio)), 3),
                 "log_ratio": round(f.log_ratio, 4), "log_sd": round(f.log_sd, 4), "events": f.events,
                 "plans": f.plans, "calibrated": f.calibrated}
                for i, f in enumerate(self.plans[: priors.OPLEVERING])
            ],
            "dropout_per_year": {g: {"rate": round(r, 5), "prior": priors.DROPOUT_PER_YEAR[g],
                                     "events": self.dropout_events[g],
                                     "exposure_years": round(self.dropout_exposure_years[g], 1)}
                                 for g, r in self.dropout.items()},
            "parameter_log_sd": round(self.parameter_log_sd, 4),
        }  # fmt: skip


def calibrate(peiling_code: str) -> Calibration:
    """The calibration for a forecast from this peiling. For a closed peiling it is computed once and kept
    in the database (and in memory): it never changes. An open peiling is calibrated afresh."""
    p = Peiling.objects.values_list("id", "closed_at").get(code=peiling_code)
    if p[1] is None:
        return fit(hist.read(peiling_code), peiling_code)
    return _cached(connection.alias, p[0], p[1], peiling_code)


@lru_cache(maxsize=8)
def _cached(alias, peiling_id, closed_at, code) -> Calibration:
    from bouwregie.forecast.models import StoredCalibration

    fingerprint = priors_fingerprint()
    stored = StoredCalibration.objects.filter(peiling_id=peiling_id, priors=fingerprint).first()
    if stored is not None:
        return from_data(stored.data)
    calibration = fit(hist.read(code), code)
    try:
        with transaction.atomic():
            StoredCalibration.objects.create(peiling_id=peiling_id, priors=fingerprint, data=to_data(calibration))
    except IntegrityError:  # another process stored the same one meanwhile
        pass
    return calibration


def priors_fingerprint() -> str:
    """Every number of priors.py (and this module's method version): a changed prior, a new calibration."""
    numbers = {k: v for k, v in vars(priors).items() if k.isupper()}
    return hashlib.sha256(repr((METHOD_VERSION, sorted(numbers.items()))).encode()).hexdigest()


def to_data(c: Calibration) -> dict:
    return dataclasses.asdict(c)


def from_data(data: dict) -> Calibration:
    return Calibration(**{**data, "peilingen": tuple(data["peilingen"]),
                          "steps": tuple(StepFit(**s) for s in data["steps"]),
                          "plans": tuple(PlanFit(**p) for p in data["plans"])})  # fmt: skip


def fit(h: hist.History, code: str = "") -> Calibration:
    steps = []
    for p in range(len(priors.PHASES)):
        prior_mean = priors.STEP_MEAN_YEARS[p]
        spells = spells_of_step(h, p) if 1 <= p < priors.OPLEVERING else None
        steps.append(fit_step(spells, prior_mean, priors.STEP_SHAPE))
    events = {g: int(h.dropped_next[h.exposure_group == i].sum()) for i, g in enumerate(hist.GROUPS)}
    # Peilingen are a quarter apart: each row at risk is a quarter of a project-year.
    exposure = {g: float((h.exposure_group == i).sum()) / 4 for i, g in enumerate(hist.GROUPS)}
    dropout = {g: dropout_rate(events[g], exposure[g], priors.DROPOUT_PER_YEAR[g]) for g in hist.GROUPS}
    plans = tuple(fit_plan(*plan_observations(h, p)) for p in range(len(priors.PHASES)))
    return Calibration(
        peiling=code,
        peilingen=h.peilingen,
        steps=tuple(steps),
        plans=plans,
        dropout=dropout,
        dropout_events=events,
        dropout_exposure_years=exposure,
        parameter_log_sd=pace_uncertainty(steps),
    )


def dropout_rate(events: int, exposure_years: float, prior_rate: float) -> float:
    """Posterior mean of a Poisson rate with a gamma prior worth PRIOR_EXPOSURE_YEARS at prior_rate."""
    b0 = priors.PRIOR_EXPOSURE_YEARS
    return (events + prior_rate * b0) / (exposure_years + b0)


def spells_of_step(h: hist.History, p: int) -> Spells:
    entry = h.reached[:, p]
    exit_ = h.reached[:, p + 1]
    later = (h.reached[:, p + 2 :] != hist.NOT_SEEN).any(axis=1)
    window_start = h.reference_days[h.first_seen]
    window_end = np.where(h.dropped, h.reference_days[h.last_seen], h.reference_days[-1])
    known = entry != hist.NOT_SEEN
    skipped = (exit_ == hist.NOT_SEEN) & later  # a later milestone without this one: step not observed
    event = (exit_ != hist.NOT_SEEN) & (exit_ <= window_end)
    end = np.where(event, exit_, window_end)
    keep = known & ~skipped & (end >= window_start) & (end >= entry)
    duration = np.maximum((end - entry)[keep] / DAYS_PER_YEAR, MIN_SPELL_YEARS)
    truncation = np.clip((window_start - entry)[keep] / DAYS_PER_YEAR, 0, None)
    return Spells(duration=duration, event=event[keep], truncation=np.minimum(truncation, duration))


def plan_observations(h: hist.History, p: int) -> tuple[np.ndarray, np.ndarray]:
    """For plans made in phase p: log(time taken / time planned), and whether the oplevering came (else
    the value is a lower bound: it had not come by the end of the history, or the project dropped out)."""
    mine = h.plan_phase == p
    row = h.plan_project[mine]
    made = h.plan_made[mine]
    ahead = np.maximum((h.plan_date[mine] - made) / DAYS_PER_YEAR, priors.PLAN_FLOOR_YEARS)
    came = h.reached[row, priors.OPLEVERING]
    end = np.where(h.dropped[row], h.reference_days[h.last_seen[row]], h.reference_days[-1])
    event = (came != hist.NOT_SEEN) & (came <= end)
    taken = np.where(event, came, end) - made
    keep = taken > 0
    ratio = np.log(np.maximum(taken[keep] / DAYS_PER_YEAR, MIN_SPELL_YEARS) / ahead[keep])
    return ratio, event[keep]


def _minimize(objective, start):
    """Nelder-Mead from `start`. scipy.optimize is imported here, not with the module: a forecast from a stored
    calibration fits nothing, and the import was 0.6 s of every cold forecast (issue #21)."""
    from scipy import optimize

    return optimize.minimize(objective, start, method="Nelder-Mead", options={"xatol": 1e-5, "fatol": 1e-6})


def fit_plan(ratio: np.ndarray, event: np.ndarray) -> PlanFit:
    """Normal (mean, sd) of the log ratios by maximum a posteriori, censored ones by their tail."""
    prior = np.array([priors.PLAN_PRIOR_LOG_RATIO, np.log(priors.PLAN_PRIOR_LOG_SD)])
    if not event.any():
        return PlanFit(float(prior[0]), float(np.exp(prior[1])), 0, len(ratio), False)
    seen, lower = ratio[event], ratio[~event]

    def objective(x):
        mean, log_sd = x
        sd = np.exp(log_sd)
        z_seen, z_lower = (seen - mean) / sd, (lower - mean) / sd
        loglik = (-0.5 * z_seen**2).sum() - len(seen) * log_sd + special.log_ndtr(-z_lower).sum()
        penalty = ((mean - prior[0]) / priors.PLAN_PRIOR_SD_OF_MEAN) ** 2 / 2
        penalty += ((log_sd - prior[1]) / priors.PLAN_PRIOR_SD_OF_LOG_SD) ** 2 / 2
        return -loglik + penalty

    best = _minimize(objective, prior)
    return PlanFit(float(best.x[0]), float(np.exp(best.x[1])), int(event.sum()), len(ratio), True)


def fit_step(spells: Spells | None, prior_mean: float, prior_shape: float) -> StepFit:
    """Gamma (mean, shape) by maximum a posteriori over truncated, censored spells."""
    if spells is None or not spells.event.any():
        n = 0 if spells is None else len(spells.duration)
        return StepFit(prior_mean, prior_shape, priors.PRIOR_LOG_SD_MEAN, 0, n, prior_mean, False)
    start = np.array([np.log(prior_mean), np.log(prior_shape)])

    def objective(x):
        return -log_posterior(x, spells, start)

    best = _minimize(objective, start)
    log_mean, log_shape = best.x
    return StepFit(
        mean=float(np.exp(log_mean)),
        shape=float(np.exp(log_shape)),
        log_sd_mean=_log_sd_of_mean(objective, best.x),
        events=int(spells.event.sum()),
        spells=len(spells.duration),
        prior_mean=prior_mean,
        calibrated=True,
    )


def log_posterior(x, spells: Spells, prior_center) -> float:
    """Log-likelihood of the spells under gamma(mean, shape) — completed ones by their density, censored
    ones by the chance to last that long, each divided by the chance to have lasted until first seen —
    plus the log-normal prior around the documented mean and shape."""
    log_mean, log_shape = x
    shape = np.exp(log_shape)
    scale = np.exp(log_mean) / shape
    d, e, t = spells.duration, spells.event, spells.truncation
    done = d[e]
    loglik = ((shape - 1) * np.log(done) - done / scale).sum() - len(done) * (
        shape * np.log(scale) + special.gammaln(shape)
    )
    loglik += _log_survival(shape, d[~e] / scale).sum() - _log_survival(shape, t[t > 0] / scale).sum()
    prior = -0.5 * ((log_mean - prior_center[0]) / priors.PRIOR_LOG_SD_MEAN) ** 2
    prior -= 0.5 * ((log_shape - prior_center[1]) / priors.PRIOR_LOG_SD_SHAPE) ** 2
    return float(loglik + prior)


def _log_survival(shape: float, x: np.ndarray) -> np.ndarray:
    """log P(X > x) for a gamma with scale 1 (the regularised upper incomplete gamma function)."""
    return np.log(np.maximum(special.gammaincc(shape, x), 1e-300))


def _log_sd_of_mean(objective, x, h: float = 1e-3) -> float:
    """Posterior standard deviation of log(mean) from the curvature at the optimum (Laplace)."""
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (objective(x + ei + ej) - objective(x + ei - ej) - objective(x - ei + ej)
                          + objective(x - ei - ej)) / (4 * h * h)  # fmt: skip
    try:
        cov = np.linalg.inv(hess)
        return float(np.sqrt(max(cov[0, 0], 1e-12)))
    except np.linalg.LinAlgError:
        return priors.PRIOR_LOG_SD_MEAN


def pace_uncertainty(steps) -> float:
    """Uncertainty of the whole remaining duration from the step fits: log-sd of the sum of step means."""
    means = np.array([s.mean for s in steps[:-1]])
    sds = np.array([s.log_sd_mean for s in steps[:-1]])
    return float(np.sqrt(np.sum((means * sds) ** 2)) / means.sum())


def residual_moments(mean: np.ndarray, shape: np.ndarray, elapsed: np.ndarray):
    """Mean and variance of the time still to go in a gamma step that has already lasted `elapsed`
    years: E[X - e | X > e] and Var[X | X > e], from the regularised incomplete gamma function."""
    scale = mean / shape
    x = elapsed / scale
    q0 = special.gammaincc(shape, x)
    q1 = special.gammaincc(shape + 1, x)
    q2 = special.gammaincc(shape + 2, x)
    safe = q0 > 1e-12
    m1 = np.where(safe, shape * scale * q1 / np.where(safe, q0, 1), elapsed + scale)
    m2 = np.where(safe, shape * (shape + 1) * scale**2 * q2 / np.where(safe, q0, 1), (elapsed + scale) ** 2 + scale**2)
    # Far in the tail the residual of a gamma with shape >= 1 tends to an exponential with the scale.
    residual = np.maximum(m1 - elapsed, 0.0)
    variance = np.maximum(m2 - m1**2, 0.0)
    return residual, variance


def after_close(peiling_code: str) -> str:
    """Calibrate right after a peiling closes (and after the demo is loaded), so that no forecast waits for
    the history to be read: the calibration is stored with the peiling. Never makes the close fail; says
    what happened in a sentence for the user."""
    import logging
    import time

    from django.db import DatabaseError

    started = time.perf_counter()
    try:
        calibrate(peiling_code)
    except (DatabaseError, ValueError) as error:
        logging.getLogger(__name__).warning("Kalibratie van %s mislukt: %s", peiling_code, error)
        return _("Kalibratie van de prognose niet berekend: %s (dat gebeurt bij de eerste prognose).") % error
    return _("Kalibratie van de prognose op peiling %(code)s berekend en bewaard (%(s).1f s).") % {
        "code": peiling_code,
        "s": time.perf_counter() - started,
    }


def warm_latest() -> None:
    """Before the web server forks its workers: the calibration of the latest closed peiling, so the first
    forecast of each worker does not read the whole history first (~2 s on the 25,000-project demo)."""
    import logging

    from django.db import DatabaseError, connections

    try:
        latest = Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").first()
        if latest is not None:
            calibrate(latest.code)
    except (DatabaseError, ValueError) as error:
        logging.getLogger(__name__).warning("Kalibratie niet vooraf berekend: %s", error)
    finally:
        connections.close_all()  # workers must not share the parent's database connection
