"""Realisatiestimulans (Woontop 2024, Afspraak 19.1): what each municipality receives for the affordable
homes realised 2025–2029, and when it is paid. Plain functions over plain data; every amount in whole euro
cents; every number from the regulation version in force (regulation.py), named in the result.

Two variants side by side, because the source leaves the moment open: homes counted in the year they are
realised (bruto opleveringen, the source's basis) or in the year their construction started.

Per project and year: the homes per affordable segment × the amount per segment (the base), plus the
surcharges (homes in a stedelijk focusgebied, zorggeschikte and geclusterde homes; capacity by the
distribution key per municipality). Earlier Rijk subsidies for a project (Woningbouwimpuls,
Startbouwimpuls, RHA) are set off against the base that project's homes earn, in the order the homes
come, never below zero. Per year the base and the surcharges each have a ceiling (the total budget spread
over the five years); when the claims exceed it, every municipality is scaled pro rata in whole euros so
that the year adds up to the ceiling exactly. A year's amount is paid in Q4 of the next year.
"""

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from bouwregie.instruments import money
from bouwregie.instruments.regulation import Regulation, all_versions, in_force

NAME = "realisatiestimulans"
AFFORDABLE = ("sociale_huur", "middenhuur", "betaalbare_koop")
ELDERLY = ("zorggeschikt", "geclusterd")


@dataclass(frozen=True)
class ProjectYear:
    """What one project realised (or started) in one year, and the subsidies it received before."""

    project: str
    municipality: str
    year: int
    homes: dict  # affordable segment -> homes
    elderly: dict = field(default_factory=dict)  # zorggeschikt / geclusterd -> homes
    earlier_subsidies_cents: int = 0  # the project's total, set off once over its years


def average_per_home_cents(r: Regulation) -> int:
    """The base budget over the homes it is meant for: € 1,6 mld / (170.000 + 60.000) ≈ € 6.957."""
    homes = r.value("beoogde_woningen", "huur") + r.value("beoogde_woningen", "koop")
    return r.value("budget_basis_cent") // homes


def yearly_ceiling_cents(r: Regulation, parameter: str) -> int:
    first, last = r.value("jaren")
    return r.value(parameter) // (last - first + 1)


def compute(rows: list[ProjectYear], municipalities: dict[str, str], variant: str) -> dict:
    """The realisatiestimulans per municipality and year for one variant ('realisatie' or 'startbouw')."""
    by_year: dict[int, list[ProjectYear]] = {}
    for row in rows:
        by_year.setdefault(row.year, []).append(row)
    set_off_left = _subsidies_per_project(rows)
    years_out = {}
    per_municipality: dict[str, dict] = {code: {"code": code, "name": name, "years": {}, "paid_cents": 0}
                                         for code, name in municipalities.items()}  # fmt: skip
    versions = all_versions(NAME)
    for year in sorted(by_year):
        if not versions or date(year, 12, 31) < versions[0].valid_from:
            continue  # before the regulation existed
        r = in_force(NAME, date(year, 12, 31))
        first, last = r.value("jaren")
        if not first <= year <= last:
            continue
        years_out[year] = _one_year(r, year, by_year[year], set_off_left, per_municipality)
    for m in per_municipality.values():
        m["paid_cents"] = sum(y["paid_cents"] for y in m["years"].values())
    rows_out = sorted((m for m in per_municipality.values() if m["years"]), key=lambda m: m["code"])
    return {
        "variant": variant,
        "years": years_out,
        "municipalities": rows_out,
        "paid_cents": sum(y["paid_cents"] for y in years_out.values()),
    }


def _subsidies_per_project(rows) -> dict[str, int]:
    left: dict[str, int] = {}
    for row in rows:
        left[row.project] = max(left.get(row.project, 0), int(row.earlier_subsidies_cents))
    return left


