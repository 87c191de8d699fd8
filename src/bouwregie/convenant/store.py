"""The convenant's only writer (the partners' register, the project records: both append-only) and its figures per
area and peiling: share of the pipeline and of deliveries under the convenant, from the monitor's snapshot, and the
indicator scores against the norms, each naming the framework version(s) it used."""

from datetime import date, datetime
from functools import lru_cache

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from bouwregie.convenant import framework, rules
from bouwregie.convenant.models import Partner, ProjectRecord
from bouwregie.geo.areas import resolve_area
from bouwregie.geo.models import Municipality, Province
from bouwregie.monitor import figures
from bouwregie.monitor.snapshot import load as load_snapshot
from bouwregie.monitor.snapshot import members
from bouwregie.projects.models import Peiling, Project

# The four provinces that signed the convenant (seed 001, overweging F: "In september 2022 is het Convenant ...
# ontwikkeld ... en door Partijen ondertekend"; Partijen: Flevoland, Utrecht, Noord-Holland, Zuid-Holland).
# Seed 000 counts "meer dan 125 partijen" but names no others.
SEED_PARTNERS = ("Provincie Flevoland", "Provincie Utrecht", "Provincie Noord-Holland", "Provincie Zuid-Holland")
SEED_SOURCE = "Seed 001, overweging F (ondertekend september 2022); seed 000 (meer dan 125 partijen)"


class ConvenantError(ValueError):
    pass


def register_partner(
    organisation: str,
    sector: str,
    convenant_version: str,
    source: str,
    author: str,
    signed_on: date | None = None,
    signed_note: str = "",
    now: datetime | None = None,
) -> Partner:
    """A register entry; a newer entry for the same organisation supersedes the older, which stays. A signing date
    lies in the past or today: the register records who signed, not who will."""
    today = timezone.localdate(now) if now else timezone.localdate()
    if signed_on is not None and signed_on > today:
        raise ConvenantError(
            _("Ondertekend op: %(date)s ligt in de toekomst (vandaag is %(today)s).")
            % {"date": dateformat.format(signed_on, "j-n-Y"), "today": dateformat.format(today, "j-n-Y")}
        )
    for value, label in (
        (organisation, _("organisatie")),
        (sector, _("sector")),
        (convenant_version, _("convenantversie")),
        (source, _("bron")),
    ):
        if not str(value).strip():
            raise ConvenantError(_("Het veld %s is verplicht.") % label)
    return Partner.objects.create(
        organisation=organisation.strip(),
        sector=sector.strip(),
        signed_on=signed_on,
        signed_note=signed_note.strip(),
        convenant_version=convenant_version.strip(),
        source=source.strip(),
        recorded_at=now or timezone.now(),
        recorded_by=author,
    )


def register() -> list[Partner]:
    """The register as it stands: the newest entry per organisation."""
    latest: dict[str, Partner] = {}
    for p in Partner.objects.order_by("recorded_at", "id"):
        latest[p.organisation] = p
    return sorted(latest.values(), key=lambda p: p.organisation.lower())


def load_seed_partners(author: str = "bouwregie") -> int:
    """The four provinces of seed 001 (when not yet in the register)."""
    have = set(Partner.objects.values_list("organisation", flat=True))
    added = 0
    for name in SEED_PARTNERS:
        if name not in have:
            register_partner(name, "provincie", "1", SEED_SOURCE, author, signed_note="september 2022")
            added += 1
    return added


def record(
    project_code: str,
    under_convenant: bool,
    values: dict,
    reason: str,
    author: str,
    convenant_version: str = "",
    now: datetime | None = None,
) -> ProjectRecord:
    """A project's convenant record under the framework version in force today; values checked against it (known
    indicator, a number, within the indicator's range), the convenant version named must exist and be valid on
    the record's date. A refused record writes nothing."""
    now = now or timezone.now()
    project = Project.objects.filter(code=project_code).first()
    if project is None:
        raise ConvenantError(_("Project '%s' bestaat niet.") % project_code)
    if not reason.strip():
        raise ConvenantError(_("Geef een reden voor deze registratie."))
    day = timezone.localtime(now).date()
    used = framework.in_force(day)
    if convenant_version.strip():
        try:
            framework.convenant_version(convenant_version, day)  # exists and valid on the record's date
        except framework.FrameworkError as error:
            raise ConvenantError(str(error)) from None
    ranges = {i.code: (i.minimum, i.maximum, i.unit) for i in used.indicators}
    clean, errors = rules.check_values(values, [i.code for i in used.indicators], ranges)
    if errors:
        raise ConvenantError(" ".join(errors))
    if clean and not under_convenant:
        raise ConvenantError(_("Indicatorwaarden horen bij een project dat onder het convenant wordt gebouwd."))
    with transaction.atomic():
        last = ProjectRecord.objects.select_for_update().filter(project=project).aggregate(n=Max("number"))["n"] or 0
        return ProjectRecord.objects.create(
            project=project,
            number=last + 1,
            under_convenant=under_convenant,
            convenant_version=convenant_version.strip(),
            framework=used.label,
            values=clean,
            recorded_at=now,
            author=author,
            reason=reason.strip(),
        )


