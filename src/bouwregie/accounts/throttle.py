"""Login throttling: after too many failed sign-ins for one user name, or from one address, within a
window, further attempts are refused until the window has passed — whatever the password.

Counts live in the database (FailedLogin), so every app process behind the load balancer sees the same
attempts. A successful sign-in clears the user name's failures.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from bouwregie.accounts.models import FailedLogin


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_THROTTLE_MINUTES)


def wait_minutes(username: str, address: str, now=None) -> int:
    """0 when a sign-in may be tried; otherwise the minutes until it may."""
    now = now or timezone.now()
    since = now - _window()
    recent = FailedLogin.objects.filter(at__gte=since)
    by_name = recent.filter(username=username.lower()).order_by("at").values_list("at", flat=True)
    by_address = recent.filter(address=address).order_by("at").values_list("at", flat=True)
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    blocking = [times[len(times) - limit] for times in (list(by_name), list(by_address)) if len(times) >= limit]
    if not blocking:
        return 0
    free_at = max(blocking) + _window()
    return max(1, -(-int((free_at - now).total_seconds()) // 60))


def record_failure(username: str, address: str, now=None) -> None:
    FailedLogin.objects.create(username=username.lower()[:150], address=address[:45], at=now or timezone.now())
    FailedLogin.objects.filter(at__lt=(now or timezone.now()) - 4 * _window()).delete()  # keep the table small


def record_success(username: str) -> None:
    FailedLogin.objects.filter(username=username.lower()).delete()
