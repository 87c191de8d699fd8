"""Where the shortfall of a year comes from when the table asks for alternatives (issue #17).

In this order: the area's own bruto agreement (its jaarschijf, else its total spread evenly); else, for a
municipality, its part of the jaarschijf of its woondeal; else the user states it (web form, API `tekort`,
CLI `--tekort`). A user's figure always wins: it is the question asked.

Most municipalities have no agreement of their own — the woondeal (seed 003) is agreed per region — so the
part of one municipality is derived, by a rule anyone can redo by hand:

    part = jaarschijf of the region × pipeline of the municipality / pipeline of all member municipalities

The pipeline is the plan capacity at the peiling (monitor.figures): the homes of active projects that are
not yet delivered. A region divides its task where its plans are — woondeals are drawn up from the
municipalities' plan capacity — and the pipeline is in the monitor for every municipality, where household
projections are not. The parts are whole homes that add up to the jaarschijf exactly (largest remainders,
ties to the lower municipality code); a region without any pipeline is split evenly over its members. The
shortfall is the part minus what the municipality delivers or plans in that year, never below zero.

`split_year_target` and `derived_shortfall` are pure (numbers in, numbers out) and tested by hand.
`from_woondeal` feeds them from the woondeal data model (bouwregie.woondeals): the woondeal that has the
municipality as a member on the peiling date, as agreed on that day, and its jaarschijf for the year. Only when
no woondeal covers the municipality does it fall back to a geo.Region of kind woondeal with a bruto
targets.Target under the region's code (the path before the woondeals were data).
"""

from collections.abc import Mapping
from datetime import date
from functools import lru_cache

import numpy as np
from django.utils.translation import gettext as _

from bouwregie.formatting import number, percent
from bouwregie.geo.areas import Area
from bouwregie.geo.models import Region
from bouwregie.limits import int_range
from bouwregie.monitor.snapshot import Snapshot
from bouwregie.projects.models import Peiling
from bouwregie.targets.models import Target
from bouwregie.woondeals import rules as woondeal_rules
from bouwregie.woondeals import store as woondeal_store

# A stated shortfall is a number of homes no agreement could exceed (the largest total a Target holds).
MAX_SHORTFALL = int_range(Target, "total")[1]


class ShortfallNeeded(ValueError):
    """No agreement of the area covers the year and none can be derived: the user must state the shortfall.
    The message says so without naming a command or parameter; each front end adds its own way to state it."""

    def __init__(self, area: Area, year: int):
        self.area, self.year = area, year
        super().__init__(
            _("Geen bruto-afspraak voor %(area)s die %(year)s dekt, en ook geen woondeal met zo'n afspraak om het "
              "tekort uit af te leiden; geef het tekort zelf op.") % {"area": area.name, "year": year}
        )  # fmt: skip


def check_shortfall(shortfall: int) -> int:
    """A stated shortfall: a whole number of homes from 0 up to MAX_SHORTFALL."""
    whole = isinstance(shortfall, int | np.integer) and not isinstance(shortfall, bool)
    if not whole or not 0 <= shortfall <= MAX_SHORTFALL:
        raise ValueError(_("Het tekort moet een heel aantal woningen van 0 tot en met %(max)s zijn, niet '%(value)s'.")
                         % {"max": MAX_SHORTFALL, "value": shortfall})  # fmt: skip
    return int(shortfall)