def cutoff_of(peiling: str) -> datetime:
    """Records count for a peiling when recorded before it closed; for an open peiling, up to now."""
    p = Peiling.objects.filter(code=peiling).first()
    if p is None:
        raise Peiling.DoesNotExist(_("Peiling '%s' bestaat niet; zie 'bouwregie peiling list'.") % peiling)
    return p.closed_at or timezone.now()


def latest_records(peiling: str) -> dict[int, dict]:
    """records_at the peiling's cutoff. A closed peiling's are read once per process (issue #19: 45 ms of every
    dashboard on the 25,000-project demo), keyed by the count and highest id of all records: records are
    append-only (docs/decisions/0002), so any new record, backdated or not, changes the key. An open peiling's
    cutoff is now: read live. The result is shared: treat as read-only."""
    cutoff, key = _records_key(peiling)
    return records_at(cutoff) if key is None else _records_kept(*key)


def _records_key(peiling: str) -> tuple[datetime, tuple | None]:
    """(cutoff, the key of what a closed peiling's records fix); the key is None for an open peiling."""
    cutoff = cutoff_of(peiling)
    if cutoff != Peiling.objects.filter(code=peiling).values_list("closed_at", flat=True).first():
        return cutoff, None  # open: cutoff_of gave now
    found = ProjectRecord.objects.aggregate(n=Count("id"), last=Max("id"))
    return cutoff, (connection.alias, cutoff, found["n"], found["last"])


@lru_cache(maxsize=8)
def _records_kept(alias: str, cutoff: datetime, count: int, last: int | None) -> dict[int, dict]:
    return records_at(cutoff)


def records_at(cutoff: datetime) -> dict[int, dict]:
    rows = ProjectRecord.objects.filter(recorded_at__lte=cutoff).values(
        "project", "number", "recorded_at", "under_convenant", "framework", "values", "convenant_version"
    )
    return rules.latest_per_project(rows)


def _scores(latest: dict[int, dict], project_ids, known: dict | None = None) -> tuple[list[dict], list[str]]:
    chosen = [latest[i] for i in project_ids if i in latest and latest[i]["under_convenant"]]
    labels = sorted({r["framework"] for r in chosen})
    known = known if known is not None else {f.label: f for f in framework.all_versions()}
    return rules.indicator_scores(chosen, known), labels


def _figures(area: dict, peiling: str, all_sums, under_sums, scores, labels) -> dict:
    pipeline, pipeline_under = int(all_sums.homes), int(under_sums.homes)
    delivered, delivered_under = int(all_sums.realised.sum()), int(under_sums.realised.sum())
    return {
        "area": area,
        "peiling": peiling,
        "framework_versions": labels,
        "pipeline": {
            "projects": int(all_sums.projects),
            "projects_under": int(under_sums.projects),
            "homes": pipeline,
            "homes_under": pipeline_under,
            "share": rules.share(pipeline_under, pipeline),
        },
        "deliveries": {
            "homes": delivered,
            "homes_under": delivered_under,
            "share": rules.share(delivered_under, delivered),
        },
        "indicators": scores,
    }


def area_figures(spec: str, peiling: str, on: date | None = None) -> dict:
    """One area (NL, a province, a municipality, a region) for one peiling; `on`: a woondeal region's members as
    agreed on that day (the dashboard passes the peiling's reference date, as the monitor does)."""
    area = resolve_area(spec, on)
    cutoff, key = _records_key(peiling)
    if key is None:
        latest = records_at(cutoff)
        all_sums, under_sums, ids = _area_sums(peiling, area, latest)
    else:  # a closed peiling: its snapshot and records are fixed, so are the sums (issue #19: 37 ms a dashboard)
        latest = _records_kept(*key)
        all_sums, under_sums, ids = _area_sums_kept(key, peiling, area)
    scores, labels = _scores(latest, ids)  # live: the framework files may change (framework.all_versions)
    return _figures(area.as_dict(), peiling, all_sums, under_sums, scores, labels)


@lru_cache(maxsize=64)
def _area_sums_kept(key: tuple, peiling: str, area) -> tuple:
    return _area_sums(peiling, area, _records_kept(*key))


