"""Chances as readers expect them: 91,0% (or 91.0% in English), and '< 0,1%' rather than a misleading 0%."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(fraction) -> str:
    if fraction is None or fraction == "":
        return "–"
    value = 100 * float(fraction)
    if 0 < value < 0.1:
        return "< " + number_format(0.1, 1) + "%"
    if 99.9 < value < 100:
        return "> " + number_format(99.9, 1) + "%"
    return number_format(round(value, 1), 1) + "%"  # number_format cuts a float's digits off; round first
