"""The Woontop tracker's rules as pure functions over plain data.

- Statuses per quarter (op schema, te laat, gereed, vervallen): the status of a milestone in a quarter is the newest
  one set for that quarter or, failing that, for the latest earlier quarter (a status holds until changed).
- Overdue (`overdue`): the deadline has passed (the seed's date, or the rule in the data file for a period) and the
  milestone is neither done nor dropped — whatever status was last reported, so "op schema" past its date is flagged.
- Changes since the last quarter (`changes`): milestones whose status differs between two quarters.
"""

import re
from datetime import date

from django.utils.translation import gettext as _

from bouwregie.projects.rules import quarter_end

STATUSES = ("op_schema", "te_laat", "gereed", "vervallen")
CLOSED = frozenset({"gereed", "vervallen"})
QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def parse_quarter(code: str) -> tuple[int, int]:
    match = QUARTER.fullmatch(code or "")
    if not match:
        raise ValueError(_("'%s' is geen kwartaal (JJJJ-Qn, bijv. 2025-Q2).") % code)
    return int(match[1]), int(match[2])


def previous_quarter(code: str) -> str:
    year, q = parse_quarter(code)
    return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_last_day(code: str) -> date:
    return quarter_end(*parse_quarter(code))


def status_in(history: list[tuple[str, str]], quarter: str) -> str | None:
    """history: (quarter, status) in the order set; the status that holds in `quarter`."""
    key = parse_quarter(quarter)
    held = [(parse_quarter(q), i, s) for i, (q, s) in enumerate(history) if parse_quarter(q) <= key]
    return max(held)[2] if held else None


def next_quarter(code: str) -> str:
    year, q = parse_quarter(code)
    return f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"


def quarter_window(agreed_on: date, today: date) -> tuple[str, str]:
    """(first, last) quarter a status may be recorded for (issue #23): from the quarter the agreement was made
    (the Woontop of 11 December 2024, seed 004 p. 32: 2024-Q4) up to the quarter after the current one (a status
    may be set ahead for the coming quarter, not further)."""
    return quarter_of(agreed_on), next_quarter(quarter_of(today))


def overdue(deadline: date, status: str | None, today: date) -> bool:
    return deadline < today and status not in CLOSED


def changes(before: dict[str, str | None], after: dict[str, str | None]) -> list[tuple[str, str | None, str | None]]:
    """(code, status before, status after) for every milestone whose status differs."""
    return [(code, before.get(code), after.get(code)) for code in after if before.get(code) != after.get(code)]
