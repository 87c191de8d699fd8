"""Deterministic synthetic national pipeline for demos, tests and benchmarks.

`generate(params)` returns plain data (services.HistoricProject) for projects.services.write_history:
the same validation and the same writer as real imports. Vectorised with numpy over projects and
quarters; the Python loop only assembles the versions where something changed.
"""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape

from bouwregie.demo.parameters import DemoParameters
from bouwregie.geo import reference
from bouwregie.projects.enums import HARD_STATUSES, Bottleneck, Lifecycle, PlanType
from bouwregie.projects.milestones import MILESTONE_CODES
from bouwregie.projects.rules import MilestoneData, ProjectData, quarter_end
from bouwregie.projects.services import HistoricProject, VersionMeta, counts_in_peiling
from bouwregie.wholes import round_split

# Cities that carry most of the national programme (G4 and larger G40 cities): a heavier weight in
# the allocation of projects within their province (assumption, documented in docs/demo-data.md).
G4 = {"GM0363": 6.0, "GM0599": 6.0, "GM0518": 5.0, "GM0344": 5.0}
LARGE_CITIES = {
    code: 2.5
    for code in (
        "GM0034 GM0014 GM0772 GM0855 GM0268 GM0202 GM0193 GM0307 GM0796 GM0758 GM0392 GM0479 GM0394 "
        "GM0546 GM0503 GM0637 GM0153 GM0150 GM0200 GM0228 GM0935 GM0080 GM0995 GM0361 GM0505 GM0484 "
        "GM0164 GM0794 GM1783 GM0362 GM0983 GM0603"
    ).split()
}
PLAN_TYPES = [  # (plan type, share) — assumption after provincial plancapaciteit lists
    (PlanType.UITLEG, 0.25),
    (PlanType.VERDICHTING, 0.33),
    (PlanType.TRANSFORMATIE, 0.10),
    (PlanType.HERSTRUCTURERING, 0.12),
    (PlanType.FUNCTIEVERANDERING_KANTOREN, 0.03),
    (PlanType.FUNCTIEVERANDERING_BEDRIJVEN, 0.03),
    (PlanType.FUNCTIEVERANDERING_MAATSCHAPPELIJK, 0.02),
    (PlanType.FUNCTIEVERANDERING_DETAILHANDEL, 0.01),
    (PlanType.FUNCTIEVERANDERING_OVERIG, 0.01),
    (PlanType.OPTOPPEN_SPLITSEN, 0.04),
    (PlanType.FLEX, 0.06),
]
BOTTLENECKS = [  # (bottleneck, probability per project) — assumption
    (Bottleneck.NETCONGESTIE, 0.12),
    (Bottleneck.WATER_BODEM, 0.06),
    (Bottleneck.STIKSTOF, 0.08),
    (Bottleneck.GELUID, 0.03),
    (Bottleneck.FINANCIERING, 0.10),
    (Bottleneck.CAPACITEIT, 0.07),
    (Bottleneck.BEZWAAR_BEROEP, 0.05),
]
NAME_PARTS = (
    [
        "Haven",
        "Stations",
        "Kerk",
        "Molen",
        "Dijk",
        "Park",
        "Zuid",
        "Noord",
        "Oost",
        "West",
        "Beek",
        "Veld",
        "Brink",
        "Markt",
        "Spoor",
        "Kanaal",
        "Fabrieks",
        "Wei",
        "Linden",
        "Eiken",
    ],
    [
        "kwartier",
        "zone",
        "eiland",
        "veld",
        "hof",
        "park",
        "weg",
        "laan",
        "terrein",
        "hoven",
        "kade",
        "oever",
        "buurt",
        "plein",
        "akker",
        "zoom",
    ],
)
N_STEPS = 11  # standard milestones before oplevering
MAX_PHASES = 4
EPOCH = date(1970, 1, 1).toordinal()


