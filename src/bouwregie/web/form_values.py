"""Reading what users typed in a form field, with the reason in their language when it cannot be read."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

ECHO = 40  # characters of a refused value repeated in the message: enough to recognise it


def whole_number(text: str, label: str, least: int = 0, most: int | None = None) -> int:
    """A whole number written with the digits 0–9 (not '²' or other Unicode digits, which int() refuses in
    English), from `least` up to `most` when that is given."""
    text = str(text).strip()
    value = int(text) if text.isascii() and text.isdigit() and len(text) <= 30 else None
    if value is not None and value >= least and (most is None or value <= most):
        return value
    shown = text if len(text) <= ECHO else text[:ECHO] + "…"
    values = {"label": label, "text": shown, "least": number_format(least, force_grouping=True)}
    if most is not None:
        values["most"] = number_format(most, force_grouping=True)
        message = _("%(label)s moet een heel getal van %(least)s tot en met %(most)s zijn, niet '%(text)s'.")
    elif least == 0:
        message = _("%(label)s moet een heel getal van 0 of meer zijn, niet '%(text)s'.")
    else:
        message = _("%(label)s moet een heel getal van %(least)s of meer zijn, niet '%(text)s'.")
    raise ValueError(message % values)
