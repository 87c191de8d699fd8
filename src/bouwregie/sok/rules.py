"""The SOK's money and dates as pure functions over plain numbers (whole euro cents, never floats).

Sources (seed 001, Samenwerkingsovereenkomst Platform Toekomstbestendig Bouwen 2024):
- art. 6.1: the budget is adopted by the Processtuurgroep on the basis of the contributions; an interim change
  "voor zover dit past binnen de vastgestelde bijdragen" — `check_change`. The penvoerder invoices the other parties
  "voor het bedrag van ieders bijdrage ... vermeerderd met btw" — `vat`.
- art. 6.3, 6.4: € 25.000 in kind each (Natural Pavilion; administratie en penvoerderschap), set off against the
  contribution: not invoiced and not part of the money to spend.
- art. 6.5: the annual account "uiterlijk 1 maart" of the next year — `account_due`, `account_overdue`.
- art. 6.6: an underspend is paid back "naar rato" — `refund`, largest remainder in whole cents, adding up exactly.
- art. 7.1: ends 31 December 2024, extendable; talks "uiterlijk drie maanden voor de einddatum" — `talks_by`.
- art. 7.2: notice of "tenminste drie (3) maanden" — `earliest_end_after_notice`.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from bouwregie.instruments.money import bedrag, euros


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the month's last day where that day does not exist."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def talks_by(ends_on: date, months: int = 3) -> date:
    """Art. 7.1: the parties talk about an extension at the latest `months` before the end date."""
    return add_months(ends_on, -months)


def earliest_end_after_notice(given_on: date, months: int = 3) -> date:
    """Art. 7.2: a party leaving early gives at least `months` notice."""
    return add_months(given_on, months)


def account_due(year: int) -> date:
    """Art. 6.5: the account over `year` is sent at the latest on 1 March of the next year."""
    return date(year + 1, 3, 1)


def account_overdue(year: int, sent_on: date | None, today: date) -> bool:
    """Not sent by the end of the due day (1 March), or sent after it."""
    due = account_due(year)
    return (sent_on is None and today > due) or (sent_on is not None and sent_on > due)


def check_account_date(year: int, sent_on: date, today: date) -> list[str]:
    """Art. 6.5: the account over `year` is sent after the year, so on or after 1 January of the next year (and
    at the latest 1 March: later is allowed but "te laat", `account_overdue`), and not on a day still to come."""
    if sent_on < date(year + 1, 1, 1):
        return [
            _(
                "De verantwoording over %(year)d wordt na afloop van het jaar verstuurd, op of na %(first)s; "
                "niet op %(day)s."
            )
            % {"year": year, "first": date(year + 1, 1, 1).isoformat(), "day": sent_on.isoformat()}
        ]
    if sent_on > today:
        return [_("De verzenddatum %s ligt in de toekomst.") % sent_on.isoformat()]
    return []


def check_decision_date(year: int, decided_on: date, today: date) -> list[str]:
    """A budget change over `year` is decided within the year, or after it but before the account (the caller
    refuses any change once the account is recorded) — so from 1 January of the year up to today."""
    if decided_on < date(year, 1, 1) or decided_on > today:
        return [
            _("De besluitdatum %(day)s ligt niet in %(year)d of daarna tot vandaag (en vóór de verantwoording).")
            % {"day": decided_on.isoformat(), "year": year}
        ]
    return []


def vat(net_cents: int, percent: Decimal | int | str) -> int:
    """VAT on a net amount in whole cents, half a cent rounded up (half-up, as on an invoice)."""
    exact = Decimal(int(net_cents)) * Decimal(str(percent)) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def refund(remainder_cents: int, weights: dict[str, int]) -> dict[str, int]:
    """Art. 6.6: `remainder_cents` split pro rata to `weights` (the contributions), in whole cents that add up to the
    remainder exactly: each gets the floor of its exact share, the cents still missing go one each to the largest
    remainders (ties: the order of `weights`). Exact integer arithmetic; nothing for a weight of 0."""
    if remainder_cents < 0:
        raise ValueError(_("Een restant kan niet negatief zijn (%s).") % bedrag(remainder_cents))
    total = sum(weights.values())
    if any(w < 0 for w in weights.values()) or (remainder_cents and total <= 0):
        raise ValueError(_("Naar rato terugbetalen vraagt bijdragen groter dan nul."))
    if not remainder_cents:
        return dict.fromkeys(weights, 0)
    keys = list(weights)
    whole = {k: remainder_cents * weights[k] // total for k in keys}
    rest = {k: remainder_cents * weights[k] - whole[k] * total for k in keys}
    missing = remainder_cents - sum(whole.values())
    for k in sorted(keys, key=lambda k: (-rest[k], keys.index(k)))[:missing]:
        whole[k] += 1
    return whole


@dataclass(frozen=True)
class LineState:
    name: str
    budget_cents: int  # as loaded plus the Processtuurgroep's changes
    spent_cents: int

    @property
    def left_cents(self) -> int:
        return self.budget_cents - self.spent_cents


def budget_overview(lines: list[LineState], contributions_cents: int, stated_total_cents: int | None) -> dict:
    """The budget against the contributions: what is allocated to lines, what is not (contributions minus lines:
    2024 € 235.000 − € 215.000 = € 20.000, seed 001 Bijlage 2), spent, and the remainder to pay back (art. 6.6:
    contributions minus what was spent). `stated_total_mismatch`: the document's own total differs from its lines."""
    allocated = sum(line.budget_cents for line in lines)
    spent = sum(line.spent_cents for line in lines)
    return {
        "allocated_cents": allocated,
        "contributions_cents": contributions_cents,
        "unallocated_cents": contributions_cents - allocated,
        "spent_cents": spent,
        "remainder_cents": max(contributions_cents - spent, 0),
        "overspent_cents": max(spent - contributions_cents, 0),
        "stated_total_cents": stated_total_cents,
        "stated_total_mismatch": stated_total_cents is not None and stated_total_cents != allocated,
        "overspent_lines": [line.name for line in lines if line.left_cents < 0],
    }


