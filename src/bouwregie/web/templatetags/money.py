"""Amounts as Dutch readers expect them (€ 1.234.567,89) straight from the cents the instruments compute, so
views hand templates the numbers themselves; '–' where there is no amount."""

from django import template

from bouwregie.instruments.money import euros as euros_text

register = template.Library()


@register.filter
def euros(cents) -> str:
    return "–" if cents is None or cents == "" else euros_text(cents)
