"""Money in whole euro cents (never floats), shown as Dutch readers expect: € 1.234.567,89."""

import re
from decimal import Decimal, InvalidOperation

import numpy as np
from django.utils.translation import gettext as _

MAX_EUROS = 10**13  # ten trillion: far above any budget, and safely within 64-bit cents
DUTCH_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")


def euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{rest:02d}"


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
    """An amount as people write it — 500000, 500.000 (Dutch thousands), 500.000,50, € 1.250 — in cents.
    ValueError for anything else, for a negative amount or for a fraction of a cent."""
    value = str(text).strip().replace("€", "").replace(" ", "")
    if "," in value or DUTCH_THOUSANDS.fullmatch(value):
        value = value.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(_("'%s' is geen bedrag in euro's") % text) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_EUROS or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("'%s' is geen bedrag van 0 of meer in hele centen") % text)
    return int(amount * 100)
