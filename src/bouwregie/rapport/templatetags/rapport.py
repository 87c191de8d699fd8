"""Numbers in the report as on the pages: grouped in the active language's notation (1.234 in Dutch), shares as
percentages with one decimal (66,7%), the traffic lights as words and colours."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def aantal(value) -> str:
    """1.234 (Dutch) / 1,234 (English); '–' for nothing."""
    if value is None or value == "":
        return "–"
    return number_format(value, force_grouping=True)


@register.filter
def procent(share) -> str:
    """0.6667 → 66,7% (Dutch) / 66.7% (English); '–' for nothing."""
    if share is None:
        return "–"
    return number_format(100 * share, 1) + "%"


@register.filter
def licht(value) -> str:
    return {"groen": _("groen"), "oranje": _("oranje"), "rood": _("rood")}.get(value, value or "–")


@register.filter
def sleutel(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def css_tekst(value) -> str:
    """`value` safe inside a quoted CSS string (the page footer's `content: "…"`): letters, digits and a few
    harmless signs as they are, anything else as a CSS escape (`\\2D ` for '-'), so a quote, a backslash or
    '</style>' in an area name cannot end the string or the style sheet. (escapejs is for JavaScript: CSS
    shows its `\\u002D` literally.)"""
    return "".join(ch if ch.isalnum() or ch in " .,·()" else f"\\{ord(ch):X} " for ch in str(value))
