"""The documented starting points of the forecast: what we assume before the peiling history speaks.

Calibration (calibration.py) moves each number towards what the history shows, the more the more data
there is (shrinkage); where a step was hardly observed the prior stands. Every number cites its source
or says it is an assumption; docs/forecast.md explains them.
"""

from bouwregie.projects.leadtimes import (
    FASTEST_PREPARATION_FACTOR,
    USUAL_STEP_YEARS,
    YEARS_BEFORE_INITIATIEF,
)
from bouwregie.projects.milestones import MILESTONE_CODES

# Phases as the snapshot numbers them: 0 = before the initiative, 1 = initiatief … 12 = oplevering.
PHASES = ("", *MILESTONE_CODES)
START_BOUW = PHASES.index("start_bouw")
OPLEVERING = PHASES.index("oplevering")

# Mean years from reaching phase p to reaching phase p + 1 (Woontop 11 Dec 2024, seed 004, Afspraak 15:
# ~10 years from initiative to delivery; the split over steps: projects/leadtimes.py). Index = phase.
# After a first oplevering the next tranche of a phased project follows after about a year (assumption:
# provincial plan lists phase large plans per year).
STEP_MEAN_YEARS = (
    YEARS_BEFORE_INITIATIEF,
    *USUAL_STEP_YEARS.values(),
    1.0,
)
assert len(STEP_MEAN_YEARS) == len(PHASES)

# Gamma shape of each step: coefficient of variation 1/sqrt(4) = 0.5 (assumption: projects of the same
# phase differ by half their usual duration either way).
STEP_SHAPE = 4.0

# How strongly the prior holds (log scale, one standard deviation): the calibrated mean of a step may move
# a factor e^0.5 ≈ 1.65 from the prior before the prior starts to pull hard; the shape a factor e^0.7.
PRIOR_LOG_SD_MEAN = 0.5
PRIOR_LOG_SD_SHAPE = 0.7

# How plans turn out: the time a project still needed to its first oplevering, divided by the time its
# plan said (log-normal, per phase). Prior: plans run about 25% late, and one in three is off by more than
# a factor e^0.5 either way (assumption; Woontop 2024 Afspraak 15: "projecten lopen vertraging op").
# A planned date already past, or within 45 days, counts as 45 days ahead (PLAN_FLOOR_YEARS).
PLAN_PRIOR_LOG_RATIO = 0.22  # log(1.25)
PLAN_PRIOR_LOG_SD = 0.5
PLAN_PRIOR_SD_OF_MEAN = 0.5
PLAN_PRIOR_SD_OF_LOG_SD = 0.7
PLAN_FLOOR_YEARS = 45 / 365.25

# Drop-out hazard per year by plan-status group (assumption after provincial plan lists: soft plans fall
# out most; once building has started a project no longer falls out). Shrinkage: as if this rate had
# been seen over PRIOR_EXPOSURE_YEARS project-years.
DROPOUT_PER_YEAR = {"zacht": 0.06, "3": 0.024, "hard": 0.008, "onbekend": 0.06}
PRIOR_EXPOSURE_YEARS = 200.0

# Common uncertainty of a whole run (all projects alike): market conditions, interest, building costs,
# capacity. Log-scale standard deviation of a factor on every remaining duration (assumption: in one
# year in three the whole pipeline runs ~10% faster or slower than usual). The calibration's own
# uncertainty is added to it.
MACRO_LOG_SD = 0.10

# Scenarios (scenarios.py). Afspraak 15.1: parallel plannen shortens preparation "van ~6 naar ~2 jaar".
PARALLEL_PLANNEN_FACTOR = FASTEST_PREPARATION_FACTOR
# Extra mean delay for a project with a netcongestie or water/bodem bottleneck (assumption: a grid
# connection or water permit adds about a year; DOMAIN.md §3 lists both as bottlenecks to register).
BOTTLENECK_DELAY_YEARS = 1.0
# "More drop-out": every hazard times this factor (assumption, a stress test).
EXTRA_DROPOUT_FACTOR = 1.5
# Faster permits: the step vergunning aangevraagd → verleend at this fraction of its usual length
# (assumption: the legal term of 8 weeks is kept instead of the usual ~0.8 year).
FASTER_PERMIT_FACTOR = 0.5

# Large projects without a phasing of their own are spread over one year per this many homes, at most
# MAX_SPREAD_YEARS (assumption, as in provincial plan lists).
HOMES_PER_DELIVERY_YEAR = 300
MAX_SPREAD_YEARS = 4


def status_group(status: str) -> str:
    """The drop-out group of an IPO plan status: hard (1x, 2x), 3 (in voorbereiding), zacht, onbekend."""
    if status[:1] in ("1", "2") or status == "hard":
        return "hard"
    if status == "3":
        return "3"
    if status in ("4A", "4B", "zacht"):
        return "zacht"
    return "onbekend"


def group_after_phase(phase: int, current: str) -> str:
    """The status group a project will have while in `phase` (IPO convention: a principebesluit makes a
    plan 'in voorbereiding', a vastgesteld omgevingsplan makes it hard); before that its own group."""
    if phase >= START_BOUW:
        return "gebouwd"
    if phase >= PHASES.index("omgevingsplan_vastgesteld"):
        return "hard"
    if phase >= PHASES.index("principebesluit"):
        return "hard" if current == "hard" else "3"
    return current
