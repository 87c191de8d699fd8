"""Amounts as readers expect them straight from the cents the instruments compute, so views hand templates the
numbers themselves; '–' where there is no amount. Whole euros without cents (issue #19: "€ 2.450.000", not
"€ 2.450.000,00"); cents only where there are any ("€ 1.234,56"). Grouping and decimal sign follow the page's
language (Dutch 1.234,56; English 1,234.56), like every other number on the pages."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euros(cents) -> str:
    if cents is None or cents == "":
        return "–"
    cents = int(cents)
    whole, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    amount = number_format(whole, force_grouping=True)
    if rest:
        amount = number_format(Decimal(abs(cents)) / 100, 2, force_grouping=True)
    return f"{sign}€ {amount}"


@register.filter
def bedrag(cents) -> str:
    """Financial tables (the SOK administration, issue #23): always with cents, "€ 39.145,00" beside
    "€ 20.877,33" in one column, a negative as "-€ 5.000,00" (the project's sign, as `instruments.money.euros`);
    the page's language decides grouping and decimal sign."""
    if cents is None or cents == "":
        return "–"
    from bouwregie.instruments.money import bedrag as shown

    return shown(int(cents))
