"""The financial instruments' Python API (CLI now; REST API and web pages use the same functions).

realisatiestimulans("2026-Q3")                  -> both variants, every municipality, per year
realisatiestimulans("2026-Q3", gemeente="GM0344") -> the same national computation, one municipality shown
regulations()                                   -> every regulation version with its parameters and sources
"""

import pickle
from datetime import date
from functools import lru_cache

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _

from bouwregie.geo.models import Municipality
from bouwregie.instruments import op_registratie
from bouwregie.instruments import realisatiestimulans as rs
from bouwregie.instruments.regulation import all_versions, fingerprint, in_force
from bouwregie.monitor import snapshot as snap
from bouwregie.monitor.api import chosen_peiling
from bouwregie.projects.enums import Lifecycle
from bouwregie.projects.models import Milestone, Peiling, ProjectVersion
from bouwregie.wholes import round_split

VARIANTS = ("realisatie", "startbouw")  # "beide"; "registratie" (op_registratie.py) on request, or with "alle"
CHOICES = (*VARIANTS, "registratie", "beide", "alle")
ELDERLY_COLUMNS = [snap.GROUPS.index(g) for g in rs.ELDERLY]


def regulations() -> list[dict]:
    return [{"regeling": r.name, "versie": r.version, "geldig_vanaf": r.valid_from.isoformat(), "bron": r.source,
             "bestand": r.path, "parameters": r.parameters} for r in all_versions()]  # fmt: skip


def realisatiestimulans(peiling: str | None = None, gemeente: str | None = None, variant: str = "beide") -> dict:
    if variant not in CHOICES:
        raise ValueError(_("Variant moet realisatie, startbouw, registratie, beide of alle zijn, niet '%s'.") % variant)
    peiling = chosen_peiling(peiling)
    names = dict(Municipality.objects.values_list("code", "name"))
    chosen = {"beide": VARIANTS, "alle": (*VARIANTS, "registratie")}.get(variant, (variant,))
    found = _peiling_variants(Peiling.objects.get(code=peiling), names, [v for v in chosen if v in VARIANTS])
    subsidies, warnings = found["subsidies"], found["warnings"]
    reference = date.fromisoformat(found["reference_date"])
    result = {"peiling": peiling, "reference_date": found["reference_date"], "variants": {}, "warnings": warnings,
              "regulations": _versions_used(), "average_per_home_cents": None}  # fmt: skip
    for v in chosen:
        if v == "registratie":
            rows, without = _registration_rows(snap.load(peiling), subsidies)
            result["registration"] = _registration_used()
            warnings += [_("Op registratie: gemeente %(code)s heeft geen opleveringen in de monitor; haar "
                           "geregistreerde woningen tellen als segment onbekend.") % {"code": code}
                         for code in without]  # fmt: skip
            computed = rs.compute(rows, names, v)
        else:
            computed = found["variants"][v]
        if gemeente:
            code = _municipality_code(gemeente)
            computed["municipalities"] = [m for m in computed["municipalities"] if m["code"] == code]
        for year, totals in computed["years"].items():
            totals["complete"] = year < reference.year or (reference.month, reference.day) == (12, 31)
        result["variants"][v] = computed
    result["average_per_home_cents"] = rs.average_per_home_cents(in_force(rs.NAME, date(2025, 12, 31)))
    return result


def _peiling_variants(peiling: Peiling, names: dict[str, str], variants: list[str]) -> dict:
    """The variants realisatie and startbouw of one peiling, with the earlier subsidies they set off.

    Everything here follows from the peiling's entries (its snapshot, the versions' start milestones and
    subsidies), the regulation versions and the municipalities' names. A closed peiling never changes
    (docs/decisions/0002), so its answer is computed once per process for as long as the regulation files and
    the names are unchanged (issue #19: the two instrument pages cost 0.3 s each, on every request); every call
    gets its own copy to change. An open peiling is computed afresh, only the variants asked."""
    if not peiling.is_closed:
        return _computed(peiling.code, names, variants)
    key = (connection.alias, peiling.id, peiling.closed_at, tuple(sorted(names.items())), fingerprint(rs.NAME))
    return pickle.loads(_closed_variants(*key))


