"""The rules of a woondeal version, as pure functions (no database): what a version holds, what is refused,
what is only a warning, and who the members are on a date. docs/woondeals.md cites the sources.

A version's data is a plain dict (the shape of WoondealVersion's fields):
- members: [{"code": "GM0457", "from": "2022-01-01" | None, "until": "2022-03-24" | None}], `until` exclusive;
- signatories: [{"name": …, "kind": one of SIGNATORY_KINDS, "role": "signed" | "support"}] (seed 003: parties
  sign the woondeal or declare support, "met een steunverklaring");
- taakstelling_total (2022–2030) and taakstelling_segments {segment: homes} over SEGMENTS (seed 002: the three
  affordability segments; DOMAIN.md §2);
- jaarschijven {"2022": homes, …, "2030": homes} (Afspraak 3A: programming in jaarschijven t/m 2030);
- corporation_homes: homes built by housing corporations (seed 002: "het aandeel van woningcorporaties in de
  bouwopgave"), stored as homes so that a share is derived against the taakstelling, never the reverse;
- programming {"2031": homes, …, "2035": homes} (Afspraak 3A: programme for 2031–2035).

Reference data is passed in (`Reference`): the current municipalities and the mergers (former code →
successor, date = the former municipality's last day, geo/data/herindelingen.csv).
"""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import number_format
from django.utils.translation import gettext as _

SEGMENTS = ("sociale_huur", "middenhuur_betaalbare_koop", "duur")
SIGNATORY_KINDS = ("corporatie", "ontwikkelaar", "belegger", "bouwer", "other")
SIGNATORY_ROLES = ("signed", "support")
JAARSCHIJF_YEARS = range(2022, 2031)
# The most homes one figure may hold: ten times the country's whole agreement for 2022–2030 (917,193,
# provinciale woningbouwafspraken 2022) — anything larger is a typing error, not an agreement. Every path
# (form, template, API) meets this one check.
MAX_HOMES = 10_000_000
PROGRAMMING_YEARS = range(2031, 2036)


@dataclass(frozen=True)
class Merger:
    former: str
    successor: str
    date: date


@dataclass(frozen=True)
class Reference:
    """Municipality codes in force today (code → province) and every merger since 2011."""

    municipalities: dict
    mergers: tuple = ()
    provinces: frozenset = frozenset()
    started: dict | None = None  # code → the day the municipality came into being (CBS indeling), when known

    def successors(self, code: str, on: date) -> list[str]:
        """Who holds `code`'s area on `on`: itself while it exists, else its successor(s) (chains followed)."""
        found = [m for m in self.mergers if m.former == code and m.date <= on]
        if not found:
            return [code]
        return sorted({s for m in found for s in self.successors(m.successor, on)})

    def exists(self, code: str, on: date) -> bool:
        """Whether `code` was a municipality on `on` (current ones are taken to exist back to 2011)."""
        ended = [m.date for m in self.mergers if m.former == code]
        if ended and on >= min(ended):
            return False
        if self.started and code in self.started and on < self.started[code]:
            return False
        return bool(ended) or code in self.municipalities


@dataclass(frozen=True)
class Finding:
    field: str
    message: str
    warning: bool = False


def _day(text) -> date | None:
    if text in (None, ""):
        return None
    return text if isinstance(text, date) else date.fromisoformat(str(text))


def active_on(member: dict, on: date) -> bool:
    start, end = _day(member.get("from")), _day(member.get("until"))
    return (start is None or start <= on) and (end is None or on < end)


def members_on(members: list[dict], on: date, reference: Reference) -> list[str]:
    """The municipalities (codes in force on `on`) that make up the region on `on`: the members active that
    day, each merged-away municipality replaced by its successor, every code once — so a region that
    lists Weesp and Amsterdam counts Amsterdam once after 24 March 2022 and its totals stay right."""
    codes = set()
    for member in members:
        if active_on(member, on):
            codes.update(reference.successors(member["code"], on))
    return sorted(codes)


def validate(version: dict, reference: Reference) -> list[Finding]:
    """Refusals (warning=False: nothing is stored) and warnings (stored, shown with the rule they break)."""
    found = []
    if not str(version.get("name") or "").strip():
        found.append(Finding("naam", _("Geef de naam van de woondeal.")))
    if not str(version.get("source") or "").strip():
        found.append(Finding("bron", _("Geef het brondocument van de afspraken (niets zonder bron).")))
    if not version.get("provinces"):
        found.append(Finding("provincies", _("Geef minstens één provincie.")))
    found += [
        Finding("provincies", _("Onbekende provinciecode '%(code)s'.") % {"code": p})
        for p in version.get("provinces") or []
        if p not in reference.provinces
    ]
    found += _check_members(version.get("members") or [], reference)
    found += _check_member_provinces(version.get("members") or [], version.get("provinces") or [], reference)
    found += _check_overlaps(version.get("members") or [], reference)
    found += _check_signatories(version.get("signatories") or [])
    found += _check_numbers(version)
    return found