def peiling_quarters(params: DemoParameters) -> list[tuple[int, int]]:
    (y, q), result = params.first_peiling, []
    while (y, q) <= params.last_peiling:
        result.append((y, q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return result


def _days(d: date) -> int:
    return d.toordinal() - EPOCH


def _allocate_municipalities(rng, n):
    municipalities = reference.read_municipalities()
    agreements = {r["province"]: r["homes"] for r in reference.read_provincial_agreements()}
    province_names = {r["provinciecode"]: r["provincienaam"] for r in reference.read_provinces()}
    codes = np.array([m["gemeentecode"] for m in municipalities])
    province = np.array([m["provinciecode"] for m in municipalities])
    city = np.array([G4.get(c, LARGE_CITIES.get(c, 1.0)) for c in codes])
    weight = rng.lognormal(0.0, 0.6, len(codes)) * city
    probability = np.zeros(len(codes))
    total_agreed = sum(agreements.values())
    for pv, name in province_names.items():
        members = province == pv
        probability[members] = weight[members] / weight[members].sum() * agreements[name] / total_agreed
    index = rng.choice(len(codes), size=n, p=probability / probability.sum())
    return codes, city, index


def _points_in(rng, municipality_codes, index):
    """A random location inside its municipality for every project (WGS84 lon/lat)."""
    geometries = reference.municipality_geometries()
    lon = np.empty(len(index))
    lat = np.empty(len(index))
    for m in np.unique(index):
        polygon = shape(geometries[municipality_codes[m]])
        shapely.prepare(polygon)
        rows = np.flatnonzero(index == m)
        minx, miny, maxx, maxy = polygon.bounds
        todo = rows
        while len(todo):
            x = rng.uniform(minx, maxx, len(todo))
            y = rng.uniform(miny, maxy, len(todo))
            inside = shapely.contains_xy(polygon, x, y)
            lon[todo[inside]], lat[todo[inside]] = x[inside], y[inside]
            todo = todo[~inside]
    return lon, lat


def _geometry(lon, lat, homes):
    """A point; projects over 500 homes get a square plan area at ~50 homes per hectare."""
    if homes <= 500:
        return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
    half_side_m = (homes / 50 * 10_000) ** 0.5 / 2
    dx, dy = half_side_m / (111_320 * np.cos(np.radians(lat))), half_side_m / 110_540
    return mapping(box(round(lon - dx, 6), round(lat - dy, 6), round(lon + dx, 6), round(lat + dy, 6)))


DEFAULTS = DemoParameters()
CHUNK = 2_000  # projects assembled (and written by demo.loader) at a time: memory does not grow with their number


def generate(params: DemoParameters = DEFAULTS):
    """Returns (projects, peilingen {code: close time}, entries [(peiling, project idx, version idx)]): all of it
    at once, for tests and small demos; `bouwregie demo` takes it chunk by chunk (`generate_in_chunks`)."""
    close_times, chunks = generate_in_chunks(params)
    projects: list[HistoricProject] = []
    entries: list[tuple[str, int, int]] = []
    for chunk, chunk_entries in chunks:
        entries += [(code, len(projects) + i, j) for code, i, j in chunk_entries]
        projects += chunk
    return projects, close_times, entries


def generate_in_chunks(params: DemoParameters = DEFAULTS, chunk: int | None = None):
    """(peilingen {code: close time}, an iterator of (projects, entries) for `chunk` projects at a time, the
    entries' project index counting within the chunk). The same data as `generate` whatever the chunk: every
    random number is drawn first, for all projects, in the order it always was (same seed, same data); what is
    derived per quarter (plans, reached milestones, statuses: 15 quarters x 15 milestones per project) and the
    Python objects of the versions are made per chunk, so only the draws (~1.5 kB per project) grow with n."""
    drawn, chunk = _draw(params), chunk or CHUNK
    return drawn["close_times"], (_assemble(params, drawn, lo, min(lo + chunk, params.projects))
                                  for lo in range(0, params.projects, chunk))  # fmt: skip


def _draw(params: DemoParameters) -> dict:
    """Every random draw for every project, and the true timelines with their revealed slips."""
    rng = np.random.default_rng(params.seed)
    n = params.projects
    quarters = peiling_quarters(params)
    q_end = np.array([_days(quarter_end(y, q)) for y, q in quarters])
    codes, city, m_index = _allocate_municipalities(rng, n)
    names = {m["gemeentecode"]: m["gemeentenaam"] for m in reference.read_municipalities()}
    # Size and type.
    # Larger cities get larger projects; the shift is normalised so the national mean stays put.
    city_shift = 0.25 * np.log(city[m_index])
    mu = np.log(params.mean_homes) - params.size_sigma**2 / 2 - np.log(np.mean(np.exp(city_shift)))
    homes = np.clip(np.rint(rng.lognormal(mu + city_shift, params.size_sigma, n)), 1, params.max_homes).astype(np.int64)
    type_names = np.array([t for t, _ in PLAN_TYPES])
    type_p = np.array([p for _, p in PLAN_TYPES])
    plan_type = type_names[rng.choice(len(PLAN_TYPES), size=n, p=type_p / type_p.sum())]
    flex = plan_type == PlanType.FLEX
    homes[flex] = np.clip(homes[flex], 20, 400)

    # True timeline: gamma steps; the initiative date is drawn so that delivery is 2022 or later.
    step_mean = np.array(params.step_years)
    steps = rng.gamma(params.step_shape, step_mean / params.step_shape, size=(n, N_STEPS)) * 365.25
    steps[flex] *= params.flex_speedup
    offsets = np.concatenate([np.zeros((n, 1)), np.cumsum(steps, axis=1)], axis=1)  # 12 columns
    latest_start = _days(quarter_end(*params.last_peiling))
    earliest = _days(date(2022, 1, 1)) - offsets[:, -1]
    start = earliest + rng.uniform(0, 1, n) * (latest_start - earliest)
    phases = np.where(homes > params.phased_delivery_above, np.minimum(MAX_PHASES, 1 + homes // 300), 1).astype(
        np.int64
    )
    truth = np.full((n, N_STEPS + MAX_PHASES), np.nan)
    truth[:, : N_STEPS + 1] = start[:, None] + offsets
    for k in range(1, MAX_PHASES):
        has = phases > k
        truth[has, N_STEPS + k] = truth[has, N_STEPS] + 365.25 * k + rng.uniform(-60, 60, has.sum())
    truth = np.floor(truth)

    # Slips revealed per quarter push every milestone not yet reached at that moment.
    slip = (rng.random((n, len(quarters))) < params.slip_probability) * np.rint(
        rng.exponential(params.slip_months_mean, (n, len(quarters))) * 30.4
    )
    # Truth includes all slips revealed during the observed quarters.
    for r in range(len(quarters)):
        pending = truth > q_end[r]
        truth = np.where(pending, truth + slip[:, r : r + 1], truth)

    # Soft status kind before procedures start; a few lists never state a status.
    soft_kind = np.where(rng.random(n) < 0.6, "4A", "4B")
    unknown_status = rng.random(n) < 0.04
    hard_variant = rng.choice(["A", "B", "C"], size=n, p=[0.8, 0.12, 0.08])

    # Segments and housing types.
    affordable_m = np.clip(rng.normal(params.affordable_mean, params.affordable_sd_municipality, len(codes)), 0.35, 0.9)
    affordable = np.clip(affordable_m[m_index] + rng.normal(0, params.affordable_sd_project, n), 0, 1)
    affordable[(homes < 15) & (rng.random(n) < 0.7)] = 0.0
    split_a = rng.dirichlet(params.affordable_split, n)
    split_f = rng.dirichlet(params.free_split, n)
    fractions = np.column_stack([affordable[:, None] * split_a, (1 - affordable)[:, None] * split_f])
    segment_counts = round_split(homes, fractions)  # sociale, midden, betaalbare koop, vrij huur, dure koop
    unknown_segments = (rng.random(n) < params.unknown_segment_share_soft) & (truth[:, 3] > q_end[-1])
    stacked_share = 1 / (1 + np.exp(-(np.log(homes) - 3.5 + 0.3 * np.log(city[m_index]))))

    lon, lat = _points_in(rng, codes, m_index)
    bottleneck_draw = rng.random((n, len(BOTTLENECKS)))
    parallel = rng.random(n) < params.parallel_plannen_share
    elderly = rng.random((n, 3)) * np.array([0.3, 0.06, 0.04])
    name_a = rng.integers(0, len(NAME_PARTS[0]), n)
    name_b = rng.integers(0, len(NAME_PARTS[1]), n)
    dropout_draw = rng.random((n, len(quarters)))
    edit_day = rng.integers(1, 13, (n, len(quarters)))

    peiling_codes = [f"{y}-Q{q}" for y, q in quarters]
    close_times = {
        code: datetime.combine(
            date.fromordinal(EPOCH + int(e)) + timedelta(days=14), datetime.min.time(), tzinfo=UTC
        ).replace(hour=12)
        for code, e in zip(peiling_codes, q_end, strict=True)
    }
    appear = np.searchsorted(q_end, start)  # first quarter whose end is on/after the initiative
    return {
        "quarters": quarters, "q_end": q_end, "peiling_codes": peiling_codes, "close_times": close_times,
        "codes": codes, "names": names, "m_index": m_index, "homes": homes, "phases": phases, "plan_type": plan_type,
        "truth": truth, "slip": slip, "soft_kind": soft_kind, "unknown_status": unknown_status,
        "hard_variant": hard_variant, "segment_counts": segment_counts, "unknown_segments": unknown_segments,
        "stacked_share": stacked_share, "lon": lon, "lat": lat, "bottleneck_draw": bottleneck_draw,
        "parallel": parallel, "elderly": elderly, "name_a": name_a, "name_b": name_b, "dropout_draw": dropout_draw,
        "edit_day": edit_day, "appear": appear,
    }  # fmt: skip


def _assemble(params: DemoParameters, drawn: dict, lo: int, hi: int):
    """(projects lo..hi-1, their peiling entries with the project index counted from lo)."""

    def rows(*names):
        return (drawn[name][lo:hi] for name in names)

    quarters, q_end, peiling_codes, codes, names = (drawn[k] for k in ("quarters", "q_end", "peiling_codes", "codes",
                                                                       "names"))  # fmt: skip
    m_index, homes, phases, plan_type, truth, slip = rows("m_index", "homes", "phases", "plan_type", "truth", "slip")
    soft_kind, unknown_status, hard_variant = rows("soft_kind", "unknown_status", "hard_variant")
    segment_counts, unknown_segments, stacked_share = rows("segment_counts", "unknown_segments", "stacked_share")
    lon, lat, bottleneck_draw, parallel, elderly = rows("lon", "lat", "bottleneck_draw", "parallel", "elderly")
    name_a, name_b, dropout_draw, edit_day, appear = rows("name_a", "name_b", "dropout_draw", "edit_day", "appear")
    n = hi - lo

    # State per quarter, vectorised: which milestones are reached, planned dates, status.
    def planned_at(qi):
        result = truth.copy()
        for r in range(qi + 1, len(quarters)):
            pending = truth > q_end[r]
            result = np.where(pending, result - slip[:, r : r + 1], result)
        return result

    plans = [planned_at(qi) for qi in range(len(quarters))]
    plan_keys = [np.nan_to_num(plan, nan=-1).astype(np.int64) for plan in plans]  # comparable state
    reached = [truth <= q_end[qi] for qi in range(len(quarters))]

    def status_at(qi):
        r = reached[qi]
        status = np.where(r[:, 1], "3", soft_kind)
        status = np.where(r[:, 3], "3", status)
        status = np.where(r[:, 4], np.char.add("2", hard_variant), status)
        status = np.where(r[:, 5], np.char.add("1", hard_variant), status)
        return np.where(unknown_status & ~r[:, 4], "onbekend", status)

    statuses = [status_at(qi) for qi in range(len(quarters))]
    delivered_all = [
        np.all(np.isnan(truth[:, N_STEPS:]) | (truth[:, N_STEPS:] <= q_end[qi]), axis=1) for qi in range(len(quarters))
    ]
    dropped_at = np.full(n, len(quarters))
    for qi in range(len(quarters)):
        group = np.where(
            statuses[qi] == "3",
            params.dropout_per_quarter["3"],
            np.where(
                np.isin(statuses[qi], sorted(HARD_STATUSES)),
                params.dropout_per_quarter["hard"],
                params.dropout_per_quarter["zacht"],
            ),
        )
        group = np.where(reached[qi][:, 10], 0.0, group)  # after start bouw projects do not vanish
        drop_now = (dropout_draw[:, qi] < group) & (qi > appear) & (dropped_at == len(quarters))
        dropped_at[drop_now] = qi

    day_cache: dict[int, date] = {}

    def to_date(days: int) -> date | None:
        """The date of a day number (days since 1970; -1 is no date: plan_keys' stand-in for NaN)."""
        if days < 0:
            return None
        if days not in day_cache:
            day_cache[days] = date.fromordinal(EPOCH + days)
        return day_cache[days]

    projects: list[HistoricProject] = []
    entries: list[tuple[str, int, int]] = []
    milestone_codes = list(MILESTONE_CODES[:N_STEPS])
    for k in range(n):
        i = lo + k  # the project's number in the whole demo (its code, whether it is cancelled)
        code = codes[m_index[k]]
        segments = segment_counts[k]
        stacked = np.rint(segments * stacked_share[k]).astype(int)
        matrix = {
            seg: {"grondgebonden": int(total - st), "gestapeld": int(st)}
            for seg, total, st in zip(
                ("sociale_huur", "middenhuur", "betaalbare_koop", "vrije_sector_huur", "dure_koop"),
                segments,
                stacked,
                strict=True,
            )
            if total
        }
        unknown_matrix = {"onbekend": {"onbekend": int(homes[k])}}
        groups = {
            g: int(homes[k] * f)
            for g, f in zip(("nultreden", "zorggeschikt", "geclusterd"), elderly[k], strict=True)
            if homes[k] >= 20 and int(homes[k] * f) > 0
        }
        bottlenecks = tuple(b for (b, p), u in zip(BOTTLENECKS, bottleneck_draw[k], strict=True) if u < p)
        name = f"{NAME_PARTS[0][name_a[k]]}{NAME_PARTS[1][name_b[k]]}"
        geometry = _geometry(lon[k], lat[k], int(homes[k]))
        per_phase = round_split(np.array([homes[k]]), np.full((1, phases[k]), 1 / phases[k]))[0]
        versions, previous, last_state, made = [], None, None, {}
        for qi in range(appear[k], len(quarters)):
            gone = qi >= dropped_at[k]
            if gone and qi > dropped_at[k]:
                break
            done = reached[qi][k]
            lifecycle = (
                dropped_lifecycle(i) if gone else Lifecycle.GEREALISEERD if delivered_all[qi][k] else Lifecycle.ACTIEF
            )
            status = str(statuses[qi][k])
            state = (plan_keys[qi][k].tobytes(), done.tobytes(), status, lifecycle)
            if state != last_state:
                # A reached milestone keeps its planned date next to the actual one (issue #19): the date the last
                # version before it planned. Slips here are known a quarter ahead (they move what is pending at a
                # quarter's end), so that plan is the day it happened; lateness shows against the first version.
                keys, flags = plan_keys[qi][k].tolist(), done.tolist()
                milestones = []
                for j in range(N_STEPS + phases[k]):
                    # A milestone unchanged since an earlier version is that version's (frozen) object again: most
                    # of a project's 15 milestones stay put from quarter to quarter (issue #21: the load's cost).
                    key = (j, keys[j], flags[j])
                    milestone = made.get(key)
                    if milestone is None:
                        day = to_date(keys[j])
                        if j < N_STEPS:
                            milestone = MilestoneData(milestone_codes[j], planned=day, actual=day if flags[j] else None)
                        else:
                            p = j - N_STEPS
                            milestone = MilestoneData("oplevering", sequence=p + 1,
                                                      homes=int(per_phase[p]) if phases[k] > 1 else None,
                                                      planned=day, actual=day if flags[j] else None)  # fmt: skip
                        made[key] = milestone
                    milestones.append(milestone)
                known_segments = not (unknown_segments[k] and not done[3])
                data = ProjectData(
                    name=name,
                    municipality=code,
                    homes=matrix if known_segments else unknown_matrix,
                    plan_type=str(plan_type[k]),
                    plan_status=status,
                    lifecycle=lifecycle,
                    target_groups=groups,
                    bottlenecks=bottlenecks,
                    parallel_plannen=bool(parallel[k] and quarters[qi][0] >= 2025),
                    geometry=geometry,
                    source_crs="EPSG:28992",
                    milestones=tuple(milestones),
                )
                created = datetime.combine(
                    date.fromordinal(EPOCH + int(q_end[qi])) + timedelta(days=int(edit_day[k, qi])),
                    datetime.min.time(),
                    tzinfo=UTC,
                ).replace(hour=9)
                reason = (
                    "Eerste opname in planlijst"
                    if previous is None
                    else "Vervallen / niet meer in planlijst"
                    if gone
                    else "Kwartaalactualisatie"
                )
                versions.append(
                    (
                        data,
                        VersionMeta(
                            author="demo",
                            source="demo",
                            reason=reason,
                            created_at=created,
                            source_detail=f"demo seed {params.seed}",
                        ),
                    )
                )
                previous, last_state = created, state
                changed = True
            else:
                changed = False
            if counts_in_peiling(versions[-1][0].lifecycle, changed):
                entries.append((peiling_codes[qi], len(projects), len(versions) - 1))
        projects.append(
            HistoricProject(
                code=f"DEMO-{i + 1:06d}",
                versions=versions,
                external_ids=[(f"planlijst {names[code]}", f"{code}-{i + 1:06d}")],
            )
        )
    return projects, entries


def dropped_lifecycle(i: int) -> str:
    """Half of the dropped projects are cancelled, half silently leave the list (deterministic)."""
    return Lifecycle.VERVALLEN if i % 2 == 0 else Lifecycle.NIET_MEER_IN_PLANLIJST
