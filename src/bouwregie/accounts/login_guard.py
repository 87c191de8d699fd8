"""Brute-force protection of every login form, with django-axes (issue #16, fault 1).

Axes counts failed sign-ins per *combination* of user name and client address
(settings.AXES_LOCKOUT_PARAMETERS): five wrong passwords for one account lock that account from that
address only, so colleagues behind the same proxy or office NAT can still sign in. This module holds
what axes asks the project for:

- `client_address`: the address axes counts (AXES_CLIENT_IP_CALLABLE). REMOTE_ADDR, unless that is a
  proxy the operator listed in BOUWREGIE_TRUSTED_PROXIES; only then is X-Forwarded-For read, from the
  right, skipping listed proxies. A client can put anything in X-Forwarded-For, so it is never trusted
  on its own.
- `failure_limit` / `cool_off`: the limit and window, read at each request from the project's own
  settings LOGIN_THROTTLE_ATTEMPTS / LOGIN_THROTTLE_MINUTES (env BOUWREGIE_LOGIN_ATTEMPTS /
  BOUWREGIE_LOGIN_WINDOW_MINUTES).
- `lockout_response`: the Dutch answer with the minutes to wait, status 429: our sign-in page again
  for /inloggen, a lockout page for the admin login.
- `one_attempt_at_a_time`: axes checks the count, then the password is checked, then a failure is
  recorded. Parallel attempts for the same account and address would all pass the check before any
  failure is recorded (30 parallel attempts made 6 password checks against a limit of 5). Each login
  view is therefore wrapped: check, password and record happen under one lock per account+address (a
  PostgreSQL advisory lock; SQLite has one writer anyway and BEGIN IMMEDIATE takes it), so never more
  than the limit of passwords is checked.
"""

import functools
import hashlib
import ipaddress
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection, transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def _networks(entries) -> list:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _is_trusted_proxy(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a configured proxy the right-most address in
    X-Forwarded-For that is not itself a configured proxy. None when there is no address (a unix socket,
    Django's force_login): axes stores addresses in an IP field."""
    remote = request.META.get("REMOTE_ADDR", "")
    try:
        ipaddress.ip_address(remote)
    except ValueError:
        return None
    proxies = _networks(settings.BOUWREGIE_TRUSTED_PROXIES)
    if not _is_trusted_proxy(remote, proxies):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return remote  # our proxy wrote something that is not an address: do not guess
        if not _is_trusted_proxy(address, proxies):
            return address
    return forwarded[0] if forwarded else remote


def failure_limit(request, credentials) -> int:
    return settings.LOGIN_THROTTLE_ATTEMPTS


def cool_off(request=None) -> timedelta:
    return timedelta(minutes=settings.LOGIN_THROTTLE_MINUTES)


def _username(request, credentials) -> str:
    if credentials and credentials.get("username"):
        return str(credentials["username"])
    return request.POST.get("username", "")


def minutes_to_wait(request, credentials=None) -> int:
    """Minutes until this account may be tried again from this address (at least 1 while locked)."""
    from axes.models import AccessAttempt

    last = (
        AccessAttempt.objects.filter(username=_username(request, credentials), ip_address=client_address(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return math.ceil(cool_off().total_seconds() / 60)
    seconds = (last + cool_off() - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def lockout_response(request, original_response=None, credentials=None):
    """Axes' answer to a locked account+address (AXES_LOCKOUT_CALLABLE): 429 with the minutes to wait."""
    message = _("Te veel mislukte pogingen. Probeer het over %d minuten opnieuw.") % minutes_to_wait(
        request, credentials
    )
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.resolver_match and request.resolver_match.view_name == "login":
        form = AuthenticationForm(request, initial={"username": _username(request, credentials)})
        context = {"form": form, "locked_out": message, "next": request.POST.get("next", "")}
        return render(request, "web/login.html", context, status=status)
    return render(request, "web/lockout.html", {"locked_out": message}, status=status)


def _lock_key(username: str, address: str) -> int:
    """A signed 64-bit number for pg_advisory_xact_lock, one per account+address."""
    digest = hashlib.sha256(f"bouwregie-login\0{username}\0{address}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def one_attempt_at_a_time(view):
    """Wrap a login view: POSTs for one account+address run one after the other (see module docstring)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        with transaction.atomic():  # SQLite: BEGIN IMMEDIATE, the single writer's lock
            if connection.vendor == "postgresql":
                key = _lock_key(request.POST.get("username", ""), client_address(request))
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            return view(request, *args, **kwargs)

    return wrapped
