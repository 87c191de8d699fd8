"""Realisatiestimulans "op registratie" (issue #18): the homes counted from the registration instead of the
monitor — BAG verblijfsobjecten with a woonfunctie that came into use as new build in a year (bag.queries,
the newest extract per municipality) — with the affordable split from the monitor. Plain functions over plain
data; the amounts then follow realisatiestimulans.compute exactly as for the other variants.

The rule (docs/instruments.md "Variant op registratie"):

1. A delivery linked to a project (registraties.store, the links in force) takes that project's segment mix in
   the peiling (monitor.snapshot.segment_mix: its homes per segment as fractions), split in whole homes by
   largest remainders (wholes.round_split); the project's earlier Rijk subsidies are set off as in the other
   variants, and its zorggeschikt/geclusterd homes count pro rata.
2. A delivery not linked to any project (or to a project not in the peiling) takes the segment mix of what the
   monitor delivers in its municipality in that year (realised and still planned, all projects of the
   municipality; each project's homes × its mix). No monitor deliveries there that year: the municipality's
   mix over all years of the regulation. None at all: the homes count as 'onbekend' (not affordable) and a
   warning names the municipality. Unlinked homes carry no subsidies and no elderly surcharge.

Woontop 2024, Afspraak 19.1, counts "bruto opleveringen" — realised new homes — which the BAG registers as
"Verblijfsobject in gebruik" after the municipality's completion check; that is the registration this variant
counts (seed 004)."""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bouwregie.instruments.realisatiestimulans import AFFORDABLE, ELDERLY, ProjectYear
from bouwregie.wholes import round_split


@dataclass(frozen=True)
class Delivered:
    """Homes registered as delivered: municipality (GM code), year, linked project id (None: unlinked)."""

    municipality: str
    year: int
    project: int | None
    homes: int


def rows(
    delivered: Iterable[Delivered],
    segments: tuple,
    project_mix: dict,
    municipality_mix: dict,
    subsidies: dict | None = None,
    elderly_share: dict | None = None,
) -> tuple[list[ProjectYear], list[str]]:
    """ProjectYear rows for realisatiestimulans.compute, and the municipalities without any mix.

    `project_mix` {project id: fractions over `segments`}; `municipality_mix` {(municipality, year) or
    municipality: fractions} (per year first, else the municipality's over all years); `subsidies` {project id:
    cents}; `elderly_share` {project id: {zorggeschikt/geclusterd: fraction of its homes}}."""
    subsidies, elderly_share = subsidies or {}, elderly_share or {}
    unknown = np.array([1.0 if s == "onbekend" else 0.0 for s in segments])
    without: set[str] = set()
    keys, counts, fractions = [], [], []
    for d in delivered:
        if d.homes <= 0:
            continue
        if d.project is not None and d.project in project_mix:
            mix = project_mix[d.project]
        else:
            mix = municipality_mix.get((d.municipality, d.year))
            if mix is None:
                mix = municipality_mix.get(d.municipality)
            if mix is None:
                without.add(d.municipality)
                mix = unknown
            d = Delivered(d.municipality, d.year, None, d.homes)
        keys.append(d)
        counts.append(d.homes)
        fractions.append(np.asarray(mix, dtype=np.float64))
    if not keys:
        return [], sorted(without)
    split = round_split(np.array(counts, dtype=np.int64), np.vstack(fractions))
    column = {s: segments.index(s) for s in AFFORDABLE}
    out = []
    for d, homes in zip(keys, split, strict=True):
        linked = d.project is not None
        share = elderly_share.get(d.project, {}) if linked else {}
        out.append(ProjectYear(
            project=str(d.project) if linked else f"BAG-{d.municipality}", municipality=d.municipality, year=d.year,
            homes={s: int(homes[column[s]]) for s in AFFORDABLE},
            elderly={g: int(d.homes * share.get(g, 0.0)) for g in ELDERLY},
            earlier_subsidies_cents=subsidies.get(d.project, 0) if linked else 0,
        ))  # fmt: skip
    return out, sorted(without)


def municipality_mixes(delivered_homes: np.ndarray, mixes: np.ndarray, municipalities: np.ndarray, years: list[int],
                       segments: tuple) -> dict:  # fmt: skip
    """{(municipality, year): fractions, municipality: fractions} from the monitor: per project the homes it
    delivers per year (realised + planned; shape projects × years), its segment mix (projects × segments) and its
    municipality code. Only where the monitor delivers anything."""
    out: dict = {}
    for code in sorted(set(municipalities.tolist())):
        rows_of = municipalities == code
        per_year = delivered_homes[rows_of].T @ mixes[rows_of]  # years × segments, homes
        for k, year in enumerate(years):
            if per_year[k].sum() > 0:
                out[(code, year)] = per_year[k] / per_year[k].sum()
        total = per_year.sum(axis=0)
        if total.sum() > 0:
            out[code] = total / total.sum()
    return out