def _one_year(r: Regulation, year: int, rows: list[ProjectYear], set_off_left: dict, out: dict) -> dict:
    rates = {s: r.value("bijdrage_per_woning_cent", s) for s in AFFORDABLE}
    elderly_rates = {g: r.value("opslag_ouderen_per_woning_cent", g) for g in ELDERLY}
    focus = set(r.value("focusgebieden", "gemeenten"))
    focus_rate = r.value("opslag_focusgebied_per_woning_cent")
    codes = sorted({row.municipality for row in rows} | set(r.value("opslag_capaciteit_cent", "verdeelsleutel")))
    index = {code: i for i, code in enumerate(codes)}
    base, set_off = np.zeros(len(codes), dtype=np.int64), np.zeros(len(codes), dtype=np.int64)
    homes = {s: np.zeros(len(codes), dtype=np.int64) for s in AFFORDABLE}
    focus_claim, elderly_claim = np.zeros(len(codes), dtype=np.int64), np.zeros(len(codes), dtype=np.int64)
    for row in sorted(rows, key=lambda x: (x.project, x.municipality)):
        i = index[row.municipality]
        earned = sum(int(row.homes.get(s, 0)) * rates[s] for s in AFFORDABLE)
        taken = min(earned, set_off_left.get(row.project, 0))
        set_off_left[row.project] = set_off_left.get(row.project, 0) - taken
        base[i] += earned - taken
        set_off[i] += taken
        for s in AFFORDABLE:
            homes[s][i] += int(row.homes.get(s, 0))
        if row.municipality in focus:
            focus_claim[i] += sum(int(row.homes.get(s, 0)) for s in AFFORDABLE) * focus_rate
        elderly_claim[i] += sum(int(row.elderly.get(g, 0)) * elderly_rates[g] for g in ELDERLY)
    capacity_claim = _capacity(r, codes)

    base_ceiling = yearly_ceiling_cents(r, "budget_basis_cent")
    focus_ceiling = yearly_ceiling_cents(r, "gereserveerd_focusgebieden_cent")
    other_ceiling = yearly_ceiling_cents(r, "budget_opslagen_cent") - focus_ceiling
    paid_base = money.scale_to_ceiling(base, base_ceiling)
    paid_focus = money.scale_to_ceiling(focus_claim, focus_ceiling)
    paid_other = money.scale_to_ceiling(elderly_claim + capacity_claim, other_ceiling)
    paid = paid_base + paid_focus + paid_other
    payment = year + r.value("uitbetaling", "jaren_na_realisatie")
    for code, i in index.items():
        if not (base[i] or set_off[i] or paid[i] or focus_claim[i] or elderly_claim[i] or capacity_claim[i]):
            continue
        out.setdefault(code, {"code": code, "name": code, "years": {}, "paid_cents": 0})["years"][year] = {
            "homes": {s: int(homes[s][i]) for s in AFFORDABLE},
            "claim_cents": int(base[i]), "set_off_cents": int(set_off[i]),
            "surcharges_cents": {"focusgebied": int(paid_focus[i]), "ouderen_en_capaciteit": int(paid_other[i])},
            "paid_cents": int(paid[i]), "payment": f"{payment}-Q{r.value('uitbetaling', 'kwartaal')}",
        }  # fmt: skip
    return {
        "regulation": r.label(),
        "claims_cents": int(base.sum()),
        "ceiling_cents": base_ceiling,
        "scaled": bool(base.sum() > base_ceiling),
        "set_off_cents": int(set_off.sum()),
        "surcharges_cents": int(paid_focus.sum() + paid_other.sum()),
        "paid_cents": int(paid.sum()),
        "payment": f"{payment}-Q{r.value('uitbetaling', 'kwartaal')}",
    }


def _capacity(r: Regulation, codes: list[str]) -> np.ndarray:
    """The capacity surcharge of the year divided by the distribution key (shares per municipality), in
    whole euros that add up to the year's amount exactly."""
    amount = r.value("opslag_capaciteit_cent", "waarde_per_jaar")
    key = r.value("opslag_capaciteit_cent", "verdeelsleutel")
    if not amount or not key:
        return np.zeros(len(codes), dtype=np.int64)
    weights = np.array([int(round(float(key.get(c, 0)) * 1_000_000)) for c in codes], dtype=np.int64)
    return money.scale_to_ceiling(weights * amount, amount) if weights.sum() else np.zeros(len(codes), np.int64)