@lru_cache(maxsize=8)
def _closed_variants(alias, peiling_id, closed_at, names, regulation) -> bytes:
    code = Peiling.objects.get(id=peiling_id).code
    return pickle.dumps(_computed(code, dict(names), list(VARIANTS)))


def _computed(peiling: str, names: dict[str, str], variants: list[str]) -> dict:
    s = snap.load(peiling)
    subsidies, warnings = _earlier_subsidies(s)
    reference = Peiling.objects.get(code=peiling).reference_date
    return {"subsidies": subsidies, "warnings": warnings, "reference_date": reference.isoformat(),
            "variants": {v: rs.compute(_project_years(s, v, subsidies), names, v) for v in variants}}  # fmt: skip


CSV_HEADER = [
    "variant",
    "gemeentecode",
    "gemeente",
    "jaar",
    *rs.AFFORDABLE,
    "aanspraak_cent",
    "verrekend_cent",
    "opslag_focusgebied_cent",
    "opslag_ouderen_capaciteit_cent",
    "uitbetaald_cent",
    "uitbetaling",
]


def csv_rows(result: dict):
    """The result per variant, municipality and year as rows (CLI --format csv and the web download)."""
    yield CSV_HEADER
    for variant, v in result["variants"].items():
        for m in v["municipalities"]:
            for year, y in m["years"].items():
                yield [variant, m["code"], m["name"], year, *y["homes"].values(), y["claim_cents"],
                       y["set_off_cents"], *y["surcharges_cents"].values(), y["paid_cents"], y["payment"]]  # fmt: skip


def _municipality_code(text: str) -> str:
    from bouwregie.geo.areas import resolve_area

    area = resolve_area(text)
    if area.kind != "gemeente":
        raise ValueError(_("De realisatiestimulans gaat naar gemeenten; '%s' is geen gemeente.") % text)
    return area.code


def _versions_used() -> list[str]:
    first, last = in_force(rs.NAME, date(2025, 12, 31)).value("jaren")
    return sorted({in_force(rs.NAME, date(y, 12, 31)).label() for y in range(first, last + 1)})


def _project_years(s: snap.Snapshot, variant: str, subsidies: dict[int, int]) -> list[rs.ProjectYear]:
    """Per project and year 2025–2029: its homes per affordable segment (pro rata its segment mix, in
    whole homes) realised in that year, or — variant startbouw — all its homes in the year it started."""
    regulation = in_force(rs.NAME, date(2025, 12, 31))
    first, last = regulation.value("jaren")
    years = np.arange(first, last + 1)
    if variant == "realisatie":
        homes_per_year = s.realised[:, years - snap.YEARS[0]]
    else:
        homes_per_year = _started(s, years)
    project, column = np.nonzero(homes_per_year)
    counts = homes_per_year[project, column]
    per_segment = round_split(counts, snap.segment_mix(s, project))
    elderly = counts[:, None] * s.groups[project][:, ELDERLY_COLUMNS] // np.maximum(s.homes[project], 1)[:, None]
    affordable = [snap.SEGMENTS.index(x) for x in rs.AFFORDABLE]
    return [
        rs.ProjectYear(
            project=str(s.project_ids[p]), municipality=s.municipality_codes[s.municipality[p]], year=int(years[c]),
            homes={x: int(per_segment[k, j]) for x, j in zip(rs.AFFORDABLE, affordable, strict=True)},
            elderly={g: int(elderly[k, j]) for j, g in enumerate(rs.ELDERLY)},
            earlier_subsidies_cents=subsidies.get(int(s.project_ids[p]), 0),
        )
        for k, (p, c) in enumerate(zip(project, column, strict=True))
    ]  # fmt: skip


