"""Woningbouwimpuls (Woontop 2024, Afspraak 19.2): check an application against every rule, compute the
largest contribution it may get, score and rank the applications of one application window, and divide a
tranche budget in rank order. Plain functions over plain data; money in whole euro cents; every rule and
number from the regulation version in force on the window's closing day, named in the result.

Choices where the source is silent (docs/instruments.md):
- The realisatiestimulans the project's affordable homes will earn counts as one of the "overige
  rijksbijdragen" that reduce the deficit (the source names it as a public revenue in its introduction).
- Urgency: the housing task of the market area relative to its housing stock, scaled so the most urgent
  application in the window scores the maximum.
- Ties in the ranking: higher urgency first, then the smaller request, then the earlier submission, then
  the application id.
- Dividing a tranche: in rank order; an application that no longer fits in full is passed over (a project
  needs its whole contribution) and the next one that fits is granted.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bouwregie.instruments.regulation import Regulation, in_force

NAME = "woningbouwimpuls"
CRITERIA = ("noodzaak", "effectiviteit", "efficientie", "urgentie")


@dataclass(frozen=True)
class Application:
    id: str
    municipality: str
    window: str  # the application window (tranche), e.g. "2025-1"
    window_closes: date  # the award is assumed on this day for the term rules
    homes: int
    affordable_homes: int
    woondeal_affordable_percent: int  # the share the woondeal needs (e.g. 67)
    investments_cents: int  # necessary public investments (open book)
    kostenverhaal_cents: int
    grondverkoop_cents: int
    other_rijk_cents: int  # other Rijk contributions to the project
    realisatiestimulans_cents: int  # what its affordable homes will earn (computed by the caller)
    cofinancing_cents: int  # what the municipality / co-governments pay of the deficit
    requested_cents: int
    activities: tuple[str, ...]
    conditions: dict  # name (regulation 'voorwaarden') -> bool
    first_start: date  # planned start of construction of the first homes
    last_delivery: date  # planned delivery of the last homes
    scores: dict  # noodzaak / effectiviteit / efficientie -> assessor score
    market_task: int  # housing task (homes) of the market area
    market_stock: int  # housing stock of the market area
    submitted_at: datetime
    project: str = ""


@dataclass(frozen=True)
class Failure:
    rule: str
    message: str
    source: str


@dataclass
class Assessment:
    application: Application
    regulation: str
    failures: list = field(default_factory=list)
    deficit_cents: int = 0
    max_contribution_cents: int = 0
    scores: dict = field(default_factory=dict)  # criterion -> score (0..max), urgency included
    total_score: float = 0.0
    rank: int | None = None
    granted_cents: int = 0
    decision: str = ""

    @property
    def eligible(self) -> bool:
        return not self.failures


def regulation_for(app: Application) -> Regulation:
    return in_force(NAME, app.window_closes)


def deficit_cents(app: Application) -> int:
    """The attributable public deficit: necessary public investments minus the public revenues of the
    project (kostenverhaal, land sales, other Rijk contributions and the realisatiestimulans); not below 0."""
    revenues = app.kostenverhaal_cents + app.grondverkoop_cents + app.other_rijk_cents + app.realisatiestimulans_cents
    return max(0, app.investments_cents - revenues)


def max_contribution_cents(app: Application) -> int:
    """At most the demonstrated deficit, less what the co-governments pay; never more than was asked."""
    return max(0, min(app.requested_cents, deficit_cents(app) - app.cofinancing_cents))


def check(app: Application, r: Regulation) -> list[Failure]:
    """Every eligibility rule that fails, with the rule's name, the reason in the user's words and its source."""
    failures = []

    def fail(rule, parameter, message):
        failures.append(Failure(rule, message, r.citation(parameter)))

    conditions = {k: v for k, v in r["voorwaarden"].items() if k != "bron"}
    for name, text in conditions.items():
        if not app.conditions.get(name):
            fail(name, "voorwaarden", _("Niet aangetoond: %s.") % text.lower())
    allowed = set(r.value("activiteiten", "limitatief"))
    for activity in app.activities:
        if activity not in allowed:
            fail("activiteiten", "activiteiten",
                 _("Activiteit '%(activity)s' staat niet op de limitatieve lijst (%(allowed)s).")
                 % {"activity": activity, "allowed": ", ".join(sorted(allowed))})  # fmt: skip
    if not app.activities:
        fail("activiteiten", "activiteiten", _("Geen activiteit opgegeven."))
    minimum = r.value("minimum_woningen")
    if app.homes < minimum:
        fail("minimum_woningen", "minimum_woningen",
             _("Het project heeft %(homes)s woningen; minimaal %(minimum)s.")
             % {"homes": number_format(app.homes, force_grouping=True),
                "minimum": number_format(minimum, force_grouping=True)})  # fmt: skip
    deficit = deficit_cents(app)
    least = r.value("cofinanciering_minimum_procent")
    if deficit == 0:
        fail("tekort", "cofinanciering_minimum_procent", _("Er is geen toerekenbaar publiek tekort."))
    elif 100 * app.cofinancing_cents < least * deficit:
        fail("cofinanciering", "cofinanciering_minimum_procent",
             _("Cofinanciering %(share)s%% van het tekort; minimaal %(least)d%%.")
             % {"share": _percent(app.cofinancing_cents, deficit), "least": least})  # fmt: skip
    above = r.value("betaalbaar_procent", "meer_dan")
    if not 100 * app.affordable_homes > above * app.homes:
        fail("betaalbaar", "betaalbaar_procent",
             _("Betaalbaar aandeel %(share)s%%; moet meer dan %(above)d%% zijn.")
             % {"share": _percent(app.affordable_homes, app.homes), "above": above})  # fmt: skip
    elif not 100 * app.affordable_homes < app.woondeal_affordable_percent * app.homes:
        fail("betaalbaar", "betaalbaar_procent",
             _("Betaalbaar aandeel %(share)s%%; moet minder zijn dan het aandeel dat de woondeal nodig heeft "
               "(%(needed)d%%).") % {"share": _percent(app.affordable_homes, app.homes),
                                      "needed": app.woondeal_affordable_percent})  # fmt: skip
    years_first, years_last = (
        r.value("termijnen_jaren", "start_eerste_woningen"),
        r.value("termijnen_jaren", "laatste_woningen"),
    )
    if app.first_start > _years_after(app.window_closes, years_first):
        fail("termijn_start", "termijnen_jaren",
             _("Start bouw eerste woningen %(day)s ligt meer dan %(n)d jaar na toekenning.")
             % {"day": app.first_start.isoformat(), "n": years_first})  # fmt: skip
    if app.last_delivery > _years_after(app.window_closes, years_last):
        fail("termijn_laatste", "termijnen_jaren",
             _("Laatste woningen %(day)s liggen meer dan %(n)d jaar na toekenning.")
             % {"day": app.last_delivery.isoformat(), "n": years_last})  # fmt: skip
    low, high = r.value("scores", "minimum"), r.value("scores", "maximum")
    for criterion in CRITERIA[:3]:
        value = app.scores.get(criterion)
        if value is None or not low <= value <= high:
            fail("scores", "scores", _("Score %(criterion)s ontbreekt of ligt niet tussen %(low)d en %(high)d.")
                 % {"criterion": criterion, "low": low, "high": high})  # fmt: skip
    return failures


def assess_one(app: Application) -> Assessment:
    """One application on its own: the rules it fails, its deficit and maximum contribution (no rank yet)."""
    r = regulation_for(app)
    return Assessment(app, r.label(), check(app, r), deficit_cents(app), max_contribution_cents(app))


def assess_window(apps: list[Application], budget_cents: int) -> list[Assessment]:
    """All applications of one window: checked, scored, ranked and granted in rank order within the budget."""
    windows = {a.window for a in apps}
    if len(windows) > 1:
        raise ValueError(_("Aanvragen uit meer dan één aanvraagtijdvak: %s.") % ", ".join(sorted(windows)))
    assessments = [assess_one(app) for app in apps]
    eligible = [a for a in assessments if a.eligible]
    urgency = urgency_scores([a.application for a in eligible])
    for a in eligible:
        r = regulation_for(a.application)
        a.scores = {**{c: a.application.scores[c] for c in CRITERIA[:3]}, "urgentie": urgency[a.application.id]}
        a.total_score = sum(r.value("weging_procent", c) * a.scores[c] for c in CRITERIA) / 100
    eligible.sort(key=_rank_key)
    left = budget_cents
    for rank, a in enumerate(eligible, start=1):
        a.rank = rank
        if a.max_contribution_cents == 0:
            a.decision = _("geen bijdrage: het tekort wordt al gedekt")
        elif a.max_contribution_cents <= left:
            a.granted_cents, left = a.max_contribution_cents, left - a.max_contribution_cents
            a.decision = _("toegekend")
        else:
            a.decision = _("past niet meer binnen het tranchebudget")
    for a in assessments:
        if not a.eligible:
            a.decision = _("niet subsidiabel")
    return sorted(assessments, key=lambda a: (a.rank is None, a.rank or 0, a.application.id))


def urgency_scores(apps: list[Application]) -> dict[str, float]:
    """The relative size of the housing task in each application's market area (task / stock), scaled so the
    most urgent application scores the maximum (10)."""
    relative = {a.id: a.market_task / a.market_stock if a.market_stock > 0 else 0.0 for a in apps}
    top = max(relative.values(), default=0.0)
    return {k: round(10 * v / top, 4) if top else 0.0 for k, v in relative.items()}


def _rank_key(a: Assessment):
    app = a.application
    return (-a.total_score, -a.scores["urgentie"], app.requested_cents, app.submitted_at, app.id)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",") if whole else "–"


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