def _area_sums(peiling: str, area, latest: dict[int, dict]) -> tuple:
    """The area's sums over all projects and over those under the convenant, and its project ids."""
    s = load_snapshot(peiling)
    mask = members(s, area)
    under = np.isin(s.project_ids, [p for p, r in latest.items() if r["under_convenant"]])
    one = np.zeros(len(mask), dtype=np.int64)
    all_sums = figures.group_sums(s, one, 1, include=mask).take(0)
    under_sums = figures.group_sums(s, one, 1, include=mask & under).take(0)
    return all_sums, under_sums, s.project_ids[mask].tolist()


def national(peiling: str) -> dict[str, dict]:
    """NL, every province and municipality in one pass (parents are sums of their children, as in the monitor)."""
    s = load_snapshot(peiling)
    latest = latest_records(peiling)
    under = np.isin(s.project_ids, [p for p, r in latest.items() if r["under_convenant"]])
    n_m, n_p = len(s.municipality_codes), len(s.province_codes)
    result = {}
    names = dict(Municipality.objects.values_list("code", "name")) | dict(Province.objects.values_list("code", "name"))
    levels = []
    for include in (None, under):
        per_m = figures.group_sums(s, s.municipality, n_m, include=include)
        per_p = per_m.sum_by(s.municipality_province, n_p)
        levels.append((per_m, per_p, per_p.sum_by(np.zeros(n_p, dtype=np.int64), 1)))
    (all_m, all_p, all_nl), (under_m, under_p, under_nl) = levels
    in_area = {"NL": np.arange(len(s.project_ids))}
    province_of = np.asarray(s.municipality_province)[s.municipality]
    for i, code in enumerate(s.province_codes):
        in_area[code] = np.flatnonzero(province_of == i)
    for i, code in enumerate(s.municipality_codes):
        in_area[code] = np.flatnonzero(s.municipality == i)
    ids = s.project_ids
    known = {f.label: f for f in framework.all_versions()}
    result["NL"] = _figures(
        {"kind": "nl", "code": "NL", "name": "Nederland"},
        peiling,
        all_nl.take(0),
        under_nl.take(0),
        *_scores(latest, ids[in_area["NL"]].tolist(), known),
    )
    for kind, codes, a, u in (
        ("provincie", s.province_codes, all_p, under_p),
        ("gemeente", s.municipality_codes, all_m, under_m),
    ):
        for i, code in enumerate(codes):
            area = {"kind": kind, "code": code, "name": names.get(code, code)}
            result[code] = _figures(
                area, peiling, a.take(i), u.take(i), *_scores(latest, ids[in_area[code]].tolist(), known)
            )
    return result


def project_history(project_code: str) -> list[ProjectRecord]:
    return list(ProjectRecord.objects.filter(project__code=project_code).order_by("number"))


SCORE_COLUMNS = ("projecten", "gemiddelde", "norm_2030", "voldoet_2030", "norm_2035", "voldoet_2035")


def csv_rows(result: dict[str, dict] | list[dict]) -> list[list]:
    """Open data (SOK art. 8.1: "Die data zijn voor iedereen vrijelijk toegankelijk") as a table, header first:
    per area the shares, then per indicator (of every framework version the areas used) the number of projects
    with a value, their mean, and per norm year the norm and how many projects meet it (empty: no norm)."""
    items = list(result.values() if isinstance(result, dict) else result)
    indicators = list(dict.fromkeys((r["framework"], r["indicator"]) for f in items for r in f["indicators"]))
    rows = [
        [
            "gebiedscode",
            "gebied",
            "soort",
            "peiling",
            "kaderversies",
            "pijplijn_woningen",
            "pijplijn_onder_convenant",
            "aandeel_pijplijn",
            "opgeleverd",
            "opgeleverd_onder_convenant",
            "aandeel_opgeleverd",
            *(f"{code} ({label}): {column}" for label, code in indicators for column in SCORE_COLUMNS),
        ]
    ]
    for f in items:
        scores = {(r["framework"], r["indicator"]): r for r in f["indicators"]}
        cells = []
        for key in indicators:
            r = scores.get(key)
            cells += (
                [r["projects"], r["mean"], r["norm_2030"], r["meets_2030"], r["norm_2035"], r["meets_2035"]]
                if r
                else [0, None, None, None, None, None]
            )
        rows.append(
            [
                f["area"]["code"],
                f["area"]["name"],
                f["area"]["kind"],
                f["peiling"],
                ", ".join(f["framework_versions"]),
                f["pipeline"]["homes"],
                f["pipeline"]["homes_under"],
                f["pipeline"]["share"],
                f["deliveries"]["homes"],
                f["deliveries"]["homes_under"],
                f["deliveries"]["share"],
                *cells,
            ]
        )
    return rows
