"""The quarterly report of a versnellingstafel (issue #20) as plain data: `build(area, peiling, audience, language)`.

Each quarter the regional table meets over the monitor, and the landelijke versnellingstafel hears "periodiek …
over de stand van zaken in elke regio, waaronder het opzetten van een PPM en het gebruik daarvan" (Afsprakenlijst
Woontop 11 december 2024, Afspraak 3B; seed 004). This module gathers what the secretary sends round, every figure
from the computation the pages, CLI and API already use — nothing is recomputed here:

- progress against the agreement and its jaarschijven: monitor.api.monitor (agreements, realised and planned per
  year) and the dashboard's chart "Opleveringen per jaar" (web.dashboard._charts);
- what changed since the previous closed peiling: the two frozen snapshots (monitor.snapshot) compared project
  by project: new, delivered (lifecycle gerealiseerd), dropped (vervallen / niet meer in planlijst) and changed
  (another version, still active);
- delays with their causes and the homes moved out of each year: monitor.delays.delays (the page's sentences,
  web.monitor_pages.describe_delay);
- alternatives proposed for the first year from the peiling's on with a shortfall: monitor.alternatives;
- the forecast with P(agreement met): forecast.api.forecast with REPORT_RUNS runs and seed REPORT_SEED, so the
  same report twice has the same figures;
- segment shares against 2/3 affordable (Woontop 2024, Afspraak 1) and 1/3 sociale huur (DOMAIN.md §2), and plan
  capacity against 130% of the remaining task: monitor.figures.report;
- bottlenecks (netcongestie, water en bodem, …) with the projects they hold up: the knelpunten registered on the
  projects in the peiling (snapshot.bottlenecks);
- open-book items (projects.ProjectVersion.open_book) only in the version for the parties at the table
  (audience "tafel"; accounts.policy.can_read_tafel_report); the public version leaves the section out entirely;
- PPM use: rapport.ppm.overview for the woondeal regions in the area.

Traceability: lists name project codes; every aggregated figure carries the key under which
monitor.api.projects_behind (CLI `bouwregie monitor --trace`) lists the projects behind it.
"""

import numpy as np
from django.utils import translation
from django.utils.translation import gettext as _

from bouwregie.geo.areas import resolve_area
from bouwregie.monitor import api as monitor_api
from bouwregie.monitor import snapshot as snap
from bouwregie.monitor.figures import AFFORDABLE_NORM, CAPACITY_NORM, SOCIAL_NORM
from bouwregie.projects.enums import Bottleneck
from bouwregie.projects.models import Peiling, PeilingEntry, ProjectVersion

AUDIENCES = ("publiek", "tafel")
LANGUAGES = ("nl", "en")
REPORT_RUNS = 500
"""Runs of the report's forecast: enough for P(met) to two digits (the standard error of a share from 500 runs is at
most 2.2 points), small enough that a province's report takes seconds, not the page's 10,000."""
REPORT_SEED = 2025
"""The forecast's seed (forecast.api's default): the report of a closed peiling is reproducible."""
REPORT_HORIZON = 2030
"""The forecast runs to 2030, the last year of the woondeal agreements (Woontop 2024, Afspraak 3A)."""
LISTED = 25
"""Projects listed per table in the report (largest first); the downloads and pages hold all of them."""
SOURCES = {
    "ppm": "Afsprakenlijst Woontop, 11 december 2024, Afspraak 3B (seed 004)",
    "affordable": "Afsprakenlijst Woontop, 11 december 2024, Afspraak 1 (seed 004)",
    "social": "IPO, brief 'Voortgang en aandachtspunten prestatieafspraken woningbouw', 14 juli 2022 (seed 002)",
}


class ReportRefused(ValueError):
    """The report cannot be made (no such peiling, not closed, unknown area); the message says why."""


def previous_peiling(peiling: Peiling) -> Peiling | None:
    earlier = Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter")
    return next((p for p in earlier if (p.year, p.quarter) < (peiling.year, peiling.quarter)), None)