def _check_members(members: list[dict], reference: Reference) -> list[Finding]:
    found = []
    if not members:
        found.append(Finding("leden", _("Een woondeal heeft minstens één gemeente.")))
    for member in members:
        code = str(member.get("code", ""))
        try:
            start, end = _day(member.get("from")), _day(member.get("until"))
        except ValueError:
            found.append(Finding("leden", _("Gemeente %(code)s: geen geldige datum (JJJJ-MM-DD).") % {"code": code}))
            continue
        known = code in reference.municipalities or any(m.former == code for m in reference.mergers)
        if not known:
            found.append(Finding("leden", _("Onbekende gemeentecode '%(code)s'.") % {"code": code}))
            continue
        if start and end and end <= start:
            found.append(
                Finding(
                    "leden",
                    _("Gemeente %(code)s: 'tot' (%(until)s) ligt niet na 'vanaf' (%(from)s).")
                    % {"code": code, "until": end, "from": start},
                )
            )
        begun = (reference.started or {}).get(code)
        if start and begun and start < begun:
            found.append(
                Finding(
                    "leden",
                    _(
                        "Gemeente %(code)s bestond op %(date)s nog niet (ontstaan op %(begun)s); "
                        "neem tot die datum de voorgangers op."
                    )
                    % {"code": code, "date": start, "begun": begun},
                )
            )
        elif start and not reference.exists(code, start):
            found.append(
                Finding(
                    "leden",
                    _(
                        "Gemeente %(code)s bestond op %(date)s niet meer (heringedeeld in "
                        "%(successors)s); neem de opvolger op."
                    )
                    % {"code": code, "date": start, "successors": ", ".join(reference.successors(code, start))},
                )
            )
    return found


def _check_member_provinces(members: list[dict], provinces: list[str], reference: Reference) -> list[Finding]:
    """Every member lies in one of the deal's provinces (a merged-away one: its successors do). A woondeal is
    agreed by its province(s) (seed 003); a deal that takes in another province's municipality would set that
    municipality's figures without that province — refused, with the province to add (whose editor must then
    agree, accounts.policy.can_edit_woondeal)."""
    if not provinces or any(p not in reference.provinces for p in provinces):
        return []  # the provinces themselves are refused already
    found = []
    for member in members:
        code = str(member.get("code", ""))
        holders = reference.successors(code, date.max) if code not in reference.municipalities else [code]
        outside = sorted({reference.municipalities[c] for c in holders if c in reference.municipalities}
                         - set(provinces))  # fmt: skip
        if outside:
            message = _("Gemeente %(code)s ligt in %(province)s, buiten de provincies van deze woondeal "
                        "(%(provinces)s); voeg die provincie toe of laat de gemeente weg.")  # fmt: skip
            values = {"code": code, "province": ", ".join(outside), "provinces": ", ".join(provinces)}
            found.append(Finding("leden", message % values))
    return found


def _check_overlaps(members: list[dict], reference: Reference) -> list[Finding]:
    """The same municipality twice for overlapping periods is refused (which entry counts?); a former
    municipality listed beside its successor is a warning: after the merger the successor counts once
    (members_on), so the former one needs an end date."""
    found, seen = [], set()
    try:
        periods = [(str(m.get("code", "")), _day(m.get("from")) or date.min, _day(m.get("until")) or date.max)
                   for m in members]  # fmt: skip
    except ValueError:
        return []  # bad dates are refused by _check_members
    for i, (a, a_from, a_until) in enumerate(periods):
        for b, b_from, b_until in periods[i + 1 :]:
            start, end = max(a_from, b_from), min(a_until, b_until)
            if start >= end or (a, b) in seen:
                continue
            if a == b:
                seen.add((a, b))
                found.append(Finding("leden", _("Gemeente %(code)s staat meer dan eens in de lijst voor dezelfde "
                                                "periode.") % {"code": a}))  # fmt: skip
                continue
            for former, other in ((a, b), (b, a)):
                merged = [m for m in reference.mergers if m.former == former and start <= m.date < end]
                if merged and other in reference.successors(former, merged[0].date):
                    seen.add((a, b))
                    message = _("%(former)s is op %(date)s opgegaan in %(other)s, dat ook lid is: vanaf die dag "
                                "telt %(other)s één keer. Geef %(former)s die einddatum.")  # fmt: skip
                    values = {"former": former, "other": other, "date": merged[0].date}
                    found.append(Finding("leden", message % values, warning=True))
    return found