def year_target(area_code: str, year: int, on: date | None = None) -> dict | None:
    """The homes the area agreed to build in `year`: its yearly slice, else the agreement's total spread
    evenly over its period (stated as such). The narrowest agreement covering the year wins. A woondeal's region
    (`woondeal-wd-03`) has the woondeal's own figure as agreed on `on` (default today; woondeal_year_target)."""
    from bouwregie.woondeals.regions import woondeal_code

    deal = woondeal_code(area_code)
    version = woondeal_store.as_agreed_on(deal, on) if deal else None
    if version is not None:
        return woondeal_year_target(version, year)
    covering = [t for t in Target.objects.filter(area=area_code, metric=Target.Metric.BRUTO)
                if t.first_year <= year <= t.last_year and t.total]  # fmt: skip
    if not covering:
        return None
    sliced = [t for t in covering if str(year) in t.yearly]
    if sliced:
        t = min(sliced, key=lambda t: t.last_year - t.first_year)
        return {"homes": int(t.yearly[str(year)]), "basis": _("jaarschijf"), "source": t.source}
    t = min(covering, key=lambda t: t.last_year - t.first_year)
    years = t.last_year - t.first_year + 1
    return {"homes": -(-t.total // years), "basis": _("afspraak %(period)s gelijk verdeeld over %(n)d jaar")
            % {"period": f"{t.first_year}–{t.last_year}", "n": years}, "source": t.source}  # fmt: skip


def split_year_target(homes: int, pipeline: Mapping[str, int]) -> dict[str, int]:
    """The region's `homes` for one year divided over its member municipalities in proportion to their
    pipeline, in whole homes adding up to `homes` (largest remainders, ties to the lower code). Evenly
    when no member has any pipeline."""
    codes = sorted(pipeline)
    weights = [max(0, int(pipeline[c])) for c in codes]
    total = sum(weights)
    if total == 0:
        weights, total = [1] * len(codes), len(codes)
    if not codes:
        return {}
    numerators = [homes * w for w in weights]  # Python integers: exact
    parts = [n // total for n in numerators]
    missing = homes - sum(parts)
    for i in sorted(range(len(codes)), key=lambda i: (-(numerators[i] - parts[i] * total), i))[:missing]:
        parts[i] += 1
    return dict(zip(codes, parts, strict=True))


def derived_shortfall(municipality: str, region_homes: int, pipeline: Mapping[str, int], delivered: int) -> dict:
    """The part of a region's yearly target that falls to `municipality` (a key of `pipeline`, which holds
    every member municipality's pipeline) and its shortfall: that part minus `delivered`, the homes it
    delivers or plans in the year, never below zero."""
    if municipality not in pipeline:
        raise ValueError(_("%(code)s is geen lid van de regio.") % {"code": municipality})
    parts = split_year_target(region_homes, pipeline)
    region_pipeline = sum(max(0, int(v)) for v in pipeline.values())
    own = max(0, int(pipeline[municipality]))
    share = own / region_pipeline if region_pipeline else 1 / len(pipeline)
    return {
        "homes": parts[municipality], "share": round(share, 4), "pipeline": own, "region_pipeline": region_pipeline,
        "even": region_pipeline == 0, "shortfall": max(0, parts[municipality] - delivered), "parts": parts,
    }  # fmt: skip


def pipeline_by_municipality(s: Snapshot, codes) -> dict[str, int]:
    """Homes in the pipeline (active projects, not yet delivered) of each municipality in `codes`."""
    homes = np.bincount(s.municipality[s.active], weights=s.remaining[s.active], minlength=len(s.municipality_codes))
    index = {c: i for i, c in enumerate(s.municipality_codes)}
    return {c: int(homes[index[c]]) if c in index else 0 for c in codes}


def woondeals_of(municipality: str, on: date) -> list[tuple]:
    """The woondeals that have `municipality` as a member on `on`, as agreed on that day
    (woondeals.store.as_agreed_on): [(version, members on `on`)], members after mergers (rules.members_on).

    Every woondeal's members on a day are worked out once per process and day (issue #19: the alternatives page
    read every woondeal version twice per request, ~35 ms each on the 25,000-project demo), keyed by
    woondeals.regions.versions_key: versions are append-only, so a new one changes the key. The reference data
    (municipalities, mergers, start dates) is loaded by `bouwregie init` from the files shipped with the code and
    changes only with a deploy, which restarts the server. The result is shared: treat as read-only."""
    from django.db import connection

    from bouwregie.woondeals.regions import versions_key

    return _woondeals_by_member(connection.alias, on, versions_key()).get(municipality, [])


@lru_cache(maxsize=16)
def _woondeals_by_member(alias: str, on: date, versions: tuple) -> dict[str, list[tuple]]:
    return woondeals_by_member(on)


def woondeals_by_member(on: date) -> dict[str, list[tuple]]:
    """{municipality: [(version, members on `on`)]} of every woondeal in force on `on`, by woondeal code."""
    reference = woondeal_store.reference()
    found: dict[str, list[tuple]] = {}
    for version in woondeal_store.current_all(on):
        members = woondeal_rules.members_on(version.members, on, reference)
        for municipality in dict.fromkeys(members):
            found.setdefault(municipality, []).append((version, members))
    return found


def woondeal_year_target(version, year: int) -> dict | None:
    """The homes a woondeal agreed for `year`: its jaarschijf; else, within 2022–2030, its taakstelling spread
    evenly over those nine years (stated as such); for 2031–2035 its programmering (Afspraak 3A); else None."""
    slices = version.jaarschijven or {}
    if str(year) in slices:
        return {"homes": int(slices[str(year)]), "basis": _("jaarschijf van de woondeal"), "source": version.source}
    programme = version.programming or {}
    if programme.get(str(year)) is not None:
        return {"homes": int(programme[str(year)]), "basis": _("programmering 2031–2035 van de woondeal"),
                "source": version.source}  # fmt: skip
    years = woondeal_rules.JAARSCHIJF_YEARS
    if version.taakstelling_total and year in years:
        return {"homes": -(-version.taakstelling_total // len(years)),
                "basis": _("taakstelling %(period)s gelijk verdeeld over %(n)d jaar")
                % {"period": f"{years[0]}–{years[-1]}", "n": len(years)}, "source": version.source}  # fmt: skip
    return None


def _covering_woondeals(code: str, year: int, on: date) -> list[tuple]:
    """(number of members, code, name, members, target) of every woondeal (data model) of `code` on `on` with a
    figure for `year`; only when none covers the municipality, the older geo.Region + targets.Target path."""
    found = []
    for version, members in woondeals_of(code, on):
        target = woondeal_year_target(version, year)
        if target is not None:
            found.append((len(members), version.woondeal.code, version.name, members, target))
    if found:
        return found
    regions = Region.objects.filter(kind=Region.Kind.WOONDEAL, municipalities__code=code).prefetch_related(
        "municipalities"
    )
    for region in regions:
        target = year_target(region.code, year)
        if target is not None:
            members = sorted(m.code for m in region.municipalities.all())
            found.append((len(members), region.code, region.name, members, target))
    return found


def from_woondeal(area: Area, year: int, s: Snapshot, delivered: int) -> dict | None:
    """The municipality's part of the jaarschijf of its woondeal, as a target (homes, basis, source) with the
    derivation under "woondeal"; None for other areas or when no woondeal of it has a figure for `year`.
    The woondeal is the one that has the municipality as a member on the peiling date, as agreed on that day
    (woondeals data model); a geo.Region of kind woondeal with a bruto Target only when no woondeal covers
    it. In more than one, the one with the fewest members counts (the narrowest, as for agreements), then
    the lower code."""
    if area.kind != "gemeente":
        return None
    found = _covering_woondeals(area.code, year, Peiling.objects.get(code=s.peiling).reference_date)
    if not found:
        return None
    _n, code, name, members, target = min(found, key=lambda f: f[:2])
    derived = derived_shortfall(area.code, target["homes"], pipeline_by_municipality(s, members), delivered)
    how = (_("gelijk verdeeld: de regio heeft geen pijplijn") if derived["even"] else
           _("naar het aandeel in de pijplijn van de regio: %(own)s van %(all)s woningen")
           % {"own": number(derived["pipeline"]), "all": number(derived["region_pipeline"])})  # fmt: skip
    basis = _("%(share)s van de %(homes)s woningen van %(region)s in %(year)s (%(region_basis)s), %(how)s") % {
        "share": percent(derived["share"]), "homes": number(target["homes"]), "region": name, "year": year,
        "region_basis": target["basis"], "how": how,
    }  # fmt: skip
    return {
        "homes": derived["homes"], "basis": basis, "source": target["source"],
        "woondeal": {"code": code, "name": name, "homes": target["homes"], "basis": target["basis"],
                     "share": derived["share"], "pipeline": derived["pipeline"],
                     "region_pipeline": derived["region_pipeline"], "parts": derived["parts"]},
    }  # fmt: skip