def build(area: str, peiling: str, audience: str = "publiek", language: str = "nl", forecast_runs: int | None = None,
          progress=None) -> dict:  # fmt: skip
    """The report's content for `area` (NL, PV.., GM.., a region's code) at closed peiling `peiling`; the forecast
    with `forecast_runs` runs (default REPORT_RUNS)."""
    forecast_runs = forecast_runs or REPORT_RUNS
    if audience not in AUDIENCES:
        raise ReportRefused(_("Onbekende doelgroep '%s'; kies publiek of tafel.") % audience)
    if language not in LANGUAGES:
        raise ReportRefused(_("Onbekende taal '%s'; kies nl of en.") % language)
    report = progress or (lambda *_a: None)
    with translation.override(language):
        found = Peiling.objects.filter(code=peiling).first()
        if found is None or not found.is_closed:
            raise ReportRefused(str(monitor_api.unknown_peiling(peiling)) if found is None
                                else _("Peiling %s is nog niet gesloten; een rapport gaat over een gesloten peiling.")
                                % peiling)  # fmt: skip
        resolved = resolve_area(area, found.reference_date)
        before = previous_peiling(found)
        report(5, _("Monitorcijfers"))
        figures = monitor_api.monitor(resolved.code, peiling)
        s = snap.load(peiling)
        mask = snap.members(s, resolved)
        content = {
            "area": {**resolved.as_dict(), "name": _("Nederland") if resolved.kind == "nl" else resolved.name},
            "peiling": peiling,
            "previous": before.code if before else None,
            "reference_date": found.reference_date.isoformat(),
            "audience": audience,
            "language": language,
            "sources": SOURCES,
            "progress": _progress(figures),
        }
        report(15, _("Wijzigingen sinds de vorige peiling"))
        content["changes"] = _changes(snap.load(before.code), s, resolved) if before else None
        report(25, _("Vertragingen"))
        content["delays"] = _delays(resolved.code, before.code, peiling) if before else None
        report(35, _("Alternatieven"))
        content["alternatives"] = _alternatives(resolved.code, peiling, figures, found.reference_date.year)
        report(45, _("Prognose"))
        content["forecast"] = _forecast(resolved.code, peiling, forecast_runs, figures["realised"])
        report(80, _("Segmenten, plancapaciteit en knelpunten"))
        content["segments"] = _segments(figures)
        content["capacity"] = _capacity(figures)
        content["bottlenecks"] = _bottlenecks(s, mask)
        content["open_book"] = _open_book(peiling, s, mask) if audience == "tafel" else None
        report(90, _("PPM-gebruik"))
        content["ppm"] = _ppm(found, resolved)
    return content


def _progress(f: dict) -> dict:
    from bouwregie.web.dashboard import _charts, yearly_agreement_line

    line_label, yearly = yearly_agreement_line(f["agreements"])
    years = sorted(set(f["realised"]) | set(f["planned"]) | set(yearly))
    rows = [{"year": y, "realised": f["realised"].get(y, 0), "planned": f["planned"].get(y, 0),
             "agreement": yearly.get(y), "trace": [f"realised:{y}", f"planned:{y}"]} for y in years]  # fmt: skip
    main = next((a for a in f["agreements"] if a["indicator"] == "bruto_woningen" and a.get("total")), None)
    return {
        "agreements": f["agreements"],
        "main": main,
        "agreement_line": line_label,
        "years": rows,
        "chart": _charts(f)[0],
        "pipeline": {**f["pipeline"], "trace": "pipeline"},
        "realised_total": sum(f["realised"].values()),
    }


