"""Documented parameters of the synthetic national pipeline (docs/demo-data.md explains each).

Numbers with a source cite it; the rest are assumptions chosen to look like real plan lists and are
labelled as such. Benchmarks use the defaults.
"""

from dataclasses import dataclass, field

from bouwregie.projects.leadtimes import USUAL_STEP_YEARS


@dataclass(frozen=True)
class DemoParameters:
    projects: int = 25_000
    seed: int = 2025
    # Quarterly peilingen 2023-Q1 .. 2026-Q3 (issue #2).
    first_peiling: tuple[int, int] = (2023, 1)
    last_peiling: tuple[int, int] = (2026, 3)

    # Size: lognormal, median ~18 homes, mean ~48, so 25,000 projects hold ~1.2 million homes
    # (assumption matching national plan capacity of roughly 1.1–1.3 million, seed 004 Afspraak 16).
    mean_homes: float = 48.0
    size_sigma: float = 1.35
    max_homes: int = 12_000

    # Affordable share of new build around 2/3 (Woontop 2024, Afspraak 1), varying per municipality.
    affordable_mean: float = 0.68
    affordable_sd_municipality: float = 0.07
    affordable_sd_project: float = 0.15
    # Split of the affordable part (sociale huur, middenhuur, betaalbare koop): Dirichlet weights so
    # sociale huur is about 45% of affordable, i.e. ~1/3 of new build (provincial norm, DOMAIN.md §2).
    affordable_split: tuple[float, float, float] = (4.5, 3.0, 2.5)
    free_split: tuple[float, float] = (3.0, 7.0)  # vrije sector huur, dure koop
    unknown_segment_share_soft: float = 0.35

    # Mean duration in years of each step initiatief -> ... -> first oplevering: the usual lead times of
    # projects/leadtimes.py (~10 years, Woontop 2024 Afspraak 15; building ~1.7 years).
    step_years: tuple[float, ...] = tuple(USUAL_STEP_YEARS.values())
    step_shape: float = 4.0  # gamma shape: coefficient of variation 0.5 per step
    flex_speedup: float = 0.35  # flex homes are realised in about a third of the time

    # Slips: each quarter a project's remaining planning slips with this probability, by months.
    slip_probability: float = 0.10
    slip_months_mean: float = 6.0
    # Drop-out hazard per quarter by plan status group (assumption; soft plans drop out most).
    dropout_per_quarter: dict = field(default_factory=lambda: {"zacht": 0.015, "3": 0.006, "hard": 0.002})

    phased_delivery_above: int = 150  # homes; larger projects deliver in up to 4 yearly phases
    parallel_plannen_share: float = 0.08
