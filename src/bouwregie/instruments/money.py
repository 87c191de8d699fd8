"""Money in whole euro cents (never floats), shown as Dutch readers expect: € 1.234.567,89."""

import re
from decimal import Decimal, InvalidOperation

import numpy as np
from django.utils.translation import gettext as _

MAX_EUROS = 10**13  # ten trillion: far above any budget, and safely within 64-bit cents
# Dutch notation: thousands points only between groups of three, a decimal comma (then whole cents: checked after)
DUTCH_AMOUNT = re.compile(r"(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")


def euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{rest:02d}"


def bedrag(cents: int) -> str:
    """An amount for a message or a financial table, always with its cents and in the language of the moment:
    "€ 245.000,00" in Dutch, "€ 245,000.00" in English; a negative amount "-€ 5.000,00", as `euros` writes it
    (issue #23: messages gave amounts in cents, "-1000000 cent"). Django's number formatting, so the active
    language decides the grouping and the decimal sign, as on the pages."""
    from django.utils.formats import number_format

    sign = "-" if cents < 0 else ""
    return f"{sign}€ {number_format(Decimal(abs(int(cents))) / 100, 2, force_grouping=True)}"


def scale_to_ceiling(claims_cents: np.ndarray, ceiling_cents: int) -> np.ndarray:
    """Pro rata when the claims exceed the ceiling, in whole euros, adding up to the ceiling exactly.

    Each claim gets floor(claim × ceiling / total) in whole euros (exact integer arithmetic); the euros
    still missing go one each to the largest remainders, ties to the lower index (the caller's order, so the
    outcome is deterministic). Claims within the ceiling are paid as they are."""
    claims = np.asarray(claims_cents, dtype=object)  # Python integers: no overflow, no rounding
    total = int(sum(claims))
    if total <= ceiling_cents:
        return np.asarray(claims_cents, dtype=np.int64).copy()
    ceiling_euros = ceiling_cents // 100
    numerators = [int(c) * ceiling_euros for c in claims]
    whole = [n // total for n in numerators]
    remainders = [n - w * total for n, w in zip(numerators, whole, strict=True)]
    missing = ceiling_euros - sum(whole)
    for i in sorted(range(len(whole)), key=lambda i: (-remainders[i], i))[:missing]:
        whole[i] += 1
    return np.array([w * 100 for w in whole], dtype=np.int64)


def parse_euros(text) -> int:
    """An amount in Dutch notation, in cents; ValueError (Dutch message) for anything else (issue #23).

    The rule: a comma is the only decimal mark (at most two digits after it); a point is only a thousands
    separator and then every group after the first has exactly three digits. "12.345" therefore reads the Dutch
    way, as 12345 euros — so a point that cannot be a thousands separator is refused as ambiguous rather than
    silently read as a decimal point. "€" and spaces are ignored. A JSON/Python number (int, float, Decimal)
    is unambiguous and taken as it is.

    Examples: "500000" → 500000,00; "500.000" and "€ 500.000" → 500000,00; "12.345" → 12345,00;
    "12.345,67" → 12345,67; "0,5" → 0,50; refused: "12.34" and "1.2" (a point with fewer than three digits
    after it: ambiguous), "1e3" (exponent), "1,005" (a fraction of a cent),
    "12.3456", "1.23.456", a negative amount and anything above MAX_EUROS."""
    if isinstance(text, bool):
        raise ValueError(_("'%s' is geen bedrag in euro's") % text)
    if isinstance(text, int | float | Decimal):
        try:
            amount = Decimal(str(text))
        except InvalidOperation:
            raise ValueError(_("'%s' is geen bedrag in euro's") % text) from None
    else:
        value = str(text).strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
        if not DUTCH_AMOUNT.fullmatch(value):
            if re.fullmatch(r"\d+(\.\d+)+", value):
                raise ValueError(
                    _("'%s' is dubbelzinnig: schrijf bedragen op z'n Nederlands, met een komma voor centen "
                      "(12,34) en punten alleen tussen groepen van drie cijfers (12.345)") % text
                )  # fmt: skip
            raise ValueError(_("'%s' is geen bedrag in euro's") % text)
        amount = Decimal(value.replace(".", "").replace(",", "."))
    if not amount.is_finite() or amount < 0 or amount > MAX_EUROS or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("'%s' is geen bedrag van 0 of meer in hele centen") % text)
    return int(amount * 100)
