"""One notation on every page (issue #19, docs/web.md "Notatie"): dates as d-m-jjjj (29-11-2026), date and
time as 29-11-2026 14:05, sources as their document's title, and numbers grouped the Dutch way (1.234) in
Dutch and the English way (1,234) in English — Django's localised `intcomma` does the grouping."""

from datetime import date, datetime

from django import template
from django.utils import timezone

from bouwregie.citations import cite

register = template.Library()

DATE = "%-d-%-m-%Y"


def _as_date(value):
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, date) else None


@register.filter
def datum(value) -> str:
    """29-11-2026 from a date, a datetime (in the local time zone) or an ISO text; '–' for nothing; text that is
    no date comes back as it was."""
    if value is None or value == "":
        return "–"
    moment = _as_date(value)
    if moment is None:
        return str(value)
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(DATE)


@register.filter
def datumtijd(value) -> str:
    """29-11-2026 14:05 (local time)."""
    moment = _as_date(value)
    if not isinstance(moment, datetime):
        return datum(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(DATE + " %H:%M")


@register.filter
def bron(source) -> str:
    """A source as its document's title (bouwregie.citations)."""
    return cite(source)
