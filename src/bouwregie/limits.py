"""The limits of what can be stored, read from the models themselves: a CharField's max_length and the range of
an integer column. Checked at the door (API schemas, web forms, the rules every write passes) so that SQLite,
which stores a 300-character name or 2^40 in an integer column without complaint, and PostgreSQL, which refuses
them with a server error, answer the same clear message (issue #16).

The integer ranges are Django's for the column type on every database (BaseDatabaseOperations), not the
connected backend's: SQLite reports no range at all, which is exactly the difference to remove.
"""

from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _


def _field(model, name: str):
    return model._meta.get_field(name)


def max_length(model, name: str) -> int:
    return _field(model, name).max_length


def int_range(model, name: str) -> tuple[int, int]:
    """(lowest, highest) value the column holds, e.g. (0, 2147483647) for a PositiveIntegerField."""
    return BaseDatabaseOperations.integer_field_ranges[_field(model, name).get_internal_type()]


def too_long(value, model, name: str, label: str) -> str | None:
    """The message when `value` is longer than the column holds, else None."""
    limit = max_length(model, name)
    if value is not None and len(str(value)) > limit:
        return _("%(label)s is te lang: %(n)d tekens, hooguit %(max)d.") % {
            "label": label,
            "n": len(str(value)),
            "max": limit,
        }
    return None


def out_of_range(value, model, name: str, label: str) -> str | None:
    """The message when the integer `value` does not fit the column, else None (non-integers are the caller's)."""
    low, high = int_range(model, name)
    if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
        return _("%(label)s moet tussen %(low)d en %(high)d liggen, niet %(value)d.") % {
            "label": label,
            "low": low,
            "high": high,
            "value": value,
        }
    return None