def _changes(a: snap.Snapshot, b: snap.Snapshot, area) -> dict:
    """Project by project between the previous peiling `a` and this one `b`, within the area."""
    in_a, in_b = snap.members(a, area), snap.members(b, area)
    ids_a = dict(zip(a.project_ids[in_a].tolist(), np.flatnonzero(in_a).tolist(), strict=True))
    active, realised = snap.LIFECYCLES.index("actief"), snap.LIFECYCLES.index("gerealiseerd")
    gone = [snap.LIFECYCLES.index(x) for x in ("vervallen", "niet_meer_in_planlijst")]
    kinds: dict[str, list[int]] = {"new": [], "delivered": [], "dropped": [], "changed": []}
    for j in np.flatnonzero(in_b).tolist():
        pid = int(b.project_ids[j])
        i = ids_a.get(pid)
        now = b.lifecycle[j]
        if i is None:
            kinds["new"].append(j)
        elif a.version_ids[i] == b.version_ids[j]:
            continue
        elif now == realised and a.lifecycle[i] != realised:
            kinds["delivered"].append(j)
        elif now in gone and a.lifecycle[i] not in gone:
            kinds["dropped"].append(j)
        elif now == active:
            kinds["changed"].append(j)
    out = {}
    for kind, rows in kinds.items():
        rows.sort(key=lambda j: (-int(b.homes[j]), int(b.project_ids[j])))
        listed = snap.describe_versions(b.version_ids[rows[:LISTED]].tolist())
        out[kind] = {"projects": len(rows), "homes": int(b.homes[rows].sum()) if rows else 0,
                     "listed": [listed[int(b.version_ids[j])] for j in rows[:LISTED]]}  # fmt: skip
    return out


def _delays(area: str, first: str, second: str) -> dict:
    from bouwregie.monitor.delays import DEFAULT_MONTHS, delays
    from bouwregie.web.monitor_pages import describe_delay

    result = delays(area, first, second, DEFAULT_MONTHS, limit=None)  # all: the workbook holds every one
    for p in result["projects"]:
        p["reasons"] = [describe_delay(r) for r in p["reasons"]]
    return result


def _alternatives(area: str, peiling: str, f: dict, first_year: int) -> dict:
    """The alternatives for the first year from the peiling's on whose deliveries fall short of the area's yearly
    agreement (the line of the chart); none when the area has no such agreement or no year falls short."""
    from bouwregie.monitor.alternatives import alternatives
    from bouwregie.monitor.shortfall import ShortfallNeeded
    from bouwregie.web.dashboard import yearly_agreement_line

    _label, yearly = yearly_agreement_line(f["agreements"])
    short = [int(y) for y, n in sorted(yearly.items())
             if int(y) >= first_year and f["realised"].get(y, 0) + f["planned"].get(y, 0) < n]  # fmt: skip
    if not short:
        return {"year": None, "reason": _("Geen jaar met een tekort tegen de afspraak per jaar.") if yearly
                else _("Dit gebied heeft geen afspraak per jaar om een tekort aan af te meten.")}  # fmt: skip
    try:
        result = alternatives(area, peiling, short[0], limit=None)  # all: the workbook holds every one
    except (ShortfallNeeded, ValueError) as error:
        return {"year": short[0], "reason": str(error)}
    for c in result["candidates"]:
        c["reasons"] = [str(r) for r in c["reasons"]]
    return result


def _forecast(area: str, peiling: str, runs: int, realised: dict[str, int]) -> dict:
    """The forecast's fan as cumulative homes from the main agreement's first year (what was realised before the
    peiling's year added, as forecast.api counts P(met) and as woondeal_progress.forecast_chance shows the spread),
    so the fan and the agreement's level are one scale."""
    from bouwregie.forecast import api as forecast_api
    from bouwregie.forecast.results import csv_rows

    result = forecast_api.forecast(area, peiling, runs=runs, horizon=REPORT_HORIZON, seed=REPORT_SEED)
    totaal = result["series"]["totaal"]["cumulative"]
    main = next((t for t in result["targets"] if t["indicator"] == "bruto_woningen" and "probability" in t), None)
    first = int(main["period"].split("-")[0]) if main else result["years"][0]
    earlier = sum(n for y, n in realised.items() if first <= int(y) < result["years"][0])
    fan = [{"year": int(y), **{k: (v + earlier if k in ("p10", "p50", "p90", "mean") else v) for k, v in s.items()}}
           for y, s in totaal.items()]  # fmt: skip
    return {
        "runs": result["runs"], "seed": result["seed"], "horizon": result["horizon"], "years": result["years"],
        "fan": fan, "fan_from": first, "targets": result["targets"], "main": main,
        "homes_to_deliver": result["homes_to_deliver"], "projects": result["projects"],
        "rows": list(csv_rows(result)),  # the forecast page's download
    }  # fmt: skip


