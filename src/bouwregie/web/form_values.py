"""Reading what users typed in a form field, with the reason in their language when it cannot be read."""

from django.utils.translation import gettext as _


def whole_number(text: str, label: str) -> int:
    text = str(text).strip()
    if not text.isdigit():
        raise ValueError(
            _("%(label)s moet een heel getal van 0 of meer zijn, niet '%(text)s'.") % {"label": label, "text": text}
        )
    return int(text)