def _check_signatories(signatories: list[dict]) -> list[Finding]:
    found = []
    for s in signatories:
        if not str(s.get("name", "")).strip():
            found.append(Finding("ondertekenaars", _("Een ondertekenaar zonder naam.")))
        if s.get("kind") not in SIGNATORY_KINDS:
            found.append(
                Finding(
                    "ondertekenaars",
                    _("Ondertekenaar %(name)s: onbekende soort '%(kind)s'; toegestaan: %(allowed)s.")
                    % {"name": s.get("name"), "kind": s.get("kind"), "allowed": ", ".join(SIGNATORY_KINDS)},
                )
            )
        if s.get("role") not in SIGNATORY_ROLES:
            found.append(
                Finding(
                    "ondertekenaars",
                    _("Ondertekenaar %(name)s: onbekende rol '%(role)s'; toegestaan: %(allowed)s.")
                    % {"name": s.get("name"), "role": s.get("role"), "allowed": ", ".join(SIGNATORY_ROLES)},
                )
            )
    return found


def _check_years(name: str, slices: dict, years: range) -> list[Finding]:
    return [
        Finding(
            name, _("Jaar %(year)s valt buiten %(first)d–%(last)d.") % {"year": y, "first": years[0], "last": years[-1]}
        )
        for y in slices
        if not str(y).isdigit() or int(y) not in years
    ]


def _check_numbers(v: dict) -> list[Finding]:
    found = []
    segments = v.get("taakstelling_segments") or {}
    jaarschijven = v.get("jaarschijven") or {}
    programming = v.get("programming") or {}
    found += [
        Finding(
            "taakstelling",
            _("Onbekend segment '%(segment)s'; toegestaan: %(allowed)s.")
            % {"segment": s, "allowed": ", ".join(SEGMENTS)},
        )
        for s in segments
        if s not in SEGMENTS
    ]
    found += _check_years("jaarschijven", jaarschijven, JAARSCHIJF_YEARS)
    found += _check_years("programmering", programming, PROGRAMMING_YEARS)
    numbers = {
        "taakstelling": v.get("taakstelling_total"),
        "aandeel_corporaties": v.get("corporation_homes"),
        **{f"taakstelling_{k}": n for k, n in segments.items()},
        **{f"jaarschijf_{k}": n for k, n in jaarschijven.items()},
        **{f"programmering_{k}": n for k, n in programming.items()},
    }
    for name, n in numbers.items():
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_HOMES):
            message = _("'%(value)s' is geen aantal woningen (geheel getal van 0 tot en met %(most)s).")
            found.append(Finding(name, message % {"value": n, "most": f"{MAX_HOMES:,}".replace(",", ".")}))
    if any(not f.warning for f in found):
        return found
    total = v.get("taakstelling_total")
    if total is not None and jaarschijven and sum(jaarschijven.values()) != total:
        found.append(
            Finding(
                "jaarschijven",
                _(
                    "De jaarschijven tellen op tot %(sum)d, de taakstelling 2022–2030 is "
                    "%(total)d (regel: de jaarschijven verdelen de taakstelling, Afspraak 3A)."
                )
                % {"sum": sum(jaarschijven.values()), "total": total},
                warning=True,
            )
        )
    if total is not None and segments and sum(segments.values()) != total:
        found.append(
            Finding(
                "taakstelling",
                _(
                    "De segmenten tellen op tot %(sum)d, de taakstelling 2022–2030 is "
                    "%(total)d (regel: sociale huur + middenhuur/betaalbare koop + duur = totaal)."
                )
                % {"sum": sum(segments.values()), "total": total},
                warning=True,
            )
        )
    if total is not None and v.get("corporation_homes") is not None and v["corporation_homes"] > total:
        found.append(
            Finding(
                "aandeel_corporaties",
                _("Corporaties bouwen %(homes)s woningen, meer dan de taakstelling %(total)s.")
                % {
                    "homes": number_format(v["corporation_homes"], force_grouping=True),
                    "total": number_format(total, force_grouping=True),
                },
                warning=True,
            )
        )
    return found


def distinct_project_total(projects: dict, region: set[str]) -> tuple[int, set]:
    """Regional totals for the monitor are sums over distinct projects: `projects` maps a project id to
    (municipality code, homes); `region` is members_on(...) for the date. A project counts once, whatever
    regions its municipality is in, so regions that overlap are never added up (geo.Region's rule).
    Returns (homes, the project ids counted)."""
    counted = {pid for pid, (code, _homes) in projects.items() if code in region}
    return sum(projects[pid][1] for pid in counted), counted