def _segments(f: dict) -> dict:
    from bouwregie.projects.enums import Segment

    seg = f["segments"]
    return {
        "rows": [{"segment": k, "label": str(Segment(k).label), "homes": v, "trace": f"segment:{k}"}
                 for k, v in seg["pipeline"].items()],  # fmt: skip
        "affordable_share": seg["affordable_share"], "affordable_norm": AFFORDABLE_NORM,
        "affordable_ok": None if seg["affordable_share"] is None else seg["affordable_share"] >= AFFORDABLE_NORM,
        "social_share": seg["social_share"], "social_norm": SOCIAL_NORM,
        "social_ok": None if seg["social_share"] is None else seg["social_share"] >= SOCIAL_NORM,
        "unknown": seg["unknown_segment_homes"],
    }  # fmt: skip


def _capacity(f: dict) -> dict:
    c = f["capacity"]
    return {**c, "norm": CAPACITY_NORM, "trace": {"plan_capacity": "pipeline", "hard": "hard"}}


def _bottlenecks(s: snap.Snapshot, mask: np.ndarray) -> list[dict]:
    """Per registered knelpunt: the active projects of the area it holds up, their homes, the largest listed."""
    rows = []
    for k, code in enumerate(snap.BOTTLENECKS):
        hit = np.flatnonzero(mask & s.active & s.bottlenecks[:, k])
        if not hit.size:
            continue
        order = hit[np.lexsort((s.project_ids[hit], -s.remaining[hit]))]
        listed = snap.describe_versions(s.version_ids[order[:LISTED]].tolist())
        rows.append({"code": code, "label": str(Bottleneck(code).label), "projects": int(hit.size),
                     "homes": int(s.remaining[hit].sum()),
                     "listed": [listed[int(s.version_ids[j])] for j in order[:LISTED]]})  # fmt: skip
    rows.sort(key=lambda r: -r["homes"])
    return rows


def _open_book(peiling: str, s: snap.Snapshot, mask: np.ndarray) -> list[dict]:
    """The open-book items of the area's projects as frozen in the peiling (version for the parties at the table
    only; Woontop 2024, Afspraak 3B, "open boekenprincipe")."""
    versions = set(s.version_ids[mask].tolist())
    entries = PeilingEntry.objects.filter(peiling__code=peiling).values("version_id")
    rows = (
        ProjectVersion.objects.filter(id__in=entries)
        .exclude(open_book={})
        .order_by("project__code")
        .values_list("id", "project__code", "name", "municipality__name", "open_book")
    )
    return [
        {"code": code, "name": name, "municipality": gm,
         "items": [{"item": k, "value": v} for k, v in sorted(book.items())]}
        for vid, code, name, gm, book in rows
        if vid in versions and book
    ]  # fmt: skip


def _ppm(peiling: Peiling, area) -> dict:
    """The PPM-use table for the woondeal regions in the area (all of them for NL; those with a member in a
    province or municipality; the region itself)."""
    from bouwregie.rapport import ppm
    from bouwregie.woondeals.regions import region_code

    regions = ppm.regions_on(peiling)
    if area.kind == "regio":
        regions = [r for r in regions if region_code(r["code"]) == area.code] or regions[:0]
    elif area.kind != "nl":
        regions = [r for r in regions if r["members"] & area.municipalities]
    return ppm.overview(peiling.code, regions)