def _registration_rows(s: snap.Snapshot, subsidies: dict[int, int]) -> tuple[list[rs.ProjectYear], list[str]]:
    """Variant 'registratie': the BAG deliveries per municipality and year with the monitor's segment mixes
    (op_registratie.py)."""
    from bouwregie.registraties import store

    first, last = in_force(rs.NAME, date(2025, 12, 31)).value("jaren")
    years = list(range(first, last + 1))
    all_rows = np.arange(len(s.project_ids))
    mixes = snap.segment_mix(s, all_rows)
    index = {int(p): i for i, p in enumerate(s.project_ids.tolist())}
    delivered = [op_registratie.Delivered(code, year, project, n)
                 for code, year, project, n in store.registered_deliveries(first, last)]  # fmt: skip
    linked = {d.project for d in delivered if d.project in index}
    project_mix = {p: mixes[index[p]] for p in linked}
    homes = np.maximum(s.homes, 1)
    elderly = {p: {g: float(s.groups[index[p], j]) / float(homes[index[p]])
                   for g, j in zip(rs.ELDERLY, ELDERLY_COLUMNS, strict=True)} for p in linked}  # fmt: skip
    columns = np.array(years) - snap.YEARS[0]
    monitor_homes = s.realised[:, columns] + s.planned[:, columns] * s.active[:, None]
    codes = np.array(s.municipality_codes, dtype=object)[s.municipality] if len(all_rows) else np.array([])
    per_municipality = op_registratie.municipality_mixes(monitor_homes, mixes, codes, years, snap.SEGMENTS)
    return op_registratie.rows(delivered, snap.SEGMENTS, project_mix, per_municipality,
                               {p: c for p, c in subsidies.items() if p in linked}, elderly)  # fmt: skip


def _registration_used() -> dict:
    """The registration the variant 'registratie' counted: the BAG extracts (newest per municipality) and the
    link sets in force."""
    from bouwregie.geo.areas import Area
    from bouwregie.registraties import store
    from bouwregie.registraties.verschillen import bag_extracts

    extracts = [{**e, "stand_date": e["stand_date"].isoformat()} for e in bag_extracts(Area("nl", "NL", "Nederland"))]
    return {"bag_extracts": extracts, "link_sets": store.current_sets()}


def _started(s: snap.Snapshot, years: np.ndarray) -> np.ndarray:
    """All homes of a project in the year its construction started (projects not cancelled)."""
    out = np.zeros((len(s.project_ids), len(years)), dtype=np.int64)
    row = {int(v): i for i, v in enumerate(s.version_ids)}
    cancelled = s.lifecycle == snap.LIFECYCLES.index(Lifecycle.VERVALLEN)
    for vid, actual in snap._columns(
        Milestone.objects.filter(version_id__in=snap.versions_of(s), kind="start_bouw", actual__isnull=False)
        .values_list("version_id", "actual"), rows=True):  # fmt: skip
        i, year = row[vid], snap.as_date(actual).year
        if years[0] <= year <= years[-1] and not cancelled[i]:
            out[i, year - years[0]] = s.homes[i]
    return out


def _earlier_subsidies(s: snap.Snapshot) -> tuple[dict[int, int], list[str]]:
    """Per project: the earlier Rijk subsidies to set off (ProjectVersion.subsidies entries of the form
    {"regeling": "woningbouwimpuls", "bedrag": 1250000} in euros). Entries that cannot be read are reported."""
    regulation = in_force(rs.NAME, date(2025, 12, 31))
    counted = set(regulation.value("verrekening", "regelingen"))
    found, warnings = {}, []
    rows = ProjectVersion.objects.filter(id__in=snap.versions_of(s)).exclude(subsidies=[])
    for pid, code, entries in rows.values_list("project_id", "project__code", "subsidies"):
        for entry in entries or ():
            try:
                name = str(entry["regeling"]).strip().lower()
                cents = round(float(str(entry["bedrag"]).replace(",", ".")) * 100)
            except (KeyError, TypeError, ValueError):
                warnings.append(_("Project %(code)s: subsidie %(entry)r onleesbaar (verwacht: regeling en bedrag "
                                  "in euro's); niet verrekend.") % {"code": code, "entry": entry})  # fmt: skip
                continue
            if name in counted and cents > 0:
                found[pid] = found.get(pid, 0) + cents
    return found, warnings
