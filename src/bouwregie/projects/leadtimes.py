"""How long a project usually takes from each PPM milestone to its first oplevering, and how fast it
could go at best. One source for the demo generator, the alternatives ranking and the forecast priors.

Sources: Woontop 11 Dec 2024 (seed 004), Afspraak 15: realising a home takes "gemiddeld ~10 jaar";
Afspraak 15.1: parallel plannen shortens preparation "van ~6 naar ~2 jaar" (a third of the time).
The split over the steps is our assumption, documented in docs/demo-data.md; building ~1.7 years.
"""

from datetime import date

from bouwregie.projects.milestones import MILESTONE_CODES

# Usual years from reaching a milestone to reaching the next one (initiatief → … → oplevering).
USUAL_STEP_YEARS = {
    "initiatief": 1.0,
    "principebesluit": 1.2,
    "anterieure_overeenkomst": 1.3,
    "ontwerp_omgevingsplan": 0.7,
    "omgevingsplan_vastgesteld": 0.8,
    "omgevingsplan_onherroepelijk": 1.0,
    "vergunning_aangevraagd": 0.6,
    "vergunning_verleend": 0.8,
    "financiering_rond": 0.3,
    "start_verkoop": 0.6,
    "start_bouw": 1.7,  # the construction itself
}
assert tuple(USUAL_STEP_YEARS) == MILESTONE_CODES[:-1]

# Before the initiative is registered we assume one more step of the first kind.
YEARS_BEFORE_INITIATIEF = USUAL_STEP_YEARS["initiatief"]
# Afspraak 15.1: preparation ~6 → ~2 years with parallel plannen.
FASTEST_PREPARATION_FACTOR = 1 / 3
# Construction is not shortened. A project already under construction is assumed halfway.
BUILD_YEARS = USUAL_STEP_YEARS["start_bouw"]
BUILD_DONE_AT_START_BOUW = 0.5


def usual_years_to_delivery(phase: str) -> float:
    """Usual years from reaching `phase` ('' = before initiatief) to the first oplevering."""
    if phase == "oplevering":
        return 0.0
    codes = list(USUAL_STEP_YEARS)
    start = codes.index(phase) if phase else 0
    before = YEARS_BEFORE_INITIATIEF if not phase else 0.0
    return before + sum(USUAL_STEP_YEARS[c] for c in codes[start:])


def fastest_years_to_delivery(phase: str) -> float:
    """The shortest plausible time to a first oplevering: preparation at the parallel-plannen pace,
    construction at the usual pace."""
    if phase == "oplevering":
        return 0.0
    if phase == "start_bouw":
        return BUILD_YEARS * (1 - BUILD_DONE_AT_START_BOUW)
    preparation = usual_years_to_delivery(phase) - BUILD_YEARS
    return round(preparation * FASTEST_PREPARATION_FACTOR + BUILD_YEARS, 4)


def years_left_in(year: int, reference: date) -> float:
    """Years from `reference` to the end of `year` (negative when the year is already over)."""
    return ((date(year, 12, 31) - reference).days + 1) / 365.25