def overspend_warnings(name: str, budget_cents: int, spent_cents: int) -> list[str]:
    """A line on which more is spent than budgeted (the same test as `budget_overview`'s overspent_lines), said
    with the figures; [] when the line stays within its budget (spending exactly the budget is no overspend)."""
    if spent_cents <= budget_cents:
        return []
    return [
        _("Post '%(name)s' is overschreden: uitgegeven %(spent)s, begroot %(budget)s (%(over)s meer dan begroot).")
        % {
            "name": name,
            "spent": bedrag(spent_cents),
            "budget": bedrag(budget_cents),
            "over": bedrag(spent_cents - budget_cents),
        }
    ]


def budget_warnings(budget: dict) -> list[str]:
    """Issue #23: budget lines adding up to more than the contributions are said, with the figures, instead of
    being loaded in silence — art. 6.1 adopts the budget "op basis van de door de Partijen vastgestelde
    bijdragen". Loading goes on (the file is what the parties wrote); the page and the loader show this. For 2024
    the lines (€ 215.000) stay below the contributions (€ 235.000): no warning, € 20.000 not allocated."""
    over = budget["allocated_cents"] - budget["contributions_cents"]
    if over <= 0:
        return []
    return [
        _(
            "De begrotingsposten tellen op tot %(lines)s, meer dan de bijdragen (%(total)s): %(over)s is begroot "
            "zonder bijdrage ertegenover (art. 6.1: de begroting past binnen de vastgestelde bijdragen)."
        )
        % {
            "lines": euros(budget["allocated_cents"]),
            "total": euros(budget["contributions_cents"]),
            "over": euros(over),
        }
    ]


def check_change(
    lines: dict[str, int], deltas: dict[str, int], contributions_cents: int, spent: dict[str, int] | None = None
) -> list[str]:
    """Art. 6.1: a budget change stays within the contributions and leaves no line below zero, nor below what was
    already spent on it (`spent`, issue #23: a budget cannot be taken back once paid out). A change without any
    non-zero delta changes nothing and is refused. Errors, or []."""
    spent = spent or {}
    if not any(deltas.values()):
        return [_("Geen wijziging: geef voor minstens één post een bedrag anders dan nul.")]
    errors = []
    for name, delta in deltas.items():
        if name not in lines:
            errors.append(_("Begrotingspost '%s' bestaat niet.") % name)
        elif lines[name] + delta < 0:
            errors.append(
                _("Post '%(name)s' zou negatief worden (%(amount)s).")
                % {"name": name, "amount": bedrag(lines[name] + delta)}
            )
        elif delta and lines[name] + delta < spent.get(name, 0):
            errors.append(
                _("Post '%(name)s' zou %(after)s worden, minder dan er al aan is uitgegeven (%(spent)s).")
                % {"name": name, "after": bedrag(lines[name] + delta), "spent": bedrag(spent.get(name, 0))}
            )
    after = sum(lines.values()) + sum(deltas.values())
    if after > contributions_cents:
        errors.append(
            _(
                "De begroting (%(after)s) zou hoger worden dan de bijdragen (%(total)s) "
                "(art. 6.1: alleen binnen de vastgestelde bijdragen)."
            )
            % {"after": bedrag(after), "total": bedrag(contributions_cents)}
        )
    return errors
