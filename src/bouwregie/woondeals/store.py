"""Writing and reading woondeal versions: the only place that creates rows (models.py), and the one answer to
"as agreed on date D" — the newest version whose valid_from <= D; with `known_on`, also only versions
recorded (created_at) on or before that day ("as the platform knew it on that day"). Days are Dutch calendar days
(settings.TIME_ZONE, Europe/Amsterdam): a version recorded at 23:30 UTC on 30 November was recorded on 1 December
for everyone who asks in the Netherlands."""

import functools
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bouwregie.geo import reference as geo_reference
from bouwregie.geo.models import Municipality, MunicipalityMerger, Province
from bouwregie.woondeals import regions, rules
from bouwregie.woondeals.models import Woondeal, WoondealVersion

FIELDS = (
    "name",
    "provinces",
    "members",
    "signatories",
    "taakstelling_total",
    "taakstelling_segments",
    "jaarschijven",
    "corporation_homes",
    "programming",
    "source",
    "valid_from",
)


def recorded_on(moment: datetime) -> date:
    """The Dutch calendar day (settings.TIME_ZONE) of an aware timestamp such as `created_at`."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def _known_by(known_on: date) -> datetime:
    """The first moment after the Dutch day `known_on`: versions created before it were known on that day."""
    return datetime.combine(known_on + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone())


class WoondealRefused(ValueError):
    def __init__(self, findings: list[rules.Finding], place: str = ""):
        self.findings = findings
        super().__init__(place + "; ".join(f"{f.field}: {f.message}" for f in findings))


@functools.cache
def _started() -> dict:
    """The day each municipality came into being (CBS indeling), for municipalities formed after 1970."""
    return {
        f"GM{r['gemeentecode']}": date.fromisoformat(r["begindatum"])
        for r in geo_reference.read_historical_municipalities()
        if r["begindatum"] > "1970-01-01"
    }


def reference() -> rules.Reference:
    return rules.Reference(
        started=_started(),
        municipalities=dict(Municipality.objects.values_list("code", "province_id")),
        mergers=tuple(
            rules.Merger(f, s, d)
            for f, s, d in MunicipalityMerger.objects.values_list("former_code", "successor_id", "date")
        ),
        provinces=frozenset(Province.objects.values_list("code", flat=True)),
    )


def data_of(version: WoondealVersion) -> dict:
    data = {f: getattr(version, f) for f in FIELDS}
    data["valid_from"] = version.valid_from.isoformat()
    return data


def _day_checked(text) -> date:
    return text if isinstance(text, date) else date.fromisoformat(str(text))


def normalised(data: dict) -> dict:
    """Version data in the stored form (the form data_of returns): every field, lists and dicts never None,
    member dates as text, year keys as text."""
    values = {f: data.get(f) for f in FIELDS}
    for f in ("provinces", "signatories"):
        values[f] = list(values[f] or [])
    values["members"] = [
        {"code": m["code"], "from": _text(m.get("from")), "until": _text(m.get("until"))}
        for m in values["members"] or []
    ]
    for f in ("taakstelling_segments", "jaarschijven", "programming"):
        values[f] = {str(k): v for k, v in (values[f] or {}).items()}
    values["valid_from"] = _text(values["valid_from"])
    return values


def same(recorded: dict, data: dict) -> bool:
    """Whether `data` says what the `recorded` version (data_of) says, so that saving it would add nothing: equal
    in the stored form, the provinces as a set (a form lists them in its own order)."""
    new = normalised(data)
    return {**recorded, "provinces": sorted(recorded["provinces"])} == {**new, "provinces": sorted(new["provinces"])}


def _text(day) -> str | None:
    return day.isoformat() if isinstance(day, date) else (str(day) if day not in (None, "") else None)


def check(data: dict, ref: rules.Reference | None = None) -> list[rules.Finding]:
    """Refuses (WoondealRefused) what breaks a rule; returns the warnings."""
    findings = rules.validate(data, ref or reference())
    if not data.get("valid_from"):
        findings.append(rules.Finding("geldig_vanaf", _("Geef de datum waarop de afspraak inging (JJJJ-MM-DD).")))
    refusals = [f for f in findings if not f.warning]
    if refusals:
        raise WoondealRefused(refusals)
    return [f for f in findings if f.warning]


@transaction.atomic
def record(
    code: str,
    data: dict,
    author: str,
    reason: str,
    now: datetime | None = None,
    create: bool | None = None,
    ref: rules.Reference | None = None,
) -> tuple[WoondealVersion, list[rules.Finding]]:
    """A new version of woondeal `code` (created when new). `create` True: refuse an existing code; False:
    refuse an unknown one. Returns the version and its warnings."""
    if not str(reason or "").strip():
        raise WoondealRefused([rules.Finding("reden", _("Geef de reden van de wijziging."))])
    warnings = check(data, ref)
    try:
        _day_checked(data["valid_from"])
    except ValueError:
        raise WoondealRefused(
            [
                rules.Finding(
                    "geldig_vanaf", _("Geen geldige datum (JJJJ-MM-DD): '%(value)s'.") % {"value": data["valid_from"]}
                )
            ]
        ) from None
    now = now or datetime.now(UTC)
    deal = Woondeal.objects.select_for_update().filter(code=code).first()
    if deal is None and create is False:
        raise WoondealRefused([rules.Finding("code", _("Onbekende woondeal '%(code)s'.") % {"code": code})])
    if deal is not None and create:
        raise WoondealRefused([rules.Finding("code", _("Woondeal '%(code)s' bestaat al.") % {"code": code})])
    if deal is None:
        deal = Woondeal.objects.create(code=code, created_at=now)
    number = (deal.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    values = normalised(data)
    values["valid_from"] = _day_checked(values["valid_from"])
    version = WoondealVersion.objects.create(
        woondeal=deal, number=number, created_at=now, author=author, reason=reason, **values
    )
    regions.sync_region(code)  # the monitor's area for this woondeal follows every version
    return version, warnings


def as_agreed_on(code: str, on: date | None = None, known_on: date | None = None) -> WoondealVersion | None:
    """The version in force on `on` (default today): newest valid_from <= on, the latest recorded winning a tie."""
    versions = WoondealVersion.objects.filter(woondeal__code=code, valid_from__lte=on or date.today())
    if known_on is not None:
        versions = versions.filter(created_at__lt=_known_by(known_on))
    return versions.order_by("-valid_from", "-number").first()


def absent(code: str, on: date, known_on: date | None = None, day=date.isoformat) -> str:
    """Why `as_agreed_on(code, on, known_on)` found no version, naming the dates that decide it (`day` formats a
    date: ISO for the API and the command line, Dutch for the pages): not yet recorded on `known_on`, or no
    agreement in force yet on `on`."""
    versions = WoondealVersion.objects.filter(woondeal__code=code)
    recorded = versions.order_by("created_at").values_list("created_at", flat=True).first()
    if recorded is None:
        return _("Woondeal %(code)s heeft nog geen versie.") % {"code": code}
    if known_on is not None and recorded_on(recorded) > known_on:
        return _(
            "Woondeal %(code)s was op %(known)s nog niet vastgelegd (eerste versie vastgelegd op %(recorded)s)."
        ) % {
            "code": code,
            "known": day(known_on),
            "recorded": day(recorded_on(recorded)),
        }
    if known_on is not None:
        versions = versions.filter(created_at__lt=_known_by(known_on))
    first = versions.order_by("valid_from").values_list("valid_from", flat=True).first()
    return _("Woondeal %(code)s had op %(on)s nog geen afspraak (de eerste afspraak geldt vanaf %(first)s).") % {
        "code": code,
        "on": day(on),
        "first": day(first),
    }


def current_all(on: date | None = None) -> list[WoondealVersion]:
    """Every woondeal's version in force on `on` (default today), by code: as_agreed_on's rule (newest valid_from,
    the latest recorded winning a tie) for all of them in one query."""
    newest = {}
    versions = WoondealVersion.objects.filter(valid_from__lte=on or date.today()).select_related("woondeal")
    for v in versions.order_by("woondeal_id", "valid_from", "number"):
        newest[v.woondeal_id] = v
    return sorted(newest.values(), key=lambda v: v.woondeal.code)
